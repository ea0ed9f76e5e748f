"""Turn a clean feed into what a department really sends (docs/feeds.md, "Messiness").

In order: late records (the event dated before the feed's period), ID numbers of people not
in the registry (a share of them with a wrong check character), typing noise in ID numbers
(lower-case x, full-width digits, surrounding spaces) and names (a trailing space), record
ids, then exact duplicates (same record id) and near-duplicates (same content, new record
id), and finally a shuffle. Each kind touches exactly ``round(rate × rows)`` rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fangpin.contract import validate_table
from fangpin.contract.feeds import FEED_TABLES
from fangpin.synth._arrow import IntArray, concat, date_array, exact_pick, padded
from fangpin.synth.chunk import Chunk
from fangpin.synth.ids import id_numbers
from fangpin.synth.names import person_names
from fangpin.synth.plan import Plan

__all__ = ["RECORD_PREFIXES", "RawFeed", "finish_feed"]

RECORD_PREFIXES = {
    "medical_claims": "YBJS",
    "civil_affairs": "MZJZ",
    "education_dropouts": "JYSX",
    "housing_assessments": "ZJFW",
    "disability_registrations": "CLZ",
    "disaster_losses": "YJZQ",
    "employment_insurance": "RSSY",
    "death_records": "GASW",
}
_FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@dataclass(eq=False)
class RawFeed:
    """A feed's rows before messiness: ``person`` gives each row's person (chunk index)."""

    name: str
    person: IntArray
    columns: dict[str, Any]  # dates as numpy day numbers, others as Arrow arrays
    late_columns: tuple[str, ...]  # the event date(s) moved back for late records
    id_column: str = "id_number"
    has_name: bool = True
    derive: Callable[[dict[str, Any], Any], None] | None = None  # after IDs are final


def _fresh_people(plan: Plan, rng: np.random.Generator, k: int) -> tuple[Any, Any]:
    """ID numbers and names of ``k`` people who are not in the registry (valid, unused)."""
    regions = len(plan.allocator.regions)
    region = np.where(rng.random(k) < 0.7, 0, rng.integers(0, regions, k)).astype(np.int64)
    birth = plan.reference_day - rng.integers(16 * 365, 80 * 365, k)
    male = rng.random(k) < 0.5
    day, sequence = plan.allocator.allocate(region, birth, male)
    ids = id_numbers(plan.allocator.region_codes(region), day, sequence)
    pool = [s for s, _ in plan.config.surnames]
    surname = pa.array(pool, pa.string()).take(pa.array(rng.integers(0, len(pool), k)))
    year = 1970 + (day // 365.2425).astype(np.int64)
    return ids, person_names(rng, surname, male, year)


def _wrong_check(number: str, rng: np.random.Generator) -> str:
    choices = [c for c in "0123456789X" if c != number[-1]]
    return number[:-1] + choices[int(rng.integers(len(choices)))]


def _replace(values: Any, rows: IntArray, transform: Callable[[str], str]) -> Any:
    if rows.size == 0:
        return values
    mask = np.zeros(len(values), dtype=bool)
    mask[rows] = True
    new = [transform(v) for v in values.take(pa.array(rows)).to_pylist()]
    return pc.replace_with_mask(values, pa.array(mask), pa.array(new, pa.string()))


def _pad(value: str, rng: np.random.Generator) -> str:
    return [f" {value}", f"{value} ", f" {value} ", f"{value}\u3000"][int(rng.integers(4))]


def finish_feed(raw: RawFeed, chunk: Chunk, plan: Plan, rng: np.random.Generator) -> Any:
    """Apply the messiness, add record ids and duplicates, validate against the contract."""
    rates = plan.config.messiness
    schema = FEED_TABLES[raw.name]
    n = raw.person.size
    columns = dict(raw.columns)
    ids = chunk.id_number.take(pa.array(raw.person, pa.int64()))
    names = chunk.name.take(pa.array(raw.person, pa.int64()))
    every = np.arange(n, dtype=np.int64)
    # Late records: the event happened before the period but is reported in this extract.
    late = exact_pick(rng, every, rates.late_record, n)
    if late.size:
        first = columns[raw.late_columns[0]]
        shift = first[late] - plan.period_start + rng.integers(1, 181, late.size)
        for name in raw.late_columns:
            columns[name] = columns[name].copy()
            columns[name][late] -= shift
    # Unmatched ID numbers: valid numbers of people not registered, some mistyped.
    unmatched = exact_pick(rng, every, rates.unmatched_id, n)
    if unmatched.size:
        fresh_ids, fresh_names = _fresh_people(plan, rng, unmatched.size)
        mask = np.zeros(n, dtype=bool)
        mask[unmatched] = True
        ids = pc.replace_with_mask(ids, pa.array(mask), fresh_ids)
        names = pc.replace_with_mask(names, pa.array(mask), fresh_names)
        wrong = exact_pick(rng, unmatched, rates.unmatched_wrong_check_share, unmatched.size)
        ids = _replace(ids, wrong, lambda v: _wrong_check(v, rng))
    if raw.derive is not None:
        raw.derive(columns, ids)
    # Typing noise.
    ends_x = np.flatnonzero(pc.ends_with(ids, "X").to_numpy(zero_copy_only=False))
    ids = _replace(ids, exact_pick(rng, ends_x, rates.lowercase_x, n), lambda v: v[:-1] + "x")
    clean = np.setdiff1d(every, ends_x)
    ids = _replace(
        ids, exact_pick(rng, clean, rates.fullwidth_digits, n), lambda v: v.translate(_FULLWIDTH)
    )
    ids = _replace(ids, exact_pick(rng, clean, rates.padded_id, n), lambda v: _pad(v, rng))
    columns[raw.id_column] = ids
    if raw.has_name:
        columns["name"] = _replace(
            names, exact_pick(rng, every, rates.name_trailing_space, n), lambda v: v + " "
        )
    # Record ids, then duplicates.
    id_field = schema.names[0]
    prefix = RECORD_PREFIXES[raw.name]
    columns[id_field] = concat(prefix, padded(plan.next_record_ids(raw.name, n), 10))
    table = _table(columns, schema)
    exact = exact_pick(rng, every, rates.exact_duplicate, n)
    near = exact_pick(rng, every, rates.near_duplicate, n)
    parts = [table, table.take(pa.array(exact, pa.int64()))]
    if near.size:
        copies = table.take(pa.array(near, pa.int64()))
        new_ids = concat(prefix, padded(plan.next_record_ids(raw.name, near.size), 10))
        parts.append(copies.set_column(0, schema.field(0), new_ids))
    table = pa.concat_tables(parts)
    table = table.take(pa.array(rng.permutation(table.num_rows), pa.int64()))
    return validate_table(table, schema)


def _table(columns: dict[str, Any], schema: Any) -> Any:
    arrays = []
    for f in schema:
        value = columns[f.name]
        if f.type == pa.date32() and isinstance(value, np.ndarray):
            value = date_array(value)
        elif not isinstance(value, pa.Array | pa.ChunkedArray):
            value = pa.array(value)
        arrays.append(value)
    return pa.Table.from_arrays(arrays, schema=schema)
