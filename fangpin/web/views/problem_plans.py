"""Unannounced visits (暗访计划, docs/ledger.md): plan one (villages, households drawn by the
county's rules), print its visit list with the fixed questions, and record a finding from a
phone straight into the ledger (the 登记问题 form, filled in for the household).

Open to ``findings.write`` (inspectors) in their scope only: a village never sees the plans
that will visit it.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from fangpin.core.access import FINDINGS_WRITE, user_can
from fangpin.core.selectors import region_names
from fangpin.ledger import VISIT_QUESTIONS
from fangpin.supervision import selectors
from fangpin.supervision.errors import SupervisionError
from fangpin.supervision.models import InspectionPlan
from fangpin.supervision.services import plan_create
from fangpin.web.views._common import pi_page, villages_in_scope


class PlanForm(forms.Form):
    name = forms.CharField(label=_("暗访批次"), max_length=100)
    villages = forms.MultipleChoiceField(
        label=_("暗访的村"), widget=forms.CheckboxSelectMultiple, required=False
    )
    village_count = forms.IntegerField(
        label=_("或随机抽取村数（县级账号，不选村时使用）"),
        min_value=0,
        max_value=100,
        required=False,
    )
    registered_per_village = forms.IntegerField(
        label=_("每村抽取建档立卡户、监测户"), min_value=0, max_value=200, initial=20
    )
    others_per_village = forms.IntegerField(
        label=_("每村抽取一般农户"), min_value=0, max_value=200, initial=5
    )
    seed = forms.CharField(label=_("抽样种子（留空自动生成）"), max_length=64, required=False)

    def __init__(self, *args: Any, villages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["villages"]
        field.choices = villages


def _require_planner(request: HttpRequest) -> None:
    if not user_can(request.user, FINDINGS_WRITE):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
@pi_page
def plan_list_view(request: HttpRequest) -> HttpResponse:
    """暗访计划: the plans of one's scope, and the form for a new one."""
    _require_planner(request)
    user: Any = request.user
    villages = [(r.code, f"{r.name}（{r.code}）") for r in villages_in_scope(user)]
    form = PlanForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = plan_create(
                actor=user,
                name=data["name"],
                village_codes=data["villages"],
                seed=data["seed"],
                registered_per_village=data["registered_per_village"],
                others_per_village=data["others_per_village"],
                village_count=data["village_count"] or 0,
                request=request,
            )
        except SupervisionError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("web:inspection_plan", plan_id=plan.public_id)
    status = 400 if request.method == "POST" else 200
    plans = selectors.plan_list(user=user)[:100]
    return render(request, "web/plan_list.html", {"form": form, "plans": plans}, status=status)


@require_GET
@pi_page
def plan_detail_view(request: HttpRequest, plan_id: UUID) -> HttpResponse:
    """The printable visit list: the fixed questions, then each village's households."""
    _require_planner(request)
    try:
        plan: InspectionPlan = selectors.plan_get(user=request.user, public_id=plan_id)
    except InspectionPlan.DoesNotExist:
        raise Http404 from None
    stops = selectors.plan_stops(plan)
    names = region_names({s.village_code for s in stops})
    villages: dict[str, dict[str, Any]] = {}
    for stop in stops:
        group = villages.setdefault(
            stop.village_code,
            {
                "code": stop.village_code,
                "name": names.get(stop.village_code, stop.village_code),
                "stops": [],
                "short": plan.shortfall.get(stop.village_code),
            },
        )
        group["stops"].append(stop)
    return render(
        request,
        "web/plan_detail.html",
        {"plan": plan, "villages": list(villages.values()), "questions": VISIT_QUESTIONS},
    )
