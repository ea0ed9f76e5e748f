"""Build the households × indicators achievement matrix from the registry's Arrow tables.

Pure and vectorised (pyarrow compute and numpy, no row loops): the same function serves a
county snapshot of a few hundred thousand households. Tables follow ``fangpin.contract.registry``
(HOUSEHOLDS, PERSONS, FINANCES, CONDITIONS); extra columns are ignored.

Which rows count:

- Households with status ``active`` only (``cancelled`` ones are gone from the register).
- Members with status ``active`` (not ``deceased``, not ``moved_out``: a member who moved out
  is no longer in the household) of those households.
- The finance row of ``year``. Per-capita net income follows ``fangpin.income``: the sum of
  the component fields (``COMPONENTS``) less ``EXPENSE_FIELDS``, divided by the row's
  ``household_size`` and rounded half away from zero to the fen, exactly like ``derive``.
- The latest checklist (``conditions``) assessed on or before ``as_of``.

A household with no finance row for the year, or no checklist by ``as_of``, is **excluded**
and counted in ``missing`` (never treated as not deprived): a measure over the rest says so.

Achievements, 1 = secured and 0 = not (cutoff 1), except income (yuan per person, cutoff the
line): food and clothing from ``food_secure``/``clothing_secure``; water when all four of
quantity, quality, convenience and reliability pass (the stored ``water_*_ok`` flags of the
2018 criteria, ``fangpin.conditions.assess_water``); housing when the grade is one the code
table marks safe (A, B); education when no active member aged 6–15 on ``as_of`` is a
non-student (``student_status`` 00) without an excused reason (code table
``out_of_school_reason``, ``excused``); medical when every active member has resident or
employee basic medical insurance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from fangpin.codes import table as code_table
from fangpin.income import COMPONENTS, EXPENSE_FIELDS
from fangpin.measures.errors import MeasureError
from fangpin.measures.indicators import DEFAULT_INDICATOR_SET, IndicatorSet
from fangpin.measures.inputs import FloatArray, check_line

__all__ = [
    "ACHIEVEMENT_CODES",
    "COMPULSORY_AGES",
    "HouseholdAchievements",
    "Missing",
    "household_achievements",
]

#: The indicators the builder can fill, by code (an indicator set uses any of them, any order).
ACHIEVEMENT_CODES = ("food", "clothing", "water", "education", "medical", "housing", "income")
#: Compulsory-school ages (DOMAIN.md §6.3: 6–15; some provinces say 6–16).
COMPULSORY_AGES = (6, 15)

_NEEDED = {
    "households": ("household_id", "village_code", "status"),
    "persons": (
        "household_id",
        "birth_date",
        "student_status",
        "out_of_school_reason",
        "has_resident_medical",
        "has_employee_medical",
        "status",
    ),
    "finances": (
        "household_id",
        "year",
        "household_size",
        *(c.field for c in COMPONENTS),
        *(name for name, _ in EXPENSE_FIELDS),
    ),
    "conditions": (
        "household_id",
        "assessed_on",
        "food_secure",
        "clothing_secure",
        "housing_grade",
        "water_quantity_ok",
        "water_quality_ok",
        "water_convenience_ok",
        "water_reliability_ok",
    ),
}


@dataclass(frozen=True, slots=True)
class Missing:
    """Active households left out, by reason (ids ascending); one may lack both."""

    no_finance: tuple[int, ...]
    no_conditions: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(set(self.no_finance) | set(self.no_conditions))


class HouseholdAchievements(NamedTuple):
    """The matrix (rows: households by ascending id; columns: the set's indicators)."""

    achievements: FloatArray
    household_ids: NDArray[np.int64]
    village_codes: NDArray[np.object_]
    household_sizes: NDArray[np.int64]
    cutoffs: FloatArray
    missing: Missing


def _check_columns(tables: dict[str, pa.Table]) -> None:
    for name, columns in _NEEDED.items():
        absent = [c for c in columns if c not in tables[name].column_names]
        if absent:
            raise MeasureError("columns", f"表 {name} 缺少列：{'、'.join(absent)}")


def _numpy(column: pa.ChunkedArray | pa.Array) -> NDArray[np.generic]:
    return np.asarray(column.to_numpy(zero_copy_only=False))


def _per_capita_fen(finances: pa.Table) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Per-capita net income in fen, and household sizes, of each finance row.

    Money is decimal(12, 2): as float64 times 100, rounded, it is the exact number of fen
    (below 2⁵³). Net = Σ components − expenses; per-capita rounds half away from zero.
    """

    def fen(name: str) -> NDArray[np.int64]:
        values = pc.cast(finances.column(name), pa.float64()).fill_null(0.0)
        result: NDArray[np.int64] = np.rint(_numpy(values).astype(np.float64) * 100).astype(
            np.int64
        )
        return result

    net = np.zeros(finances.num_rows, dtype=np.int64)
    for component in COMPONENTS:
        net += fen(component.field)
    for name, _ in EXPENSE_FIELDS:
        net -= fen(name)
    sizes = _numpy(finances.column("household_size")).astype(np.int64)
    if (sizes < 1).any():
        bad = int(_numpy(finances.column("household_id"))[np.flatnonzero(sizes < 1)[0]])
        raise MeasureError("data", f"户 {bad} 的收支记录家庭人口数小于 1，无法计算人均纯收入")
    magnitude = (np.abs(net) * 2 + sizes) // (sizes * 2)
    return np.where(net < 0, -magnitude, magnitude), sizes


def _latest_conditions(conditions: pa.Table, as_of: date) -> pa.Table:
    """Each household's latest checklist assessed on or before ``as_of``.

    Two on the same day: the later row of the input (the sort is stable).
    """
    c = conditions.filter(pc.less_equal(conditions.column("assessed_on"), pa.scalar(as_of)))
    c = c.take(pc.sort_indices(c, [("household_id", "ascending"), ("assessed_on", "ascending")]))
    ids = _numpy(c.column("household_id")).astype(np.int64)
    if ids.size == 0:
        return c
    last = np.append(ids[1:] != ids[:-1], True)
    return c.filter(pa.array(last))


def _ages(births: pa.ChunkedArray, as_of: date) -> NDArray[np.int64]:
    """Completed years on ``as_of``."""
    year = _numpy(pc.year(births)).astype(np.int64)
    month = _numpy(pc.month(births)).astype(np.int64)
    month_day = month * 100 + _numpy(pc.day(births)).astype(np.int64)
    before_birthday = month_day > as_of.month * 100 + as_of.day
    ages: NDArray[np.int64] = as_of.year - year - before_birthday.astype(np.int64)
    return ages


def _member_flags(
    persons: pa.Table, ids: NDArray[np.int64], as_of: date
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Per household (aligned with ``ids``): a child out of school, a member uninsured."""
    p = persons.filter(pc.equal(persons.column("status"), "active"))
    owners = _numpy(p.column("household_id")).astype(np.int64)
    position = np.searchsorted(ids, owners)
    position = np.minimum(position, max(ids.size - 1, 0))
    known = ids.size > 0
    belongs = (ids[position] == owners) if known else np.zeros(owners.size, dtype=bool)
    ages = _ages(p.column("birth_date"), as_of)
    low, high = COMPULSORY_AGES
    excused = code_table("out_of_school_reason").codes_where("excused", True)
    not_students = code_table("student_status").codes_where("in_school", False)
    out_of_school = (
        (ages >= low)
        & (ages <= high)
        & _numpy(pc.is_in(p.column("student_status"), pa.array(not_students))).astype(bool)
        & ~_numpy(pc.is_in(p.column("out_of_school_reason"), pa.array(excused))).astype(bool)
    )
    insured = _numpy(p.column("has_resident_medical")).astype(bool) | _numpy(
        p.column("has_employee_medical")
    ).astype(bool)
    uninsured = ~insured
    counts_child = np.bincount(position[belongs & out_of_school], minlength=ids.size)
    counts_uninsured = np.bincount(position[belongs & uninsured], minlength=ids.size)
    return counts_child > 0, counts_uninsured > 0


def _bools(table: pa.Table, name: str) -> NDArray[np.bool_]:
    values: NDArray[np.bool_] = _numpy(table.column(name)).astype(bool)
    return values


def household_achievements(
    households: pa.Table,
    persons: pa.Table,
    finances: pa.Table,
    conditions: pa.Table,
    *,
    year: int,
    line: float,
    as_of: date,
    indicators: IndicatorSet = DEFAULT_INDICATOR_SET,
) -> HouseholdAchievements:
    """Return the achievement matrix of the active households with a finance row and a checklist.

    ``line`` is the income cutoff (the monitoring line of ``fangpin.policy`` for the year and
    region, or another); it fills ``cutoffs`` for the indicators that use the line. Person
    weights for a person-level measure are ``household_sizes`` (the finance row's size, the
    one income is divided by).
    """
    z = check_line(line)
    tables = {
        "households": households,
        "persons": persons,
        "finances": finances,
        "conditions": conditions,
    }
    _check_columns(tables)
    unknown = [code for code in indicators.codes if code not in ACHIEVEMENT_CODES]
    if unknown:
        raise MeasureError(
            "indicators",
            f"指标 {'、'.join(unknown)} 无法从登记库计算（可用：{'、'.join(ACHIEVEMENT_CODES)}）",
        )
    h = households.filter(pc.equal(households.column("status"), "active"))
    h = h.take(pc.sort_indices(h, [("household_id", "ascending")]))
    ids = _numpy(h.column("household_id")).astype(np.int64)
    villages = _numpy(h.column("village_code")).astype(object)

    f = finances.filter(pc.equal(finances.column("year"), year))
    f = f.take(pc.sort_indices(f, [("household_id", "ascending")]))
    finance_ids = _numpy(f.column("household_id")).astype(np.int64)
    repeated = finance_ids[1:][finance_ids[1:] == finance_ids[:-1]]
    if repeated.size:
        raise MeasureError("data", f"户 {int(repeated[0])} 在 {year} 年有不止一条收支记录")
    per_capita, sizes = _per_capita_fen(f)
    finance_at = _lookup(finance_ids, ids)

    c = _latest_conditions(conditions, as_of)
    condition_ids = _numpy(c.column("household_id")).astype(np.int64)
    condition_at = _lookup(condition_ids, ids)

    has_finance = finance_at >= 0
    has_conditions = condition_at >= 0
    keep = has_finance & has_conditions
    missing = Missing(
        no_finance=tuple(int(i) for i in ids[~has_finance]),
        no_conditions=tuple(int(i) for i in ids[~has_conditions]),
    )
    ids, villages = ids[keep], villages[keep]
    fin = finance_at[keep]
    cond = condition_at[keep]
    child_out, uninsured = _member_flags(persons, ids, as_of)

    grades = _numpy(c.column("housing_grade")).astype(str)[cond]
    grade_table = code_table("housing_grade")
    strange = sorted(set(grades.tolist()) - set(grade_table.codes()))
    if strange:
        raise MeasureError("data", f"住房安全等级 {'、'.join(strange)} 不在码表中（A/B/C/D）")
    water = (
        _bools(c, "water_quantity_ok")
        & _bools(c, "water_quality_ok")
        & _bools(c, "water_convenience_ok")
        & _bools(c, "water_reliability_ok")
    )[cond]
    columns: dict[str, NDArray[np.float64]] = {
        "food": _bools(c, "food_secure")[cond].astype(np.float64),
        "clothing": _bools(c, "clothing_secure")[cond].astype(np.float64),
        "water": water.astype(np.float64),
        "education": (~child_out).astype(np.float64),
        "medical": (~uninsured).astype(np.float64),
        "housing": np.isin(grades, grade_table.codes_where("safe", True)).astype(np.float64),
        "income": per_capita[fin].astype(np.float64) / 100.0,
    }
    matrix = np.column_stack([columns[code] for code in indicators.codes]).astype(np.float64)
    return HouseholdAchievements(
        achievements=matrix.reshape(ids.size, len(indicators.codes)),
        household_ids=ids,
        village_codes=villages,
        household_sizes=sizes[fin],
        cutoffs=indicators.cutoffs(z),
        missing=missing,
    )


def _lookup(sorted_ids: NDArray[np.int64], wanted: NDArray[np.int64]) -> NDArray[np.intp]:
    """Index of each wanted id in ``sorted_ids``, or -1."""
    if sorted_ids.size == 0:
        return np.full(wanted.size, -1, dtype=np.intp)
    position = np.minimum(np.searchsorted(sorted_ids, wanted), sorted_ids.size - 1)
    return np.where(sorted_ids[position] == wanted, position, -1).astype(np.intp)
