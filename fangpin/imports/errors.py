"""Domain errors of the imports: a stable ``code``, a Chinese ``message`` and the batch."""

from __future__ import annotations

from fangpin.core.errors import FangpinError

__all__ = ["ImportAlreadyAppliedError", "ImportApplyError", "ImportError_", "ImportFileError"]


class ImportError_(FangpinError):  # the trailing underscore keeps clear of builtins.ImportError
    """Base of the import errors. ``batch_id`` names the batch concerned (or None).

    Codes: ``forbidden`` (no ``registry.edit``), ``entity`` / ``mode`` (unknown), ``not_found``
    (no such batch in the actor's scope), plus those of the subclasses.
    """

    batch_id: object

    def __init__(self, code: str, message: str, batch_id: object = None) -> None:
        super().__init__(code, message)
        self.batch_id = batch_id

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.code, self.message, self.batch_id))


class ImportFileError(ImportError_):
    """The file as a whole is refused (unsafe, unreadable, empty, missing columns); the batch
    is recorded as ``refused``. Codes: those of ``fangpin.sheets.SheetError`` and ``columns``."""


class ImportAlreadyAppliedError(ImportError_):
    """The same file (sha256, entity, mode, scope) was already applied (REL-IDEM-1), or the
    batch was applied by a concurrent request. Code ``applied``."""


class ImportApplyError(ImportError_):
    """Apply refused; nothing written. Codes: ``has_errors``, ``status``, ``stale`` (the
    registry changed since the check: a person now registered, a household gone …),
    ``staged_missing``."""
