"""Cases (识别认定、风险消除): the list, one case with its steps and forms, the decisions, and
the village's public notice (公示) as a printable page and a PDF.

Lists and pages need ``registry.view`` and read through :mod:`fangpin.casework.selectors`
(the region scope is applied there: a case outside it is a 404 exactly like a missing one).
Decisions need ``case.decide`` (403 otherwise, audited) and go to
:func:`fangpin.casework.cases.case_decide` with the version the page was drawn with: a stale
version, a second approval or an approval of a returned item is 409, a step the user's level
may not take or an approval of one's own submission 403; either changes nothing.

The notice shows the household head's name, the number of members, the proposed type and risk
types, and the notice period — never an ID number, a phone number, a bank account or health
details (tests/web/test_case_pages.py proves it on the HTML and on the PDF's text).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from fangpin.casework import selectors
from fangpin.casework.cases import actor_for, as_procedure_case, case_decide, case_rules
from fangpin.casework.documents import MAX_DOCUMENTS, DocumentUpload, document_path
from fangpin.casework.elimination import elimination_check, elimination_open
from fangpin.casework.errors import CaseworkError
from fangpin.casework.models import Case, CaseDocument, CaseKind
from fangpin.core.access import CASE_DECIDE
from fangpin.core.pdf import html_to_pdf
from fangpin.core.selectors import region_names
from fangpin.procedure import STEP_ZH, Level, ProcedureRules, deadlines
from fangpin.procedure.paths import pending
from fangpin.registry import selectors as registry_selectors
from fangpin.registry.models import Household
from fangpin.web.forms_cases import (
    ACTION_LABELS,
    STEP_DETAILS,
    ActionForm,
    available_actions,
    build_action,
)
from fangpin.web.views._common import (
    MAX_PAGE,
    capability_page,
    list_page,
    offset_page,
    pi_page,
    region_filter_choices,
    villages_in_scope,
)

STALE_MESSAGE = _("该案件已被他人办理，请刷新后重试")
#: Refusals of who acts, not of what is asked (scenario 4): 403. ``forbidden``: no right or
#: outside the scope; ``level``: a step of another level (a county user taking the village's
#: home verification); ``own_submission``: approving what one submitted or reviewed. The
#: conflicts (stale, already decided, returned) are 409; a request the step cannot take is 400.
REFUSED_ACTOR = frozenset({"forbidden", "level", "own_submission"})
LEVEL_ZH = {5: "村级", 4: "乡镇级", 3: "县级"}


def step_label(step: str) -> str:
    return next((zh for s, zh in STEP_ZH.items() if s.value == step), step)


class CaseFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类别"), required=False, choices=[("", _("（全部）")), *CaseKind.choices]
    )
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("（全部）")), ("open", _("办理中")), ("closed", _("已办结"))],
    )
    overdue = forms.ChoiceField(
        label=_("是否逾期"),
        required=False,
        choices=[("", _("（全部）")), ("yes", _("已逾期")), ("no", _("未逾期"))],
    )
    mine = forms.BooleanField(label=_("只看待我办理"), required=False)
    village = forms.ChoiceField(label=_("村"), required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        """``regions``: :func:`~fangpin.web.views._common.region_filter_choices` (villages,
        and townships as 9-digit prefixes for a wider scope)."""
        super().__init__(*args, **kwargs)
        village: Any = self.fields["village"]
        village.choices = [("", _("（全部）")), *regions]


def _level(user: Any) -> Level | None:
    try:
        return actor_for(user).level
    except CaseworkError:
        return None


def _list_context(request: HttpRequest) -> dict[str, Any]:
    user: Any = request.user
    regions = region_filter_choices(user)
    form = CaseFilterForm(request.GET or None, regions=regions)
    data = form.cleaned_data if form.is_valid() else {}
    level = _level(user)
    cases = selectors.case_list(
        user,
        kind=data.get("kind") or None,
        is_open={"open": True, "closed": False}.get(data.get("state") or ""),
        overdue={"yes": True, "no": False}.get(data.get("overdue") or ""),
        pending_level=int(level) if data.get("mine") and level is not None else None,
        village_code=data.get("village") or None,
    )
    pager = offset_page(request, cases, data.get("page"))
    names = dict(regions)  # a case's 12-digit village code never meets a township's 9 digits
    for case in pager["rows"]:
        case.village_name = names.get(case.village_code, "")
        case.step_zh = step_label(case.step)
        case.pending_zh = LEVEL_ZH.get(case.pending_level or 0, "—")
    return {"form": form, "cases": pager.pop("rows"), **pager}


@require_GET
@pi_page
def case_list_view(request: HttpRequest) -> HttpResponse:
    """Cases in scope: open ones by deadline first; "mine" keeps those waiting for my level."""
    return list_page(
        request, _list_context(request), "web/case_list.html", "web/_case_results.html"
    )


def _case_or_404(request: HttpRequest, case_id: UUID) -> Case:
    try:
        return selectors.case_get(request.user, case_id)
    except Case.DoesNotExist:
        raise Http404("未找到该案件") from None


def _case_context(
    request: HttpRequest, case: Case, form: ActionForm | None = None
) -> dict[str, Any]:
    user: Any = request.user
    rules = case_rules(case)
    procedure_case = as_procedure_case(case)
    next_step = pending(procedure_case)
    level = _level(user)
    available = available_actions(case, procedure_case, level, next_step)
    today = timezone.localdate()
    transitions = [
        {
            "t": t,
            "step_zh": step_label(t.to_step),
            "action_zh": ACTION_LABELS.get(t.action, "受理" if t.action == "open" else t.action),
            "level_zh": LEVEL_ZH.get(t.actor_level, ""),
            "details": [
                (_detail_label(k), _detail_value(k, v, rules)) for k, v in t.details.items()
            ],
            "summary": _summary(t, case, rules),
        }
        for t in selectors.case_transitions(case)
    ]
    names = region_names({case.village_code})
    proposed = _proposed(selectors.appraisal_details(case))
    return {
        "case": case,
        "village_name": names.get(case.village_code, case.village_code),
        "step_zh": step_label(case.step),
        "pending_zh": LEVEL_ZH.get(case.pending_level or 0, "—"),
        "returned_zh": LEVEL_ZH.get(case.returned_to or 0, ""),
        "deadlines": deadlines(procedure_case, rules, today),
        "transitions": transitions,
        "objections": list(case.objections.order_by("number")),
        "clues": list(selectors.case_clues(case)),
        "documents": list(selectors.case_documents(case)),
        "available": available,
        "next_step_zh": step_label(str(available.next_step)) if available.next_step else "",
        "next_details": STEP_DETAILS.get(str(available.next_step), ()),
        "is_appraisal": str(available.next_step) in ("appraised", "elimination_appraised"),
        "object_types": rules.object_types,
        "risk_types": rules.risk_types,
        "fast_track_risks": [(c, n) for c, n in rules.risk_types if c in rules.fast_track_risks],
        "risk_names": [dict(rules.risk_types).get(r, r) for r in case.risk_types],
        "object_type_zh": dict(rules.object_types).get(case.object_type, ""),
        "proposed": proposed,
        "guards": _guards(case, level, today),
        "form": form,
        "today": today,
        "default_month": today.strftime("%Y-%m"),
    }


def _guards(case: Case, level: Level | None, today: date) -> list[Any]:
    """The elimination guards as of today, for an open elimination case (shown to all; the
    county's approval checks them again on its own date)."""
    if case.kind != CaseKind.ELIMINATION or not case.is_open:
        return []
    try:
        return elimination_check(case.household, today)
    except CaseworkError:
        return []


_DETAIL_LABELS = {name: label for ds in STEP_DETAILS.values() for name, label in ds} | {
    "hotline": "监督电话",
    "proposed_type": "拟认定类别",
    "proposed_risks": "拟认定风险类型",
}


def _detail_label(key: str) -> str:
    return _DETAIL_LABELS.get(key, key)


def _detail_value(key: str, value: Any, rules: ProcedureRules) -> Any:
    """Codes recorded with a step, shown by their Chinese names."""
    if key == "proposed_type":
        return dict(rules.object_types).get(str(value), value)
    if key == "proposed_risks":
        names = dict(rules.risk_types)
        return "、".join(names.get(code, code) for code in str(value).split(",") if code)
    return value


def _summary(transition: Any, case: Case, rules: ProcedureRules) -> str:
    """The transition's summary; the record of a monitoring object by its Chinese names."""
    if transition.action == "record_object" and transition.to_step == "recorded":
        risks = dict(rules.risk_types)
        return "；".join(
            [
                dict(rules.object_types).get(case.object_type, case.object_type),
                "、".join(risks.get(code, code) for code in case.risk_types),
            ]
        )
    return str(transition.summary)


def _proposed(details: dict[str, Any] | None) -> dict[str, Any]:
    """The type and risks a village appraisal proposed (shown on the notice and pre-filled in
    the county's record form), from that appraisal's details."""
    details = details or {}
    risks = [r for r in str(details.get("proposed_risks", "")).split(",") if r]
    return {"type": str(details.get("proposed_type", "")), "risks": risks}


@require_GET
@pi_page
def case_detail(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """One case: its household, time limits, every step taken, objections, and the forms of
    what the viewer's level may do now."""
    case = _case_or_404(request, case_id)
    return render(request, "web/case_detail.html", _case_context(request, case))


@require_POST
@capability_page(CASE_DECIDE)
def case_act(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """Take one decision; a refusal re-shows the case with the message, nothing saved."""
    case = _case_or_404(request, case_id)
    rules: ProcedureRules = case_rules(case)
    form = ActionForm(request.POST, rules=rules)
    error, code, status = "", "", 400
    if form.is_valid() and form.cleaned_data["version"] != case.version:
        # Drawn from an older version: what the form asks for may no longer apply.
        error, code, status = str(STALE_MESSAGE), "stale", 409
    elif form.is_valid():
        next_step = pending(as_procedure_case(case))
        try:
            action, on, details = build_action(
                form, next_step.step if next_step is not None else None
            )
            case_decide(
                actor=request.user,
                case=case,
                action=action,
                expected_version=form.cleaned_data["version"],
                on=on,
                details=details,
                documents=[
                    DocumentUpload(upload.name or "", upload.read())
                    for upload in request.FILES.getlist("documents")[: MAX_DOCUMENTS + 1]
                ],
                request=request,
            )
        except forms.ValidationError as exc:
            error = " ".join(exc.messages)
        except CaseworkError as exc:
            error, code = (str(STALE_MESSAGE) if exc.code == "stale" else exc.message), exc.code
            status = 409 if exc.is_conflict else 403 if exc.code in REFUSED_ACTOR else 400
        else:
            messages.success(
                request,
                _("已保存：%(action)s") % {"action": ACTION_LABELS[form.cleaned_data["action"]]},
            )
            return redirect("web:case", case_id=case.public_id)
    else:
        error = "；".join(
            f"{form.fields[f].label or f}：{' '.join(str(m) for m in e)}"
            for f, e in form.errors.items()
        )
    case = _case_or_404(request, case_id)
    context = _case_context(request, case, form if code != "stale" else None)
    context.update(error=error, error_code=code)
    return render(request, "web/case_detail.html", context, status=status)


# --- The public notice (公示) --------------------------------------------------------------------


def _notice_date(request: HttpRequest) -> date:
    text = request.GET.get("on", "")
    if not text:
        return timezone.localdate()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Http404("日期格式不对") from None


def _notice_context(request: HttpRequest, village_code: str) -> dict[str, Any]:
    on = _notice_date(request)
    if not villages_in_scope(request.user).filter(code=village_code).exists():
        raise Http404("未找到该村")  # also outside the viewer's scope, exactly like a missing one
    names = region_names({village_code, village_code[:9] + "000", village_code[:6] + "000000"})
    rows = []
    for case in selectors.notice_cases(request.user, village_code, on):
        rules = case_rules(case)
        proposed = _proposed(case.appraisal)  # type: ignore[attr-defined]
        hotline = case.notice_details or {}  # type: ignore[attr-defined]
        risk_codes = case.risk_types or proposed["risks"]
        rows.append(
            {
                "case": case,
                "head_name": case.head_name,  # type: ignore[attr-defined]
                "member_count": case.member_count,  # type: ignore[attr-defined]
                "object_type": dict(rules.object_types).get(
                    case.object_type or proposed["type"], "—"
                ),
                "risks": "、".join(dict(rules.risk_types).get(r, r) for r in risk_codes) or "—",
                "hotline": hotline.get("hotline", ""),
            }
        )
    identification = [r for r in rows if r["case"].kind == CaseKind.IDENTIFICATION]
    elimination = [r for r in rows if r["case"].kind == CaseKind.ELIMINATION]
    hotlines = sorted({r["hotline"] for r in rows if r["hotline"]})
    return {
        "village_code": village_code,
        "village_name": names[village_code],
        "township_name": names.get(village_code[:9] + "000", ""),
        "county_name": names.get(village_code[:6] + "000000", ""),
        "on": on,
        "identification": identification,
        "elimination": elimination,
        "hotlines": hotlines,
    }


@require_GET
@pi_page
def notice_page(request: HttpRequest, village_code: str) -> HttpResponse:
    """The village's notice as a page to print: the cases whose notice runs on ``?on=``."""
    context = _notice_context(request, village_code)
    return render(request, "web/case_notice.html", context)


@require_GET
@pi_page
def notice_pdf(request: HttpRequest, village_code: str) -> HttpResponse:
    """The same notice as a PDF (A4, Noto CJK)."""
    context = _notice_context(request, village_code)
    html = render_to_string("web/case_notice_print.html", context, request=request)
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    filename = f"notice-{village_code}-{context['on']:%Y%m%d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_POST
@capability_page(CASE_DECIDE)
def elimination_propose(request: HttpRequest, household_id: UUID) -> HttpResponse:
    """提出风险消除 for a monitored household; then the new case's page."""
    try:
        household = registry_selectors.household_get(user=request.user, public_id=household_id)
    except Household.DoesNotExist:
        raise Http404("未找到该农户") from None
    try:
        text = request.POST.get("on") or ""
        on = date.fromisoformat(text) if text else None
    except ValueError:
        messages.error(request, _("提出日期格式不对"))
        return redirect("web:household", household_id=household.public_id)
    try:
        case = elimination_open(
            actor=request.user,
            household=household,
            on=on,
            summary=request.POST.get("summary", ""),
            request=request,
        )
    except CaseworkError as exc:
        messages.error(request, exc.message)
        return redirect("web:household", household_id=household.public_id)
    messages.success(request, _("已提出风险消除"))
    return redirect("web:case", case_id=case.public_id)


@require_GET
@pi_page
def case_document(request: HttpRequest, document_id: UUID) -> HttpResponse:
    """One uploaded file of a case in the viewer's scope (404 otherwise), never cached."""
    try:
        document = selectors.case_document_get(request.user, document_id)
    except CaseDocument.DoesNotExist:
        raise Http404("未找到该文件") from None
    path = document_path(document)
    if not path.is_file():
        raise Http404("未找到该文件")
    response = HttpResponse(path.read_bytes(), content_type=document.content_type)  # ≤ 10 MB
    response["Content-Disposition"] = f'inline; filename="{document.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


__all__ = [
    "case_act",
    "case_detail",
    "case_document",
    "case_list_view",
    "elimination_propose",
    "notice_page",
    "notice_pdf",
]
