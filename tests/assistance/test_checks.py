"""The plan checks (pure): exact warnings for each rule of DOMAIN.md §4.2."""

from __future__ import annotations

from datetime import date

from fangpin.assistance.checks import (
    CONTINUES_AFTER_ELIMINATION,
    DEVELOPMENT_CATEGORIES,
    RISK_MEASURE_CATEGORIES,
    MeasureFacts,
    PlanFacts,
    PlanWarning,
    RiskFacts,
    category_matches_risk,
    check_plan,
    continues_after_elimination,
)

ON = date(2026, 12, 1)
ILLNESS = RiskFacts("01", "因病")
SCHOOLING = RiskFacts("09", "因学")


def measure(category: str, name: str, *risks: str, **kw: object) -> MeasureFacts:
    values: dict[str, object] = {
        "category": category,
        "category_name": name,
        "item": f"{name}项目",
        "status": "in_progress",
        "start_date": date(2026, 2, 1),
        "risk_codes": risks,
    }
    values.update(kw)
    return MeasureFacts(**values)  # type: ignore[arg-type]


def test_a_full_plan_passes() -> None:
    facts = PlanFacts(
        risks=[ILLNESS, SCHOOLING],
        measures=[
            measure("HEALTH", "健康帮扶", "01"),
            measure("COMPULSORY_EDUCATION", "义务教育保障", "09"),
            measure("INDUSTRY", "产业帮扶"),
        ],
        has_labour=True,
        on=ON,
    )

    assert check_plan(facts) == []


def test_a_risk_without_a_matching_measure() -> None:
    facts = PlanFacts(
        risks=[ILLNESS, SCHOOLING],
        measures=[
            measure("COMPULSORY_EDUCATION", "义务教育保障", "09"),
            measure("FINANCE", "金融帮扶"),
        ],
        has_labour=True,
        on=ON,
    )

    assert check_plan(facts) == [PlanWarning("risk_without_measure", "因病风险尚无对应帮扶措施")]


def test_a_measure_whose_category_does_not_answer_its_risk() -> None:
    facts = PlanFacts(
        risks=[ILLNESS],
        measures=[measure("INDUSTRY", "产业帮扶", "01", item="黄牛养殖奖补")],
        has_labour=True,
        on=ON,
    )

    assert check_plan(facts) == [
        PlanWarning("risk_without_measure", "因病风险尚无对应帮扶措施"),
        PlanWarning("category_mismatch", "措施“黄牛养殖奖补”（产业帮扶）与因病风险不对应"),
    ]


def test_a_household_with_labour_needs_a_development_measure() -> None:
    facts = PlanFacts(
        risks=[ILLNESS], measures=[measure("HEALTH", "健康帮扶", "01")], has_labour=True, on=ON
    )

    assert check_plan(facts) == [
        PlanWarning(
            "no_development",
            "家庭有劳动能力，尚无开发式帮扶措施（产业、就业、金融或公益岗位帮扶）",
        )
    ]


def test_a_household_without_labour_needs_the_backstop() -> None:
    facts = PlanFacts(
        risks=[ILLNESS], measures=[measure("HEALTH", "健康帮扶", "01")], has_labour=False, on=ON
    )

    assert check_plan(facts) == [
        PlanWarning("no_backstop", "家庭无劳动能力，尚未落实综合保障（兜底保障）措施")
    ]


def test_a_measure_past_its_end_still_in_progress() -> None:
    facts = PlanFacts(
        risks=[ILLNESS],
        measures=[
            measure("HEALTH", "健康帮扶", "01", item="医疗救助", end_date=date(2026, 11, 30)),
            measure("SOCIAL_SECURITY", "综合保障", "01", end_date=date(2026, 12, 1)),
            measure("FINANCE", "金融帮扶", status="done", end_date=date(2026, 6, 30)),
        ],
        has_labour=True,
        on=ON,
    )

    assert check_plan(facts) == [
        PlanWarning("overdue", "措施“医疗救助”已于2026-11-30到期，仍为实施中")
    ]


def test_stopped_measures_never_count() -> None:
    facts = PlanFacts(
        risks=[ILLNESS],
        measures=[
            measure("HEALTH", "健康帮扶", "01", status="stopped"),
            measure("SOCIAL_SECURITY", "综合保障", "01", status="stopped"),
        ],
        has_labour=False,
        on=ON,
    )

    assert [w.code for w in check_plan(facts)] == ["risk_without_measure", "no_backstop"]


def test_a_planned_measure_counts() -> None:
    facts = PlanFacts(
        risks=[ILLNESS],
        measures=[measure("SOCIAL_SECURITY", "综合保障", "01", status="planned")],
        has_labour=False,
        on=ON,
    )

    assert check_plan(facts) == []


def test_other_risk_is_answered_by_any_category() -> None:
    assert category_matches_risk("INFRASTRUCTURE", "99") is True
    assert category_matches_risk("INFRASTRUCTURE", "01") is False
    assert category_matches_risk("HOUSING_SAFETY", "10") is True


def test_the_tables_name_the_catalogue_and_code_table_only() -> None:
    catalogue = {
        "INDUSTRY", "EMPLOYMENT", "FINANCE", "PUBLIC_WELFARE_POST", "HEALTH",
        "COMPULSORY_EDUCATION", "OTHER_EDUCATION", "SOCIAL_SECURITY", "HOUSING_SAFETY",
        "WATER_SAFETY", "SOCIAL", "RELOCATION", "LIVING_CONDITIONS", "INFRASTRUCTURE",
    }  # fmt: skip

    assert set(RISK_MEASURE_CATEGORIES) == {
        "01", "02", "03", "04", "05", "06", "07", "09", "10", "11", "99"
    }  # fmt: skip
    assert {c for cats in RISK_MEASURE_CATEGORIES.values() for c in cats} <= catalogue
    assert {"INDUSTRY", "EMPLOYMENT", "FINANCE", "PUBLIC_WELFARE_POST"} == DEVELOPMENT_CATEGORIES
    assert {
        "FINANCE",
        "PUBLIC_WELFARE_POST",
        "COMPULSORY_EDUCATION",
        "OTHER_EDUCATION",
    } == CONTINUES_AFTER_ELIMINATION
    assert continues_after_elimination("FINANCE") is True
    assert continues_after_elimination("HEALTH") is False
