"""Elimination guards: each clause passes and fails with its exact Chinese explanation."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from fangpin.procedure import (
    GUARD_CODES,
    GuardResult,
    ProcedureRules,
    elimination_guards,
    months_since,
)
from tests.procedure.helpers import good_facts, national_2025

ED = national_2025()
ON = date(2025, 4, 15)


def failing(**changes: object) -> list[GuardResult]:
    return [g for g in elimination_guards(good_facts(**changes), ED, ON) if not g.passed]


def test_all_guards_pass_with_their_numbers() -> None:
    assert elimination_guards(good_facts(), ED, ON) == [
        GuardResult("months_since_identification", True, "纳入监测已6个月，满6个月"),
        GuardResult("measures_for_risk", True, "因病风险已有1项对应帮扶措施", True, "ILLNESS"),
        GuardResult("income_stable", True, "收入已稳定高于监测线6个月"),
        GuardResult("three_guarantees", True, "“三保障”已巩固"),
        GuardResult("water", True, "饮水安全已巩固"),
        GuardResult("no_new_risk", True, "无新的致贫/返贫风险"),
        GuardResult("labour", True, "家庭有劳动能力"),
    ]


def test_guard_codes_cover_every_result() -> None:
    assert [g.code for g in elimination_guards(good_facts(), ED, ON)] == list(GUARD_CODES)


def test_months_since_counts_calendar_months() -> None:
    assert months_since(date(2024, 10, 1), date(2025, 4, 30)) == 6
    assert months_since(date(2024, 10, 31), date(2025, 4, 1)) == 6
    assert months_since(date(2024, 12, 1), date(2025, 4, 1)) == 4


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"identified_month": date(2024, 12, 1)},
            [GuardResult("months_since_identification", False, "纳入监测仅4个月，未满6个月")],
        ),
        (
            {"measures": {}},
            [GuardResult("measures_for_risk", False, "因病风险尚无对应帮扶措施", True, "ILLNESS")],
        ),
        (
            {"risk_types": ("ILLNESS", "SCHOOLING"), "measures": {"ILLNESS": ("HEALTH",)}},
            [
                GuardResult(
                    "measures_for_risk", False, "因学风险尚无对应帮扶措施", True, "SCHOOLING"
                )
            ],
        ),
        (
            {"risk_types": ()},
            [GuardResult("measures_for_risk", False, "未登记致贫/返贫风险，无法核对帮扶措施")],
        ),
        (
            {"months_income_above_line": 3},
            [GuardResult("income_stable", False, "收入稳定高于监测线仅3个月，未满6个月")],
        ),
        (
            {"months_income_above_line": 0},
            [GuardResult("income_stable", False, "收入尚未高于监测线")],
        ),
        (
            {"three_guarantees_secured": False},
            [GuardResult("three_guarantees", False, "“三保障”尚未巩固")],
        ),
        ({"water_secured": False}, [GuardResult("water", False, "饮水安全尚未巩固")]),
        ({"has_new_risk": True}, [GuardResult("no_new_risk", False, "存在新的致贫/返贫风险")]),
        (
            {"has_labour": False},
            [GuardResult("labour", False, "整户无劳动能力，不得标注风险消除")],
        ),
    ],
)
def test_each_guard_fails_alone_with_its_message(
    changes: dict[str, object], expected: list[GuardResult]
) -> None:
    assert failing(**changes) == expected


def test_a_stricter_edition_asks_for_two_measures() -> None:
    rules = ProcedureRules.from_edition(ED)
    strict = replace(rules, guards=replace(rules.guards, min_measures_for_risk=2))
    results = elimination_guards(good_facts(), strict, ON)
    assert results[1] == GuardResult(
        "measures_for_risk", False, "因病风险仅有1项对应帮扶措施，少于2项", True, "ILLNESS"
    )


def test_guards_switched_off_by_the_edition_pass_and_say_so() -> None:
    rules = ProcedureRules.from_edition(ED)
    lax = replace(
        rules,
        guards=replace(
            rules.guards,
            require_water=False,
            block_whole_household_no_labour=False,
            require_income_above_line=False,
            min_income_stable_months=0,
        ),
    )
    results = elimination_guards(
        good_facts(water_secured=False, has_labour=False, months_income_above_line=0), lax, ON
    )
    assert all(g.passed for g in results)
    assert results[2] == GuardResult("income_stable", True, "本政策版本不要求收入稳定", False)
    assert results[4] == GuardResult("water", True, "饮水安全尚未巩固（本政策版本不作要求）", False)
    assert results[6] == GuardResult(
        "labour", True, "整户无劳动能力，不得标注风险消除（本政策版本不作要求）", False
    )
