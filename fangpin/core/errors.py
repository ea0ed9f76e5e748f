"""Domain errors of the core app: a stable machine-readable ``code`` and a Chinese ``message``.

Services raise these before touching the database, so callers (the CLI, views, the API) can show
the message and branch on the code. Never change a code that has shipped.
"""

from __future__ import annotations

__all__ = ["AccessError", "AuditError", "FangpinError", "RegionError"]


class FangpinError(ValueError):
    """Base of the core's domain errors: ``code`` is stable, ``message`` is Chinese."""

    code: str
    message: str

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __reduce__(self) -> tuple[object, ...]:
        # The default reduction would call the class with the message alone and fail on
        # unpickling (task queues pickle exceptions).
        return (type(self), (self.code, self.message))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class RegionError(FangpinError):
    """A region load or lookup the core refuses. ``str(exc)`` is the Chinese message.

    Codes: ``source`` (missing source files), ``malformed`` (a bad row or header in a source
    file; the message names the file and line), ``under`` (bad or unknown scope code),
    ``edition`` (not a 4-digit year).
    """


class AuditError(FangpinError):
    """An audit-log operation the core refuses. ``str(exc)`` is the Chinese message.

    Codes: ``retention`` (purge cut-off younger than 180 days), ``reason`` (unmasking without a
    reason), ``row_count`` (a negative export row count).
    """


class AccessError(FangpinError):
    """A role or access change the core refuses. ``str(exc)`` is the Chinese message.

    Codes: ``forbidden`` (the actor may not manage roles), ``self`` (changing one's own role),
    ``role`` (unknown role), ``region_required`` / ``region_level`` / ``region_abolished`` (the
    home region is missing, at the wrong level for the role, or abolished).
    """
