"""Showing a full ID or phone number, or health details (查看明文): capability, scope, a reason,
an audit record.

Pages and the API show only the masked columns (``id_number_masked``, ``phone_masked``) and
mask every health detail (``masking.mask_health``). A user
holding ``pi.reveal`` whose region scope covers the household may see one full value at a
time, giving a reason; each reveal is a ``data.reveal`` audit event (SEC-MSK-2). A user without
the capability, or a target outside the scope, is refused exactly like a missing object and
the refusal audited as ``authz.denied`` (as every registry service does). A stored token that
fails authentication (tampering, wrong key) raises ``pi_integrity``; nothing is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from django.http import HttpRequest

from fangpin import codes
from fangpin.core.access import PI_REVEAL, user_can
from fangpin.core.audit import audit_reveal
from fangpin.core.pi import pi_decrypt
from fangpin.core.scope import scope_covers
from fangpin.fieldcrypto import CryptoError
from fangpin.registry.errors import RegistryError
from fangpin.registry.masking import HEALTH_FIELDS
from fangpin.registry.models import (
    HOUSEHOLD_PHONE_CONTEXT,
    ID_NUMBER_CONTEXT,
    PERSON_PHONE_CONTEXT,
    Household,
    Person,
    person_health,
)
from fangpin.registry.services import _access as access

__all__ = ["HealthDetails", "household_reveal_phone", "person_reveal", "person_reveal_health"]

RevealField = Literal["id_number", "phone"]
_PERSON_FIELDS: dict[str, tuple[str, str]] = {
    "id_number": ("id_number_encrypted", ID_NUMBER_CONTEXT),
    "phone": ("phone_encrypted", PERSON_PHONE_CONTEXT),
}


@dataclass(frozen=True, slots=True)
class HealthDetails:
    """A person's health details in clear: codes and their Chinese labels ("" when empty)."""

    health: str
    health_label: str
    disability_grade: str
    disability_grade_label: str
    disability_category: str
    disability_category_label: str

    @property
    def summary(self) -> str:
        """One line for a page: ``残疾（二级，肢体残疾）``, ``长期慢性病``, ``健康``."""
        extra = "，".join(
            x for x in (self.disability_grade_label, self.disability_category_label) if x
        )
        return f"{self.health_label}（{extra}）" if extra else self.health_label


def _label(table: str, code: str) -> str:
    if not code:
        return ""
    try:
        return codes.table(table).label(code)
    except codes.CodeError:
        return code


def _require_reveal(actor: Any, *, what: str = "证件号码或联系电话") -> None:
    if user_can(actor, PI_REVEAL):
        return
    raise access.AccessDenied(
        RegistryError("forbidden", f"当前账号无权查看{what}明文"),
        object_type="registry",
        object_id="",
        reason="capability",
    )


def _check_scope(
    actor: Any, region_code: str, *, not_found: str, object_type: str, pk: int
) -> None:
    if scope_covers(actor, region_code, capability=PI_REVEAL):
        return
    raise access.AccessDenied(
        RegistryError("not_found", not_found),
        object_type=object_type,
        object_id=pk,
        reason="out_of_scope",
    )


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise RegistryError("reason", "查看明文必须填写理由", field="reason")
    return text[:500]


def _open(token: str, *, context: str) -> str:
    try:
        return pi_decrypt(token, context=context)
    except CryptoError as exc:
        raise RegistryError(
            "pi_integrity", f"无法显示明文：{exc.message}。请联系系统管理员核查。"
        ) from exc


def _person_in_scope(actor: Any, person_id: int) -> Person:
    person = Person.objects.select_related("household").filter(pk=person_id).first()
    if person is None:
        raise RegistryError("not_found", access.PERSON_NOT_FOUND)
    _check_scope(
        actor,
        person.household.village_id,
        not_found=access.PERSON_NOT_FOUND,
        object_type="person",
        pk=person.pk,
    )
    return person


@access.registry_write
def person_reveal(
    *,
    actor: Any,
    person_id: int,
    field: RevealField,
    reason: str,
    request: HttpRequest | None = None,
) -> str:
    """The full ID or phone number of a person (any status), audited as ``data.reveal``."""
    if field not in _PERSON_FIELDS:
        raise RegistryError("field", f"不能查看字段“{field}”的明文", field="field")
    _require_reveal(actor)
    text = _reason(reason)
    person = _person_in_scope(actor, person_id)
    column, context = _PERSON_FIELDS[field]
    value = _open(getattr(person, column), context=context)
    audit_reveal(
        actor=actor,
        request=request,
        object_type="person",
        object_id=person.pk,
        field=field,
        reason=text,
    )
    return value


@access.registry_write
def person_reveal_health(
    *, actor: Any, person_id: int, reason: str, request: HttpRequest | None = None
) -> HealthDetails:
    """A person's health status, disability grade and category in clear (any status).

    The three are shown together — a grade without its status means little — and audited as
    one ``data.reveal`` event with ``field="health"`` and ``fields`` naming all three.
    The three are one token (``health_encrypted``, docs/crypto.md): one decryption; a token
    that fails authentication is refused like a tampered ID number (``pi_integrity``).
    """
    _require_reveal(actor, what="健康状况")
    text = _reason(reason)
    person = _person_in_scope(actor, person_id)
    try:
        stored = person_health(person)
    except CryptoError as exc:
        raise RegistryError(
            "pi_integrity", f"无法显示明文：{exc.message}。请联系系统管理员核查。"
        ) from exc
    details = HealthDetails(
        health=stored.health,
        health_label=_label("health", stored.health),
        disability_grade=stored.disability_grade,
        disability_grade_label=_label("disability_grade", stored.disability_grade),
        disability_category=stored.disability_category,
        disability_category_label=_label("disability_category", stored.disability_category),
    )
    audit_reveal(
        actor=actor,
        request=request,
        object_type="person",
        object_id=person.pk,
        field="health",
        reason=text,
        fields=HEALTH_FIELDS,
    )
    return details


@access.registry_write
def household_reveal_phone(
    *, actor: Any, household_id: int, reason: str, request: HttpRequest | None = None
) -> str:
    """A household's full phone number, audited as ``data.reveal``."""
    _require_reveal(actor)
    text = _reason(reason)
    household = Household.objects.filter(pk=household_id).first()
    if household is None:
        raise RegistryError("not_found", access.HOUSEHOLD_NOT_FOUND)
    _check_scope(
        actor,
        household.village_id,
        not_found=access.HOUSEHOLD_NOT_FOUND,
        object_type="household",
        pk=household.pk,
    )
    value = _open(household.phone_encrypted, context=HOUSEHOLD_PHONE_CONTEXT)
    audit_reveal(
        actor=actor,
        request=request,
        object_type="household",
        object_id=household.pk,
        field="phone",
        reason=text,
    )
    return value
