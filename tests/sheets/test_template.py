"""Import templates: read back with openpyxl — headers, text formats, validations, the hidden
code sheet, the instructions — and never a formula; headers mapped back to keys."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from fangpin.sheets.reading import IMPORT_LIMITS, SheetError, read_table
from fangpin.sheets.template import (
    TemplateColumn,
    canonical_header,
    map_headers,
    template_headers,
    write_template,
)

RELATIONS = tuple(f"关系{i:03d}" for i in range(60))  # 60 × 6 characters: far over 255 inline
COLUMNS = [
    TemplateColumn("id_number", "身份证号码", required=True, kind="id", note="18位，文本格式"),
    TemplateColumn("name", "姓名", required=True),
    TemplateColumn("birth_date", "出生日期", kind="date"),
    TemplateColumn("income", "年收入", kind="money", note="元"),
    TemplateColumn("members", "人数", kind="int"),
    TemplateColumn("in_school", "是否在校", kind="bool"),
    TemplateColumn("relation", "与户主关系", required=True, kind="code", choices=RELATIONS),
    TemplateColumn("village", "所在村", kind="code", choices=("花垣村", "双龙村")),
    TemplateColumn("remark", "备注", width=30),
]
INSTRUCTIONS = ["1. 带＊的列必须填写。", "2. 身份证号码请按文本填写。", '=HYPERLINK("x")']
EXAMPLE = [
    "433124198001010012",
    "张三",
    "1980-01-01",
    "1200.50",
    "3",
    "是",
    "关系000",
    "花垣村",
    "",
]


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "template.xlsx"
    write_template(
        path,
        title="家庭成员导入模板",
        sheet_name="家庭成员",
        columns=COLUMNS,
        instructions=INSTRUCTIONS,
        example_rows=[EXAMPLE],
        rows=500,
    )
    return path


def _validations(sheet: Worksheet) -> dict[str, tuple[object, ...]]:
    return {
        str(v.sqref): (v.type, v.operator, v.formula1, v.formula2, v.error)
        for v in sheet.data_validations.dataValidation
    }


def test_sheets_in_order_with_the_data_sheet_active(template: Path) -> None:
    book = openpyxl.load_workbook(template)

    assert book.sheetnames == ["家庭成员", "填写说明", "代码表"]
    assert [s.sheet_state for s in book.worksheets] == ["visible", "visible", "hidden"]
    assert book.active.title == "家庭成员"
    assert book.properties.title == "家庭成员导入模板"


def test_header_row_marks_required_columns_and_is_frozen(template: Path) -> None:
    sheet = openpyxl.load_workbook(template)["家庭成员"]

    assert [c.value for c in sheet[1]] == [
        "＊身份证号码", "＊姓名", "出生日期", "年收入", "人数", "是否在校", "＊与户主关系",
        "所在村", "备注",
    ]  # fmt: skip
    fills = [c.fill.fgColor.rgb for c in sheet[1]]
    assert fills == ["FFFCE4D6", "FFFCE4D6", *["FFDDEBF7"] * 4, "FFFCE4D6", "FFDDEBF7", "FFDDEBF7"]
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == 1  # no example and no blank rows on the data sheet
    notes = {c.column_letter: c.comment.text for c in sheet[1] if c.comment}
    assert notes == {"A": "18位，文本格式", "D": "元"}


def test_text_columns_are_formatted_as_text_so_ids_stay_text(template: Path) -> None:
    sheet = openpyxl.load_workbook(template)["家庭成员"]

    formats = {k: d.number_format for k, d in sheet.column_dimensions.items()}
    assert formats == {
        "A": "@", "B": "@", "C": "yyyy-mm-dd", "D": "0.00", "E": "0", "F": "@", "G": "@",
        "H": "@", "I": "@",
    }  # fmt: skip
    assert sheet.column_dimensions["I"].width == pytest.approx(30.71, abs=0.01)


def test_data_validations_cover_the_data_rows(template: Path) -> None:
    sheet = openpyxl.load_workbook(template)["家庭成员"]

    assert _validations(sheet) == {
        # between (the default operator) 1900-01-01 and 2099-12-31 as Excel serial days
        "C2:C501": ("date", None, "1", "73050",
                    "“出生日期”应为日期，格式YYYY-MM-DD，如2024-06-30"),
        "D2:D501": ("decimal", "greaterThanOrEqual", "0", None,
                    "“年收入”应为不小于0的金额（元），最多两位小数"),
        "E2:E501": ("whole", "greaterThanOrEqual", "0", None, "“人数”应为不小于0的整数"),
        "F2:F501": ("list", None, '"是,否"', None, "“是否在校”请填“是”或“否”"),
        "G2:G501": ("list", None, "'代码表'!$A$2:$A$61", None, "“与户主关系”请从下拉列表中选择"),
        "H2:H501": ("list", None, "'代码表'!$B$2:$B$3", None, "“所在村”请从下拉列表中选择"),
    }  # fmt: skip


def test_choices_are_written_on_the_hidden_sheet(template: Path) -> None:
    codes = openpyxl.load_workbook(template)["代码表"]

    assert [c.value for c in codes["A"]] == ["与户主关系", *RELATIONS]
    assert [c.value for c in codes["B"] if c.value] == ["所在村", "花垣村", "双龙村"]


def test_instructions_then_the_example_as_text(template: Path) -> None:
    notes = openpyxl.load_workbook(template)["填写说明"]

    rows = [[c.value for c in row] for row in notes.iter_rows()]
    assert [r[0] for r in rows[:4]] == [
        "家庭成员导入模板",
        "1. 带＊的列必须填写。",
        "2. 身份证号码请按文本填写。",
        '\'=HYPERLINK("x")',
    ]
    assert rows[5][0] == "填写示例（示例不会被导入，请在第一个工作表填写）"
    assert rows[6][:2] == ["＊身份证号码", "＊姓名"]
    assert rows[7] == EXAMPLE
    assert {c.data_type for row in notes.iter_rows() for c in row if c.value} == {"s"}


def test_no_cell_holds_a_formula(template: Path) -> None:
    with zipfile.ZipFile(template) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        found = {n: len(re.findall(rb"<f[ >]", archive.read(n))) for n in sheets}

    assert found == {
        "xl/worksheets/sheet1.xml": 0,
        "xl/worksheets/sheet2.xml": 0,
        "xl/worksheets/sheet3.xml": 0,
    }


def test_the_template_reads_back_and_maps_to_its_keys(template: Path) -> None:
    table = read_table(template, limits=IMPORT_LIMITS)

    positions, missing, unknown = map_headers(table.headers, COLUMNS)

    assert table.rows == []
    assert positions == {c.key: i for i, c in enumerate(COLUMNS)}
    assert (missing, unknown) == ([], [])


def test_writes_to_a_binary_stream() -> None:
    buffer = io.BytesIO()
    write_template(
        buffer, title="t", sheet_name="数据", columns=COLUMNS[:2], instructions=[], rows=10
    )

    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames == ["数据", "填写说明", "代码表"]
    assert [c.value for c in book["代码表"]["A"]] == [None]


def test_a_code_column_needs_choices_and_kinds_are_checked() -> None:
    with pytest.raises(ValueError, match="code column 'x' needs its choices"):
        TemplateColumn("x", "X", kind="code")
    with pytest.raises(ValueError, match="unknown template column kind 'number'"):
        TemplateColumn("x", "X", kind="number")  # type: ignore[arg-type]  # the point of it


# --- reading headers back ---------------------------------------------------------------------


def test_canonical_header() -> None:
    assert canonical_header(" ＊ 身份证 号码\u3000") == "*身份证号码"
    assert canonical_header("ＩＤ\u200b") == "ID"


def test_template_headers_accept_each_written_form() -> None:
    accepted = template_headers(COLUMNS[:2])

    assert accepted == {
        "身份证号码": "id_number", "＊身份证号码": "id_number", "*身份证号码": "id_number",
        "姓名": "name", "＊姓名": "name", "*姓名": "name",
    }  # fmt: skip


def test_map_headers_reports_missing_required_and_unknown() -> None:
    headers = ["备注", " 姓 名 ", "", "＊身份证号码", "电话", "出生日期\u3000", "*所在村"]

    positions, missing, unknown = map_headers(headers, COLUMNS)

    assert positions == {"remark": 0, "name": 1, "id_number": 3, "birth_date": 5, "village": 6}
    assert missing == ["与户主关系"]
    assert unknown == ["电话"]


def test_map_headers_refuses_a_column_named_twice() -> None:
    with pytest.raises(SheetError) as raised:
        map_headers(["姓名", "＊姓名"], COLUMNS)

    assert (raised.value.code, raised.value.message) == ("columns", "列“姓名”在表头中出现了两次")
