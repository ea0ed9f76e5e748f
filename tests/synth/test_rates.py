"""The generated county's rates lie in the ranges documented in docs/synth.md ("Checked ranges").

The ranges are read from the documentation itself, so the two cannot drift apart.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from fangpin.income import derive
from tests.synth.conftest import REFERENCE, ROOT, Dataset

DOC = ROOT / "docs" / "synth.md"


def _documented_ranges() -> dict[str, tuple[float, float]]:
    text = DOC.read_text("utf-8")
    block = text.split("<!-- checked-ranges:start -->")[1].split("<!-- checked-ranges:end -->")[0]
    ranges = {}
    for line in block.strip().splitlines()[2:]:
        key, _measure, low, high = (cell.strip() for cell in line.strip("|").split("|"))
        ranges[key] = (float(low), float(high))
    return ranges


def _age(born: date) -> int:
    return REFERENCE.year - born.year - ((REFERENCE.month, REFERENCE.day) < (born.month, born.day))


def _share(flags: list[bool]) -> float:
    return sum(flags) / len(flags)


def _measures(dataset: Dataset) -> dict[str, Callable[[], float]]:
    households = dataset.registry["households"].to_pylist()
    persons = dataset.registry["persons"].to_pylist()
    conditions = dataset.registry["conditions"].to_pylist()
    spells = dataset.registry["monitorings"].to_pylist()
    poor = {h["household_id"] for h in households if h["household_type"] == "1"}
    line = dataset.config.monitoring_line
    finance: dict[int, dict[int, Any]] = defaultdict(dict)
    for row in dataset.registry["finances"].to_pylist():
        finance[row["year"]][row["household_id"]] = derive(row, row["household_size"])
    now, before = finance[dataset.config.year], finance[dataset.config.year - 1]
    income = {h: d.per_capita_net_income for h, d in now.items()}
    adults = [p for p in persons if _age(p["birth_date"]) >= 18]
    labour = [
        p
        for p in persons
        if 16 <= _age(p["birth_date"]) <= 59
        and p["student_status"] == "00"
        and p["labour_ability"] in ("10", "20")
    ]
    children = [p for p in persons if 6 <= _age(p["birth_date"]) <= 15]
    water = [
        r["water_quantity_ok"]
        and r["water_quality_ok"]
        and r["water_convenience_ok"]
        and r["water_reliability_ok"]
        for r in conditions
    ]
    return {
        "household_size_mean": lambda: statistics.mean(_sizes(dataset)),
        "formerly_poor_share": lambda: len(poor) / len(households),
        "relocated_share_of_poor": lambda: _share(
            [h["is_relocated"] for h in households if h["household_id"] in poor]
        ),
        "head_male_share": lambda: _share(
            [p["sex"] == "1" for p in persons if p["relation"] == "01"]
        ),
        "disabled_share": lambda: _share([p["health"] == "40" for p in persons]),
        "serious_illness_share": lambda: _share([p["health"] == "30" for p in persons]),
        "chronic_share_of_adults": lambda: _share([p["health"] == "20" for p in adults]),
        "migrant_share": lambda: _share([p["migrant_work_months"] > 0 for p in labour]),
        "resident_medical_share": lambda: _share([p["has_resident_medical"] for p in persons]),
        "dibao_share_of_poor_persons": lambda: _share(
            [p["is_dibao"] for p in persons if p["household_id"] in poor]
        ),
        "unexcused_out_of_school_share": lambda: _share(
            [p["out_of_school_reason"] in ("11", "12", "13", "99") for p in children]
        ),
        "median_per_capita_income": lambda: float(statistics.median(income.values())),
        "median_per_capita_income_poor": lambda: float(
            statistics.median(v for h, v in income.items() if h in poor)
        ),
        "below_line_share": lambda: _share([v < line for v in income.values()]),
        "near_line_share": lambda: _share(
            [line <= v < line * Decimal("1.5") for v in income.values()]
        ),
        "sudden_drop_share": lambda: _share(
            [
                now[h].per_capita_net_income <= Decimal("0.7") * before[h].per_capita_net_income
                for h in now
            ]
        ),
        "housing_unsafe_share": lambda: _share(
            [r["housing_grade"] in ("C", "D") for r in conditions]
        ),
        "water_unsafe_share": lambda: 1 - _share(water),
        "piped_water_share": lambda: _share([r["water_is_piped"] for r in conditions]),
        "monitored_share": lambda: len({s["household_number"] for s in spells}) / len(households),
        "sudden_share_of_spells": lambda: _share([s["object_type"] == "SUDDEN" for s in spells]),
        "eliminated_share_of_spells": lambda: _share(
            [s["eliminated_month"] is not None for s in spells]
        ),
        "backstop_share_of_current": lambda: _share(
            [s["no_labour_backstop"] for s in spells if s["is_current"]]
        ),
    }


def _sizes(dataset: Dataset) -> list[int]:
    finances = dataset.registry["finances"]
    years = finances.column("year").to_pylist()
    sizes = finances.column("household_size").to_pylist()
    return [s for s, y in zip(sizes, years, strict=True) if y == dataset.config.year]


RANGES = _documented_ranges()


@pytest.fixture(scope="module")
def measured(dataset: Dataset) -> dict[str, float]:
    return {key: measure() for key, measure in _measures(dataset).items()}


def test_docs_and_measures_name_the_same_rates(measured: dict[str, float]) -> None:
    assert set(RANGES) == set(measured)
    assert len(RANGES) == 23


@pytest.mark.parametrize("key", sorted(RANGES))
def test_rate_is_within_its_documented_range(measured: dict[str, float], key: str) -> None:
    low, high = RANGES[key]
    assert low <= measured[key] <= high, f"{key} = {measured[key]:.4f}, documented {low}–{high}"
