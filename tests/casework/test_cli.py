"""``fangpin screen`` without ``--input``: the database is screened and warnings written back.

End to end with the real snapshot (``fangpin.feeds.snapshot.database_snapshot``, through ADBC):
on PostgreSQL it reads committed rows only, so these tests commit (transactional) there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.db import connection
from typer.testing import CliRunner

from fangpin.casework.models import Clue, ScreeningRun, Warning
from fangpin.cli import app
from fangpin.core.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=connection.vendor == "postgresql")

ARGS = ["screen", "--year", "2024", "--region", "433124", "--month", "2024-12"]


def test_screen_without_input_screens_the_database(published: Path, settings: Any) -> None:
    first = CliRunner().invoke(app, ARGS)
    assert first.exit_code == 0, first.output
    run = ScreeningRun.objects.get()
    assert run.status == "succeeded"
    assert run.requested_by is None
    assert run.output_dir == str(Path(settings.VAR_DIR) / "screening" / "433124-2024-12")
    assert (Path(run.output_dir) / "findings.parquet").is_file()
    assert (
        f"发现 {run.findings_total:,} 条；预警新增 {run.warnings_created:,}、更新 0；"
        f"新增线索 {run.clues_created:,}" in first.output
    )
    findings = pq.read_table(Path(run.output_dir) / "findings.parquet").to_pylist()
    assert run.warnings_created == run.findings_total == len(findings) == Warning.objects.count()
    clue_households = {
        f["household_id"] for f in findings if not f["rule_code"].startswith("quality.")
    }
    assert run.clues_created == len(clue_households) == Clue.objects.count()
    # Feed rows came through the snapshot: rules that need a matched department row fired.
    rules = set(Warning.objects.values_list("rule_code", flat=True))
    assert {"quality.deceased_still_counted", "trigger.large_hospital_bill"} <= rules
    assert len(findings) > 50
    assert AuditEvent.objects.get(action="screening.request").actor_label == "system"

    second = CliRunner().invoke(app, ARGS)
    assert second.exit_code == 0, second.output
    assert f"预警新增 0、更新 {run.warnings_created:,}；新增线索 0" in second.output
    assert Warning.objects.count() == run.warnings_created


def test_screen_without_input_takes_an_output_directory(published: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, [*ARGS, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "findings.parquet").is_file()


def test_screen_without_input_refuses_while_a_run_is_active(loaded: Path) -> None:
    ScreeningRun.objects.create(
        month="2024-12-01", year=2024, region_code="433124000000", status="running"
    )
    result = CliRunner().invoke(app, ARGS)
    assert result.exit_code == 2
    assert "433124 2024-12 已有排队或运行中的筛查，请等待其完成" in result.output
    assert ScreeningRun.objects.count() == 1
    assert Warning.objects.count() == 0


def test_screen_with_input_still_needs_an_output_directory(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, [*ARGS, "--input", str(tmp_path)])
    assert result.exit_code == 2
    assert "使用 --input 时必须用 --out 指定结果目录" in result.output


def test_a_failed_database_screening_exits_with_its_reason(loaded: Path, monkeypatch: Any) -> None:
    from tests.casework.conftest import install_snapshot

    def broken(target: Path, **_: Any) -> dict[str, int]:
        return {}

    install_snapshot(monkeypatch, broken)
    result = CliRunner().invoke(app, ARGS)
    assert result.exit_code == 2
    assert (
        "筛查失败：输入目录缺少文件 registry/households.parquet（表 households）" in result.output
    )
    assert ScreeningRun.objects.get().status == "failed"
