"""Household-level facts (village, 组, type, relocation) and the registry's Arrow tables."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fangpin.contract import HOUSEHOLDS, PERSONS, validate_table
from fangpin.synth._arrow import IntArray, concat, date_array, from_pool, padded
from fangpin.synth.chunk import Chunk
from fangpin.synth.names import CHINESE_NUMERALS
from fangpin.synth.plan import Plan

__all__ = ["households_table", "init_households", "persons_table"]


def init_households(
    chunk: Chunk, plan: Plan, rng: np.random.Generator, start: int, stop: int
) -> None:
    """Households ``start`` … ``stop - 1`` of the run (0-based): ids, villages, type, relocation."""
    cfg = plan.config
    n = stop - start
    chunk.household_id = np.arange(start + 1, stop + 1, dtype=np.int64)
    chunk.village = plan.household_village[start:stop]
    chunk.sequence = plan.household_sequence[start:stop]
    group_counts = np.array([len(g) for g in plan.village_groups])[chunk.village]
    chunk.group = np.floor(rng.random(n) * group_counts).astype(np.int64)
    chunk.is_poor = rng.random(n) < plan.village_poor_share[chunk.village]
    relocated = chunk.is_poor & (rng.random(n) < cfg.relocated_share_of_poor)
    concentrated = rng.random(n) < cfg.relocation_concentrated_share
    chunk.is_relocated = relocated
    chunk.relocation_mode = np.where(relocated, np.where(concentrated, "1", "2"), "").astype("<U1")
    township = from_pool([v.township_name for v in plan.villages], chunk.village)
    # Dispersed resettlement: another village of the same township.
    home = chunk.village
    pick = plan.township_first[home] + np.floor(rng.random(n) * plan.township_count[home]).astype(
        np.int64
    )
    destination = plan.township_order[pick]
    county_site = rng.random(n) < 0.6
    site = pc.if_else(
        pa.array(county_site),
        plan.county_site,
        concat(township, "易地扶贫搬迁集中安置点"),
    )
    dispersed = concat(
        township, from_pool([v.short_name for v in plan.villages], destination), "（分散安置）"
    )
    site = pc.if_else(pa.array(concentrated), site, dispersed)
    chunk.relocation_site = pc.if_else(pa.array(relocated), site, "")


def _natural_village_index(chunk: Chunk, plan: Plan) -> tuple[list[str], IntArray]:
    offsets = np.cumsum([0, *[len(g) for g in plan.village_groups]])
    flat = [name for groups in plan.village_groups for name in groups]
    return flat, offsets[chunk.village] + chunk.group


def households_table(chunk: Chunk, plan: Plan, rng: np.random.Generator) -> Any:
    codes = [v.code for v in plan.villages]
    village_code = from_pool(codes, chunk.village)
    names, index = _natural_village_index(chunk, plan)
    numeral = from_pool(
        [*CHINESE_NUMERALS, *[str(i) for i in range(len(CHINESE_NUMERALS) + 1, 100)]], chunk.group
    )
    address = concat(
        from_pool([plan.address_prefix(i) for i in range(len(plan.villages))], chunk.village),
        from_pool([v.township_name for v in plan.villages], chunk.village),
        from_pool([v.short_name for v in plan.villages], chunk.village),
        numeral,
        "组",
        pa.array(rng.integers(1, 121, chunk.households)).cast(pa.string()),
        "号",
    )
    # The household phone: the first member (head first) who has one; a few households none.
    n = chunk.households
    has = chunk.has_phone & chunk.active
    first = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first, chunk.household[has], np.flatnonzero(has))
    without = (first == np.iinfo(np.int64).max) | (
        rng.random(n) < plan.config.household_without_phone
    )
    numbers = chunk.phone_number[np.where(without, 0, first)]
    phone = pc.if_else(pa.array(without), "", pa.array(numbers).cast(pa.string()))
    chunk.household_phone = phone
    chunk.extra["address"] = address
    chunk.extra["household_number"] = concat(
        village_code, padded(chunk.sequence, plan.number_width)
    )
    table = pa.table(
        {
            "household_id": pa.array(chunk.household_id),
            "household_number": chunk.extra["household_number"],
            "village_code": village_code,
            "natural_village": from_pool(names, index),
            "address": address,
            "household_type": pa.array(np.where(chunk.is_poor, "1", "2")),
            "phone": phone,
            "is_relocated": pa.array(chunk.is_relocated),
            "relocation_mode": pa.array(chunk.relocation_mode),
            "relocation_site": chunk.relocation_site,
            "status": pa.array(np.full(n, "active")),
        }
    )
    return validate_table(table, HOUSEHOLDS)


def persons_table(chunk: Chunk, plan: Plan) -> Any:
    certificate = concat(
        chunk.id_number, pa.array(chunk.disability_category), pa.array(chunk.disability_grade)
    )
    id_number = pc.if_else(pa.array(chunk.id_type == "2"), certificate, chunk.id_number)
    phone = pc.if_else(
        pa.array(chunk.has_phone), pa.array(chunk.phone_number).cast(pa.string()), ""
    )
    employer = pc.if_else(
        pa.array(chunk.employer >= 0),
        from_pool(plan.employers, np.maximum(chunk.employer, 0)),
        "",
    )
    table = pa.table(
        {
            "person_id": pa.array(chunk.person_id),
            "household_id": pa.array(chunk.household_id[chunk.household]),
            "name": chunk.name,
            "sex": pa.array(np.where(chunk.is_male, "1", "2")),
            "id_type": pa.array(chunk.id_type),
            "id_number": id_number,
            "birth_date": date_array(chunk.birth_day),
            "relation": pa.array(chunk.relation),
            "ethnicity": pa.array(chunk.ethnicity),
            "education": pa.array(chunk.education),
            "student_status": pa.array(chunk.student_status),
            "out_of_school_reason": pa.array(chunk.out_of_school_reason),
            "health": pa.array(chunk.health),
            "disability_grade": pa.array(chunk.disability_grade),
            "disability_category": pa.array(chunk.disability_category),
            "labour_ability": pa.array(chunk.labour_ability),
            "migrant_work_months": pa.array(chunk.migrant_months.astype(np.int16)),
            "migrant_employer": employer,
            "phone": phone,
            "has_resident_medical": pa.array(chunk.has_resident_medical),
            "has_employee_medical": pa.array(chunk.has_employee_medical),
            "has_critical_illness": pa.array(chunk.has_resident_medical),
            "has_resident_pension": pa.array(chunk.has_resident_pension),
            "has_employee_pension": pa.array(chunk.has_employee_pension),
            "is_dibao": pa.array(chunk.is_dibao),
            "is_tekun": pa.array(chunk.is_tekun),
            "status": pa.array(np.where(chunk.is_deceased, "deceased", "active")),
            "death_date": date_array(chunk.death_day, chunk.is_deceased),
        }
    )
    return validate_table(table, PERSONS)
