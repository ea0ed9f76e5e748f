"""Finances (two years per household) and the household checklist."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from fangpin.conditions import WaterMeasurement, assess_water
from fangpin.contract import MONEY
from fangpin.income import all_amount_fields, derive
from tests.synth.conftest import REFERENCE, Dataset


def _by_household(dataset: Dataset) -> dict[int, dict[int, dict[str, object]]]:
    rows: dict[int, dict[int, dict[str, object]]] = defaultdict(dict)
    for row in dataset.registry["finances"].to_pylist():
        rows[row["household_id"]][row["year"]] = row
    return rows


def test_every_household_has_both_years(dataset: Dataset) -> None:
    years = Counter(dataset.registry["finances"].column("year").to_pylist())
    n = dataset.registry["households"].num_rows
    assert years == {dataset.config.year - 1: n, dataset.config.year: n}


def test_amounts_are_exact_non_negative_yuan_with_two_decimals(dataset: Dataset) -> None:
    finances = dataset.registry["finances"]
    for name in all_amount_fields():
        column = finances.column(name)
        assert column.type == MONEY
        assert column.null_count == 0
        assert pc.min(column).as_py() >= Decimal("0.00")
    sample = finances.slice(0, 200).to_pylist()
    for row in sample:
        for name in all_amount_fields():
            assert row[name].as_tuple().exponent == -2


def test_household_size_counts_the_active_members(dataset: Dataset) -> None:
    active = Counter(
        p["household_id"]
        for p in dataset.registry["persons"].to_pylist()
        if p["status"] == "active"
    )
    for row in dataset.registry["finances"].to_pylist():
        assert row["household_size"] == active[row["household_id"]]


def test_income_components_follow_the_members(dataset: Dataset) -> None:
    persons = dataset.registry["persons"].to_pylist()
    members: dict[int, list[dict[str, object]]] = defaultdict(list)
    for p in persons:
        if p["status"] == "active":
            members[p["household_id"]].append(p)
    year = dataset.config.year
    for household_id, years in _by_household(dataset).items():
        row, people = years[year], members[household_id]
        has_migrant = any(p["migrant_work_months"] for p in people)
        assert (row["wage_migrant"] > 0) == has_migrant
        assert (row["tr_dibao"] > 0) == any(p["is_dibao"] for p in people)
        assert (row["tr_tekun"] > 0) == any(p["is_tekun"] for p in people)
        if row["tr_pension"] > 0:
            assert any((REFERENCE - p["birth_date"]).days >= 60 * 365 for p in people)  # type: ignore[operator]
        if row["production_expenses"] > 0:
            production = (
                row["prod_crops"]
                + row["prod_livestock"]
                + row["prod_forestry_fruit"]
                + row["prod_other"]
            )
            # 30–60% of production; a disaster can destroy crops after the costs were spent.
            low, high = Decimal("0.25") * production, Decimal("1.25") * production  # type: ignore[operator]
            assert low <= row["production_expenses"] <= high


def test_per_capita_income_from_income_derive_is_realistic(dataset: Dataset) -> None:
    """Checked against docs/synth.md as well (test_rates); here: derive agrees and is sane."""
    year = dataset.config.year
    per_capita = []
    for years in _by_household(dataset).values():
        row = years[year]
        derived = derive(row, int(row["household_size"]))  # type: ignore[call-overload]
        per_capita.append(derived.per_capita_net_income)
    per_capita.sort()
    median = per_capita[len(per_capita) // 2]
    assert Decimal(12000) <= median <= Decimal(17000)
    assert per_capita[0] >= Decimal(0)


def test_last_year_is_mostly_a_little_lower(dataset: Dataset) -> None:
    year = dataset.config.year
    growth = []
    for years in _by_household(dataset).values():
        now = derive(years[year], int(years[year]["household_size"]))  # type: ignore[call-overload]
        before = derive(years[year - 1], int(years[year - 1]["household_size"]))  # type: ignore[call-overload]
        if before.per_capita_net_income > 0:
            growth.append(now.per_capita_net_income / before.per_capita_net_income)
    growing = sum(Decimal("1.0") <= g <= Decimal("1.15") for g in growth) / len(growth)
    assert growing >= 0.8


def test_water_flags_equal_assess_water_for_every_row(dataset: Dataset) -> None:
    rows = dataset.registry["conditions"].to_pylist()
    for row in rows:
        result = assess_water(
            WaterMeasurement(
                area_type=row["water_area_type"],
                litres_per_person_day=row["water_litres_per_person_day"],
                quality_tested=row["water_quality_tested"],
                quality_simple_check_ok=row["water_quality_simple_check_ok"],
                is_piped=row["water_is_piped"],
                trip_minutes=row["water_trip_minutes"],
                horizontal_m=row["water_horizontal_m"],
                vertical_m=row["water_vertical_m"],
                cut_days_per_year=row["water_cut_days_per_year"],
            )
        )
        assert (
            row["water_quantity_ok"],
            row["water_quality_ok"],
            row["water_convenience_ok"],
            row["water_reliability_ok"],
        ) == (result.quantity_ok, result.quality_ok, result.convenience_ok, result.reliability_ok)
    assert {r["water_area_type"] for r in rows} == {"rich", "short"}
    assert any(not r["water_reliability_ok"] for r in rows)


def test_conditions_are_recent_and_consistent(dataset: Dataset) -> None:
    relocated = {
        h["household_id"] for h in dataset.registry["households"].to_pylist() if h["is_relocated"]
    }
    for row in dataset.registry["conditions"].to_pylist():
        assert REFERENCE - timedelta(days=183) <= row["assessed_on"] <= REFERENCE
        piped = row["water_is_piped"]
        for name in ("water_trip_minutes", "water_horizontal_m", "water_vertical_m"):
            assert (row[name] is None) == piped
        assert row["housing_assessor"] == "花垣县住房和城乡建设局"  # the registry requires it
        assert row["housing_assessed_on"] <= row["assessed_on"]
        if row["household_id"] in relocated:
            assert row["housing_grade"] == "A"
    grades = Counter(dataset.registry["conditions"].column("housing_grade").to_pylist())
    assert set(grades) == {"A", "B", "C", "D"}


def test_no_nan_in_registry_tables(dataset: Dataset) -> None:
    for table in dataset.registry.values():
        for column in table.columns:
            if pa.types.is_floating(column.type):
                assert not pc.any(pc.is_nan(column)).as_py()
