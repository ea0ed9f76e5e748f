"""URLs of the web UI. No personal information in any URL (SEC-MSK-3): households and persons
are addressed by their opaque ``public_id`` (a random UUID, never the row id, so a URL neither
counts the registry nor walks it), ID-number search and field validation go by POST."""

from django.urls import include, path

from fangpin.web.views import (
    account,
    accounts_admin,
    cases,
    casework,
    clues,
    edit,
    feeds,
    households,
    imports,
    membership,
    person,
    policy,
    records,
    reveal,
    roles_admin,
    split,
)

app_name = "web"

urlpatterns = [
    path("", households.home, name="home"),
    path("login/", account.login_view, name="login"),
    path("logout/", account.logout_view, name="logout"),
    path("households/", households.household_list_view, name="household_list"),
    path("households/find/", households.household_find, name="household_find"),
    path("households/new/", edit.household_create_view, name="household_create"),
    path("households/<uuid:household_id>/", households.household_detail, name="household"),
    path("households/<uuid:household_id>/edit/", edit.household_edit, name="household_edit"),
    path(
        "households/<uuid:household_id>/members/<str:action>/",
        membership.membership_change,
        name="membership",
    ),
    path(
        "households/<uuid:household_id>/reveal/",
        reveal.person_reveal_view,
        name="reveal",
    ),
    path("validate/<str:field>/", edit.validate_field, name="validate_field"),
    # Finances, conditions, cancel and split: a GET form and a POST-only write each.
    path("households/<uuid:household_id>/finances/", records.finance_form, name="finance"),
    path(
        "households/<uuid:household_id>/finances/save/",
        records.finance_save,
        name="finance_save",
    ),
    path(
        "households/<uuid:household_id>/conditions/new/",
        records.condition_form,
        name="condition_new",
    ),
    path(
        "households/<uuid:household_id>/conditions/save/",
        records.condition_save,
        name="condition_save",
    ),
    path(
        "households/<uuid:household_id>/cancel/",
        records.household_cancel_form,
        name="household_cancel",
    ),
    path(
        "households/<uuid:household_id>/cancel/save/",
        records.household_cancel_save,
        name="household_cancel_save",
    ),
    path(
        "households/<uuid:household_id>/split/",
        split.household_split_form,
        name="household_split",
    ),
    path(
        "households/<uuid:household_id>/split/save/",
        split.household_split_save,
        name="household_split_save",
    ),
    path("persons/<uuid:person_id>/edit/", person.person_edit, name="person_edit"),
    path(
        "persons/<uuid:person_id>/correct-id/",
        person.person_correct_id_view,
        name="person_correct_id",
    ),
    path("account/password/", account.password_view, name="account_password"),
    path("accounts/", accounts_admin.accounts_list, name="accounts"),
    path("accounts/new/", accounts_admin.account_create, name="account_create"),
    path("accounts/<int:user_id>/disable/", accounts_admin.account_disable, name="account_disable"),
    path("accounts/<int:user_id>/enable/", accounts_admin.account_enable, name="account_enable"),
    path(
        "accounts/<int:user_id>/reset-password/",
        accounts_admin.account_reset_password,
        name="account_reset_password",
    ),
    path("feeds/", feeds.feeds_list, name="feeds"),
    path("feeds/upload/", feeds.feeds_upload, name="feeds_upload"),
    path("feeds/<uuid:batch_id>/", feeds.feeds_detail, name="feeds_detail"),
    path("feeds/<uuid:batch_id>/publish/", feeds.feeds_publish, name="feeds_publish"),
    path("feeds/<uuid:batch_id>/reject/", feeds.feeds_reject, name="feeds_reject"),
    path("feeds/jobs/<uuid:job_id>/", feeds.feeds_job, name="feeds_job"),
    path("exports/", include("fangpin.web.urls_exports")),
    path("problems/", include("fangpin.web.urls_problems")),
    path("evaluation/", include("fangpin.web.urls_evaluation")),
    path("", include("fangpin.web.urls_dashboards")),
    path("force/", include("fangpin.web.urls_force")),
    path("imports/", imports.imports_list, name="imports"),
    path("imports/upload/", imports.imports_upload, name="imports_upload"),
    path("imports/templates/<str:entity>/", imports.imports_template, name="imports_template"),
    path("imports/<uuid:batch_id>/", imports.imports_detail, name="imports_detail"),
    path("imports/<uuid:batch_id>/apply/", imports.imports_apply, name="imports_apply"),
    path("imports/<uuid:batch_id>/discard/", imports.imports_discard, name="imports_discard"),
    path("imports/<uuid:batch_id>/errors/", imports.imports_errors, name="imports_errors"),
    path("imports/jobs/<uuid:job_id>/", imports.imports_job, name="imports_job"),
    path("roles/", roles_admin.roles_list, name="roles"),
    path("roles/<int:user_id>/", roles_admin.role_assign, name="role_assign"),
    path("policy/", policy.policy_view, name="policy"),
    # Monthly screening and risk clues (views/casework.py, views/clues.py); runs and clues are
    # addressed by their public UUIDs too.
    path("screening/", casework.runs_list, name="screening"),
    path("screening/start/", casework.run_start, name="screening_start"),
    path("screening/runs/<uuid:run_id>/", casework.run_detail, name="screening_run"),
    path("screening/precision/", casework.precision_report, name="screening_precision"),
    path("clues/", clues.clue_list_view, name="clues"),
    path("clues/<uuid:clue_id>/", clues.clue_detail, name="clue"),
    path("clues/<uuid:clue_id>/verify/", clues.clue_verify_view, name="clue_verify"),
    path("households/<uuid:household_id>/clue/", clues.clue_record_view, name="clue_record"),
    path(
        "declarations/<uuid:declaration_id>/accept/",
        clues.declaration_accept_view,
        name="declaration_accept",
    ),
    # Identification and elimination cases and the village notice (views/cases.py).
    path("cases/", cases.case_list_view, name="cases"),
    path("cases/<uuid:case_id>/", cases.case_detail, name="case"),
    path("cases/<uuid:case_id>/act/", cases.case_act, name="case_act"),
    path("cases/documents/<uuid:document_id>/", cases.case_document, name="case_document"),
    path(
        "households/<uuid:household_id>/eliminate/",
        cases.elimination_propose,
        name="elimination_propose",
    ),
    path("notices/<str:village_code>/", cases.notice_page, name="case_notice"),
    path("notices/<str:village_code>/pdf/", cases.notice_pdf, name="case_notice_pdf"),
]
