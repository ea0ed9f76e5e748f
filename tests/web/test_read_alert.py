"""The web and API household pages feed the bulk-read alert (SEC-AUD-6)."""

from __future__ import annotations

from typing import Any

from fangpin.api.services import api_token_create
from fangpin.core.alerts import ALERT_ACTION
from fangpin.core.models import AuditEvent, HouseholdRead
from tests.registry.conftest import World, member
from tests.web.conftest import client_for


def test_opening_more_households_than_the_limit_raises_one_alert(
    world: World, settings: Any
) -> None:
    settings.FANGPIN_READ_ALERT_PER_HOUR = 1
    county = world.viewers["county_huayuan"]
    client = client_for(county)

    assert client.get(f"/households/{world.households['tudi'].public_id}/").status_code == 200
    assert client.get(f"/households/{world.households['tudi'].public_id}/").status_code == 200
    assert not AuditEvent.objects.filter(action=ALERT_ACTION).exists()
    assert client.get(f"/households/{world.households['douwang'].public_id}/").status_code == 200

    alert = AuditEvent.objects.get(action=ALERT_ACTION)
    assert (alert.actor_id, alert.changes["households"], alert.changes["limit"]) == (
        county.pk,
        2,
        1,
    )
    assert alert.ip == "127.0.0.1"


def test_the_list_page_is_not_counted(world: World) -> None:
    client_for(world.viewers["county_huayuan"]).get("/households/")

    assert HouseholdRead.objects.count() == 0


def test_a_household_outside_the_scope_is_not_counted(world: World) -> None:
    response = client_for(world.viewers["cadre_tudi"]).get(
        f"/households/{world.households['luxi'].public_id}/"
    )

    assert response.status_code == 404
    assert HouseholdRead.objects.count() == 0


def test_the_api_counts_household_and_person_reads(world: World) -> None:
    county = world.viewers["county_huayuan"]
    _token, secret = api_token_create(actor="system:test", user=county, name="测试")
    headers = {"Authorization": f"Bearer {secret}"}
    client = client_for(county)
    client.logout()
    tudi, douwang = world.households["tudi"], world.households["douwang"]

    client.get(f"/api/v1/households/{tudi.public_id}", headers=headers)
    client.get(f"/api/v1/persons/{member(douwang, '王五').public_id}", headers=headers)

    assert sorted(HouseholdRead.objects.values_list("user_id", "household_id")) == [
        (county.pk, tudi.pk),
        (county.pk, douwang.pk),
    ]
