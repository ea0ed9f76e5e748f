"""Monitoring objects (监测对象): spells of identification and elimination, with their risks.

A household becomes a candidate when its generated per-capita net income fell inside the
monitoring range (below ``monitoring_line``) in one of the two generated years, when it sits
just above the line in both (it was inside the lower ranges of earlier years), or when a
shock hit it (serious illness, grade 1–2 disability, a disaster that damaged the house, a
collapse of earnings, an accident). Each pool is identified with its own probability
(docs/synth.md, "Monitoring objects"). The type follows DOMAIN.md §1.2: income in range makes
a 脱贫户 ``UNSTABLE`` and an ordinary household ``MARGINAL``; a shock with income above the
range makes either ``SUDDEN``.

Spells start between 2021-03 (the 2021 mechanism) and the end of the finance year. A spell is
eliminated (DOMAIN.md §5) only when income is above the line now, the household has someone
able to work, and at least six months have passed; households where nobody can work stay open
as backstop households (§5.2). A few households were eliminated once and identified again:
they have two spells and only the latest is current. The rule violations that screening must
catch are injected afterwards at the messiness rates (``monitoring_*`` in MessinessRates).

Risks (1–5 per spell, no duplicates, DOMAIN.md §2.4) are drawn from the household's facts:
illness, disability, lack of labour, students in costly schooling, the disaster that hit the
village (with its subtype), migrant work, unsafe housing or water; the cause of the shock first.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa

from fangpin.contract import MONITORING_RISKS, MONITORINGS, validate_table
from fangpin.income import COMPONENTS, EXPENSE_FIELDS
from fangpin.synth._arrow import BoolArray, IntArray, date_array, exact_pick
from fangpin.synth.chunk import HAS_LABOUR, Chunk, per_household_any
from fangpin.synth.finances import DROP_CAUSES
from fangpin.synth.plan import Plan

__all__ = [
    "FIRST_MONTH",
    "make_monitoring",
    "monitoring_risks_table",
    "monitorings_table",
    "no_labour_households",
]

#: The 2021 mechanism (中农组发〔2021〕7号) starts the spells: identification from 2021-03.
FIRST_MONTH = date(2021, 3, 1)
_EARLY_SKEW = 2.0  # identification month = start + u^2 × span: earlier months more likely
_STEADY_FACTOR = 0.5  # near-line identification rate of households nobody in can work
MIN_MONTHS = 6  # DOMAIN.md §5.1: at least six months a monitoring object before elimination

ILLNESS, DISASTER, DISABILITY, NO_LABOUR, ACCIDENT = "01", "02", "03", "04", "05"
PROJECT, EMPLOYMENT, SCHOOLING, HOUSING, WATER, OTHER = "06", "07", "09", "10", "11", "99"
#: Number of risks per spell: 1–3 typically, at most five (DOMAIN.md §2.4).
_RISK_COUNT_WEIGHTS = np.array([0.45, 0.35, 0.15, 0.04, 0.01])
#: Subtype of a natural-disaster risk without a recorded event: 湘西 sees floods and landslides.
_SUBTYPES = ("0201", "0202", "0205", "0203")
_SUBTYPE_WEIGHTS = np.array([0.55, 0.30, 0.10, 0.05])
_COSTLY_SCHOOLING = ["31", "32", "41", "42"]
#: Net income = every component less the expenses (fangpin.income.derive), as signs.
_NET_TERMS = (*((c.field, 1) for c in COMPONENTS), *((f, -1) for f, _ in EXPENSE_FIELDS))
#: The risk behind each cause of a sudden drop (finances.DROP_CAUSES order).
_DROP_RISKS = {"illness": ILLNESS, "job_loss": EMPLOYMENT, "disaster": DISASTER}


def _month(day: date) -> int:
    return day.year * 12 + day.month - 1


def _first_days(months: IntArray) -> IntArray:
    """Day numbers (date32) of the first day of absolute month numbers."""
    values = (np.asarray(months, dtype=np.int64) - 1970 * 12).astype("datetime64[M]")
    result: IntArray = values.astype("datetime64[D]").astype(np.int64)
    return result


def no_labour_households(chunk: Chunk) -> BoolArray:
    """Households where no active member has any labour ability (整户无劳动能力)."""
    able = chunk.active & np.isin(chunk.labour_ability, HAS_LABOUR)
    result: BoolArray = ~per_household_any(chunk, able)
    return result


def _below_line(chunk: Chunk, plan: Plan) -> tuple[BoolArray, BoolArray, IntArray]:
    """Below the line this year, last year; and the lower per-capita income in fen."""
    cfg = plan.config
    size = np.maximum(chunk.size, 1)
    line_fen = int(cfg.monitoring_line * 100)
    below, lowest = [], np.full(chunk.households, np.iinfo(np.int64).max)
    for year in (cfg.year, cfg.year - 1):
        amounts = chunk.extra["finances"][year]
        net = np.zeros(chunk.households, dtype=np.int64)
        for name, sign in _NET_TERMS:
            net += sign * np.rint(np.maximum(amounts[name], 0) * 100).astype(np.int64)
        below.append(net < line_fen * size)  # exact: per-capita < line without rounding
        lowest = np.minimum(lowest, net // size)
    return below[0], below[1], lowest


def make_monitoring(chunk: Chunk, plan: Plan, rng: np.random.Generator) -> None:
    """Pick the monitored households, their spells and risks; store them in chunk.extra."""
    cfg = plan.config
    h = chunk.households
    is_poor = chunk.is_poor
    below_now, below_before, lowest = _below_line(chunk, plan)
    line_fen = int(cfg.monitoring_line * 100)
    near = ~below_now & ~below_before & (lowest < line_fen * cfg.monitoring_near_line_factor)
    recovered = below_before & ~below_now
    severe = per_household_any(chunk, chunk.active & chunk.severely_ill_or_disabled)
    drop_cause = chunk.extra["drop_cause"]
    accident = rng.random(h) < cfg.monitoring_accident_share
    event = (drop_cause >= 0) | (chunk.extra["disaster_damage"] >= 1) | accident
    no_labour = no_labour_households(chunk)
    # Near the line, a household living on pensions and transfers alone has a steady income:
    # half as likely to be identified as one whose earnings can fall away.
    near_rate = cfg.monitoring_identify_near_line * np.where(no_labour, _STEADY_FACTOR, 1.0)
    u = rng.random(h)
    income_pick = np.where(
        below_now,
        u < cfg.monitoring_identify_below_line,
        np.where(
            recovered,
            u < cfg.monitoring_identify_recovered,
            near & (u < near_rate),
        ),
    )
    v = rng.random(h)
    shock_pick = ~below_now & ~recovered & ~income_pick
    shock_pick &= (event & (v < cfg.monitoring_identify_event)) | (
        severe & (v < cfg.monitoring_identify_severe)
    )
    monitored = np.flatnonzero(income_pick | shock_pick)

    first = _month(FIRST_MONTH)
    last = min(_month(date(cfg.year, 12, 1)), _month(cfg.reference_date))
    year_start = _month(date(cfg.year, 1, 1))
    k = monitored.size
    sudden = shock_pick[monitored]
    object_type = np.where(sudden, "SUDDEN", np.where(is_poor[monitored], "UNSTABLE", "MARGINAL"))
    # Identification: this year's events this year; last year's low income last year or
    # earlier; the rest any time since 2021-03.
    this_year = sudden & event[monitored]
    recovered_m = recovered[monitored]
    start = np.where(this_year, year_start, first)
    stop = np.where(recovered_m, year_start - 1, last)
    # Most identifications came early (the 2021–22 sweeps): skew the draw towards the start.
    skew = np.where(this_year, 1.0, _EARLY_SKEW)
    identified = start + np.floor(rng.random(k) ** skew * (stop - start + 1)).astype(np.int64)
    # Elimination: income above the line now, someone can work, six months passed.
    room = last - identified - MIN_MONTHS
    eligible = ~below_now[monitored] & ~no_labour[monitored] & (room >= 0)
    eliminated_flag = eligible & (rng.random(k) < cfg.monitoring_eliminated_share)
    eliminated = np.where(
        eliminated_flag,
        identified + MIN_MONTHS + np.floor(rng.random(k) * (np.maximum(room, 0) + 1)),
        -1,
    ).astype(np.int64)
    natural = rng.random(k) < cfg.monitoring_natural_elimination_share
    mode = np.where(eliminated >= 0, np.where(natural, "natural", "assisted"), "").astype("<U8")
    backstop = no_labour[monitored]

    # Re-identified: an earlier spell, eliminated, before the current one.
    earliest_room = identified - first - (MIN_MONTHS + 1)
    # Not backstop households: they are never eliminated (DOMAIN.md §5.2).
    again = np.flatnonzero(
        (earliest_room >= 0) & ~backstop & (rng.random(k) < cfg.monitoring_reidentified_share)
    )
    earlier_identified = first + np.floor(rng.random(again.size) * (earliest_room[again] + 1))
    earlier_identified = earlier_identified.astype(np.int64)
    gap = identified[again] - 1 - earlier_identified - MIN_MONTHS
    earlier_eliminated = (
        earlier_identified + MIN_MONTHS + np.floor(rng.random(again.size) * (gap + 1))
    ).astype(np.int64)
    earlier_type = np.where(
        rng.random(again.size) < 0.8,
        np.where(is_poor[monitored[again]], "UNSTABLE", "MARGINAL"),
        "SUDDEN",
    )
    earlier_mode = np.where(
        rng.random(again.size) < cfg.monitoring_natural_elimination_share, "natural", "assisted"
    )

    spells: dict[str, Any] = {
        "household": np.concatenate([monitored, monitored[again]]),
        "object_type": np.concatenate([object_type, earlier_type]).astype("<U8"),
        "identified": np.concatenate([identified, earlier_identified]),
        "eliminated": np.concatenate([eliminated, earlier_eliminated]),
        "mode": np.concatenate([mode, earlier_mode]).astype("<U8"),
        "backstop": np.concatenate([backstop, backstop[again]]),
        "is_current": np.concatenate([np.ones(k, bool), np.zeros(again.size, bool)]),
    }
    spells["risks"] = _risks(chunk, plan, rng, spells)
    _inject_faults(spells, k, last, plan, rng)
    chunk.extra["monitoring"] = spells


def _inject_faults(
    spells: dict[str, Any], k: int, last: int, plan: Plan, rng: np.random.Generator
) -> None:
    """Break elimination rules in a few current spells (the database accepts them; screening
    must not): eliminated under six months after identification, and a backstop household
    marked eliminated. Last, with the spells and risks drawn, so they change nothing else."""
    rates = plan.config.messiness
    identified, eliminated = spells["identified"], spells["eliminated"]
    mode, backstop = spells["mode"], spells["backstop"]
    current = np.arange(k)
    early = exact_pick(rng, current[eliminated[:k] >= 0], rates.monitoring_early_elimination, k)
    eliminated[early] = identified[early] + rng.integers(1, MIN_MONTHS, early.size)
    open_backstop = backstop[:k] & (eliminated[:k] < 0) & (last - identified[:k] >= MIN_MONTHS)
    wrong_backstop = exact_pick(
        rng, current[open_backstop], rates.monitoring_backstop_eliminated, k
    )
    eliminated[wrong_backstop] = identified[wrong_backstop] + MIN_MONTHS
    mode[wrong_backstop] = "assisted"


def _risks(
    chunk: Chunk, plan: Plan, rng: np.random.Generator, spells: dict[str, Any]
) -> list[list[tuple[str, str]]]:
    """Risks (code, disaster subtype) per spell: the triggering cause first, then others."""
    active = chunk.active
    ill = per_household_any(chunk, active & np.isin(chunk.health, ["20", "30"]))
    disabled = per_household_any(chunk, active & (chunk.health == "40"))
    students = per_household_any(chunk, active & np.isin(chunk.student_status, _COSTLY_SCHOOLING))
    migrant = per_household_any(chunk, active & (chunk.migrant_months > 0))
    no_labour = no_labour_households(chunk)
    conditions = chunk.extra["conditions"]
    unsafe_house = np.isin(conditions["housing_grade"], ["C", "D"])
    unsafe_water = ~conditions["water_flags"].all(axis=1)
    event = chunk.extra["disaster_event"]
    drop_cause = chunk.extra["drop_cause"]
    disaster_codes = [d.code for d in plan.disasters]
    cause_risk = {i: _DROP_RISKS[cause] for i, cause in enumerate(DROP_CAUSES)}
    out: list[list[tuple[str, str]]] = []
    households = spells["household"].tolist()
    counts = 1 + rng.choice(5, size=len(households), p=_RISK_COUNT_WEIGHTS)
    extras = rng.random((len(households), 4))
    for i, hh in enumerate(households):
        subtype = disaster_codes[event[hh]] if event[hh] >= 0 else ""
        candidates = [
            code
            for code, present in (
                (ILLNESS, ill[hh]),
                (DISABILITY, disabled[hh]),
                (NO_LABOUR, no_labour[hh]),
                (SCHOOLING, students[hh]),
                (DISASTER, bool(subtype)),
                (EMPLOYMENT, migrant[hh]),
                (HOUSING, unsafe_house[hh]),
                (WATER, unsafe_water[hh]),
            )
            if present
        ]
        if extras[i, 0] < 0.05:
            candidates.append(DISASTER)  # a local flood or landslide the plan did not record
        if extras[i, 1] < 0.04:
            candidates.append(PROJECT)
        if extras[i, 2] < 0.03:
            candidates.append(ACCIDENT)
        candidates = list(dict.fromkeys(candidates))
        primary = cause_risk.get(int(drop_cause[hh]))
        if primary is None and spells["object_type"][i] == "SUDDEN":
            primary = next((c for c in (ILLNESS, DISABILITY, DISASTER) if c in candidates), None)
        rest = [c for c in candidates if c != primary]
        order = [rest[j] for j in rng.permutation(len(rest))]
        chosen = ([primary] if primary else []) + order
        chosen = chosen[: int(counts[i])] or [EMPLOYMENT if migrant[hh] else OTHER]
        if DISASTER in chosen and not subtype:
            subtype = _SUBTYPES[int(np.searchsorted(np.cumsum(_SUBTYPE_WEIGHTS), extras[i, 3]))]
        out.append([(code, subtype if code == DISASTER else "") for code in chosen])
    return out


def _month_dates(months: IntArray, valid: BoolArray | None = None) -> Any:
    return date_array(_first_days(np.maximum(months, 0)), valid)


def monitorings_table(chunk: Chunk, plan: Plan) -> Any:
    s = chunk.extra["monitoring"]
    numbers = chunk.extra["household_number"].take(pa.array(s["household"], pa.int64()))
    table = pa.table(
        {
            "household_number": numbers,
            "object_type": pa.array(s["object_type"], pa.string()),
            "identified_month": _month_dates(s["identified"]),
            "eliminated_month": _month_dates(s["eliminated"], s["eliminated"] >= 0),
            "elimination_mode": pa.array(s["mode"], pa.string()),
            "no_labour_backstop": pa.array(s["backstop"], pa.bool_()),
            "is_current": pa.array(s["is_current"], pa.bool_()),
        }
    )
    table = table.sort_by([("household_number", "ascending"), ("identified_month", "ascending")])
    return validate_table(table, MONITORINGS)


def monitoring_risks_table(chunk: Chunk, plan: Plan) -> Any:
    s = chunk.extra["monitoring"]
    rows = [
        (i, position, code, subtype)
        for i, risks in enumerate(s["risks"])
        for position, (code, subtype) in enumerate(risks, start=1)
    ]
    spell = np.array([r[0] for r in rows], dtype=np.int64)
    numbers = chunk.extra["household_number"].take(pa.array(s["household"][spell], pa.int64()))
    table = pa.table(
        {
            "household_number": numbers,
            "identified_month": _month_dates(s["identified"][spell]),
            "position": pa.array([r[1] for r in rows], pa.int8()),
            "risk_type": pa.array([r[2] for r in rows], pa.string()),
            "disaster_subtype": pa.array([r[3] for r in rows], pa.string()),
        }
    )
    table = table.sort_by(
        [
            ("household_number", "ascending"),
            ("identified_month", "ascending"),
            ("position", "ascending"),
        ]
    )
    return validate_table(table, MONITORING_RISKS)
