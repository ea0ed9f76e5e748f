"""Errors of the evaluation app: a stable ``code`` and a Chinese ``message``."""

from __future__ import annotations

from fangpin.core.errors import FangpinError

__all__ = ["EvaluationError"]


class EvaluationError(FangpinError):
    """A refused evaluation operation; nothing was written.

    Codes: ``forbidden`` (no right to this step), ``region`` (not a county, or outside the
    scope), ``frame`` (too few villages or households to sample), ``design`` (the sampling core
    refused the design), ``closed`` (the campaign no longer takes surveys), ``stale`` (409: the
    survey changed since the form was read), ``survey`` (an inconsistent survey answer),
    ``no_data`` (nothing to measure: no finances or conditions for the year).
    """

    CONFLICT_CODES = frozenset({"stale"})

    @property
    def conflict(self) -> bool:
        return self.code in self.CONFLICT_CODES
