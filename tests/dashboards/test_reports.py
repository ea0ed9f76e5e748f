"""The monthly report: its figures, its files (PDF read back with pdftotext), the request's
checks, the schedule and a failed run made again."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from python_calamine import CalamineWorkbook

from fangpin.core.access import SYSTEM
from fangpin.core.models import AuditEvent, Region
from fangpin.dashboards import reports
from fangpin.dashboards.errors import DashboardError
from fangpin.dashboards.models import MonthlyReport, ReportSchedule
from fangpin.dashboards.refresh import tallies_refresh
from fangpin.dashboards.reports import (
    report_data,
    report_generate,
    report_request,
    schedule_run_due,
    schedule_set,
)
from tests.dashboards.conftest import AS_OF, HUAYUAN, LONGTAN, TUDI
from tests.evaluation.conftest import LUXI

pytestmark = pytest.mark.django_db

JANUARY = date(2025, 1, 1)


@pytest.fixture
def refreshed(work: dict[str, Any]) -> dict[str, Any]:
    tallies_refresh(actor=SYSTEM, county_code=HUAYUAN, as_of=AS_OF)
    return work


def _state() -> dict[str, Any]:
    return {
        "reports": sorted(MonthlyReport.objects.values_list("pk", "status")),
        "schedules": sorted(ReportSchedule.objects.values_list("pk", "day", "enabled")),
        "audit": AuditEvent.objects.count(),
    }


def test_report_data_of_the_county(refreshed: dict[str, Any]) -> None:
    data = report_data(
        region=Region.objects.get(code=HUAYUAN), month=JANUARY, unit="花垣县乡村振兴局", on=AS_OF
    )

    assert (data.title, data.period, data.unit, data.as_of) == (
        "花垣县防止返贫监测帮扶工作月报",
        "2025年1月",
        "花垣县乡村振兴局",
        AS_OF,
    )
    assert {h.key: h.value for h in data.headlines} == {
        "hh": 20,
        "persons": 40,
        "mon": 2,
        "elim": 1,
        "ident_month": 0,
        "elim_month": 0,
        "clue_late": 1,
        "case_late": 1,
        "problems_to_fix": 2,
        "coverage": 0.5,
    }
    assert [h.note for h in data.headlines if h.key in ("mon", "problems_to_fix", "coverage")] == [
        "脱贫不稳定户2户；边缘易致贫户0户；突发严重困难户0户",
        "其中逾期1个",
        "1/2户在走访周期内走访",
    ]
    assert data.child_level_name == "乡镇"
    longtan, minle = data.rows
    assert (longtan.name, longtan.households, longtan.monitored, longtan.clues_overdue) == (
        "龙潭镇",
        12,
        2,
        1,
    )
    assert (longtan.cases_overdue, longtan.problems_open, longtan.coverage) == (1, 1, 0.5)
    assert (minle.households, minle.monitored, minle.coverage) == (8, 0, None)
    assert (data.totals.households, data.totals.problems_open) == (20, 2)
    assert [c.key for c in data.charts] == ["months", "regions", "risks", "measures"]
    months = data.charts[0]
    assert months.categories[-1] == "2025-01"
    assert len(months.categories) == 12
    assert data.charts[3].categories == ("义务教育保障", "就业帮扶")
    # Overdue lists: counted against the tallies' day, by household number, no names.
    assert [(c.village, c.days_overdue) for c in data.overdue_clues] == [("土地村", 10)]
    assert [(c.kind, c.step, c.days_overdue) for c in data.overdue_cases] == [
        ("识别认定", "村级公示", 5)
    ]
    assert [(p.region, p.dimension, p.days_overdue) for p in data.overdue_problems] == [
        ("龙潭镇", "帮扶措施", 19)
    ]
    assert data.notes[0].startswith("数据截至2025年1月20日")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_generated_report_prints_its_figures(refreshed: dict[str, Any], tmp_path: Path) -> None:
    asked = report_request(
        actor=refreshed["world"].users["county_huayuan"],
        region_code=HUAYUAN,
        month=JANUARY,
        unit="花垣县乡村振兴局",
        enqueue=False,
    )
    report = report_generate(asked.pk, on=AS_OF)

    assert report.status == "done"
    assert report.finished_at is not None
    pdf = bytes(report.pdf)
    assert pdf.startswith(b"%PDF")
    (tmp_path / "r.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    compact = "".join(text.split())
    for expected in (
        "花垣县防止返贫监测帮扶工作月报",
        "2025年1月",
        "编制单位：花垣县乡村振兴局",
        "数据截至：2025年1月20日",
        "二、分乡镇情况",
        "龙潭镇",
        "4331241022010",  # the household number of the overdue clue (household 1 of 土地村)
        "第1页共",
    ):
        assert expected in compact, expected
    book = CalamineWorkbook.from_filelike(io.BytesIO(bytes(report.xlsx)))
    assert book.sheet_names == ["概况", "分乡镇", "图表", "逾期线索", "逾期案件", "逾期问题"]
    rows = book.get_sheet_by_name("分乡镇").to_python()
    assert [r[0] for r in rows if r and r[0] in ("龙潭镇", "民乐镇", "合计")] == [
        "龙潭镇",
        "民乐镇",
        "合计",
    ]
    events = list(
        AuditEvent.objects.filter(action__startswith="report.").values_list("action", flat=True)
    )
    assert events == ["report.request", "report.generate"]


def test_a_failed_report_is_recorded_and_made_again(refreshed: dict[str, Any]) -> None:
    asked = report_request(actor=SYSTEM, region_code=LONGTAN, month=JANUARY, enqueue=False)
    with mock.patch.object(reports, "render_xlsx", side_effect=RuntimeError("disk full")):
        failed = report_generate(asked.pk, on=AS_OF)
    assert (failed.status, failed.error_message, bytes(failed.pdf)) == (
        "failed",
        "生成失败：RuntimeError",
        b"",
    )

    again = report_generate(asked.pk, on=AS_OF)

    assert again.status == "done"
    assert bytes(again.xlsx).startswith(b"PK")
    assert again.unit == "龙潭镇防止返贫监测帮扶工作领导小组办公室"


def test_report_request_refused_changes_nothing(refreshed: dict[str, Any]) -> None:
    cases = [
        ("county_huayuan", TUDI, JANUARY, "", "region"),  # a village: no report
        ("county_huayuan", LUXI, JANUARY, "", "forbidden"),
        ("township_longtan", HUAYUAN, JANUARY, "", "forbidden"),
        ("county_huayuan", HUAYUAN, date(2099, 1, 1), "", "month"),
        ("county_huayuan", HUAYUAN, JANUARY, "局" * 101, "unit"),
        ("county_huayuan", "433124999999", JANUARY, "", "region"),
    ]
    before = _state()
    codes = []
    for user, code, month, unit, _error in cases:
        with pytest.raises(DashboardError) as caught:
            report_request(
                actor=refreshed["world"].users[user],
                region_code=code,
                month=month,
                unit=unit,
                enqueue=False,
            )
        codes.append(caught.value.code)
    assert codes == [error for *_, error in cases]
    assert _state() == before


def test_schedule_makes_last_months_report_once(refreshed: dict[str, Any]) -> None:
    county = refreshed["world"].users["county_huayuan"]
    schedule_set(actor=county, region_code=HUAYUAN, day=3, unit="花垣县乡村振兴局")
    schedule_set(actor=county, region_code=LONGTAN, day=5, enabled=False)

    assert schedule_run_due(now=date(2025, 2, 2), enqueue=False) == []  # before the 3rd
    made = schedule_run_due(now=date(2025, 2, 3), enqueue=False)
    assert [(r.region_id, r.month, r.scheduled, r.unit) for r in made] == [
        (HUAYUAN, JANUARY, True, "花垣县乡村振兴局")
    ]
    assert schedule_run_due(now=date(2025, 2, 20), enqueue=False) == []  # made already
    assert [r.month for r in schedule_run_due(now=date(2025, 3, 3), enqueue=False)] == [
        date(2025, 2, 1)
    ]
    assert MonthlyReport.objects.count() == 2


def test_schedule_day_must_be_1_to_28(refreshed: dict[str, Any]) -> None:
    before = _state()
    with pytest.raises(DashboardError) as caught:
        schedule_set(actor=SYSTEM, region_code=HUAYUAN, day=29)
    assert caught.value.message == "每月生成日须在1至28日之间"
    assert _state() == before


def test_scheduled_report_asked_twice_is_one_report(refreshed: dict[str, Any]) -> None:
    first = report_request(
        actor=SYSTEM, region_code=HUAYUAN, month=JANUARY, scheduled=True, enqueue=False
    )
    second = report_request(
        actor=SYSTEM, region_code=HUAYUAN, month=JANUARY, scheduled=True, enqueue=False
    )
    assert first.pk == second.pk
    assert MonthlyReport.objects.count() == 1
