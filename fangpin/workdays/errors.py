"""Errors of the working-day calendar: a stable ``code`` and a Chinese ``message``."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["ERROR_CODES", "WorkdaysError", "WorkdaysValidationError"]

# Every code a lookup or a data file can fail with; tests assert each one.
ERROR_CODES = (
    "year_not_covered",  # a date in a year no data file covers (never guessed)
    "negative_days",  # add_working_days was asked for fewer than 0 days
    "invalid_data",  # the data files have problems (WorkdaysValidationError lists them)
    "no_data",  # the data directory does not exist or holds no <year>.toml
    "toml_syntax",  # not UTF-8 or not valid TOML
    "missing_key",  # a required key is absent
    "wrong_type",  # a value of the wrong type (a date must be a TOML date: 2024-10-01)
    "unknown_key",  # a key the format does not know (typos must not pass silently)
    "bad_value",  # right type but empty
    "year_mismatch",  # the file name is not <year>.toml for the year inside it
    "outside_year",  # a date not in the file's year
    "bad_range",  # a holiday that ends before it starts
    "day_count",  # a holiday's ``days`` (the notice's 共N天) disagrees with its dates
    "duplicate_date",  # a date listed twice (two holidays overlap, or a working day twice)
    "holiday_and_working",  # a date both a holiday rest day and an adjusted working day
    "working_not_weekend",  # an adjusted working day (调休上班) that is Monday to Friday
    "unknown_holiday",  # a holiday name that is not one of the seven public holidays
    "missing_holiday",  # one of the seven public holidays is not listed for the year
    "years_not_contiguous",  # a gap between covered years (2020, 2022 without 2021)
)


class WorkdaysError(ValueError):
    """One problem with a working-day lookup or a calendar data file.

    ``code`` is stable (see :data:`ERROR_CODES`); ``message`` is Chinese and, for data
    problems, starts with the file and key.
    """

    def __init__(self, code: str, message: str, *, file: str = "", key: str = "") -> None:
        assert code in ERROR_CODES, code
        super().__init__(message)
        self.code = code
        self.message = message
        self.file = file
        self.key = key

    def __repr__(self) -> str:
        return f"WorkdaysError({self.code!r}, {self.message!r})"


class WorkdaysValidationError(WorkdaysError):
    """Every problem found while loading the calendar data, reported at once.

    A :class:`WorkdaysError` with code ``invalid_data``, so callers that catch
    ``WorkdaysError`` catch this too; ``errors`` holds the individual problems.
    """

    def __init__(self, errors: Sequence[WorkdaysError]) -> None:
        self.errors = tuple(errors)
        lines = "\n".join(f"[{e.code}] {e.message}" for e in self.errors)
        super().__init__("invalid_data", f"工作日历数据有误（共 {len(self.errors)} 处）：\n{lines}")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(e.code for e in self.errors)
