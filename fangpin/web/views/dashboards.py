"""Dashboards (看板) and monthly reports (工作月报), docs/dashboards.md.

Three pages per region — 总览 (monitoring objects), 工作进展 (clues, cases, measures, visits,
the ledger) and 成效评估 (measures, MPI, exit qualification, integrity) — read the
pre-aggregated tallies through :mod:`fangpin.dashboards.selectors`; every chart drills down to
the region below or to the list behind a number. Read with ``registry.view`` inside the
viewer's scope (a region outside it is a 404); refreshing the tallies needs ``screening.run``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fangpin import codes
from fangpin.core.access import REGISTRY_VIEW, SCREENING_RUN, user_can
from fangpin.core.models import Region
from fangpin.core.scope import scope_covers, scope_prefix
from fangpin.dashboards import selectors
from fangpin.dashboards.errors import DashboardError
from fangpin.dashboards.models import MonthlyReport, ReportStatus
from fangpin.dashboards.refresh import tallies_refresh
from fangpin.dashboards.reports import report_request, schedule_set
from fangpin.evaluation import selectors as evaluation_selectors
from fangpin.web import dashboard_charts
from fangpin.web.views._common import pi_page

MONTH_FORMAT = "%Y-%m"


def _figures(request: HttpRequest) -> selectors.Figures:
    if not user_can(request.user, REGISTRY_VIEW):
        raise PermissionDenied
    try:
        region = selectors.dashboard_region(
            user=request.user, code=str(request.GET.get("region", ""))
        )
    except Region.DoesNotExist:
        raise Http404("区划不存在或不在管辖范围内") from None
    return selectors.dashboard_figures(user=request.user, region=region)


def _tile(
    key: str, label: str, value: Any, unit: str = "", link: str = "", **extra: Any
) -> dict[str, Any]:
    return {"key": key, "label": label, "value": value, "unit": unit, "link": link, **extra}


def _context(request: HttpRequest, fig: selectors.Figures, tab: str) -> dict[str, Any]:
    user: Any = request.user
    prefix = scope_prefix(user) or ""
    county_code = fig.region.code[:6] + "000000" if fig.region.level >= 3 else ""
    can_refresh = bool(county_code) and scope_covers(user, county_code, capability=SCREENING_RUN)
    return {
        "fig": fig,
        "region": fig.region,
        "tab": tab,
        "tab_url": f"web:dashboard_{tab}" if tab != "overview" else "web:dashboard",
        # Crumbs: the regions above the viewer's home region are shown, not linked.
        "path": [(r, r.code.startswith(prefix)) for r in fig.path],
        "county_code": county_code,
        "can_refresh": can_refresh,
        "freshness": fig.freshness,
    }


def _child_rows(fig: selectors.Figures) -> list[dict[str, Any]]:
    rows = []
    for child in fig.children:
        prefix = fig.child_prefix[child.code]
        rows.append({"region": child, "prefix": prefix, **selectors.headline(fig, prefix)})
    return rows


@pi_page
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """总览: monitoring objects by type, region, risk and month."""
    fig = _figures(request)
    h = selectors.headline(fig)
    p = fig.prefix
    hh = dashboard_charts.households_url
    type_label = codes.table("monitoring_type").label
    tiles = [
        _tile("hh", gettext("在册农户"), h["hh"], gettext("户"), hh(p)),
        _tile("persons", gettext("在册人口"), h["persons"], gettext("人")),
        _tile(
            "mon",
            gettext("监测对象（未消除风险）"),
            h["mon"],
            gettext("户"),
            hh(p, monitoring_status="open"),
        ),
        *(
            _tile(
                f"mon_{k}",
                type_label(k),
                h[f"mon_{k}"],
                gettext("户"),
                hh(p, monitoring_status="open", monitoring_type=k),
            )
            for k in selectors.MONITORING_TYPES
        ),
        _tile(
            "elim",
            gettext("已消除风险"),
            h["elim"],
            gettext("户"),
            hh(p, monitoring_status="eliminated"),
        ),
        _tile(
            "ident_month",
            gettext("本月新识别"),
            h["ident_month"],
            gettext("户"),
            hh(p, identified=fig.as_of.strftime(MONTH_FORMAT)),
        ),
        _tile(
            "elim_month",
            gettext("本月风险消除"),
            h["elim_month"],
            gettext("户"),
            hh(p, eliminated=fig.as_of.strftime(MONTH_FORMAT)),
        ),
    ]
    context = _context(request, fig, "overview")
    context.update(
        tiles=tiles,
        charts=dashboard_charts.with_empty_note(
            dashboard_charts.overview_charts(fig, "web:dashboard")
        ),
        rows=_child_rows(fig),
        total=h,
    )
    return render(request, "web/dashboard_overview.html", context)


@pi_page
@require_GET
def work(request: HttpRequest) -> HttpResponse:
    """工作进展: clues and cases with what is overdue, measures, visits, the ledger."""
    fig = _figures(request)
    h = selectors.headline(fig)
    place = fig.prefix if len(fig.prefix) > 6 else ""
    url = dashboard_charts.url
    coverage = h["coverage"]
    tiles = [
        _tile(
            "clue_pending",
            gettext("待核实线索"),
            h["clue_pending"],
            gettext("条"),
            url("web:clues", status="pending", village=place),
        ),
        _tile(
            "clue_late",
            gettext("逾期未核实线索"),
            h["clue_late"],
            gettext("条"),
            url("web:clues", status="pending", overdue="yes", village=place),
            alert=bool(h["clue_late"]),
        ),
        _tile(
            "case_open",
            gettext("办理中的认定与消除案件"),
            h["case_open"],
            gettext("件"),
            url("web:cases", state="open", village=place),
        ),
        _tile(
            "case_late",
            gettext("逾期案件"),
            h["case_late"],
            gettext("件"),
            url("web:cases", overdue="yes", village=place),
            alert=bool(h["case_late"]),
        ),
        _tile(
            "planned",
            gettext("有帮扶措施的监测户"),
            h["planned"],
            gettext("户"),
            dashboard_charts.households_url(fig.prefix, monitoring_status="open"),
        ),
        _tile(
            "coverage",
            gettext("走访覆盖率"),
            coverage,
            "",
            url("assistance:coverage"),
            percent=True,
        ),
        _tile(
            "problems_to_fix",
            gettext("未销号问题"),
            h["problems_to_fix"],
            gettext("个"),
            url("web:problems", region=place),
            alert=bool(h["problems_to_fix"]),
        ),
        _tile(
            "prob_late",
            gettext("逾期未整改问题"),
            h["prob_late"],
            gettext("个"),
            url("web:problems", overdue="yes", region=place),
            alert=bool(h["prob_late"]),
        ),
    ]
    context = _context(request, fig, "work")
    context.update(
        tiles=tiles,
        charts=dashboard_charts.with_empty_note(
            dashboard_charts.work_charts(fig, "web:dashboard_work", year=fig.as_of.year)
        ),
        rows=_child_rows(fig),
        total=h,
        zeroed=not h["problems_to_fix"],
    )
    return render(request, "web/dashboard_work.html", context)


@pi_page
@require_GET
def results(request: HttpRequest) -> HttpResponse:
    """成效评估: the county's latest measures, MPI, exit qualification and integrity flags."""
    fig = _figures(request)
    user: Any = request.user
    context = _context(request, fig, "results")
    if fig.region.level < 3:
        context.update(charts={}, needs_county=True)
        return render(request, "web/dashboard_results.html", context)
    county = fig.region.code[:6] + "000000"
    try:
        year = int(str(request.GET.get("year", "")))
    except ValueError:
        year = selectors.latest_measure_year(county) or fig.as_of.year - 1
    if not 2020 <= year <= 2100:
        year = fig.as_of.year - 1
    measure = evaluation_selectors.measure_result_latest(user=user, county_code=county, year=year)
    run = evaluation_selectors.integrity_run_latest(user=user, county_code=county, year=year)
    counts = [] if run is None else selectors.integrity_counts(run=run, prefix=fig.prefix)
    result = measure.result if measure is not None else None
    link = dashboard_charts.url("web:integrity", county=county, year=str(year))
    context.update(
        year=year,
        measure=measure,
        result=result,
        run=run,
        integrity_counts=counts,
        integrity_total=sum(n for _, _, n in counts),
        whole_county=fig.region.level == 3,
        exit_rows=dashboard_charts.exit_rows(result, fig.prefix) if result else [],
        charts=dashboard_charts.with_empty_note(
            dashboard_charts.results_charts(
                result=result,
                prefix=fig.prefix,
                whole_county=fig.region.level == 3,
                integrity_counts=counts,
                integrity_link=link,
            )
        ),
        measures_link=dashboard_charts.url("web:measures", county=county, year=str(year)),
        integrity_link=link,
    )
    return render(request, "web/dashboard_results.html", context)


@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    """Rebuild the county's tallies now (``screening.run`` over the county)."""
    code = str(request.POST.get("county", ""))
    back = str(request.POST.get("region", "")) or code
    try:
        done = tallies_refresh(actor=request.user, county_code=code, request=request)
    except DashboardError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied from None
        raise Http404(exc.message) from None
    messages.success(
        request,
        gettext("看板数据已更新：%(rows)s 行，用时 %(s)s 秒")
        % {"rows": done.rows, "s": done.seconds},
    )
    tab = str(request.POST.get("tab", ""))
    name = {"work": "web:dashboard_work", "results": "web:dashboard_results"}.get(
        tab, "web:dashboard"
    )
    return redirect(dashboard_charts.url(name, region=back if back.isdigit() else ""))


class ReportForm(forms.Form):
    region = forms.ChoiceField(label=_("区划"))
    month = forms.DateField(
        label=_("报告月份"),
        input_formats=[MONTH_FORMAT],
        widget=forms.DateInput(format=MONTH_FORMAT, attrs={"type": "month"}),
    )
    unit = forms.CharField(label=_("编制单位"), max_length=100, required=False)


class ScheduleForm(forms.Form):
    region = forms.ChoiceField(label=_("区划"))
    day = forms.IntegerField(label=_("每月生成日"), min_value=1, max_value=28, initial=3)
    unit = forms.CharField(label=_("编制单位"), max_length=100, required=False)
    enabled = forms.BooleanField(label=_("启用"), required=False, initial=True)


def _report_regions(user: Any) -> list[tuple[str, str]]:
    """The region choices of the report forms: counties, and their townships indented."""
    return [
        (r.code, ("" if r.level == 3 else "　") + r.name)
        for r in selectors.report_regions(user=user)
    ]


@pi_page
@require_http_methods(["GET", "POST"])
def reports(request: HttpRequest) -> HttpResponse:
    """工作月报: the reports in scope, a form to make one now, the schedule of a region."""
    user: Any = request.user
    choices = _report_regions(user)
    if not choices:
        raise PermissionDenied
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    form = ReportForm(initial={"region": choices[0][0], "month": last_month})
    schedule_form = ScheduleForm(initial={"region": choices[0][0]})
    for f in (form, schedule_form):
        field: Any = f.fields["region"]
        field.choices = choices
    status = 200
    if request.method == "POST":
        which = request.POST.get("action", "")
        bound: forms.Form = (
            ReportForm(request.POST) if which == "report" else ScheduleForm(request.POST)
        )
        field = bound.fields["region"]
        field.choices = choices
        if which == "report":
            form = bound  # type: ignore[assignment]
        else:
            schedule_form = bound  # type: ignore[assignment]
        if bound.is_valid():
            data = bound.cleaned_data
            try:
                if which == "report":
                    report_request(
                        actor=user,
                        region_code=data["region"],
                        month=data["month"],
                        unit=data["unit"],
                        request=request,
                    )
                    messages.success(request, gettext("月报已提交生成，完成后可在下方下载"))
                else:
                    schedule_set(
                        actor=user,
                        region_code=data["region"],
                        day=data["day"],
                        unit=data["unit"],
                        enabled=data["enabled"],
                        request=request,
                    )
                    messages.success(request, gettext("定时生成已保存"))
                return redirect("web:reports")
            except DashboardError as exc:
                if exc.code == "forbidden":
                    raise PermissionDenied from None
                bound.add_error(None, exc.message)
        status = 400
    context = {
        "form": form,
        "schedule_form": schedule_form,
        "reports": selectors.report_list(user=user),
        "schedules": selectors.schedule_list(user=user),
    }
    return render(request, "web/reports.html", context, status=status)


@pi_page
@require_GET
def report_download(request: HttpRequest, report_id: Any, fmt: str) -> HttpResponse:
    """A report's PDF or Excel workbook (in scope, once made)."""
    try:
        report = selectors.report_get(user=request.user, public_id=report_id)
    except MonthlyReport.DoesNotExist:
        raise Http404("未找到该月报") from None
    if fmt not in ("pdf", "xlsx") or report.status != ReportStatus.DONE:
        raise Http404("该月报尚未生成")
    name = f"{report.region.name}{report.month:%Y年%m月}工作月报"
    if fmt == "pdf":
        response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
        filename = f"{name}.pdf"
    else:
        response = HttpResponse(
            bytes(report.xlsx),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        filename = f"{name}.xlsx"
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
