"""Feeds about health and life events: 医保 medical claims, 残联 disability, 公安 deaths."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fangpin.codes import table as code_table
from fangpin.synth._arrow import IntArray, concat, from_pool, money_array
from fangpin.synth.chunk import Chunk
from fangpin.synth.messy import RawFeed
from fangpin.synth.plan import Plan

__all__ = ["death_records", "disability_registrations", "medical_claims"]

_LEVELS = ("一级", "二级", "三级")
_DIAGNOSES = ("普通", "慢性病", "大病")


def _period_days(plan: Plan, rng: np.random.Generator, k: int) -> IntArray:
    result: IntArray = plan.period_start + rng.integers(0, 365, k)
    return result


def medical_claims(chunk: Chunk, plan: Plan, rng: np.random.Generator) -> RawFeed:
    """Hospital stays settled in the period, concentrated on the ill (医疗保障局)."""
    m = chunk.persons
    alive = chunk.active
    new_ill = np.zeros(m, dtype=bool)
    new_ill[chunk.extra["new_ill"]] = True
    health = chunk.health
    u = rng.random(m)
    # (who, stays, diagnosis, median cost, length of stay range, level weights 一/二/三级)
    one = np.ones(m, np.int64)
    chronic = alive & (health == "20") & (u < 0.4)
    healthy = alive & (health == "10") & ~new_ill
    groups: list[tuple[Any, Any, int, float, tuple[int, int], tuple[float, float, float]]] = [
        (alive & (health == "30"), rng.integers(2, 7, m), 2, 18000.0, (5, 25), (0.1, 0.4, 0.5)),
        (alive & new_ill, rng.integers(2, 6, m), 2, 40000.0, (7, 30), (0.0, 0.3, 0.7)),
        (chronic, rng.integers(1, 3, m), 1, 4000.0, (3, 12), (0.3, 0.6, 0.1)),
        (alive & (health == "40") & (u < 0.15), one, 0, 3000.0, (2, 10), (0.5, 0.4, 0.1)),
        (healthy & (chunk.age >= 60) & (u < 0.12), one, 0, 3500.0, (2, 10), (0.5, 0.4, 0.1)),
        (healthy & (chunk.age < 60) & (u < 0.03), one, 0, 2500.0, (2, 8), (0.5, 0.4, 0.1)),
    ]  # fmt: skip
    routine = plan.config.routine_claims_per_person
    if routine > 0:  # drawn only when asked, so the default output stays as it was
        day_cases = rng.poisson(routine, m)
        groups.append((alive & (day_cases > 0), day_cases, 0, 800.0, (0, 3), (0.7, 0.25, 0.05)))
    person_parts, diag_parts, cost_parts, los_parts, level_parts = [], [], [], [], []
    for who, stays, diagnosis_code, median, (lo, hi), level_weights in groups:
        people = np.repeat(np.flatnonzero(who), stays[who])
        k = people.size
        person_parts.append(people)
        diag_parts.append(np.full(k, diagnosis_code))
        cost_parts.append(median * np.exp(rng.normal(0.0, 0.7, k)))
        los_parts.append(rng.integers(lo, hi + 1, k))
        p = np.asarray(level_weights)
        level_parts.append(rng.choice(3, size=k, p=p / p.sum()))
    person = np.concatenate(person_parts).astype(np.int64)
    diagnosis = np.concatenate(diag_parts)
    total = np.concatenate(cost_parts)
    los = np.concatenate(los_parts).astype(np.int64)
    level = np.concatenate(level_parts).astype(np.int64)
    admission = plan.reference_day - los - rng.integers(0, 365 - 30, person.size)
    admission = np.maximum(admission, plan.period_start)
    discharge = admission + los
    # No stays after a death reported by 公安 this year.
    death_day = np.full(m, np.iinfo(np.int64).max)
    death_day[chunk.extra["deaths"]] = chunk.extra["death_day"]
    keep = discharge <= death_day[person]
    person, diagnosis, total, level = person[keep], diagnosis[keep], total[keep], level[keep]
    admission, discharge = admission[keep], discharge[keep]
    k = person.size
    settled = np.minimum(discharge + rng.integers(0, 31, k), plan.reference_day)
    total_cents = np.rint(np.maximum(total, 200.0) * 100).astype(np.int64)
    non_compliant = np.rint(total_cents * rng.uniform(0.03, 0.15, k)).astype(np.int64)
    fund_share = np.array([0.85, 0.75, 0.60])[level] * rng.uniform(0.92, 1.05, k)
    fund_share += np.where(chunk.is_poor[chunk.household[person]], 0.05, 0.0)
    fund = np.rint((total_cents - non_compliant) * np.minimum(fund_share, 0.95)).astype(np.int64)
    compliant = total_cents - non_compliant - fund
    township = from_pool(
        [v.township_name for v in plan.villages], chunk.village[chunk.household[person]]
    )
    county = plan.county_name
    secondary = from_pool(
        [f"{county}人民医院", f"{county}中医医院", f"{county}民族医院"], rng.integers(0, 3, k)
    )
    tertiary = from_pool(
        plan.config.tertiary_hospitals, rng.integers(0, len(plan.config.tertiary_hospitals), k)
    )
    primary = concat(township, "卫生院")
    hospital = pc.if_else(
        pa.array(level == 0), primary, pc.if_else(pa.array(level == 1), secondary, tertiary)
    )
    return RawFeed(
        name="medical_claims",
        person=person,
        columns={
            "admission_date": admission,
            "discharge_date": discharge,
            "hospital_name": hospital,
            "hospital_level": from_pool(_LEVELS, level),
            "diagnosis_category": from_pool(_DIAGNOSES, diagnosis),
            "total_cost": money_array(total_cents),
            "fund_paid": money_array(fund),
            "compliant_oop": money_array(compliant),
            "non_compliant_oop": money_array(non_compliant),
            "settled_on": settled,
        },
        id_column="id_number",
        late_columns=("admission_date", "discharge_date"),
    )


def disability_registrations(chunk: Chunk, plan: Plan, rng: np.random.Generator) -> RawFeed:
    """Certificates issued, renewed or cancelled in the period (残疾人联合会)."""
    m = chunk.persons
    disabled = chunk.active & (chunk.health == "40")
    renewed = np.flatnonzero(disabled & (rng.random(m) < 0.10))
    new = chunk.extra["new_disabled"]
    dead = chunk.extra["deaths"][chunk.health[chunk.extra["deaths"]] == "40"]
    dead_day = chunk.extra["death_day"][chunk.health[chunk.extra["deaths"]] == "40"]
    person = np.concatenate([renewed, new, dead]).astype(np.int64)
    categories = np.array(list("1234567"))
    new_category = categories[
        rng.choice(7, size=new.size, p=[0.1, 0.1, 0.01, 0.52, 0.1, 0.11, 0.06])
    ]
    category = np.concatenate(
        [chunk.disability_category[renewed], new_category, chunk.disability_category[dead]]
    )
    grade = np.concatenate(
        [
            chunk.disability_grade[renewed],
            np.where(rng.random(new.size) < 0.4, "1", "2"),
            chunk.disability_grade[dead],
        ]
    )
    event = np.concatenate(
        [np.full(renewed.size, "换证"), np.full(new.size, "新办"), np.full(dead.size, "注销")]
    )
    issued = np.concatenate(
        [
            _period_days(plan, rng, renewed.size + new.size),
            np.minimum(dead_day + rng.integers(10, 61, dead.size), plan.reference_day),
        ]
    )
    category_labels = [code_table("disability_category").label(str(i)) for i in range(1, 8)]
    grade_labels = [code_table("disability_grade").label(str(i)) for i in range(1, 5)]
    suffix = np.char.add(category.astype("<U1"), grade.astype("<U1"))

    def certificate(columns: dict[str, Any], ids: Any) -> None:
        columns["certificate_number"] = concat(ids, pa.array(suffix))

    return RawFeed(
        name="disability_registrations",
        person=person,
        columns={
            "category": from_pool(category_labels, category.astype(np.int64) - 1),
            "grade": from_pool(grade_labels, grade.astype(np.int64) - 1),
            "event": pa.array(event),
            "issued_on": issued,
        },
        late_columns=("issued_on",),
        derive=certificate,
    )


def death_records(chunk: Chunk, plan: Plan, rng: np.random.Generator) -> RawFeed:
    """Deaths reported in the period (公安局): this year's, and recorded ones in the period."""
    known = np.flatnonzero(chunk.is_deceased & (chunk.death_day >= plan.period_start))
    person = np.concatenate([chunk.extra["deaths"], known]).astype(np.int64)
    death = np.concatenate([chunk.extra["death_day"], chunk.death_day[known]])
    reported = np.minimum(death + rng.integers(1, 61, person.size), plan.reference_day)
    return RawFeed(
        name="death_records",
        person=person,
        columns={"death_date": death, "reported_on": reported},
        late_columns=("death_date",),
    )
