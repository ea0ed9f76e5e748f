"""Household services: create, update, cancel, change of head, split."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from fangpin.registry.errors import RegistryError
from fangpin.registry.models import ACTIVE, HEAD, HOUSEHOLD_PHONE_CONTEXT, Household, Person
from fangpin.registry.services import _access as access
from fangpin.registry.services import _common as c
from fangpin.registry.validation import (
    PersonInput,
    validate_household_fields,
    validate_person_input,
)

__all__ = [
    "household_cancel",
    "household_change_head",
    "household_create",
    "household_split",
    "household_update",
]

#: Household attributes household_update may change.
EDITABLE_HOUSEHOLD_FIELDS = (
    "natural_village",
    "address",
    "household_type",
    "phone",
    "is_relocated",
    "relocation_mode",
    "relocation_site",
)


@access.registry_write
def household_create(
    *,
    actor: Any,
    village_code: str,
    household_type: str,
    head: PersonInput,
    members: Sequence[PersonInput] = (),
    registered_on: date,
    natural_village: str = "",
    address: str = "",
    phone: str = "",
    is_relocated: bool = False,
    relocation_mode: str = "",
    relocation_site: str = "",
    household_number: str | None = None,
) -> Household:
    """Register a household with its head and members.

    Writes the household, one person row and one ``register`` membership event per person,
    the ``"" → active`` status change, and audit events ``household.create`` (one) and
    ``person.register`` (one per person). Members must have been born by ``registered_on``.
    """
    access.require_edit(actor)
    today = c.today()
    c.not_future(registered_on, field="registered_on", label="登记日期")
    region = access.village(village_code, actor=actor)
    fields = validate_household_fields(
        household_type=household_type,
        natural_village=natural_village,
        address=address,
        phone=phone,
        is_relocated=is_relocated,
        relocation_mode=relocation_mode,
        relocation_site=relocation_site,
    )
    people = [validate_person_input(head, today=today)]
    if people[0].relation != HEAD:
        raise RegistryError("head_relation", "户主的与户主关系必须为“01 户主”", field="relation")
    for member in members:
        clean = validate_person_input(member, today=today)
        if clean.relation == HEAD:
            raise RegistryError(
                "second_head",
                f"{clean.name}的与户主关系不能为“户主”：一户只能有一名户主",
                field="relation",
            )
        people.append(clean)
    seen: set[tuple[str, str]] = set()
    for person in people:
        key = c.identity_key(person.id_type, person.id_number)
        if key in seen:
            raise RegistryError(
                "id_duplicate_in_request",
                f"{person.name}的证件号码与本次登记的另一名成员重复",
                field="id_number",
            )
        seen.add(key)
    for person in people:
        access.check_id_free(person.id_type, person.id_number, actor=actor)
        if person.birth_date > registered_on:
            raise RegistryError(
                "event_date",
                f"{person.name}出生于{person.birth_date.isoformat()}，晚于登记日期",
                field="registered_on",
            )
    number = c.household_number_for(region, household_number)

    values = {"household_number": number, "village": region, **fields.as_audit_fields()}
    with c.integrity_as_registry_error():
        household = Household.objects.create(
            household_number=number, village=region, **fields.as_model_fields()
        )
        c.record_status_change(
            actor=actor,
            household=household,
            from_status="",
            to_status=ACTIVE,
            reason="新建户",
            effective_date=registered_on,
        )
        c.audit(
            actor,
            "household.create",
            household,
            c.created({**values, "status": ACTIVE, "registered_on": registered_on}),
        )
        for person in people:
            row = Person.objects.create(household=household, **person.as_model_fields())
            c.record_event(
                actor=actor,
                household=household,
                person=row,
                event_type="register",
                event_date=registered_on,
                relation_after=row.relation,
            )
            c.audit(
                actor,
                "person.register",
                row,
                c.created({"household": household.pk, **person.as_audit_fields()}),
            )
    return household


@access.registry_write
def household_update(
    *, actor: Any, household_id: int, expected_version: int, changes: Mapping[str, object]
) -> Household:
    """Change editable household attributes; see :data:`EDITABLE_HOUSEHOLD_FIELDS`."""
    access.require_edit(actor)
    for name in changes:
        if name not in EDITABLE_HOUSEHOLD_FIELDS:
            raise RegistryError("field_not_editable", f"字段“{name}”不能在此修改", field=name)
    household = access.get_household(household_id, lock=False, actor=actor)
    c.check_version(household.version, expected_version)
    before = {
        name: c.household_phone(household) if name == "phone" else getattr(household, name)
        for name in EDITABLE_HOUSEHOLD_FIELDS
    }
    merged: dict[str, Any] = {**before, **changes}
    after = validate_household_fields(**merged).as_audit_fields()
    changed = {name: value for name, value in after.items() if before[name] != value}
    if not changed:
        return household
    c.versioned_update(
        Household,
        pk=household.pk,
        expected_version=expected_version,
        values=c.stored_columns(changed, phone_context=HOUSEHOLD_PHONE_CONTEXT),
    )
    c.audit(actor, "household.update", household, c.diff(before, changed))
    household.refresh_from_db()
    return household


@access.registry_write
def household_cancel(
    *, actor: Any, household_id: int, reason: str, effective_date: date
) -> Household:
    """Cancel (注销) a household that has no active members left."""
    access.require_edit(actor)
    household = access.get_household(household_id, actor=actor)
    text = c.require_text(reason, field="reason", label="注销原因")
    c.not_future(effective_date, field="effective_date", label="生效日期")
    remaining = c.active_members(household).count()
    if remaining:
        raise RegistryError(
            "has_members",
            f"农户{household.household_number}还有{remaining}名在册成员，不能注销",
        )
    c.cancel(actor=actor, household=household, reason=text, effective_date=effective_date)
    household.refresh_from_db()
    return household


def _members_by_id(household: Household) -> dict[int, Person]:
    return {p.pk: p for p in c.active_members(household).select_related("household")}


def _check_relations(relations: Mapping[int, str], *, allowed: set[int]) -> dict[int, str]:
    """Validate re-expressed relations: only for ``allowed`` members, never the head code."""
    clean: dict[int, str] = {}
    for person_id, relation in relations.items():
        if person_id not in allowed:
            raise RegistryError(
                "relations",
                # No id in the message: the API names persons by public id (SEC-MSK-3).
                "关系调整名单中有人员不是可调整与户主关系的本户在册成员",
                field="relations",
            )
        clean[person_id] = c.validate_relation(relation, field="relations")
    return clean


@access.registry_write
def household_change_head(
    *,
    actor: Any,
    household_id: int,
    new_head_id: int,
    old_head_relation: str,
    relations: Mapping[int, str] | None = None,
    event_date: date,
) -> Household:
    """Make another active member the head, in one transaction.

    The old head is demoted (to ``old_head_relation``) before the new head is promoted, so the
    one-head constraint holds at every statement. ``relations`` re-expresses other members'
    relations to the new head (the old head's spouse may become the new head's parent).
    """
    access.require_edit(actor)
    household = access.get_household(household_id, actor=actor)
    c.not_future(event_date, field="event_date", label="变动日期")
    members = _members_by_id(household)
    new_head = members.get(new_head_id)
    old_head = next((p for p in members.values() if p.relation == HEAD), None)
    if new_head is None:
        raise RegistryError("new_head", "新户主必须是本户在册成员", field="new_head_id")
    if new_head.relation == HEAD:
        raise RegistryError("new_head", f"{new_head.name}已是户主", field="new_head_id")
    demoted = c.validate_relation(old_head_relation, field="old_head_relation")
    allowed = set(members) - {new_head.pk} - ({old_head.pk} if old_head else set())
    clean = _check_relations(relations or {}, allowed=allowed)

    if old_head is not None:
        c.set_relation(
            actor=actor,
            person=old_head,
            relation=demoted,
            event_type="head_change",
            event_date=event_date,
        )
    c.promote_head(
        actor=actor,
        household=household,
        old_head=old_head,
        new_head=new_head,
        event_date=event_date,
    )
    for person_id, relation in clean.items():
        c.set_relation(
            actor=actor,
            person=members[person_id],
            relation=relation,
            event_type="head_change",
            event_date=event_date,
        )
    household.refresh_from_db()
    return household


@access.registry_write
def household_split(
    *,
    actor: Any,
    household_id: int,
    member_ids: Sequence[int],
    new_head_id: int,
    relations: Mapping[int, str],
    event_date: date,
    village_code: str | None = None,
    household_number: str | None = None,
    source_new_head_id: int | None = None,
) -> Household:
    """Split members off into a new household (分户) and return the new household.

    ``relations`` gives every moving member other than ``new_head_id`` their relation to the
    new head. The source keeps at least one member and a head: if its head leaves,
    ``source_new_head_id`` names the successor among those who stay. The new household takes
    the source's type and, in the same village, its natural village and address.
    """
    access.require_edit(actor)
    source = access.get_household(household_id, actor=actor)
    c.not_future(event_date, field="event_date", label="分户日期")
    members = _members_by_id(source)
    moving = list(dict.fromkeys(member_ids))
    if not moving or len(moving) != len(member_ids):
        raise RegistryError("split_members", "分户成员不能为空或重复", field="member_ids")
    for person_id in moving:
        if person_id not in members:
            raise RegistryError(
                "split_members", f"人员（ID {person_id}）不是本户在册成员", field="member_ids"
            )
    if new_head_id not in moving:
        raise RegistryError("new_head", "新户户主必须是分出成员之一", field="new_head_id")
    expected = set(moving) - {new_head_id}
    missing = expected - set(relations)
    if missing:
        names = "、".join(members[i].name for i in sorted(missing))
        raise RegistryError("relations", f"请填写{names}与新户户主的关系", field="relations")
    clean = _check_relations(relations, allowed=expected)
    staying = [p for pid, p in members.items() if pid not in set(moving)]
    if not staying:
        raise RegistryError("source_empty", "原户必须至少保留一名在册成员", field="member_ids")
    source_head = next((p for p in members.values() if p.relation == HEAD), None)
    successor: Person | None = None
    if source_head is not None and source_head.pk in moving:
        if source_new_head_id is None:
            raise RegistryError(
                "head_required", "原户主分出后，必须指定原户的新户主", field="source_new_head_id"
            )
        successor = next((p for p in staying if p.pk == source_new_head_id), None)
        if successor is None:
            raise RegistryError(
                "new_head", "原户新户主必须是留在原户的在册成员", field="source_new_head_id"
            )
    elif source_new_head_id is not None:
        raise RegistryError(
            "new_head", "原户主未分出，不能指定原户新户主", field="source_new_head_id"
        )

    region = access.village(village_code or source.village_id, actor=actor)
    number = c.household_number_for(region, household_number)
    same_village = region.pk == source.village_id
    values = {
        "household_number": number,
        "village": region,
        "household_type": source.household_type,
        "natural_village": source.natural_village if same_village else "",
        "address": source.address if same_village else "",
    }
    target = Household.objects.create(**values)
    c.record_status_change(
        actor=actor,
        household=target,
        from_status="",
        to_status=ACTIVE,
        reason=f"由{source.household_number}分户",
        effective_date=event_date,
    )
    c.audit(
        actor,
        "household.create",
        target,
        c.created({**values, "status": ACTIVE, "split_from": source.household_number}),
    )
    for person_id in moving:
        person = members[person_id]
        before = person.relation
        after = HEAD if person_id == new_head_id else clean[person_id]
        c.versioned_update(
            Person,
            pk=person.pk,
            expected_version=person.version,
            values={"household": target, "relation": after},
        )
        c.record_event(
            actor=actor,
            household=source,
            person=person,
            event_type="split",
            event_date=event_date,
            related_household=target,
            relation_before=before,
        )
        c.record_event(
            actor=actor,
            household=target,
            person=person,
            event_type="split",
            event_date=event_date,
            related_household=source,
            relation_after=after,
        )
        c.audit(
            actor,
            "person.split",
            person,
            {"household": [source.household_number, number], "relation": [before, after]},
        )
    c.audit(
        actor,
        "household.split",
        source,
        {
            "member_count": [len(members), len(staying)],
            "new_household": [None, number],
        },
    )
    if successor is not None:
        c.promote_head(
            actor=actor,
            household=source,
            old_head=source_head,
            new_head=successor,
            event_date=event_date,
        )
    return target
