"""URLs of the rectification ledger (整改台账, docs/ledger.md), included by ``fangpin.web.urls``
under ``problems/`` in the ``web`` namespace."""

from django.urls import path

from fangpin.web.views import problem_plans, problems

urlpatterns = [
    path("", problems.problem_list_view, name="problems"),
    path("zeroing/", problems.problem_zeroing_view, name="problems_zeroing"),
    path("new/", problems.problem_create_view, name="problem_create"),
    path("push/", problems.problem_push_view, name="problems_push"),
    path("plans/", problem_plans.plan_list_view, name="inspection_plans"),
    path("plans/<uuid:plan_id>/", problem_plans.plan_detail_view, name="inspection_plan"),
    path("<uuid:problem_id>/", problems.problem_detail_view, name="problem"),
    path("<uuid:problem_id>/decide/", problems.problem_decide_view, name="problem_decide"),
    path("<uuid:problem_id>/replicate/", problems.problem_replicate_view, name="problem_replicate"),
]
