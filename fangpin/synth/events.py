"""What happened during the year that the registry may not know yet.

Disasters (planned run-wide, clustered by township), deaths, new severe disabilities, new
serious illnesses, new school dropouts, households newly on 低保, houses newly found
dangerous. The department feeds report these; finances and conditions use some of them.
Each kind is drawn as an exact count (``round(rate × population)``) so tests can rely on it.
"""

from __future__ import annotations

import numpy as np

from fangpin.synth._arrow import FloatArray, IntArray, exact_pick
from fangpin.synth.chunk import Chunk, per_household_any
from fangpin.synth.persons import annual_mortality
from fangpin.synth.plan import DISASTER_KINDS, Plan

__all__ = ["disaster_hits", "year_events"]


def _weighted_pick(
    rng: np.random.Generator, candidates: IntArray, weights: FloatArray, k: int
) -> IntArray:
    k = min(k, candidates.size)
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    p = np.asarray(weights, dtype=np.float64)
    picked = rng.choice(candidates, size=k, replace=False, p=p / p.sum())
    return np.sort(picked).astype(np.int64)


def disaster_hits(chunk: Chunk, plan: Plan, rng: np.random.Generator) -> None:
    """Which household each planned disaster hit, its loss, house damage and crop loss."""
    h = chunk.households
    event = np.full(h, -1, dtype=np.int64)
    damage = np.zeros(h, dtype=np.int64)  # 0 none, 1 partly damaged, 2 collapsed
    loss = np.zeros(h)
    crop_mu = np.zeros(h)
    for i, disaster in enumerate(plan.disasters):
        _, _, share, p_partial, p_collapse, median, p_crop = DISASTER_KINDS[disaster.code]
        hit = np.isin(chunk.village, disaster.villages) & (event < 0) & (rng.random(h) < share)
        rows = np.flatnonzero(hit)
        event[rows] = i
        u = rng.random(rows.size)
        damage[rows] = np.where(u < p_collapse, 2, np.where(u < p_collapse + p_partial, 1, 0))
        base = median * np.exp(rng.normal(0.0, 0.7, rows.size))
        loss[rows] = np.rint(base * np.array([1.0, 1.8, 4.0])[damage[rows]])
        crops = rng.random(rows.size) < p_crop
        crop_mu[rows] = np.where(crops, np.round(np.exp(rng.normal(0.2, 0.7, rows.size)), 1), 0.0)
        crop_mu[rows] = np.where(crops, np.maximum(crop_mu[rows], 0.1), 0.0)
    chunk.extra["disaster_event"] = event
    chunk.extra["disaster_damage"] = damage
    chunk.extra["disaster_loss"] = loss
    chunk.extra["disaster_crop_mu"] = crop_mu


def year_events(chunk: Chunk, plan: Plan, rng: np.random.Generator) -> None:
    """Deaths, new disabilities and illnesses, dropouts, new 低保 households (chunk.extra)."""
    cfg = plan.config
    n = chunk.persons
    active = chunk.active
    alive = np.flatnonzero(active)
    # Deaths (公安): mostly the old; heads included.
    k = round(cfg.death_rate * alive.size)
    deaths = _weighted_pick(rng, alive, annual_mortality(chunk.age[alive]), k)
    death_day = plan.reference_day - rng.integers(0, 365, deaths.size)
    death_day = np.maximum(death_day, chunk.birth_day[deaths] + 1)
    chunk.extra["deaths"] = deaths
    chunk.extra["death_day"] = death_day
    dead = np.zeros(n, dtype=bool)
    dead[deaths] = True
    living = active & ~dead
    healthy = living & (chunk.health == "10")
    # New severe disabilities (残联) and serious illnesses (医保) the registry does not show.
    pool = np.flatnonzero(healthy)
    weights = 0.2 + chunk.age[pool] / 40.0
    chunk.extra["new_disabled"] = _weighted_pick(
        rng, pool, weights, round(cfg.new_severe_disability_rate * n)
    )
    taken = np.zeros(n, dtype=bool)
    taken[chunk.extra["new_disabled"]] = True
    taken[chunk.extra["drop_ill"]] = True
    pool = np.flatnonzero(healthy & ~taken & (chunk.age >= 18))
    extra_ill = _weighted_pick(
        rng, pool, chunk.age[pool] / 40.0, round(cfg.new_serious_illness_rate * n)
    )
    chunk.extra["new_ill"] = np.union1d(extra_ill, chunk.extra["drop_ill"]).astype(np.int64)
    # New dropouts (教育): children the registry still shows in school.
    in_school = np.flatnonzero(living & (chunk.age >= 6) & (chunk.age <= 15) & chunk.is_student)
    chunk.extra["new_dropouts"] = exact_pick(rng, in_school, cfg.new_dropout_rate, in_school.size)
    # Households newly on 低保 (民政) that the registry does not flag yet.
    on_welfare = per_household_any(chunk, chunk.is_dibao | chunk.is_tekun)
    ill = np.zeros(n, dtype=bool)
    ill[chunk.extra["new_ill"]] = True
    hardship = per_household_any(chunk, ill) | (chunk.extra["drop_cause"] >= 0)
    households = np.flatnonzero(~on_welfare)
    weights = 1.0 + 6.0 * hardship[households] + 2.0 * chunk.is_poor[households]
    chunk.extra["new_dibao_households"] = _weighted_pick(
        rng,
        households,
        weights,
        max(1, round(cfg.new_dibao_household_rate * chunk.households)),
    )
    chunk.extra["dead"] = dead
