"""Domain errors of casework: a stable ``code`` and a Chinese ``message``.

Codes: ``forbidden`` (no right, or the region/clue lies outside the actor's scope),
``region`` (a malformed region code), ``month`` (not a first day of a month, or an income year
that does not fit it), ``engine`` (unknown engine), ``run_active`` (a run of the same month and
region is queued or running — a conflict, HTTP 409), ``snapshot`` (the database snapshot
failed), ``screening`` (the screening failed: input or engine), ``deadline`` (the working-day
calendar does not cover the verification deadline), ``outcome`` (a missing, unknown or extra
warning outcome, or a note too long), ``stale`` (the clue changed since it was read — HTTP
409), ``verified`` (the clue is already verified — HTTP 409). Cases (识别认定/风险消除) refuse
with the procedure core's codes (``fangpin.procedure.ERROR_CODES``: ``wrong_step``, ``level``,
``own_submission``, ``notice_running``, …, of which ``already_decided`` and ``returned`` are
409 too) and ``already_open`` (409: the household has an open case), ``monitored`` (the
household is already a monitoring object), ``bad_date`` (a future date), ``details`` (a
recorded text too long), ``documents`` (a missing signed authorisation, a file that is not
PDF/JPEG/PNG, too large or too many), ``registry`` (the monitoring spell could not be
written). Never
change a code that has shipped.
"""

from __future__ import annotations

from typing import Final

from fangpin.core.errors import FangpinError

__all__ = ["CONFLICT_CODES", "CaseworkError"]

#: Codes that mean "someone else got there first": views and the API answer 409.
CONFLICT_CODES: Final = frozenset(
    {"run_active", "stale", "verified", "already_decided", "returned", "already_open"}
)


class CaseworkError(FangpinError):
    """A screening run or clue verification the service refuses."""

    @property
    def is_conflict(self) -> bool:
        return self.code in CONFLICT_CODES
