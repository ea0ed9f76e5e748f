"""URLs of the web UI. No personal information in any URL (SEC-MSK-3): households are addressed
by their row id, ID-number search and field validation go by POST."""

from django.urls import path

from fangpin.web.views import account, edit, households, membership, reveal

app_name = "web"

urlpatterns = [
    path("", households.home, name="home"),
    path("login/", account.login_view, name="login"),
    path("logout/", account.logout_view, name="logout"),
    path("households/", households.household_list_view, name="household_list"),
    path("households/find/", households.household_find, name="household_find"),
    path("households/new/", edit.household_create_view, name="household_create"),
    path("households/<int:household_id>/", households.household_detail, name="household"),
    path("households/<int:household_id>/edit/", edit.household_edit, name="household_edit"),
    path(
        "households/<int:household_id>/members/<str:action>/",
        membership.membership_change,
        name="membership",
    ),
    path(
        "households/<int:household_id>/reveal/",
        reveal.person_reveal_view,
        name="reveal",
    ),
    path("validate/<str:field>/", edit.validate_field, name="validate_field"),
]
