"""Member attributes that follow from age, sex and household: schooling, health, labour,
migrant work, phones, insurance, 低保/特困 and the few deaths the registry already knows.

The shares are in :class:`~fangpin.synth.config.SynthConfig` or in the tables below; both are
documented with their sources in docs/synth.md.
"""

from __future__ import annotations

import numpy as np

from fangpin.synth._arrow import FloatArray, IntArray, choice_index, exact_pick, ymd
from fangpin.synth.chunk import HAS_LABOUR, Chunk, per_household_any, per_household_sum
from fangpin.synth.households import HEAD, SINGLE_ADULT, SINGLE_ELDERLY, THREE_GEN
from fangpin.synth.plan import Plan

__all__ = ["annual_mortality", "assign_attributes"]

_EDUCATION = np.array(["80", "70", "60", "50", "40", "30", "20", "10"])
#: Highest education of adults not in school, by birth cohort (rows) and sex (men, women).
_EDUCATION_BY_COHORT = {
    (1955, True): [0.30, 0.45, 0.20, 0.05, 0, 0, 0, 0],
    (1955, False): [0.60, 0.32, 0.07, 0.01, 0, 0, 0, 0],
    (1970, True): [0.06, 0.44, 0.40, 0.09, 0.01, 0, 0, 0],
    (1970, False): [0.18, 0.47, 0.30, 0.05, 0, 0, 0, 0],
    (1985, True): [0.02, 0.25, 0.55, 0.10, 0.05, 0.02, 0.01, 0],
    (1985, False): [0.05, 0.32, 0.48, 0.08, 0.04, 0.02, 0.01, 0],
    (2000, True): [0.01, 0.08, 0.52, 0.13, 0.12, 0.09, 0.05, 0],
    (2000, False): [0.01, 0.08, 0.52, 0.13, 0.12, 0.09, 0.05, 0],
    (9999, True): [0, 0.03, 0.40, 0.16, 0.18, 0.14, 0.085, 0.005],
    (9999, False): [0, 0.03, 0.40, 0.16, 0.18, 0.14, 0.085, 0.005],
}
#: In-school share at ages 18–22 (college 60% / bachelor 40% of those).
_COLLEGE_SHARE = {18: 0.50, 19: 0.40, 20: 0.35, 21: 0.30, 22: 0.20}
#: Health by age band (0–17, 18–44, 45–59, 60–74, 75+): disabled, serious illness, chronic.
_AGE_BANDS = np.array([18, 45, 60, 75])
_P_DISABLED = np.array([0.012, 0.036, 0.072, 0.120, 0.180])
_P_SERIOUS = np.array([0.003, 0.009, 0.021, 0.032, 0.034])
_P_CHRONIC = np.array([0.010, 0.040, 0.120, 0.200, 0.250])
_POOR_HEALTH_FACTOR, _ORDINARY_HEALTH_FACTOR = 1.5, 0.85
_DISABILITY_GRADE_WEIGHTS = (0.10, 0.18, 0.32, 0.40)
_DISABILITY_CATEGORY_ADULT = (0.10, 0.10, 0.01, 0.52, 0.10, 0.11, 0.06)
_DISABILITY_CATEGORY_CHILD = (0.05, 0.12, 0.05, 0.15, 0.40, 0.05, 0.18)
#: Chance of working away by age band 16–19, 20–29, 30–39, 40–49, 50–59 (scaled to the target).
_MIGRANT_BANDS = np.array([20, 30, 40, 50])
_P_MIGRANT = np.array([0.45, 0.62, 0.55, 0.42, 0.22])
_PHONE_PREFIXES = np.array(
    [130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155, 156, 157, 158,
     159, 173, 175, 176, 177, 178, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 191, 193,
     195, 198, 199]
)  # fmt: skip


def annual_mortality(age: IntArray) -> FloatArray:
    """Gompertz-shaped yearly death probability; calibrated so a rural age mix gives ~0.7%."""
    q: FloatArray = np.minimum(0.5, 0.00005 * np.exp(0.09 * age)) + np.where(age == 0, 0.004, 0.0)
    return q


def assign_attributes(chunk: Chunk, plan: Plan, rng: np.random.Generator) -> None:
    _schooling(chunk, plan, rng)
    _health(chunk, plan, rng)
    _labour(chunk, plan, rng)
    _phones(chunk, plan, rng)
    _insurance(chunk, plan, rng)
    _registry_deaths(chunk, plan, rng)
    _welfare(chunk, plan, rng)


def _schooling(chunk: Chunk, plan: Plan, rng: np.random.Generator) -> None:
    cfg = plan.config
    age, n = chunk.age, chunk.persons
    u = rng.random(n)
    student = np.full(n, "00", dtype="<U2")
    education = np.full(n, "90", dtype="<U2")
    reason = np.full(n, "", dtype="<U2")
    student[(age >= 3) & (age <= 5) & (u < cfg.preschool_enrolment)] = "10"
    student[(age >= 6) & (age <= 11)], education[(age >= 6) & (age <= 11)] = "21", "70"
    student[(age >= 12) & (age <= 14)], education[(age >= 12) & (age <= 14)] = "22", "60"
    for ages, cuts in (((15, 15), (0.45, 0.80, 0.96)), ((16, 17), (0.0, 0.55, 0.85))):
        band = (age >= ages[0]) & (age <= ages[1])
        for (low, high), code, edu in (
            ((0.0, cuts[0]), "22", "60"),
            ((cuts[0], cuts[1]), "31", "50"),
            ((cuts[1], cuts[2]), "32", "40"),
            ((cuts[2], 1.0), "00", "60"),
        ):
            rows = band & (u >= low) & (u < high)
            student[rows], education[rows] = code, edu
    reason[(age == 15) & (student == "00")] = "03"  # finished compulsory education
    birth_year, _, _ = ymd(chunk.birth_day)
    adult = (age >= 18) & (student == "00")
    for a, share in _COLLEGE_SHARE.items():
        rows = (age == a) & (u < share)
        bachelor = rows & (rng.random(n) < 0.4)
        student[rows & ~bachelor], education[rows & ~bachelor] = "41", "30"
        student[bachelor], education[bachelor] = "42", "20"
        adult &= ~rows
    lower = 0
    for (upper, is_male), weights in _EDUCATION_BY_COHORT.items():
        members = np.flatnonzero(
            adult & (birth_year >= lower) & (birth_year < upper) & (chunk.is_male == is_male)
        )
        education[members] = _EDUCATION[choice_index(rng, weights, members.size)]
        if not is_male:
            lower = upper
    # Children of compulsory-school age out of school (DOMAIN.md §6.3, §7).
    compulsory = np.flatnonzero((age >= 6) & (age <= 15) & (student != "00"))
    excused = exact_pick(rng, compulsory, cfg.out_of_school_excused, compulsory.size)
    student[excused] = "00"
    reason[excused] = np.where(rng.random(excused.size) < 0.6, "01", "02")
    rest = np.setdiff1d(compulsory, excused)
    unexcused = exact_pick(rng, rest, cfg.out_of_school_unexcused, compulsory.size)
    older = age[unexcused] >= 14
    student[unexcused] = "00"
    reason[unexcused] = np.where(
        older,
        np.array(["11", "12", "13", "99"])[choice_index(rng, (4, 3, 2, 1), unexcused.size)],
        np.array(["11", "13", "99"])[choice_index(rng, (4, 4, 2), unexcused.size)],
    )
    chunk.student_status, chunk.education, chunk.out_of_school_reason = student, education, reason
    chunk.extra["excused_children"] = excused


def _health(chunk: Chunk, plan: Plan, rng: np.random.Generator) -> None:
    n = chunk.persons
    band = np.searchsorted(_AGE_BANDS, chunk.age, side="right")
    factor = np.where(chunk.is_poor[chunk.household], _POOR_HEALTH_FACTOR, _ORDINARY_HEALTH_FACTOR)
    u = rng.random(n)
    p_dis = _P_DISABLED[band] * factor
    p_ser = p_dis + _P_SERIOUS[band] * factor
    p_chr = p_ser + _P_CHRONIC[band] * factor
    health = np.where(u < p_dis, "40", np.where(u < p_ser, "30", np.where(u < p_chr, "20", "10")))
    grade = np.array(["1", "2", "3", "4"])[choice_index(rng, _DISABILITY_GRADE_WEIGHTS, n)]
    category = np.where(
        chunk.age < 18,
        np.array(list("1234567"))[choice_index(rng, _DISABILITY_CATEGORY_CHILD, n)],
        np.array(list("1234567"))[choice_index(rng, _DISABILITY_CATEGORY_ADULT, n)],
    )
    excused = chunk.extra["excused_children"]
    severe_disabled = rng.random(excused.size) < 0.7
    health[excused] = np.where(severe_disabled, "40", "30")
    grade[excused] = np.where(rng.random(excused.size) < 0.5, "1", "2")
    disabled = health == "40"
    chunk.health = health.astype("<U2")
    chunk.disability_grade = np.where(disabled, grade, "").astype("<U1")
    chunk.disability_category = np.where(disabled, category, "").astype("<U1")
    # A disabled person may be registered with the disability certificate (残疾人证) number.
    certified = disabled & (rng.random(n) < plan.config.disability_certificate_id_share)
    chunk.id_type = np.where(certified, "2", "1").astype("<U1")


def _labour(chunk: Chunk, plan: Plan, rng: np.random.Generator) -> None:
    n, age, health = chunk.persons, chunk.age, chunk.health
    u = rng.random(n)
    severe = chunk.severely_ill_or_disabled
    weak = (health == "20") | ((health == "40") & ~severe)
    educated = np.isin(chunk.education, ["10", "20", "30", "40"])
    labour = np.where(u < 0.08 + 0.25 * educated, "20", np.where(u > 0.97, "30", "10"))
    labour = np.where((age >= 60) & (u < 0.5), "30", np.where(age >= 60, "10", labour))
    labour = np.where(weak & (rng.random(n) < 0.6), "30", labour)
    labour = np.where(severe, "40", labour)
    labour = np.where((age < 16) | chunk.is_student | (age >= 70), "50", labour).astype("<U2")
    chunk.labour_ability = labour
    # Migrant work: scale the age-shaped chances so the expected share equals the target.
    working_age = (age >= 16) & (age <= 59) & ~chunk.is_student
    core = working_age & np.isin(labour, ["10", "20"])
    p = _P_MIGRANT[np.searchsorted(_MIGRANT_BANDS, age, side="right")]
    parents_away = (chunk.template[chunk.household] == THREE_GEN) & np.isin(chunk.slot, [4, 5])
    p = np.where(parents_away, 0.78, p)
    if core.any():
        p = np.minimum(p * plan.config.migrant_share_target * core.sum() / p[core].sum(), 0.95)
    p = np.where(core, p, np.where(working_age & (labour == "30"), 0.08, 0.0))
    migrant = rng.random(n) < p
    months = np.array([12, 11, 10, 9, 8, 7, 6])[choice_index(rng, (40, 13, 12, 10, 9, 8, 8), n)]
    chunk.migrant_months = np.where(migrant, months, 0).astype(np.int64)
    employer = choice_index(rng, plan.employer_weights.tolist(), n)
    chunk.employer = np.where(migrant, employer, -1).astype(np.int64)


def _phones(chunk: Chunk, plan: Plan, rng: np.random.Generator) -> None:
    age, n = chunk.age, chunk.persons
    p = np.where(age >= 70, 0.5, np.where(age >= 16, 0.9, np.where(age >= 12, 0.15, 0.0)))
    chunk.has_phone = rng.random(n) < p
    prefix = _PHONE_PREFIXES[rng.integers(0, _PHONE_PREFIXES.size, n)]
    chunk.phone_number = prefix * 100_000_000 + rng.integers(0, 100_000_000, n)


def _insurance(chunk: Chunk, plan: Plan, rng: np.random.Generator) -> None:
    cfg, age, n = plan.config, chunk.age, chunk.persons
    u = rng.random(n)
    adult_worker = (age >= 22) & (age <= 59) & ~chunk.is_student
    formal = adult_worker & (
        (np.isin(chunk.education, ["10", "20", "30"]) & (u < 0.15))
        | ((chunk.labour_ability == "20") & (chunk.migrant_months == 0) & (u < 0.02))
        | ((chunk.migrant_months > 0) & (u < 0.01))
    )
    uninsured = rng.random(n) < np.where(age == 0, 0.10, cfg.no_medical_insurance)
    resident = ~formal & ~uninsured
    both = exact_pick(rng, np.flatnonzero(formal), cfg.both_medical_insurances, n)
    resident[both] = True  # rule 2_12_015: enrolled in both schemes (a data-quality case)
    chunk.has_employee_medical = formal
    chunk.has_resident_medical = resident
    chunk.has_employee_pension = formal & (rng.random(n) < 0.9)
    share = np.where(age >= 60, 0.97, cfg.resident_pension_share)
    chunk.has_resident_pension = (
        (age >= 16) & ~chunk.is_student & ~chunk.has_employee_pension & (rng.random(n) < share)
    )


def _registry_deaths(chunk: Chunk, plan: Plan, rng: np.random.Generator) -> None:
    """A few members the registry already records as deceased (never a head)."""
    n = chunk.persons
    candidates = np.flatnonzero(chunk.slot != HEAD)
    chunk.is_deceased = np.zeros(n, dtype=bool)
    chunk.death_day = np.zeros(n, dtype=np.int64)
    k = min(candidates.size, round(plan.config.registry_deceased_share * n))
    if k == 0:
        return
    weights = annual_mortality(chunk.age[candidates])
    dead = rng.choice(candidates, size=k, replace=False, p=weights / weights.sum())
    chunk.is_deceased[dead] = True
    death = plan.reference_day - rng.integers(30, 700, k)
    chunk.death_day[dead] = np.maximum(death, chunk.birth_day[dead] + 1)


def _welfare(chunk: Chunk, plan: Plan, rng: np.random.Generator) -> None:
    """低保 and 特困 by household, concentrated where nobody can work; public-welfare posts."""
    h = chunk.households
    active = chunk.active
    labour = active & np.isin(chunk.labour_ability, HAS_LABOUR)
    no_labour = ~per_household_any(chunk, labour)
    severe = per_household_any(chunk, active & chunk.severely_ill_or_disabled)
    chunk.size = per_household_sum(chunk, active).astype(np.int64)
    alone = (chunk.size == 1) & np.isin(chunk.template, [SINGLE_ELDERLY, SINGLE_ADULT])
    head_age = np.zeros(h, dtype=np.int64)
    head_age[chunk.household[chunk.slot == HEAD]] = chunk.age[chunk.slot == HEAD]
    tekun_hh = alone & (((head_age >= 60) & no_labour) | severe) & (rng.random(h) < 0.4)
    p_dibao = np.where(
        chunk.is_poor,
        0.03 + 0.25 * no_labour + 0.10 * severe,
        0.003 + 0.04 * no_labour + 0.03 * severe,
    )
    dibao_hh = ~tekun_hh & (rng.random(h) < p_dibao)
    chunk.is_tekun = tekun_hh[chunk.household] & active
    chunk.is_dibao = dibao_hh[chunk.household] & active
    # Public-welfare posts (公益岗位) for formerly poor households: one member who stays home.
    eligible = (
        active
        & (chunk.age >= 30)
        & (chunk.age <= 65)
        & (chunk.migrant_months == 0)
        & np.isin(chunk.labour_ability, ["10", "30"])
    )
    score = np.where(eligible, rng.random(chunk.persons), -1.0)
    best = np.full(h, -1.0)
    np.maximum.at(best, chunk.household, score)
    pick = eligible & (score == best[chunk.household])
    post_hh = chunk.is_poor & (rng.random(h) < 0.18)
    chunk.public_welfare_post = pick & post_hh[chunk.household]
