"""Errors of the ledger core: a stable ``code``, a Chinese ``message`` and a 409 flag."""

from __future__ import annotations

__all__ = ["CONFLICT_CODES", "ERROR_CODES", "LedgerError"]

# Every code the core can refuse with; tests assert each one.
ERROR_CODES = (
    "wrong_status",  # the action does not apply to the problem's status (closing an open item)
    "already_closed",  # 409: the problem was closed (销号) already
    "self_close",  # the verifier is who reported the fix: closing needs someone else
    "evidence_required",  # reporting a fix without closure evidence
    "note_required",  # a fix, a check or a return without its text
    "bad_date",  # a decision dated before the finding or before the last decision
    "bad_problem",  # a new problem missing what the ledger needs (region, unit, deadline …)
)

CONFLICT_CODES = frozenset({"already_closed"})


class LedgerError(ValueError):
    """A refused action. Nothing changed: the problem passed in is still the current one."""

    def __init__(self, code: str, message: str) -> None:
        if code not in ERROR_CODES:
            raise AssertionError(f"unknown ledger error code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message
        self.conflict = code in CONFLICT_CODES

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"
