"""The scheduler's tick (daily tallies, fresh tallies after a screening run, scheduled reports,
idempotent) and the ``fangpin dashboards`` / ``fangpin scheduler`` commands."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from fangpin.casework.models import ScreeningRun
from fangpin.cli import app
from fangpin.dashboards.models import MonthlyReport, ReportSchedule, Tally, TallyRefresh
from fangpin.dashboards.scheduler import counties_due, tick
from tests.dashboards.conftest import HUAYUAN, LONGTAN
from tests.evaluation.conftest import LUXI

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MORNING = datetime(2025, 2, 3, 8, 0, tzinfo=SHANGHAI)


def run(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output.splitlines()


def test_a_tick_refreshes_each_county_once_a_day(work: dict[str, Any]) -> None:
    assert counties_due(now=MORNING) == [LUXI, HUAYUAN]  # both have households

    first = tick(now=MORNING, enqueue=False)
    again = tick(now=MORNING + timedelta(minutes=1), enqueue=False)
    next_day = tick(now=MORNING + timedelta(days=1), enqueue=False)

    assert first.refreshed == [LUXI, HUAYUAN]
    assert again.refreshed == []
    assert next_day.refreshed == [LUXI, HUAYUAN]
    assert list(
        TallyRefresh.objects.filter(county_id=HUAYUAN)
        .order_by("id")
        .values_list("as_of", flat=True)
    ) == [MORNING.date(), MORNING.date() + timedelta(days=1)]


def test_a_finished_screening_run_makes_the_county_due_again(work: dict[str, Any]) -> None:
    tick(now=MORNING, enqueue=False)
    finished = timezone.now() + timedelta(seconds=5)
    ScreeningRun.objects.create(
        month=MORNING.date().replace(day=1),
        year=2024,
        region_code=HUAYUAN,
        status="succeeded",
        finished_at=finished,
    )

    assert counties_due(now=MORNING + timedelta(minutes=5)) == [HUAYUAN]
    assert counties_due(now=MORNING + timedelta(minutes=5)) == [HUAYUAN]  # until refreshed


def test_a_tick_makes_the_scheduled_report_once(work: dict[str, Any]) -> None:
    ReportSchedule.objects.create(
        region_id=LONGTAN, unit="龙潭镇人民政府", day=3, created_by_label="t"
    )

    made = tick(now=MORNING, enqueue=False).reports
    again = tick(now=MORNING + timedelta(hours=1), enqueue=False).reports

    assert [(r.region_id, f"{r.month:%Y-%m}", r.status) for r in made] == [
        (LONGTAN, "2025-01", "done")
    ]
    assert again == []
    assert MonthlyReport.objects.count() == 1


def test_cli_refresh_report_and_schedule(work: dict[str, Any], tmp_path: Path) -> None:
    code, lines = run("dashboards", "refresh", "--county", "433124")
    assert code == 0, lines
    rows = Tally.objects.filter(region_code__startswith="433124").count()
    assert lines[0].startswith(f"433124000000：汇总 {rows} 行，用时 ")

    code, lines = run(
        "dashboards",
        "report",
        "--region",
        "433124102",
        "--month",
        "2025-01",
        "--out",
        str(tmp_path / "out"),
    )
    assert code == 0, lines
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "龙潭镇2025年01月工作月报.pdf",
        "龙潭镇2025年01月工作月报.xlsx",
    ]

    code, lines = run("dashboards", "schedule", "--region", "433124", "--day", "4")
    assert (code, lines) == (
        0,
        ["433124000000：每月 4 日生成上月月报（花垣县防止返贫监测帮扶工作领导小组办公室）"],
    )

    code, lines = run("dashboards", "report", "--region", "433124", "--month", "2025-13")
    assert code != 0
    assert "月份“2025-13”应写成 YYYY-MM" in "".join(lines)
    code, lines = run("dashboards", "schedule", "--region", "433124", "--day", "30")
    assert code != 0
    assert "每月生成日须在1至28日之间" in "".join(lines)


def test_cli_scheduler_once(work: dict[str, Any]) -> None:
    code, lines = run("scheduler", "--once", "--inline")
    assert code == 0, lines
    assert lines == [f"看板数据已汇总：{LUXI}", f"看板数据已汇总：{HUAYUAN}"]
