"""Monthly screening pages (月度筛查): the runs, one run's progress, the rules' precision.

Open to ``registry.view`` (pi_page: 403 otherwise, never cached); runs and warnings are read
through :mod:`fangpin.casework.selectors`, which apply the region scope (a run outside the
scope is a 404 like a missing one). Starting a run needs ``screening.run`` (county approver):
the view only shapes the month and region and calls ``screening_run_request``, which checks
the region against the scope, refuses a second active run of the same month and region and
audits. The run page polls its progress card with htmx every 2 seconds while the run is
queued or running (the card it gets back stops polling once the run is done); without
JavaScript a ``<noscript>`` refresh does the same.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from uuid import UUID

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from fangpin.casework import selectors
from fangpin.casework.errors import CaseworkError
from fangpin.casework.models import ScreeningRun
from fangpin.casework.services import screening_run_request
from fangpin.core.access import SCREENING_RUN, user_can
from fangpin.core.selectors import region_children, region_get, region_names
from fangpin.web.views._common import capability_page, pi_page

_PAGE_SIZE = 50
_MONTH = re.compile(r"^(?P<year>[0-9]{4})-(?P<month>0[1-9]|1[0-2])$")
_MONTH_HELP = _("YYYY-MM，如 2024-12")
_MONTH_ERROR = _("月份应为YYYY-MM，如2024-12")
_SEVERITY = {"high": _("高"), "medium": _("中"), "low": _("低")}


def parse_month(value: str) -> date:
    """``2024-12`` → 2024-12-01 (the form has checked the shape)."""
    match = _MONTH.match(value)
    if match is None:
        raise ValueError(value)
    return date(int(match["year"]), int(match["month"]), 1)


class MonthField(forms.RegexField):
    """A month typed as ``YYYY-MM`` (``<input type="month">``), cleaned to its first day."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", _MONTH_HELP)
        super().__init__(
            regex=_MONTH, max_length=7, error_messages={"invalid": _MONTH_ERROR}, **kwargs
        )

    def clean(self, value: Any) -> date | None:
        text = super().clean(value)
        return parse_month(text) if text else None


class RunStartForm(forms.Form):
    """Shapes the input only: whether the region lies in the scope is the service's check."""

    month = MonthField(label=_("筛查月份"))
    region = forms.RegexField(
        label=_("地区"),
        regex=r"^[0-9]{12}$",
        max_length=12,
        error_messages={"invalid": _("请选择地区")},
    )


def region_choices(user: Any) -> list[tuple[str, str]]:
    """The regions a run may be started for: the home region and the regions right under it."""
    home = getattr(user, "home_region_id", None)
    if not home or not user_can(user, SCREENING_RUN):
        return []
    region = region_get(code=str(home))
    children = region_children(code=region.code, on=timezone.localdate())
    return [(region.code, region.name)] + [(r.code, f"　{r.name}") for r in children]


def _runs_context(request: HttpRequest, form: RunStartForm | None) -> dict[str, Any]:
    user: Any = request.user
    page = Paginator(selectors.run_list(user), _PAGE_SIZE).get_page(request.GET.get("page"))
    _name_regions(page)
    can_start = user_can(user, SCREENING_RUN)
    if can_start and form is None:
        form = RunStartForm(initial={"month": f"{timezone.localdate():%Y-%m}"})
    return {
        "page": page,
        "form": form,
        "can_start": can_start,
        "regions": region_choices(user) if can_start else [],
    }


def _name_regions(runs: Any) -> None:
    """Give each run its region's name (one query for the page)."""
    names = region_names({run.region_code for run in runs})
    for run in runs:
        run.region_name = names.get(run.region_code, "")


@require_GET
@pi_page
def runs_list(request: HttpRequest) -> HttpResponse:
    """The runs the viewer may see, newest first; the start form for ``screening.run``."""
    return render(request, "web/screening_runs.html", _runs_context(request, None))


@require_POST
@capability_page(SCREENING_RUN)
def run_start(request: HttpRequest) -> HttpResponse:
    """Queue a run (``screening_run_request``) and go to its page; a refusal re-shows the list
    with the service's message: 409 for a run already active, 403 outside the scope."""
    form = RunStartForm(request.POST)
    if form.is_valid():
        try:
            run = screening_run_request(
                actor=request.user,
                month=form.cleaned_data["month"],
                region_code=form.cleaned_data["region"],
                request=request,
            )
        except CaseworkError as exc:
            form.add_error(None, exc.message)
            status = 409 if exc.is_conflict else 403 if exc.code == "forbidden" else 400
            return render(
                request, "web/screening_runs.html", _runs_context(request, form), status=status
            )
        return redirect("web:screening_run", run_id=run.public_id)
    return render(request, "web/screening_runs.html", _runs_context(request, form), status=400)


def rule_counts(user: Any, run: ScreeningRun) -> tuple[list[dict[str, Any]], bool]:
    """The selector's counts per rule, with each rule's name and family for the table."""
    from fangpin.screening.registry import FAMILY_LABELS, RULES

    counts, whole = selectors.run_rule_counts(user, run)
    rows = []
    for row in counts:
        rule = RULES.get(row.code)
        rows.append(
            {
                "code": row.code,
                "name": rule.name_zh if rule else row.code,
                "family": FAMILY_LABELS.get(rule.family, str(rule.family)) if rule else "",
                "count": row.count,
            }
        )
    return rows, whole


def _run_or_404(request: HttpRequest, run_id: UUID) -> ScreeningRun:
    try:
        return selectors.run_get(request.user, run_id)
    except ScreeningRun.DoesNotExist:
        raise Http404("未找到该筛查") from None


@require_GET
@pi_page
def run_detail(request: HttpRequest, run_id: UUID) -> HttpResponse:
    """One run: status, stage and progress, counts; htmx polls get the progress card only."""
    run = _run_or_404(request, run_id)
    _name_regions([run])
    percent = int(100 * run.progress_done / run.progress_total) if run.progress_total else 0
    rules, whole_run = rule_counts(request.user, run)
    context = {
        "run": run,
        "percent": min(percent, 100),
        "rules": rules,
        "whole_run": whole_run,
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "web/_screening_run_card.html", context)
    return render(request, "web/screening_run.html", context)


class PrecisionForm(forms.Form):
    month_from = MonthField(label=_("起始月份"), required=False)
    month_to = MonthField(label=_("截止月份"), required=False)


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


@require_GET
@pi_page
def precision_report(request: HttpRequest) -> HttpResponse:
    """Each rule's warnings and how villages verified them, worst precision first."""
    form = PrecisionForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rows = selectors.rule_precision(
        request.user, month_from=data.get("month_from"), month_to=data.get("month_to")
    )
    return render(
        request,
        "web/screening_precision.html",
        {
            "form": form,
            "rows": [
                {
                    "rule": row,
                    "precision": _percent(row.precision),
                    "real_risk": _percent(row.real_risk_share),
                }
                for row in rows
            ],
        },
    )


def severity_label(severity: str) -> str:
    return str(_SEVERITY.get(severity, severity))


__all__ = ["precision_report", "run_detail", "run_start", "runs_list"]
