"""Write tables to Excel (.xlsx, XlsxWriter) and CSV safely and in constant memory.

Formula injection (SECURITY.md scenario 12, ASVS 1.2.10): no cell is ever written as a
formula. Text goes in with ``write_string`` only, and text that a spreadsheet would read as a
formula or a control — starting with ``= + - @``, a tab, a carriage return or the full-width
``＝`` — is prefixed with an apostrophe (:func:`safe_text`). Numbers are written as numbers
only in columns declared numeric, and only when the value really is a number, so a string
never becomes one either.

The .xlsx writer runs XlsxWriter in ``constant_memory`` mode: each row is flushed to a
temporary file as it is written, so a million-row export needs a few megabytes of memory.
CSV is UTF-8 with a byte-order mark, which Excel on Chinese Windows needs to read it as UTF-8.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Final, Literal, TypeGuard

import xlsxwriter

__all__ = [
    "FORMULA_PREFIXES",
    "Column",
    "csv_lines",
    "safe_text",
    "write_csv",
    "write_xlsx",
]

FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r", "＝")
"""First characters that make a spreadsheet treat a cell as a formula or a control."""

Kind = Literal["text", "int", "money", "number", "date"]


@dataclass(frozen=True, slots=True)
class Column:
    """One exported column: its key, its Chinese header and how its values are written."""

    key: str
    header: str
    kind: Kind = "text"
    width: int = 0  # characters; 0: from the header


def safe_text(value: object) -> str:
    """``value`` as text that no spreadsheet evaluates: formula-like text gets a leading ``'``.

    ``None`` is the empty string; dates are ISO (``2024-06-30``); everything else is ``str``.
    """
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _is_number(value: object) -> TypeGuard[int | float | Decimal]:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def write_xlsx(
    target: str | Path | IO[bytes],
    *,
    sheet_name: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[object]],
    title: str = "",
    note: str = "",
) -> int:
    """Write ``rows`` under ``columns`` to one sheet; return the number of data rows written.

    ``title`` (bold) and ``note`` take the first rows when given; the header row follows and is
    frozen. Every text cell is written as a string (never a formula); ``int``/``money``/
    ``number`` columns are numbers when the value is one, ``date`` columns real dates.
    """
    workbook = xlsxwriter.Workbook(
        target,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    try:
        sheet = workbook.add_worksheet(sheet_name[:31])
        bold = workbook.add_format({"bold": True})
        header_format = workbook.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}
        )
        money = workbook.add_format({"num_format": "#,##0.00"})
        day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        text_format = workbook.add_format({"num_format": "@"})
        row_at = 0
        if title:
            sheet.write_string(row_at, 0, safe_text(title), bold)
            row_at += 1
        if note:
            sheet.write_string(row_at, 0, safe_text(note))
            row_at += 1
        for col, column in enumerate(columns):
            width = column.width or max(8, min(40, 2 * len(column.header) + 2))
            sheet.set_column(col, col, width, text_format if column.kind == "text" else None)
            sheet.write_string(row_at, col, safe_text(column.header), header_format)
        sheet.freeze_panes(row_at + 1, 0)
        count = 0
        for values in rows:
            row_at += 1
            count += 1
            for col, (column, value) in enumerate(zip(columns, values, strict=True)):
                if value is None or value == "":
                    continue
                if column.kind in ("int", "number") and _is_number(value):
                    sheet.write_number(row_at, col, float(value))
                elif column.kind == "money" and _is_number(value):
                    sheet.write_number(row_at, col, float(value), money)
                elif (
                    column.kind == "date"
                    and isinstance(value, dt.date)
                    and not isinstance(value, dt.datetime)
                ):
                    sheet.write_datetime(
                        row_at, col, dt.datetime(value.year, value.month, value.day), day
                    )
                else:
                    sheet.write_string(row_at, col, safe_text(value))
        return count
    finally:
        workbook.close()


def csv_lines(columns: Sequence[Column], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """The CSV text line by line (header first, BOM on the first line): for streaming."""

    class _Line:
        value = ""

        def write(self, text: str) -> int:
            self.value += text
            return len(text)

    line = _Line()
    writer = csv.writer(line, lineterminator="\r\n")
    writer.writerow([safe_text(c.header) for c in columns])
    yield "\ufeff" + line.value
    for values in rows:
        line.value = ""
        writer.writerow([_csv_cell(v) for v in values])
        yield line.value


def _csv_cell(value: Any) -> str:
    if _is_number(value):
        return str(value)
    return safe_text(value)


def write_csv(
    target: IO[str], *, columns: Sequence[Column], rows: Iterable[Sequence[object]]
) -> int:
    """Write the CSV (UTF-8 with BOM) to an open text file; return the number of data rows."""
    count = -1
    for count, text in enumerate(csv_lines(columns, rows)):  # noqa: B007 - count is the result
        target.write(text)
    return count
