"""Transfer dependence and exits on one-off transfers."""

from __future__ import annotations

from fangpin.integrity import IntegritySettings, one_off_transfer_exit, transfer_dependence
from tests.integrity.builders import SETTINGS, VILLAGE, YEAR, finance, finances, households


def test_a_household_above_the_line_mostly_on_transfers_is_flagged() -> None:
    found = transfer_dependence(
        households([1]),
        finances([finance(1, size=2, tr_pension=12000, wage_local=3000)]),
        settings=SETTINGS,
        year=YEAR,
    )

    assert [(f.code, f.subject_id, f.region_code, f.severity, f.threshold) for f in found] == [
        ("TRANSFER_DEPENDENCE", "1", VILLAGE, "info", 0.5)
    ]
    assert found[0].figures() == {
        "net_income": 15000.0,
        "per_capita_net_income": 7500.0,
        "transfer_income": 12000.0,
        "transfer_share": 0.8,
    }
    assert found[0].explanation == (
        "2024年转移性收入12,000元占家庭纯收入15,000元的80.0%（超过50%），人均纯收入7,500元"
    )


def test_exactly_half_or_below_the_highest_line_is_not_flagged() -> None:
    found = transfer_dependence(
        households([1, 2]),
        finances(
            [
                finance(1, size=2, tr_pension=7500, wage_local=7500),  # 50%: not above it
                finance(2, size=2, tr_pension=12000, wage_local=2000),  # 7,000 per head
            ]
        ),
        settings=SETTINGS,
        year=YEAR,
    )

    assert found == []


def test_without_lines_every_household_is_judged_on_the_share_alone() -> None:
    found = transfer_dependence(
        households([2]),
        finances([finance(2, size=2, tr_pension=12000, wage_local=2000)]),
        settings=IntegritySettings(),
        year=YEAR,
    )

    assert [f.subject_id for f in found] == ["2"]


def test_a_household_above_the_line_only_thanks_to_one_off_transfers_is_flagged() -> None:
    found = one_off_transfer_exit(
        households([2]),
        finances(
            [
                finance(
                    2,
                    size=2,
                    wage_local=12000,
                    tr_disaster_relief=2000,
                    tr_anti_poverty_insurance=1000,
                )
            ]
        ),
        settings=SETTINGS,
        year=YEAR,
    )

    assert [(f.code, f.subject_id, f.severity, f.threshold) for f in found] == [
        ("ONE_OFF_TRANSFER_EXIT", "2", "warning", 7100.0)
    ]
    assert found[0].figures() == {
        "household_size": 2,
        "line": "monitoring",
        "line_amount": 7100.0,
        "lines_crossed": ["monitoring"],
        "one_off": {"tr_anti_poverty_insurance": 1000.0, "tr_disaster_relief": 2000.0},
        "per_capita_net_income": 7500.0,
        "per_capita_without_one_off": 6000.0,
    }
    assert found[0].explanation == (
        "2024年人均纯收入7,500元，不低于监测线7,100元；其中一次性转移收入灾害救助2,000元、"
        "防贫保险赔付1,000元，扣除后人均仅6,000元，低于监测线"
    )


def test_one_finding_names_the_highest_line_crossed() -> None:
    found = one_off_transfer_exit(
        households([3]),
        finances([finance(3, wage_local=3000, tr_disaster_relief=4500)]),
        settings=SETTINGS,
        year=YEAR,
    )

    assert [(f.figures()["line"], f.figures()["lines_crossed"]) for f in found] == [
        ("monitoring", ["monitoring", "poverty"])
    ]


def test_still_on_the_line_without_the_one_off_is_not_flagged() -> None:
    found = one_off_transfer_exit(
        households([4, 5]),
        finances(
            [
                finance(4, wage_local=7100, tr_disaster_relief=800),  # 7,100 without: on the line
                finance(5, wage_local=7200, tr_dibao=800),  # 低保 is not one-off
            ]
        ),
        settings=SETTINGS,
        year=YEAR,
    )

    assert found == []
