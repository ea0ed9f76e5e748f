"""Fixtures for the export tests: the registry's villages and accounts, a second approver,
households in two villages, and the URL map with the exports included."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client

from fangpin.core.models import AuditEvent, ExportRequest, Region, Role, User
from fangpin.registry import services
from fangpin.registry.models import Household
from tests.registry import conftest as registry
from tests.registry.conftest import DOUWANG, HUAYUAN_COUNTY, REGISTERED_ON, make_user

actor = registry.actor
douwang_cadre = registry.douwang_cadre
family = registry.family
luxi_approver = registry.luxi_approver
person_input = registry.person_input
tudi_cadre = registry.tudi_cadre
village = registry.village


@pytest.fixture
def second_approver(village: Region) -> User:
    """Another county approver of 花垣县: may approve the first one's (and the cadres') requests."""
    return make_user("approver_two", Role.COUNTY_APPROVER, HUAYUAN_COUNTY)


@pytest.fixture
def douwang_family(village: Region, actor: User, person_input: Any) -> Household:
    """A household of one in 豆旺村: outside 土地村's cadre's scope."""
    return services.household_create(
        actor=actor,
        village_code=DOUWANG,
        household_type="1",
        head=person_input(name="王五", birth_date=date(1975, 3, 4)),
        members=[],
        registered_on=REGISTERED_ON,
        phone="13900001111",
    )


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def state() -> Callable[[], dict[str, Any]]:
    """What an export refusal must leave unchanged: requests (with their statuses) and audit."""

    def take() -> dict[str, Any]:
        return {
            "requests": sorted(ExportRequest.objects.values_list("pk", "status", "downloaded_at")),
            "audit": AuditEvent.objects.count(),
        }

    return take
