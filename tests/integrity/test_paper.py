"""Paper income: wages, production and post wages with nothing to earn them."""

from __future__ import annotations

from datetime import date

import pytest

from fangpin.integrity import paper_post_wage, paper_production, paper_wage
from tests.integrity.builders import (
    SETTINGS,
    VILLAGE,
    YEAR,
    finance,
    finances,
    households,
    person,
    persons,
    posts,
)


def test_wages_with_no_member_able_or_recorded_at_work_are_flagged() -> None:
    found = paper_wage(
        households([1]),
        persons(
            [
                person(11, 1, labour="50"),
                person(12, 1, labour="10", status="deceased", death=date(2023, 2, 1)),
            ]
        ),
        finances([finance(1, size=1, wage_local=24000)]),
        settings=SETTINGS,
        year=YEAR,
    )

    assert [(f.code, f.subject_id, f.region_code, f.severity, f.threshold) for f in found] == [
        ("PAPER_WAGE", "1", VILLAGE, "warning", None)
    ]
    assert found[0].figures() == {"living_members": 1, "wage_income": 24000.0}
    assert found[0].explanation == (
        "2024年工资性收入24,000元，但家中在册成员（1人）无人有务工月数、务工单位或劳动能力"
    )


@pytest.mark.parametrize(
    "member",
    [
        person(11, 1, labour="40", months=3),
        person(11, 1, labour="50", employer="花垣县某建材厂"),
        person(11, 1, labour="30"),
    ],
)
def test_wages_with_work_months_an_employer_or_labour_are_not_flagged(member: dict) -> None:
    found = paper_wage(
        households([1]),
        persons([member]),
        finances([finance(1, wage_migrant=24000)]),
        settings=SETTINGS,
        year=YEAR,
    )

    assert found == []


def test_production_income_with_no_member_able_to_work_is_flagged() -> None:
    found = paper_production(
        households([2]),
        persons([person(21, 2, labour="40"), person(22, 2, labour="50")]),
        finances([finance(2, size=2, prod_crops=3000, prod_livestock=2000)]),
        settings=SETTINGS,
        year=YEAR,
    )

    assert [(f.code, f.subject_id) for f in found] == [("PAPER_PRODUCTION", "2")]
    assert found[0].figures() == {"living_members": 2, "production_income": 5000.0}
    assert found[0].explanation == (
        "2024年生产经营性收入5,000元，但家中在册成员（2人）均无劳动能力（丧失劳动力或无劳动力）；"
        "系统中没有土地、畜禽记录可核对，请入户核实"
    )


def test_production_income_with_one_weak_labourer_is_not_flagged() -> None:
    found = paper_production(
        households([2]),
        persons([person(21, 2, labour="40"), person(22, 2, labour="30")]),
        finances([finance(2, size=2, prod_crops=5000)]),
        settings=SETTINGS,
        year=YEAR,
    )

    assert found == []


def test_post_wages_without_a_post_that_year_are_flagged() -> None:
    found = paper_post_wage(
        households([1, 2]),
        finances(
            [
                finance(1, wage_public_welfare_post=6000),
                finance(2, wage_public_welfare_post=6000),
            ]
        ),
        posts([(1, 2023), (2, 2024)]),
        settings=SETTINGS,
        year=YEAR,
    )

    assert [(f.code, f.subject_id, f.severity) for f in found] == [
        ("PAPER_POST_WAGE", "1", "warning")
    ]
    assert found[0].figures() == {"post_wage": 6000.0}
    assert found[0].explanation == "2024年公益岗位工资6,000元，但当年没有该户的公益岗位安排记录"
