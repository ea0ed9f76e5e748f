"""Pushing a campaign's findings into the ledger (campaign_push_findings): one problem per
wrongly exited or missed household, source 第三方评估, the right dimension and a description
of what the survey found; pushing again adds nothing; refused outside one's rights."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from fangpin.core.models import AuditEvent
from fangpin.evaluation.campaigns import (
    DesignChoice,
    campaign_create,
    campaign_push_findings,
    survey_record,
)
from fangpin.evaluation.errors import EvaluationError
from fangpin.evaluation.models import Campaign
from fangpin.supervision.models import Problem
from tests.evaluation.conftest import HUAYUAN, World, answers, table_state

TODAY = date(2026, 11, 20)


@pytest.fixture
def surveyed(world: World) -> Campaign:
    """Every household of the five villages drawn; four surveys, three of them findings."""
    inspector = world.users["inspector_huayuan"]
    campaign = campaign_create(
        actor=inspector,
        name="2024年度第三方评估",
        county_code=HUAYUAN,
        year=2024,
        seed="s1",
        design=DesignChoice(villages_per_township=3, ordinary_share=1.0),
    )
    found: dict[str, Any] = {
        "longmen_a": answers(
            per_capita_income=Decimal("3500"), adjudication="wrongly_exited", notes="收入不足"
        ),
        "douwang_a": answers(
            housing_ok=False, water_ok=False, adjudication="wrongly_exited", notes="危房"
        ),
        "tudi_d": answers(per_capita_income=Decimal("3600.40"), adjudication="missed"),
        "minle_c": answers(clothing_ok=False, adjudication="missed"),
        "longmen_b": answers(),
    }
    for key, values in found.items():
        unit = campaign.households.select_related("campaign", "village").get(
            household=world.households[key]
        )
        survey_record(actor=inspector, unit=unit, answers=values, version=1)
    return campaign


def test_each_wrong_exit_and_omission_becomes_one_problem(world: World, surveyed: Campaign) -> None:
    created = campaign_push_findings(
        actor=world.users["inspector_huayuan"], campaign=surveyed, today=TODAY
    )

    assert created == 4
    problems = {
        world.key_of(p.households.get().pk): p
        for p in Problem.objects.prefetch_related("households")
    }
    assert {k: (p.dimension, p.description) for k, p in problems.items()} == {
        "longmen_a": ("income", "第三方评估认定错退：核实人均纯收入3,500元，低于4,000元标准。"),
        "douwang_a": (
            "housing",
            "第三方评估认定错退：核实人均纯收入9,000元，未保障：住房安全、饮水安全。",
        ),
        "tudi_d": ("income", "第三方评估认定漏评：核实人均纯收入3,600元，低于4,000元标准。"),
        # 不愁穿 has no ledger dimension of its own: income
        "minle_c": ("income", "第三方评估认定漏评：核实人均纯收入9,000元，未保障：不愁穿。"),
    }
    for key, problem in problems.items():
        household = world.households[key]
        assert (
            problem.source,
            problem.source_batch,
            problem.found_on,
            problem.deadline,
            problem.region_id,
            problem.lead_unit,
            problem.status,
            problem.created_by_label,
        ) == (
            "evaluation",
            "2024年度第三方评估",
            TODAY,
            TODAY + timedelta(days=30),
            household.village_id,
            "县乡村振兴局",
            "open",
            "inspector_huayuan",
        )
        assert problem.origin_key == f"evaluation:{surveyed.public_id}:{household.pk}"
    assert {p.origin_rule for p in problems.values()} == {
        "evaluation.wrongly_exited",
        "evaluation.missed",
    }
    surveyed.refresh_from_db()
    assert surveyed.pushed_on == TODAY
    event = AuditEvent.objects.get(action="problem.bulk_create")
    assert (event.changes["source"], event.changes["created"]) == ("evaluation", 4)


def test_pushing_again_adds_nothing(world: World, surveyed: Campaign) -> None:
    inspector = world.users["inspector_huayuan"]
    campaign_push_findings(actor=inspector, campaign=surveyed, today=TODAY)
    problems = sorted(Problem.objects.values_list("pk", "origin_key", "version"))

    again = campaign_push_findings(actor=inspector, campaign=surveyed, today=TODAY)

    assert again == 0
    assert sorted(Problem.objects.values_list("pk", "origin_key", "version")) == problems


def test_a_correction_to_correct_is_not_pushed(world: World, surveyed: Campaign) -> None:
    unit = surveyed.households.select_related("campaign", "village").get(
        household=world.households["minle_c"]
    )
    survey_record(
        actor=world.users["inspector_huayuan"], unit=unit, answers=answers(), version=unit.version
    )

    created = campaign_push_findings(
        actor=world.users["inspector_huayuan"], campaign=surveyed, today=TODAY
    )

    assert created == 3
    assert not Problem.objects.filter(households=world.households["minle_c"]).exists()


def test_a_push_is_refused_to_other_accounts(world: World, surveyed: Campaign) -> None:
    before = table_state()

    for account, code in (
        ("inspector_luxi", "region"),
        ("county_huayuan", "forbidden"),
        ("township_longtan", "forbidden"),
        ("cadre_tudi", "forbidden"),
    ):
        with pytest.raises(EvaluationError) as refused:
            campaign_push_findings(actor=world.users[account], campaign=surveyed, today=TODAY)
        assert refused.value.code == code, account

    assert table_state() == before
