"""Person services: additions, edits, ID corrections, deaths and moves (人口自然变动与机械变动).

The head rule holds throughout: a household never silently loses its head. When the head dies
or moves out and other active members remain, the caller names the new head; when nobody
remains the household is cancelled in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any, Literal

from fangpin.registry.errors import RegistryError
from fangpin.registry.masking import HEALTH_FIELDS
from fangpin.registry.models import (
    ACTIVE,
    HEAD,
    PERSON_PHONE_CONTEXT,
    Household,
    Person,
    identity_index,
    person_health,
)
from fangpin.registry.services import _access as access
from fangpin.registry.services import _common as c
from fangpin.registry.validation import (
    PERSON_INPUT_FIELDS,
    PersonInput,
    validate_identity,
    validate_person_input,
)

__all__ = [
    "person_add",
    "person_correct_id",
    "person_move_out",
    "person_record_death",
    "person_update",
]

ADD_EVENTS = ("birth", "move_in", "marriage_in")
LEAVE_EVENTS = ("move_out", "marriage_out")
#: Arriving event in the receiving household for each leaving event within the registry.
ARRIVAL_FOR = {"move_out": "move_in", "marriage_out": "marriage_in"}
#: A birth may be registered late (children without hukou are registered years later), but a
#: "birth" addition is for a minor; an adult joins by move_in or marriage_in.
BIRTH_EVENT_MAX_AGE = 17

#: Person attributes person_update may change (not household, status, id_type or id_number).
EDITABLE_PERSON_FIELDS = tuple(
    name for name in PERSON_INPUT_FIELDS if name not in ("id_type", "id_number")
)


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _check_event_date(event_date: date, birth_date: date, *, label: str = "变动日期") -> None:
    c.not_future(event_date, field="event_date", label=label)
    if event_date < birth_date:
        raise RegistryError(
            "event_date", f"{label}{event_date.isoformat()}早于出生日期", field="event_date"
        )


def _plain_values(person: Person) -> dict[str, Any]:
    """The person's input values, with the ID and phone numbers and the health details
    decrypted."""
    encrypted = ("id_number", "phone", *HEALTH_FIELDS)
    values = {name: getattr(person, name) for name in PERSON_INPUT_FIELDS if name not in encrypted}
    return {
        **values,
        **person_health(person)._asdict(),
        "id_number": c.person_id_number(person),
        "phone": c.person_phone(person),
    }


def _input_from(person: Person) -> PersonInput:
    return PersonInput(**_plain_values(person))


@access.registry_write
def person_add(
    *,
    actor: Any,
    household_id: int,
    person: PersonInput,
    event_type: Literal["birth", "move_in", "marriage_in"],
    event_date: date,
    from_household_id: int | None = None,
) -> Person:
    """Add a member by birth, moving in or marrying in; never as head (use the head change).

    ``from_household_id`` records where the person came from when that household is in the
    registry (the person must no longer be active there: moves within the registry go through
    :func:`person_move_out` with ``to_household_id``).
    """
    access.require_edit(actor)
    household = access.get_household(household_id, actor=actor)
    if event_type not in ADD_EVENTS:
        raise RegistryError("event_type", f"新增成员的变动类型不能为“{event_type}”")
    clean = validate_person_input(person, today=c.today())
    if clean.relation == HEAD:
        raise RegistryError(
            "second_head",
            "新增成员不能为户主：一户只能有一名户主，请使用户主变更",
            field="relation",
        )
    _check_event_date(event_date, clean.birth_date)
    if event_type == "birth" and _age_on(clean.birth_date, event_date) > BIRTH_EVENT_MAX_AGE:
        raise RegistryError(
            "birth_event",
            f"{clean.name}在变动日期已满18周岁，不能按出生登记，请按迁入或婚入登记",
            field="event_type",
        )
    origin: Household | None = None
    if from_household_id is not None:
        if from_household_id == household.pk:
            raise RegistryError("related_household", "迁出户不能是本户")
        origin = access.get_household(from_household_id, lock=False, active=False, actor=actor)
    access.check_id_free(clean.id_type, clean.id_number, actor=actor)
    with c.integrity_as_registry_error():
        row = Person.objects.create(household=household, **clean.as_model_fields())
    c.record_event(
        actor=actor,
        household=household,
        person=row,
        event_type=event_type,
        event_date=event_date,
        related_household=origin,
        relation_after=row.relation,
    )
    c.audit(
        actor,
        "person.add",
        row,
        {
            **c.created({"household": household.pk, **clean.as_audit_fields()}),
            "event_type": event_type,
            "event_date": event_date.isoformat(),
        },
    )
    return row


@access.registry_write
def person_update(
    *, actor: Any, person_id: int, expected_version: int, changes: Mapping[str, object]
) -> Person:
    """Change a registered person's attributes (see :data:`EDITABLE_PERSON_FIELDS`).

    The whole person is re-validated with the change applied, so a change that breaks a rule
    between fields (disability grade without a disabled health status…) is refused. The head's
    relation, and making someone head, go through :func:`household_change_head`; ID numbers
    through :func:`person_correct_id`. For ID types 1 and 2, sex and birth date follow the
    number and cannot be changed here.
    """
    access.require_edit(actor)
    for name in changes:
        if name not in EDITABLE_PERSON_FIELDS:
            raise RegistryError("field_not_editable", f"字段“{name}”不能在此修改", field=name)
    person = access.get_person(person_id, actor=actor)
    c.check_version(person.version, expected_version)
    plain = _plain_values(person)
    current = PersonInput(**plain)
    merged = replace(current, **changes)  # type: ignore[arg-type]  # keys checked above
    clean = validate_person_input(merged, today=c.today(), check_region=False)
    if person.relation == HEAD and clean.relation != HEAD:
        raise RegistryError(
            "head_relation", "户主的与户主关系不能在此修改，请使用户主变更", field="relation"
        )
    if person.relation != HEAD and clean.relation == HEAD:
        raise RegistryError(
            "second_head", "不能在此把成员设为户主，请使用户主变更", field="relation"
        )
    after = clean.as_audit_fields()
    before = {name: plain[name] if name in plain else getattr(person, name) for name in after}
    changed = {name: value for name, value in after.items() if before[name] != value}
    changed.pop("id_number", None)  # not editable here; person_correct_id changes it
    if not changed:
        return person
    c.versioned_update(
        Person,
        pk=person.pk,
        expected_version=expected_version,
        values=c.stored_columns(
            changed, phone_context=PERSON_PHONE_CONTEXT, health=clean.health_codes
        ),
    )
    # Health details are compared decrypted (a new token for unchanged values would be a
    # change of ciphertext only). The audit records that they changed, masked (audit_value),
    # and always all three together: which one changed (a grade…) would tell a disability.
    changes_recorded = c.diff(before, changed)
    if any(name in changed for name in HEALTH_FIELDS):
        changes_recorded.update(
            {
                name: [c.audit_value(name, before[name]), c.audit_value(name, after[name])]
                for name in HEALTH_FIELDS
            }
        )
    c.audit(actor, "person.update", person, changes_recorded)
    person.refresh_from_db()
    return person


@access.registry_write
def person_correct_id(
    *, actor: Any, person_id: int, expected_version: int, new_id_number: str, reason: str
) -> Person:
    """Correct a person's ID number (and, for ID types 1 and 2, the sex and birth date read
    from it). Works for former members too, so history can be put right; the audit event
    records masked numbers and the reason."""
    access.require_edit(actor)
    person = access.get_person(person_id, active=False, actor=actor)
    c.check_version(person.version, expected_version)
    text = c.require_text(reason, field="reason", label="更正原因")
    keep_sex = person.sex if person.id_type not in ("1", "2") else None
    keep_birth = person.birth_date if person.id_type not in ("1", "2") else None
    id_number, sex, birth_date = validate_identity(
        id_type=person.id_type,
        id_number=new_id_number,
        sex=keep_sex,
        birth_date=keep_birth,
        today=c.today(),
    )
    old_number = c.person_id_number(person)
    # The identity index decides; for a disability card (one identity, 18 characters) the
    # two suffix digits may still be corrected.
    if identity_index(person.id_type, id_number) == person.id_number_index and (
        id_number == old_number
    ):
        raise RegistryError("id_unchanged", "新证件号码与原号码相同", field="id_number")
    if person.death_date is not None and person.death_date < birth_date:
        raise RegistryError("death_date", "更正后的出生日期晚于已登记的死亡日期", field="id_number")
    if person.status == ACTIVE:
        access.check_id_free(person.id_type, id_number, exclude_person_id=person.pk, actor=actor)
    before = {"id_number": old_number, "sex": person.sex, "birth_date": person.birth_date}
    after = {"id_number": id_number, "sex": sex, "birth_date": birth_date}
    changed = {name: value for name, value in after.items() if before[name] != value}
    c.versioned_update(
        Person,
        pk=person.pk,
        expected_version=expected_version,
        values=c.stored_columns(
            changed, id_type=person.id_type, phone_context=PERSON_PHONE_CONTEXT
        ),
    )
    c.audit(actor, "person.correct_id", person, {**c.diff(before, changed), "reason": text})
    person.refresh_from_db()
    return person


def _leave(
    *,
    actor: Any,
    person: Person,
    household: Household,
    successor: Person | None,
    emptied: bool,
    event_date: date,
) -> None:
    """After a member left: promote the successor, or cancel the emptied household."""
    if successor is not None:
        c.promote_head(
            actor=actor,
            household=household,
            old_head=person,
            new_head=successor,
            event_date=event_date,
        )
    if emptied:
        c.cancel(
            actor=actor, household=household, reason=c.ALL_MEMBERS_GONE, effective_date=event_date
        )


@access.registry_write
def person_record_death(
    *, actor: Any, person_id: int, death_date: date, new_head_id: int | None = None
) -> Person:
    """Record a registered person's death (死亡), applying the head rule."""
    access.require_edit(actor)
    person = access.get_person(person_id, actor=actor)
    household = access.get_household(person.household_id, actor=actor)
    c.not_future(death_date, field="death_date", label="死亡日期")
    if death_date < person.birth_date:
        raise RegistryError("death_date", "死亡日期不能早于出生日期", field="death_date")
    successor, emptied = c.resolve_successor(
        household=household, leaving=person, new_head_id=new_head_id
    )
    c.versioned_update(
        Person,
        pk=person.pk,
        expected_version=person.version,
        values={"status": c.DECEASED, "death_date": death_date},
    )
    c.record_event(
        actor=actor,
        household=household,
        person=person,
        event_type="death",
        event_date=death_date,
        relation_before=person.relation,
    )
    c.audit(
        actor,
        "person.death",
        person,
        {"status": [ACTIVE, c.DECEASED], "death_date": [None, death_date.isoformat()]},
    )
    _leave(
        actor=actor,
        person=person,
        household=household,
        successor=successor,
        emptied=emptied,
        event_date=death_date,
    )
    person.refresh_from_db()
    return person


@access.registry_write
def person_move_out(
    *,
    actor: Any,
    person_id: int,
    event_type: Literal["move_out", "marriage_out"],
    event_date: date,
    to_household_id: int | None = None,
    new_relation: str | None = None,
    new_head_id: int | None = None,
) -> Person:
    """Record a person moving or marrying out, applying the head rule.

    With ``to_household_id`` (a move within the registry) the person stays registered and
    their row moves to that household with ``new_relation``; both households get an event
    (``move_out``/``marriage_out`` here, ``move_in``/``marriage_in`` there). Otherwise the
    person's status becomes ``moved_out``.
    """
    access.require_edit(actor)
    if event_type not in LEAVE_EVENTS:
        raise RegistryError("event_type", f"迁出成员的变动类型不能为“{event_type}”")
    person = access.get_person(person_id, actor=actor)
    household = access.get_household(person.household_id, actor=actor)
    _check_event_date(event_date, person.birth_date)
    target: Household | None = None
    relation_after = ""
    if to_household_id is not None:
        if to_household_id == household.pk:
            raise RegistryError("related_household", "迁入户不能是本户", field="to_household_id")
        target = access.get_household(to_household_id, actor=actor)
        if new_relation is None:
            raise RegistryError(
                "relation", "迁入其他在册户时必须填写与新户户主的关系", field="new_relation"
            )
        relation_after = c.validate_relation(new_relation, field="new_relation")
    elif new_relation is not None:
        raise RegistryError(
            "relation", "未指定迁入户时不能填写与新户户主的关系", field="new_relation"
        )
    successor, emptied = c.resolve_successor(
        household=household, leaving=person, new_head_id=new_head_id
    )
    before_relation = person.relation
    if target is None:
        c.versioned_update(
            Person, pk=person.pk, expected_version=person.version, values={"status": c.MOVED_OUT}
        )
        changes: dict[str, Any] = {"status": [ACTIVE, c.MOVED_OUT]}
    else:
        c.versioned_update(
            Person,
            pk=person.pk,
            expected_version=person.version,
            values={"household": target, "relation": relation_after},
        )
        changes = {
            "household": [household.household_number, target.household_number],
            "relation": [before_relation, relation_after],
        }
    c.record_event(
        actor=actor,
        household=household,
        person=person,
        event_type=event_type,
        event_date=event_date,
        related_household=target,
        relation_before=before_relation,
    )
    if target is not None:
        c.record_event(
            actor=actor,
            household=target,
            person=person,
            event_type=ARRIVAL_FOR[event_type],
            event_date=event_date,
            related_household=household,
            relation_after=relation_after,
        )
    c.audit(
        actor,
        f"person.{event_type}",
        person,
        {**changes, "event_date": event_date.isoformat()},
    )
    _leave(
        actor=actor,
        person=person,
        household=household,
        successor=successor,
        emptied=emptied,
        event_date=event_date,
    )
    person.refresh_from_db()
    return person
