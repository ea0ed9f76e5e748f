"""The household admin's read-only monitoring inline: labels, risks, scope, no writes."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from fangpin.core.models import User
from fangpin.registry.models import Household, Monitoring, MonitoringRisk
from tests.registry.monitoring_helpers import add_spell


@pytest.fixture
def approver_client(client: Client, actor: User) -> Client:
    client.force_login(actor)
    return client


def test_the_change_page_shows_the_spells_with_labels_and_risks(
    approver_client: Any, family: Household
) -> None:
    add_spell(
        family,
        "MARGINAL",
        date(2021, 5, 1),
        eliminated=date(2022, 1, 1),
        mode="natural",
        is_current=False,
        risks=[("09", "")],
    )
    add_spell(family, "UNSTABLE", date(2023, 4, 1), risks=[("01", ""), ("02", "0201")])
    before = (Monitoring.objects.count(), MonitoringRisk.objects.count())
    html = approver_client.get(f"/admin/registry/household/{family.pk}/change/").content.decode()
    assert "监测对象记录" in html
    assert "脱贫不稳定户" in html
    assert "边缘易致贫户" in html
    assert "1. 因病；2. 因自然灾害（洪涝）" in html
    assert "1. 因学" in html
    assert "自然消除" in html
    assert html.index("脱贫不稳定户") < html.index("边缘易致贫户")  # newest first
    assert 'name="monitorings-TOTAL_FORMS"' in html
    assert 'name="monitorings-0-id"' in html
    assert "monitorings-0-object_type" not in html  # read-only: no inputs for the fields
    assert (Monitoring.objects.count(), MonitoringRisk.objects.count()) == before


def test_the_changelist_filters_by_monitoring_status(
    approver_client: Any, family: Household
) -> None:
    add_spell(family, "UNSTABLE", date(2023, 4, 1))
    html = approver_client.get(
        "/admin/registry/household/", {"monitoring_status": "open"}
    ).content.decode()
    assert family.household_number in html
    html = approver_client.get(
        "/admin/registry/household/", {"monitoring_status": "eliminated"}
    ).content.decode()
    assert family.household_number not in html
