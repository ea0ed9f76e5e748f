"""The exportable lists of the other apps' pages: self-declarations, visit coverage, feed batches.

Same contract as :mod:`fangpin.web.export_lists` (the page's selector and filter form, masked
cells unless ``unmasked``); split from it to keep each module short.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from fangpin.assistance import selectors as assistance_selectors
from fangpin.core.exports import ExportError
from fangpin.feeds.access import can_use_feeds
from fangpin.feeds.selectors import feed_batch_list
from fangpin.intake import models as intake_models
from fangpin.intake import selectors as intake_selectors
from fangpin.intake.forms import DeclarationFilterForm
from fangpin.sheets.writer import Column
from fangpin.supervision import selectors as supervision_selectors
from fangpin.web.export_lists import ExportList, _form_data, _label, _local, _open, _village_pairs
from fangpin.web.views._common import region_filter_choices

__all__ = ["COVERAGE", "DECLARATIONS", "FEED_BATCHES", "INTEGRITY", "PROBLEMS"]


# --- 自主申报 ------------------------------------------------------------------------------------


def _declaration_rows(user: Any, filters: dict[str, str]) -> QuerySet[Any]:
    data = _form_data(DeclarationFilterForm, filters, villages=_village_pairs(user))
    return intake_selectors.declaration_list(
        user, status=data.get("status") or None, village_code=data.get("village") or None
    )


def _declaration_cells(d: Any, unmasked: bool) -> list[object]:
    return [
        d.reference,
        d.village.name,
        _open(d.name_encrypted, intake_models.NAME_CONTEXT) if unmasked else d.name_masked,
        _open(d.id_number_encrypted, intake_models.ID_NUMBER_CONTEXT)
        if unmasked
        else d.id_number_masked,
        _open(d.phone_encrypted, intake_models.PHONE_CONTEXT) if unmasked else d.phone_masked,
        _label("risk_type", d.risk_type),
        _local(d.submitted_at),
        d.get_status_display(),
    ]


DECLARATIONS = ExportList(
    name="declarations",
    title="自主申报",
    page_url="intake:declarations",
    columns=(
        Column("reference", "申报编号", width=14),
        Column("village", "所在村", width=14),
        Column("name", "申报人姓名"),
        Column("id_number", "身份证号码", width=22),
        Column("phone", "联系电话", width=16),
        Column("risk_type", "风险类型", width=16),
        Column("submitted_at", "申报时间", width=18),
        Column("status", "状态"),
    ),
    filters=("status", "village"),
    rows=_declaration_rows,
    cells=_declaration_cells,
    has_pi=True,
)


# --- 走访覆盖 ------------------------------------------------------------------------------------


def _coverage_rows(user: Any, filters: dict[str, str]) -> list[Any]:
    del filters  # the page has none
    return assistance_selectors.coverage_list(
        user=user,
        on=timezone.localdate(),
        interval_days=settings.FANGPIN_VISIT_INTERVAL_DAYS,
    )


def _coverage_cells(row: Any, unmasked: bool) -> list[object]:
    del unmasked  # no number in this list
    return [
        row.household.household_number,
        row.household.village.name,
        _label("monitoring_type", row.household.monitoring_type),
        row.last_visit,
        row.days_since,
    ]


COVERAGE = ExportList(
    name="coverage",
    title="走访覆盖",
    page_url="assistance:coverage",
    columns=(
        Column("household_number", "户编号", width=22),
        Column("village", "所在村", width=14),
        Column("monitoring_type", "监测对象类别", width=16),
        Column("last_visit", "最近走访日期", "date", width=14),
        Column("days_since", "未走访天数", "int"),
    ),
    filters=(),
    rows=_coverage_rows,
    cells=_coverage_cells,
)


# --- 部门数据批次 --------------------------------------------------------------------------------


def _feed_batch_rows(user: Any, filters: dict[str, str]) -> QuerySet[Any]:
    del filters  # the page has none
    return feed_batch_list(user=user)


def _feed_batch_cells(b: Any, unmasked: bool) -> list[object]:
    del unmasked  # counts only
    return [
        str(b.pk),
        b.get_feed_display(),
        b.period,
        b.source_name,
        b.uploaded_by_label,
        b.get_status_display(),
        b.rows_total,
        b.rows_publishable,
        b.rows_matched,
        b.rows_unmatched,
        b.rows_invalid,
        b.rows_duplicate,
        b.rows_out_of_scope,
        _local(b.created_at),
    ]


FEED_BATCHES = ExportList(
    name="feed_batches",
    title="部门数据批次",
    page_url="web:feeds",
    columns=(
        Column("id", "批次号", width=38),
        Column("feed", "部门数据", width=16),
        Column("period", "所属月份"),
        Column("source_name", "文件名", width=24),
        Column("uploaded_by", "上传人"),
        Column("status", "状态"),
        Column("rows_total", "总行数", "int"),
        Column("rows_publishable", "可发布行数", "int"),
        Column("rows_matched", "匹配在册人员", "int"),
        Column("rows_unmatched", "未匹配", "int"),
        Column("rows_invalid", "无效行", "int"),
        Column("rows_duplicate", "重复行", "int"),
        Column("rows_out_of_scope", "辖区外人员", "int"),
        Column("created_at", "上传时间", width=18),
    ),
    filters=(),
    rows=_feed_batch_rows,
    cells=_feed_batch_cells,
    may_export=can_use_feeds,
)


# --- 整改台账 ------------------------------------------------------------------------------------


def _problem_rows(user: Any, filters: dict[str, str]) -> QuerySet[Any]:
    from fangpin.web.views.problems import ProblemFilterForm

    data = _form_data(ProblemFilterForm, filters, regions=region_filter_choices(user))
    return supervision_selectors.problem_list(
        user=user,
        today=timezone.localdate(),
        status=data.get("status") or None,
        dimension=data.get("dimension") or None,
        source=data.get("source") or None,
        overdue={"yes": True, "no": False}.get(data.get("overdue") or ""),
        region_prefix=data.get("region") or None,
        escalation=data.get("escalation") or None,
    ).prefetch_related("households")


def _problem_cells(p: Any, unmasked: bool) -> list[object]:
    del unmasked  # the ledger holds no ID or phone numbers
    return [
        p.region.name,
        p.get_source_display(),
        p.source_batch,
        p.found_on,
        p.get_dimension_display(),
        p.description,
        "、".join(h.household_number for h in p.households.all()),
        p.lead_unit,
        "、".join(p.responsible_units),
        p.responsible_person,
        p.measures,
        p.deadline,
        p.get_status_display(),
        "；".join(p.closure_evidence),
        p.closed_by,
        p.closed_on,
    ]


PROBLEMS = ExportList(
    name="problems",
    title="整改台账",
    page_url="web:problems",
    columns=(
        Column("region", "所在区划", width=14),
        Column("source", "问题来源"),
        Column("source_batch", "批次", width=16),
        Column("found_on", "发现日期", "date", width=12),
        Column("dimension", "问题类别"),
        Column("description", "问题描述", width=40),
        Column("households", "涉及农户", width=22),
        Column("lead_unit", "牵头单位", width=20),
        Column("responsible_units", "责任单位", width=20),
        Column("responsible_person", "责任人"),
        Column("measures", "整改措施", width=30),
        Column("deadline", "整改期限", "date", width=12),
        Column("status", "整改状态"),
        Column("closure_evidence", "整改佐证", width=24),
        Column("closed_by", "销号人"),
        Column("closed_on", "销号日期", "date", width=12),
    ),
    filters=("status", "dimension", "source", "overdue", "escalation", "region"),
    rows=_problem_rows,
    cells=_problem_cells,
)


# --- 数据真实性检测 ----------------------------------------------------------------------------


def _integrity_rows(user: Any, filters: dict[str, str]) -> list[Any]:
    """The findings of the latest integrity run the page shows (county, year, detector)."""
    from fangpin.evaluation import selectors as evaluation_selectors
    from fangpin.integrity import CODE_ZH, Code

    counties = list(evaluation_selectors.counties_in_scope(user=user))
    if not counties:
        return []
    wanted = filters.get("county", "")
    county = next((c.code for c in counties if c.code == wanted), None)
    if wanted and county is None:
        raise ExportError("filters", "所选县不在您的辖区内")
    try:
        year = int(filters.get("year") or timezone.localdate().year - 1)
    except ValueError:
        raise ExportError("filters", "年度应为数字") from None
    detector = filters.get("detector", "")
    if detector and detector not in Code.__members__:
        raise ExportError("filters", "没有这个检测项")
    run = evaluation_selectors.integrity_run_latest(
        user=user, county_code=county or counties[0].code, year=year
    )
    if run is None:
        return []
    rows = list(evaluation_selectors.integrity_findings(user=user, run=run, detector=detector))
    for row in rows:
        row.title = CODE_ZH.get(Code(row.detector), row.detector)  # type: ignore[attr-defined]  # a label for the cell, not stored
    return rows


def _integrity_cells(f: Any, unmasked: bool) -> list[object]:
    del unmasked  # findings hold figures and household numbers, no ID or phone numbers
    return [
        f.title,
        "需核实" if f.severity == "warning" else "提示",
        f.region.name,
        f.household.household_number if f.household else "",
        "" if f.household else f.subject_id,
        f.explanation,
        f.threshold,
        "已推送" if f.problem_key else "",
    ]


INTEGRITY = ExportList(
    name="integrity",
    title="数据真实性疑点",
    page_url="web:integrity",
    columns=(
        Column("detector", "检测项", width=18),
        Column("severity", "级别"),
        Column("region", "区划", width=14),
        Column("household", "户编号", width=18),
        Column("subject", "对象", width=16),
        Column("explanation", "说明", width=60),
        Column("threshold", "阈值"),
        Column("pushed", "整改台账"),
    ),
    filters=("county", "year", "detector"),
    rows=_integrity_rows,
    cells=_integrity_cells,
)
