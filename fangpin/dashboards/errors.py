"""The one error the dashboards' services raise: a code for tests, a Chinese message for people."""

from __future__ import annotations

__all__ = ["DashboardError"]


class DashboardError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
