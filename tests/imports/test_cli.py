"""`fangpin excel template | import | apply | errors`: messages, exit codes, files, no writes
on a failed check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from fangpin.cli import app
from fangpin.core.models import User
from fangpin.imports.models import ImportBatch
from fangpin.registry.models import Household, Person
from tests.imports.conftest import TUDI, headers_of

runner = CliRunner()
KEYS = [
    "head_id_number",
    "village_code",
    "household_type",
    "registered_on",
    "name",
    "id_number",
    "relation",
]


def rows(ids: Callable[..., str]) -> list[list[object]]:
    head, wife = ids(date(1968, 4, 12)), ids(date(1971, 11, 23), female=True)
    return [
        [head, TUDI, "1 脱贫户", "2024-03-01", "龙再田", head, "01 户主"],
        [head, "", "", "", "石秀英", wife, "10 配偶"],
    ]


def test_excel_is_listed_in_help() -> None:
    result = runner.invoke(app, ["excel", "--help"])

    assert result.exit_code == 0
    for command in ("template", "import", "apply", "errors"):
        assert command in result.output


def test_template_of_a_village_cadre(tudi_cadre: User, tmp_path: Path) -> None:
    out = tmp_path / "模板.xlsx"

    result = runner.invoke(
        app, ["excel", "template", "households", str(out), "--as-user", "cadre_tudi"]
    )

    assert result.exit_code == 0, result.output
    assert result.output == f"已写入 {out}\n"
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[:2] == ["数据", "填写说明"]
    data = book["数据"]
    headers = [c.value for c in next(data.iter_rows(max_row=1))]
    assert headers[:2] == ["＊户主身份证号码", "＊村代码"]
    villages = [
        str(v)
        for ws in book.worksheets
        if ws.sheet_state == "hidden"
        for row in ws.iter_rows(values_only=True)
        for v in row
        if v and str(v).startswith("4331")
    ]
    assert villages == ["433124102201 土地村"]  # the cadre's own village only


def test_an_unknown_entity_fails_clearly(tmp_path: Path) -> None:
    result = runner.invoke(app, ["excel", "template", "cows", str(tmp_path / "x.xlsx")])

    assert result.exit_code == 1
    assert (
        "未知的导入内容：cows（可选：households、members、finances、conditions）" in result.output
    )
    assert not (tmp_path / "x.xlsx").exists()


def test_check_then_apply_then_the_same_file_again(
    tudi_cadre: User, ids: Callable[..., str], xlsx: Callable[..., Path]
) -> None:
    path = xlsx(headers_of("households", KEYS), rows(ids), name="土地村.xlsx")
    households, persons = Household.objects.count(), Person.objects.count()

    checked = runner.invoke(
        app, ["excel", "import", "households", str(path), "--as-user", "cadre_tudi"]
    )

    assert checked.exit_code == 0, checked.output
    batch = ImportBatch.objects.get()
    assert batch.status == "checked"
    assert (Household.objects.count(), Person.objects.count()) == (households, persons)
    assert (
        f"导入 {batch.pk}（户籍与家庭成员，已校验（待导入））：共 2 行，错误 0 条" in checked.output
    )
    assert f"校验通过，尚未写入：fangpin excel apply {batch.pk}" in checked.output

    applied = runner.invoke(app, ["excel", "apply", str(batch.pk), "--as-user", "cadre_tudi"])

    assert applied.exit_code == 0, applied.output
    assert applied.output.strip() == (
        f"导入 {batch.pk}（户籍与家庭成员，已导入）：共 2 行，错误 0 条；新增户数 1，新增人数 2"
    )
    assert (Household.objects.count(), Person.objects.count()) == (households + 1, persons + 2)

    again = runner.invoke(
        app, ["excel", "import", "households", str(path), "--apply", "--as-user", "cadre_tudi"]
    )

    assert again.exit_code == 1
    assert "不会重复导入" in again.output
    assert (Household.objects.count(), Person.objects.count()) == (households + 1, persons + 2)


def test_errors_are_listed_written_to_a_workbook_and_nothing_is_imported(
    tudi_cadre: User, ids: Callable[..., str], xlsx: Callable[..., Path], tmp_path: Path
) -> None:
    data = rows(ids)
    data[1][4] = ""  # 石秀英 without a name
    path = xlsx(headers_of("households", KEYS), data)
    errors = tmp_path / "错误.xlsx"
    households, persons = Household.objects.count(), Person.objects.count()

    result = runner.invoke(
        app,
        [
            "excel",
            "import",
            "households",
            str(path),
            "--apply",
            "--errors",
            str(errors),
            "--as-user",
            "cadre_tudi",
        ],
    )

    assert result.exit_code == 1
    batch = ImportBatch.objects.get()
    lines = [line for line in result.output.splitlines() if not line.startswith("check ")]
    assert lines[:2] == [
        f"导入 {batch.pk}（户籍与家庭成员，已校验（待导入））：共 2 行，错误 1 条",
        "第3行\t姓名\t\t必须填写姓名",
    ]
    assert f"错误清单已写入 {errors}" in result.output
    listing = openpyxl.load_workbook(errors)["错误清单"]
    assert [c.value for c in listing[3]] == [3, "姓名", None, "必须填写姓名"]
    assert (Household.objects.count(), Person.objects.count()) == (households, persons)

    refused = runner.invoke(app, ["excel", "apply", str(batch.pk), "--as-user", "cadre_tudi"])
    assert refused.exit_code == 1
    assert (Household.objects.count(), Person.objects.count()) == (households, persons)


def test_unknown_batches_and_files_fail_clearly(
    tudi_cadre: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    missing = runner.invoke(app, ["excel", "import", "households", "无.xlsx"])
    unknown = runner.invoke(app, ["excel", "apply", "00000000-0000-0000-0000-000000000000"])
    errors = runner.invoke(app, ["excel", "errors", "不是编号", str(tmp_path / "e.xlsx")])

    assert (missing.exit_code, unknown.exit_code, errors.exit_code) == (1, 1, 1)
    assert "找不到文件：无.xlsx" in missing.output
    assert unknown.output == "错误：未找到该导入批次\n"
    assert errors.output == "错误：未找到该导入批次\n"
    assert not (tmp_path / "e.xlsx").exists()
