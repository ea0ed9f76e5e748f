"""POST /api/v1/persons/{id}/reveal: a masked value in clear, with pi.reveal, in scope, with a
reason, audited (SEC-MSK-2)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from fangpin.core.models import AuditEvent
from tests.registry.conftest import World, member, plain_id
from tests.registry.health_scan import json_leaks, seed_health

FIELDS = ["health", "disability_grade", "disability_category"]


def _reveals() -> list[tuple[str, str, dict[str, Any]]]:
    return list(
        AuditEvent.objects.filter(action="data.reveal").values_list(
            "actor_label", "object_id", "changes"
        )
    )


def test_the_county_approver_sees_health_details(
    world: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    seed_health(world)
    son = member(world.households["douwang"], "王小虎")  # 残疾 四级 肢体残疾 (health_scan.SEEDED)
    reply = call(
        "POST",
        f"/persons/{son.public_id}/reveal",
        tokens["county_huayuan"],
        {"field": "health", "reason": "核对残疾人补贴"},
    )

    assert reply.status == 200
    assert reply.body == {
        "person_id": str(son.public_id),
        "field": "health",
        "value": "残疾（四级，肢体残疾）",
        "health": {
            "health": "40",
            "health_label": "残疾",
            "disability_grade": "4",
            "disability_grade_label": "四级",
            "disability_category": "4",
            "disability_category_label": "肢体残疾",
        },
    }
    assert _reveals() == [
        (
            "county_huayuan",
            str(son.pk),
            {"field": "health", "reason": "核对残疾人补贴", "fields": FIELDS},
        )
    ]


def test_the_county_approver_sees_an_id_number(
    world: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    wife = member(world.households["tudi"], "李梅")
    reply = call(
        "POST",
        f"/persons/{wife.public_id}/reveal",
        tokens["county_huayuan"],
        {"field": "id_number", "reason": "核对低保申请"},
    )

    assert reply.status == 200
    assert reply.body == {
        "person_id": str(wife.public_id),
        "field": "id_number",
        "value": plain_id(wife),
        "health": None,
    }
    assert _reveals() == [
        ("county_huayuan", str(wife.pk), {"field": "id_number", "reason": "核对低保申请"})
    ]


@pytest.mark.parametrize("role", ["cadre_tudi", "township_longtan", "officer_xiangxi", "auditor"])
def test_without_pi_reveal_the_answer_is_403_for_any_id(
    world: World, tokens: dict[str, str], call: Callable[..., Any], role: str
) -> None:
    seed_health(world)
    son = member(world.households["tudi"], "张小明")
    body = {"field": "health", "reason": "查看"}

    existing = call("POST", f"/persons/{son.public_id}/reveal", tokens[role], body)
    missing = call("POST", f"/persons/{uuid.uuid4()}/reveal", tokens[role], body)

    assert existing.status == missing.status == 403
    assert existing.body == missing.body
    assert existing.body["code"] == "forbidden"
    assert json_leaks(existing.raw) == set()
    assert _reveals() == []


def test_outside_the_scope_the_answer_is_404_like_a_missing_person(
    world: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    seed_health(world)
    foreign = member(world.households["luxi"], "向小北")
    body = {"field": "health", "reason": "查看"}
    denied_before = AuditEvent.objects.filter(action="authz.denied").count()

    outside = call("POST", f"/persons/{foreign.public_id}/reveal", tokens["county_huayuan"], body)
    missing = call("POST", f"/persons/{uuid.uuid4()}/reveal", tokens["county_huayuan"], body)

    assert outside.status == missing.status == 404
    assert (
        outside.body
        == missing.body
        == {
            "code": "not_found",
            "message": "未找到该人员",
            "field": None,
        }
    )
    assert json_leaks(outside.raw) == set()
    assert _reveals() == []
    assert AuditEvent.objects.filter(action="authz.denied").count() == denied_before + 1


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"field": "health", "reason": "  "}, 400, "reason"),
        ({"field": "health"}, 422, "invalid"),
        ({"field": "bank_account", "reason": "查看"}, 422, "invalid"),
        ({"field": "health", "reason": "查看", "extra": 1}, 422, "invalid"),
    ],
)
def test_a_bad_request_reveals_nothing(
    world: World,
    tokens: dict[str, str],
    call: Callable[..., Any],
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    seed_health(world)
    son = member(world.households["tudi"], "张小明")

    reply = call("POST", f"/persons/{son.public_id}/reveal", tokens["county_huayuan"], body)

    assert (reply.status, reply.body["code"]) == (status, code)
    assert json_leaks(reply.raw) == set()
    assert _reveals() == []


def test_the_reveal_answer_is_not_cached(world: World, tokens: dict[str, str], client: Any) -> None:
    wife = member(world.households["tudi"], "李梅")
    response = client.post(
        f"/api/v1/persons/{wife.public_id}/reveal",
        data={"field": "phone", "reason": "回访"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {tokens['county_huayuan']}"},
    )

    assert response.status_code == 200
    assert response.json()["value"] == "13887654321"
    assert response["Cache-Control"] == "no-store"
