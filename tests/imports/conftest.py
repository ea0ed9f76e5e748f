"""Fixtures for the import tests: the registry's region world and actors, and file writers."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from fangpin import idnumber
from fangpin.imports.specs import columns_for
from tests.registry.conftest import (  # noqa: F401 - fixtures, re-exported for this package
    DOUWANG,
    HUAYUAN_COUNTY,
    TUDI,
    actor,
    counts,
    douwang_cadre,
    family,
    luxi_approver,
    person_input,
    tudi_cadre,
    village,
)

HEADERS = {
    c.key: c.header
    for e in ("households", "members", "finances", "conditions")
    for c in columns_for(e)
}


def headers_of(entity: str, keys: Sequence[str]) -> list[str]:
    by_key = {c.key: c.header for c in columns_for(entity)}
    return [by_key[k] for k in keys]


def write_xlsx(path: Path, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    """An .xlsx with text cells (numbers and dates only where a test puts them)."""
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    sheet = workbook.add_worksheet("数据")
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                sheet.write_boolean(r, col, value)
            elif isinstance(value, int | float):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, str(value))
    workbook.close()
    return path


def write_csv(path: Path, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
    return path


@pytest.fixture
def ids() -> Callable[..., str]:
    """Valid 花垣县 ID numbers, a new sequence code per call (odd: men, even: women)."""
    counter = itertools.count(1)

    def make(birth: date = date(1980, 5, 1), *, female: bool = False) -> str:
        sequence = next(counter) * 2 + (0 if female else 1)
        return idnumber.build("433124", birth, sequence)

    return make


@pytest.fixture
def xlsx(tmp_path: Path) -> Callable[..., Path]:
    counter = itertools.count(1)

    def make(headers: Sequence[str], rows: Sequence[Sequence[object]], *, name: str = "") -> Path:
        return write_xlsx(tmp_path / (name or f"upload{next(counter)}.xlsx"), headers, rows)

    return make


def as_rows(records: Sequence[dict[str, Any]], keys: Sequence[str]) -> list[list[Any]]:
    return [[record.get(k, "") for k in keys] for record in records]


def unique_ids(
    count: int, *, first_birth: date = date(1960, 1, 1), female: bool = False
) -> list[str]:
    """``count`` distinct valid 花垣县 ID numbers: 400 per birth date, then the next day."""
    from datetime import timedelta

    out = []
    for i in range(count):
        birth = first_birth + timedelta(days=i // 400)
        out.append(idnumber.build("433124", birth, (i % 400) * 2 + (0 if female else 1)))
    return out
