"""Tiny registry tables for the achievement builder, valid against fangpin.contract.registry.

Each builder takes rows of only the fields a test cares about; every other field gets a
neutral default (secured, insured, safe water, grade A, zero money).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa

from fangpin.contract import CONDITIONS, FINANCES, HOUSEHOLDS, PERSONS, validate_table
from fangpin.income import all_amount_fields

AS_OF = date(2024, 12, 31)
VILLAGE = "433124102201"


def _table(schema: pa.Schema, rows: list[dict[str, Any]], defaults: dict[str, Any]) -> pa.Table:
    full = [{**defaults, **row} for row in rows]
    columns = {f.name: [r[f.name] for r in full] for f in schema}
    return validate_table(pa.table(columns, schema=schema), schema)


def households(*rows: dict[str, Any]) -> pa.Table:
    defaults = {
        "household_number": "",
        "village_code": VILLAGE,
        "natural_village": "1组",
        "address": "",
        "household_type": "1",
        "phone": "",
        "is_relocated": False,
        "relocation_mode": "",
        "relocation_site": "",
        "status": "active",
    }
    numbered = [{"household_number": f"H{r['household_id']}", **r} for r in rows]
    return _table(HOUSEHOLDS, numbered, defaults)


def persons(*rows: dict[str, Any]) -> pa.Table:
    defaults = {
        "name": "某某",
        "sex": "1",
        "id_type": "1",
        "id_number": "",
        "birth_date": date(1980, 1, 1),
        "relation": "01",
        "ethnicity": "01",
        "education": "60",
        "student_status": "00",
        "out_of_school_reason": "",
        "health": "1",
        "disability_grade": "",
        "disability_category": "",
        "labour_ability": "10",
        "migrant_work_months": 0,
        "migrant_employer": "",
        "phone": "",
        "has_resident_medical": True,
        "has_employee_medical": False,
        "has_critical_illness": True,
        "has_resident_pension": True,
        "has_employee_pension": False,
        "is_dibao": False,
        "is_tekun": False,
        "status": "active",
        "death_date": None,
    }
    numbered = [{"person_id": index + 1, **r} for index, r in enumerate(rows)]
    return _table(PERSONS, numbered, defaults)


def finances(*rows: dict[str, Any]) -> pa.Table:
    defaults: dict[str, Any] = {"year": 2024, "household_size": 1}
    defaults.update({name: Decimal("0.00") for name in all_amount_fields()})
    money = [
        {k: (Decimal(str(v)) if k in all_amount_fields() else v) for k, v in r.items()}
        for r in rows
    ]
    return _table(FINANCES, money, defaults)


def conditions(*rows: dict[str, Any]) -> pa.Table:
    defaults = {
        "assessed_on": date(2024, 6, 30),
        "food_secure": True,
        "clothing_secure": True,
        "housing_grade": "A",
        "housing_assessor": "县住建局",
        "housing_assessed_on": date(2020, 1, 1),
        "water_source": "1",
        "water_area_type": "rich",
        "water_litres_per_person_day": 60,
        "water_quality_tested": True,
        "water_quality_simple_check_ok": True,
        "water_is_piped": True,
        "water_trip_minutes": None,
        "water_horizontal_m": None,
        "water_vertical_m": None,
        "water_cut_days_per_year": 0,
        "water_quantity_ok": True,
        "water_quality_ok": True,
        "water_convenience_ok": True,
        "water_reliability_ok": True,
    }
    return _table(CONDITIONS, list(rows), defaults)
