"""Record the village's verification of a clue (线索核实): one outcome per warning.

A clue found 属实 opens the household's identification case (识别认定), or merges into the
one already open (:func:`fangpin.casework.cases.open_for_clue`), in the same transaction.

Optimistic concurrency: the caller names the clue version it read; the write is a conditional
update on that version, so two cadres saving the same clue cannot both succeed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from fangpin.casework._common import audit_denied
from fangpin.casework.access import clue_verify_prefix
from fangpin.casework.cases import open_for_clue
from fangpin.casework.errors import CaseworkError
from fangpin.casework.models import Clue, ClueStatus, Outcome, Warning
from fangpin.core.audit import audit_record, user_or_none

__all__ = ["clue_outcome", "clue_verify"]

_NOTE_MAX: Final = 500

#: Derivation order of a clue's outcome from its warnings' outcomes (first present wins).
_OUTCOME_PRECEDENCE: Final = (
    Outcome.CONFIRMED,
    Outcome.ALREADY_MONITORED,
    Outcome.CIVIL_AFFAIRS,
    Outcome.UNFOUNDED,
)


def clue_outcome(outcomes: Mapping[str, str] | list[str]) -> str:
    """The clue's outcome from its warnings' outcomes: 属实 if any warning is 属实, else 已在监测
    if any, else 转民政 if any, else 不属实 (the household's most serious finding decides)."""
    present = set(outcomes.values() if isinstance(outcomes, Mapping) else outcomes)
    for outcome in _OUTCOME_PRECEDENCE:
        if outcome in present:
            return str(outcome)
    raise ValueError("a clue's outcome needs at least one warning outcome")


def clue_verify(
    *,
    actor: Any,
    clue: Clue,
    outcomes: dict[str, str],
    note: str,
    expected_version: int,
    request: HttpRequest | None = None,
    outcome: str | None = None,
) -> Clue:
    """Record the village's verification of ``clue``: one outcome per warning (public id →
    ``confirmed`` / ``unfounded`` / ``already_monitored`` / ``civil_affairs``) and a note; a
    clue without warnings (hotline, sweep, self-declaration) takes one ``outcome`` instead.

    Refuses: ``forbidden`` (no ``clue.verify`` or the clue's village is outside the scope),
    ``verified`` (already verified), ``stale`` (``expected_version`` is not the clue's version:
    someone changed it since it was read), ``outcome`` (a warning without an outcome, an
    unknown outcome, or an id that is not the clue's). Nothing changes when it refuses.
    """
    prefix = clue_verify_prefix(actor)
    if prefix is None or not clue.village_code.startswith(prefix):
        audit_denied(actor, "clue.verify", request, "forbidden")
        raise CaseworkError("forbidden", "没有核实该线索的权限（线索不在您的辖区内）")
    current = Clue.objects.filter(pk=clue.pk).values("status", "version").first()
    if current is None:
        raise CaseworkError("forbidden", "线索不存在")
    if current["status"] == ClueStatus.VERIFIED:
        raise CaseworkError("verified", "该线索已核实，不能重复核实")
    if current["version"] != expected_version:
        raise CaseworkError("stale", "该线索已被他人修改，请刷新后重试")
    warnings = {str(w.public_id): w for w in Warning.objects.filter(clue=clue)}
    given = {str(key): str(value) for key, value in outcomes.items()}
    if not warnings:  # a hotline, sweep or self-declared clue: one outcome for the clue
        if outcome not in Outcome.values:
            raise CaseworkError("outcome", "请选择核实结果")
        given = {}
    else:
        unknown = sorted(set(given) - set(warnings))
        if unknown:
            raise CaseworkError("outcome", "核实结果中有不属于该线索的预警")
        missing = [w for key, w in warnings.items() if key not in given]
        if missing:
            raise CaseworkError("outcome", f"还有 {len(missing)} 条预警未填写核实结果")
        bad = sorted({value for value in given.values() if value not in Outcome.values})
        if bad:
            raise CaseworkError("outcome", f"未知的核实结果：{'、'.join(bad)}")
        outcome = clue_outcome(given)
    note = note.strip()
    if len(note) > _NOTE_MAX:
        raise CaseworkError("outcome", f"核实说明不能超过 {_NOTE_MAX} 字")
    assert outcome is not None
    now = timezone.now()
    user = user_or_none(actor)
    with transaction.atomic():
        moved = Clue.objects.filter(
            pk=clue.pk, version=expected_version, status=ClueStatus.PENDING
        ).update(
            status=ClueStatus.VERIFIED,
            outcome=outcome,
            verified_by=user,
            verified_at=now,
            note=note,
            version=expected_version + 1,
        )
        if not moved:  # changed between the check and the write
            raise CaseworkError("stale", "该线索已被他人修改，请刷新后重试")
        for value in Outcome.values:
            ids = [warnings[key].pk for key, given_value in given.items() if given_value == value]
            if ids:
                Warning.objects.filter(pk__in=ids).update(
                    outcome=value, outcome_note=note, verified_by=user, verified_at=now
                )
        audit_record(
            actor=actor,
            action="clue.verify",
            object_type="clue",
            object_id=clue.public_id,
            changes={
                "outcome": outcome,
                "warnings": dict(sorted(given.items())),
                "version": expected_version + 1,
            },
            request=request,
        )
        if outcome == Outcome.CONFIRMED:  # 属实: the identification procedure starts
            open_for_clue(actor=actor, clue=clue, on=clue.received_on, request=request)
    clue.refresh_from_db()
    return clue
