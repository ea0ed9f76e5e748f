"""Meta-test (SEC-AC-1, scenario 1): every route in the URL map is covered by a region-scope test.

A route addressing a household or a person must be in an IDOR matrix (the web one,
``tests/web/test_scope_matrix.py``, or the API one, ``tests/api/test_scope_matrix.py``); any
other route must be listed below with the test that proves its scope (lists, search, create) or
the reason it shows no household data. The read-only admin's pages have their own matrix
(``tests/registry/test_admin_idor.py``). A new route in neither place fails this test, so nobody
can add a view without deciding how its scope is tested.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver

from tests.api.test_scope_matrix import OPERATIONS
from tests.web.test_scope_matrix import ROUTES

#: route name → where its scope is proven, or why it has none
COVERED_ELSEWHERE = {
    # No household data
    "set_language": "language switch: sets a cookie only",
    "web:login": "login page: tests/web/test_pages.py, tests/core/test_login_*.py",
    "web:logout": "logout: tests/core/test_sessions.py",
    "web:validate_field": "checks one typed value, reads nothing stored: tests/web/test_forms.py",
    "api-v1:api-root": "the API's index, no data",
    "api-v1:openapi-json": "the schema, no data: tests/api/test_schemathesis.py",
    "api-v1:openapi-view": "the docs page, no data",
    "api-v1:token_list": "the caller's own tokens only: tests/api/test_tokens.py",
    "api-v1:token_revoke": "the caller's own tokens only: tests/api/test_tokens.py",
    # Accounts: no household data (username, name, role, home region, status, last login)
    "web:account_password": "one's own password only: tests/web/test_accounts_admin.py",
    "web:policy": "public policy rules, no household data: tests/web/test_policy_page.py",
    "web:roles": "accounts and roles, no household data: tests/web/test_roles_admin.py",
    "web:role_assign": "accounts and roles, no household data: tests/web/test_roles_admin.py",
    "web:accounts": "system administrator only, 403 otherwise: tests/web/test_accounts_admin.py",
    "web:account_create": "system administrator only: tests/web/test_accounts_admin.py",
    "web:account_disable": "system administrator only: tests/web/test_accounts_admin.py",
    "web:account_enable": "system administrator only: tests/web/test_accounts_admin.py",
    "web:account_reset_password": "system administrator only: tests/web/test_accounts_admin.py",
    # Dashboards and monthly reports: sums over the viewer's scope; another region is a 404
    "web:dashboard": "tests/dashboards/test_pages.py (region outside the scope → 404)",
    "web:dashboard_work": "tests/dashboards/test_pages.py (region outside the scope → 404)",
    "web:dashboard_results": "tests/dashboards/test_pages.py (region outside the scope → 404)",
    "web:dashboard_refresh": "tests/dashboards/test_pages.py, test_refresh.py (county only)",
    "web:reports": "tests/dashboards/test_pages.py (reports and regions of the scope only)",
    "web:report_download": "tests/dashboards/test_pages.py (another county's report → 404)",
    "web:force": "tests/force/test_pages.py (region outside the scope → 404)",
    "web:force_team_new": "tests/force/test_pages.py, test_services.py (village outside → refused)",
    "web:force_team": "tests/force/test_pages.py (another county's team → 404)",
    "web:force_cadre_new": "tests/force/test_pages.py, test_services.py (county outside → refused)",
    "web:force_cadre_assign": "tests/force/test_pages.py (household outside the scope → error)",
    "web:force_pairing_new": "tests/force/test_pages.py, test_services.py (county only)",
    "web:force_commitment": "tests/force/test_pages.py (another county's pairing → 404)",
    "web:force_project_new": "tests/force/test_pages.py, test_services.py (outside → refused)",
    "web:force_project": "tests/force/test_pages.py (another county's project → 404)",
    "web:force_purchase_new": "tests/force/test_pages.py, test_services.py (county only)",
    "api-v1:dashboard": "tests/dashboards/test_api.py (region outside the scope → 404)",
    # Lists, counts and search: the rows shown are exactly the scope's
    "web:home": "tests/web/test_list.py, tests/web/test_pages.py (counts per region in scope)",
    "web:household_list": "tests/web/test_pages.py (only households in scope)",
    "web:household_find": "tests/web/test_pages.py (ID search outside the scope)",
    "api-v1:household_list": "tests/api/test_scope_matrix.py (list per role)",
    "api-v1:household_search_by_id": "tests/api/test_masking.py, tests/api/test_scope_matrix.py",
    # Creation: the village must lie in the scope
    "web:household_create": "tests/web/test_scope_matrix.py (village outside the scope)",
    "api-v1:household_create": "tests/api/test_writes.py (village outside the scope)",
    # Department feeds: batches (counts, masked reports), never households; a batch of another
    # scope is a 404 and rows of persons outside the scope are never published or shown
    "web:feeds": "tests/feeds/test_web.py (lists batches in scope only, not households)",
    "web:feeds_upload": "tests/feeds/test_web.py (rows outside the scope: 辖区外人员, unpublished)",
    "web:feeds_detail": "tests/feeds/test_web.py (batch of another scope → 404; masked report)",
    "web:feeds_publish": "tests/feeds/test_web.py (batch of another scope → 404, unchanged)",
    "web:feeds_reject": "tests/feeds/test_web.py (batch of another scope → 404, unchanged)",
    "web:feeds_job": "tests/feeds/test_jobs.py (one's own import job only; another's → 404)",
    "web:imports": "tests/web/test_import_pages.py (lists batches of one's scope only)",
    "web:imports_upload": "tests/web/test_import_pages.py (rows outside the scope are errors)",
    "web:imports_template": "tests/web/test_import_pages.py (the drop-down holds one's villages)",
    "web:imports_detail": "tests/web/test_import_pages.py (another village's batch → 404)",
    "web:imports_apply": "tests/web/test_import_pages.py (another village's batch → 404)",
    "web:imports_discard": "tests/web/test_import_pages.py (another village's batch → 404)",
    "web:imports_errors": "tests/web/test_import_pages.py (another village's batch → 404)",
    "web:imports_job": "tests/web/test_import_pages.py (another village's job → 404)",
    "web:exports": "tests/exports/test_views.py (requester's and scope approvers' only)",
    "web:export_list": "tests/exports/test_views.py (a village cadre exports their village only)",
    "web:export_approve": "tests/exports/test_views.py (outside one's scope → refused)",
    "web:export_deny": "tests/exports/test_views.py (outside one's scope → refused)",
    "web:export_download": "tests/exports/test_views.py (only the requester, once approved)",
    "web:problems": "tests/web/test_problem_pages.py (another village's problems not listed)",
    "web:problems_zeroing": "tests/web/test_problem_pages.py (the tally of one's scope)",
    "web:problem_create": "tests/web/test_problem_pages.py (regions and households in scope)",
    "web:problem": "tests/web/test_problem_pages.py (another village's problem → 404)",
    "web:problem_decide": "tests/web/test_problem_pages.py (another village's problem → 404)",
    "web:inspection_plans": "tests/web/test_problem_plans.py (inspectors of the county only)",
    "web:inspection_plan": "tests/web/test_problem_plans.py (another county's plan → 404)",
    "web:listings": "tests/web/test_listing_pages.py (listings in scope; supervisors list)",
    "web:listing": "tests/web/test_listing_pages.py (another village's listing → 404)",
    "web:listing_target_done": "tests/web/test_listing_pages.py (another village → 404)",
    "web:listing_delist": "tests/web/test_listing_pages.py (without findings.write → 403)",
    "web:problems_push": "tests/web/test_problem_pages.py (a cadre pushes their village only)",
    "web:problem_replicate": "tests/casework/test_ledger_push.py (outside the scope: not_found)",
    # Monthly screening and risk clues: runs and clues addressed by id are in the web matrix
    "web:screening": "tests/web/test_casework_pages.py (runs of the scope and above only)",
    "web:screening_start": "tests/web/test_casework_pages.py (region outside the scope → 403)",
    "web:screening_precision": "tests/web/test_casework_pages.py (counts the scope's warnings)",
    "web:clues": "tests/web/test_casework_pages.py (only clues in scope; village filter)",
    "web:cases": "tests/web/test_case_pages.py (only cases in scope; waiting for my level)",
    "web:case_document": "tests/casework/test_documents.py (a case's file outside the scope → 404)",
    # Self-declaration: the public form stores a declaration and shows nothing stored (the
    # thank-you page shows only the reference its signed link carries); the staff list shows
    # the scope's declarations only. Detail, decisions and QR pages are in the web matrix.
    "intake:declare": "public form, shows nothing stored: tests/intake/test_views_public.py",
    "intake:declare_village": "public form, village preset: tests/intake/test_views_public.py",
    "intake:declare_thanks": "the signed reference only: tests/intake/test_views_public.py",
    "intake:declarations": "tests/intake/test_views_staff.py, tests/intake/test_selectors.py",
    # Visit coverage: the scope's monitored households only; plan, measure, visit and photo
    # routes are in the web matrix.
    "assistance:coverage": "tests/assistance/test_selectors.py, tests/assistance/test_pages.py",
    # Evaluation (第三方评估, measures, integrity): role × county in or out of scope, GET and
    # POST, in tests/evaluation/test_scope_matrix.py (another county's campaign → 404; no
    # findings.write → 403; a report POST naming another county → 404)
    "web:evaluations": "tests/evaluation/test_scope_matrix.py (campaigns of one's scope only)",
    "web:evaluation": "tests/evaluation/test_scope_matrix.py (another county's campaign → 404)",
    "web:evaluation_visits": "tests/evaluation/test_scope_matrix.py (another county → 404)",
    "web:evaluation_next": "tests/evaluation/test_scope_matrix.py (another county → 404)",
    "web:evaluation_close": "tests/evaluation/test_scope_matrix.py (another county → 404)",
    "web:evaluation_push": "tests/evaluation/test_scope_matrix.py (another county → 404)",
    "web:evaluation_survey": "tests/evaluation/test_scope_matrix.py (another county → 404)",
    "web:measures": "tests/evaluation/test_scope_matrix.py, test_report_pages.py (rows in scope)",
    "web:measures_compute": "tests/evaluation/test_scope_matrix.py (another county → 404)",
    "web:integrity": "tests/evaluation/test_scope_matrix.py, test_report_pages.py (rows in scope)",
    "web:integrity_run": "tests/evaluation/test_scope_matrix.py (another county → 404)",
    "web:integrity_push": "tests/evaluation/test_scope_matrix.py (another county → 404)",
}


def _routes(patterns: list[URLPattern | URLResolver], namespace: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _routes(pattern.url_patterns, inner)
        else:
            name = pattern.name or str(pattern.pattern)
            yield f"{namespace}:{name}" if namespace else name


def test_every_route_has_a_scope_test() -> None:
    routes = {r for r in _routes(get_resolver().url_patterns) if not r.startswith("admin:")}
    matrices = {name.split("#")[0] for name in ROUTES} | set(OPERATIONS.values())

    uncovered = routes - matrices - set(COVERED_ELSEWHERE)

    assert uncovered == set(), f"routes without a scope test: {sorted(uncovered)}"


def test_the_lists_name_only_routes_that_exist() -> None:
    routes = {r for r in _routes(get_resolver().url_patterns) if not r.startswith("admin:")}
    listed = {name.split("#")[0] for name in ROUTES} | set(OPERATIONS.values())

    assert (listed | set(COVERED_ELSEWHERE)) - routes == set()
