"""Recording the surveys of a campaign (survey_record, campaign_close) and the adjudication
the answers suggest: versioned and audited writes, answers checked against the sample's domain
(错退 inside the register, 漏评 outside it, in the service and in the database), nothing written
on refusal."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from fangpin.core.models import AuditEvent
from fangpin.evaluation.campaigns import campaign_close, suggested_adjudication, survey_record
from fangpin.evaluation.errors import EvaluationError
from fangpin.evaluation.models import Campaign, SampledHousehold
from fangpin.registry.models import Household
from tests.evaluation.conftest import World, answers, table_state
from tests.evaluation.test_campaigns import create

LINE = Decimal("4000")  # the 2024 poverty line of 433124 (policy edition 2024-433124)


def unit_of(campaign: Campaign, world: World, key: str) -> SampledHousehold:
    return campaign.households.select_related("campaign", "village", "household").get(
        household=world.households[key]
    )


@pytest.fixture
def campaign(world: World) -> Campaign:
    return create(world.users["inspector_huayuan"])


def test_a_survey_is_stored_versioned_and_audited(world: World, campaign: Campaign) -> None:
    inspector = world.users["inspector_huayuan"]
    unit = unit_of(campaign, world, "longmen_a")
    found = answers(
        per_capita_income=Decimal("3500.50"),
        housing_ok=False,
        adjudication="wrongly_exited",
        is_satisfied=False,
        notes="  住房漏雨，收入不足  ",
    )

    saved = survey_record(actor=inspector, unit=unit, answers=found, version=1)

    row = SampledHousehold.objects.get(pk=unit.pk)
    assert saved.version == row.version == 2
    assert (
        row.surveyed_on,
        row.surveyor_label,
        row.people,
        row.per_capita_income,
        row.food_ok,
        row.clothing_ok,
        row.education_ok,
        row.medical_ok,
        row.housing_ok,
        row.water_ok,
        row.adjudication,
        row.is_satisfied,
        row.notes,
    ) == (
        date(2025, 1, 10),
        "inspector_huayuan",
        2,
        Decimal("3500.50"),
        True,
        True,
        True,
        True,
        False,
        True,
        "wrongly_exited",
        False,
        "住房漏雨，收入不足",
    )
    event = AuditEvent.objects.get(action="evaluation.survey_record")
    assert (event.object_type, event.object_id) == ("sampled_household", str(unit.public_id))
    assert event.changes == {
        "campaign": str(campaign.public_id),
        "adjudication": "wrongly_exited",
        "is_satisfied": False,
        "corrected": False,
    }

    survey_record(actor=inspector, unit=row, answers=answers(), version=2)
    row.refresh_from_db()
    assert (row.version, row.adjudication, row.per_capita_income) == (
        3,
        "correct",
        Decimal("9000.00"),
    )
    assert (
        AuditEvent.objects.filter(action="evaluation.survey_record")
        .latest("id")
        .changes["corrected"]
    )


def test_a_stale_survey_is_refused_and_changes_nothing(world: World, campaign: Campaign) -> None:
    inspector = world.users["inspector_huayuan"]
    unit = unit_of(campaign, world, "longmen_a")
    survey_record(actor=inspector, unit=unit, answers=answers(), version=1)
    before = table_state()

    with pytest.raises(EvaluationError) as stale:
        survey_record(actor=inspector, unit=unit, answers=answers(is_satisfied=False), version=1)

    assert (stale.value.code, stale.value.conflict) == ("stale", True)
    assert stale.value.message == "该户的核查结果已被他人修改，请刷新后重新录入"
    assert table_state() == before


def test_an_adjudication_outside_its_domain_and_impossible_answers_are_refused(
    world: World, campaign: Campaign
) -> None:
    inside, outside = unit_of(campaign, world, "longmen_a"), unit_of(campaign, world, "longmen_c")
    cases: list[tuple[SampledHousehold, dict[str, Any], str]] = [
        (
            outside,
            {"adjudication": "wrongly_exited"},
            "“错退”只适用于建档立卡户和监测户（库内样本）",
        ),
        (inside, {"adjudication": "missed"}, "“漏评”只适用于一般农户（库外样本）"),
        (inside, {"adjudication": ""}, "请选择评估认定结果"),
        (inside, {"adjudication": "maybe"}, "请选择评估认定结果"),
        (inside, {"people": 0}, "家庭人口应在1至30人之间"),
        (inside, {"people": 31}, "家庭人口应在1至30人之间"),
        (inside, {"per_capita_income": Decimal("-1")}, "人均纯收入不能为负数"),
        (inside, {"surveyed_on": date(2023, 12, 31)}, "核查日期应在评估年度内且不晚于今天"),
        (inside, {"surveyed_on": date(2999, 1, 1)}, "核查日期应在评估年度内且不晚于今天"),
    ]
    before = table_state()

    for unit, changes, message in cases:
        with pytest.raises(EvaluationError) as refused:
            survey_record(
                actor=world.users["inspector_huayuan"],
                unit=unit,
                answers=answers(**changes),
                version=1,
            )
        assert (refused.value.code, refused.value.message) == ("survey", message), changes

    assert table_state() == before


def test_the_database_refuses_a_wrong_exit_outside_and_a_miss_inside_the_register(
    world: World, campaign: Campaign
) -> None:
    outside = unit_of(campaign, world, "longmen_c")
    inside = unit_of(campaign, world, "longmen_a")

    with pytest.raises(IntegrityError), transaction.atomic():
        SampledHousehold.objects.filter(pk=outside.pk).update(adjudication="wrongly_exited")
    with pytest.raises(IntegrityError), transaction.atomic():
        SampledHousehold.objects.filter(pk=inside.pk).update(adjudication="missed")

    assert set(campaign.households.values_list("adjudication", flat=True)) == {""}


def test_surveys_are_refused_once_the_campaign_is_closed(world: World, campaign: Campaign) -> None:
    inspector = world.users["inspector_huayuan"]
    closed = campaign_close(actor=inspector, campaign=campaign, version=1)
    assert (closed.status, closed.version) == ("closed", 2)
    unit = unit_of(campaign, world, "longmen_a")
    before = table_state()

    with pytest.raises(EvaluationError) as refused:
        survey_record(actor=inspector, unit=unit, answers=answers(), version=1)

    assert (refused.value.code, refused.value.message) == (
        "closed",
        "本次评估已结束，不能再录入核查结果",
    )
    assert table_state() == before


def test_a_survey_is_refused_to_other_accounts(world: World, campaign: Campaign) -> None:
    unit = unit_of(campaign, world, "longmen_a")
    before = table_state()

    for account, code in (
        ("inspector_luxi", "region"),
        ("county_huayuan", "forbidden"),
        ("cadre_tudi", "forbidden"),
    ):
        with pytest.raises(EvaluationError) as refused:
            survey_record(actor=world.users[account], unit=unit, answers=answers(), version=1)
        assert refused.value.code == code

    assert table_state() == before


def test_closing_twice_is_stale_and_audited_once(world: World, campaign: Campaign) -> None:
    inspector = world.users["inspector_huayuan"]
    campaign_close(actor=inspector, campaign=campaign, version=1)
    before = table_state()

    with pytest.raises(EvaluationError) as stale:
        campaign_close(actor=inspector, campaign=campaign, version=2)

    assert stale.value.code == "stale"
    assert table_state() == before
    event = AuditEvent.objects.get(action="evaluation.campaign_close")
    assert (event.object_id, event.changes) == (str(campaign.public_id), {"status": "closed"})


# --- suggested_adjudication --------------------------------------------------------------------


def sampled(domain: str, monitoring: str = "none") -> SampledHousehold:
    """An unsaved sampled household: the suggestion reads only the domain and the status."""
    return SampledHousehold(household=Household(monitoring_status=monitoring), domain=domain)


@pytest.mark.parametrize(
    ("unit", "changes", "expected"),
    [
        # 脱贫户, exited: income below the line, or any item lacking → 错退
        (sampled("register"), {"per_capita_income": Decimal("3999.99")}, "wrongly_exited"),
        (sampled("register"), {"water_ok": False}, "wrongly_exited"),
        (sampled("register"), {"clothing_ok": False}, "wrongly_exited"),
        # exactly at the line is not short: the test is strictly below
        (sampled("register"), {"per_capita_income": Decimal("4000.00")}, "correct"),
        (sampled("register"), {}, "correct"),
        # risk eliminated counts as exited
        (sampled("register", "eliminated"), {"education_ok": False}, "wrongly_exited"),
        # still monitored, risk not eliminated: correctly recorded as at risk, whatever it lacks
        (
            sampled("register", "open"),
            {"per_capita_income": Decimal("100"), "food_ok": False},
            "correct",
        ),
        # outside the register: short → 漏评
        (sampled("outside"), {"food_ok": False}, "missed"),
        (sampled("outside"), {"per_capita_income": Decimal("3500")}, "missed"),
        (sampled("outside"), {"per_capita_income": Decimal("4000")}, "correct"),
        (sampled("outside"), {}, "correct"),
        # sampled outside, put under monitoring after the draw: still judged on its answers
        (sampled("outside", "open"), {"medical_ok": False}, "missed"),
    ],
)
def test_the_suggested_adjudication(
    unit: SampledHousehold, changes: dict[str, Any], expected: str
) -> None:
    assert suggested_adjudication(unit, answers(**changes), LINE) == expected
