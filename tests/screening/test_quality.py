"""Data-quality and consistency rules (DOMAIN.md §9.3 national rules, §9.4, §11)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.screening.builders import YEAR, Builder, flagged, number, only

# Every test runs on DuckDB and on Spark (local mode): same exact findings on both.
pytestmark = pytest.mark.usefixtures("engine")


def test_duplicate_id_numbers_among_monitored_households() -> None:
    b = Builder()
    shared = b.clean(1)
    b.spell(1)
    b.clean(2)
    b.person(2, 21, relation="10", id_no=shared.lower())
    b.spell(2)
    b.clean(3)  # not monitored: its duplicate is not this rule's business
    b.person(3, 31, relation="10", id_no=b.rows["persons"][0]["id_number"])
    findings = b.run("quality.duplicate_id_number")
    assert flagged(findings, "quality.duplicate_id_number") == [number(1), number(2)]
    assert only(findings, "quality.duplicate_id_number", 2)["reason_zh"] == (
        "1名成员的身份证号与其他监测对象成员重复"
    )


def test_person_level_rules() -> None:
    b = Builder()
    b.clean(1)
    b.rows["persons"][-1]["has_employee_medical"] = True  # both schemes
    b.clean(2)
    b.rows["persons"][-1].update(migrant_work_months=8, migrant_employer=" ")
    b.clean(3)
    b.rows["persons"][-1].update(migrant_work_months=8, migrant_employer="某公司")
    findings = b.run("quality.dual_medical_insurance", "quality.migrant_without_employer")
    assert flagged(findings, "quality.dual_medical_insurance") == [number(1)]
    assert flagged(findings, "quality.migrant_without_employer") == [number(2)]
    assert only(findings, "quality.dual_medical_insurance", 1)["reason_zh"] == (
        "1名成员同时参加城乡居民基本医疗保险和职工基本医疗保险"
    )


def test_risk_type_consistency_rules() -> None:
    b = Builder()
    # 1: lack of labour, but 2 of 3 members are ordinary labour (more than a quarter).
    b.clean(1)
    b.person(1, 11, relation="10")
    b.person(1, 12, relation="20", birth=date(2015, 1, 1), labour="50", student="21")
    b.spell(1, risks=("04",))
    # 2: lack of labour with 1 worker among 4 members: exactly a quarter → fine.
    b.clean(2)
    for k in range(3):
        b.person(2, 21 + k, relation="50", birth=date(1940, 1, 1), labour="50")
    b.spell(2, risks=("04",))
    # 3: unstable employment although nobody can work, and nobody works.
    b.household(3)
    b.person(3, 30, labour="40")
    b.finance(3, YEAR, 1, tr_pension=9000)
    b.conditions(3)
    b.spell(3, risks=("07",), backstop=True)
    # 4: illness risk with no compliant out-of-pocket spending.
    b.clean(4)
    b.spell(4, risks=("01",))
    # 5: illness risk with spending: fine.
    b.household(5)
    b.person(5, 50)
    b.finance(5, YEAR, 1, wage_local=30000, compliant_oop_spending=3000)
    b.conditions(5)
    b.spell(5, risks=("01",))
    codes = (
        "quality.lack_of_labour_with_labour",
        "quality.employment_risk_without_labour",
        "quality.employment_risk_without_work",
        "quality.illness_risk_without_oop",
    )
    findings = b.run(*codes)
    assert {c: flagged(findings, c) for c in codes} == {
        "quality.lack_of_labour_with_labour": [number(1)],
        "quality.employment_risk_without_labour": [number(3)],
        "quality.employment_risk_without_work": [number(3)],
        "quality.illness_risk_without_oop": [number(4)],
    }
    assert only(findings, "quality.lack_of_labour_with_labour", 1)["reason_zh"] == (
        "风险类型为缺劳动力，但3名成员中有2名普通或技能劳动力（超过四分之一）"
    )


def test_wage_between_0_and_100_in_the_identification_year() -> None:
    b = Builder()
    b.household(1)
    b.person(1, 10)
    b.finance(1, YEAR, 1, wage_local="99.99", tr_pension=9000)
    b.conditions(1)
    b.spell(1, identified=date(2024, 3, 1))
    b.household(2)
    b.person(2, 20)
    b.finance(2, YEAR, 1, wage_local=100, tr_pension=9000)
    b.conditions(2)
    b.spell(2, identified=date(2024, 3, 1))
    findings = b.run("quality.implausible_wage_at_identification")
    assert flagged(findings, "quality.implausible_wage_at_identification") == [number(1)]
    assert only(findings, "quality.implausible_wage_at_identification", 1)["reason_zh"] == (
        "识别当年（2024年）工资性收入为99.99元，在0至100元之间，不合常理"
    )


def test_elimination_rules() -> None:
    b = Builder()
    # 1: assisted elimination below the line; 低保 but no transfer income; no phone.
    b.household(1, phone="")
    b.person(1, 10, dibao=True)
    b.finance(1, YEAR, 1, wage_local=6000)
    b.conditions(1)
    b.spell(1, identified=date(2022, 3, 1), eliminated=date(2023, 6, 1), mode="assisted")
    # 2: eliminated with a child out of school; eliminated 1 month after identification.
    b.clean(2)
    b.person(2, 21, relation="20", birth=date(2012, 1, 1), labour="50", out_of_school_reason="12")
    b.spell(2, identified=date(2023, 5, 1), eliminated=date(2023, 6, 1), mode="assisted")
    # 3: backstop household eliminated (naturally, 6 months on: not early).
    b.clean(3)
    b.spell(
        3, identified=date(2023, 1, 1), eliminated=date(2023, 7, 1), mode="natural", backstop=True
    )
    # 4: open spell, nobody can work, not flagged as backstop.
    b.household(4)
    b.person(4, 40, labour="50", birth=date(1940, 1, 1))
    b.finance(4, YEAR, 1, tr_pension=9000)
    b.conditions(4)
    b.spell(4)
    # 5: natural elimination after 5 months (early, but not the Guizhou rule).
    b.clean(5)
    b.spell(5, identified=date(2023, 1, 1), eliminated=date(2023, 6, 1), mode="natural")
    codes = (
        "quality.assisted_elimination_below_line",
        "quality.eliminated_benefits_without_transfer",
        "quality.eliminated_without_contact",
        "quality.eliminated_child_out_of_school",
        "quality.quick_assisted_elimination",
        "quality.early_elimination",
        "quality.backstop_eliminated",
        "quality.no_labour_not_backstop",
    )
    findings = b.run(*codes)
    assert {c: flagged(findings, c) for c in codes} == {
        "quality.assisted_elimination_below_line": [number(1)],
        "quality.eliminated_benefits_without_transfer": [number(1)],
        "quality.eliminated_without_contact": [number(1)],
        "quality.eliminated_child_out_of_school": [number(2)],
        "quality.quick_assisted_elimination": [number(2)],
        "quality.early_elimination": [number(2), number(5)],
        "quality.backstop_eliminated": [number(3)],
        "quality.no_labour_not_backstop": [number(4)],
    }
    assert only(findings, "quality.quick_assisted_elimination", 2)["reason_zh"] == (
        "2023-05识别，2023-06即帮扶消除（识别当月或次月）"
    )
    assert only(findings, "quality.early_elimination", 5)["reason_zh"] == (
        "识别后5个月即消除风险，少于6个月"
    )
    assert only(findings, "quality.assisted_elimination_below_line", 1)["reason_zh"] == (
        "已帮扶消除风险，但2024年人均纯收入6,000元，低于监测线7,100元"
    )


def test_registry_against_department_records() -> None:
    b = Builder()
    head1 = b.clean(1)
    b.feed(
        "death_records",
        record_id="GASW0000000001",
        id_number=head1,
        name="某",
        death_date=date(2024, 5, 3),
        reported_on=date(2024, 5, 10),
    )
    b.clean(2)
    b.person(2, 21, relation="10", death_date=date(2024, 2, 1))  # active with a death date
    b.rows["finances"][-1]["household_size"] = 1  # but size 1 with 2 active members
    head3 = b.clean(3)
    b.feed(
        "housing_assessments",
        record_id="ZJFW0000000003",
        head_id_number=head3,
        village_code="110101001001",
        address="某",
        grade="D",
        assessor="某县住房和城乡建设局",
        assessed_on=date(2024, 8, 3),
        renovation_status="已列入改造计划",
    )
    head4, head5 = b.clean(4), b.clean(5)
    for record, ident, event, day in (
        ("MZJZ0000000001", head4, "start", date(2024, 9, 1)),  # registry not flagged → found
        ("MZJZ0000000002", head5, "start", date(2024, 3, 1)),  # stopped later → fine
        ("MZJZ0000000003", head5, "stop", date(2024, 6, 1)),
    ):
        b.feed(
            "civil_affairs",
            record_id=record,
            id_number=ident,
            name="某",
            village_code="110101001001",
            benefit_type="低保",
            event=event,
            effective_date=day,
            amount=None,
            reason=None,
        )
    codes = (
        "quality.deceased_still_counted",
        "quality.household_size_mismatch",
        "quality.housing_grade_mismatch",
        "quality.benefit_not_recorded",
    )
    findings = b.run(*codes)
    assert {c: flagged(findings, c) for c in codes} == {
        "quality.deceased_still_counted": [number(1), number(2)],
        "quality.household_size_mismatch": [number(2)],
        "quality.housing_grade_mismatch": [number(3)],
        "quality.benefit_not_recorded": [number(4)],
    }
    assert only(findings, "quality.housing_grade_mismatch", 3)["reason_zh"] == (
        "住建部门2024-08-03鉴定为D级，登记库仍为A级"
    )
    assert only(findings, "quality.benefit_not_recorded", 4)["reason_zh"] == (
        "民政部门自2024-09-01起为1名成员发放低保，登记库未标注"
    )
