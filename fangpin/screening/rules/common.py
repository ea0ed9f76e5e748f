"""Small helpers shared by the rule modules (all return Ibis expressions)."""

from __future__ import annotations

from decimal import Decimal

import ibis
from ibis.expr.types import ArrayValue, Column, Table, Value

from fangpin.screening.text import json_array

__all__ = ["dec", "exact", "finding", "keys", "latest", "sorted_keys"]


def dec(value: float | int) -> Value:
    """An exact decimal literal from an edition value (0.4 stays 0.4, not 0.40000000000000002)."""
    return ibis.literal(Decimal(str(value)), type="decimal(18, 6)")


def exact(value: Value) -> Value:
    """Cast for an exact comparison between money and money × share (Ibis refuses to compare
    decimals of different scales)."""
    return value.cast("decimal(38, 8)")


def sorted_keys(column: Value) -> ArrayValue:
    """Aggregate: the distinct values of ``column`` as a sorted array of strings."""
    values: Column = column.cast("string")
    result: ArrayValue = values.collect(distinct=True).sort()
    return result


def keys(array: ArrayValue) -> Value:
    return json_array(array)


def latest(table: Table, by: str, order: list[str]) -> Table:
    """The last row per ``by`` by the ``order`` columns (all descending; deterministic ties)."""
    rank = ibis.row_number().over(group_by=table[by], order_by=[ibis.desc(table[c]) for c in order])
    return table.mutate(_rank=rank).filter(lambda t: t._rank == 0).drop("_rank")


def finding(
    table: Table, *, observed: Value, threshold: Value, sources: Value, reason: Value
) -> Table:
    """Project to the finding columns."""
    return table.select(
        household_id=table.household_id.cast("int64"),
        observed=observed,
        threshold=threshold,
        sources=sources,
        reason_zh=reason,
    )
