"""Blank import templates (.xlsx) that keep Excel from spoiling the data, and reading their
headers back.

A template has three sheets. The data sheet comes first and is active: one header row (row 1,
frozen), required headers marked with a leading ``＊`` and their own fill, each column's
``note`` as a cell comment. Its columns are formatted for ``rows`` data rows so that Excel
keeps what is typed: ID numbers, codes and text as text (``@``: an 18-digit ID never becomes
``4.33124E+17``), dates ``yyyy-mm-dd`` with a date validation, money and counts with a
number validation (≥ 0), yes/no a 是/否 list, coded fields a drop-down list. The drop-down
lists live on a hidden sheet (``代码表``, one column per coded field) and the validation refers
to that range, because a list written inline may not exceed 255 characters. The second sheet,
「填写说明」, holds the title, the instructions and the example rows (examples are never put
on the data sheet, where an import would read them as data). No cell holds a formula: every
text goes in with ``write_string`` through :func:`~fangpin.sheets.writer.safe_text`.

:func:`map_headers` reads a filled-in template's header row back: a header matches with or
without the ``＊``, in full-width or half-width characters, with spaces anywhere.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final, Literal

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from fangpin.sheets.reading import SheetError
from fangpin.sheets.writer import safe_text

__all__ = [
    "INSTRUCTIONS_SHEET",
    "REQUIRED_MARK",
    "TemplateColumn",
    "canonical_header",
    "map_headers",
    "template_headers",
    "write_template",
]

TemplateKind = Literal["text", "id", "date", "money", "int", "bool", "code"]

REQUIRED_MARK: Final = "＊"
INSTRUCTIONS_SHEET: Final = "填写说明"
BOOL_CHOICES: Final = ("是", "否")
_KINDS: Final = frozenset({"text", "id", "date", "money", "int", "bool", "code"})
_INVISIBLE: Final = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_FIRST_DATE: Final = dt.date(1900, 1, 1)
_LAST_DATE: Final = dt.date(2099, 12, 31)
_REQUIRED_FILL: Final = "#FCE4D6"
_OPTIONAL_FILL: Final = "#DDEBF7"


@dataclass(frozen=True, slots=True)
class TemplateColumn:
    """One column of an import template: its key, its Chinese header and what it holds.

    ``kind``: ``text``, ``id`` (an ID number, kept as text), ``date``, ``money`` (yuan, ≥ 0),
    ``int`` (≥ 0), ``bool`` (是/否) or ``code`` (one of ``choices``, as a drop-down list).
    ``note`` becomes the header cell's comment; ``width`` is in characters (0: from the header).
    """

    key: str
    header: str
    required: bool = False
    kind: TemplateKind = "text"
    choices: tuple[str, ...] = ()
    note: str = ""
    width: int = 0

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"unknown template column kind {self.kind!r}")
        if self.kind == "code" and not self.choices:
            raise ValueError(f"code column {self.key!r} needs its choices")


def write_template(
    target: str | Path | IO[bytes],
    *,
    title: str,
    sheet_name: str,
    columns: Sequence[TemplateColumn],
    instructions: Sequence[str],
    example_rows: Sequence[Sequence[object]] = (),
    rows: int = 20_000,
    choices_sheet: str = "代码表",
) -> None:
    """Write the blank template for ``columns`` to ``target`` (a path or a binary file).

    ``rows`` data rows (rows 2 to ``rows + 1``) get the column formats and validations.
    ``example_rows`` are shown, as text, under the instructions on 「填写说明」.
    """
    workbook = xlsxwriter.Workbook(target, {"strings_to_formulas": False, "strings_to_urls": False})
    try:
        workbook.set_properties({"title": title})
        data = workbook.add_worksheet(sheet_name[:31])
        notes = workbook.add_worksheet(INSTRUCTIONS_SHEET)
        codes = workbook.add_worksheet(choices_sheet[:31])
        _write_data_sheet(workbook, data, codes, columns, rows=rows)
        _write_instructions(workbook, notes, title, columns, instructions, example_rows)
        codes.hide()
        data.activate()
    finally:
        workbook.close()


def _write_data_sheet(
    workbook: xlsxwriter.Workbook,
    data: Worksheet,
    codes: Worksheet,
    columns: Sequence[TemplateColumn],
    *,
    rows: int,
) -> None:
    header_base: dict[str, Any] = {"bold": True, "border": 1, "text_wrap": True, "valign": "top"}
    required_header = workbook.add_format(
        {**header_base, "bg_color": _REQUIRED_FILL, "font_color": "#C00000"}
    )
    optional_header = workbook.add_format({**header_base, "bg_color": _OPTIONAL_FILL})
    formats: dict[str, Format] = {
        "text": workbook.add_format({"num_format": "@"}),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "money": workbook.add_format({"num_format": "0.00"}),
        "int": workbook.add_format({"num_format": "0"}),
    }
    code_header = workbook.add_format({"bold": True})
    last_row = rows  # zero-based: data rows are 1..rows
    code_column = 0
    for col, column in enumerate(columns):
        header = _shown_header(column)
        width = column.width or max(10, min(40, 2 * len(header) + 4))
        data.set_column(col, col, width, formats.get(column.kind, formats["text"]))
        data.write_string(
            0, col, safe_text(header), required_header if column.required else optional_header
        )
        if column.note:
            data.write_comment(0, col, safe_text(column.note), {"x_scale": 2, "y_scale": 1.5})
        validation = _validation(column, choices_sheet=codes.name, code_column=code_column)
        if column.kind == "code":
            codes.write_string(0, code_column, safe_text(column.header), code_header)
            for offset, choice in enumerate(column.choices, start=1):
                codes.write_string(offset, code_column, safe_text(choice))
            code_column += 1
        if validation is not None and rows > 0:
            data.data_validation(1, col, last_row, col, validation)
    data.freeze_panes(1, 0)


def _validation(
    column: TemplateColumn, *, choices_sheet: str, code_column: int
) -> dict[str, Any] | None:
    """The Excel data validation for ``column``'s data cells (``None``: free text)."""
    header = column.header
    if column.kind == "date":
        return {
            "validate": "date",
            "criteria": "between",
            "minimum": _FIRST_DATE,
            "maximum": _LAST_DATE,
            "error_title": "日期无效",
            "error_message": f"“{header}”应为日期，格式YYYY-MM-DD，如2024-06-30",
        }
    if column.kind == "money":
        return {
            "validate": "decimal",
            "criteria": ">=",
            "value": 0,
            "error_title": "金额无效",
            "error_message": f"“{header}”应为不小于0的金额（元），最多两位小数",
        }
    if column.kind == "int":
        return {
            "validate": "integer",
            "criteria": ">=",
            "value": 0,
            "error_title": "数字无效",
            "error_message": f"“{header}”应为不小于0的整数",
        }
    if column.kind == "bool":
        return {
            "validate": "list",
            "source": list(BOOL_CHOICES),
            "error_title": "取值无效",
            "error_message": f"“{header}”请填“是”或“否”",
        }
    if column.kind == "code":
        letter = xl_col_to_name(code_column)
        quoted = choices_sheet.replace("'", "''")
        last = len(column.choices) + 1
        return {
            "validate": "list",
            "source": f"='{quoted}'!${letter}$2:${letter}${last}",
            "error_title": "取值无效",
            "error_message": f"“{header}”请从下拉列表中选择",
        }
    return None


def _write_instructions(
    workbook: xlsxwriter.Workbook,
    sheet: Worksheet,
    title: str,
    columns: Sequence[TemplateColumn],
    instructions: Sequence[str],
    example_rows: Sequence[Sequence[object]],
) -> None:
    bold = workbook.add_format({"bold": True, "font_size": 14})
    header = workbook.add_format({"bold": True, "bg_color": _OPTIONAL_FILL, "border": 1})
    text = workbook.add_format({"num_format": "@"})
    sheet.set_column(0, 0, 60)
    sheet.set_column(1, max(len(columns) - 1, 1), 16)
    row = 0
    sheet.write_string(row, 0, safe_text(title), bold)
    for line in instructions:
        row += 1
        sheet.write_string(row, 0, safe_text(line))
    if example_rows:
        row += 2
        sheet.write_string(row, 0, "填写示例（示例不会被导入，请在第一个工作表填写）", bold)
        row += 1
        for col, column in enumerate(columns):
            sheet.write_string(row, col, safe_text(_shown_header(column)), header)
        for values in example_rows:
            row += 1
            for col, value in enumerate(values):
                sheet.write_string(row, col, safe_text(value), text)


def _shown_header(column: TemplateColumn) -> str:
    return REQUIRED_MARK + column.header if column.required else column.header


def canonical_header(text: str) -> str:
    """A header as compared: NFKC (``＊`` → ``*``, full-width → ASCII), no spaces anywhere."""
    normal = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in normal if not ch.isspace() and ch not in _INVISIBLE)


def template_headers(columns: Sequence[TemplateColumn]) -> dict[str, str]:
    """Accepted header text → column key: each header with and without the ``＊``, as written
    and in canonical form (:func:`canonical_header`)."""
    accepted: dict[str, str] = {}
    for column in columns:
        for form in (column.header, REQUIRED_MARK + column.header, "*" + column.header):
            accepted[form] = column.key
            accepted[canonical_header(form)] = column.key
    return accepted


def map_headers(
    headers: list[str], columns: Sequence[TemplateColumn]
) -> tuple[dict[str, int], list[str], list[str]]:
    """Match a file's header row to ``columns``.

    Returns ``(positions, missing_required, unknown)``: column key → zero-based position;
    the headers (without ``＊``) of required columns the file lacks, in column order; the
    file's non-blank headers that match no column, as written. A column named twice is a
    :class:`~fangpin.sheets.reading.SheetError` (``columns``).
    """
    accepted = template_headers(columns)
    header_of = {c.key: c.header for c in columns}
    positions: dict[str, int] = {}
    unknown: list[str] = []
    for position, header in enumerate(headers):
        written = "" if header is None else str(header)
        canonical = canonical_header(written)
        if not canonical:
            continue
        key = accepted.get(canonical)
        if key is None:
            unknown.append(written.strip())
            continue
        if key in positions:
            raise SheetError("columns", f"列“{header_of[key]}”在表头中出现了两次")
        positions[key] = position
    missing = [c.header for c in columns if c.required and c.key not in positions]
    return positions, missing, unknown
