"""Cells to values, and problems to issues: the layer between the sheet reader and the checks.

Cell normalisation (full-width digits, spaces, dates typed many ways, an ID number stored as a
number …) is :mod:`fangpin.sheets.normalise`; this module picks the normaliser for a column's
kind, maps coded cells to codes (:func:`fangpin.imports.specs.code_from_cell`), and keeps the
issues of a check with every value masked the way the registry masks it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from fangpin.imports.specs import Column, code_from_cell
from fangpin.registry.masking import HEALTH_FIELDS, mask_health, mask_id, mask_phone
from fangpin.sheets import normalise
from fangpin.sheets.normalise import CellError

__all__ = ["MAX_ISSUES", "BadCell", "Findings", "Issue", "display", "parse_cell"]

#: Issues kept in a batch's report (the counts stay complete).
MAX_ISSUES: Final = 20_000
_PHONE_KEYS: Final = ("phone", "household_phone")
_DISPLAY_MAX: Final = 100


class BadCell(Exception):
    """A cell that cannot be read as its column's kind; ``reason`` is Chinese."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def display(column: Column, value: object) -> str:
    """A cell's value as shown in reports: ID and phone numbers masked, health always hidden."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else _plain(value)
    text = text.strip()
    if column.kind == "id":
        return mask_id(text.replace(" ", ""))
    if column.key in _PHONE_KEYS:
        return mask_phone(text.replace(" ", ""))
    if column.key in HEALTH_FIELDS:
        return mask_health(text) if text else ""
    return text[:_DISPLAY_MAX]


def _plain(value: object) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def parse_cell(column: Column, raw: object) -> Any:
    """The value of a cell for ``column``; ``None`` or ``""`` for a blank cell.

    Raises :class:`BadCell` for a cell that is not of the column's kind (an ID number stored
    as a number included).
    """
    if normalise.is_blank(raw):
        return "" if column.kind in ("text", "id", "code") else None
    try:
        if column.kind == "id":
            return normalise.id_text(raw)
        if column.kind == "code":
            text = normalise.text(raw)
            if not column.table:  # a village: "433124102201 土地村" from the drop-down
                return text.partition(" ")[0]
            return code_from_cell(column.table, text)
        if column.kind == "date":
            return normalise.date_value(raw)
        if column.kind == "int":
            return normalise.integer(raw)
        if column.kind == "money":
            return normalise.money(raw)
        if column.kind == "bool":
            return normalise.boolean(raw)
        return normalise.text(raw)
    except CellError as exc:  # IdAsNumberError (an ID stored as a number) is one too
        raise BadCell(exc.reason) from None


@dataclass(frozen=True, slots=True)
class Issue:
    row: int
    column: str
    header: str
    value: str
    reason: str


@dataclass(slots=True)
class Findings:
    """Every problem found in a file, with the failing rows' masked values for the workbook."""

    columns: dict[str, Column]
    issues: list[Issue] = field(default_factory=list)
    total: int = 0
    failing: dict[int, dict[str, str]] = field(default_factory=dict)

    def add(self, row: int, key: str, raw: object, reason: str) -> None:
        column = self.columns[key]
        self.total += 1
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(Issue(row, key, column.header, display(column, raw), reason))

    def remember_row(self, row: int, raws: dict[str, object]) -> None:
        if row not in self.failing and len(self.failing) < MAX_ISSUES:
            self.failing[row] = {
                key: display(self.columns[key], value)
                for key, value in raws.items()
                if value is not None
            }

    def rows_with_issues(self) -> set[int]:
        return {issue.row for issue in self.issues}

    def as_report(self) -> dict[str, Any]:
        order = {key: i for i, key in enumerate(self.columns)}
        issues = sorted(self.issues, key=lambda i: (i.row, order.get(i.column, 0)))
        return {
            "issues": [
                {
                    "row": i.row,
                    "column": i.column,
                    "header": i.header,
                    "value": i.value,
                    "reason": i.reason,
                }
                for i in issues
            ],
            "issues_total": self.total,
            "failing_rows": [
                {"row": row, "values": values} for row, values in sorted(self.failing.items())
            ],
        }
