"""Errors of the screening engine: a stable ``code`` and a Chinese ``message``."""

from __future__ import annotations

__all__ = ["ScreeningError"]


class ScreeningError(ValueError):
    """Bad input or a failed run. ``code`` is stable; ``message`` is plain Chinese.

    Codes: ``no_input`` (the directory is missing), ``missing_table`` (a contract file is
    missing), ``contract`` (a column is missing, extra, mistyped or null where it may not be;
    the message names the file and the column), ``unreadable`` (not a Parquet file),
    ``bad_month`` (``--month`` is not ``YYYY-MM`` or lies outside the year), ``unknown_rule``,
    ``engine`` (an unknown engine, or Spark cannot start: no PySpark, no Java).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
