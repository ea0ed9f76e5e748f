"""Errors of the integrity core: a stable ``code`` and a Chinese ``message``."""

from __future__ import annotations

__all__ = ["ERROR_CODES", "IntegrityError"]

#: Every code the core can refuse with; tests assert each one.
ERROR_CODES = (
    "columns",  # a table lacks a column a detector reads
    "types",  # a column has a type that is not the contract's kind (integer, money, date …)
    "nulls",  # a non-nullable column holds nulls
    "region",  # a village code that is not 12 ASCII digits
    "duplicate",  # a key repeated: household, person, finance year or visit
    "settings",  # an IntegritySettings value out of range
    "lines",  # a detector needs an income line the settings do not give
)


class IntegrityError(ValueError):
    """Input the detectors cannot read. Nothing was computed."""

    def __init__(self, code: str, message: str) -> None:
        if code not in ERROR_CODES:
            raise AssertionError(f"unknown integrity error code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"
