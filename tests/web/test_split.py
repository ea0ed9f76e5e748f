"""分户 through the pages (views/split.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from fangpin.core.models import AuditEvent, User
from fangpin.registry import services
from fangpin.registry.models import Household, MembershipEvent, Person
from tests.registry.conftest import DOUWANG, TUDI, World, member
from tests.web.conftest import client_for

STALE = "该记录已被他人修改，请刷新后重试"


def _roster(household: Household) -> str:
    active = Person.objects.filter(household=household, status="active").order_by("pk")
    return ",".join(f"{p.pk}.{p.version}" for p in active)


def _split_data(household: Household, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": household.version,
        "roster": _roster(household),
        "members": [],
        "new_head": "",
        "source_new_head": "",
        "village": household.village_id,
        "event_date": "2024-06-01",
    }
    data.update(overrides)
    return data


def _people(household: Household) -> list[tuple[str, str, str]]:
    return sorted(
        Person.objects.filter(household=household).values_list("name", "relation", "status")
    )


def test_the_split_form_lists_the_active_members(family: Household, cadre_client: Client) -> None:
    response = cadre_client.get(f"/households/{family.public_id}/split/")

    assert response.status_code == 200
    body = response.content.decode()
    for person in Person.objects.filter(household=family):
        assert f'name="members" value="{person.pk}"' in body
        assert f'name="relation_{person.pk}"' in body
    assert f'<option value="{TUDI}" selected>土地村</option>' in body
    assert DOUWANG not in body  # the cadre's scope is 土地村 only
    assert "no-store" in response["Cache-Control"]


def test_a_split_in_the_same_village(family: Household, cadre_client: Client) -> None:
    spouse, son = member(family, "李梅"), member(family, "张小明")
    response = cadre_client.post(
        f"/households/{family.public_id}/split/save/",
        _split_data(
            family,
            members=[spouse.pk, son.pk],
            new_head=spouse.pk,
            **{f"relation_{son.pk}": "20"},
        ),
    )

    assert response.status_code == 302
    new = Household.objects.get(household_number="4331241022010002")
    assert response["Location"] == f"/households/{new.public_id}/"
    assert (new.village_id, new.household_type, new.natural_village, new.address) == (
        TUDI,
        "1",
        "上寨",
        "龙潭镇土地村上寨12号",
    )
    assert _people(new) == [("张小明", "20", "active"), ("李梅", "01", "active")]
    assert _people(family) == [("张三", "01", "active")]
    events = MembershipEvent.objects.filter(household=family, event_type="split")
    assert sorted((e.person.name, e.relation_before, e.related_household_id) for e in events) == [
        ("张小明", "20", new.pk),
        ("李梅", "10", new.pk),
    ]
    audit = AuditEvent.objects.get(action="household.split")
    assert audit.object_id == str(family.pk)
    assert audit.changes == {"member_count": [3, 1], "new_household": [None, new.household_number]}
    moves = AuditEvent.objects.filter(action="person.split").order_by("object_id")
    assert sorted(a.changes["relation"] for a in moves) == [["10", "01"], ["20", "20"]]
    body = cadre_client.get(response["Location"]).content.decode()
    assert f"已从{family.household_number}分出新户4331241022010002" in body


def test_the_head_leaves_for_another_village_with_a_successor(
    family: Household, county_client: Client
) -> None:
    head, spouse, son = member(family, "张三"), member(family, "李梅"), member(family, "张小明")
    response = county_client.post(
        f"/households/{family.public_id}/split/save/",
        _split_data(
            family,
            members=[head.pk, spouse.pk],
            new_head=head.pk,
            source_new_head=son.pk,
            village=DOUWANG,
            **{f"relation_{spouse.pk}": "10"},
        ),
    )

    assert response.status_code == 302
    new = Household.objects.get(household_number="4331241022020001")
    assert (new.village_id, new.natural_village, new.address) == (DOUWANG, "", "")
    assert _people(new) == [("张三", "01", "active"), ("李梅", "10", "active")]
    assert _people(family) == [("张小明", "01", "active")]
    assert AuditEvent.objects.filter(action="household.change_head").count() == 1


@pytest.mark.parametrize(
    ("case", "field", "message"),
    [
        ("no_relation", "members", "请填写张小明与新户户主的关系"),
        ("everyone", "members", "原户必须至少保留一名在册成员"),
        ("no_successor", "source_new_head", "原户主分出后，必须指定原户的新户主"),
        ("nobody", "members", "分户成员不能为空或重复"),
    ],
)
def test_a_refused_split_shows_the_message_on_its_field_and_changes_nothing(
    family: Household,
    cadre_client: Client,
    counts: Any,
    case: str,
    field: str,
    message: str,
) -> None:
    head, spouse, son = member(family, "张三"), member(family, "李梅"), member(family, "张小明")
    data = {
        "no_relation": {"members": [spouse.pk, son.pk], "new_head": spouse.pk},
        "everyone": {
            "members": [head.pk, spouse.pk, son.pk],
            "new_head": head.pk,
            f"relation_{spouse.pk}": "10",
            f"relation_{son.pk}": "20",
        },
        "no_successor": {
            "members": [head.pk, spouse.pk],
            "new_head": head.pk,
            f"relation_{spouse.pk}": "10",
        },
        "nobody": {"members": [], "new_head": spouse.pk},
    }[case]
    before = counts()
    response = cadre_client.post(
        f"/households/{family.public_id}/split/save/", _split_data(family, **data)
    )

    assert response.status_code == 400
    body = response.content.decode()
    if field == "members":
        check = '<span class="field-check" id="check-members" aria-live="polite">'
    else:
        check = f'<span class="field-check" id="check-{field}" aria-live="polite">'
    assert f'{check}<span class="field-error" role="alert">{message}</span>' in body
    assert counts() == before
    assert _people(family) == [
        ("张三", "01", "active"),
        ("张小明", "20", "active"),
        ("李梅", "10", "active"),
    ]


def test_a_village_outside_the_scope_cannot_be_chosen(
    family: Household, cadre_client: Client, counts: Any
) -> None:
    spouse = member(family, "李梅")
    before = counts()
    response = cadre_client.post(
        f"/households/{family.public_id}/split/save/",
        _split_data(family, members=[spouse.pk], new_head=spouse.pk, village=DOUWANG),
    )

    assert response.status_code == 400
    check = '<span class="field-check" id="check-village" aria-live="polite">'
    error = f"选择一个有效的选项。 {DOUWANG} 不在可用的选项中。"
    assert f'{check}<span class="field-error" role="alert">{error}' in response.content.decode()
    assert counts() == before


def test_a_split_after_a_membership_change_is_409_and_changes_nothing(
    family: Household, cadre_client: Client, counts: Any
) -> None:
    spouse, son = member(family, "李梅"), member(family, "张小明")
    drawn = _split_data(
        family, members=[spouse.pk, son.pk], new_head=spouse.pk, **{f"relation_{son.pk}": "20"}
    )
    # Meanwhile someone records the son's move (the form still lists him).
    services.person_move_out(
        actor="system:test", person_id=son.pk, event_type="move_out", event_date=date(2024, 5, 1)
    )
    before = counts()
    response = cadre_client.post(f"/households/{family.public_id}/split/save/", drawn)

    assert response.status_code == 409
    body = response.content.decode()
    assert STALE in body
    assert f'href="/households/{family.public_id}/split/">重新载入</a>' in body
    assert counts() == before
    assert _people(family) == [
        ("张三", "01", "active"),
        ("张小明", "20", "moved_out"),
        ("李梅", "10", "active"),
    ]


def test_a_stale_household_version_is_409(
    family: Household, cadre_client: Client, counts: Any
) -> None:
    spouse = member(family, "李梅")
    before = counts()
    response = cadre_client.post(
        f"/households/{family.public_id}/split/save/",
        _split_data(family, members=[spouse.pk], new_head=spouse.pk, version=family.version + 1),
    )

    assert response.status_code == 409
    assert STALE in response.content.decode()
    assert counts() == before


def test_a_split_outside_the_scope_is_404_like_missing(
    family: Household, douwang_cadre: User, counts: Any
) -> None:
    spouse = member(family, "李梅")
    client = client_for(douwang_cadre)
    before = counts()
    data = _split_data(family, members=[spouse.pk], new_head=spouse.pk)

    outside = client.post(f"/households/{family.public_id}/split/save/", data)
    missing = client.post("/households/999999/split/save/", data)

    assert outside.status_code == missing.status_code == 404
    assert outside.content == missing.content
    assert client.get(f"/households/{family.public_id}/split/").status_code == 404
    # Nothing changed but the two refusals, audited (scenario 1: fangpin/web/denials.py).
    assert counts() == {**before, "audit": before["audit"] + 2}
    denied = AuditEvent.objects.filter(action="authz.denied", object_id=str(family.public_id))
    assert denied.count() == 2


@pytest.mark.parametrize("viewer", ["inspector_luxi", "officer_xiangxi", "auditor"])
def test_read_only_roles_cannot_split(world: World, counts: Any, viewer: str) -> None:
    household = world.households["luxi"]
    spouse = member(household, "田英")
    client = client_for(world.viewers[viewer])
    before = counts()

    assert client.get(f"/households/{household.public_id}/split/").status_code == 403
    response = client.post(
        f"/households/{household.public_id}/split/save/",
        _split_data(household, members=[spouse.pk], new_head=spouse.pk),
    )

    assert response.status_code == 403
    assert counts() == before


def test_the_split_write_refuses_get(family: Household, cadre_client: Client) -> None:
    assert cadre_client.get(f"/households/{family.public_id}/split/save/").status_code == 405
    assert cadre_client.post(f"/households/{family.public_id}/split/", {}).status_code == 405
