"""Risk clues (预警线索): the list with filters, one clue with its warnings, the verification.

Lists and pages need ``registry.view`` and read through :mod:`fangpin.casework.selectors`
(the region scope is applied there: a clue outside it is a 404 exactly like a missing one).
Verifying needs ``clue.verify`` (village cadre, township reviewer; 403 otherwise, audited):
the form posts one outcome per warning, a note and the ``version`` it was drawn with to
``clue_verify``, which refuses a stale version or a clue already verified (409, nothing
changed) and audits the write.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from fangpin.casework import selectors
from fangpin.casework.errors import CaseworkError
from fangpin.casework.models import Clue, ClueStatus, Outcome
from fangpin.casework.services import clue_from_declaration, clue_record, clue_verify
from fangpin.core.access import CLUE_VERIFY, user_can
from fangpin.intake import selectors as intake_selectors
from fangpin.intake.models import Declaration
from fangpin.registry import selectors as registry_selectors
from fangpin.registry.models import Household
from fangpin.screening.registry import RULES
from fangpin.web.views._common import (
    MAX_PAGE,
    capability_page,
    list_page,
    offset_page,
    pi_page,
    region_filter_choices,
    villages_in_scope,
)
from fangpin.web.views.casework import MonthField, severity_label

STALE_MESSAGE = _("该线索已被他人修改，请刷新后重试")
OUTCOME_FIELD = "outcome_"
"""Each warning's outcome is posted as ``outcome_<warning public id>``."""


def clue_rule_choices() -> list[tuple[str, str]]:
    """The rules whose warnings become clues (trigger, classification, elimination)."""
    return [
        (code, f"{rule.name_zh}")
        for code, rule in sorted(RULES.items())
        if str(rule.family) in selectors.CLUE_FAMILIES
    ]


class ClueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("（全部）")), *((value, _(label)) for value, label in ClueStatus.choices)],
    )
    overdue = forms.ChoiceField(
        label=_("是否逾期"),
        required=False,
        choices=[("", _("（全部）")), ("yes", _("已逾期")), ("no", _("未逾期"))],
    )
    rule = forms.ChoiceField(label=_("预警规则"), required=False)
    village = forms.ChoiceField(label=_("村"), required=False)
    month = MonthField(label=_("筛查月份"), required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        """``regions``: :func:`~fangpin.web.views._common.region_filter_choices` (villages,
        and townships as 9-digit prefixes for a wider scope)."""
        super().__init__(*args, **kwargs)
        rule: Any = self.fields["rule"]
        village: Any = self.fields["village"]
        rule.choices = [("", _("（全部）")), *clue_rule_choices()]
        village.choices = [("", _("（全部）")), *regions]


def _list_context(request: HttpRequest) -> dict[str, Any]:
    user: Any = request.user
    regions = region_filter_choices(user)
    form = ClueFilterForm(request.GET or None, regions=regions)
    data = form.cleaned_data if form.is_valid() else {}
    overdue = {"yes": True, "no": False}.get(data.get("overdue") or "")
    clues = selectors.clue_list(
        user,
        status=data.get("status") or None,
        overdue=overdue,
        rule_code=data.get("rule") or None,
        village_code=data.get("village") or None,
        month=data.get("month"),
    )
    pager = offset_page(request, clues, data.get("page"))
    names = dict(regions)  # a clue's 12-digit village code never meets a township's 9 digits
    for clue in pager["rows"]:
        clue.village_name = names.get(clue.village_code, "")
    return {"form": form, "clues": pager.pop("rows"), **pager}


@require_GET
@pi_page
def clue_list_view(request: HttpRequest) -> HttpResponse:
    """The clues in scope, earliest deadline first; an htmx filter change gets the table."""
    return list_page(
        request, _list_context(request), "web/clue_list.html", "web/_clue_results.html"
    )


def _readable(text: str) -> list[tuple[str, str]]:
    """A finding's JSON text (observed, threshold) as ``(key, value)`` lines to show."""
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return [("", text)]
    if isinstance(value, dict):
        return [(str(k), _scalar(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [("", _scalar(v)) for v in value]
    return [("", _scalar(value))]


def _scalar(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return gettext_now("是") if value else gettext_now("否")
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _clue_or_404(request: HttpRequest, clue_id: UUID) -> Clue:
    try:
        return selectors.clue_get(request.user, clue_id)
    except Clue.DoesNotExist:
        raise Http404("未找到该线索") from None


def _clue_context(
    request: HttpRequest, clue: Clue, chosen: dict[str, str] | None = None, note: str = ""
) -> dict[str, Any]:
    user: Any = request.user
    chosen = chosen or {}
    warnings = [
        {
            "warning": w,
            "rule_name": RULES[w.rule_code].name_zh if w.rule_code in RULES else w.rule_code,
            "severity": severity_label(w.severity),
            "observed": _readable(w.observed),
            "threshold": _readable(w.threshold),
            "field": f"{OUTCOME_FIELD}{w.public_id}",
            "chosen": chosen.get(str(w.public_id), ""),
        }
        for w in selectors.clue_warnings(clue)
    ]
    head = registry_selectors.household_head(user=user, household_id=clue.household_id)
    village = next((name for code, name in _villages(user) if code == clue.village_code), "")
    return {
        "clue": clue,
        "head_name": head.name if head else "",
        "village_name": village,
        "warnings": warnings,
        "outcomes": Outcome.choices,
        "can_verify": clue.status == ClueStatus.PENDING and user_can(user, CLUE_VERIFY),
        "note": note,
    }


def _villages(user: Any) -> list[tuple[str, str]]:
    return [(r.code, r.name) for r in villages_in_scope(user)]


@require_GET
@pi_page
def clue_detail(request: HttpRequest, clue_id: UUID) -> HttpResponse:
    """One clue: its household, each warning with its reason and values, the verification."""
    clue = _clue_or_404(request, clue_id)
    return render(request, "web/clue_detail.html", _clue_context(request, clue))


@require_POST
@capability_page(CLUE_VERIFY)
def clue_verify_view(request: HttpRequest, clue_id: UUID) -> HttpResponse:
    """Record the verification; a refusal re-shows the clue with the message, nothing saved."""
    clue = _clue_or_404(request, clue_id)
    chosen = {
        key[len(OUTCOME_FIELD) :]: str(value)
        for key, value in request.POST.items()
        if key.startswith(OUTCOME_FIELD) and value
    }
    note = request.POST.get("note", "")
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1  # a form without its version is treated as stale
    try:
        clue_verify(
            actor=request.user,
            clue=clue,
            outcomes=chosen,
            note=note,
            expected_version=version,
            request=request,
            outcome=request.POST.get("outcome") or None,  # a clue without warnings
        )
    except CaseworkError as exc:
        message = STALE_MESSAGE if exc.code == "stale" else exc.message
        status = 409 if exc.is_conflict else 403 if exc.code == "forbidden" else 400
        if exc.code == "stale":  # show what is stored now; the user fills the form again
            chosen, note = {}, ""
        context = _clue_context(request, clue, chosen, note)
        context.update(error=message, error_code=exc.code)
        return render(request, "web/clue_detail.html", context, status=status)
    messages.success(request, _("核实结果已保存"))
    return redirect("web:clue", clue_id=clue.public_id)


@require_POST
@capability_page(CLUE_VERIFY)
def clue_record_view(request: HttpRequest, household_id: UUID) -> HttpResponse:
    """A hotline call or a sweep finding for the household; then the clue's page."""
    try:
        household = registry_selectors.household_get(user=request.user, public_id=household_id)
    except Household.DoesNotExist:
        raise Http404("未找到该农户") from None
    received = request.POST.get("received_on") or ""
    try:
        received_on = date.fromisoformat(received) if received else None
    except ValueError:
        messages.error(request, _("接收日期格式不对"))
        return redirect("web:household", household_id=household.public_id)
    try:
        clue = clue_record(
            actor=request.user,
            household=household,
            channel=request.POST.get("channel", ""),
            note=request.POST.get("note", ""),
            received_on=received_on,
            request=request,
        )
    except CaseworkError as exc:
        messages.error(request, exc.message)
        return redirect("web:household", household_id=household.public_id)
    messages.success(request, _("线索已登记"))
    return redirect("web:clue", clue_id=clue.public_id)


@require_POST
@capability_page(CLUE_VERIFY)
def declaration_accept_view(request: HttpRequest, declaration_id: UUID) -> HttpResponse:
    """Accept a self-declaration into a clue of its matched household (or the household whose
    number the cadre typed); then the clue's page. A refusal goes back to the declaration."""
    try:
        declaration = intake_selectors.declaration_get(request.user, declaration_id)
    except Declaration.DoesNotExist:
        raise Http404("未找到该申报") from None
    back = redirect("intake:declaration", declaration_id=declaration.public_id)
    number = (request.POST.get("household_number") or "").strip()
    try:
        household = (
            registry_selectors.household_list(user=request.user).get(household_number=number)
            if number
            else declaration.household
        )
    except Household.DoesNotExist:
        household = None
    if household is None:
        messages.error(request, _("未找到该户：请填写辖区内的户编号"))
        return back
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        clue = clue_from_declaration(
            actor=request.user,
            declaration=declaration,
            household=household,
            expected_version=version,
            request=request,
        )
    except CaseworkError as exc:
        messages.error(request, exc.message)
        return back
    messages.success(request, _("已转为线索"))
    return redirect("web:clue", clue_id=clue.public_id)


__all__ = [
    "clue_detail",
    "clue_list_view",
    "clue_record_view",
    "clue_verify_view",
    "declaration_accept_view",
]
