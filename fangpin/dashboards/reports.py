"""The monthly report (工作月报) of a region: built from the tallies, kept as PDF and Excel.

:func:`report_data` fills :class:`~fangpin.dashboards.report_model.MonthlyReportData` from the
same figures the dashboards show (:mod:`fangpin.dashboards.selectors`) and the overdue lists of
casework and the ledger; :func:`report_request` records a report to make (and enqueues it for
the worker), :func:`report_generate` renders and stores it. A schedule per region
(:func:`schedule_set`) makes the previous month's report on a chosen day of each month;
:func:`schedule_run_due` is what the scheduler calls (docs/dashboards.md).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from fangpin import codes
from fangpin.assistance.policy import category_names
from fangpin.casework import selectors as case_selectors
from fangpin.casework.models import CaseKind, ClueChannel, ClueStatus
from fangpin.core.access import REGISTRY_VIEW, SYSTEM, is_system_actor
from fangpin.core.audit import actor_label, audit_record
from fangpin.core.models import Region
from fangpin.core.pdf import html_to_pdf
from fangpin.core.scope import scope_covers
from fangpin.dashboards.errors import DashboardError
from fangpin.dashboards.models import MonthlyReport, ReportSchedule, ReportStatus
from fangpin.dashboards.report_model import (
    ChartSeries,
    Headline,
    MonthlyReportData,
    OverdueCase,
    OverdueClue,
    OverdueProblem,
    RegionRow,
    ReportChart,
)
from fangpin.dashboards.report_render import render_html
from fangpin.dashboards.report_xlsx import render_xlsx
from fangpin.dashboards.selectors import (
    MONITORING_TYPES,
    Figures,
    dashboard_figures,
    headline,
)
from fangpin.procedure import STEP_ZH
from fangpin.supervision import selectors as problem_selectors
from fangpin.supervision.models import DIMENSION_CHOICES

__all__ = [
    "OVERDUE_LIMIT",
    "default_unit",
    "months_back",
    "report_data",
    "report_generate",
    "report_request",
    "schedule_run_due",
    "schedule_set",
]

log = logging.getLogger(__name__)

OVERDUE_LIMIT = 200
"""Rows per overdue list in a report; more are counted in a note, not listed."""
REPORT_MONTHS = 12


def default_unit(region: Region) -> str:
    """The issuing unit printed when none is given: the region's rural revitalisation office."""
    return f"{region.name}防止返贫监测帮扶工作领导小组办公室"


def months_back(month: date, count: int) -> list[date]:
    """The ``count`` months ending with ``month``'s, oldest first (first days)."""
    out = [month.replace(day=1)]
    while len(out) < count:
        out.append((out[-1] - timedelta(days=1)).replace(day=1))
    return out[::-1]


def _step_zh(step: str) -> str:
    return next((zh for s, zh in STEP_ZH.items() if s.value == step), step)


def _row(fig: Figures, code: str, name: str, child: str | None, month: date) -> RegionRow:
    h = headline(fig, child, month=month)
    coverage = h["coverage"]
    return RegionRow(
        code=code,
        name=name,
        households=int(h["hh"] or 0),
        persons=int(h["persons"] or 0),
        monitored=int(h["mon"] or 0),
        unstable=int(h["mon_UNSTABLE"] or 0),
        marginal=int(h["mon_MARGINAL"] or 0),
        sudden=int(h["mon_SUDDEN"] or 0),
        eliminated=int(h["elim"] or 0),
        identified_in_month=int(h["ident_month"] or 0),
        eliminated_in_month=int(h["elim_month"] or 0),
        clues_overdue=int(h["clue_late"] or 0),
        cases_overdue=int(h["case_late"] or 0),
        problems_open=int(h["problems_to_fix"] or 0),
        coverage=None if coverage is None else float(coverage),
    )


def _charts(fig: Figures, month: date) -> tuple[ReportChart, ...]:
    months = months_back(month, REPORT_MONTHS)
    ident, elim = fig.by_month("ident"), fig.by_month("elim_m")
    type_label = codes.table("monitoring_type").label
    risk_label = codes.table("risk_type").label
    names = category_names(fig.region.code, month.year)
    risks = fig.keys("risk")
    categories = fig.keys("measure")
    return (
        ReportChart(
            key="months",
            title=f"近{REPORT_MONTHS}个月识别监测与风险消除户数",
            categories=tuple(f"{m.year}-{m.month:02d}" for m in months),
            series=(
                ChartSeries("新识别", tuple(float(ident.get(m, 0)) for m in months)),
                ChartSeries("风险消除", tuple(float(elim.get(m, 0)) for m in months)),
            ),
        ),
        ReportChart(
            key="regions",
            title="分区划监测对象（未消除风险）户数",
            categories=tuple(c.name for c in fig.children),
            series=tuple(
                ChartSeries(
                    type_label(kind),
                    tuple(
                        float(fig.total("mon", kind, fig.child_prefix[c.code]))
                        for c in fig.children
                    ),
                )
                for kind in MONITORING_TYPES
            ),
            stacked=True,
        ),
        ReportChart(
            key="risks",
            title="监测对象主要风险类型（户，可多选）",
            categories=tuple(risk_label(r) for r in risks),
            series=(ChartSeries("户数", tuple(float(fig.total("risk", r)) for r in risks)),),
        ),
        ReportChart(
            key="measures",
            title="有实施中帮扶措施的监测户（按措施类别，户）",
            categories=tuple(names.get(c, c) for c in categories),
            series=(
                ChartSeries("户数", tuple(float(fig.total("measure", c)) for c in categories)),
            ),
        ),
    )


def _overdue(prefix: str, as_of: date) -> tuple[list[Any], list[Any], list[Any], list[str]]:
    notes: list[str] = []
    village_names = dict(
        Region.objects.filter(code__startswith=prefix, level=5).values_list("code", "name")
    )
    # Overdue as of the tallies' day, like the figures beside them (the lists count to today).
    clue_qs = case_selectors.clue_list(
        SYSTEM, status=ClueStatus.PENDING, village_code=prefix
    ).filter(verify_deadline__lt=as_of)
    clue_total = clue_qs.count()
    clues = [
        OverdueClue(
            village=village_names.get(c.village_code, c.village_code),
            household_number=c.household.household_number if c.household_id else "",
            channel=ClueChannel(c.channel).label if c.channel in ClueChannel.values else c.channel,
            received_on=c.received_on,
            deadline=c.verify_deadline,
            days_overdue=(as_of - c.verify_deadline).days,
        )
        for c in clue_qs[:OVERDUE_LIMIT]
    ]
    late = Q(due_on__lt=as_of) | Q(step="clue_received", verify_due__lt=as_of)
    case_qs = case_selectors.case_list(SYSTEM, is_open=True, village_code=prefix).filter(late)
    case_total = case_qs.count()
    cases = [
        OverdueCase(
            village=village_names.get(c.village_code, c.village_code),
            household_number=c.household.household_number,
            kind=CaseKind(c.kind).label,
            step=_step_zh(c.step),
            due_on=c.due_on,
            days_overdue=max((as_of - c.due_on).days, 0),
        )
        for c in case_qs[:OVERDUE_LIMIT]
    ]
    dimension = dict(DIMENSION_CHOICES)
    problem_qs = problem_selectors.problem_list(
        user=SYSTEM, today=as_of, overdue=True, region_prefix=prefix
    )
    problem_total = problem_qs.count()
    problems = [
        OverdueProblem(
            region=p.region.name,
            dimension=str(dimension.get(p.dimension, p.dimension)),
            description=p.description,
            lead_unit=p.lead_unit,
            deadline=p.deadline,
            days_overdue=(as_of - p.deadline).days,
        )
        for p in problem_qs[:OVERDUE_LIMIT]
    ]
    for label, total in (("线索", clue_total), ("案件", case_total), ("问题", problem_total)):
        if total > OVERDUE_LIMIT:
            notes.append(
                f"逾期{label}共{total}项，本报告列出前{OVERDUE_LIMIT}项，其余请在系统中查看。"
            )
    return clues, cases, problems, notes


def report_data(
    *, region: Region, month: date, unit: str, on: date | None = None
) -> MonthlyReportData:
    """The report of ``region`` for ``month`` from the current tallies and overdue lists."""
    month = month.replace(day=1)
    fig = dashboard_figures(user=SYSTEM, region=region)
    as_of = fig.as_of
    h = headline(fig, month=month)
    types = codes.table("monitoring_type").label
    headlines = (
        Headline("hh", "在册农户", int(h["hh"] or 0), "户"),
        Headline("persons", "在册人口", int(h["persons"] or 0), "人"),
        Headline(
            "mon",
            "监测对象（未消除风险）",
            int(h["mon"] or 0),
            "户",
            "；".join(f"{types(k)}{h[f'mon_{k}']}户" for k in MONITORING_TYPES),
        ),
        Headline("elim", "已消除风险", int(h["elim"] or 0), "户"),
        Headline("ident_month", "本月新识别", int(h["ident_month"] or 0), "户"),
        Headline("elim_month", "本月风险消除", int(h["elim_month"] or 0), "户"),
        Headline("clue_late", "逾期未核实线索", int(h["clue_late"] or 0), "条"),
        Headline("case_late", "逾期认定与消除案件", int(h["case_late"] or 0), "件"),
        Headline(
            "problems_to_fix",
            "未销号问题",
            int(h["problems_to_fix"] or 0),
            "个",
            f"其中逾期{h['prob_late']}个"
            if h["prob_late"]
            else "已清零"
            if not h["problems_to_fix"]
            else "",
        ),
        Headline(
            "coverage",
            "走访覆盖率",
            float(h["coverage"] or 0),
            "",
            f"{h['visited']}/{h['mon']}户在走访周期内走访" if h["mon"] else "无监测对象",
            percent=True,
        ),
    )
    rows = tuple(_row(fig, c.code, c.name, fig.child_prefix[c.code], month) for c in fig.children)
    totals = _row(fig, region.code, "合计", None, month)
    clues, cases, problems, notes = _overdue(fig.prefix, as_of)
    notes.insert(
        0,
        f"数据截至{as_of.year}年{as_of.month}月{as_of.day}日（看板汇总），"
        "本月新识别与风险消除按识别监测时间、消除监测时间统计。",
    )
    child_level = "乡镇" if region.level == 3 else "村" if region.level == 4 else "下级区划"
    return MonthlyReportData(
        region_code=region.code,
        region_name=region.name,
        month=month,
        unit=unit,
        generated_on=on or timezone.localdate(),
        as_of=as_of,
        headlines=headlines,
        child_level_name=child_level,
        rows=rows,
        totals=totals,
        charts=_charts(fig, month),
        overdue_clues=tuple(clues),
        overdue_cases=tuple(cases),
        overdue_problems=tuple(problems),
        notes=tuple(notes),
    )


def _region(actor: Any, region_code: str) -> Region:
    try:
        region = Region.objects.get(code=region_code)
    except Region.DoesNotExist:
        raise DashboardError("region", f"“{region_code}”不是已加载的区划") from None
    if region.level > 4:
        raise DashboardError("region", "月报按县或乡镇生成，请选择县或乡镇")
    if not is_system_actor(actor) and not scope_covers(
        actor, region.code, capability=REGISTRY_VIEW
    ):
        raise DashboardError("forbidden", "该区划不在本账号的管辖范围内")
    return region


def report_request(
    *,
    actor: Any,
    region_code: str,
    month: date,
    unit: str = "",
    scheduled: bool = False,
    enqueue: bool = True,
    request: HttpRequest | None = None,
) -> MonthlyReport:
    """Record a report to make and enqueue it for the worker (in the same transaction).

    A scheduled report is made once per region and month: asking again returns the
    existing one (``monthlyreport_one_scheduled``).
    """
    region = _region(actor, region_code)
    month = month.replace(day=1)
    if month > timezone.localdate().replace(day=1):
        raise DashboardError("month", "不能生成未来月份的月报")
    text = (unit or "").strip() or default_unit(region)
    if len(text) > 100:
        raise DashboardError("unit", "编制单位不能超过100个字")
    try:
        with transaction.atomic():
            report = MonthlyReport.objects.create(
                region=region,
                month=month,
                unit=text,
                scheduled=scheduled,
                requested_by_label=actor_label(actor),
            )
            audit_record(
                actor=actor,
                action="report.request",
                object_type="monthly_report",
                object_id=report.public_id,
                changes={"region": region.code, "month": f"{month:%Y-%m}", "scheduled": scheduled},
                request=request,
            )
            if enqueue:
                from fangpin.dashboards.tasks import report_generate_task

                report_generate_task.enqueue(report_pk=report.pk)
    except IntegrityError:
        return MonthlyReport.objects.get(region=region, month=month, scheduled=True)
    return report


def report_generate(report_pk: int, *, on: date | None = None) -> MonthlyReport:
    """Render and store a requested report (re-runnable: a failed one can be made again)."""
    report = MonthlyReport.objects.select_related("region").get(pk=report_pk)
    if report.status == ReportStatus.DONE:
        return report
    MonthlyReport.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING)
    try:
        data = report_data(region=report.region, month=report.month, unit=report.unit, on=on)
        pdf = html_to_pdf(render_html(data))
        xlsx = render_xlsx(data)
    except Exception as exc:  # recorded on the row: the page shows it, the job can be re-run
        log.exception("monthly report %s failed", report.pk)
        with transaction.atomic():
            MonthlyReport.objects.filter(pk=report.pk).update(
                status=ReportStatus.FAILED,
                error_message=f"生成失败：{type(exc).__name__}"[:500],
                finished_at=timezone.now(),
            )
            audit_record(
                actor=SYSTEM,
                action="report.generate",
                object_type="monthly_report",
                object_id=report.public_id,
                changes={"error": type(exc).__name__},
                result="failure",
            )
        report.refresh_from_db()
        return report
    with transaction.atomic():
        MonthlyReport.objects.filter(pk=report.pk).update(
            status=ReportStatus.DONE,
            pdf=pdf,
            xlsx=xlsx,
            error_message="",
            finished_at=timezone.now(),
        )
        audit_record(
            actor=SYSTEM,
            action="report.generate",
            object_type="monthly_report",
            object_id=report.public_id,
            changes={"pdf_bytes": len(pdf), "xlsx_bytes": len(xlsx)},
        )
    report.refresh_from_db()
    return report


def schedule_set(
    *,
    actor: Any,
    region_code: str,
    day: int,
    unit: str = "",
    enabled: bool = True,
    request: HttpRequest | None = None,
) -> ReportSchedule:
    """Create or change a region's monthly report schedule (day 1–28 of each month)."""
    region = _region(actor, region_code)
    if not 1 <= day <= 28:
        raise DashboardError("day", "每月生成日须在1至28日之间")
    text = (unit or "").strip() or default_unit(region)
    if len(text) > 100:
        raise DashboardError("unit", "编制单位不能超过100个字")
    with transaction.atomic():
        schedule, created = ReportSchedule.objects.update_or_create(
            region=region,
            defaults={
                "day": day,
                "unit": text,
                "enabled": enabled,
                "created_by_label": actor_label(actor),
            },
        )
        audit_record(
            actor=actor,
            action="report.schedule",
            object_type="report_schedule",
            object_id=str(schedule.pk),
            changes={"region": region.code, "day": day, "enabled": enabled, "created": created},
            request=request,
        )
    return schedule


def schedule_run_due(*, now: date | None = None, enqueue: bool = True) -> list[MonthlyReport]:
    """Request the previous month's report of every enabled schedule whose day has come.

    Idempotent: a region's scheduled report of a month is made once, however often this runs.
    """
    today = now or timezone.localdate()
    previous = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    made: list[MonthlyReport] = []
    for schedule in ReportSchedule.objects.filter(enabled=True, day__lte=today.day):
        exists = MonthlyReport.objects.filter(
            region_id=schedule.region_id, month=previous, scheduled=True
        ).exists()
        if exists:
            continue
        made.append(
            report_request(
                actor=SYSTEM,
                region_code=schedule.region_id,
                month=previous,
                unit=schedule.unit,
                scheduled=True,
                enqueue=enqueue,
            )
        )
    return made
