"""Formula injection on export (SECURITY.md scenario 12): every formula-like value is a text
cell prefixed ``'``, no ``<f>`` in the sheet XML; numbers and dates only where declared."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from fangpin.sheets.writer import (
    FORMULA_PREFIXES,
    Column,
    csv_lines,
    safe_text,
    write_csv,
    write_xlsx,
)

COLUMNS = [
    Column("name", "姓名"),
    Column("count", "人数", kind="int"),
    Column("income", "收入", kind="money"),
    Column("day", "日期", kind="date"),
]


def test_formula_prefixes() -> None:
    assert FORMULA_PREFIXES == ("=", "+", "-", "@", "\t", "\r", "＝")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, ""), ("张三", "张三"), ("=1+1", "'=1+1"), ("＝SUM(A1)", "'＝SUM(A1)"),
     ("\tx", "'\tx"), ("a=b", "a=b"), (dt.date(2024, 6, 30), "2024-06-30"), (-5, "'-5"),
     (12, "12")],
)  # fmt: skip
def test_safe_text(value: object, expected: str) -> None:
    assert safe_text(value) == expected


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_formula_like_values_are_text_in_every_column(tmp_path: Path, prefix: str) -> None:
    payload = prefix + 'HYPERLINK("http://x","点此")'
    path = tmp_path / "out.xlsx"

    count = write_xlsx(
        path,
        sheet_name="导出",
        columns=COLUMNS,
        rows=[[payload, payload, payload, payload]],
        title=payload,
        note=payload,
    )

    sheet = openpyxl.load_workbook(path)["导出"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]

    def shown(value: object) -> str:
        # XlsxWriter stores a carriage return as the OOXML escape _x000D_ (Excel shows "\r");
        # openpyxl returns the escape as it is.
        return str(value).replace("_x000D_", "\r")

    assert count == 1
    assert [shown(c.value) for c in sheet[4]] == ["'" + payload] * 4
    assert [shown(sheet["A1"].value), shown(sheet["A2"].value)] == ["'" + payload] * 2
    assert {c.data_type for c in cells} == {"s"}
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    assert re.findall(rb"<f[ >]", xml) == []


def test_numbers_and_dates_only_in_declared_columns() -> None:
    buffer = io.BytesIO()
    write_xlsx(
        buffer,
        sheet_name="导出",
        columns=COLUMNS,
        rows=[["12", 3, Decimal("1200.50"), dt.date(2024, 6, 30)], [7, "3", "1.5", "2024-06-30"]],
    )

    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))["导出"]
    assert [(c.value, c.data_type) for c in sheet[2]] == [
        ("12", "s"), (3, "n"), (1200.5, "n"), (dt.datetime(2024, 6, 30), "d"),
    ]  # fmt: skip
    assert [(c.value, c.data_type) for c in sheet[3]] == [
        ("7", "s"), ("3", "s"), ("1.5", "s"), ("2024-06-30", "s"),
    ]  # fmt: skip
    assert sheet["C2"].number_format == "#,##0.00"
    assert sheet.freeze_panes == "A2"


def test_csv_lines_exact() -> None:
    lines = list(
        csv_lines(
            COLUMNS,
            [
                ["=cmd", 3, Decimal("1.50"), dt.date(2024, 6, 30)],
                [None, None, "-1", "a,b"],
                ["\rx", True, "@x", '"q"'],
            ],
        )
    )

    assert lines == [
        "\ufeff姓名,人数,收入,日期\r\n",
        "'=cmd,3,1.50,2024-06-30\r\n",
        ',,\'-1,"a,b"\r\n',
        '"\'\rx",True,\'@x,"""q"""\r\n',
    ]


def test_write_csv_counts_rows() -> None:
    target = io.StringIO()

    count = write_csv(target, columns=COLUMNS[:1], rows=[["+1"], ["张三"]])

    assert count == 2
    assert target.getvalue() == "\ufeff姓名\r\n'+1\r\n张三\r\n"
