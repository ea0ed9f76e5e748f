"""The error workbook of a refused import: every problem listed, and the failing rows with
the failing cells marked.

Two sheets. 「错误清单」: the title, then one line per problem (行号, 列, 值, 原因), the
file-level problems first (without a row), then the cell problems in the order given.
「出错的行」: 原行号 and the template's columns, one line per failing row, each failing cell
filled red (``#FFC7CE``) with a comment holding its reason(s); a problem with the row as a
whole (its ``column_key`` names no column) marks the 原行号 cell instead.

The caller passes values **already masked** — an ID number as ``433***********0012``, names
as the export rules say (SECURITY.md scenarios 16 and 26): this module writes what it is
given. No cell is ever a formula: text goes in with ``write_string`` through
:func:`~fangpin.sheets.writer.safe_text` (``=cmd`` is written ``'=cmd``); row numbers are
numbers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

import xlsxwriter

from fangpin.sheets.template import TemplateColumn
from fangpin.sheets.writer import safe_text

__all__ = [
    "BAD_FILL",
    "ISSUES_SHEET",
    "ROWS_SHEET",
    "CellIssue",
    "write_error_workbook",
]

ISSUES_SHEET: Final = "错误清单"
ROWS_SHEET: Final = "出错的行"
ISSUE_HEADERS: Final = ("行号", "列", "值", "原因")
ROW_NUMBER_HEADER: Final = "原行号"
BAD_FILL: Final = "#FFC7CE"
_BAD_FONT: Final = "#9C0006"


@dataclass(frozen=True, slots=True)
class CellIssue:
    """One problem in one cell. ``row`` is the spreadsheet row (the header is row 1);
    ``value`` is as the report may show it (masked by the caller)."""

    row: int
    column_key: str
    value: str
    reason: str


def write_error_workbook(
    target: str | Path | IO[bytes],
    *,
    title: str,
    columns: Sequence[TemplateColumn] | Sequence[str],
    failing_rows: Sequence[tuple[int, Sequence[object]]],
    issues: Sequence[CellIssue],
    file_issues: Sequence[str] = (),
) -> None:
    """Write the error workbook to ``target`` (a path or a binary file).

    ``columns`` are the template's columns, or plain headers (then a header is its own key).
    ``failing_rows`` are ``(row number, values in column order)``, values masked.
    """
    keys = [c.key if isinstance(c, TemplateColumn) else c for c in columns]
    headers = [c.header if isinstance(c, TemplateColumn) else c for c in columns]
    label_of = dict(zip(keys, headers, strict=True))
    workbook = xlsxwriter.Workbook(target, {"strings_to_formulas": False, "strings_to_urls": False})
    try:
        bold = workbook.add_format({"bold": True, "font_size": 14})
        header_format = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        text = workbook.add_format({"num_format": "@"})
        bad = workbook.add_format(
            {"bg_color": BAD_FILL, "font_color": _BAD_FONT, "num_format": "@"}
        )
        bad_number = workbook.add_format({"bg_color": BAD_FILL, "font_color": _BAD_FONT})

        listing = workbook.add_worksheet(ISSUES_SHEET)
        listing.write_string(0, 0, safe_text(title), bold)
        for col, (header, width) in enumerate(zip(ISSUE_HEADERS, (8, 20, 24, 60), strict=True)):
            listing.set_column(col, col, width, text if col else None)
            listing.write_string(1, col, header, header_format)
        listing.freeze_panes(2, 0)
        at = 1
        for message in file_issues:
            at += 1
            listing.write_string(at, 3, safe_text(message))
        for issue in issues:
            at += 1
            listing.write_number(at, 0, issue.row)
            listing.write_string(at, 1, safe_text(label_of.get(issue.column_key, issue.column_key)))
            if issue.value:  # an empty cell stays empty, as in the uploaded file
                listing.write_string(at, 2, safe_text(issue.value))
            listing.write_string(at, 3, safe_text(issue.reason))

        reasons: dict[tuple[int, str], list[str]] = defaultdict(list)
        for issue in issues:
            key = issue.column_key if issue.column_key in label_of else ""
            reasons[(issue.row, key)].append(issue.reason)
        rows_sheet = workbook.add_worksheet(ROWS_SHEET)
        rows_sheet.set_column(0, 0, 8)
        rows_sheet.write_string(0, 0, ROW_NUMBER_HEADER, header_format)
        for col, header in enumerate(headers, start=1):
            rows_sheet.set_column(col, col, max(10, min(40, 2 * len(header) + 4)), text)
            rows_sheet.write_string(0, col, safe_text(header), header_format)
        rows_sheet.freeze_panes(1, 1)
        for at, (row_number, values) in enumerate(failing_rows, start=1):
            row_reasons = reasons.get((row_number, ""))
            rows_sheet.write_number(at, 0, row_number, bad_number if row_reasons else None)
            if row_reasons:
                rows_sheet.write_comment(at, 0, safe_text("；".join(row_reasons)))
            for col, (key, value) in enumerate(zip(keys, values, strict=True), start=1):
                cell_reasons = reasons.get((row_number, key))
                if cell_reasons:
                    rows_sheet.write_string(at, col, safe_text(value), bad)
                    rows_sheet.write_comment(at, col, safe_text("；".join(cell_reasons)))
                elif value is not None and value != "":
                    rows_sheet.write_string(at, col, safe_text(value))
        listing.activate()
    finally:
        workbook.close()
