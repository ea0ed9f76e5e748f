"""The household checklist at its latest assessment: food, clothing, housing, drinking water.

The four water results are never set here by hand: they come from
:func:`fangpin.conditions.assess_water` applied to the generated measurements (with a cache,
since many households share the same measurements).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from fangpin.conditions import WaterMeasurement, assess_water
from fangpin.contract import CONDITIONS, validate_table
from fangpin.synth._arrow import BoolArray, IntArray, date_array
from fangpin.synth.chunk import Chunk
from fangpin.synth.plan import Plan

__all__ = ["conditions_table", "make_conditions"]


def _pick(rng: np.random.Generator, candidates: IntArray, weights: Any, k: int) -> IntArray:
    k = min(k, candidates.size)
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    p = np.asarray(weights, dtype=np.float64)
    return np.sort(rng.choice(candidates, size=k, replace=False, p=p / p.sum())).astype(np.int64)


def make_conditions(chunk: Chunk, plan: Plan, rng: np.random.Generator) -> None:
    cfg, h = plan.config, chunk.households
    c: dict[str, Any] = {}
    c["assessed_on"] = plan.reference_day - rng.integers(0, 183, h)
    c["food_secure"] = rng.random(h) < cfg.food_secure_share
    c["clothing_secure"] = rng.random(h) < cfg.clothing_secure_share
    # Housing: relocated households live in new, safe housing (DOMAIN.md §7).
    grade = np.where(rng.random(h) < 0.55, "A", "B").astype("<U1")
    grade[chunk.is_relocated] = "A"
    candidates = np.flatnonzero(~chunk.is_relocated)
    weights = 1.0 + 2.0 * chunk.is_poor[candidates]
    unsafe = _pick(
        rng, candidates, weights, round((cfg.housing_grade_c_share + cfg.housing_grade_d_share) * h)
    )
    d_share = cfg.housing_grade_d_share / max(
        cfg.housing_grade_c_share + cfg.housing_grade_d_share, 1e-9
    )
    d_rows = rng.random(unsafe.size) < d_share
    grade[unsafe] = np.where(d_rows, "D", "C")
    c["housing_grade"] = grade
    earliest = plan.reference_day - 365 * 8
    recent = np.isin(grade, ["C", "D"])
    span = np.where(recent, 700, c["assessed_on"] - earliest)
    c["housing_assessed_on"] = c["assessed_on"] - np.floor(rng.random(h) * span).astype(np.int64)
    # Drinking water (《农村饮水安全评价准则》 2018).
    piped = rng.random(h) < cfg.water_piped_share
    source = np.where(
        piped,
        np.where(rng.random(h) < 0.85, "1", "2"),
        np.array(["2", "3", "5", "4"])[np.searchsorted([0.60, 0.85, 0.95], rng.random(h))],
    ).astype("<U1")
    area = np.where(rng.random(h) < cfg.water_short_area_share, "short", "rich").astype("<U5")
    litres = np.where(piped, rng.normal(80, 20, h), rng.normal(45, 15, h))
    litres = np.clip(np.rint(litres), 10, 200).astype(np.int64)
    tested = piped & (rng.random(h) < np.where(source == "1", 0.95, 0.6))
    simple_ok = tested | (rng.random(h) < np.where(piped, 0.97, 0.95))
    trip = np.rint(np.exp(rng.normal(np.log(8), 0.6, h))).astype(np.int64)
    horizontal = np.rint(np.exp(rng.normal(np.log(250), 0.8, h))).astype(np.int64)
    vertical = np.rint(np.exp(rng.normal(np.log(20), 0.8, h))).astype(np.int64)
    # Supply cuts: mostly 0–10 days; about 2% of households over the 36-day limit.
    long_cut = rng.random(h) < np.where(piped, 0.018, 0.04)
    cut = np.where(long_cut, rng.integers(37, 120, h), np.minimum(rng.exponential(3.0, h), 30))
    c["water_source"] = source
    c["water_area_type"] = area
    c["water_litres"] = litres
    c["water_tested"] = tested
    c["water_simple_ok"] = simple_ok
    c["water_piped"] = piped
    c["water_trip"] = trip
    c["water_horizontal"] = horizontal
    c["water_vertical"] = vertical
    c["water_cut"] = np.rint(cut).astype(np.int64)
    c["water_flags"] = _assess(c)
    chunk.extra["conditions"] = c


def _assess(c: dict[str, Any]) -> BoolArray:
    """Run assess_water on every row; returns a (rows, 4) array of the four results."""
    cache: dict[tuple[object, ...], tuple[bool, bool, bool, bool]] = {}
    rows = zip(
        c["water_area_type"].tolist(),
        c["water_litres"].tolist(),
        c["water_tested"].tolist(),
        c["water_simple_ok"].tolist(),
        c["water_piped"].tolist(),
        c["water_trip"].tolist(),
        c["water_horizontal"].tolist(),
        c["water_vertical"].tolist(),
        c["water_cut"].tolist(),
        strict=True,
    )
    out = np.zeros((c["water_litres"].size, 4), dtype=bool)
    for i, (area, litres, tested, simple_ok, piped, trip, horiz, vert, cut) in enumerate(rows):
        key = (area, litres, tested, simple_ok, piped, trip, horiz, vert, cut)
        if piped:
            key = (area, litres, tested, simple_ok, piped, None, None, None, cut)
        result = cache.get(key)
        if result is None:
            a = assess_water(
                WaterMeasurement(
                    area_type=area,
                    litres_per_person_day=litres,
                    quality_tested=tested,
                    quality_simple_check_ok=simple_ok,
                    is_piped=piped,
                    trip_minutes=None if piped else trip,
                    horizontal_m=None if piped else horiz,
                    vertical_m=None if piped else vert,
                    cut_days_per_year=cut,
                )
            )
            result = (a.quantity_ok, a.quality_ok, a.convenience_ok, a.reliability_ok)
            cache[key] = result
        out[i] = result
    return out


def conditions_table(chunk: Chunk, plan: Plan) -> Any:
    c = chunk.extra["conditions"]
    piped = c["water_piped"]
    flags = c["water_flags"]
    table = pa.table(
        {
            "household_id": pa.array(chunk.household_id),
            "assessed_on": date_array(c["assessed_on"]),
            "food_secure": pa.array(c["food_secure"]),
            "clothing_secure": pa.array(c["clothing_secure"]),
            "housing_grade": pa.array(c["housing_grade"]),
            # Every grade is set by the county housing department (DOMAIN.md §7).
            "housing_assessor": pa.array(np.full(chunk.households, plan.housing_assessor)),
            "housing_assessed_on": date_array(c["housing_assessed_on"]),
            "water_source": pa.array(c["water_source"]),
            "water_area_type": pa.array(c["water_area_type"]),
            "water_litres_per_person_day": pa.array(c["water_litres"].astype(np.int16)),
            "water_quality_tested": pa.array(c["water_tested"]),
            "water_quality_simple_check_ok": pa.array(c["water_simple_ok"]),
            "water_is_piped": pa.array(piped),
            "water_trip_minutes": pa.array(c["water_trip"].astype(np.int16), mask=piped),
            "water_horizontal_m": pa.array(c["water_horizontal"].astype(np.int32), mask=piped),
            "water_vertical_m": pa.array(c["water_vertical"].astype(np.int32), mask=piped),
            "water_cut_days_per_year": pa.array(c["water_cut"].astype(np.int16)),
            "water_quantity_ok": pa.array(flags[:, 0]),
            "water_quality_ok": pa.array(flags[:, 1]),
            "water_convenience_ok": pa.array(flags[:, 2]),
            "water_reliability_ok": pa.array(flags[:, 3]),
        }
    )
    return validate_table(table, CONDITIONS)
