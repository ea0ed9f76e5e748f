"""`fangpin feeds import | publish | list | report`: messages, exit codes, the saved report."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from fangpin.cli import app
from fangpin.core.models import User
from fangpin.feeds.models import FeedBatch, FeedStatus
from tests.feeds.conftest import DEATH_HEADERS_ZH, FULL_ID, head_id, write_csv
from tests.registry.conftest import World

runner = CliRunner()


def death_file(world: World, tmp_path: Path) -> Path:
    rows = [
        ["GASW0000000001", head_id(world, "tudi"), "张三", "2024-05-01", "2024-05-20"],
        ["GASW0000000002", head_id(world, "luxi"), "向东", "2024-05-02", "2024-05-21"],
        ["GASW0000000003", "433124198001010012", "陌生人", "2024-05-03", "2024-05-22"],
        ["GASW0000000003", "433124198001010012", "陌生人", "2024-05-03", "2024-05-22"],
        ["GASW0000000004", "433124198001010013", "错号", "2024-05-03", "2024-05-22"],
    ]
    return write_csv(tmp_path / "deaths.csv", rows, headers=DEATH_HEADERS_ZH, encoding="gbk")


def test_feeds_is_listed_in_help() -> None:
    result = runner.invoke(app, ["feeds", "--help"])

    assert result.exit_code == 0
    for command in ("import", "publish", "list", "report"):
        assert command in result.output


def test_import_publish_list_and_report(world: World, tmp_path: Path) -> None:
    path = death_file(world, tmp_path)

    imported = runner.invoke(
        app, ["feeds", "import", "death_records", str(path), "--period", "2024-06", "--publish"]
    )

    assert imported.exit_code == 0, imported.output
    batch = FeedBatch.objects.get()
    assert batch.status == FeedStatus.PUBLISHED
    assert (
        f"批次 {batch.pk}（已发布）：共 5 行，可发布 3（匹配 2，未匹配 1），"
        "无效 1，重复 1，辖区外 0" in imported.output
    )
    listed = runner.invoke(app, ["feeds", "list"])
    assert listed.exit_code == 0
    assert str(batch.pk) in listed.output
    assert "death_records" in listed.output
    report = runner.invoke(app, ["feeds", "report", str(batch.pk)])
    assert report.exit_code == 0
    lines = report.output.splitlines()
    assert lines[1] == "行号\t列\t值（已脱敏）\t类别\t原因"
    assert lines[2:5] == [
        "4\tid_number（身份证号码）\t433124********0012\t未匹配\t登记库中无此人（未匹配）",
        "5\trecord_id（记录编号）\tGASW0000000003\t重复\t记录编号重复：与第4行相同",
        "6\tid_number（身份证号码）\t433124********0013\t无效\t身份证号码校验位错误：应为2，实为3",
    ]
    assert FULL_ID.search(report.output) is None


def test_report_to_a_file_is_xlsx_or_csv_by_suffix(world: World, tmp_path: Path) -> None:
    runner.invoke(
        app,
        [
            "feeds",
            "import",
            "death_records",
            str(death_file(world, tmp_path)),
            "--period",
            "2024-06",
        ],
    )
    batch = FeedBatch.objects.get()

    result = runner.invoke(
        app, ["feeds", "report", str(batch.pk), "--xlsx", str(tmp_path / "r.xlsx")]
    )
    as_csv = runner.invoke(
        app, ["feeds", "report", str(batch.pk), "--xlsx", str(tmp_path / "r.csv")]
    )

    assert result.exit_code == 0, result.output
    assert f"已写入 {tmp_path / 'r.xlsx'}" in result.output
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx").active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["行号", "列", "值（已脱敏）", "类别", "原因"]
    assert len(values) == 1 + len(batch.report["issues"])
    assert FULL_ID.search(str(values)) is None
    assert as_csv.exit_code == 0, as_csv.output
    text = (tmp_path / "r.csv").read_text("utf-8-sig")
    assert text.splitlines()[0] == "行号,列,值（已脱敏）,类别,原因"
    assert FULL_ID.search(text) is None


def test_import_as_a_user_applies_their_scope(world: World, officer: User, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["feeds", "import", "death_records", str(death_file(world, tmp_path)), "--period",
         "2024-06", "--as-user", "officer_huayuan"],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    batch = FeedBatch.objects.get()
    assert (batch.rows_matched, batch.rows_out_of_scope, batch.uploaded_by_id) == (1, 1, officer.pk)


def test_errors_exit_1_with_the_chinese_message(world: World, tmp_path: Path) -> None:
    path = death_file(world, tmp_path)
    runner.invoke(app, ["feeds", "import", "death_records", str(path), "--period", "2024-06"])

    again = runner.invoke(
        app, ["feeds", "import", "death_records", str(path), "--period", "2024-06"]
    )
    missing = runner.invoke(
        app, ["feeds", "import", "death_records", "nope.csv", "--period", "2024-06"]
    )
    cadre = runner.invoke(
        app,
        ["feeds", "import", "death_records", str(path), "--period", "2024-07", "--as-user",
         "cadre_tudi"],
    )  # fmt: skip
    unknown = runner.invoke(app, ["feeds", "report", "not-a-batch"])

    assert again.exit_code == 1
    assert "该文件已导入" in again.output
    assert (missing.exit_code, "找不到文件：nope.csv" in missing.output) == (1, True)
    assert cadre.exit_code == 1
    assert "没有导入部门数据的权限" in cadre.output
    assert (unknown.exit_code, "找不到批次 not-a-batch" in unknown.output) == (1, True)
    assert FeedBatch.objects.count() == 1
