"""Casework reads: the region scope per role, clue filters, runs, and each rule's precision."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fangpin.casework import selectors
from fangpin.casework.models import Clue
from fangpin.core.access import SYSTEM
from tests.casework.conftest import World, make_clue, make_run, make_warning

#: viewer → the households whose clues they see (written out, not computed)
CLUES_VISIBLE: dict[str, set[str]] = {
    "cadre_tudi": {"tudi"},
    "township_longtan": {"tudi", "douwang"},
    "county_huayuan": {"tudi", "douwang", "minle"},
    "inspector_luxi": {"luxi"},
    "officer_xiangxi": {"tudi", "douwang", "minle", "luxi"},
    "auditor": set(),
    "sysadmin": set(),
    "secadmin": set(),
    "root": set(),
}


@pytest.fixture
def clues(world: World) -> dict[str, Clue]:
    """One pending clue per world household; 豆旺村's is overdue; 民乐村's has two warnings."""
    run = make_run()
    today = timezone.localdate()
    made = {}
    for key, household in world.households.items():
        deadline = today - timedelta(days=1) if key == "douwang" else today + timedelta(days=3)
        clue = make_clue(household, deadline=deadline)
        make_warning(run, household, "trigger.income_below_line", clue=clue)
        made[key] = clue
    make_warning(run, world.households["minle"], "trigger.water_unsafe", clue=made["minle"])
    make_warning(run, world.households["minle"], "quality.household_size_mismatch")
    return made


@pytest.mark.parametrize("viewer", sorted(CLUES_VISIBLE))
def test_each_role_sees_the_clues_of_its_scope(
    world: World, clues: dict[str, Clue], viewer: str
) -> None:
    seen = {c.household.household_number for c in selectors.clue_list(world.viewers[viewer])}
    assert seen == world.numbers(CLUES_VISIBLE[viewer])
    for key, clue in clues.items():
        if key in CLUES_VISIBLE[viewer]:
            assert selectors.clue_get(world.viewers[viewer], clue.public_id) == clue
        else:
            with pytest.raises(Clue.DoesNotExist):
                selectors.clue_get(world.viewers[viewer], clue.public_id)


def test_the_system_sees_every_clue(world: World, clues: dict[str, Clue]) -> None:
    assert selectors.clue_list(SYSTEM).count() == 4


def test_a_malformed_public_id_is_not_found(world: World, clues: dict[str, Clue]) -> None:
    with pytest.raises(Clue.DoesNotExist):
        selectors.clue_get(world.viewers["county_huayuan"], "not-a-uuid")


def test_clue_list_annotates_warning_count_and_overdue(
    world: World, clues: dict[str, Clue]
) -> None:
    rows = {
        c.household_id: (c.warning_count, c.is_overdue)
        for c in selectors.clue_list(world.viewers["county_huayuan"])
    }
    households = world.households
    assert rows == {
        households["tudi"].pk: (1, False),
        households["douwang"].pk: (1, True),
        households["minle"].pk: (2, False),  # the quality warning has no clue
    }


def test_clue_list_filters(world: World, clues: dict[str, Clue]) -> None:
    county = world.viewers["county_huayuan"]
    assert list(selectors.clue_list(county, overdue=True)) == [clues["douwang"]]
    assert set(selectors.clue_list(county, overdue=False)) == {clues["tudi"], clues["minle"]}
    assert list(selectors.clue_list(county, rule_code="trigger.water_unsafe")) == [clues["minle"]]
    assert list(selectors.clue_list(county, village_code=world.households["tudi"].village_id)) == [
        clues["tudi"]
    ]
    assert selectors.clue_list(county, month=date(2024, 12, 15)).count() == 3
    assert selectors.clue_list(county, month=date(2024, 11, 1)).count() == 0
    assert selectors.clue_list(county, status="verified").count() == 0
    assert selectors.clue_list(county, status="pending").count() == 3


def test_clue_list_costs_one_query_whatever_its_size(world: World, clues: dict[str, Clue]) -> None:
    with CaptureQueriesContext(connection) as queries:
        rows = [
            (c.household.household_number, c.warning_count) for c in selectors.clue_list(SYSTEM)
        ]
    assert len(rows) == 4
    assert len(queries.captured_queries) == 1


def test_clue_warnings_are_the_clues_own(world: World, clues: dict[str, Clue]) -> None:
    rules = [w.rule_code for w in selectors.clue_warnings(clues["minle"])]
    assert rules == ["trigger.income_below_line", "trigger.water_unsafe"]


def test_runs_are_seen_inside_and_below_their_region(world: World) -> None:
    county_run = make_run()
    other = make_run(region_code="433122000000")
    assert list(selectors.run_list(world.viewers["cadre_tudi"])) == [county_run]
    assert list(selectors.run_list(world.viewers["county_huayuan"])) == [county_run]
    assert set(selectors.run_list(world.viewers["officer_xiangxi"])) == {county_run, other}
    assert list(selectors.run_list(world.viewers["inspector_luxi"])) == [other]
    assert list(selectors.run_list(world.viewers["auditor"])) == []
    assert selectors.run_get(world.viewers["cadre_tudi"], county_run.public_id) == county_run
    with pytest.raises(type(county_run).DoesNotExist):
        selectors.run_get(world.viewers["cadre_tudi"], other.public_id)


# --- Precision ------------------------------------------------------------------------------


@pytest.fixture
def verified(world: World) -> None:
    """Hand-built outcomes over two months (all in 土地村 unless said otherwise).

    income_below_line (Dec): 3 confirmed, 1 unfounded, 1 pending        → 3/4
    water_unsafe (Dec): 1 confirmed, 4 unfounded, 1 already_monitored,
        1 civil_affairs (民乐村)                                        → 1/7, real 3/7
    medical_oop_share (Nov): 2 already_monitored                       → 0/2, real 2/2
    housing_unsafe (Dec): 2 pending                                    → not verified yet
    quality.household_size_mismatch: not counted (no clue)
    """
    run = make_run()
    tudi, minle = world.households["tudi"], world.households["minle"]
    rows = [
        ("trigger.income_below_line", tudi, "confirmed", 3, date(2024, 12, 1)),
        ("trigger.income_below_line", tudi, "unfounded", 1, date(2024, 12, 1)),
        ("trigger.income_below_line", tudi, "", 1, date(2024, 12, 1)),
        ("trigger.water_unsafe", tudi, "confirmed", 1, date(2024, 12, 1)),
        ("trigger.water_unsafe", tudi, "unfounded", 4, date(2024, 12, 1)),
        ("trigger.water_unsafe", tudi, "already_monitored", 1, date(2024, 12, 1)),
        ("trigger.water_unsafe", minle, "civil_affairs", 1, date(2024, 12, 1)),
        ("trigger.medical_oop_share", tudi, "already_monitored", 2, date(2024, 11, 1)),
        ("trigger.housing_unsafe", tudi, "", 2, date(2024, 12, 1)),
        ("quality.household_size_mismatch", tudi, "", 1, date(2024, 12, 1)),
    ]
    # The unique key is (month, household, rule): the n-th copy goes n years back.
    made: dict[tuple[str, int], int] = {}
    for rule_code, household, outcome, copies, month in rows:
        for _ in range(copies):
            n = made.get((rule_code, household.pk), 0)
            made[(rule_code, household.pk)] = n + 1
            shifted = month.replace(year=month.year - n)
            make_warning(run, household, rule_code, outcome=outcome, month=shifted)


def test_rule_precision_counts_exactly_and_sorts_worst_first(world: World, verified: None) -> None:
    report = selectors.rule_precision(SYSTEM)
    table = [
        (
            r.rule_code,
            r.warnings,
            r.verified,
            r.confirmed,
            r.unfounded,
            r.already_monitored,
            r.civil_affairs,
            r.precision,
            r.real_risk_share,
        )
        for r in report
    ]
    assert table == [
        ("trigger.medical_oop_share", 2, 2, 0, 0, 2, 0, 0.0, 1.0),
        ("trigger.water_unsafe", 7, 7, 1, 4, 1, 1, 1 / 7, 3 / 7),
        ("trigger.income_below_line", 5, 4, 3, 1, 0, 0, 0.75, 0.75),
        ("trigger.housing_unsafe", 2, 0, 0, 0, 0, 0, None, None),
    ]
    assert report[1].name_zh == "饮水安全不达标"
    assert report[2].pending == 1


def test_rule_precision_follows_the_scope(world: World, verified: None) -> None:
    tudi = selectors.rule_precision(world.viewers["cadre_tudi"])
    water = next(r for r in tudi if r.rule_code == "trigger.water_unsafe")
    assert (water.warnings, water.civil_affairs) == (6, 0)  # 民乐村's is outside 土地村
    assert selectors.rule_precision(world.viewers["auditor"]) == []


def test_rule_precision_between_months(world: World, verified: None) -> None:
    recent = selectors.rule_precision(SYSTEM, month_from=date(2024, 11, 20))
    assert {r.rule_code: (r.warnings, r.verified) for r in recent} == {
        "trigger.income_below_line": (1, 1),
        "trigger.water_unsafe": (2, 2),
        "trigger.medical_oop_share": (1, 1),
        "trigger.housing_unsafe": (1, 0),
    }
    older = selectors.rule_precision(SYSTEM, month_to=date(2023, 12, 1))
    assert sum(r.warnings for r in older) == 16 - 5
