"""The rectification ledger's pages (整改台账, docs/ledger.md): the list with its filters, the
清零 view, recording a problem, and one problem with its history and the next decision.

Reading needs ``registry.view`` in scope (pages never cached); recording needs
``findings.write`` or ``registry.edit``; the decisions are checked by the services
(:mod:`fangpin.supervision.services`), which also refuse the fixer's own closure.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fangpin import ledger
from fangpin.casework.ledger_push import ledger_push_quality, problem_replicate
from fangpin.core.access import FINDINGS_WRITE, REGISTRY_EDIT, user_can
from fangpin.core.selectors import region_children, region_names
from fangpin.registry import selectors as registry_selectors
from fangpin.screening import RULES
from fangpin.supervision import selectors
from fangpin.supervision.errors import SupervisionError
from fangpin.supervision.models import (
    DIMENSION_CHOICES,
    ESCALATION_CHOICES,
    SOURCE_CHOICES,
    STATUS_CHOICES,
    Problem,
)
from fangpin.supervision.services import ACTIONS, problem_create, problem_decide
from fangpin.web.views._common import (
    MAX_PAGE,
    list_page,
    offset_page,
    pi_page,
    region_filter_choices,
    villages_in_scope,
)

_ALL = ("", _("（全部）"))
_SPLIT = re.compile(r"[\s,，、;；]+")


class ProblemFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[_ALL, *STATUS_CHOICES])
    dimension = forms.ChoiceField(
        label=_("问题类别"), required=False, choices=[_ALL, *DIMENSION_CHOICES]
    )
    source = forms.ChoiceField(label=_("问题来源"), required=False, choices=[_ALL, *SOURCE_CHOICES])
    overdue = forms.ChoiceField(
        label=_("是否逾期"),
        required=False,
        choices=[_ALL, ("yes", _("已逾期")), ("no", _("未逾期"))],
    )
    escalation = forms.ChoiceField(
        label=_("督办级别"), required=False, choices=[_ALL, *ESCALATION_CHOICES]
    )
    region = forms.ChoiceField(label=_("村"), required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        """``regions``: :func:`~fangpin.web.views._common.region_filter_choices` (villages,
        and townships as 9-digit prefixes for a wider scope)."""
        super().__init__(*args, **kwargs)
        region: Any = self.fields["region"]
        region.choices = [_ALL, *regions]


class ProblemForm(forms.Form):
    source = forms.ChoiceField(label=_("问题来源"), choices=SOURCE_CHOICES)
    source_batch = forms.CharField(label=_("批次"), max_length=100, required=False)
    found_on = forms.DateField(label=_("发现日期"), widget=forms.DateInput(attrs={"type": "date"}))
    region = forms.ChoiceField(label=_("所在区划"))
    dimension = forms.ChoiceField(label=_("问题类别"), choices=DIMENSION_CHOICES)
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 3}))
    household_numbers = forms.CharField(
        label=_("涉及农户（户编号，可填多个）"), max_length=2000, required=False
    )
    person_ids = forms.CharField(
        label=_("涉及人员（身份证号码，可填多个，须是所列农户的成员）"),
        max_length=2000,
        required=False,
    )
    evidence = forms.CharField(
        label=_("发现佐证（每行一项）"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    lead_unit = forms.CharField(label=_("牵头单位"), max_length=100)
    responsible_units = forms.CharField(
        label=_("责任单位（每行一个）"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    responsible_person = forms.CharField(label=_("责任人"), max_length=50, required=False)
    measures = forms.CharField(
        label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    deadline = forms.DateField(label=_("整改期限"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region: Any = self.fields["region"]
        region.choices = regions


class DecisionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    version = forms.IntegerField(min_value=1)
    on = forms.DateField()
    note = forms.CharField(max_length=2000, required=False)
    evidence = forms.CharField(max_length=2000, required=False)


def _villages(user: Any) -> list[tuple[str, str]]:
    return [(r.code, r.name) for r in villages_in_scope(user)]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _list_context(request: HttpRequest) -> dict[str, Any]:
    user: Any = request.user
    today = timezone.localdate()
    form = ProblemFilterForm(request.GET or None, regions=region_filter_choices(user))
    data = form.cleaned_data if form.is_valid() else {}
    rows = selectors.problem_list(
        user=user,
        today=today,
        status=data.get("status") or None,
        dimension=data.get("dimension") or None,
        source=data.get("source") or None,
        overdue={"yes": True, "no": False}.get(data.get("overdue") or ""),
        region_prefix=data.get("region") or None,
        escalation=data.get("escalation") or None,
    )
    pager = offset_page(request, rows, data.get("page"))
    problems = pager.pop("rows")
    for p in problems:
        p.days_late = ledger.days_late(ledger.Status(p.status), p.deadline, today)
    return {
        "form": form,
        "problems": problems,
        "can_record": _can_record(user),
        "can_plan": user_can(user, FINDINGS_WRITE),
        **pager,
    }


def _can_record(user: Any) -> bool:
    return user_can(user, FINDINGS_WRITE) or user_can(user, REGISTRY_EDIT)


@require_GET
@pi_page
def problem_list_view(request: HttpRequest) -> HttpResponse:
    """整改台账: the problems in scope, earliest deadline first; htmx filters."""
    return list_page(
        request,
        _list_context(request),
        "web/problem_list.html",
        "web/_problem_results.html",
    )


@require_GET
@pi_page
def problem_zeroing_view(request: HttpRequest) -> HttpResponse:
    """清零情况: the regions one level below the user's home region × dimension."""
    user: Any = request.user
    today = timezone.localdate()
    home = getattr(user, "home_region_id", None) or ""
    level = min(5, max(3, _level_of(home) + 1)) if home else 3
    by_dimension = selectors.problem_tally(user=user, today=today, level=level, by_source=False)
    by_source = selectors.problem_tally(user=user, today=today, level=level, by_dimension=False)
    codes = {key[0] for key in by_dimension}  # type: ignore[index]
    if home:
        codes |= {r.code for r in region_children(code=home)}
    names = region_names(codes)
    dims = [(code, zh) for code, zh in DIMENSION_CHOICES]
    sources = [(code, zh) for code, zh in SOURCE_CHOICES]
    table = []
    for code in sorted(codes):
        row = [by_dimension.get((code, d)) for d, _zh in dims]
        open_count = sum(t.open for t in row if t)
        table.append(
            {
                "code": code,
                "name": names.get(code, code),
                "cells": row,
                "by_source": [by_source.get((code, s)) for s, _zh in sources],
                "open": open_count,
                "overdue": sum(t.overdue for t in row if t),
                "closed_this_month": sum(t.closed_this_month for t in row if t),
                "zeroed": open_count == 0,
            }
        )
    return render(
        request,
        "web/problem_zeroing.html",
        {"table": table, "dimensions": dims, "sources": sources, "today": today},
    )


def _level_of(code: str) -> int:
    from fangpin.regioncode import parse_code

    return parse_code(code).level


def _record_regions(user: Any) -> list[tuple[str, str]]:
    home = getattr(user, "home_region", None)
    regions = [(home.code, home.name)] if home is not None and home.level < 5 else []
    return [*regions, *_villages(user)]


@require_http_methods(["GET", "POST"])
@pi_page
def problem_create_view(request: HttpRequest) -> HttpResponse:
    """登记问题: a finding of an inspection, visit, evaluation, complaint or self-check."""
    user: Any = request.user
    if not _can_record(user):
        raise PermissionDenied
    regions = _record_regions(user)
    # A visit list's 登记问题 link fills in the visit and the household (docs/ledger.md).
    initial: dict[str, Any] = {"found_on": timezone.localdate()}
    prefill = {
        "source": request.GET.get("source", ""),
        "source_batch": request.GET.get("batch", ""),
        "region": request.GET.get("region", ""),
        "household_numbers": request.GET.get("household", ""),
    }
    initial.update({k: v[:100] for k, v in prefill.items() if v})
    form = ProblemForm(request.POST or None, regions=regions, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        numbers = [n for n in _SPLIT.split(data["household_numbers"] or "") if n]
        households = list(
            registry_selectors.household_list(user=user)
            .filter(household_number__in=numbers)
            .values_list("pk", "household_number")
        )
        missing = sorted(set(numbers) - {n for _pk, n in households})
        people, unknown = _members([pk for pk, _n in households], data["person_ids"] or "")
        if unknown:
            form.add_error(
                "person_ids",
                _("以下身份证号码不是所列农户的成员：%(ids)s") % {"ids": "、".join(unknown)},
            )
        elif missing:
            form.add_error(
                "household_numbers",
                _("找不到户编号：%(numbers)s（或不在您的辖区内）")
                % {"numbers": "、".join(missing)},
            )
        else:
            try:
                problem = problem_create(
                    actor=user,
                    source=data["source"],
                    source_batch=data["source_batch"],
                    found_on=data["found_on"],
                    region_code=data["region"],
                    dimension=data["dimension"],
                    description=data["description"],
                    lead_unit=data["lead_unit"],
                    deadline=data["deadline"],
                    responsible_units=_lines(data["responsible_units"]),
                    responsible_person=data["responsible_person"],
                    measures=data["measures"],
                    evidence=_lines(data["evidence"]),
                    household_ids=[pk for pk, _n in households],
                    person_ids=people,
                    request=request,
                )
            except SupervisionError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("问题已登记，等待整改。"))
                return redirect("web:problem", problem_id=problem.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "web/problem_form.html", {"form": form}, status=status)


def _members(household_ids: list[int], text: str) -> tuple[list[int], list[str]]:
    """The persons of ``household_ids`` named by the ID numbers in ``text`` (by blind index,
    one query), and the masked numbers that are not such a member."""
    from fangpin.idnumber import normalise
    from fangpin.registry.masking import mask_id
    from fangpin.registry.models import Person, identity_index

    numbers = [normalise(raw) for raw in _SPLIT.split(text) if raw]
    index_of = {number: identity_index("1", number) for number in numbers}
    found = dict(
        Person.objects.filter(
            id_number_index__in=set(index_of.values()), household_id__in=household_ids
        ).values_list("id_number_index", "pk")
    )
    people = [found[index_of[n]] for n in numbers if index_of[n] in found]
    unknown = [mask_id(n) for n in numbers if index_of[n] not in found]
    return people, unknown


def _problem_or_404(request: HttpRequest, problem_id: UUID) -> Problem:
    try:
        return selectors.problem_get(user=request.user, public_id=problem_id)
    except Problem.DoesNotExist:
        raise Http404 from None


def _next_actions(user: Any, problem: Problem) -> list[str]:
    """The decisions the page offers this user now (the services check again)."""
    allowed = {
        "open": ["start", "report_fixed"],
        "in_progress": ["report_fixed"],
        "returned": ["start", "report_fixed"],
        "fixed": ["close", "return"],
    }.get(problem.status, [])
    label = getattr(user, "username", "")
    return [
        a
        for a in allowed
        if any(user_can(user, c) for c in ACTIONS[a])
        and not (a in ("close", "return") and label == problem.fixed_by)
    ]


def _detail(
    request: HttpRequest, problem: Problem, *, error: str = "", code: str = "", status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    households = problem.households.order_by("household_number")
    persons = problem.persons.order_by("household_id", "id")
    context = {
        "problem": problem,
        "entries": problem.entries.order_by("seq"),
        "households": households,
        "persons": persons,
        "actions": _next_actions(request.user, problem),
        "days_late": ledger.days_late(ledger.Status(problem.status), problem.deadline, today),
        "self_fixed": getattr(request.user, "username", "") == problem.fixed_by
        and problem.status == "fixed",
        "today": today,
        "can_record": _can_record(request.user),
        "rules": sorted((code, r.name_zh) for code, r in RULES.items()),
        "replicas": problem.replicas.select_related("region").order_by("region_id"),
        "error": error,
        "error_code": code,
    }
    return render(request, "web/problem_detail.html", context, status=status)


@require_GET
@pi_page
def problem_detail_view(request: HttpRequest, problem_id: UUID) -> HttpResponse:
    return _detail(request, _problem_or_404(request, problem_id))


@require_POST
@pi_page
def problem_decide_view(request: HttpRequest, problem_id: UUID) -> HttpResponse:
    """One decision: 开始整改, 报告整改完成 (with evidence), 销号 or 退回."""
    problem = _problem_or_404(request, problem_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _detail(request, problem, error=str(_("请完整填写办理内容")), status=400)
    data = form.cleaned_data
    on: date = data["on"]
    try:
        problem_decide(
            actor=request.user,
            public_id=problem.public_id,
            action=data["action"],
            on=on,
            expected_version=data["version"],
            note=data["note"] or "",
            evidence=_lines(data["evidence"] or ""),
            request=request,
        )
    except SupervisionError as exc:
        status = 409 if exc.conflict else 403 if exc.code == "forbidden" else 400
        problem.refresh_from_db()
        return _detail(request, problem, error=exc.message, code=exc.code, status=status)
    messages.success(request, _("已办理。"))
    return redirect("web:problem", problem_id=problem.public_id)


class PushForm(forms.Form):
    month = forms.DateField(input_formats=["%Y-%m"])


class ReplicateForm(forms.Form):
    rule = forms.ChoiceField(required=False, choices=[("", "")])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rule: Any = self.fields["rule"]
        rule.choices = [("", ""), *((code, r.name_zh) for code, r in sorted(RULES.items()))]


@require_POST
@pi_page
def problem_push_view(request: HttpRequest) -> HttpResponse:
    """从月度筛查导入: the month's data-quality warnings of the scope become problems (once)."""
    if not _can_record(request.user):
        raise PermissionDenied
    form = PushForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择筛查月份"))
        return redirect("web:problems")
    try:
        result = ledger_push_quality(
            actor=request.user, month=form.cleaned_data["month"], request=request
        )
    except SupervisionError as exc:
        messages.error(request, exc.message)
        return redirect("web:problems")
    messages.success(
        request,
        _("数据质量问题 %(found)s 个：新登记 %(created)s 个，已在台账中 %(skipped)s 个。")
        % {"found": result.found, "created": result.created, "skipped": result.skipped},
    )
    return redirect("web:problems")


@require_POST
@pi_page
def problem_replicate_view(request: HttpRequest, problem_id: UUID) -> HttpResponse:
    """举一反三: the problem's rule (or the one chosen) over the rest of its county."""
    if not _can_record(request.user):
        raise PermissionDenied
    problem = _problem_or_404(request, problem_id)
    form = ReplicateForm(request.POST)
    rule = form.cleaned_data["rule"] if form.is_valid() else ""
    try:
        result = problem_replicate(
            actor=request.user, public_id=problem.public_id, rule_code=rule, request=request
        )
    except SupervisionError as exc:
        return _detail(request, problem, error=exc.message, code=exc.code, status=400)
    messages.success(
        request,
        _("举一反三：同类问题 %(found)s 个，新登记 %(created)s 个，已在台账中 %(skipped)s 个。")
        % {"found": result.found, "created": result.created, "skipped": result.skipped},
    )
    return redirect("web:problem", problem_id=problem.public_id)
