"""measures_by_risk, plan_as_of on past days, the plan view and the coverage list."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from fangpin.assistance.selectors import (
    coverage_list,
    household_for_plan,
    measures_by_risk,
    plan_as_of,
    plan_view,
)
from fangpin.assistance.services import measure_stop, measure_update, visit_record
from fangpin.registry.models import Household, Monitoring, Person
from tests.assistance.conftest import IDENTIFIED, TODAY, add_measure, health_measure
from tests.registry.monitoring_helpers import add_spell


def test_measures_by_risk_maps_risk_to_categories_in_force(
    monitored: Household, tudi_cadre: Any
) -> None:
    add_measure(monitored, tudi_cadre, today=date(2026, 2, 1))
    add_measure(
        monitored,
        tudi_cadre,
        category="SOCIAL_SECURITY",
        item="纳入低保",
        status="done",
        start_date=date(2026, 3, 1),
        today=date(2026, 3, 1),
    )
    add_measure(  # planned: not in place yet
        monitored,
        tudi_cadre,
        category="COMPULSORY_EDUCATION",
        item="义务教育生活补助",
        risk_types=("09",),
        status="planned",
        start_date=date(2026, 9, 1),
        today=date(2026, 3, 1),
    )
    add_measure(  # no risk named: counts for none
        monitored, tudi_cadre, category="INDUSTRY", item="养殖奖补", risk_types=(), today=TODAY
    )

    assert measures_by_risk(household_id=monitored.pk, on=date(2026, 12, 1)) == {
        "01": ("HEALTH", "SOCIAL_SECURITY")
    }
    assert measures_by_risk(household_id=monitored.pk, on=date(2026, 2, 15)) == {"01": ("HEALTH",)}
    assert measures_by_risk(household_id=monitored.pk, on=date(2026, 1, 31)) == {}


def test_measures_by_risk_follows_edits_and_stops_by_day(
    monitored: Household, tudi_cadre: Any
) -> None:
    measure = add_measure(monitored, tudi_cadre, today=date(2026, 2, 1))
    measure_update(
        actor=tudi_cadre,
        measure_id=measure.pk,
        expected_version=1,
        values=health_measure(category="SOCIAL_SECURITY", item="纳入低保"),
        today=date(2026, 5, 1),
    )
    measure_stop(
        actor=tudi_cadre,
        measure_id=measure.pk,
        expected_version=2,
        stopped_on=date(2026, 8, 1),
        reason="已脱离低保",
        today=date(2026, 8, 1),
    )

    on = {day: measures_by_risk(household_id=monitored.pk, on=day) for day in (
        date(2026, 4, 30), date(2026, 5, 1), date(2026, 7, 31), date(2026, 8, 1)
    )}  # fmt: skip

    assert on == {
        date(2026, 4, 30): {"01": ("HEALTH",)},
        date(2026, 5, 1): {"01": ("SOCIAL_SECURITY",)},
        date(2026, 7, 31): {"01": ("SOCIAL_SECURITY",)},
        date(2026, 8, 1): {},
    }


def test_plan_as_of_a_past_day_shows_the_values_then(monitored: Household, tudi_cadre: Any) -> None:
    measure = add_measure(monitored, tudi_cadre, today=date(2026, 2, 1))
    measure_update(
        actor=tudi_cadre,
        measure_id=measure.pk,
        expected_version=1,
        values=health_measure(amount="9000", item="大病保险倾斜报销（二次）"),
        today=date(2026, 6, 1),
    )

    april = plan_as_of(user=tudi_cadre, household_id=monitored.pk, on=date(2026, 4, 1))
    july = plan_as_of(user=tudi_cadre, household_id=monitored.pk, on=date(2026, 7, 1))

    assert april.status == "open"
    assert april.risks == ["01", "09"]
    assert [(m.item, m.amount) for m in april.measures] == [
        ("大病保险倾斜报销", Decimal("5000.00"))
    ]
    assert [(m.item, m.amount) for m in july.measures] == [
        ("大病保险倾斜报销（二次）", Decimal("9000.00"))
    ]
    assert [w.message_zh for w in april.warnings] == [
        "因学风险尚无对应帮扶措施",
        "家庭有劳动能力，尚无开发式帮扶措施（产业、就业、金融或公益岗位帮扶）",
    ]


def test_plan_as_of_before_identification_and_after_elimination(
    family: Household, tudi_cadre: Any
) -> None:
    add_spell(family, "MARGINAL", IDENTIFIED, eliminated=date(2026, 10, 1), risks=[("01", "")])

    before = plan_as_of(user=tudi_cadre, household_id=family.pk, on=date(2025, 12, 31))
    during = plan_as_of(user=tudi_cadre, household_id=family.pk, on=date(2026, 9, 30))
    after = plan_as_of(user=tudi_cadre, household_id=family.pk, on=date(2026, 10, 1))

    assert (before.status, before.spell, before.measures) == ("none", None, [])
    assert during.status == "open"
    assert after.status == "eliminated"


def test_plan_as_of_outside_the_scope_does_not_exist(
    monitored: Household, douwang_cadre: Any
) -> None:
    with pytest.raises(Household.DoesNotExist):
        plan_as_of(user=douwang_cadre, household_id=monitored.pk, on=TODAY)


def test_plan_view_groups_by_risk_and_checks(monitored: Household, tudi_cadre: Any) -> None:
    health = add_measure(monitored, tudi_cadre)
    stopped = add_measure(monitored, tudi_cadre, item="医疗救助")
    measure_stop(
        actor=tudi_cadre,
        measure_id=stopped.pk,
        expected_version=1,
        stopped_on=TODAY,
        reason="合并到大病保险",
        today=TODAY,
    )
    loan = add_measure(monitored, tudi_cadre, category="FINANCE", item="小额信贷", risk_types=())

    view = plan_view(user=tudi_cadre, household=monitored, on=TODAY)

    assert [(g.code, g.name, [m.pk for m in g.measures]) for g in view.groups] == [
        ("01", "因病", [health.pk]),
        ("09", "因学", []),
    ]
    assert [m.pk for m in view.general] == [loan.pk]
    assert [m.pk for m in view.stopped] == [stopped.pk]
    assert [(w.code, w.message_zh) for w in view.warnings] == [
        ("risk_without_measure", "因学风险尚无对应帮扶措施")
    ]
    assert view.categories["HEALTH"] == "健康帮扶"
    assert len(view.categories) == 14


def test_without_labour_the_plan_asks_for_the_backstop(
    monitored: Household, tudi_cadre: Any
) -> None:
    Person.objects.filter(household=monitored).update(labour_ability="50")
    add_measure(monitored, tudi_cadre)
    add_measure(
        monitored,
        tudi_cadre,
        category="COMPULSORY_EDUCATION",
        item="义务教育生活补助",
        risk_types=("09",),
    )

    view = plan_view(user=tudi_cadre, household=monitored, on=TODAY)

    assert view.has_labour is False
    assert [w.message_zh for w in view.warnings] == [
        "家庭无劳动能力，尚未落实综合保障（兜底保障）措施"
    ]


def test_household_for_plan_outside_the_scope_does_not_exist(
    monitored: Household, douwang_cadre: Any, tudi_cadre: Any
) -> None:
    assert household_for_plan(user=tudi_cadre, public_id=monitored.public_id) == monitored
    with pytest.raises(Household.DoesNotExist):
        household_for_plan(user=douwang_cadre, public_id=monitored.public_id)
    with pytest.raises(Household.DoesNotExist):
        household_for_plan(user=tudi_cadre, public_id="not-a-uuid")


def test_coverage_lists_monitored_households_not_visited_within_the_interval(
    world: Any,
) -> None:
    tudi, douwang, minle = (world.households[k] for k in ("tudi", "douwang", "minle"))
    for household in (tudi, douwang, minle, world.households["luxi"]):
        add_spell(household, "MARGINAL", IDENTIFIED)
    Monitoring.objects.filter(household=minle).update(
        eliminated_month=date(2026, 6, 1), elimination_mode="assisted"
    )
    Household.objects.filter(pk=minle.pk).update(monitoring_status="eliminated")
    visit_record(
        actor="system:test",
        household_id=tudi.pk,
        visited_on=date(2026, 11, 1),  # exactly 30 days before: still covered
        findings="入户了解就医情况",
        today=TODAY,
    )
    visit_record(
        actor="system:test",
        household_id=douwang.pk,
        visited_on=date(2026, 10, 31),  # 31 days before: overdue
        findings="入户了解务工情况",
        today=TODAY,
    )
    county = world.viewers["county_huayuan"]

    rows = coverage_list(user=county, on=TODAY, interval_days=30)
    later = coverage_list(user=county, on=date(2026, 12, 2), interval_days=30)
    longer = coverage_list(user=county, on=TODAY, interval_days=31)

    assert [(r.household.pk, r.last_visit, r.days_since) for r in rows] == [
        (douwang.pk, date(2026, 10, 31), 31)
    ]
    assert [r.household.pk for r in later] == [douwang.pk, tudi.pk]
    assert longer == []
    assert coverage_list(user=world.viewers["cadre_tudi"], on=TODAY, interval_days=30) == []
    assert [r.household.pk for r in coverage_list(
        user=world.viewers["inspector_luxi"], on=TODAY, interval_days=30
    )] == [world.households["luxi"].pk]  # fmt: skip
    assert coverage_list(user=world.viewers["auditor"], on=TODAY, interval_days=30) == []


def test_measures_that_continue_after_elimination_keep_running(
    monitored: Household, tudi_cadre: Any
) -> None:
    loan = add_measure(
        monitored,
        tudi_cadre,
        category="FINANCE",
        item="脱贫人口小额信贷",
        risk_types=("01",),
        start_date=date(2026, 2, 1),
        end_date=date(2029, 1, 31),
        today=date(2026, 2, 1),
    )
    Monitoring.objects.filter(household=monitored).update(
        eliminated_month=date(2026, 10, 1), elimination_mode="assisted"
    )
    Household.objects.filter(pk=monitored.pk).update(monitoring_status="eliminated")
    monitored.refresh_from_db()

    view = plan_view(user=tudi_cadre, household=monitored, on=TODAY)
    later = add_measure(  # the plan of the (eliminated) current spell still takes measures
        monitored, tudi_cadre, category="OTHER_EDUCATION", item="雨露计划", risk_types=("09",)
    )

    assert loan.continues_after_elimination is True
    assert later.continues_after_elimination is True
    assert [m.pk for m in view.groups[0].measures] == [loan.pk]
    assert measures_by_risk(household_id=monitored.pk, on=date(2028, 6, 1)) == {
        "01": ("FINANCE",),
        "09": ("OTHER_EDUCATION",),
    }
    assert plan_as_of(user=tudi_cadre, household_id=monitored.pk, on=TODAY).status == "eliminated"


def test_coverage_is_one_query(world: Any, django_assert_num_queries: Any) -> None:
    for key in ("tudi", "douwang", "minle"):
        add_spell(world.households[key], "MARGINAL", IDENTIFIED)
    county = world.viewers["county_huayuan"]

    with django_assert_num_queries(1):
        rows = coverage_list(user=county, on=TODAY, interval_days=30)

    assert len(rows) == 3
    assert [r.household.village.name for r in rows] == ["土地村", "豆旺村", "民乐村"]
