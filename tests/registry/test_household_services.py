"""household_create, household_update, household_cancel, household_change_head, household_split."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from fangpin.core.models import AuditEvent, Region
from fangpin.registry import services
from fangpin.registry.errors import RegistryError, StaleVersionError
from fangpin.registry.models import (
    Household,
    HouseholdStatusChange,
    MembershipEvent,
    Person,
)
from fangpin.registry.services import _common
from tests.registry.conftest import (
    DOUWANG,
    REGISTERED_ON,
    TUDI,
    PersonFactory,
    member,
    plain_id,
    plain_phone,
)

Counts = Callable[[], dict[str, int]]


def _refused(counts: Counts, service: Callable[..., object], **kwargs: Any) -> RegistryError:
    """Call ``service``, expect a RegistryError, and check that no row changed."""
    before = counts()
    with pytest.raises(RegistryError) as info:
        service(**kwargs)
    assert counts() == before
    return info.value


def _create(actor: Any, head: Any, members: Any = (), **kwargs: Any) -> Household:
    fields: dict[str, Any] = {
        "actor": actor,
        "village_code": TUDI,
        "household_type": "2",
        "head": head,
        "members": members,
        "registered_on": REGISTERED_ON,
    }
    fields.update(kwargs)
    return services.household_create(**fields)


# --- creation ---------------------------------------------------------------------------------


def test_create_writes_household_members_events_status_and_audit(
    family: Household, actor: Any
) -> None:
    household = Household.objects.get(pk=family.pk)
    assert household.household_number == "4331241022010001"
    assert household.village_id == TUDI
    assert (household.household_type, household.status, household.version) == ("1", "active", 1)
    assert (household.natural_village, plain_phone(household)) == ("上寨", "13812345678")

    people = list(Person.objects.filter(household=household).order_by("relation"))
    assert [(p.name, p.relation, p.sex, p.status) for p in people] == [
        ("张三", "01", "1", "active"),
        ("李梅", "10", "2", "active"),
        ("张小明", "20", "1", "active"),
    ]
    assert [p.birth_date for p in people] == [date(1980, 5, 1), date(1982, 8, 9), date(2010, 9, 1)]

    events = list(MembershipEvent.objects.filter(household=household).order_by("id"))
    assert [(e.person.name, e.event_type, e.event_date, e.relation_after) for e in events] == [
        ("张三", "register", REGISTERED_ON, "01"),
        ("李梅", "register", REGISTERED_ON, "10"),
        ("张小明", "register", REGISTERED_ON, "20"),
    ]
    assert all(e.actor == actor for e in events)
    status = HouseholdStatusChange.objects.get(household=household)
    assert (status.from_status, status.to_status, status.reason, status.effective_date) == (
        "",
        "active",
        "新建户",
        REGISTERED_ON,
    )

    audits = list(AuditEvent.objects.order_by("id"))
    assert [(a.action, a.object_type) for a in audits] == [
        ("household.create", "household"),
        ("person.register", "person"),
        ("person.register", "person"),
        ("person.register", "person"),
    ]
    assert audits[0].actor == actor
    assert audits[0].changes["phone"] == [None, "138****5678"]
    assert audits[0].changes["household_number"] == [None, "4331241022010001"]
    head = people[0]
    assert audits[1].object_id == str(head.pk)
    assert audits[1].changes["id_number"] == [
        None,
        f"{plain_id(head)[:6]}********{plain_id(head)[-4:]}",
    ]
    assert audits[1].changes["birth_date"] == [None, "1980-05-01"]
    dumped = json.dumps([a.changes for a in audits], ensure_ascii=False)
    for person in people:
        assert plain_id(person) not in dumped
    assert "13812345678" not in dumped


def test_household_numbers_follow_the_village_sequence(
    family: Household, actor: Any, person_input: PersonFactory
) -> None:
    second = _create(actor, person_input(name="王五"))
    other_village = _create(actor, person_input(name="赵六"), village_code=DOUWANG)
    given = _create(actor, person_input(name="钱七"), household_number="HN-0042")
    assert second.household_number == "4331241022010002"
    assert other_village.household_number == "4331241022020001"
    assert given.household_number == "HN-0042"


def test_create_accepts_a_relocated_household(
    village: Region, actor: Any, person_input: PersonFactory
) -> None:
    household = _create(
        actor, person_input(), is_relocated=True, relocation_mode="1", relocation_site="幸福小区"
    )
    assert (household.is_relocated, household.relocation_mode, household.relocation_site) == (
        True,
        "1",
        "幸福小区",
    )


# --- creation refused (one test per error code; nothing changes) -----------------------------


def test_refuses_unknown_village(
    village: Region, actor: Any, person_input: PersonFactory, counts: Counts
) -> None:
    error = _refused(counts, _create, actor=actor, head=person_input(), village_code="433124102299")
    assert (error.code, error.message) == ("village", "行政区划代码“433124102299”不存在")


def test_refuses_a_township_as_village(
    village: Region, actor: Any, person_input: PersonFactory, counts: Counts
) -> None:
    error = _refused(counts, _create, actor=actor, head=person_input(), village_code="433124102000")
    assert (error.code, error.message) == ("village", "“433124102000 龙潭镇”不是村级区划")


def test_refuses_an_abolished_village(
    village: Region, actor: Any, person_input: PersonFactory, counts: Counts
) -> None:
    Region.objects.filter(code=DOUWANG).update(valid_to=date(2023, 12, 31))
    error = _refused(counts, _create, actor=actor, head=person_input(), village_code=DOUWANG)
    assert (error.code, error.message) == ("village", "“433124102202 豆旺村”已撤销，不能登记新户")


def test_refuses_a_household_number_in_use(
    family: Household, actor: Any, person_input: PersonFactory, counts: Counts
) -> None:
    error = _refused(
        counts,
        _create,
        actor=actor,
        head=person_input(name="王五"),
        household_number="4331241022010001",
    )
    assert (error.code, error.field) == ("household_number_in_use", "household_number")


def test_refuses_a_malformed_household_number(
    village: Region, actor: Any, person_input: PersonFactory, counts: Counts
) -> None:
    error = _refused(counts, _create, actor=actor, head=person_input(), household_number="43 31")
    assert error.code == "household_number"


def test_refuses_a_head_whose_relation_is_not_head(
    village: Region, actor: Any, person_input: PersonFactory, counts: Counts
) -> None:
    error = _refused(counts, _create, actor=actor, head=person_input(relation="10"))
    assert (error.code, error.message) == ("head_relation", "户主的与户主关系必须为“01 户主”")


def test_refuses_a_second_head_among_members(
    village: Region, actor: Any, person_input: PersonFactory, counts: Counts
) -> None:
    error = _refused(
        counts,
        _create,
        actor=actor,
        head=person_input(),
        members=[person_input(name="李梅", relation="01", female=True)],
    )
    assert error.code == "second_head"


def test_refuses_an_id_number_in_use_by_a_registered_person(
    family: Household, actor: Any, person_input: PersonFactory, counts: Counts
) -> None:
    taken = plain_id(member(family, "李梅"))
    head = person_input(name="王五")
    error = _refused(
        counts,
        _create,
        actor=actor,
        head=head,
        members=[replace(person_input(relation="10", female=True), id_number=taken)],
    )
    assert error.code == "id_in_use"
    assert error.message == (
        f"证件号码{taken[:6]}********{taken[-4:]}已被在册人员李梅（户编号4331241022010001）使用"
    )


def test_refuses_the_same_person_twice_in_one_request(
    village: Region, actor: Any, person_input: PersonFactory, counts: Counts
) -> None:
    head = person_input()
    twin = replace(head, name="张三丰", relation="70")
    error = _refused(counts, _create, actor=actor, head=head, members=[twin])
    assert (error.code, error.message) == (
        "id_duplicate_in_request",
        "张三丰的证件号码与本次登记的另一名成员重复",
    )


def test_an_id_card_and_a_disability_card_of_one_person_collide(
    family: Household, actor: Any, person_input: PersonFactory, counts: Counts
) -> None:
    head_number = plain_id(member(family, "张三"))
    card = replace(
        person_input(name="王五"),
        id_type="2",
        id_number=head_number + "43",
        health="40",
        disability_grade="3",
        disability_category="4",
    )
    error = _refused(counts, _create, actor=actor, head=card)
    assert error.code == "id_in_use"


def test_refuses_a_registration_date_in_the_future(
    village: Region, actor: Any, person_input: PersonFactory, counts: Counts
) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    error = _refused(counts, _create, actor=actor, head=person_input(), registered_on=tomorrow)
    assert error.code == "registered_on"


def test_refuses_a_member_born_after_registration(
    village: Region, actor: Any, person_input: PersonFactory, counts: Counts
) -> None:
    baby = person_input(name="张小宝", relation="20", birth_date=date(2024, 5, 1))
    error = _refused(counts, _create, actor=actor, head=person_input(), members=[baby])
    assert (error.code, error.message) == ("event_date", "张小宝出生于2024-05-01，晚于登记日期")


def test_refuses_invalid_person_input_without_writing(
    village: Region, actor: Any, person_input: PersonFactory, counts: Counts
) -> None:
    error = _refused(
        counts,
        _create,
        actor=actor,
        head=person_input(),
        members=[person_input(name="李梅", relation="10", female=True, ethnicity="77")],
    )
    assert (error.code, error.message) == ("code_value", "民族代码“77”不在码表中")


def test_refuses_an_unknown_household_type(
    village: Region, actor: Any, person_input: PersonFactory, counts: Counts
) -> None:
    error = _refused(counts, _create, actor=actor, head=person_input(), household_type="9")
    assert (error.code, error.message) == ("code_value", "户类型代码“9”不在码表中")


def test_refuses_inconsistent_relocation(
    village: Region, actor: Any, person_input: PersonFactory, counts: Counts
) -> None:
    error = _refused(counts, _create, actor=actor, head=person_input(), is_relocated=True)
    assert error.code == "relocation"


def test_refuses_a_bad_household_phone(
    village: Region, actor: Any, person_input: PersonFactory, counts: Counts
) -> None:
    error = _refused(counts, _create, actor=actor, head=person_input(), phone="8521234")
    assert (error.code, error.field) == ("phone", "phone")


# --- update and optimistic concurrency --------------------------------------------------------


def test_update_changes_fields_bumps_version_and_audits_masked(
    family: Household, actor: Any
) -> None:
    updated = services.household_update(
        actor=actor,
        household_id=family.pk,
        expected_version=1,
        changes={"phone": "13987654321", "address": "龙潭镇土地村下寨3号"},
    )
    assert (plain_phone(updated), updated.address, updated.version) == (
        "13987654321",
        "龙潭镇土地村下寨3号",
        2,
    )
    audit = AuditEvent.objects.get(action="household.update")
    assert audit.changes == {
        "phone": ["138****5678", "139****4321"],
        "address": ["龙潭镇土地村上寨12号", "龙潭镇土地村下寨3号"],
    }


def test_update_without_a_change_writes_nothing(
    family: Household, actor: Any, counts: Counts
) -> None:
    before = counts()
    result = services.household_update(
        actor=actor, household_id=family.pk, expected_version=1, changes={"phone": "13812345678"}
    )
    assert result.version == 1
    assert counts() == before


def test_update_refuses_a_stale_version(family: Household, actor: Any, counts: Counts) -> None:
    services.household_update(
        actor=actor, household_id=family.pk, expected_version=1, changes={"address": "甲"}
    )
    before = counts()
    with pytest.raises(StaleVersionError) as info:
        services.household_update(
            actor=actor, household_id=family.pk, expected_version=1, changes={"address": "乙"}
        )
    assert (info.value.code, info.value.message) == ("stale", "该记录已被他人修改，请刷新后重试")
    assert counts() == before
    household = Household.objects.get(pk=family.pk)
    assert (household.address, household.version) == ("甲", 2)


def test_conditional_update_refuses_a_writer_who_lost_the_race(
    family: Household, actor: Any, counts: Counts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both writers read version 1; the second passes the early check (simulated by disabling
    it) but the UPDATE … WHERE version = 1 matches no row, so it cannot win."""
    services.household_update(
        actor=actor, household_id=family.pk, expected_version=1, changes={"address": "甲"}
    )
    monkeypatch.setattr(_common, "check_version", lambda current, expected: None)
    before = counts()
    with pytest.raises(StaleVersionError):
        services.household_update(
            actor=actor, household_id=family.pk, expected_version=1, changes={"address": "乙"}
        )
    assert counts() == before
    assert Household.objects.get(pk=family.pk).address == "甲"


def test_update_refuses_fields_that_are_not_editable(
    family: Household, actor: Any, counts: Counts
) -> None:
    error = _refused(
        counts,
        services.household_update,
        actor=actor,
        household_id=family.pk,
        expected_version=1,
        changes={"status": "cancelled"},
    )
    assert (error.code, error.field) == ("field_not_editable", "status")
    assert Household.objects.get(pk=family.pk).status == "active"


def test_update_validates_the_merged_relocation_fields(
    family: Household, actor: Any, counts: Counts
) -> None:
    error = _refused(
        counts,
        services.household_update,
        actor=actor,
        household_id=family.pk,
        expected_version=1,
        changes={"is_relocated": True},
    )
    assert error.code == "relocation"


def test_update_refuses_an_unknown_household(village: Region, actor: Any, counts: Counts) -> None:
    error = _refused(
        counts,
        services.household_update,
        actor=actor,
        household_id=999_999,
        expected_version=1,
        changes={},
    )
    assert (error.code, error.message) == ("not_found", "未找到该农户")


# --- cancel -----------------------------------------------------------------------------------


def test_cancel_refuses_while_members_remain(family: Household, actor: Any, counts: Counts) -> None:
    error = _refused(
        counts,
        services.household_cancel,
        actor=actor,
        household_id=family.pk,
        reason="整户迁出",
        effective_date=date(2024, 6, 1),
    )
    assert (error.code, error.message) == (
        "has_members",
        "农户4331241022010001还有3名在册成员，不能注销",
    )


def test_cancel_an_empty_household(family: Household, actor: Any) -> None:
    # Members left through a path that bypasses the services (e.g. a bulk correction).
    Person.objects.filter(household=family).update(status="moved_out")
    household = services.household_cancel(
        actor=actor, household_id=family.pk, reason="整户迁出", effective_date=date(2024, 6, 1)
    )
    assert (household.status, household.version) == ("cancelled", 2)
    change = HouseholdStatusChange.objects.filter(household=family).latest("id")
    assert (change.from_status, change.to_status, change.reason) == (
        "active",
        "cancelled",
        "整户迁出",
    )
    audit = AuditEvent.objects.get(action="household.cancel")
    assert audit.changes == {
        "status": ["active", "cancelled"],
        "reason": "整户迁出",
        "effective_date": "2024-06-01",
    }


def test_cancel_needs_a_reason(family: Household, actor: Any, counts: Counts) -> None:
    Person.objects.filter(household=family).update(status="moved_out")
    error = _refused(
        counts,
        services.household_cancel,
        actor=actor,
        household_id=family.pk,
        reason="  ",
        effective_date=date(2024, 6, 1),
    )
    assert error.code == "reason"


def test_writes_to_a_cancelled_household_are_refused(
    family: Household, actor: Any, counts: Counts
) -> None:
    Person.objects.filter(household=family).update(status="moved_out")
    services.household_cancel(
        actor=actor, household_id=family.pk, reason="整户迁出", effective_date=date(2024, 6, 1)
    )
    error = _refused(
        counts,
        services.household_update,
        actor=actor,
        household_id=family.pk,
        expected_version=2,
        changes={"address": "甲"},
    )
    assert (error.code, error.message) == ("household_inactive", "农户4331241022010001已注销")


# --- change of head ---------------------------------------------------------------------------


def _heads(household: Household) -> list[str]:
    return list(
        Person.objects.filter(household=household, status="active", relation="01").values_list(
            "name", flat=True
        )
    )


def test_change_head_swaps_in_one_transaction(family: Household, actor: Any) -> None:
    son = member(family, "张小明")
    audits_before = AuditEvent.objects.count()
    services.household_change_head(
        actor=actor,
        household_id=family.pk,
        new_head_id=member(family, "李梅").pk,
        old_head_relation="10",
        relations={son.pk: "20"},
        event_date=date(2024, 6, 1),
    )
    assert _heads(family) == ["李梅"]
    assert member(family, "张三").relation == "10"
    assert member(family, "张小明").relation == "20"
    events = MembershipEvent.objects.filter(household=family, event_type="head_change").order_by(
        "id"
    )
    assert [(e.person.name, e.relation_before, e.relation_after) for e in events] == [
        ("张三", "01", "10"),
        ("李梅", "10", "01"),
    ]
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))[
        audits_before:
    ]
    assert actions == ["person.relation_change", "person.relation_change", "household.change_head"]


def test_change_head_re_expresses_other_relations(family: Household, actor: Any) -> None:
    son = member(family, "张小明")
    services.household_change_head(
        actor=actor,
        household_id=family.pk,
        new_head_id=son.pk,
        old_head_relation="50",
        relations={member(family, "李梅").pk: "50"},
        event_date=date(2024, 6, 1),
    )
    assert _heads(family) == ["张小明"]
    assert sorted(
        Person.objects.filter(household=family).values_list("name", "relation")
    ) == sorted([("张三", "50"), ("李梅", "50"), ("张小明", "01")])


@pytest.mark.parametrize(
    ("who", "old_relation", "relations", "code"),
    [
        ("张三", "10", {}, "new_head"),  # already the head
        ("李梅", "01", {}, "second_head"),  # the old head cannot stay head
        ("李梅", "10", {"李梅": "10"}, "relations"),  # the new head's relation is not re-expressed
        ("李梅", "10", {"张小明": "01"}, "second_head"),
        ("李梅", "10", {"张小明": "88"}, "code_value"),
    ],
)
def test_change_head_refusals_leave_one_head(
    family: Household,
    actor: Any,
    counts: Counts,
    who: str,
    old_relation: str,
    relations: dict[str, str],
    code: str,
) -> None:
    error = _refused(
        counts,
        services.household_change_head,
        actor=actor,
        household_id=family.pk,
        new_head_id=member(family, who).pk,
        old_head_relation=old_relation,
        relations={member(family, name).pk: rel for name, rel in relations.items()},
        event_date=date(2024, 6, 1),
    )
    assert error.code == code
    assert _heads(family) == ["张三"]


def test_change_head_refuses_a_non_member(
    family: Household, actor: Any, person_input: PersonFactory, counts: Counts
) -> None:
    other = _create(actor, person_input(name="王五"))
    error = _refused(
        counts,
        services.household_change_head,
        actor=actor,
        household_id=family.pk,
        new_head_id=member(other, "王五").pk,
        old_head_relation="10",
        event_date=date(2024, 6, 1),
    )
    assert (error.code, error.message) == ("new_head", "新户主必须是本户在册成员")


# --- split ------------------------------------------------------------------------------------


@pytest.fixture
def clan(village: Region, actor: Any, person_input: PersonFactory) -> Household:
    """Three generations: 王老汉 (head), 刘氏 (wife), 王建 (son), 陈红 (son's wife), 王小宝."""
    return _create(
        actor,
        person_input(name="王老汉", birth_date=date(1950, 1, 2), has_resident_medical=True),
        members=[
            person_input(name="刘氏", relation="10", birth_date=date(1952, 3, 4), female=True),
            person_input(name="王建", relation="20", birth_date=date(1978, 5, 6)),
            person_input(name="陈红", relation="30", birth_date=date(1980, 7, 8), female=True),
            person_input(name="王小宝", relation="40", birth_date=date(2008, 9, 10)),
        ],
        household_type="1",
        natural_village="下寨",
        address="土地村下寨8号",
    )


def test_split_keeping_the_source_head(clan: Household, actor: Any) -> None:
    son, wife, grandson = (member(clan, n) for n in ("王建", "陈红", "王小宝"))
    audits_before = AuditEvent.objects.count()
    new = services.household_split(
        actor=actor,
        household_id=clan.pk,
        member_ids=[son.pk, wife.pk, grandson.pk],
        new_head_id=son.pk,
        relations={wife.pk: "10", grandson.pk: "20"},
        event_date=date(2024, 6, 1),
    )
    assert new.household_number == "4331241022010002"
    assert (new.village_id, new.household_type, new.natural_village, new.address) == (
        TUDI,
        "1",
        "下寨",
        "土地村下寨8号",
    )
    assert sorted(Person.objects.filter(household=new).values_list("name", "relation")) == sorted(
        [("王建", "01"), ("陈红", "10"), ("王小宝", "20")]
    )
    assert sorted(Person.objects.filter(household=clan).values_list("name", "relation")) == sorted(
        [("王老汉", "01"), ("刘氏", "10")]
    )
    source_events = MembershipEvent.objects.filter(household=clan, event_type="split")
    assert sorted(
        (e.person.name, e.relation_before, e.relation_after, e.related_household_id)
        for e in source_events
    ) == sorted(
        [("王建", "20", "", new.pk), ("陈红", "30", "", new.pk), ("王小宝", "40", "", new.pk)]
    )
    target_events = MembershipEvent.objects.filter(household=new, event_type="split")
    assert sorted(
        (e.person.name, e.relation_before, e.relation_after, e.related_household_id)
        for e in target_events
    ) == sorted(
        [("王建", "", "01", clan.pk), ("陈红", "", "10", clan.pk), ("王小宝", "", "20", clan.pk)]
    )
    status = HouseholdStatusChange.objects.get(household=new)
    assert (status.to_status, status.reason) == ("active", "由4331241022010001分户")
    actions = sorted(
        AuditEvent.objects.order_by("id").values_list("action", flat=True)[audits_before:]
    )
    assert actions == sorted(
        ["household.create", "person.split", "person.split", "person.split", "household.split"]
    )


def test_split_with_the_source_head_leaving_needs_a_successor(
    clan: Household, actor: Any, counts: Counts
) -> None:
    head, wife, son = (member(clan, n) for n in ("王老汉", "刘氏", "王建"))
    error = _refused(
        counts,
        services.household_split,
        actor=actor,
        household_id=clan.pk,
        member_ids=[head.pk, wife.pk],
        new_head_id=head.pk,
        relations={wife.pk: "10"},
        event_date=date(2024, 6, 1),
    )
    assert (error.code, error.field) == ("head_required", "source_new_head_id")

    new = services.household_split(
        actor=actor,
        household_id=clan.pk,
        member_ids=[head.pk, wife.pk],
        new_head_id=head.pk,
        relations={wife.pk: "10"},
        event_date=date(2024, 6, 1),
        village_code=DOUWANG,
        source_new_head_id=son.pk,
    )
    assert new.household_number == "4331241022020001"
    assert (new.natural_village, new.address) == ("", "")
    assert _heads(new) == ["王老汉"]
    assert _heads(clan) == ["王建"]
    change = MembershipEvent.objects.get(household=clan, event_type="head_change")
    assert (change.person_id, change.relation_before, change.relation_after) == (son.pk, "20", "01")


@pytest.mark.parametrize(
    ("moving", "new_head", "relations", "code"),
    [
        ([], "王建", {}, "split_members"),
        (["王建", "王建"], "王建", {}, "split_members"),
        (["王建"], "陈红", {}, "new_head"),
        (["王建", "陈红"], "王建", {}, "relations"),
        (["王建", "陈红"], "王建", {"陈红": "01"}, "second_head"),
        (["王建"], "王建", {"王小宝": "20"}, "relations"),
        (["王老汉", "刘氏", "王建", "陈红", "王小宝"], "王建", {}, "source_empty"),
    ],
)
def test_split_refusals(
    clan: Household,
    actor: Any,
    counts: Counts,
    moving: list[str],
    new_head: str,
    relations: dict[str, str],
    code: str,
) -> None:
    ids = [member(clan, n).pk for n in moving]
    rels = {member(clan, n).pk: r for n, r in relations.items()}
    if code == "source_empty":
        rels = {pk: "10" for pk in ids if pk != member(clan, new_head).pk}
    error = _refused(
        counts,
        services.household_split,
        actor=actor,
        household_id=clan.pk,
        member_ids=ids,
        new_head_id=member(clan, new_head).pk,
        relations=rels,
        event_date=date(2024, 6, 1),
    )
    assert error.code == code


def test_split_refuses_a_non_member(
    clan: Household, family: Household, actor: Any, counts: Counts
) -> None:
    outsider = member(family, "李梅")
    error = _refused(
        counts,
        services.household_split,
        actor=actor,
        household_id=clan.pk,
        member_ids=[outsider.pk],
        new_head_id=outsider.pk,
        relations={},
        event_date=date(2024, 6, 1),
    )
    assert (error.code, error.message) == (
        "split_members",
        f"人员（ID {outsider.pk}）不是本户在册成员",
    )
