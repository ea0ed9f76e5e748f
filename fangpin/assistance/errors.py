"""Domain errors of assistance: a stable ``code``, a Chinese ``message`` and the form ``field``.

Codes: ``forbidden`` (no ``plan.edit``), ``not_found`` (no such household or measure, or outside
the actor's scope — the same answer), ``not_monitored`` (the household has no monitoring spell,
so no plan), ``category``, ``item``, ``department``, ``responsible_person``, ``person``,
``risk_types``, ``dates``, ``amount``, ``status``, ``evidence``, ``reason`` (a field of a
measure is missing or invalid; ``field`` names it), ``stopped`` (the measure is already
stopped), ``stale`` (it changed since it was read — HTTP 409), ``visited_on``, ``findings``,
``photos`` (a visit field; photos: not JPEG/PNG by their bytes, too large, too many).
Never change a code that has shipped.
"""

from __future__ import annotations

from typing import Final

from fangpin.core.errors import FangpinError

__all__ = ["CONFLICT_CODES", "AssistanceError"]

#: Codes that mean "someone else got there first": views answer 409.
CONFLICT_CODES: Final = frozenset({"stale", "stopped"})


class AssistanceError(FangpinError):
    """A plan, measure or visit write that the service refuses."""

    def __init__(self, code: str, message: str, *, field: str = "") -> None:
        super().__init__(code, message)
        self.field = field

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (self.code, self.message, self.field))

    @property
    def is_conflict(self) -> bool:
        return self.code in CONFLICT_CODES


def _rebuild(code: str, message: str, field: str) -> AssistanceError:
    return AssistanceError(code, message, field=field)
