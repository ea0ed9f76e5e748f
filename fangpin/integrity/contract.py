"""The input contract: which columns each detector reads, and the app-built tables' schemas.

Registry tables (households, persons, finances, monitorings) keep the snapshot's names and
types (``fangpin.contract.registry``); only the columns a detector reads are required and any
others are ignored, so the app can pass a whole snapshot. Money may arrive as decimal, float or
integer yuan: it is read as whole fen. The small tables the app builds for integrity
(eliminations, visits, posts) are defined here. See docs/integrity.md.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from fangpin.contract.registry import FINANCES, HOUSEHOLDS, MONITORINGS, PERSONS
from fangpin.income import COMPONENTS, EXPENSE_FIELDS
from fangpin.integrity.errors import IntegrityError

__all__ = [
    "ELIMINATIONS",
    "FINANCE_INPUT",
    "HOUSEHOLD_INPUT",
    "INPUT_SCHEMAS",
    "MONITORING_INPUT",
    "PERSON_INPUT",
    "POSTS",
    "VISITS",
    "conform",
]

#: Risk eliminations (风险消除) as decided: who decided, when, and the per-capita income then.
ELIMINATIONS = pa.schema(
    [
        pa.field("household_id", pa.int64(), nullable=False),
        pa.field("village_code", pa.string(), nullable=False),
        pa.field("identified_on", pa.date32(), nullable=False),
        pa.field("eliminated_on", pa.date32(), nullable=False),
        pa.field("mode", pa.string(), nullable=False),  # assisted / natural
        pa.field("decided_by", pa.string(), nullable=False),  # the user or unit that decided
        pa.field("per_capita_income_at_elimination", pa.float64(), nullable=True),
    ],
    metadata={"table": "eliminations"},
)

#: Home visits (走访) with the visitor's notes.
VISITS = pa.schema(
    [
        pa.field("visit_id", pa.int64(), nullable=False),
        pa.field("household_id", pa.int64(), nullable=False),
        pa.field("village_code", pa.string(), nullable=False),
        pa.field("visitor", pa.string(), nullable=False),
        pa.field("visited_on", pa.date32(), nullable=False),
        pa.field("notes", pa.string(), nullable=False),
    ],
    metadata={"table": "visits"},
)

#: Households holding a public-welfare post (公益岗位) in a year, from the assistance measures.
POSTS = pa.schema(
    [
        pa.field("household_id", pa.int64(), nullable=False),
        pa.field("year", pa.int16(), nullable=False),
    ],
    metadata={"table": "posts"},
)


def _subset(schema: pa.Schema, names: Sequence[str], *, money_as_float: bool = False) -> pa.Schema:
    fields = []
    for name in names:
        f = schema.field(name)
        if money_as_float and pa.types.is_decimal(f.type):
            f = f.with_type(pa.float64())
        fields.append(f)
    return pa.schema(fields, metadata=schema.metadata)


HOUSEHOLD_INPUT = _subset(
    HOUSEHOLDS, ("household_id", "household_number", "village_code", "status")
)
PERSON_INPUT = _subset(
    PERSONS,
    (
        "person_id",
        "household_id",
        "labour_ability",
        "migrant_work_months",
        "migrant_employer",
        "status",
        "death_date",
    ),
)
FINANCE_INPUT = _subset(
    FINANCES,
    (
        "household_id",
        "year",
        "household_size",
        *(c.field for c in COMPONENTS),
        *(name for name, _ in EXPENSE_FIELDS),
    ),
    money_as_float=True,
)
MONITORING_INPUT = _subset(MONITORINGS, ("household_number", "identified_month", "is_current"))

#: Table name → the columns read and their types.
INPUT_SCHEMAS: dict[str, pa.Schema] = {
    "households": HOUSEHOLD_INPUT,
    "persons": PERSON_INPUT,
    "finances": FINANCE_INPUT,
    "monitorings": MONITORING_INPUT,
    "eliminations": ELIMINATIONS,
    "visits": VISITS,
    "posts": POSTS,
}

#: Unique keys checked on input.
_KEYS: dict[str, tuple[str, ...]] = {
    "households": ("household_id",),
    "persons": ("person_id",),
    "finances": ("household_id", "year"),
    "visits": ("visit_id",),
}

_KIND_ZH = {"integer": "整数", "number": "数值", "string": "文本", "date": "日期", "bool": "布尔"}


def _kind(t: pa.DataType, *, money: bool = False) -> str:
    if pa.types.is_dictionary(t):  # a dictionary-encoded column reads as its values
        return _kind(t.value_type, money=money)
    if pa.types.is_integer(t):
        return "number" if money else "integer"
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "number"
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "string"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_boolean(t):
        return "bool"
    return str(t)


def conform(table: pa.Table, name: str) -> pa.Table:
    """Check and cast ``table`` to the columns detectors read from table ``name``.

    Raises IntegrityError ``columns`` (a column missing), ``types`` (a column of another kind:
    text where a number belongs, say; a narrower integer or a decimal is cast), ``nulls``,
    ``region`` (a village code not 12 digits) or ``duplicate`` (a key repeated).
    """
    schema = INPUT_SCHEMAS[name]
    missing = [f.name for f in schema if f.name not in table.column_names]
    if missing:
        raise IntegrityError("columns", f"表 {name} 缺少核查所需的列：{'、'.join(missing)}")
    table = table.select(schema.names)
    for f in schema:
        column = table.column(f.name)
        got = _kind(column.type)
        want = _kind(f.type)
        if got != want and not (want == "number" and got == "integer"):
            raise IntegrityError(
                "types",
                f"表 {name} 的列 {f.name} 应为{_KIND_ZH.get(want, want)}，实为 {column.type}",
            )
        if not f.nullable and column.null_count:
            raise IntegrityError(
                "nulls", f"表 {name} 的列 {f.name} 不允许为空，却有 {column.null_count} 个空值"
            )
    try:
        table = table.cast(schema)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise IntegrityError("types", f"表 {name} 的列类型无法转换：{exc}") from exc
    if "village_code" in schema.names and table.num_rows:
        valid = pc.match_substring_regex(table.column("village_code"), r"^[0-9]{12}$")
        bad = table.num_rows - pc.sum(valid.cast(pa.int64())).as_py()
        if bad:
            raise IntegrityError("region", f"表 {name} 有 {bad} 行的村级区划代码不是12位数字")
    key = _KEYS.get(name)
    if key and table.num_rows:
        distinct = table.group_by(list(key)).aggregate([]).num_rows
        if distinct != table.num_rows:
            raise IntegrityError(
                "duplicate",
                f"表 {name} 的 {'+'.join(key)} 有重复（{table.num_rows - distinct} 行重复）",
            )
    return table
