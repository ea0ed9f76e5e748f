"""Same-day eliminations before an assessment; identical incomes in a village."""

from __future__ import annotations

from datetime import date

from fangpin.integrity import identical_income, same_day_eliminations
from tests.integrity.builders import (
    OTHER_VILLAGE,
    SETTINGS,
    VILLAGE,
    YEAR,
    concat,
    elimination,
    eliminations,
    finance,
    finances,
    households,
)

DAY = date(2024, 11, 20)


def _same_day(ids: range, village: str = VILLAGE, on: date = DAY) -> list[dict]:
    return [elimination(i, on, village=village, by=f"村干部{i % 2}") for i in ids]


def test_eight_eliminations_on_one_day_five_days_before_an_assessment_is_a_warning() -> None:
    found = same_day_eliminations(
        eliminations(_same_day(range(1, 9))),
        settings=SETTINGS,
        year=YEAR,
        assessments=[date(2024, 11, 25), date(2025, 1, 10)],
    )

    assert [
        (f.code, f.subject_kind, f.subject_id, f.region_code, f.severity, f.threshold)
        for f in found
    ] == [("SAME_DAY_ELIMINATIONS", "village", VILLAGE, VILLAGE, "warning", 5.0)]
    assert found[0].figures() == {
        "assessment_on": "2024-11-25",
        "days_before_assessment": 5,
        "decided_by": ["村干部0", "村干部1"],
        "eliminated_on": "2024-11-20",
        "household_ids": [1, 2, 3, 4, 5, 6, 7, 8],
        "households": 8,
    }
    assert found[0].explanation == (
        "村（433124102201）2024-11-20同日标注风险消除8户，在考核日2024-11-25前5天"
    )


def test_five_on_one_day_far_from_an_assessment_is_info() -> None:
    found = same_day_eliminations(
        eliminations(_same_day(range(1, 6))),
        settings=SETTINGS,
        year=YEAR,
        assessments=[date(2024, 12, 21)],  # 31 days later: not "just before"
    )

    assert [(f.severity, f.explanation) for f in found] == [
        ("info", "村（433124102201）2024-11-20同日标注风险消除5户（达到5户）")
    ]


def test_an_assessment_on_the_same_day_counts() -> None:
    found = same_day_eliminations(
        eliminations(_same_day(range(1, 6))), settings=SETTINGS, year=YEAR, assessments=[DAY]
    )

    assert found[0].explanation.endswith("在考核日2024-11-20当天")


def test_four_on_one_day_or_five_split_over_villages_or_days_are_not_flagged() -> None:
    rows = (
        _same_day(range(1, 5))
        + _same_day(range(5, 8), village=OTHER_VILLAGE)
        + _same_day(range(8, 10), village=OTHER_VILLAGE, on=date(2024, 11, 21))
    )

    found = same_day_eliminations(
        eliminations(rows), settings=SETTINGS, year=YEAR, assessments=[date(2024, 11, 25)]
    )

    assert found == []


def test_three_households_of_a_village_with_the_same_per_capita_income_are_flagged() -> None:
    found = identical_income(
        households([1, 2, 3, 4]),
        finances(
            [
                finance(1, size=1, wage_local=7200),
                finance(2, size=2, wage_local=14400),
                finance(3, size=3, wage_local=21600),
                finance(4, size=1, wage_local=7300),
            ]
        ),
        settings=SETTINGS,
        year=YEAR,
    )

    assert [(f.code, f.subject_kind, f.subject_id, f.severity, f.threshold) for f in found] == [
        ("IDENTICAL_INCOME", "village", VILLAGE, "warning", 3.0)
    ]
    assert found[0].figures() == {
        "amount": 7200.0,
        "household_ids": [1, 2, 3],
        "households": 3,
        "measure": "per_capita_net_income",
    }
    assert (
        found[0].explanation == "村（433124102201）2024年有3户人均纯收入同为7,200元（户：1、2、3）"
    )


def test_equal_net_income_across_household_sizes_is_flagged_once() -> None:
    found = identical_income(
        households([7, 8, 9, 10, 11, 12]),
        finances(
            [
                finance(7, size=1, wage_local=12000),
                finance(8, size=2, wage_local=12000),
                finance(9, size=3, wage_local=12000),
                # same size and amount: one per-capita finding, not a second net one
                finance(10, size=2, wage_local=9000),
                finance(11, size=2, wage_local=9000),
                finance(12, size=2, wage_local=9000),
            ]
        ),
        settings=SETTINGS,
        year=YEAR,
    )

    assert [(f.figures()["measure"], f.figures()["household_ids"]) for f in found] == [
        ("net_income", [7, 8, 9]),
        ("per_capita_net_income", [10, 11, 12]),
    ]
    assert (
        found[0].explanation == "村（433124102201）2024年有3户家庭纯收入同为12,000元（户：7、8、9）"
    )


def test_two_equal_zero_incomes_or_equal_incomes_in_different_villages_are_not_flagged() -> None:
    found = identical_income(
        concat(households([1, 2, 3, 4, 5]), households([6], village=OTHER_VILLAGE)),
        finances(
            [
                finance(1, wage_local=7200),
                finance(2, wage_local=7200),
                finance(3),
                finance(4),
                finance(5),
                finance(6, wage_local=7200),
            ]
        ),
        settings=SETTINGS,
        year=YEAR,
    )

    assert found == []
