"""Reads of evaluation (fangpin.evaluation.selectors) in the reader's scope: campaigns only for
evaluators whose scope covers the county (never villages or townships: a sample announced is
worth nothing); measures and integrity runs for the counties a reader may look at."""

from __future__ import annotations

from typing import Any

import pytest

from fangpin.core.access import SYSTEM
from fangpin.evaluation import selectors
from fangpin.evaluation.campaigns import DesignChoice, campaign_create, survey_record
from fangpin.evaluation.models import Campaign, IntegrityRun, MeasureResult, SampledHousehold
from tests.evaluation.conftest import HUAYUAN, LUXI, World, answers


@pytest.fixture
def campaign(world: World) -> Campaign:
    campaign = campaign_create(
        actor=world.users["inspector_huayuan"],
        name="花垣县评估",
        county_code=HUAYUAN,
        year=2024,
        seed="s1",
        design=DesignChoice(ordinary_share=0.5),
    )
    first = campaign.households.select_related("campaign", "village").order_by("position")[0]
    survey_record(actor=world.users["inspector_huayuan"], unit=first, answers=answers(), version=1)
    return campaign


#: account → sees the 花垣县 campaign
SEES_CAMPAIGN = {
    "inspector_huayuan": True,
    "inspector_xiangxi": True,  # the prefecture covers the county
    "inspector_luxi": False,  # another county
    "county_huayuan": False,  # no findings.write
    "township_longtan": False,
    "cadre_tudi": False,
    "auditor": False,
}


def test_campaigns_are_listed_to_evaluators_of_the_county_only(
    world: World, campaign: Campaign
) -> None:
    seen = {
        account: [c.public_id for c in selectors.campaign_list(user=world.users[account])]
        for account in SEES_CAMPAIGN
    }

    assert seen == {
        account: [campaign.public_id] if sees else [] for account, sees in SEES_CAMPAIGN.items()
    }
    listed: Any = selectors.campaign_list(user=SYSTEM).get()
    assert (listed.sample_size, listed.surveyed) == (13, 1)


def test_a_campaign_and_its_households_out_of_scope_look_missing(
    world: World, campaign: Campaign
) -> None:
    unit = campaign.households.order_by("position")[0]
    found = {}

    for account in SEES_CAMPAIGN:
        user = world.users[account]
        try:
            selectors.campaign_get(user=user, public_id=campaign.public_id)
            selectors.sampled_household_get(user=user, public_id=unit.public_id)
            found[account] = True
        except (Campaign.DoesNotExist, SampledHousehold.DoesNotExist):
            found[account] = False

    assert found == SEES_CAMPAIGN


def test_the_visit_list_is_in_visit_order_with_the_heads_name(
    world: World, campaign: Campaign
) -> None:
    rows = list(selectors.visit_list(campaign))

    assert [r.position for r in rows] == list(range(1, 14))
    assert {r.head_name for r in rows} == {"龙大"}
    assert rows[0].household.household_number == (
        campaign.households.get(position=1).household.household_number
    )


def test_the_counties_a_reader_may_look_at(world: World) -> None:
    counties = {
        account: list(
            selectors.counties_in_scope(user=world.users[account]).values_list("code", flat=True)
        )
        for account in (
            "inspector_xiangxi",
            "inspector_luxi",
            "county_huayuan",
            "township_longtan",
            "cadre_tudi",
            "auditor",
        )
    }

    assert counties == {
        "inspector_xiangxi": [LUXI, HUAYUAN],  # by code: 433122 before 433124
        "inspector_luxi": [LUXI],
        "county_huayuan": [HUAYUAN],
        "township_longtan": [HUAYUAN],  # their own county; rows are cut to the township later
        "cadre_tudi": [HUAYUAN],
        "auditor": [],
    }


def test_the_latest_measures_and_run_of_a_county_in_scope(world: World) -> None:
    for label in ("first", "latest"):
        MeasureResult.objects.create(
            county_id=HUAYUAN, year=2024, edition_id="e", result={}, computed_by_label=label
        )
        IntegrityRun.objects.create(
            county_id=HUAYUAN, year=2024, edition_id="e", started_by_label=label
        )
    MeasureResult.objects.create(
        county_id=HUAYUAN, year=2023, edition_id="e", result={}, computed_by_label="2023"
    )

    def latest(account: str, year: int = 2024) -> tuple[str | None, str | None]:
        user = world.users[account]
        measure = selectors.measure_result_latest(user=user, county_code=HUAYUAN, year=year)
        run = selectors.integrity_run_latest(user=user, county_code=HUAYUAN, year=year)
        return (
            measure.computed_by_label if measure else None,
            run.started_by_label if run else None,
        )

    assert latest("county_huayuan") == ("latest", "latest")
    assert latest("township_longtan") == ("latest", "latest")
    assert latest("county_huayuan", 2023) == ("2023", None)
    assert latest("inspector_luxi") == (None, None)
    assert latest("auditor") == (None, None)
