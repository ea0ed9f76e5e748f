"""Helpers shared by the registry services: lookups, versioned updates, events, audit values."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError
from django.db.models import F, Model, Q, QuerySet
from django.utils import timezone

from fangpin.core.audit import audit_record, user_or_none
from fangpin.core.models import Region
from fangpin.core.pi import pi_decrypt
from fangpin.registry.errors import RegistryError, StaleVersionError
from fangpin.registry.masking import HEALTH_FIELDS, mask_health, mask_id, mask_phone
from fangpin.registry.models import (
    ACTIVE,
    HEAD,
    HOUSEHOLD_PHONE_CONTEXT,
    ID_NUMBER_CONTEXT,
    PERSON_PHONE_CONTEXT,
    HealthCodes,
    Household,
    HouseholdStatusChange,
    MembershipEvent,
    Person,
    health_columns,
    id_number_columns,
    identity_index,
    phone_columns,
)
from fangpin.registry.validation import validate_code

CANCELLED = "cancelled"
DECEASED = "deceased"
MOVED_OUT = "moved_out"
#: Reason recorded when a household loses its last active member.
ALL_MEMBERS_GONE = "全户成员死亡或迁出"

_MASKERS: dict[str, Callable[[str], str]] = {
    "id_number": mask_id,
    "phone": mask_phone,
    # Health details: the audit log records that they changed, never what they are (PIPL 28).
    **dict.fromkeys(HEALTH_FIELDS, mask_health),
}


def today() -> date:
    return timezone.localdate()


def audit_value(field: str, value: object) -> object:
    """A JSON-safe audit value; ID and phone numbers and health details are masked."""
    if field in _MASKERS and isinstance(value, str):
        return _MASKERS[field](value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Model):
        return str(value.pk)
    return value


def diff(before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, list[object]]:
    """``{field: [old, new]}`` for the fields whose value differs, masked for the audit log."""
    return {
        name: [audit_value(name, before.get(name)), audit_value(name, value)]
        for name, value in after.items()
        if before.get(name) != value
    }


def created(values: Mapping[str, object]) -> dict[str, list[object]]:
    """``{field: [None, value]}`` for a new row."""
    return {name: [None, audit_value(name, value)] for name, value in values.items()}


def audit(actor: Any, action: str, obj: Model, changes: dict[str, Any]) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type=obj._meta.model_name or type(obj).__name__.lower(),
        object_id=obj.pk,
        changes=changes,
    )


def not_future(value: date, *, field: str, label: str) -> None:
    if value > today():
        raise RegistryError(field, f"{label}{value.isoformat()}不能晚于今天", field=field)


def require_text(value: str, *, field: str, label: str, max_length: int = 200) -> str:
    text = (value or "").strip()
    if not text:
        raise RegistryError(field, f"必须填写{label}", field=field)
    if len(text) > max_length:
        raise RegistryError(field, f"{label}不能超过{max_length}个字", field=field)
    return text


def household_number_for(region: Region, given: str | None) -> str:
    """Check a given household number, or allocate the village's next one (code + 4 digits)."""
    if given is not None:
        number = given.strip()
        if not number or len(number) > 32 or any(ch.isspace() for ch in number):
            raise RegistryError(
                "household_number", "户编号应为1至32个字符，不含空格", field="household_number"
            )
        if Household.objects.filter(household_number=number).exists():
            raise RegistryError(
                "household_number_in_use", f"户编号{number}已被使用", field="household_number"
            )
        return number
    last = (
        Household.objects.filter(household_number__regex=rf"^{region.code}[0-9]{{4}}$")
        .order_by("-household_number")
        .values_list("household_number", flat=True)
        .first()
    )
    sequence = int(last[-4:]) + 1 if last else 1
    if sequence > 9999:
        raise RegistryError("household_number", f"{region.name}的自动户编号已用完，请指定户编号")
    number = f"{region.code}{sequence:04d}"
    if Household.objects.filter(household_number=number).exists():
        # A hand-given number can sit past the highest automatic one only if it was typed with
        # this village's pattern; refuse rather than guess.
        raise RegistryError("household_number_in_use", f"户编号{number}已被使用")
    return number


def id_conflict_filter(id_type: str, id_number: str) -> Q:
    """Rows that hold the same identity, by blind index: an ID card and a disability card
    (ID + 2 digits) of the same person share the first 18 characters, so they share one
    identity index across the two types (``models.identity_index``)."""
    return Q(id_number_index=identity_index(id_type, id_number))


def identity_key(id_type: str, id_number: str) -> tuple[str, str]:
    return ("resident", id_number[:18]) if id_type in ("1", "2") else (id_type, id_number)


# --- Personal information at rest: plaintext in, encrypted columns out ---------------------


def person_id_number(person: Person) -> str:
    """The person's ID number, decrypted for processing inside a service (never for display:
    display uses ``id_number_masked``; showing the full number is ``person_reveal``)."""
    return pi_decrypt(person.id_number_encrypted, context=ID_NUMBER_CONTEXT)


def person_phone(person: Person) -> str:
    return pi_decrypt(person.phone_encrypted, context=PERSON_PHONE_CONTEXT)


def household_phone(household: Household) -> str:
    return pi_decrypt(household.phone_encrypted, context=HOUSEHOLD_PHONE_CONTEXT)


def stored_columns(
    values: Mapping[str, object],
    *,
    id_type: str = "",
    phone_context: str,
    health: HealthCodes | None = None,
) -> dict[str, object]:
    """``values`` keyed by input name with ``id_number`` and ``phone`` (plaintext) replaced by
    their encrypted, blind-index and masked columns, and the health details (any of
    ``HEALTH_FIELDS``) by one new ``health_encrypted`` token of ``health`` (all three values,
    validated)."""
    out = dict(values)
    if "id_number" in out:
        out.update(id_number_columns(id_type, str(out.pop("id_number"))))
    if "phone" in out:
        out.update(phone_columns(str(out.pop("phone")), context=phone_context))
    health_changed = [name for name in HEALTH_FIELDS if out.pop(name, None) is not None]
    if health_changed:
        if health is None:
            raise ValueError("changed health details need all three values")
        out.update(health_columns(health))
    return out


@contextlib.contextmanager
def integrity_as_registry_error() -> Iterator[None]:
    """Turn a constraint violation that slipped past the checks (a concurrent writer won the
    race) into the same domain error the check would have raised."""
    try:
        yield
    except IntegrityError as exc:
        text = str(exc)
        if "person_unique_id_among_registered" in text or "registry_person.id_number_index" in text:
            raise RegistryError("id_in_use", "该证件号码已被另一名在册人员使用") from exc
        if "household_number" in text:
            raise RegistryError("household_number_in_use", "户编号已被使用") from exc
        if "household_at_most_one_head" in text or "registry_person.household_id" in text:
            raise StaleVersionError() from exc
        raise


def versioned_update(
    model: type[Model], *, pk: int, expected_version: int, values: Mapping[str, object]
) -> None:
    """``UPDATE … SET …, version = version + 1 WHERE id = pk AND version = expected``.

    The condition is evaluated by the database at write time, so of two writers that read the
    same version only one updates a row; the other gets :class:`StaleVersionError`.
    """
    extra: dict[str, object] = {}
    if any(f.name == "updated_at" for f in model._meta.get_fields()):
        extra["updated_at"] = timezone.now()
    with integrity_as_registry_error():
        count = model._default_manager.filter(pk=pk, version=expected_version).update(
            version=F("version") + 1, **values, **extra
        )
    if count != 1:
        raise StaleVersionError()


def check_version(current: int, expected: int | None) -> None:
    if expected is None or current != expected:
        raise StaleVersionError()


def active_members(household: Household) -> QuerySet[Person]:
    return Person.objects.filter(household=household, status=ACTIVE)


def current_head(household: Household) -> Person | None:
    return active_members(household).filter(relation=HEAD).first()


def record_event(
    *,
    actor: Any,
    household: Household,
    person: Person,
    event_type: str,
    event_date: date,
    related_household: Household | None = None,
    relation_before: str = "",
    relation_after: str = "",
    note: str = "",
) -> MembershipEvent:
    return MembershipEvent.objects.create(
        household=household,
        person=person,
        event_type=event_type,
        event_date=event_date,
        related_household=related_household,
        relation_before=relation_before,
        relation_after=relation_after,
        note=note,
        actor=user_or_none(actor),
    )


def record_status_change(
    *,
    actor: Any,
    household: Household,
    from_status: str,
    to_status: str,
    reason: str,
    effective_date: date,
) -> HouseholdStatusChange:
    return HouseholdStatusChange.objects.create(
        household=household,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        effective_date=effective_date,
        actor=user_or_none(actor),
    )


def cancel(*, actor: Any, household: Household, reason: str, effective_date: date) -> None:
    """Cancel an active household (the caller checked it has no active members)."""
    versioned_update(
        Household, pk=household.pk, expected_version=household.version, values={"status": CANCELLED}
    )
    record_status_change(
        actor=actor,
        household=household,
        from_status=ACTIVE,
        to_status=CANCELLED,
        reason=reason,
        effective_date=effective_date,
    )
    audit(
        actor,
        "household.cancel",
        household,
        {
            "status": [ACTIVE, CANCELLED],
            "reason": reason,
            "effective_date": effective_date.isoformat(),
        },
    )
    household.status = CANCELLED
    household.version += 1


def set_relation(
    *,
    actor: Any,
    person: Person,
    relation: str,
    event_type: str,
    event_date: date,
    note: str = "",
) -> None:
    """Change one active member's relation to the head, with a membership event and audit."""
    before = person.relation
    if before == relation:
        return
    versioned_update(
        Person, pk=person.pk, expected_version=person.version, values={"relation": relation}
    )
    record_event(
        actor=actor,
        household=person.household,
        person=person,
        event_type=event_type,
        event_date=event_date,
        relation_before=before,
        relation_after=relation,
        note=note,
    )
    audit(actor, "person.relation_change", person, {"relation": [before, relation]})
    person.relation = relation
    person.version += 1


def promote_head(
    *, actor: Any, household: Household, old_head: Person | None, new_head: Person, event_date: date
) -> None:
    """Make ``new_head`` the head; the old head must already be demoted or gone."""
    set_relation(
        actor=actor, person=new_head, relation=HEAD, event_type="head_change", event_date=event_date
    )
    audit(
        actor,
        "household.change_head",
        household,
        {"head_person_id": [old_head.pk if old_head else None, new_head.pk]},
    )


def resolve_successor(
    *, household: Household, leaving: Person, new_head_id: int | None
) -> tuple[Person | None, bool]:
    """Apply the head rule for a member who leaves (dies or moves out).

    Returns (the new head or None, whether the household is left without active members).
    A household never silently loses its head: when the head leaves and others remain, the
    caller must name the new head, who must be one of those others.
    """
    others = list(active_members(household).exclude(pk=leaving.pk))
    if leaving.relation != HEAD:
        if new_head_id is not None:
            raise RegistryError(
                "new_head", f"{leaving.name}不是户主，不能指定新户主", field="new_head_id"
            )
        return None, not others
    if not others:
        if new_head_id is not None:
            raise RegistryError("new_head", "户内已无其他在册成员，不能指定新户主")
        return None, True
    if new_head_id is None:
        raise RegistryError(
            "head_required",
            f"{leaving.name}是户主，户内还有其他在册成员，必须指定新户主",
            field="new_head_id",
        )
    for member in others:
        if member.pk == new_head_id:
            return member, False
    raise RegistryError("new_head", "新户主必须是本户其他在册成员", field="new_head_id")


def validate_relation(value: str, *, field: str = "relation") -> str:
    """A relation code for a member who is not the head."""
    code = validate_code("relation", field, value)
    if code == HEAD:
        raise RegistryError(
            "second_head", "与户主关系不能为“户主”：一户只能有一名户主，请使用户主变更", field=field
        )
    return code
