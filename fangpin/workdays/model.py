"""The loaded calendar: one :class:`YearCalendar` per notice, and the working-day arithmetic.

**Convention** (工作日计算口径). A deadline of *n* working days from ``start`` is the *n*-th
working day **after** ``start``: the start day itself is never counted, whether or not it is a
working day. Example: a clue received on Friday 2024-09-27 with 15 working days ends on
2024-10-23 — Sunday 09-29 is an adjusted working day (1), 09-30 (2), 10-01 to 10-07 are the
National Day rest days, 10-08 to 10-11 (3–6), Saturday 10-12 is an adjusted working day (7),
10-14 to 10-18 (8–12), 10-21 to 10-23 (13–15).

``working_days_between(start, end)`` counts the working days ``d`` with ``start < d <= end``
(negative when ``end`` is before ``start``), so
``working_days_between(start, add_working_days(start, n)) == n`` for every ``n >= 0``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from fangpin.workdays.errors import WorkdaysError

__all__ = ["PUBLIC_HOLIDAYS", "Holiday", "WorkdayCalendar", "YearCalendar"]

# The seven public holidays of the State Council's annual notice, in the notice's order.
# A notice may merge two (2020 国庆节、中秋节; 2023 中秋节、国庆节) into one entry.
PUBLIC_HOLIDAYS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")

_ONE_DAY = timedelta(days=1)
_WEEKDAY_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def weekday_zh(d: date) -> str:
    """星期一 … 星期日 for ``d``."""
    return _WEEKDAY_ZH[d.weekday()]


def is_weekend(d: date) -> bool:
    return d.weekday() >= 5


@dataclass(frozen=True, slots=True)
class Holiday:
    """One item of a notice: the rest days ``start``–``end`` and their adjusted working days.

    ``days`` is the notice's "共N天" when it prints one (checked against the dates); ``note``
    records where the file departs from the notice's wording (an amendment, a day in the
    previous year) and ``source`` the document behind that note.
    """

    name: str
    start: date
    end: date
    working: tuple[date, ...] = ()
    days: int | None = None
    note: str = ""
    source: str = ""

    @property
    def dates(self) -> tuple[date, ...]:
        count = (self.end - self.start).days + 1
        return tuple(self.start + timedelta(days=i) for i in range(max(count, 0)))

    @property
    def festivals(self) -> tuple[str, ...]:
        """The public holidays this item covers: ``国庆节、中秋节`` covers two."""
        return tuple(part.strip() for part in self.name.split("、"))


@dataclass(frozen=True, slots=True)
class YearCalendar:
    """The official working-day calendar of one year, from that year's notice.

    ``confirmed`` is False when no source confirmed the dates; ``note`` then says why.
    """

    year: int
    title: str
    document: str
    issued: date | None
    source: str
    confirmed: bool
    note: str
    file: str
    holidays: tuple[Holiday, ...]
    rest_days: frozenset[date] = field(init=False)
    adjusted_working_days: frozenset[date] = field(init=False)

    def __post_init__(self) -> None:
        rest = frozenset(d for h in self.holidays for d in h.dates)
        working = frozenset(d for h in self.holidays for d in h.working)
        object.__setattr__(self, "rest_days", rest)
        object.__setattr__(self, "adjusted_working_days", working)

    def is_working_day(self, d: date) -> bool:
        if d in self.adjusted_working_days:
            return True
        return not (d in self.rest_days or is_weekend(d))

    @property
    def working_day_count(self) -> int:
        first = date(self.year, 1, 1)
        days = (date(self.year + 1, 1, 1) - first).days
        return sum(self.is_working_day(first + timedelta(days=i)) for i in range(days))


@dataclass(frozen=True, slots=True)
class WorkdayCalendar:
    """Every covered year (contiguous), and the working-day arithmetic over them."""

    years: Mapping[int, YearCalendar]
    directory: str = ""

    def calendar_years(self) -> range:
        """The covered years, e.g. ``range(2020, 2027)``."""
        return range(min(self.years), max(self.years) + 1)

    def year(self, year: int) -> YearCalendar:
        """The calendar of ``year``; ``year_not_covered`` when no file covers it."""
        found = self.years.get(year)
        if found is None:
            covered = self.calendar_years()
            raise WorkdaysError(
                "year_not_covered",
                f"{year} 年不在工作日历范围内（已录入 {covered.start}–{covered.stop - 1} 年）；"
                "不按普通周末推算，请先录入国务院办公厅当年的节假日安排通知（见 docs/workdays.md）",
            )
        return found

    def _covered(self, d: date) -> YearCalendar:
        if d.year not in self.years:
            covered = self.calendar_years()
            raise WorkdaysError(
                "year_not_covered",
                f"{d.isoformat()} 所在的 {d.year} 年不在工作日历范围内"
                f"（已录入 {covered.start}–{covered.stop - 1} 年）；不按普通周末推算，"
                "请先录入国务院办公厅当年的节假日安排通知（见 docs/workdays.md）",
            )
        return self.years[d.year]

    def is_working_day(self, d: date) -> bool:
        """True for a working day (工作日): Monday–Friday not a holiday, or 调休上班."""
        return self._covered(d).is_working_day(d)

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself is not counted).

        ``days == 0`` gives ``start``. Every day walked over, ``start`` included, must fall
        in a covered year, otherwise ``year_not_covered``.
        """
        if days < 0:
            raise WorkdaysError(
                "negative_days", f"工作日天数不能为负数（{days}）：期限只能向后推算"
            )
        current = start
        year = self._covered(current)
        remaining = days
        while remaining:
            current += _ONE_DAY
            if current.year != year.year:
                year = self._covered(current)
            if year.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days ``d`` with ``start < d <= end``; negative when ``end < start``."""
        if end < start:
            return -self.working_days_between(end, start)
        self._covered(start)
        self._covered(end)
        count = 0
        current = start + _ONE_DAY
        while current <= end:
            count += self.years[current.year].is_working_day(current)
            current += _ONE_DAY
        return count
