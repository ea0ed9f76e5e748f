"""Household-level feeds keyed by the head's ID number: 住建 housing and 应急管理 disasters."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from fangpin.synth._arrow import IntArray, from_pool, money_array
from fangpin.synth.chunk import Chunk
from fangpin.synth.messy import RawFeed
from fangpin.synth.plan import Plan

__all__ = ["disaster_losses", "housing_assessments"]

_RENOVATION = ("无需改造", "已列入改造计划", "改造中", "已竣工")
_DAMAGE = ("无", "部分损坏", "倒塌")


def _heads(chunk: Chunk) -> IntArray:
    """The head's person index for every household of the chunk (heads come first)."""
    heads = np.flatnonzero(chunk.slot == 0)
    result: IntArray = heads[np.argsort(chunk.household[heads], kind="stable")]
    return result


def housing_assessments(chunk: Chunk, plan: Plan, rng: np.random.Generator) -> RawFeed:
    """The year's rural housing-safety checks; a few find a danger the registry lacks."""
    h = chunk.households
    cond = chunk.extra["conditions"]
    registry_grade = cond["housing_grade"]
    damage = chunk.extra["disaster_damage"]
    safe = np.flatnonzero(np.isin(registry_grade, ["A", "B"]) & ~chunk.is_relocated)
    k = min(safe.size, round(plan.config.feed_housing_disagreement * h))
    weights = 1.0 + 20.0 * (damage[safe] > 0)
    worse = np.sort(rng.choice(safe, size=k, replace=False, p=weights / weights.sum()))
    grade = registry_grade.copy()
    grade[worse] = np.where(
        damage[worse] == 2,
        "D",
        np.where(damage[worse] == 1, "C", np.where(rng.random(k) < 0.7, "C", "D")),
    )
    unsafe = np.isin(registry_grade, ["C", "D"])
    checked = chunk.is_poor | (rng.random(h) < 0.3) | unsafe
    checked[worse] = True
    rows = np.flatnonzero(checked)
    assessed = plan.period_start + rng.integers(0, 365, h)
    event_day = np.full(h, plan.period_start)
    hit = chunk.extra["disaster_event"] >= 0
    event_day[hit] = np.array([d.day for d in plan.disasters])[chunk.extra["disaster_event"][hit]]
    low = np.maximum(np.maximum(cond["assessed_on"], event_day) + 1, plan.period_start)
    later = low + np.floor(rng.random(h) * np.maximum(plan.reference_day - low + 1, 1)).astype(
        np.int64
    )
    assessed[worse] = np.minimum(later[worse], plan.reference_day)
    renovation = np.where(
        unsafe,
        np.where(rng.random(h) < 0.4, 2, 1),
        np.where((registry_grade == "B") & chunk.is_poor & (rng.random(h) < 0.03), 3, 0),
    )
    renovation[worse] = 1
    return RawFeed(
        name="housing_assessments",
        person=_heads(chunk)[rows],
        columns={
            "village_code": from_pool([v.code for v in plan.villages], chunk.village[rows]),
            "address": chunk.extra["address"].take(pa.array(rows, pa.int64())),
            "grade": pa.array(grade[rows]),
            "assessor": pa.array(np.full(rows.size, plan.housing_assessor)),
            "assessed_on": assessed[rows],
            "renovation_status": from_pool(_RENOVATION, renovation[rows]),
        },
        id_column="head_id_number",
        has_name=False,
        late_columns=("assessed_on",),
    )


def disaster_losses(chunk: Chunk, plan: Plan, rng: np.random.Generator) -> RawFeed:
    """Losses reported after the year's disasters, clustered by village and date."""
    event = chunk.extra["disaster_event"]
    rows = np.flatnonzero(event >= 0)
    crop = chunk.extra["disaster_crop_mu"][rows]
    day = (
        np.array([d.day for d in plan.disasters], dtype=np.int64)[event[rows]]
        if rows.size
        else np.zeros(0, np.int64)
    )
    codes = [d.code for d in plan.disasters]
    loss = np.rint(chunk.extra["disaster_loss"][rows] * 100).astype(np.int64)
    return RawFeed(
        name="disaster_losses",
        person=_heads(chunk)[rows],
        columns={
            "village_code": from_pool([v.code for v in plan.villages], chunk.village[rows]),
            "disaster_code": from_pool(codes or ["0299"], event[rows]),
            "occurred_on": np.minimum(day + rng.integers(0, 2, rows.size), plan.reference_day),
            "loss_amount": money_array(loss),
            "house_damage": from_pool(_DAMAGE, chunk.extra["disaster_damage"][rows]),
            "crop_loss_mu": pa.array(crop, pa.float64(), mask=crop <= 0),
        },
        id_column="head_id_number",
        has_name=False,
        late_columns=("occurred_on",),
    )
