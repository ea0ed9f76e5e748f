"""Errors of the supervision app: a stable ``code`` and a Chinese ``message``."""

from __future__ import annotations

from fangpin.core.errors import FangpinError

__all__ = ["SupervisionError"]


class SupervisionError(FangpinError):
    """A refused ledger operation; nothing was written.

    Codes: ``forbidden`` (no right to this step), ``not_found`` (no such problem, or one
    outside the scope), ``region`` (an unknown region, or one outside the scope), ``household``
    (a household outside the problem's region or the scope), ``stale`` (409: the problem
    changed since the page was read), and every code of :class:`fangpin.ledger.LedgerError`
    (``already_closed`` is 409 too).
    """

    CONFLICT_CODES = frozenset({"stale", "already_closed"})

    @property
    def conflict(self) -> bool:
        return self.code in self.CONFLICT_CODES
