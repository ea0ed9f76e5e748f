"""No plain ID or mobile number and no health detail in any response, nor any ID number in a
URL (SEC-MSK-2/3)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from fangpin.core.pi import pi_decrypt
from fangpin.registry.masking import HEALTH_MASK
from fangpin.registry.models import ID_NUMBER_CONTEXT, Person
from tests.api.conftest import API, send
from tests.registry.conftest import World
from tests.registry.health_scan import json_leaks, seed_health, set_health

ID_PATTERN = re.compile(r"\b\d{17}[\dXx]\b")
MOBILE_PATTERN = re.compile(r"\b1[3-9]\d{9}\b")


def _get_paths(world: World) -> list[str]:
    paths = ["/households?limit=100", "/tokens", "/openapi.json"]
    for household in world.households.values():
        h = household.public_id
        paths += [
            f"/households/{h}",
            f"/households/{h}/members?include_inactive=true",
            f"/households/{h}/finances",
            f"/households/{h}/conditions",
            f"/households/{h}/timeline",
        ]
        paths += [f"/persons/{p.public_id}" for p in Person.objects.filter(household=household)]
    return paths


@pytest.mark.parametrize("role", ["cadre_tudi", "county_huayuan", "inspector_luxi"])
def test_no_get_response_holds_a_plain_id_or_mobile_number(
    world: World, tokens: dict[str, str], role: str
) -> None:
    client = Client()
    seen = 0
    for path in _get_paths(world):
        reply = send(client, "GET", path, tokens[role])
        assert reply.status in (200, 404), path
        seen += reply.status == 200
        assert ID_PATTERN.findall(reply.raw) == [], path
        assert MOBILE_PATTERN.findall(reply.raw) == [], path
    assert seen >= 8


@pytest.mark.parametrize(
    "role",
    ["cadre_tudi", "township_longtan", "county_huayuan", "inspector_luxi", "officer_xiangxi"],
)
def test_no_get_response_holds_a_health_detail(
    world: World, tokens: dict[str, str], role: str
) -> None:
    seed_health(world)
    client = Client()
    seen = 0
    for path in _get_paths(world):
        reply = send(client, "GET", path, tokens[role])
        assert reply.status in (200, 404), path
        seen += reply.status == 200
        assert json_leaks(reply.raw) == set(), (role, path)
    assert seen >= 8


def test_person_responses_mask_every_health_field_alike(
    world: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    seed_health(world)
    household = world.households["tudi"]
    masked = {
        "health": HEALTH_MASK,
        "health_label": HEALTH_MASK,
        "disability_grade": HEALTH_MASK,
        "disability_grade_label": HEALTH_MASK,
        "disability_category": HEALTH_MASK,
        "disability_category_label": HEALTH_MASK,
        "health_masked": True,
    }
    members = call(
        "GET", f"/households/{household.public_id}/members", tokens["county_huayuan"]
    ).body
    assert [{k: m[k] for k in masked} for m in members] == [masked] * 3
    healthy = Person.objects.get(household=world.households["tudi"], name="张三")
    set_health(healthy.pk, "10")  # healthy: masked just the same
    detail = call("GET", f"/persons/{healthy.public_id}", tokens["cadre_tudi"]).body
    assert {k: detail[k] for k in masked} == masked


def test_the_schema_documents_the_masked_health_fields(
    world: World, tokens: dict[str, str]
) -> None:
    schema = send(Client(), "GET", "/openapi.json", tokens["cadre_tudi"]).body
    person = schema["components"]["schemas"]["PersonOut"]
    assert "health_masked" in person["required"]
    assert person["properties"]["health_masked"]["type"] == "boolean"
    assert "已隐藏" in person["properties"]["health"]["description"]
    assert "post" in schema["paths"][f"{API}/persons/{{person_id}}/reveal"]


def test_masked_values_are_shown(
    world: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    household = world.households["tudi"]
    detail = call("GET", f"/households/{household.public_id}", tokens["cadre_tudi"]).body
    assert detail["phone_masked"] == "138****5678"
    members = call("GET", f"/households/{household.public_id}/members", tokens["cadre_tudi"]).body
    head = Person.objects.get(household=household, name="张三")
    assert members[0]["id_number_masked"] == head.id_number_masked
    assert re.fullmatch(r"433124\*{8}\d{3}[\dX]", members[0]["id_number_masked"])
    assert "id_number" not in members[0]
    assert "phone" not in members[0]
    response = Client().get(
        f"{API}/households/{household.public_id}",
        headers={"Authorization": f"Bearer {tokens['cadre_tudi']}"},
    )
    assert response["Cache-Control"] == "no-store"


def test_search_by_id_goes_by_post_and_respects_scope(
    world: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    son = Person.objects.get(household=world.households["douwang"], name="王小虎")
    plain = pi_decrypt(son.id_number_encrypted, context=ID_NUMBER_CONTEXT)
    found = call("POST", "/households/search-by-id", tokens["county_huayuan"], {"id_number": plain})
    assert found.status == 200
    assert [h["household_number"] for h in found.body["items"]] == [
        world.households["douwang"].household_number
    ]
    hidden = call("POST", "/households/search-by-id", tokens["cadre_tudi"], {"id_number": plain})
    assert hidden.body == {"items": []}
    assert plain not in found.raw


def test_no_url_of_the_schema_carries_an_id_number(world: World, tokens: dict[str, str]) -> None:
    schema = send(Client(), "GET", "/openapi.json", tokens["cadre_tudi"]).body
    for path, operations in schema["paths"].items():
        assert "id_number" not in path
        for operation in operations.values():
            names = {p["name"] for p in operation.get("parameters", [])}
            assert not names & {"id_number", "phone", "search"}, path
    assert API + "/households/search-by-id" in {API + p.removeprefix(API) for p in schema["paths"]}


def test_an_id_number_in_the_list_query_is_refused(
    world: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    son = Person.objects.get(household=world.households["tudi"], name="张小明")
    plain = pi_decrypt(son.id_number_encrypted, context=ID_NUMBER_CONTEXT)
    reply = call("GET", f"/households?q={plain}", tokens["cadre_tudi"])
    assert reply.status == 400
    assert reply.body["code"] == "id_number_in_url"
    assert reply.body["field"] == "q"
    assert plain not in reply.raw
