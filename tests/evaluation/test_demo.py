"""The demo's step ⑬ on the small test county: a campaign surveyed but for a few households,
its findings and the integrity warnings pushed, the measures computed.

The registry leaves the database through the snapshot (its own ADBC connection): on PostgreSQL
it sees committed rows only, so these tests commit there.
"""

from __future__ import annotations

import pytest
from django.db import connection

from fangpin.core.models import Role
from fangpin.evaluation.demo import DEMO_PENDING, demo_evaluation
from fangpin.evaluation.models import Campaign, IntegrityRun, MeasureResult
from fangpin.supervision.models import Problem
from tests.evaluation.conftest import HUAYUAN, World
from tests.registry.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=connection.vendor == "postgresql")


def test_the_demo_surveys_the_sample_and_pushes_the_findings(finances: World) -> None:
    make_user("inspector_433124", Role.INSPECTOR, HUAYUAN)
    make_user("county_433124", Role.COUNTY_APPROVER, HUAYUAN)

    shown = demo_evaluation(county="433124", year=2024, seed=5)

    campaign = Campaign.objects.get()
    assert shown["campaign"] == campaign
    assert {
        k: shown[k]
        for k in ("villages", "households", "surveyed", "register", "wrongly_exited", "missed")
    } == {
        "villages": 4,
        "households": 13,
        "surveyed": 8,
        "register": 9,
        "wrongly_exited": 1,  # a checklist item found lacking (the demo's survey noise, seed 5)
        "missed": 0,
    }
    assert (shown["integrity_findings"], shown["integrity_pushed"]) == (0, 0)  # a clean county
    assert (campaign.seed, campaign.created_by_label) == ("5", "inspector_433124")
    assert shown["households"] == campaign.households.count()
    assert shown["surveyed"] == shown["households"] - DEMO_PENDING
    assert campaign.households.filter(surveyed_on__isnull=True).count() == DEMO_PENDING
    assert shown["pushed"] == shown["wrongly_exited"] + shown["missed"]
    assert Problem.objects.filter(source="evaluation").count() == shown["pushed"]
    assert shown["measures"] == MeasureResult.objects.get().result
    assert shown["integrity"] == IntegrityRun.objects.get()


def test_without_the_demo_accounts_the_step_is_skipped(finances: World) -> None:
    assert demo_evaluation(county="433124", year=2024, seed=5) == {}
    assert Campaign.objects.count() == 0
