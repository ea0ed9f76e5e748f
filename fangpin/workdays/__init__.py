"""China's official working-day calendar (工作日历), kept as data, and deadline arithmetic.

Casework deadlines are counted in working days (工作日): Saturdays and Sundays are rest days
except the adjusted working days (调休上班), and the public holidays of the State Council's
annual notice (国务院办公厅关于某年部分节假日安排的通知) are rest days. Each year's notice
lives in ``data/<year>.toml`` with its document number and source; a date in a year without
a file is the error ``year_not_covered``, never a guess.

Convention: ``add_working_days(start, n)`` is the n-th working day *after* ``start``
(``start`` is not counted); see :mod:`fangpin.workdays.model` for a worked example.

Pure core: standard library only, never Django.
"""

from __future__ import annotations

from datetime import date
from functools import cache

from fangpin.workdays.errors import ERROR_CODES, WorkdaysError, WorkdaysValidationError
from fangpin.workdays.loader import DEFAULT_DIRECTORY, load_calendar, parse_year
from fangpin.workdays.model import PUBLIC_HOLIDAYS, Holiday, WorkdayCalendar, YearCalendar

__all__ = [
    "DEFAULT_DIRECTORY",
    "ERROR_CODES",
    "PUBLIC_HOLIDAYS",
    "Holiday",
    "WorkdayCalendar",
    "WorkdaysError",
    "WorkdaysValidationError",
    "YearCalendar",
    "add_working_days",
    "calendar_years",
    "default_calendar",
    "is_working_day",
    "load_calendar",
    "parse_year",
    "working_days_between",
    "year_calendar",
]


@cache
def default_calendar() -> WorkdayCalendar:
    """The shipped calendar, loaded and validated once per process."""
    return load_calendar()


def _calendar(calendar: WorkdayCalendar | None) -> WorkdayCalendar:
    return calendar if calendar is not None else default_calendar()


def is_working_day(d: date, *, calendar: WorkdayCalendar | None = None) -> bool:
    """True when ``d`` is a working day (工作日); ``year_not_covered`` outside the data."""
    return _calendar(calendar).is_working_day(d)


def add_working_days(start: date, days: int, *, calendar: WorkdayCalendar | None = None) -> date:
    """The deadline ``days`` working days after ``start``: the n-th working day after it.

    ``start`` itself is not counted (a clue received on 2024-09-27 with 15 working days is
    due 2024-10-23); ``days == 0`` gives ``start``; negative ``days`` is ``negative_days``.
    """
    return _calendar(calendar).add_working_days(start, days)


def working_days_between(start: date, end: date, *, calendar: WorkdayCalendar | None = None) -> int:
    """Working days ``d`` with ``start < d <= end`` (negative when ``end`` is earlier)."""
    return _calendar(calendar).working_days_between(start, end)


def calendar_years(*, calendar: WorkdayCalendar | None = None) -> range:
    """The years the data covers, e.g. ``range(2020, 2027)``."""
    return _calendar(calendar).calendar_years()


def year_calendar(year: int, *, calendar: WorkdayCalendar | None = None) -> YearCalendar:
    """One year's notice: its holidays, adjusted working days and source."""
    return _calendar(calendar).year(year)
