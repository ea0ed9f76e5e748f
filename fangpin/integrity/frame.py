"""Validated inputs and the vectorised figures every detector shares, computed once per run.

``Data`` holds the conformed tables of one run and derives, lazily and once:

- ``income``: the year's finance rows of active households, sorted by household_id, with each
  component, category total, net income and per-capita net income as int64 **fen** (exact; the
  per-capita rounded half away from zero like ``fangpin.income.derive``);
- ``members``: per household, living members and whether any has labour ability or work;
- ``eliminations``: the eliminations decided in the year.

Everything is numpy/pyarrow over whole columns; no loop runs over rows of a big table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fangpin.codes import table as code_table
from fangpin.income import COMPONENTS, EXPENSE_FIELDS, Category, fields_of
from fangpin.integrity.contract import conform

__all__ = [
    "LEVEL_DIGITS",
    "ONE_OFF_FIELDS",
    "Data",
    "EliminationFrame",
    "IncomeFrame",
    "MemberFrame",
    "codes_index",
    "day",
    "groups",
    "lookup",
    "months",
    "per_capita",
    "region_codes",
    "runs",
]

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Strs = npt.NDArray[np.object_]
Days = npt.NDArray[np.datetime64]

#: One-off transfers (DOMAIN.md §11: disaster relief, insurance payouts). ``fangpin.income`` has
#: no donations field: donations, when recorded, sit in tr_other with recurring items.
ONE_OFF_FIELDS: tuple[str, ...] = ("tr_disaster_relief", "tr_anti_poverty_insurance")

#: The people who count as a household's members: registered and not dead.
LIVING_STATUS = "active"


def _fen(column: pa.ChunkedArray | pa.Array) -> Ints:
    values = np.asarray(pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False))
    result: Ints = np.rint(values * 100.0).astype(np.int64)
    return result


def _ints(column: pa.ChunkedArray | pa.Array) -> Ints:
    return np.asarray(pc.cast(column, pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)


def _strs(column: pa.ChunkedArray | pa.Array) -> Strs:
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=object)


def _days(column: pa.ChunkedArray | pa.Array) -> Days:
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype="datetime64[D]")


def day(value: np.datetime64) -> date:
    """A numpy day as a ``datetime.date``."""
    result: date = value.astype("datetime64[D]").item()
    return result


def months(days: Days) -> Ints:
    """Months since 1970-01 of each day: equal within a calendar month."""
    return days.astype("datetime64[M]").astype(np.int64)


def lookup(keys: Ints, query: Ints) -> tuple[Ints, Bools]:
    """Positions of ``query`` in the sorted unique ``keys`` and whether each was found."""
    if len(keys) == 0:
        return np.zeros(len(query), dtype=np.int64), np.zeros(len(query), dtype=bool)
    pos = np.searchsorted(keys, query)
    clipped = np.minimum(pos, len(keys) - 1)
    return clipped.astype(np.int64), keys[clipped] == query


def per_capita(amount: Ints, size: Ints) -> Ints:
    """``amount ÷ size`` in fen, rounded half away from zero (as ``fangpin.income.derive``)."""
    magnitude = (np.abs(amount) * 2 + size) // (size * 2)
    result: Ints = np.where(amount < 0, -magnitude, magnitude)
    return result


@dataclass(frozen=True)
class IncomeFrame:
    """The year's finances of active households, one row per household, sorted by id."""

    household_id: Ints
    village_code: Strs
    size: Ints
    component: dict[str, Ints]
    category: dict[Category, Ints]
    one_off: Ints
    net: Ints
    per_capita: Ints

    def __len__(self) -> int:
        return len(self.household_id)

    def per_capita_of(self, amount: Ints) -> Ints:
        return per_capita(amount, self.size)


@dataclass(frozen=True)
class MemberFrame:
    """Per household (sorted ids): living members, and whether any has labour or work."""

    household_id: Ints
    living: Ints
    any_labour: Bools
    any_work: Bools


@dataclass(frozen=True)
class EliminationFrame:
    household_id: Ints
    village_code: Strs
    identified_on: Days
    eliminated_on: Days
    mode: Strs
    decided_by: Strs
    per_capita_fen: Ints  # -1 where the figure was not recorded
    has_figure: Bools

    def __len__(self) -> int:
        return len(self.household_id)


class Data:
    """The conformed input tables of one run for ``year``; a table not given is left out."""

    def __init__(
        self,
        *,
        year: int,
        households: pa.Table | None = None,
        persons: pa.Table | None = None,
        finances: pa.Table | None = None,
        monitorings: pa.Table | None = None,
        eliminations: pa.Table | None = None,
        visits: pa.Table | None = None,
        posts: pa.Table | None = None,
    ) -> None:
        self.year = year
        given = {
            "households": households,
            "persons": persons,
            "finances": finances,
            "monitorings": monitorings,
            "eliminations": eliminations,
            "visits": visits,
            "posts": posts,
        }
        self.tables: dict[str, pa.Table] = {
            name: conform(t, name) for name, t in given.items() if t is not None
        }

    def has(self, *names: str) -> bool:
        return all(n in self.tables for n in names)

    def missing(self, *names: str) -> list[str]:
        return [n for n in names if n not in self.tables]

    @cached_property
    def active_households(self) -> pa.Table:
        h = self.tables["households"]
        return h.filter(pc.equal(h.column("status"), "active"))

    @cached_property
    def income(self) -> IncomeFrame:
        f = self.tables["finances"]
        f = f.filter(pc.equal(f.column("year"), self.year))
        f = f.filter(pc.greater_equal(f.column("household_size"), 1))  # a data error, not ours
        h = self.active_households.select(["household_id", "village_code"])
        joined = f.join(h, "household_id", join_type="inner").sort_by("household_id")
        component = {c.field: _fen(joined.column(c.field)) for c in COMPONENTS}
        category: dict[Category, Ints] = {}
        for cat in Category:
            total = np.zeros(joined.num_rows, dtype=np.int64)
            for name in fields_of(cat):
                total += component[name]
            category[cat] = total
        expenses = np.zeros(joined.num_rows, dtype=np.int64)
        for name, _ in EXPENSE_FIELDS:
            expenses += _fen(joined.column(name))
        net = sum(category.values(), np.zeros(joined.num_rows, dtype=np.int64)) - expenses
        size = _ints(joined.column("household_size"))
        one_off = np.zeros(joined.num_rows, dtype=np.int64)
        for name in ONE_OFF_FIELDS:
            one_off += component[name]
        return IncomeFrame(
            household_id=_ints(joined.column("household_id")),
            village_code=_strs(joined.column("village_code")),
            size=size,
            component=component,
            category=category,
            one_off=one_off,
            net=net,
            per_capita=per_capita(net, size),
        )

    @cached_property
    def members(self) -> MemberFrame:
        p = self.tables["persons"]
        living = np.asarray(
            pc.and_(
                pc.equal(p.column("status"), LIVING_STATUS), pc.is_null(p.column("death_date"))
            ).to_numpy(zero_copy_only=False),
            dtype=bool,
        )
        labour_codes = pa.array(code_table("labour_ability").codes_where("has_labour"))
        labour = np.asarray(
            pc.is_in(p.column("labour_ability"), value_set=labour_codes).to_numpy(
                zero_copy_only=False
            ),
            dtype=bool,
        )
        employer = pc.greater(
            pc.utf8_length(pc.utf8_trim_whitespace(p.column("migrant_employer"))), 0
        )
        work = np.asarray(
            pc.or_(pc.greater(p.column("migrant_work_months"), 0), employer).to_numpy(
                zero_copy_only=False
            ),
            dtype=bool,
        )
        ids, inverse = np.unique(_ints(p.column("household_id")), return_inverse=True)
        count = np.bincount(inverse, weights=living, minlength=len(ids)).astype(np.int64)
        with_labour = np.bincount(inverse, weights=living & labour, minlength=len(ids)) > 0
        with_work = np.bincount(inverse, weights=living & work, minlength=len(ids)) > 0
        return MemberFrame(ids.astype(np.int64), count, with_labour, with_work)

    @cached_property
    def eliminations(self) -> EliminationFrame:
        e = self.tables["eliminations"]
        e = e.filter(pc.equal(pc.year(e.column("eliminated_on")), self.year))
        e = e.sort_by(
            [
                ("household_id", "ascending"),
                ("eliminated_on", "ascending"),
                ("decided_by", "ascending"),
            ]
        )
        figure = e.column("per_capita_income_at_elimination")
        has_figure = np.asarray(pc.is_valid(figure).to_numpy(zero_copy_only=False), dtype=bool)
        fen = _fen(pc.fill_null(figure, -0.01)) if e.num_rows else np.zeros(0, dtype=np.int64)
        return EliminationFrame(
            household_id=_ints(e.column("household_id")),
            village_code=_strs(e.column("village_code")),
            identified_on=_days(e.column("identified_on")),
            eliminated_on=_days(e.column("eliminated_on")),
            mode=_strs(e.column("mode")),
            decided_by=_strs(e.column("decided_by")),
            per_capita_fen=fen,
            has_figure=has_figure,
        )


#: Region level → significant digits of its code and the zero padding to 12 digits.
LEVEL_DIGITS: dict[str, tuple[int, str]] = {
    "village": (12, ""),
    "township": (9, "000"),
    "county": (6, "000000"),
}


def groups(keys: Strs) -> list[tuple[str, Ints]]:
    """(key, row indices) for each distinct key, in key order; rows ascending."""
    if len(keys) == 0:
        return []
    codes, inverse = np.unique(keys.astype(str), return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    splits = np.cumsum(np.bincount(inverse, minlength=len(codes)))[:-1]
    return [
        (str(code), rows.astype(np.int64))
        for code, rows in zip(codes, np.split(order, splits), strict=True)
    ]


def region_codes(village_code: Strs, level: str) -> Strs:
    """Each row's 12-digit code at ``level``, sliced once per distinct village (not per row)."""
    length, pad = LEVEL_DIGITS[level]
    if len(village_code) == 0 or level == "village":
        return village_code
    villages, inverse = np.unique(village_code.astype(str), return_inverse=True)
    mapped = np.array([v[:length] + pad for v in villages], dtype=object)
    result: Strs = mapped[inverse]
    return result


def runs(*keys: Ints) -> list[Ints]:
    """Row indices grouped by equal values of every key, groups in key order, rows ascending."""
    n = len(keys[0]) if keys else 0
    if n == 0:
        return []
    order = np.lexsort(tuple(reversed(keys)))  # lexsort sorts by the last key first
    change = np.zeros(n, dtype=bool)
    change[0] = True
    for key in keys:
        sorted_key = key[order]
        change[1:] |= sorted_key[1:] != sorted_key[:-1]
    starts = np.flatnonzero(change)
    return [np.sort(rows) for rows in np.split(order, starts[1:])]


def codes_index(values: Strs) -> tuple[Strs, Ints]:
    """Distinct values (sorted) and each row's index into them."""
    distinct, inverse = np.unique(values.astype(str), return_inverse=True)
    return distinct.astype(object), inverse.astype(np.int64)
