"""The one error the assistance-force services raise: a code for tests, Chinese for people."""

from __future__ import annotations

__all__ = ["ForceError"]


class ForceError(Exception):
    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
