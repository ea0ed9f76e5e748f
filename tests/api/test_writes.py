"""Writes through the API: the registry services, their errors as JSON, optimistic versions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fangpin import idnumber
from fangpin.core.models import AuditEvent
from fangpin.registry.models import Household, HouseholdFinance
from tests.api.conftest import TUDI, World
from tests.api.test_scope_matrix import registry_counts

HEAD_ID = idnumber.build("433124", date(1975, 3, 2), 811)
WIFE_ID = idnumber.build("433124", date(1977, 4, 3), 812)


def _create_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "village_code": TUDI,
        "household_type": "1",
        "head": {"name": "龙大海", "id_number": HEAD_ID, "relation": "01", "phone": "13712345678"},
        "members": [{"name": "石翠", "id_number": WIFE_ID, "relation": "10"}],
        "registered_on": "2024-04-01",
        "address": "土地村下寨3号",
    }
    body.update(overrides)
    return body


def test_create_household_with_members(
    world: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    before = registry_counts()
    reply = call("POST", "/households", tokens["cadre_tudi"], _create_body())
    assert reply.status == 201, reply.raw
    assert reply.body["household_number"] == "4331241022010002"
    assert reply.body["member_count"] == 2
    assert reply.body["head_name"] == "龙大海"
    assert reply.body["household_type_label"] == "脱贫户"
    assert HEAD_ID not in reply.raw
    after = registry_counts()
    assert after["household"] == before["household"] + 1
    assert after["person"] == before["person"] + 2
    actions = list(
        AuditEvent.objects.filter(pk__gt=0).order_by("-pk").values_list("action", flat=True)[:3]
    )
    assert sorted(actions) == ["household.create", "person.register", "person.register"]


def test_create_refused_by_service_is_400_with_code_and_field(
    world: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    before = registry_counts()
    bad = HEAD_ID[:-1] + ("0" if HEAD_ID[-1] != "0" else "1")
    body = _create_body(head={"name": "龙大海", "id_number": bad, "relation": "01"})
    reply = call("POST", "/households", tokens["cadre_tudi"], body)
    assert reply.status == 400
    assert reply.body["code"] == "id_number"
    assert reply.body["field"] == "id_number"
    assert reply.body["message"].startswith("证件号码无效")
    assert registry_counts() == before


def test_create_in_village_outside_scope_is_refused_like_unknown_code(
    world: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    before = registry_counts()
    reply = call(
        "POST", "/households", tokens["cadre_tudi"], _create_body(village_code="433124102202")
    )
    assert reply.status == 400
    assert reply.body == {
        "code": "village",
        "message": "行政区划代码“433124102202”不存在",
        "field": "village_code",
    }
    assert registry_counts() == {**before, "audit": before["audit"] + 1}


def test_invalid_body_is_422_in_chinese(
    world: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    before = registry_counts()
    reply = call("POST", "/households", tokens["cadre_tudi"], {"village_code": "12"})
    assert reply.status == 422
    assert reply.body["code"] == "invalid"
    fields = {e["field"]: e["message"] for e in reply.body["errors"]}
    assert fields["village_code"] == "village_code格式不正确"
    assert fields["head"] == "head必须填写"
    assert fields["registered_on"] == "registered_on必须填写"
    assert registry_counts() == before


def test_patch_updates_and_bumps_version(
    world: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    household = world.households["tudi"]
    reply = call(
        "PATCH",
        f"/households/{household.public_id}",
        tokens["cadre_tudi"],
        {"version": 1, "address": "新址"},
    )
    assert reply.status == 200
    assert reply.body["address"] == "新址"
    assert reply.body["version"] == 2
    household.refresh_from_db()
    assert (household.address, household.version) == ("新址", 2)


def test_stale_patch_is_409_and_changes_nothing(
    world: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    household = world.households["tudi"]
    first = call(
        "PATCH",
        f"/households/{household.public_id}",
        tokens["cadre_tudi"],
        {"version": 1, "address": "甲"},
    )
    assert first.status == 200
    before = registry_counts()
    stale = call(
        "PATCH",
        f"/households/{household.public_id}",
        tokens["county_huayuan"],
        {"version": 1, "address": "乙"},
    )
    assert stale.status == 409
    assert stale.body == {
        "code": "stale",
        "message": "该记录已被他人修改，请刷新后重试",
        "field": None,
    }
    assert registry_counts() == before
    household.refresh_from_db()
    assert (household.address, household.version) == ("甲", 2)


def test_patch_cannot_touch_status_village_or_number(
    world: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    household = world.households["tudi"]
    before = registry_counts()
    for field, value in [
        ("status", "cancelled"),
        ("village_code", "433124102202"),
        ("household_number", "X1"),
        ("village", "433124102202"),
    ]:
        reply = call(
            "PATCH",
            f"/households/{household.public_id}",
            tokens["county_huayuan"],
            {"version": 1, field: value},
        )
        assert reply.status == 422, field
        assert reply.body["errors"][0] == {
            "field": field,
            "type": "extra_forbidden",
            "message": f"{field}不允许的字段",
        }
    assert registry_counts() == before
    fresh = Household.objects.get(pk=household.pk)
    assert (fresh.status, fresh.village_id, fresh.version) == ("active", TUDI, 1)


def test_finance_put_creates_then_needs_version(
    world: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    household = world.households["tudi"]
    path = f"/households/{household.public_id}/finances/2024"
    created = call(
        "PUT", path, tokens["cadre_tudi"], {"amounts": {"wage_local": 12000.5, "tr_dibao": "300"}}
    )
    assert created.status == 200, created.raw
    amounts = {a["field"]: a["amount"] for a in created.body["amounts"]}
    assert (amounts["wage_local"], amounts["tr_dibao"], amounts["prod_crops"]) == (
        "12000.50",
        "300.00",
        "0.00",
    )
    totals = {a["field"]: a["amount"] for a in created.body["totals"]}
    assert totals["net_income"] == "12300.50"
    before = registry_counts()
    again = call("PUT", path, tokens["cadre_tudi"], {"amounts": {"wage_local": "1"}})
    assert again.status == 400
    assert again.body["code"] == "version_required"
    stale = call("PUT", path, tokens["cadre_tudi"], {"amounts": {"wage_local": "1"}, "version": 7})
    assert stale.status == 409
    assert registry_counts() == before
    assert HouseholdFinance.objects.get(household=household, year=2024).wage_local == 12000.5


def test_member_death_and_head_change(
    world: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    household = world.households["tudi"]
    members = call("GET", f"/households/{household.public_id}/members", tokens["cadre_tudi"]).body
    by_name = {m["name"]: m for m in members}
    head = call(
        "POST",
        f"/households/{household.public_id}/head",
        tokens["cadre_tudi"],
        {
            "new_head_id": by_name["李梅"]["id"],
            "old_head_relation": "10",
            "event_date": "2024-06-01",
        },
    )
    assert head.status == 200, head.raw
    assert head.body["head_name"] == "李梅"
    died = call(
        "POST",
        f"/persons/{by_name['张三']['id']}/death",
        tokens["cadre_tudi"],
        {"death_date": "2024-07-01"},
    )
    assert died.status == 200, died.raw
    assert (died.body["status"], died.body["status_label"]) == ("deceased", "已死亡")
    timeline = call("GET", f"/households/{household.public_id}/timeline", tokens["cadre_tudi"]).body
    assert [e["code"] for e in timeline[:1]] == ["death"]
