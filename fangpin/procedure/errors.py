"""Errors of the procedure core: a stable ``code``, a Chinese ``message`` and a 409 flag."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fangpin.procedure.guards import GuardResult

__all__ = ["CONFLICT_CODES", "ERROR_CODES", "ProcedureError"]

# Every code ``decide`` and its helpers can refuse with; tests assert each one.
ERROR_CODES = (
    "wrong_step",  # the action is not the next step (a skip, or a step of the other kind)
    "level",  # the actor's level may not take this step (a village user deciding for the county)
    "own_submission",  # approving an item the approver submitted, recorded or reviewed
    "already_decided",  # 409: the decision was already made (second approval, closed case)
    "returned",  # 409: the item was returned (退回) and waits for resubmission
    "stale",  # 409: the case changed since the caller read it (concurrent decisions)
    "not_returned",  # resubmitting an item that was not returned
    "notice_running",  # county approval before the village notice ended
    "notice_closed",  # an objection outside the notice period
    "notice_too_short",  # a notice shorter than the edition's notice_days
    "objection_open",  # county approval while an objection is not re-checked
    "unknown_objection",  # resolving an objection number the case does not have
    "fast_track_not_allowed",  # 先帮后认 for a risk or an edition that does not allow it
    "guard_failed",  # county approval of an elimination whose guards fail
    "facts_required",  # an elimination approval without the household facts
    "reason_required",  # return, reject or rollback without a reason
    "bad_date",  # a date before the last transition, or a notice before the appraisal
    "unknown_object_type",  # a monitoring-object type not in the edition
    "unknown_risk",  # a risk type not in the edition
    "no_risk",  # recording a monitoring object without a risk type
    "too_many_risks",  # more risk types than risks.max_per_household, or one twice
    "not_eliminated",  # re-opening a case that is not an eliminated elimination case
)

# Codes that mean "someone already decided": the web layer answers HTTP 409.
CONFLICT_CODES = frozenset({"already_decided", "returned", "stale"})


class ProcedureError(ValueError):
    """A refused action. Nothing changed: the case passed in is still the current one.

    ``code`` is stable (:data:`ERROR_CODES`), ``message`` is Chinese and shown to the user,
    ``conflict`` is True for the 409 codes, ``guards`` lists the failing elimination guards
    for ``guard_failed``.
    """

    def __init__(self, code: str, message: str, *, guards: tuple[GuardResult, ...] = ()) -> None:
        if code not in ERROR_CODES:
            raise AssertionError(f"unknown procedure error code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message
        self.conflict = code in CONFLICT_CODES
        self.guards = guards

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"
