"""The measures of a county's registry (measures_compute): the stored profile equals
fangpin.measures on the same households, exit qualification per village, township and county,
households without a finance year or a checklist left out and counted; a whole county needed.

The registry leaves the database through the snapshot (its own ADBC connection): on PostgreSQL
it sees committed rows only, so these tests commit there.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

import numpy as np
import pytest
from django.db import connection

from fangpin import measures, sampling
from fangpin.core.access import SYSTEM
from fangpin.core.models import AuditEvent
from fangpin.evaluation.errors import EvaluationError
from fangpin.evaluation.models import MeasureResult
from fangpin.evaluation.registry_measures import measures_compute
from fangpin.policy import resolve
from fangpin.registry import services
from fangpin.registry.models import HouseholdFinance
from tests.evaluation.conftest import (
    GOOD_WATER,
    HUAYUAN,
    LONGMEN,
    LUXI,
    SYSTEM_ACTOR,
    TUDI,
    XIANGSHUI,
    World,
    add_household,
    table_state,
)

pytestmark = [
    pytest.mark.django_db(transaction=connection.vendor == "postgresql"),
    pytest.mark.usefixtures("finances"),
]

THRESHOLDS = resolve(2024, "433124").evaluation


def unsafe_house(world: World) -> None:
    """A household of 响水村 well above the line whose house is graded D (unsafe)."""
    household = add_household(XIANGSHUI, "2", 30000, with_condition=False)
    services.condition_record(
        actor=SYSTEM_ACTOR,
        household_id=household.pk,
        assessed_on=date(2024, 5, 1),
        food_secure=True,
        clothing_secure=True,
        housing_grade="D",
        housing_assessor="花垣县住房和城乡建设局",
        housing_assessed_on=date(2023, 10, 12),
        water=GOOD_WATER,
    )


def county_data(year: int = 2024) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-capita incomes, sizes and townships of 花垣县's households with a finance row."""
    rows = list(
        HouseholdFinance.objects.filter(
            year=year, household__village__code__startswith="433124", household__status="active"
        )
        .order_by("household_id")
        .values_list("per_capita_net_income", "household_size", "household__village_id")
    )
    incomes = np.array([float(r[0]) for r in rows])
    sizes = np.array([float(r[1]) for r in rows])
    townships = np.array([r[2][:9] for r in rows], dtype=object)
    return incomes, sizes, townships


def profile(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["group"]: {k: v for k, v in r.items() if k not in ("name", "group")} for r in rows}


def test_the_stored_profile_is_fangpin_measures_on_the_same_households(world: World) -> None:
    stored = measures_compute(
        actor=world.users["county_huayuan"], county_code=HUAYUAN, year=2024
    ).result

    incomes, sizes, townships = county_data()
    assert (stored["households"], stored["persons"]) == (20, 40)
    assert stored["lines"] == {"poverty": 4000.0, "monitoring": 7600.0}
    for line, amount in (("monitoring", 7600.0), ("poverty", 4000.0)):
        expected = {
            (row.group or ""): {k: v for k, v in asdict(row).items() if k != "group"}
            for row in measures.summary_table(incomes, amount, sizes, groups=townships)
        }
        got = profile(stored["profile"][line])
        assert got.keys() == expected.keys() == {"433124102", "433124103", ""}
        for group, values in expected.items():
            assert got[group] == pytest.approx(values, rel=1e-12), (line, group)
    names = {r["group"]: r["name"] for r in stored["profile"]["poverty"]}
    assert names == {"433124102": "龙潭镇", "433124103": "民乐镇", "": "合计"}
    # By hand: only 土地村's 一般农户 (2 people, 3,500 a head) is below 4,000.
    total = profile(stored["profile"]["poverty"])[""]
    assert (total["population"], total["poor"], total["headcount"]) == (40.0, 2.0, 0.05)
    assert total["gini"] == pytest.approx(measures.gini(incomes, sizes), rel=1e-12)
    shares, cumulative = measures.lorenz(incomes, sizes)
    # Twenty households and the origin: fewer points than the chart's 50, so every one.
    assert len(shares) == 21
    assert stored["lorenz"] == [
        [round(float(s), 4), round(float(c), 4)] for s, c in zip(shares, cumulative, strict=True)
    ]
    assert stored["lorenz"][10] == [0.5, 0.3286]


def test_exit_qualification_counts_income_and_every_item_of_the_checklist(
    world: World,
) -> None:
    unsafe_house(world)

    result = measures_compute(actor=SYSTEM, county_code=HUAYUAN, year=2024).result

    villages = {r["code"]: r for r in result["exit"]["villages"]}
    assert {c: (r["poor"], r["population"], r["qualified"]) for c, r in villages.items()} == {
        LONGMEN: (0, 8, True),
        TUDI: (2, 8, False),  # 3,500 a head
        "433124102202": (0, 8, True),
        "433124103201": (0, 8, True),
        XIANGSHUI: (2, 10, False),  # a house graded D
    }
    assert villages[TUDI]["incidence"] == 0.25
    assert villages[TUDI]["name"] == "土地村"
    expected = sampling.exit_qualification(
        poor_people=2, rural_population=10, region_code=XIANGSHUI, thresholds=THRESHOLDS
    )
    assert (villages[XIANGSHUI]["text"], villages[XIANGSHUI]["threshold"]) == (
        expected.text_zh,
        0.03,
    )
    townships = {r["code"]: (r["poor"], r["population"]) for r in result["exit"]["townships"]}
    assert townships == {"433124102000": (2, 24), "433124103000": (2, 18)}
    county = result["exit"]["county"]
    assert (county["code"], county["name"], county["poor"], county["population"]) == (
        HUAYUAN,
        "花垣县",
        4,
        42,
    )
    assert county["qualified"] is False  # 4/42 ≥ 3%
    registry = sampling.registry_qualification(
        registered_poor=4, rural_population=42, region_code=HUAYUAN, thresholds=THRESHOLDS
    )
    assert (county["registry_qualified"], county["registry_text"]) == (
        registry.is_qualified,
        registry.text_zh,
    )
    # The MPI (k = 1/3, income weighing 1/3) counts the income shortfall, not the house alone.
    mpi = result["mpi"]
    assert (mpi["H"], mpi["A"], mpi["M0"]) == (
        pytest.approx(2 / 42, abs=1e-12),
        pytest.approx(1 / 3, abs=1e-12),
        pytest.approx(2 / 126, abs=1e-12),
    )
    uncensored = {i["label"]: i["uncensored"] for i in mpi["indicators"]}
    assert uncensored["住房安全有保障（A/B级）"] == pytest.approx(2 / 42, abs=1e-12)
    assert uncensored["人均纯收入不低于标准线"] == pytest.approx(2 / 42, abs=1e-12)


def test_households_without_a_finance_year_or_a_checklist_are_left_out_and_counted(
    world: World,
) -> None:
    add_household(TUDI, "2", 5000, year=2023)  # a finance row of another year only
    add_household(TUDI, "2", 5000, with_condition=False)

    result = measures_compute(actor=SYSTEM, county_code=HUAYUAN, year=2024).result

    assert result["missing"] == {"no_finance": 1, "no_conditions": 1, "households": 2}
    assert (result["households"], result["persons"]) == (20, 40)


def test_computing_is_stored_and_audited_and_recomputing_adds_a_row(world: World) -> None:
    first = measures_compute(actor=world.users["county_huayuan"], county_code=HUAYUAN, year=2024)
    second = measures_compute(
        actor=world.users["inspector_huayuan"], county_code=HUAYUAN, year=2024
    )

    assert MeasureResult.objects.count() == 2
    assert (first.county_id, first.year, first.computed_by_label) == (
        HUAYUAN,
        2024,
        "county_huayuan",
    )
    assert first.edition_id == resolve(2024, "433124").edition_id
    assert second.result == first.result
    event = AuditEvent.objects.filter(action="measures.compute").earliest("id")
    assert (event.object_type, event.object_id, event.changes) == (
        "measure_result",
        str(first.pk),
        {"county": HUAYUAN, "year": 2024, "households": 20},
    )


def test_computing_needs_a_whole_county_in_scope(world: World) -> None:
    before = table_state()
    refusals = {}

    for account in ("township_longtan", "cadre_tudi", "inspector_luxi", "auditor"):
        with pytest.raises(EvaluationError) as refused:
            measures_compute(actor=world.users[account], county_code=HUAYUAN, year=2024)
        refusals[account] = (refused.value.code, refused.value.message)

    assert set(refusals.values()) == {("region", "计算贫困测度需要覆盖全县的账号（县级及以上）")}
    assert table_state() == before


def test_an_unknown_county_and_a_year_without_data_are_refused(world: World) -> None:
    with pytest.raises(EvaluationError) as unknown:
        measures_compute(actor=SYSTEM, county_code="433199000000", year=2024)
    with pytest.raises(EvaluationError) as empty:
        measures_compute(actor=SYSTEM, county_code=HUAYUAN, year=2022)
    with pytest.raises(EvaluationError) as luxi:
        measures_compute(actor=SYSTEM, county_code=LUXI, year=2023)

    assert (unknown.value.code, unknown.value.message) == (
        "region",
        "“433199000000”不是已加载的县级区划",
    )
    assert (empty.value.code, empty.value.message) == (
        "no_data",
        "花垣县2022年没有同时具备收支和“两不愁三保障”信息的农户",
    )
    assert luxi.value.code == "no_data"
    assert MeasureResult.objects.count() == 0
