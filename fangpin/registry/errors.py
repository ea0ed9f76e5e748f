"""Domain errors of the registry: a stable machine-readable ``code`` and a Chinese ``message``.

Services raise these before the database would refuse a write, so callers (views, the API, the
Excel importer, the CLI) can show the message and branch on the code. The codes are listed in
docs/registry.md; never change one that has shipped.
"""

from __future__ import annotations

__all__ = ["RegistryError", "StaleVersionError"]


class RegistryError(Exception):
    """A write the registry refuses. ``str(exc)`` is the Chinese message."""

    code: str
    message: str
    field: str | None

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def __reduce__(self) -> tuple[object, ...]:
        # The default reduction would call RegistryError(message) and fail on unpickling
        # (task queues pickle exceptions).
        return (_rebuild, (type(self), self.code, self.message, self.field))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class StaleVersionError(RegistryError):
    """The row changed since the caller read it (optimistic concurrency)."""

    def __init__(
        self,
        code: str = "stale",
        message: str = "该记录已被他人修改，请刷新后重试",
        *,
        field: str | None = None,
    ) -> None:
        super().__init__(code, message, field=field)


def _rebuild(cls: type[RegistryError], code: str, message: str, field: str | None) -> RegistryError:
    error = cls.__new__(cls)
    RegistryError.__init__(error, code, message, field=field)
    return error
