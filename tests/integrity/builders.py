"""Small hand-built Arrow inputs for the integrity detectors.

Villages are real (NBS 2023, tests/fixtures/regions): 土地村 and 豆旺村 of 龙潭镇, and 民乐镇's
first village, all in 花垣县 433124. Money is built as the registry's decimal(12, 2).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa

from fangpin.contract.registry import FINANCES, HOUSEHOLDS, MONITORINGS, PERSONS
from fangpin.income import all_amount_fields
from fangpin.integrity import ELIMINATIONS, POSTS, VISITS, IntegritySettings

VILLAGE = "433124102201"  # 土地村
OTHER_VILLAGE = "433124102202"  # 豆旺村
FAR_VILLAGE = "433124103201"  # 民乐镇
TOWNSHIP = "433124102000"  # 龙潭镇
COUNTY = "433124000000"  # 花垣县
YEAR = 2024
LINES = {"poverty": 4000, "monitoring": 7100}
SETTINGS = IntegritySettings(lines=LINES)


def number(hid: int, village: str = VILLAGE) -> str:
    return f"{village}{hid:06d}"


def households(ids: Iterable[int], village: str = VILLAGE, status: str = "active") -> pa.Table:
    ids = list(ids)
    return pa.table(
        {
            "household_id": pa.array(ids, pa.int64()),
            "household_number": [number(i, village) for i in ids],
            "village_code": [village] * len(ids),
            "status": [status] * len(ids),
        }
    )


def concat(*tables: pa.Table) -> pa.Table:
    return pa.concat_tables(tables)


def finance(hid: int, size: int = 1, year: int = YEAR, **amounts: float) -> dict[str, Any]:
    """A finance row: every amount 0 unless given (yuan)."""
    row: dict[str, Any] = {"household_id": hid, "year": year, "household_size": size}
    for name in all_amount_fields():
        row[name] = Decimal(str(amounts.pop(name, 0))).quantize(Decimal("0.01"))
    assert not amounts, f"unknown amount fields {sorted(amounts)}"
    return row


def finances(rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(list(rows), schema=FINANCES)


def finance_columns(ids: Any, size: Any = 1, **amounts: Any) -> pa.Table:
    """Finance rows of YEAR built from numpy arrays (float yuan, fast for thousands of rows)."""
    ids = np.asarray(ids, dtype=np.int64)
    n = len(ids)
    columns = {name: pa.array(np.zeros(n)) for name in all_amount_fields()}
    for name, values in amounts.items():
        assert name in columns, name
        columns[name] = pa.array(np.asarray(values, dtype=np.float64))
    return pa.table(
        {
            "household_id": pa.array(ids, pa.int64()),
            "year": pa.array(np.full(n, YEAR), pa.int16()),
            "household_size": pa.array(np.broadcast_to(size, n), pa.int16()),
            **columns,
        }
    )


def person(
    pid: int,
    hid: int,
    *,
    labour: str = "10",
    months: int = 0,
    employer: str = "",
    status: str = "active",
    death: date | None = None,
) -> dict[str, Any]:
    return {
        "person_id": pid,
        "household_id": hid,
        "labour_ability": labour,
        "migrant_work_months": months,
        "migrant_employer": employer,
        "status": status,
        "death_date": death,
    }


PERSON_COLUMNS = (
    "person_id",
    "household_id",
    "labour_ability",
    "migrant_work_months",
    "migrant_employer",
    "status",
    "death_date",
)


def persons(rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    schema = pa.schema([PERSONS.field(n) for n in PERSON_COLUMNS])
    return pa.Table.from_pylist(list(rows), schema=schema)


def elimination(
    hid: int,
    eliminated: date,
    *,
    identified: date = date(2023, 6, 1),
    village: str = VILLAGE,
    mode: str = "assisted",
    by: str = "龙潭镇",
    income: float | None = 9000.0,
) -> dict[str, Any]:
    return {
        "household_id": hid,
        "village_code": village,
        "identified_on": identified,
        "eliminated_on": eliminated,
        "mode": mode,
        "decided_by": by,
        "per_capita_income_at_elimination": income,
    }


def eliminations(rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(list(rows), schema=ELIMINATIONS)


def visit(
    vid: int,
    hid: int,
    notes: str,
    *,
    visitor: str = "张三",
    village: str = VILLAGE,
    on: date = date(2024, 5, 1),
) -> dict[str, Any]:
    return {
        "visit_id": vid,
        "household_id": hid,
        "village_code": village,
        "visitor": visitor,
        "visited_on": on,
        "notes": notes,
    }


def visits(rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(list(rows), schema=VISITS)


def posts(rows: Iterable[tuple[int, int]]) -> pa.Table:
    return pa.Table.from_pylist([{"household_id": h, "year": y} for h, y in rows], schema=POSTS)


def monitorings(
    numbers: Iterable[str], identified: date = date(2023, 3, 1), *, current: bool = True
) -> pa.Table:
    numbers = list(numbers)
    schema = pa.schema(
        [MONITORINGS.field(n) for n in ("household_number", "identified_month", "is_current")]
    )
    return pa.table(
        {
            "household_number": numbers,
            "identified_month": [identified] * len(numbers),
            "is_current": [current] * len(numbers),
        },
        schema=schema,
    )


def full_households(ids: Iterable[int], village: str = VILLAGE) -> pa.Table:
    """Households with every registry column, as a snapshot has them."""
    rows = [
        {
            "household_id": i,
            "household_number": f"{village}{i:06d}",
            "village_code": village,
            "natural_village": "一组",
            "address": "某村一组",
            "household_type": "2",
            "phone": "",
            "is_relocated": False,
            "relocation_mode": "",
            "relocation_site": "",
            "status": "active",
        }
        for i in ids
    ]
    return pa.Table.from_pylist(rows, schema=HOUSEHOLDS)
