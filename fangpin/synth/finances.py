"""Household income and spending for the finance year and the year before (收支, DOMAIN.md §2.3).

Amounts are drawn per member or per household from log-normal distributions driven by who
lives there (migrant months, labour, age, 低保/特困, disability, students), in yuan, then
rounded to the fen and summed per household. The year before is the current year divided by
a growth factor, except for the households that suffered a sudden drop this year (illness,
job loss or disaster): their wages and production fall to 10–40%.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from fangpin.contract import FINANCES, validate_table
from fangpin.income import COMPONENTS, Category, all_amount_fields
from fangpin.synth._arrow import BoolArray, FloatArray, IntArray, exact_pick, money_array
from fangpin.synth.chunk import (
    HAS_LABOUR,
    SEVERE_GRADES,
    Chunk,
    per_household_any,
    per_household_sum,
)
from fangpin.synth.households import ELDERLY_COUPLE, EMPTY_NEST, HEAD, SINGLE_ELDERLY, SKIPPED
from fangpin.synth.plan import Plan

__all__ = ["DROP_CAUSES", "finances_table", "make_finances"]

DROP_CAUSES = ("illness", "job_loss", "disaster")
# Tuples, not sets: summing in a fixed order keeps floats (and so the output) reproducible
# whatever PYTHONHASHSEED is.
_EARNED = tuple(c.field for c in COMPONENTS if c.category in (Category.WAGE, Category.PRODUCTION))
#: What the calibration may rescale: earnings and private support (not policy transfers, and
#: not public-welfare-post wages, which are set by the post).
_FLEXIBLE = (*(f for f in _EARNED if f != "wage_public_welfare_post"), "tr_support_from_children")
_EDUCATION_AID = {"10": 500, "21": 1000, "22": 1250, "31": 2000, "32": 3000, "41": 5000, "42": 5000}


def _lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> FloatArray:
    result: FloatArray = median * np.exp(rng.normal(0.0, sigma, n))
    return result


def _sometimes(rng: np.random.Generator, p: float | FloatArray, n: int) -> BoolArray:
    result: BoolArray = rng.random(n) < p
    return result


def make_finances(chunk: Chunk, plan: Plan, rng: np.random.Generator) -> None:
    """Draw this year's amounts, pick the sudden drops, derive last year; store in chunk.extra."""
    cfg = plan.config
    h, m = chunk.households, chunk.persons
    scale = float(cfg.monitoring_line) / 7100.0  # keeps incomes placed relative to the line
    active = chunk.active
    hh = chunk.household
    earning = np.exp(rng.normal(0.0, 0.30, h)) * np.where(chunk.is_poor, 0.85, 1.0) * scale
    per_person_earning = earning[hh]
    amounts: dict[str, FloatArray] = {name: np.zeros(h) for name in all_amount_fields()}

    def add(name: str, person_values: FloatArray) -> None:
        amounts[name] += per_household_sum(chunk, np.where(active, person_values, 0.0))

    # Wages
    monthly = _lognormal(rng, cfg.monthly_migrant_wage_median, 0.22, m)
    monthly *= np.where(chunk.labour_ability == "20", 1.2, 1.0) * scale
    add("wage_migrant", chunk.migrant_months * monthly)
    local_pool = (
        (chunk.age >= 16)
        & (chunk.age <= 64)
        & ~chunk.is_student
        & (chunk.migrant_months == 0)
        & np.isin(chunk.labour_ability, HAS_LABOUR)
        & ~chunk.public_welfare_post
    )
    local = local_pool & _sometimes(rng, 0.55, m)
    # A household with someone able to work but no wage at all sends one member to local work.
    earners = per_household_any(chunk, active & ((chunk.migrant_months > 0) | local))
    first_pool = _one_member(
        chunk, rng, active & local_pool & np.isin(chunk.labour_ability, ["10", "20"])
    )
    local[first_pool[~earners[hh[first_pool]]]] = True
    weak = np.where(chunk.labour_ability == "30", 0.5, 1.0)
    add(
        "wage_local", np.where(local, _lognormal(rng, 15000, 0.5, m) * weak * per_person_earning, 0)
    )
    add(
        "wage_public_welfare_post",
        np.where(chunk.public_welfare_post, 12 * rng.uniform(500, 800, m), 0),
    )
    # Production: farming needs someone at home who can work.
    at_home = active & (chunk.age >= 16) & (chunk.age <= 75) & (chunk.migrant_months < 10)
    at_home &= ~chunk.is_student & (chunk.labour_ability != "40")
    workers = np.minimum(per_household_sum(chunk, at_home), 3)
    farms = workers > 0
    amounts["prod_crops"] = np.where(
        farms & _sometimes(rng, 0.85, h),
        _lognormal(rng, 3000, 0.6, h) * np.sqrt(workers) * earning,
        0,
    )
    amounts["prod_livestock"] = np.where(
        farms & _sometimes(rng, 0.45, h), _lognormal(rng, 3500, 0.8, h) * earning, 0
    )
    amounts["prod_forestry_fruit"] = np.where(  # 猕猴桃, 黄金茶
        farms & _sometimes(rng, 0.25, h), _lognormal(rng, 4500, 0.8, h) * earning, 0
    )
    amounts["prod_other"] = np.where(
        _sometimes(rng, 0.05, h), _lognormal(rng, 15000, 0.6, h) * earning, 0
    )
    production = sum(
        (amounts[f] for f in ("prod_crops", "prod_livestock", "prod_forestry_fruit", "prod_other")),
        np.zeros(h),
    )
    amounts["production_expenses"] = production * rng.uniform(0.30, 0.60, h)
    # Property
    amounts["prop_asset_dividend"] = np.where(
        chunk.is_poor & _sometimes(rng, 0.75, h), np.rint(rng.uniform(100, 600, h)), 0
    )
    amounts["prop_land_rent"] = np.where(_sometimes(rng, 0.20, h), _lognormal(rng, 800, 0.6, h), 0)
    amounts["prop_other"] = np.where(_sometimes(rng, 0.03, h), _lognormal(rng, 600, 0.6, h), 0)
    # Transfers
    head_age = np.zeros(h, dtype=np.int64)
    head_age[hh[chunk.slot == HEAD]] = chunk.age[chunk.slot == HEAD]
    old = head_age >= 60
    amounts["tr_family_planning"] = np.where(
        old & _sometimes(rng, 0.08, h), 960.0 * rng.integers(1, 3, h), 0
    )
    dibao_members = per_household_sum(chunk, chunk.is_dibao)
    dibao_monthly = np.rint(rng.uniform(300, 500, h))  # per member, by household
    tekun_annual = np.rint(rng.uniform(6000, 8000, m))
    chunk.extra["dibao_monthly"], chunk.extra["tekun_annual"] = dibao_monthly, tekun_annual
    amounts["tr_dibao"] = dibao_members * 12 * dibao_monthly
    add("tr_tekun", np.where(chunk.is_tekun, tekun_annual, 0))
    add(
        "tr_pension",
        np.where(
            (chunk.age >= 60) & chunk.has_resident_pension, np.rint(rng.uniform(1500, 2500, m)), 0
        ),
    )
    amounts["tr_eco_compensation"] = np.where(
        _sometimes(rng, 0.40, h), _lognormal(rng, 300, 0.6, h), 0
    )
    severe = (chunk.health == "40") & np.isin(chunk.disability_grade, SEVERE_GRADES)
    mild = (chunk.health == "40") & ~severe
    dibao_household = per_household_any(chunk, chunk.is_dibao)[hh]
    add("tr_disability", 960.0 * severe + 960.0 * (dibao_household & (severe | mild)))
    aid = _education_aid(chunk.student_status)
    add("tr_education_aid", np.where(chunk.is_poor[hh] & _sometimes(rng, 0.8, m), aid, 0))
    elderly_home = np.isin(chunk.template, [SINGLE_ELDERLY, ELDERLY_COUPLE, EMPTY_NEST]) & old
    elders = per_household_sum(chunk, active & (chunk.age >= 60))
    support = np.where(
        elderly_home & _sometimes(rng, 0.9, h), _lognormal(rng, 3500, 0.6, h) * elders, 0
    )
    # Grandparents raising grandchildren live on what the children's parents send home.
    remittance = _lognormal(rng, 12000, 0.5, h)
    amounts["tr_support_from_children"] = np.where(chunk.template == SKIPPED, remittance, support)
    amounts["tr_other"] = np.where(_sometimes(rng, 0.05, h), rng.uniform(100, 1000, h), 0)
    # Spending and claims (memo items)
    oop = np.where(chunk.health == "20", _lognormal(rng, 1500, 0.7, m), 0.0)
    oop += np.where(chunk.health == "30", np.clip(_lognormal(rng, 15000, 0.6, m), 5000, 60000), 0)
    oop += np.where(severe, _lognormal(rng, 1200, 0.8, m), 0)
    oop += np.where(
        (chunk.health == "10") & _sometimes(rng, 0.3, m), _lognormal(rng, 300, 0.8, m), 0
    )
    add("compliant_oop_spending", oop)
    amounts["insurance_claim_income"] = np.where(
        _sometimes(rng, 0.01, h), rng.uniform(1000, 20000, h), 0
    )
    _disaster_effects(chunk, amounts, rng)
    _calibrate(chunk, plan, rng, amounts)

    growth = rng.uniform(1 + cfg.income_growth_min, 1 + cfg.income_growth_max, h)
    previous = {name: values / growth for name, values in amounts.items()}
    previous["tr_disaster_relief"] = np.zeros(h)
    previous["tr_anti_poverty_insurance"] = np.zeros(h)
    _sudden_drops(chunk, plan, rng, amounts)
    chunk.extra["finances"] = {cfg.year - 1: previous, cfg.year: amounts}


def _education_aid(status: Any) -> FloatArray:
    codes = np.array(sorted(_EDUCATION_AID))
    values = np.array([_EDUCATION_AID[c] for c in codes.tolist()], dtype=np.float64)
    index = np.searchsorted(codes, status)
    index = np.clip(index, 0, codes.size - 1)
    result: FloatArray = np.where(codes[index] == status, values[index], 0.0)
    return result


def _net(amounts: dict[str, FloatArray], names: tuple[str, ...] | None = None) -> FloatArray:
    """Net income (all components, or only ``names``) less production expenses."""
    fields = [c.field for c in COMPONENTS if names is None or c.field in names]
    total: FloatArray = sum((amounts[f] for f in fields), np.zeros_like(amounts["tr_other"]))
    result: FloatArray = total - amounts["production_expenses"]
    return result


def _calibrate(
    chunk: Chunk, plan: Plan, rng: np.random.Generator, amounts: dict[str, FloatArray]
) -> None:
    """Rescale wages and production so per-capita net income follows the target distribution.

    Households keep their rank (by the member-driven amounts) within their type; the target
    per type is log-normal around the configured median plus a small low-income group below
    the monitoring line. The factor is kept within 0.5–2.5 so wages stay plausible.
    """
    cfg = plan.config
    line = float(cfg.monitoring_line)
    scale = line / 7100.0
    size = np.maximum(chunk.size, 1)
    per_capita = _net(amounts) / size
    target = np.empty(chunk.households)
    for poor, median in ((True, cfg.income_median_poor), (False, cfg.income_median_ordinary)):
        rows = np.flatnonzero(chunk.is_poor == poor)
        draws = median * scale * np.exp(rng.normal(0.0, cfg.income_sigma, rows.size))
        low = rng.random(rows.size) < cfg.low_income_share
        draws[low] = line * rng.uniform(0.55, 0.98, int(low.sum()))
        target[rows[np.argsort(per_capita[rows], kind="stable")]] = np.sort(draws)
    flexible = _net(amounts, _FLEXIBLE)
    other = _net(amounts) - flexible
    wanted = target * size - other
    ratio = wanted / np.where(flexible > 0, flexible, 1.0)
    factor = np.where(flexible > 0, np.clip(ratio, 0.5, 3.0), 1.0)
    chunk.extra["calibration_factor"] = factor
    for name in (*_FLEXIBLE, "production_expenses"):
        amounts[name] = amounts[name] * factor


def _disaster_effects(
    chunk: Chunk, amounts: dict[str, FloatArray], rng: np.random.Generator
) -> None:
    """Crop losses and relief for households a disaster hit this year."""
    loss = chunk.extra["disaster_loss"]
    hit = chunk.extra["disaster_event"] >= 0
    crop_hit = hit & (chunk.extra["disaster_crop_mu"] > 0)
    for name in ("prod_crops", "prod_forestry_fruit"):
        amounts[name] = np.where(
            crop_hit, amounts[name] * rng.uniform(0.5, 0.9, chunk.households), amounts[name]
        )
    relief = np.minimum(loss * rng.uniform(0.1, 0.3, chunk.households), 8000)
    amounts["tr_disaster_relief"] = np.where(
        hit & (rng.random(chunk.households) < 0.6), np.rint(relief), 0
    )


def _sudden_drops(
    chunk: Chunk, plan: Plan, rng: np.random.Generator, amounts: dict[str, FloatArray]
) -> None:
    """Pick the households whose earned income collapses this year, with a cause behind it."""
    h = chunk.households
    earned = sum((amounts[f] for f in _EARNED), np.zeros(h)) - amounts["production_expenses"]
    total = earned + sum(
        (amounts[c.field] for c in COMPONENTS if c.field not in _EARNED), np.zeros(h)
    )
    candidates = np.flatnonzero((total > 0) & (earned >= 0.65 * total))
    drops = exact_pick(rng, candidates, plan.config.sudden_drop_share, h)
    migrant_home = per_household_any(chunk, chunk.active & (chunk.migrant_months > 0))
    hit = chunk.extra["disaster_event"] >= 0
    cause = np.full(h, -1, dtype=np.int64)
    draw = rng.random(drops.size)
    cause[drops] = np.where(draw < 0.40, 0, np.where(draw < 0.75, 1, 2))
    cause[drops] = np.where((cause[drops] == 2) & ~hit[drops], 0, cause[drops])
    cause[drops] = np.where((cause[drops] == 1) & ~migrant_home[drops], 0, cause[drops])
    factor = rng.uniform(0.10, 0.40, h)
    for name in (*_EARNED, "production_expenses"):
        amounts[name] = np.where(cause >= 0, amounts[name] * factor, amounts[name])
    # The person behind an illness or a job loss.
    person_hh = chunk.household
    adult = chunk.active & (chunk.age >= 18)
    chunk.extra["drop_cause"] = cause
    chunk.extra["drop_ill"] = _one_member(chunk, rng, adult & (cause[person_hh] == 0))
    chunk.extra["drop_job"] = _one_member(
        chunk, rng, (chunk.migrant_months > 0) & chunk.active & (cause[person_hh] == 1)
    )
    ill_household = np.zeros(h, dtype=bool)
    ill_household[person_hh[chunk.extra["drop_ill"]]] = True
    amounts["compliant_oop_spending"] += np.where(
        ill_household, np.clip(_lognormal(rng, 25000, 0.5, h), 8000, 60000), 0
    )
    amounts["tr_anti_poverty_insurance"] = np.where(
        ill_household & chunk.is_poor & (rng.random(h) < 0.3),
        np.rint(rng.uniform(2000, 20000, h)),
        0,
    )


def _one_member(chunk: Chunk, rng: np.random.Generator, eligible: BoolArray) -> IntArray:
    """One eligible member per household (at random), as person indices."""
    score = np.where(eligible, rng.random(chunk.persons), -1.0)
    best = np.full(chunk.households, -1.0)
    np.maximum.at(best, chunk.household, score)
    result: IntArray = np.flatnonzero(eligible & (score == best[chunk.household]))
    return result


def finances_table(chunk: Chunk, plan: Plan) -> Any:
    tables = []
    for year, amounts in chunk.extra["finances"].items():
        columns: dict[str, Any] = {
            "household_id": pa.array(chunk.household_id),
            "year": pa.array(np.full(chunk.households, year, dtype=np.int16)),
            "household_size": pa.array(chunk.size.astype(np.int16)),
        }
        for name in all_amount_fields():
            columns[name] = money_array(
                np.rint(np.maximum(amounts[name], 0) * 100).astype(np.int64)
            )
        tables.append(pa.table(columns))
    table = pa.concat_tables(tables).sort_by([("household_id", "ascending"), ("year", "ascending")])
    return validate_table(table, FINANCES)
