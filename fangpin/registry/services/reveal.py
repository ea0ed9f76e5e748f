"""Showing a full ID or phone number (查看明文): capability, scope, a reason, an audit record.

Pages and the API show only the masked columns (``id_number_masked``, ``phone_masked``). A user
holding ``pi.reveal`` whose region scope covers the household may see one full value at a
time, giving a reason; each reveal is a ``data.reveal`` audit event (SEC-MSK-2). A user without
the capability, or a target outside the scope, is refused exactly like a missing object and
the refusal audited as ``authz.denied`` (as every registry service does). A stored token that
fails authentication (tampering, wrong key) raises ``pi_integrity``; nothing is shown.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest

from fangpin.core.access import PI_REVEAL, user_can
from fangpin.core.audit import audit_reveal
from fangpin.core.pi import pi_decrypt
from fangpin.core.scope import scope_covers
from fangpin.fieldcrypto import CryptoError
from fangpin.registry.errors import RegistryError
from fangpin.registry.models import (
    HOUSEHOLD_PHONE_CONTEXT,
    ID_NUMBER_CONTEXT,
    PERSON_PHONE_CONTEXT,
    Household,
    Person,
)
from fangpin.registry.services import _access as access

__all__ = ["household_reveal_phone", "person_reveal"]

RevealField = Literal["id_number", "phone"]
_PERSON_FIELDS: dict[str, tuple[str, str]] = {
    "id_number": ("id_number_encrypted", ID_NUMBER_CONTEXT),
    "phone": ("phone_encrypted", PERSON_PHONE_CONTEXT),
}


def _require_reveal(actor: Any) -> None:
    if user_can(actor, PI_REVEAL):
        return
    raise access.AccessDenied(
        RegistryError("forbidden", "当前账号无权查看证件号码或联系电话明文"),
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
