"""Writes of intake: submit a declaration, reject it or mark it a duplicate, purge old ones.

Services are keyword-only, run in one transaction and write their audit event in it. The
public form submits as :data:`PUBLIC_ACTOR` (no account); decisions need ``clue.verify`` with
the declaration's village in the actor's scope, and name the ``expected_version`` they read
(optimistic concurrency: two cadres deciding the same declaration cannot both succeed).
Accepting a declaration into a clue is casework's (it fills ``clue_public_id``).
"""

from __future__ import annotations

import secrets
import uuid
from datetime import date, datetime, timedelta
from typing import Any, Final

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from fangpin.core.access import is_system_actor
from fangpin.core.audit import actor_label, audit_record, user_or_none
from fangpin.core.models import AuditResult
from fangpin.core.pi import pi_encrypt, pi_index
from fangpin.core.scope import SYSTEM
from fangpin.intake.access import decide_prefix
from fangpin.intake.consent import CONSENT_TEXTS, KEEP_DAYS_NOT_ACCEPTED
from fangpin.intake.errors import IntakeError
from fangpin.intake.models import (
    CLIENT_IP_CONTEXT,
    DIFFICULTY_CONTEXT,
    ID_NUMBER_CONTEXT,
    NAME_CONTEXT,
    NOTE_MAX,
    PHONE_CONTEXT,
    Declaration,
    DeclarationStatus,
)
from fangpin.intake.validation import mask_name, validate_declaration
from fangpin.registry.masking import mask_id, mask_phone
from fangpin.registry.models import ACTIVE, identity_index, phone_index
from fangpin.registry.selectors import person_find_by_id_number

__all__ = [
    "PUBLIC_ACTOR",
    "client_ip_hash",
    "declaration_accept",
    "declaration_mark_duplicate",
    "declaration_reject",
    "declaration_submit",
    "declarations_purge",
    "new_reference",
]

#: The audit actor of a submission through the public form (nobody is logged in).
PUBLIC_ACTOR: Final = "public:declare"

NOT_FOUND_MESSAGE: Final = "未找到该申报"

#: Reference numbers: "SB" + 8 characters without look-alikes (0/O, 1/I/L).
_REFERENCE_ALPHABET: Final = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_REFERENCE_LENGTH: Final = 8


def new_reference() -> str:
    """A fresh short reference number (申报编号) such as ``SB7K3M9QXT``: random, no PI."""
    for _attempt in range(5):
        code = "SB" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(_REFERENCE_LENGTH))
        if not Declaration.objects.filter(reference=code).exists():
            return code
    raise RuntimeError("could not draw a free declaration reference")  # pragma: no cover


def client_ip_hash(ip: str | None) -> str:
    """The keyed hash of a client IP (the IPv4 space is small: an unkeyed hash would not hide
    it). Empty when the address is unknown."""
    return pi_index(ip or "", context=CLIENT_IP_CONTEXT)


def _audit_denied(
    actor: Any, attempted: str, declaration: Declaration, reason: str, request: HttpRequest | None
) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="authz.denied",
            object_type="declaration",
            object_id=declaration.public_id,
            changes={"attempted": attempted, "reason": reason},
            result=AuditResult.DENIED,
            request=request,
        )


def declaration_submit(
    *,
    actor: Any,
    village_code: str,
    name: str,
    phone: str,
    id_number: str,
    risk_type: str,
    difficulty: str,
    consent_given: bool,
    consent_version: str,
    client_ip: str | None,
    request: HttpRequest | None = None,
    today: date | None = None,
) -> Declaration:
    """Store a self-declaration, encrypted, and audit it as ``declaration.submit``.

    Refuses (nothing stored) a missing consent or unknown consent version (``consent``) and
    any invalid field (``name``, ``phone``, ``id_number``, ``village``, ``risk_type``,
    ``difficulty``; the error's ``field`` names it). The ID number is matched against the
    registered (active) persons by its blind index; a match links the household. The audit
    event holds masked values only.
    """
    if not consent_given:
        raise IntakeError("consent", "请阅读并勾选同意个人信息处理告知", field="consent")
    if consent_version not in CONSENT_TEXTS:
        raise IntakeError("consent", "告知书版本已更新，请重新阅读后提交", field="consent")
    now = timezone.now()
    clean = validate_declaration(
        village_code=village_code,
        name=name,
        phone=phone,
        id_number=id_number,
        risk_type=risk_type,
        difficulty=difficulty,
        today=today or timezone.localdate(now),
    )
    holder = person_find_by_id_number(user=SYSTEM, id_number=clean.id_number)
    household = holder.household if holder is not None and holder.status == ACTIVE else None
    with transaction.atomic():
        declaration = Declaration.objects.create(
            reference=new_reference(),
            village=clean.village,
            name_encrypted=pi_encrypt(clean.name, context=NAME_CONTEXT),
            name_masked=mask_name(clean.name),
            phone_encrypted=pi_encrypt(clean.phone, context=PHONE_CONTEXT),
            phone_index=phone_index(clean.phone),
            phone_masked=mask_phone(clean.phone),
            id_number_encrypted=pi_encrypt(clean.id_number, context=ID_NUMBER_CONTEXT),
            id_number_index=identity_index("1", clean.id_number),
            id_number_masked=mask_id(clean.id_number),
            difficulty_encrypted=pi_encrypt(clean.difficulty, context=DIFFICULTY_CONTEXT),
            risk_type=clean.risk_type,
            consent_at=now,
            consent_version=consent_version,
            submitted_at=now,
            client_ip_hash=client_ip_hash(client_ip),
            household=household,
        )
        audit_record(
            actor=actor,
            action="declaration.submit",
            object_type="declaration",
            object_id=declaration.public_id,
            changes={
                "reference": declaration.reference,
                "village": clean.village.code,
                "risk_type": clean.risk_type,
                "name": declaration.name_masked,
                "id_number": declaration.id_number_masked,
                "phone": declaration.phone_masked,
                "consent_version": consent_version,
                "household_matched": household is not None,
            },
            request=request,
        )
    return declaration


def _clean_note(note: str) -> str:
    text = (note or "").strip()
    if not text:
        raise IntakeError("note", "请填写处理说明（将作为答复告知申报人）", field="note")
    if len(text) > NOTE_MAX:
        raise IntakeError("note", f"处理说明不能超过{NOTE_MAX}个字", field="note")
    return text


def _decide(
    *,
    actor: Any,
    declaration: Declaration,
    status: str,
    note: str,
    expected_version: int,
    duplicate_of: Declaration | None,
    request: HttpRequest | None,
    action: str,
    clue_public_id: uuid.UUID | None = None,
) -> Declaration:
    prefix = decide_prefix(actor)
    if prefix is None:
        _audit_denied(actor, action, declaration, "capability", request)
        raise IntakeError("forbidden", "当前账号无权处理自主申报")
    if not declaration.village_id.startswith(prefix):
        _audit_denied(actor, action, declaration, "out_of_scope", request)
        raise IntakeError("not_found", NOT_FOUND_MESSAGE)
    current = Declaration.objects.filter(pk=declaration.pk).values("status", "version").first()
    if current is None:
        raise IntakeError("not_found", NOT_FOUND_MESSAGE)
    if current["status"] != DeclarationStatus.NEW:
        raise IntakeError("decided", "该申报已处理，不能重复处理")
    if current["version"] != expected_version:
        raise IntakeError("stale", "该申报已被他人修改，请刷新后重试")
    text = _clean_note(note) if status != DeclarationStatus.ACCEPTED else note.strip()[:NOTE_MAX]
    if duplicate_of is not None and (
        duplicate_of.pk == declaration.pk or not duplicate_of.village_id.startswith(prefix)
    ):
        raise IntakeError("duplicate_of", "重复于的申报编号不存在或不在您的辖区内")
    now = timezone.now()
    with transaction.atomic():
        moved = Declaration.objects.filter(
            pk=declaration.pk, version=expected_version, status=DeclarationStatus.NEW
        ).update(
            status=status,
            decided_by=user_or_none(actor),
            decided_by_label=actor_label(actor),
            decided_at=now,
            decision_note=text,
            duplicate_of=duplicate_of,
            clue_public_id=clue_public_id,
            version=expected_version + 1,
        )
        if not moved:  # changed between the check and the write
            raise IntakeError("stale", "该申报已被他人修改，请刷新后重试")
        changes: dict[str, Any] = {
            "status": [DeclarationStatus.NEW.value, status],
            "note": text,
            "version": expected_version + 1,
        }
        if duplicate_of is not None:
            changes["duplicate_of"] = duplicate_of.reference
        if clue_public_id is not None:
            changes["clue"] = str(clue_public_id)
        audit_record(
            actor=actor,
            action=action,
            object_type="declaration",
            object_id=declaration.public_id,
            changes=changes,
            request=request,
        )
    declaration.refresh_from_db()
    return declaration


def declaration_reject(
    *,
    actor: Any,
    declaration: Declaration,
    note: str,
    expected_version: int,
    request: HttpRequest | None = None,
) -> Declaration:
    """Reject a new declaration (不予受理) with the reason told to the household.

    Refuses: ``forbidden`` (no ``clue.verify``), ``not_found`` (outside the scope, like a
    missing one), ``decided`` (already decided), ``stale`` (``expected_version`` is not the
    declaration's version), ``note`` (empty or too long). Nothing changes when it refuses;
    ``forbidden`` and ``not_found`` are audited as ``authz.denied``.
    """
    return _decide(
        actor=actor,
        declaration=declaration,
        status=DeclarationStatus.REJECTED,
        note=note,
        expected_version=expected_version,
        duplicate_of=None,
        request=request,
        action="declaration.reject",
    )


def declaration_mark_duplicate(
    *,
    actor: Any,
    declaration: Declaration,
    note: str,
    expected_version: int,
    duplicate_of: Declaration | None = None,
    request: HttpRequest | None = None,
) -> Declaration:
    """Mark a new declaration as a duplicate (重复申报), optionally of another declaration in
    the actor's scope. Refuses like :func:`declaration_reject`, and ``duplicate_of`` when the
    original is the declaration itself or outside the scope."""
    return _decide(
        actor=actor,
        declaration=declaration,
        status=DeclarationStatus.DUPLICATE,
        note=note,
        expected_version=expected_version,
        duplicate_of=duplicate_of,
        request=request,
        action="declaration.mark_duplicate",
    )


def declaration_accept(
    *,
    actor: Any,
    declaration: Declaration,
    clue_public_id: uuid.UUID,
    expected_version: int,
    note: str = "",
    request: HttpRequest | None = None,
) -> Declaration:
    """Mark a new declaration accepted (已转线索) into the clue ``clue_public_id``.

    Called by casework (``fangpin.casework.declarations.clue_from_declaration``) in the
    transaction that creates or merges the clue; refuses like :func:`declaration_reject`.
    """
    return _decide(
        actor=actor,
        declaration=declaration,
        status=DeclarationStatus.ACCEPTED,
        note=note,
        expected_version=expected_version,
        duplicate_of=None,
        request=request,
        action="declaration.accept",
        clue_public_id=clue_public_id,
    )


def declarations_purge(*, actor: Any, now: datetime | None = None) -> int:
    """Delete rejected and duplicate declarations decided more than
    :data:`KEEP_DAYS_NOT_ACCEPTED` days ago (PIPL Art. 19, 47); return how many.

    Only a system actor may purge. New and accepted declarations are never deleted here.
    Idempotent; audited as ``declaration.purge`` with the count.
    """
    if not is_system_actor(actor):
        raise IntakeError("forbidden", "只有系统任务可以清理过期申报")
    cutoff = (now or timezone.now()) - timedelta(days=KEEP_DAYS_NOT_ACCEPTED)
    doomed = Declaration.objects.filter(
        status__in=[DeclarationStatus.REJECTED, DeclarationStatus.DUPLICATE],
        decided_at__lt=cutoff,
    )
    with transaction.atomic():
        ids = list(doomed.values_list("pk", flat=True))
        # A younger duplicate may name a doomed original: it keeps its own reason only.
        Declaration.objects.filter(Q(duplicate_of__in=ids) & ~Q(pk__in=ids)).update(
            duplicate_of=None
        )
        Declaration.objects.filter(pk__in=ids).update(duplicate_of=None)
        deleted, _by_model = Declaration.objects.filter(pk__in=ids).delete()
        audit_record(
            actor=actor,
            action="declaration.purge",
            object_type="declaration",
            object_id=cutoff.date().isoformat(),
            changes={"before": cutoff.date().isoformat(), "deleted": deleted},
        )
    return deleted
