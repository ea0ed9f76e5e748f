"""person_reveal_health: health status, disability grade and category in clear, for a user with
``pi.reveal`` in scope, with a reason, audited as one ``data.reveal`` event (SEC-MSK-2)."""

from __future__ import annotations

from typing import Any

import pytest

from fangpin.core.models import AuditEvent, AuditResult
from fangpin.registry.errors import RegistryError
from fangpin.registry.masking import HEALTH_FIELDS, HEALTH_MASK, mask_health
from fangpin.registry.services.reveal import HealthDetails, person_reveal_health
from tests.registry.conftest import World, member
from tests.registry.health_scan import seed_health


def _reveals() -> list[tuple[str, str, dict[str, Any]]]:
    return list(
        AuditEvent.objects.filter(action="data.reveal").values_list(
            "actor_label", "object_id", "changes"
        )
    )


@pytest.mark.parametrize("value", ["10", "20", "30", "40", "", None, "1", "zz"])
def test_mask_health_is_the_same_for_every_value(value: str | None) -> None:
    assert mask_health(value) == HEALTH_MASK == "已隐藏"
    assert mask_health() == HEALTH_MASK
    assert HEALTH_FIELDS == ("health", "disability_grade", "disability_category")


def test_reveal_health_in_scope_with_a_reason_is_audited(world: World) -> None:
    seed_health(world)
    approver = world.viewers["county_huayuan"]
    disabled = member(world.households["tudi"], "张小明")  # 残疾 一级 视力残疾
    chronic = member(world.households["tudi"], "张三")  # 长期慢性病
    before = AuditEvent.objects.count()

    details = person_reveal_health(actor=approver, person_id=disabled.pk, reason="核对残疾补贴")
    other = person_reveal_health(actor=approver, person_id=chronic.pk, reason="核对大病救助")

    assert details == HealthDetails(
        health="40",
        health_label="残疾",
        disability_grade="1",
        disability_grade_label="一级",
        disability_category="1",
        disability_category_label="视力残疾",
    )
    assert details.summary == "残疾（一级，视力残疾）"
    assert (other.health, other.health_label, other.disability_grade_label) == (
        "20",
        "长期慢性病",
        "",
    )
    assert other.summary == "长期慢性病"
    assert AuditEvent.objects.count() == before + 2
    fields = ["health", "disability_grade", "disability_category"]
    assert _reveals() == [
        (
            "county_huayuan",
            str(disabled.pk),
            {"field": "health", "reason": "核对残疾补贴", "fields": fields},
        ),
        (
            "county_huayuan",
            str(chronic.pk),
            {"field": "health", "reason": "核对大病救助", "fields": fields},
        ),
    ]
    event = AuditEvent.objects.filter(action="data.reveal").latest("pk")
    assert (event.object_type, event.result) == ("person", AuditResult.SUCCESS)
    assert "残疾" not in str(event.changes)
    assert "长期慢性病" not in str(event.changes)


def test_reveal_health_needs_a_reason_and_records_nothing_without_one(world: World) -> None:
    approver = world.viewers["county_huayuan"]
    head = member(world.households["tudi"], "张三")
    before = AuditEvent.objects.count()

    with pytest.raises(RegistryError) as refused:
        person_reveal_health(actor=approver, person_id=head.pk, reason="   ")

    assert (refused.value.code, refused.value.message, refused.value.field) == (
        "reason",
        "查看明文必须填写理由",
        "reason",
    )
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    "viewer", ["cadre_tudi", "township_longtan", "inspector_luxi", "officer_xiangxi", "root"]
)
def test_reveal_health_without_the_capability_is_refused_and_audited(
    world: World, viewer: str
) -> None:
    head = member(world.households["tudi"], "张三")
    before = AuditEvent.objects.count()

    with pytest.raises(RegistryError) as refused:
        person_reveal_health(actor=world.viewers[viewer], person_id=head.pk, reason="查看")

    assert (refused.value.code, refused.value.message) == (
        "forbidden",
        "当前账号无权查看健康状况明文",
    )
    assert _reveals() == []
    assert AuditEvent.objects.count() == before + 1
    denied = AuditEvent.objects.latest("pk")
    assert (denied.action, denied.changes) == (
        "authz.denied",
        {"attempted": "person_reveal_health", "reason": "capability"},
    )


def test_reveal_health_outside_the_scope_is_refused_like_a_missing_person(world: World) -> None:
    seed_health(world)
    approver = world.viewers["county_huayuan"]  # 花垣县: 泸溪县 is outside
    foreign = member(world.households["luxi"], "向小北")
    before = AuditEvent.objects.count()

    with pytest.raises(RegistryError) as outside:
        person_reveal_health(actor=approver, person_id=foreign.pk, reason="查看")
    with pytest.raises(RegistryError) as missing:
        person_reveal_health(actor=approver, person_id=999_999, reason="查看")

    assert (
        (outside.value.code, outside.value.message)
        == (
            missing.value.code,
            missing.value.message,
        )
        == ("not_found", "未找到该人员")
    )
    assert _reveals() == []
    assert AuditEvent.objects.count() == before + 1  # authz.denied for the foreign person only
    denied = AuditEvent.objects.latest("pk")
    assert (denied.action, denied.object_id, denied.changes["reason"]) == (
        "authz.denied",
        str(foreign.pk),
        "out_of_scope",
    )
