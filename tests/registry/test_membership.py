"""Births, moves, marriages, deaths, edits and ID corrections, with the head rule."""

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
    HealthCodes,
    Household,
    HouseholdStatusChange,
    MembershipEvent,
    Person,
    person_health,
)
from fangpin.registry.validation import PersonInput
from tests.registry.conftest import (
    REGISTERED_ON,
    TUDI,
    PersonFactory,
    id_filter,
    member,
    plain_id,
    plain_phone,
)

Counts = Callable[[], dict[str, int]]
DAY = date(2024, 6, 1)


def _refused(counts: Counts, service: Callable[..., object], **kwargs: Any) -> RegistryError:
    before = counts()
    with pytest.raises(RegistryError) as info:
        service(**kwargs)
    assert counts() == before
    return info.value


def _heads(household: Household) -> list[str]:
    return list(
        Person.objects.filter(household=household, status="active", relation="01").values_list(
            "name", flat=True
        )
    )


def _single(actor: Any, head: PersonInput, **kwargs: Any) -> Household:
    return services.household_create(
        actor=actor,
        village_code=TUDI,
        household_type="2",
        head=head,
        registered_on=REGISTERED_ON,
        **kwargs,
    )


# --- additions --------------------------------------------------------------------------------


def test_birth_adds_a_child_with_an_event_and_audit(
    family: Household, actor: Any, person_input: PersonFactory
) -> None:
    baby = person_input(name="张小红", relation="30", birth_date=date(2024, 5, 20), female=True)
    person = services.person_add(
        actor=actor,
        household_id=family.pk,
        person=baby,
        event_type="birth",
        event_date=date(2024, 5, 20),
    )
    assert (person.household_id, person.relation, person.sex, person.status) == (
        family.pk,
        "30",
        "2",
        "active",
    )
    event = MembershipEvent.objects.get(person=person)
    assert (event.event_type, event.event_date, event.relation_after, event.related_household) == (
        "birth",
        date(2024, 5, 20),
        "30",
        None,
    )
    audit = AuditEvent.objects.get(action="person.add")
    assert audit.object_id == str(person.pk)
    assert audit.changes["event_type"] == "birth"
    assert audit.changes["id_number"] == [
        None,
        f"{plain_id(person)[:6]}********{plain_id(person)[-4:]}",
    ]


def test_a_birth_may_be_registered_late_while_a_minor(
    family: Household, actor: Any, person_input: PersonFactory
) -> None:
    child = person_input(name="张小红", relation="30", birth_date=date(2015, 2, 3), female=True)
    person = services.person_add(
        actor=actor, household_id=family.pk, person=child, event_type="birth", event_date=DAY
    )
    assert person.birth_date == date(2015, 2, 3)


def test_an_adult_cannot_be_added_by_birth(
    family: Household, actor: Any, person_input: PersonFactory, counts: Counts
) -> None:
    adult = person_input(name="张大红", relation="30", birth_date=date(2006, 5, 31), female=True)
    error = _refused(
        counts,
        services.person_add,
        actor=actor,
        household_id=family.pk,
        person=adult,
        event_type="birth",
        event_date=DAY,
    )
    assert (error.code, error.field) == ("birth_event", "event_type")


def test_marriage_in_records_the_origin_household(
    family: Household, actor: Any, person_input: PersonFactory
) -> None:
    origin = _single(actor, person_input(name="王五"))
    services.person_move_out(
        actor=actor, person_id=member(origin, "王五").pk, event_type="move_out", event_date=DAY
    )
    bride = person_input(name="吴丽", relation="99", birth_date=date(2000, 1, 1), female=True)
    person = services.person_add(
        actor=actor,
        household_id=family.pk,
        person=bride,
        event_type="marriage_in",
        event_date=DAY,
        from_household_id=origin.pk,
    )
    event = MembershipEvent.objects.get(person=person)
    assert (event.event_type, event.related_household_id) == ("marriage_in", origin.pk)


@pytest.mark.parametrize(
    ("overrides", "event_type", "event_date", "code"),
    [
        ({"relation": "01"}, "birth", DAY, "second_head"),
        ({}, "death", DAY, "event_type"),
        ({}, "move_in", date(2009, 1, 1), "event_date"),  # before birth (2010)
        ({}, "move_in", None, "event_date"),  # tomorrow
    ],
)
def test_person_add_refusals(
    family: Household,
    actor: Any,
    person_input: PersonFactory,
    counts: Counts,
    overrides: dict[str, str],
    event_type: str,
    event_date: date | None,
    code: str,
) -> None:
    kid = person_input(
        **{"name": "张小红", "relation": "30", "birth_date": date(2010, 1, 1), **overrides}
    )
    error = _refused(
        counts,
        services.person_add,
        actor=actor,
        household_id=family.pk,
        person=kid,
        event_type=event_type,
        event_date=event_date or timezone.localdate() + timedelta(days=1),
    )
    assert error.code == code


def test_person_add_refuses_an_id_in_use(
    family: Household, actor: Any, person_input: PersonFactory, counts: Counts
) -> None:
    other = _single(actor, person_input(name="王五"))
    clash = replace(person_input(relation="20"), id_number=plain_id(member(other, "王五")))
    error = _refused(
        counts,
        services.person_add,
        actor=actor,
        household_id=family.pk,
        person=clash,
        event_type="move_in",
        event_date=DAY,
    )
    assert error.code == "id_in_use"


def test_person_add_refuses_its_own_household_as_origin(
    family: Household, actor: Any, person_input: PersonFactory, counts: Counts
) -> None:
    error = _refused(
        counts,
        services.person_add,
        actor=actor,
        household_id=family.pk,
        person=person_input(relation="70"),
        event_type="move_in",
        event_date=DAY,
        from_household_id=family.pk,
    )
    assert error.code == "related_household"


@pytest.mark.parametrize("leave", ["death", "move_out"])
def test_a_former_members_id_number_can_be_registered_again(
    family: Household, actor: Any, person_input: PersonFactory, leave: str
) -> None:
    """The unique constraint covers registered (active) people only, so a number held by
    someone deceased or moved out does not block a re-registration."""
    son = member(family, "张小明")
    if leave == "death":
        services.person_record_death(actor=actor, person_id=son.pk, death_date=DAY)
    else:
        services.person_move_out(
            actor=actor, person_id=son.pk, event_type="move_out", event_date=DAY
        )
    again = replace(person_input(name="张小明", relation="20"), id_number=plain_id(son))
    person = services.person_add(
        actor=actor, household_id=family.pk, person=again, event_type="move_in", event_date=DAY
    )
    assert Person.objects.filter(**id_filter("1", plain_id(son))).count() == 2
    assert person.status == "active"


# --- edits ------------------------------------------------------------------------------------


def test_person_update_changes_attributes_and_audits_masked(family: Household, actor: Any) -> None:
    wife = member(family, "李梅")
    updated = services.person_update(
        actor=actor,
        person_id=wife.pk,
        expected_version=1,
        changes={
            "phone": "13900001111",
            "migrant_work_months": 8,
            "migrant_employer": "广东东莞某电子厂",
            "labour_ability": "20",
        },
    )
    assert (
        plain_phone(updated),
        updated.migrant_work_months,
        updated.labour_ability,
        updated.version,
    ) == (
        "13900001111",
        8,
        "20",
        2,
    )
    audit = AuditEvent.objects.get(action="person.update")
    assert audit.changes == {
        "phone": ["", "139****1111"],
        "migrant_work_months": [0, 8],
        "migrant_employer": ["", "广东东莞某电子厂"],
        "labour_ability": ["10", "20"],
    }


def test_person_update_revalidates_across_fields(
    family: Household, actor: Any, counts: Counts
) -> None:
    error = _refused(
        counts,
        services.person_update,
        actor=actor,
        person_id=member(family, "李梅").pk,
        expected_version=1,
        changes={"health": "40"},
    )
    assert error.code == "disability_grade"
    updated = services.person_update(
        actor=actor,
        person_id=member(family, "李梅").pk,
        expected_version=1,
        changes={"health": "40", "disability_grade": "4", "disability_category": "2"},
    )
    assert person_health(updated) == HealthCodes("40", "4", "2")


@pytest.mark.parametrize(
    ("who", "changes", "code"),
    [
        ("李梅", {"id_number": "x"}, "field_not_editable"),
        ("李梅", {"household": 1}, "field_not_editable"),
        ("李梅", {"status": "deceased"}, "field_not_editable"),
        ("李梅", {"relation": "01"}, "second_head"),
        ("李梅", {"relation": " 01 "}, "second_head"),  # codes are stripped before the check
        ("张三", {"relation": "10"}, "head_relation"),
        ("李梅", {"sex": "1"}, "sex_mismatch"),
        ("李梅", {"birth_date": date(1982, 8, 10)}, "birth_date_mismatch"),
        ("李梅", {"name": ""}, "name"),
        ("李梅", {"student_status": "21", "out_of_school_reason": "11"}, "out_of_school_reason"),
    ],
)
def test_person_update_refusals(
    family: Household, actor: Any, counts: Counts, who: str, changes: dict[str, object], code: str
) -> None:
    person = member(family, who)
    error = _refused(
        counts,
        services.person_update,
        actor=actor,
        person_id=person.pk,
        expected_version=1,
        changes=changes,
    )
    assert error.code == code
    assert Person.objects.get(pk=person.pk).version == 1


def test_person_update_refuses_a_stale_version(
    family: Household, actor: Any, counts: Counts
) -> None:
    wife = member(family, "李梅")
    services.person_update(
        actor=actor, person_id=wife.pk, expected_version=1, changes={"education": "60"}
    )
    before = counts()
    with pytest.raises(StaleVersionError):
        services.person_update(
            actor=actor, person_id=wife.pk, expected_version=1, changes={"education": "50"}
        )
    assert counts() == before
    assert Person.objects.get(pk=wife.pk).education == "60"


def test_person_update_can_change_a_members_relation(family: Household, actor: Any) -> None:
    son = member(family, "张小明")
    updated = services.person_update(
        actor=actor, person_id=son.pk, expected_version=1, changes={"relation": "40"}
    )
    assert updated.relation == "40"


# --- ID corrections ---------------------------------------------------------------------------


def test_correct_id_rederives_sex_and_birth_date_and_audits_masked(
    family: Household, actor: Any, person_input: PersonFactory
) -> None:
    wife = member(family, "李梅")
    old_number = plain_id(wife)
    new_number = person_input(birth_date=date(1982, 8, 19), female=True).id_number
    corrected = services.person_correct_id(
        actor=actor,
        person_id=wife.pk,
        expected_version=1,
        new_id_number=new_number,
        reason="户籍信息核对，原录入出生日期有误",
    )
    assert (plain_id(corrected), corrected.birth_date, corrected.version) == (
        new_number,
        date(1982, 8, 19),
        2,
    )
    audit = AuditEvent.objects.get(action="person.correct_id")
    assert audit.changes == {
        "id_number": [
            f"{old_number[:6]}********{old_number[-4:]}",
            f"{new_number[:6]}********{new_number[-4:]}",
        ],
        "birth_date": ["1982-08-09", "1982-08-19"],
        "reason": "户籍信息核对，原录入出生日期有误",
    }
    dumped = json.dumps(audit.changes)
    assert old_number not in dumped
    assert new_number not in dumped


@pytest.mark.parametrize(
    ("number", "reason", "code"),
    [
        ("same", "更正", "id_unchanged"),
        ("head", "更正", "id_in_use"),
        ("433124198208090000", "更正", "id_number"),
        ("new", " ", "reason"),
    ],
)
def test_correct_id_refusals(
    family: Household,
    actor: Any,
    person_input: PersonFactory,
    counts: Counts,
    number: str,
    reason: str,
    code: str,
) -> None:
    wife = member(family, "李梅")
    value = {
        "same": plain_id(wife),
        "head": plain_id(member(family, "张三")),
        "new": person_input(female=True).id_number,
    }.get(number, number)
    error = _refused(
        counts,
        services.person_correct_id,
        actor=actor,
        person_id=wife.pk,
        expected_version=1,
        new_id_number=value,
        reason=reason,
    )
    assert error.code == code


# --- deaths -----------------------------------------------------------------------------------


def test_death_of_a_member(family: Household, actor: Any) -> None:
    son = member(family, "张小明")
    person = services.person_record_death(actor=actor, person_id=son.pk, death_date=DAY)
    assert (person.status, person.death_date, person.relation, person.version) == (
        "deceased",
        DAY,
        "20",
        2,
    )
    event = MembershipEvent.objects.get(person=son, event_type="death")
    assert (event.event_date, event.relation_before, event.relation_after) == (DAY, "20", "")
    audit = AuditEvent.objects.get(action="person.death")
    assert audit.changes == {"status": ["active", "deceased"], "death_date": [None, "2024-06-01"]}
    assert _heads(family) == ["张三"]


def test_death_of_the_head_requires_a_new_head(
    family: Household, actor: Any, counts: Counts
) -> None:
    error = _refused(
        counts,
        services.person_record_death,
        actor=actor,
        person_id=member(family, "张三").pk,
        death_date=DAY,
    )
    assert (error.code, error.message) == (
        "head_required",
        "张三是户主，户内还有其他在册成员，必须指定新户主",
    )
    assert _heads(family) == ["张三"]


def test_death_of_the_head_with_a_new_head(family: Household, actor: Any) -> None:
    head, wife = member(family, "张三"), member(family, "李梅")
    audits_before = AuditEvent.objects.count()
    services.person_record_death(
        actor=actor, person_id=head.pk, death_date=DAY, new_head_id=wife.pk
    )
    assert _heads(family) == ["李梅"]
    dead = Person.objects.get(pk=head.pk)
    assert (dead.status, dead.relation) == ("deceased", "01")
    events = MembershipEvent.objects.filter(household=family, event_date=DAY).order_by("id")
    assert [(e.person.name, e.event_type, e.relation_before, e.relation_after) for e in events] == [
        ("张三", "death", "01", ""),
        ("李梅", "head_change", "10", "01"),
    ]
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))[
        audits_before:
    ]
    assert actions == ["person.death", "person.relation_change", "household.change_head"]
    assert AuditEvent.objects.get(action="household.change_head").changes == {
        "head_person_id": [head.pk, wife.pk]
    }
    assert Household.objects.get(pk=family.pk).status == "active"


def test_new_head_must_be_another_active_member(
    family: Household, actor: Any, person_input: PersonFactory, counts: Counts
) -> None:
    other = _single(actor, person_input(name="王五"))
    head = member(family, "张三")
    for candidate in (head.pk, member(other, "王五").pk):
        error = _refused(
            counts,
            services.person_record_death,
            actor=actor,
            person_id=head.pk,
            death_date=DAY,
            new_head_id=candidate,
        )
        assert (error.code, error.field) == ("new_head", "new_head_id")


def test_a_new_head_cannot_be_named_when_a_member_dies(
    family: Household, actor: Any, counts: Counts
) -> None:
    error = _refused(
        counts,
        services.person_record_death,
        actor=actor,
        person_id=member(family, "张小明").pk,
        death_date=DAY,
        new_head_id=member(family, "李梅").pk,
    )
    assert error.code == "new_head"


def test_death_of_the_last_member_cancels_the_household(
    village: Region, actor: Any, person_input: PersonFactory
) -> None:
    household = _single(actor, person_input(name="孤老汉", birth_date=date(1940, 1, 1)))
    head = member(household, "孤老汉")
    services.person_record_death(actor=actor, person_id=head.pk, death_date=DAY)
    household.refresh_from_db()
    assert (household.status, household.version) == ("cancelled", 2)
    change = HouseholdStatusChange.objects.filter(household=household).latest("id")
    assert (change.from_status, change.to_status, change.reason, change.effective_date) == (
        "active",
        "cancelled",
        "全户成员死亡或迁出",
        DAY,
    )
    assert list(AuditEvent.objects.order_by("-id").values_list("action", flat=True)[:2]) == [
        "household.cancel",
        "person.death",
    ]


@pytest.mark.parametrize(
    ("death_date", "code"),
    [(date(2009, 12, 31), "death_date"), (None, "death_date")],
)
def test_death_date_refusals(
    family: Household, actor: Any, counts: Counts, death_date: date | None, code: str
) -> None:
    error = _refused(
        counts,
        services.person_record_death,
        actor=actor,
        person_id=member(family, "张小明").pk,
        death_date=death_date or timezone.localdate() + timedelta(days=1),
    )
    assert (error.code, error.field) == (code, "death_date")


def test_a_deceased_person_cannot_die_again(family: Household, actor: Any, counts: Counts) -> None:
    son = member(family, "张小明")
    services.person_record_death(actor=actor, person_id=son.pk, death_date=DAY)
    error = _refused(
        counts, services.person_record_death, actor=actor, person_id=son.pk, death_date=DAY
    )
    assert (error.code, error.message) == ("person_inactive", "张小明已不是在册人员")


# --- moves and marriages ----------------------------------------------------------------------


def test_move_out_of_the_registry(family: Household, actor: Any) -> None:
    son = member(family, "张小明")
    person = services.person_move_out(
        actor=actor, person_id=son.pk, event_type="move_out", event_date=DAY
    )
    assert (person.status, person.household_id, person.relation) == ("moved_out", family.pk, "20")
    event = MembershipEvent.objects.get(person=son, event_type="move_out")
    assert (event.household_id, event.related_household, event.relation_before) == (
        family.pk,
        None,
        "20",
    )
    assert AuditEvent.objects.get(action="person.move_out").changes == {
        "status": ["active", "moved_out"],
        "event_date": "2024-06-01",
    }


def test_marriage_out_to_another_registered_household(
    family: Household, actor: Any, person_input: PersonFactory
) -> None:
    groom = _single(actor, person_input(name="吴刚", birth_date=date(1983, 1, 1)))
    wife = member(family, "李梅")
    person = services.person_move_out(
        actor=actor,
        person_id=wife.pk,
        event_type="marriage_out",
        event_date=DAY,
        to_household_id=groom.pk,
        new_relation="10",
    )
    assert (person.status, person.household_id, person.relation, person.version) == (
        "active",
        groom.pk,
        "10",
        2,
    )
    leaving = MembershipEvent.objects.get(household=family, person=wife, event_type="marriage_out")
    arriving = MembershipEvent.objects.get(household=groom, person=wife, event_type="marriage_in")
    assert (leaving.related_household_id, leaving.relation_before, leaving.relation_after) == (
        groom.pk,
        "10",
        "",
    )
    assert (arriving.related_household_id, arriving.relation_before, arriving.relation_after) == (
        family.pk,
        "",
        "10",
    )
    assert AuditEvent.objects.get(action="person.marriage_out").changes == {
        "household": ["4331241022010001", "4331241022010002"],
        "relation": ["10", "10"],
        "event_date": "2024-06-01",
    }


def test_move_of_the_head_within_the_registry_with_a_new_head(
    family: Household, actor: Any, person_input: PersonFactory
) -> None:
    other = _single(actor, person_input(name="王五"))
    head, wife = member(family, "张三"), member(family, "李梅")
    services.person_move_out(
        actor=actor,
        person_id=head.pk,
        event_type="move_out",
        event_date=DAY,
        to_household_id=other.pk,
        new_relation="70",
        new_head_id=wife.pk,
    )
    assert _heads(family) == ["李梅"]
    assert _heads(other) == ["王五"]
    moved = Person.objects.get(pk=head.pk)
    assert (moved.household_id, moved.relation, moved.status) == (other.pk, "70", "active")
    arrival = MembershipEvent.objects.get(household=other, person=head)
    assert arrival.event_type == "move_in"


def test_moving_the_last_member_out_cancels_the_household(
    village: Region, actor: Any, person_input: PersonFactory
) -> None:
    household = _single(actor, person_input(name="王五"))
    services.person_move_out(
        actor=actor, person_id=member(household, "王五").pk, event_type="move_out", event_date=DAY
    )
    household.refresh_from_db()
    assert household.status == "cancelled"
    assert HouseholdStatusChange.objects.filter(household=household).latest("id").reason == (
        "全户成员死亡或迁出"
    )


@pytest.mark.parametrize(
    ("event_type", "target", "new_relation", "code"),
    [
        ("death", False, None, "event_type"),
        ("move_out", True, None, "relation"),
        ("move_out", False, "10", "relation"),
        ("move_out", True, "01", "second_head"),
        ("move_out", True, "66", "code_value"),
        ("move_out", "self", "10", "related_household"),
    ],
)
def test_move_out_refusals(
    family: Household,
    actor: Any,
    person_input: PersonFactory,
    counts: Counts,
    event_type: str,
    target: bool | str,
    new_relation: str | None,
    code: str,
) -> None:
    other = _single(actor, person_input(name="王五"))
    to = family.pk if target == "self" else other.pk if target else None
    error = _refused(
        counts,
        services.person_move_out,
        actor=actor,
        person_id=member(family, "李梅").pk,
        event_type=event_type,
        event_date=DAY,
        to_household_id=to,
        new_relation=new_relation,
    )
    assert error.code == code


def test_head_moving_out_requires_a_new_head(family: Household, actor: Any, counts: Counts) -> None:
    error = _refused(
        counts,
        services.person_move_out,
        actor=actor,
        person_id=member(family, "张三").pk,
        event_type="move_out",
        event_date=DAY,
    )
    assert error.code == "head_required"
