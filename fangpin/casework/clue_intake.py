"""Clues from the other channels (DOMAIN.md §3.1): hotline entries and cadre sweeps typed by
staff, and households' self-declarations (农户自主申报, :mod:`fangpin.intake`) accepted into
a clue. Screening clues come from the monthly run (:mod:`fangpin.casework.writeback`).

A clue of a channel merges into the household's pending clue of that channel (one pending
clue per household and channel), so a household declaring twice, or called in twice, is one
clue to verify. Its deadline is ``procedure.verification_days`` after it was received, in the
edition's days. Clues of these channels carry no warnings: the village verifies them with one
outcome (:func:`fangpin.casework.verification.clue_verify` with ``outcome=``), and a 属实
clue opens the household's identification case like a screening clue.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from fangpin.casework._common import audit_denied
from fangpin.casework.access import clue_verify_prefix
from fangpin.casework.errors import CaseworkError
from fangpin.casework.models import Clue, ClueChannel, ClueStatus
from fangpin.casework.writeback import verify_deadline_for
from fangpin.core.audit import audit_record
from fangpin.intake.errors import IntakeError
from fangpin.intake.models import Declaration, DeclarationStatus
from fangpin.intake.services import declaration_accept
from fangpin.policy import resolve
from fangpin.registry.models import ACTIVE, Household
from fangpin.workdays import WorkdaysError

__all__ = ["STAFF_CHANNELS", "clue_from_declaration", "clue_record"]

#: The channels staff type in themselves.
STAFF_CHANNELS: Final = (ClueChannel.HOTLINE, ClueChannel.SWEEP)
_NOTE_MAX: Final = 500


def _require(actor: Any, household: Household, what: str, request: HttpRequest | None) -> None:
    prefix = clue_verify_prefix(actor)
    if prefix is None or not household.village_id.startswith(prefix):
        audit_denied(actor, what, request, "forbidden")
        raise CaseworkError("forbidden", "没有为该户登记线索的权限（农户不在您的辖区内）")
    if household.status != ACTIVE:
        raise CaseworkError("household", f"农户{household.household_number}已注销")


def _pending_or_new(
    household: Household, channel: str, received_on: date, note: str
) -> tuple[Clue, bool]:
    """The household's pending clue of ``channel`` (locked), or a new one: (clue, created)."""
    existing = (
        Clue.objects.select_for_update()
        .filter(household=household, channel=channel, status=ClueStatus.PENDING)
        .first()
    )
    if existing is not None:
        return existing, False
    try:
        deadline = verify_deadline_for(
            received_on, resolve(received_on.year, household.village_id[:6])
        )
    except WorkdaysError as exc:
        raise CaseworkError("deadline", f"无法计算核实期限：{exc.message}") from exc
    clue = Clue.objects.create(
        household=household,
        village_code=household.village_id,
        channel=channel,
        received_on=received_on,
        verify_deadline=deadline,
        note=note,
    )
    return clue, True


def clue_record(
    *,
    actor: Any,
    household: Household,
    channel: str,
    note: str,
    received_on: date | None = None,
    request: HttpRequest | None = None,
) -> Clue:
    """A hotline entry (12317热线) or a cadre's sweep finding (走访排查) for ``household``.

    Refuses ``forbidden`` (no ``clue.verify`` or the household outside the scope), ``channel``
    (not hotline or sweep), ``note`` (empty or longer than 500 characters), ``bad_date`` (in
    the future). Merges into the household's pending clue of the channel.
    """
    _require(actor, household, "clue.record", request)
    if channel not in STAFF_CHANNELS:
        raise CaseworkError("channel", "只能登记热线或走访排查线索")
    text = (note or "").strip()
    if not text or len(text) > _NOTE_MAX:
        raise CaseworkError("note", f"请填写线索内容（不超过 {_NOTE_MAX} 字）")
    received_on = received_on or timezone.localdate()
    if received_on > timezone.localdate():
        raise CaseworkError("bad_date", f"接收日期{received_on.isoformat()}不能晚于今天")
    with transaction.atomic():
        clue, created = _pending_or_new(household, channel, received_on, text)
        audit_record(
            actor=actor,
            action="clue.record" if created else "clue.merge",
            object_type="clue",
            object_id=clue.public_id,
            changes={"channel": channel, "received_on": received_on.isoformat(), "note": text},
            request=request,
        )
    return clue


def clue_from_declaration(
    *,
    actor: Any,
    declaration: Declaration,
    household: Household,
    expected_version: int,
    request: HttpRequest | None = None,
) -> Clue:
    """Accept a self-declaration into a clue of ``household`` (the one its ID number matched,
    or the one the cadre found), received on the day it was submitted.

    Refuses ``forbidden`` (outside the scope), the intake's ``decided`` / ``stale`` (409), and
    nothing changes then.
    """
    _require(actor, household, "declaration.accept", request)
    if declaration.status != DeclarationStatus.NEW:
        raise CaseworkError("verified", "该申报已处理，不能重复处理")
    received_on = timezone.localtime(declaration.submitted_at).date()
    with transaction.atomic():
        clue, created = _pending_or_new(
            household, ClueChannel.SELF_DECLARED, received_on, f"自主申报 {declaration.reference}"
        )
        try:
            declaration_accept(
                actor=actor,
                declaration=declaration,
                clue_public_id=clue.public_id,
                expected_version=expected_version,
                request=request,
            )
        except IntakeError as exc:
            code = "stale" if exc.code in ("stale", "decided") else "forbidden"
            raise CaseworkError(code, exc.message) from None
        audit_record(
            actor=actor,
            action="clue.record" if created else "clue.merge",
            object_type="clue",
            object_id=clue.public_id,
            changes={
                "channel": ClueChannel.SELF_DECLARED.value,
                "declaration": declaration.reference,
            },
            request=request,
        )
    return clue
