"""The error workbook: exact issue lines, red fill exactly on the failing cells, comments with
the reasons, and formula-like values written as text."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from fangpin.sheets.errorbook import CellIssue, write_error_workbook
from fangpin.sheets.template import TemplateColumn

COLUMNS = [
    TemplateColumn("id_number", "身份证号码", required=True, kind="id"),
    TemplateColumn("name", "姓名", required=True),
    TemplateColumn("income", "年收入", kind="money"),
]
FAILING_ROWS = [
    (3, ["433***********0012", "=cmd", "-5"]),
    (7, ["110***********123X", "", "abc"]),
    (9, ["433***********0030", "李四", "100"]),
]
ISSUES = [
    CellIssue(3, "name", "=cmd", "姓名含有非法字符"),
    CellIssue(3, "income", "-5", "金额不能为负数"),
    CellIssue(7, "name", "", "必填项为空"),
    CellIssue(7, "income", "abc", "金额“abc”不是数字"),
    CellIssue(7, "income", "abc", "另一原因"),
    CellIssue(9, "", "", "与第4行的身份证号码重复"),
]
FILE_ISSUES = ["缺少必需的列：出生日期", "@SUM(A1)"]


@pytest.fixture
def book_path(tmp_path: Path) -> Path:
    path = tmp_path / "errors.xlsx"
    write_error_workbook(
        path,
        title="家庭成员导入：错误报告",
        columns=COLUMNS,
        failing_rows=FAILING_ROWS,
        issues=ISSUES,
        file_issues=FILE_ISSUES,
    )
    return path


def test_issue_list_lines(book_path: Path) -> None:
    book = openpyxl.load_workbook(book_path)

    assert book.sheetnames == ["错误清单", "出错的行"]
    assert book.active.title == "错误清单"
    listing = book["错误清单"]
    assert [[c.value for c in row] for row in listing.iter_rows()] == [
        ["家庭成员导入：错误报告", None, None, None],
        ["行号", "列", "值", "原因"],
        [None, None, None, "缺少必需的列：出生日期"],
        [None, None, None, "'@SUM(A1)"],
        [3, "姓名", "'=cmd", "姓名含有非法字符"],
        [3, "年收入", "'-5", "金额不能为负数"],
        [7, "姓名", None, "必填项为空"],  # an empty value stays an empty cell
        [7, "年收入", "abc", "金额“abc”不是数字"],
        [7, "年收入", "abc", "另一原因"],
        [9, "", None, "与第4行的身份证号码重复"],
    ]
    assert listing.freeze_panes == "A3"


def test_failing_rows_with_red_cells_and_reasons(book_path: Path) -> None:
    rows = openpyxl.load_workbook(book_path)["出错的行"]

    assert [[c.value for c in row] for row in rows.iter_rows()] == [
        ["原行号", "身份证号码", "姓名", "年收入"],
        [3, "433***********0012", "'=cmd", "'-5"],
        [7, "110***********123X", "", "abc"],
        [9, "433***********0030", "李四", "100"],
    ]
    red = {
        c.coordinate: c.comment.text if c.comment else None
        for row in rows.iter_rows(min_row=2)
        for c in row
        if c.fill.fill_type == "solid" and c.fill.fgColor.rgb == "FFFFC7CE"
    }
    assert red == {
        "C2": "姓名含有非法字符",
        "D2": "金额不能为负数",
        "C3": "必填项为空",
        "D3": "金额“abc”不是数字；另一原因",
        "A4": "与第4行的身份证号码重复",
    }
    plain = [c for row in rows.iter_rows(min_row=2) for c in row if c.coordinate not in red]
    assert [(c.coordinate, c.fill.fill_type, c.comment) for c in plain] == [
        ("A2", None, None), ("B2", None, None), ("A3", None, None), ("B3", None, None),
        ("B4", None, None), ("C4", None, None), ("D4", None, None),
    ]  # fmt: skip
    assert {c.data_type for row in rows.iter_rows(min_row=2) for c in row} == {"n", "s"}
    assert [c.data_type for c in rows["A"][1:]] == ["n", "n", "n"]


def test_no_formula_anywhere(book_path: Path) -> None:
    with zipfile.ZipFile(book_path) as archive:
        sheets = sorted(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
        formulas = {n: len(re.findall(rb"<f[ >]", archive.read(n))) for n in sheets}

    assert formulas == {"xl/worksheets/sheet1.xml": 0, "xl/worksheets/sheet2.xml": 0}


def test_plain_headers_are_their_own_keys() -> None:
    buffer = io.BytesIO()
    write_error_workbook(
        buffer,
        title="部门数据：错误报告",
        columns=["记录编号", "姓名"],
        failing_rows=[(2, ["GA1", "+1"])],
        issues=[CellIssue(2, "姓名", "+1", "姓名含有数字")],
    )

    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert [[c.value for c in r] for r in book["错误清单"].iter_rows(min_row=3)] == [
        [2, "姓名", "'+1", "姓名含有数字"]
    ]
    rows = book["出错的行"]
    assert [c.value for c in rows[2]] == [2, "GA1", "'+1"]
    assert rows["C2"].fill.fgColor.rgb == "FFFFC7CE"
    assert rows["C2"].comment.text == "姓名含有数字"
    assert rows["B2"].fill.fill_type is None


def test_an_empty_report_still_has_both_headers(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    write_error_workbook(path, title="无错误", columns=COLUMNS, failing_rows=[], issues=[])

    book = openpyxl.load_workbook(path)
    assert [[c.value for c in r] for r in book["错误清单"].iter_rows()] == [
        ["无错误", None, None, None],
        ["行号", "列", "值", "原因"],
    ]
    assert [[c.value for c in r] for r in book["出错的行"].iter_rows()] == [
        ["原行号", "身份证号码", "姓名", "年收入"]
    ]
