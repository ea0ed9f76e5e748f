"""Households and persons are addressed by opaque UUIDs, never by row id (SEC-MSK-3, ASVS
14.2.1): in paths, in response ids and in request bodies that name another row."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from fangpin.registry.models import Household, MembershipEvent, Person
from tests.api.test_scope_matrix import registry_counts
from tests.registry.conftest import World, member

_ROW_PATH = re.compile(r"/(?:households|persons)/[0-9]+(?:[/?\"]|$)")


def _uuid_or_none(value: Any) -> bool:
    if value is None:
        return True
    return isinstance(value, str) and str(uuid.UUID(value)) == value


@pytest.mark.parametrize(
    "path",
    ["/households/{h}", "/households/{h}/members", "/persons/{p}", "/households/{h}/timeline"],
)
def test_a_row_id_in_a_path_is_refused_with_the_invalid_envelope(
    world: World, tokens: dict[str, str], call: Callable[..., Any], path: str
) -> None:
    household = world.households["tudi"]
    url = path.format(h=household.pk, p=member(household, "张三").pk)

    reply = call("GET", url, tokens["county_huayuan"])

    assert reply.status == 422
    assert reply.body["code"] == "invalid"
    assert reply.body["errors"][0]["type"] == "uuid_parsing"
    assert household.household_number not in reply.raw


@pytest.mark.parametrize("segment", ["not-a-uuid", "0", "12345678-1234-1234-1234-12345678901"])
def test_a_malformed_uuid_in_a_write_path_is_422_and_changes_nothing(
    world: World, tokens: dict[str, str], call: Callable[..., Any], segment: str
) -> None:
    before = registry_counts()

    reply = call(
        "PATCH", f"/households/{segment}", tokens["county_huayuan"], {"version": 1, "address": "x"}
    )

    assert reply.status == 422
    assert reply.body["code"] == "invalid"
    assert registry_counts() == before


def test_an_unknown_uuid_answers_404_like_a_household_outside_the_scope(
    world: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    outside = call("GET", f"/households/{world.households['luxi'].public_id}", tokens["cadre_tudi"])
    missing = call("GET", f"/households/{uuid.uuid4()}", tokens["cadre_tudi"])

    assert outside.status == missing.status == 404
    assert (
        outside.body
        == missing.body
        == {
            "code": "not_found",
            "message": "未找到该农户",
            "field": None,
        }
    )


def test_response_ids_are_the_public_uuids(
    world: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    household = world.households["tudi"]
    token = tokens["cadre_tudi"]

    detail = call("GET", f"/households/{household.public_id}", token).body
    members = call("GET", f"/households/{household.public_id}/members", token).body
    timeline = call("GET", f"/households/{household.public_id}/timeline", token).body

    assert detail["id"] == str(household.public_id)
    assert sorted(m["id"] for m in members) == sorted(
        str(p.public_id) for p in Person.objects.filter(household=household, status="active")
    )
    assert {m["household_id"] for m in members} == {str(household.public_id)}
    assert all(_uuid_or_none(e["person_id"]) for e in timeline)
    assert [e["person_id"] for e in timeline if e["person_id"]] != []


def test_two_households_public_ids_are_unrelated(world: World) -> None:
    first, second = (h.public_id for h in Household.objects.order_by("pk")[:2])

    assert first.version == second.version == 4
    assert first != second
    # A sequence would differ in its last digits only; random ids differ all over.
    assert first.hex[:16] != second.hex[:16]


@pytest.mark.parametrize("role", ["cadre_tudi", "county_huayuan", "inspector_luxi"])
def test_no_api_answer_names_a_household_or_person_by_row_id(
    world: World, tokens: dict[str, str], call: Callable[..., Any], role: str
) -> None:
    token = tokens[role]
    listing = call("GET", "/households?limit=100", token)
    assert listing.status == 200
    replies = [listing]
    for item in listing.body["items"]:
        assert _uuid_or_none(item["id"])
        base = f"/households/{item['id']}"
        for suffix in ("", "/members?include_inactive=true", "/finances", "/timeline"):
            replies.append(call("GET", base + suffix, token))
        for person in replies[-3].body:
            replies.append(call("GET", f"/persons/{person['id']}", token))
    for reply in replies:
        assert reply.status == 200, reply.raw
        assert _ROW_PATH.findall(reply.raw) == []
        items = reply.body if isinstance(reply.body, list) else [reply.body]
        for item in items:
            for key in ("household_id", "person_id"):
                if key in item:
                    assert _uuid_or_none(item[key]), (key, item[key])
    assert len(replies) > 1


def test_a_move_names_the_receiving_household_by_public_id(
    world: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    son = member(world.households["tudi"], "张小明")
    receiving = world.households["douwang"]

    reply = call(
        "POST",
        f"/persons/{son.public_id}/move-out",
        tokens["county_huayuan"],
        {
            "event_type": "move_out",
            "event_date": "2024-06-01",
            "to_household_id": str(receiving.public_id),
            "new_relation": "20",
        },
    )

    assert reply.status == 200, reply.raw
    assert reply.body["household_id"] == str(receiving.public_id)
    son.refresh_from_db()
    assert son.household_id == receiving.pk


def test_a_move_to_a_household_outside_the_scope_is_404_and_changes_nothing(
    world: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    son = member(world.households["tudi"], "张小明")
    before = (
        MembershipEvent.objects.count(),
        Person.objects.filter(household=son.household).count(),
    )

    for target in (world.households["luxi"].public_id, uuid.uuid4()):
        reply = call(
            "POST",
            f"/persons/{son.public_id}/move-out",
            tokens["cadre_tudi"],
            {
                "event_type": "move_out",
                "event_date": "2024-06-01",
                "to_household_id": str(target),
                "new_relation": "20",
            },
        )
        assert reply.status == 404, reply.raw
        assert reply.body["code"] == "not_found"
        assert world.households["luxi"].household_number not in reply.raw
    after = (
        MembershipEvent.objects.count(),
        Person.objects.filter(household=son.household).count(),
    )
    assert after == before


def test_a_row_id_in_a_body_is_refused_with_422(
    world: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    household = world.households["tudi"]
    before = registry_counts()

    reply = call(
        "POST",
        f"/households/{household.public_id}/head",
        tokens["cadre_tudi"],
        {
            "new_head_id": member(household, "李梅").pk,
            "old_head_relation": "10",
            "event_date": "2024-06-01",
        },
    )

    assert reply.status == 422
    assert reply.body["errors"][0]["field"] == "new_head_id"
    assert registry_counts() == before


def test_a_head_change_takes_relations_keyed_by_public_id(
    world: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    household = world.households["tudi"]
    wife, son = member(household, "李梅"), member(household, "张小明")

    reply = call(
        "POST",
        f"/households/{household.public_id}/head",
        tokens["cadre_tudi"],
        {
            "new_head_id": str(wife.public_id),
            "old_head_relation": "10",
            "relations": {str(son.public_id): "99"},
            "event_date": "2024-06-01",
        },
    )

    assert reply.status == 200, reply.raw
    assert reply.body["head_name"] == "李梅"
    son.refresh_from_db()
    assert son.relation == "99"


def test_a_head_change_naming_a_foreign_person_is_refused_without_its_row_id(
    world: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    household = world.households["tudi"]
    stranger = member(world.households["douwang"], "王小虎")
    before = registry_counts()

    reply = call(
        "POST",
        f"/households/{household.public_id}/head",
        tokens["county_huayuan"],
        {
            "new_head_id": str(member(household, "李梅").public_id),
            "old_head_relation": "10",
            "relations": {str(stranger.public_id): "20"},
            "event_date": "2024-06-01",
        },
    )

    assert reply.status == 400
    assert reply.body["code"] == "relations"
    assert str(stranger.pk) not in reply.body["message"]
    assert registry_counts() == before
