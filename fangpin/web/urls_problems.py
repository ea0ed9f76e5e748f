"""URLs of the rectification ledger (整改台账, docs/ledger.md), included by ``fangpin.web.urls``
under ``problems/`` in the ``web`` namespace."""

from django.urls import path

from fangpin.web.views import problem_listings, problem_plans, problems

urlpatterns = [
    path("", problems.problem_list_view, name="problems"),
    path("zeroing/", problems.problem_zeroing_view, name="problems_zeroing"),
    path("new/", problems.problem_create_view, name="problem_create"),
    path("push/", problems.problem_push_view, name="problems_push"),
    path("plans/", problem_plans.plan_list_view, name="inspection_plans"),
    path("plans/<uuid:plan_id>/", problem_plans.plan_detail_view, name="inspection_plan"),
    path("listings/", problem_listings.listing_list_view, name="listings"),
    path("listings/<uuid:listing_id>/", problem_listings.listing_detail_view, name="listing"),
    path(
        "listings/<uuid:listing_id>/targets/<int:target_id>/done/",
        problem_listings.listing_target_done_view,
        name="listing_target_done",
    ),
    path(
        "listings/<uuid:listing_id>/delist/",
        problem_listings.listing_delist_view,
        name="listing_delist",
    ),
    path("<uuid:problem_id>/", problems.problem_detail_view, name="problem"),
    path("<uuid:problem_id>/decide/", problems.problem_decide_view, name="problem_decide"),
    path("<uuid:problem_id>/replicate/", problems.problem_replicate_view, name="problem_replicate"),
]
