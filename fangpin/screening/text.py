"""Backend-neutral Ibis builders for the text columns of a finding.

Observed values, sources and the Chinese reason are built inside the query (string
concatenation, ``lpad``, integer arithmetic), never by a Python loop over rows, so a run over
millions of households stays in the engine. Only portable operations are used (no DuckDB
``format``/``printf``), so the same expressions compile for Spark.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import reduce
from typing import Any, TypeAlias

import ibis
from ibis.expr.types import ArrayValue, StringValue, Value

__all__ = [
    "cat",
    "json_array",
    "json_literal",
    "json_object",
    "json_text",
    "money",
    "number",
    "percent",
    "sources",
]

Part: TypeAlias = str | Value


def _lit(part: Part) -> StringValue:
    if isinstance(part, str):
        return ibis.literal(part, type="string")
    result: StringValue = part.cast("string")
    return result


def cat(*parts: Part) -> StringValue:
    """Concatenate text and expressions; a null part makes the result null (guard upstream)."""
    result: StringValue = reduce(lambda a, b: a + b, (_lit(p) for p in parts))
    return result


def money(amount: Value) -> StringValue:
    """Yuan as people write it: ``5,812``, ``7,099.50``, ``-3.25``; fen only when not zero.

    The integer yuan are left-padded to 12 digits, cut into groups of three with commas, and
    the leading zeros and commas stripped (``^[0,]+`` needs no back-references, which differ
    between DuckDB and Spark). Written so that the amount appears few times in the SQL.
    """
    cents = (amount.cast("decimal(18, 2)") * 100).round().cast("int64")
    absolute = cents.abs()
    padded = (absolute // 100).cast("string").lpad(12, "0")
    grouped = cat(
        padded.substr(0, 3),
        ",",
        padded.substr(3, 3),
        ",",
        padded.substr(6, 3),
        ",",
        padded.substr(9, 3),
    )
    whole = grouped.re_replace("^[0,]+", "").nullif("").fill_null("0")
    fen = absolute % 100
    fraction = ibis.cases((fen == 0, ""), else_=cat(".", fen.cast("string").lpad(2, "0")))
    sign = ibis.cases((cents < 0, "-"), else_="")
    return cat(sign, whole, fraction)


def percent(share: Value) -> StringValue:
    """A share as a whole percentage: 0.6149 -> ``61%`` (half away from zero)."""
    return cat((share.cast("decimal(18, 6)") * 100).round().cast("int64"), "%")


def number(value: Value, scale: int = 2) -> StringValue:
    """A JSON number with a fixed scale (exact decimals render the same on every backend)."""
    rendered: StringValue = value.cast(f"decimal(18, {scale})").cast("string").fill_null("null")
    return rendered


def integer(value: Value) -> StringValue:
    rendered: StringValue = value.cast("int64").cast("string").fill_null("null")
    return rendered


def json_text(value: Value) -> StringValue:
    """A JSON string (codes, ids, dates; backslashes and quotes escaped)."""
    text: StringValue = value.cast("string")
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return ibis.cases((text.isnull(), "null"), else_=cat('"', escaped, '"'))


def json_object(fields: Sequence[tuple[str, StringValue]]) -> StringValue:
    """``{"key": <already-JSON value>, ...}`` in the given key order."""
    parts: list[Part] = ["{"]
    for index, (key, value) in enumerate(fields):
        parts.extend([("," if index else "") + json.dumps(key, ensure_ascii=False) + ":", value])
    parts.append("}")
    return cat(*parts)


def json_array(values: ArrayValue) -> StringValue:
    """A JSON array of strings from an array of strings (sorted by the caller)."""
    joined = values.join('","')
    return ibis.cases(
        (values.isnull() | (values.length() == 0), "[]"), else_=cat('["', joined, '"]')
    )


def sources(entries: Sequence[tuple[str, StringValue]]) -> StringValue:
    """``[{"source":"feeds/medical_claims","keys":[...]}, ...]``; empty key lists are dropped."""
    items = [
        ibis.cases(
            (keys == "[]", ""),
            else_=cat(
                json.dumps({"source": name}, ensure_ascii=False, separators=(",", ":"))[:-1],
                ',"keys":',
                keys,
                "}",
            ),
        )
        for name, keys in entries
    ]
    joined: StringValue = ibis.literal(",").join(items)
    # Empty items leave stray commas: collapse them.
    cleaned = joined.re_replace(",{2,}", ",").re_replace("^,|,$", "")
    return cat("[", cleaned, "]")


def json_literal(value: Mapping[str, Any]) -> StringValue:
    """A constant JSON object (thresholds from the edition), keys sorted."""
    return ibis.literal(
        json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
        type="string",
    )
