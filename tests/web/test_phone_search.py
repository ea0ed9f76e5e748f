"""Finding a household by phone: by POST only, never in a URL (SEC-MSK-3), within the scope."""

from __future__ import annotations

from fangpin.registry.models import Household, phone_columns
from tests.registry.conftest import World
from tests.web.conftest import client_for


def test_a_phone_typed_into_the_list_search_is_dropped_from_the_url(world: World) -> None:
    client = client_for(world.viewers["county_huayuan"])

    response = client.get("/households/?q=13812345678&status=all")

    assert response.status_code == 302
    assert response["Location"] == "/households/?status=all"
    assert "13812345678" not in response["Location"]


def test_the_household_phone_finds_its_household(world: World) -> None:
    client = client_for(world.viewers["county_huayuan"])

    response = client.post("/households/find/", {"id_number": "138 1234 5678"})

    assert response.status_code == 302
    assert response["Location"] == f"/households/{world.households['tudi'].public_id}/"


def test_a_members_phone_finds_the_household(world: World) -> None:
    client = client_for(world.viewers["county_huayuan"])

    response = client.post("/households/find/", {"id_number": "13987654321"})

    assert response["Location"] == f"/households/{world.households['douwang'].public_id}/"


def test_a_phone_shared_by_two_households_lists_both(world: World) -> None:
    tudi, douwang = world.households["tudi"], world.households["douwang"]
    Household.objects.filter(pk=douwang.pk).update(
        **phone_columns("13812345678", context="registry.household.phone")
    )
    client = client_for(world.viewers["county_huayuan"])

    response = client.post("/households/find/", {"id_number": "13812345678"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "该电话号码对应多户" in body
    assert {h.pk for h in response.context["households"]} == {tudi.pk, douwang.pk}
    assert "13812345678" not in body


def test_a_phone_outside_the_scope_finds_nothing(world: World) -> None:
    client = client_for(world.viewers["cadre_tudi"])

    response = client.post("/households/find/", {"id_number": "13912345678"})  # 豆旺村

    assert response.status_code == 200
    body = response.content.decode()
    assert "未找到使用该电话号码的农户或在册人员" in body
    assert world.households["douwang"].household_number not in body
    assert "13912345678" not in body
