"""Domain errors of intake: a stable ``code``, a Chinese ``message`` and the form ``field``.

Codes: ``name``, ``phone``, ``id_number``, ``village``, ``risk_type``, ``difficulty``
(a field of the declaration is missing or invalid; ``field`` names it), ``consent`` (the
consent box was not ticked, or an unknown consent text version), ``forbidden`` (no
``clue.verify``), ``not_found`` (no such declaration, or outside the actor's scope — the same
answer), ``note`` (a decision without a reason, or one too long), ``duplicate_of`` (the
declaration named as the original is itself, missing or outside the scope), ``decided`` (the
declaration was already decided — HTTP 409), ``stale`` (it changed since it was read — HTTP
409). Never change a code that has shipped.
"""

from __future__ import annotations

from typing import Final

from fangpin.core.errors import FangpinError

__all__ = ["CONFLICT_CODES", "IntakeError"]

#: Codes that mean "someone else got there first": views answer 409.
CONFLICT_CODES: Final = frozenset({"decided", "stale"})


class IntakeError(FangpinError):
    """A declaration or a decision on one that the service refuses."""

    def __init__(self, code: str, message: str, *, field: str = "") -> None:
        super().__init__(code, message)
        self.field = field

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (self.code, self.message, self.field))

    @property
    def is_conflict(self) -> bool:
        return self.code in CONFLICT_CODES


def _rebuild(code: str, message: str, field: str) -> IntakeError:
    return IntakeError(code, message, field=field)
