"""Overdue problems, their escalation, and the 清零 view (DOMAIN.md §8.2–§8.3).

A problem is overdue when it is still to be fixed (open, in progress or returned) after its
deadline; a fix reported and awaiting check is not the responsible unit's delay. Overdue
problems escalate by days late (:class:`EscalationRules`, data: a county sets its own). A
region is zeroed (清零) when none of its problems is still open — fixed awaiting check counts
as open until the independent check closes it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

from fangpin.ledger.model import Problem, Status

__all__ = [
    "ESCALATION_ZH",
    "TO_FIX",
    "Escalation",
    "EscalationRules",
    "Tally",
    "days_late",
    "days_overdue",
    "escalation",
    "is_zeroed",
    "level_for",
    "region_at",
    "tally",
]

#: Statuses the responsible unit still has to act on.
TO_FIX: Final = frozenset({Status.OPEN, Status.IN_PROGRESS, Status.RETURNED})

#: Digits of each level's part of a 12-digit code: province, prefecture, county, township,
#: village.
_LEVEL_DIGITS: Final = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}


class Escalation(StrEnum):
    TOWNSHIP = "township"  # 乡镇督办: past the deadline
    COUNTY = "county"  # 县级督办
    DISCIPLINE = "discipline"  # 移交纪检监察


ESCALATION_ZH: Final = {
    Escalation.TOWNSHIP: "逾期，乡镇督办",
    Escalation.COUNTY: "逾期较长，县级督办",
    Escalation.DISCIPLINE: "严重逾期，建议移交纪检监察",
}


@dataclass(frozen=True, slots=True)
class EscalationRules:
    """Days past the deadline at which a problem goes up a level."""

    county_after_days: int = 10
    discipline_after_days: int = 30

    def __post_init__(self) -> None:
        if not 0 < self.county_after_days < self.discipline_after_days:
            raise ValueError("升级天数须满足 0 < 县级督办 < 移交纪检")


def days_late(status: Status, deadline: date, today: date) -> int:
    """Days past ``deadline`` of a problem in ``status`` still to be fixed; 0 otherwise."""
    if status not in TO_FIX or today <= deadline:
        return 0
    return (today - deadline).days


def days_overdue(problem: Problem, today: date) -> int:
    """Days past the deadline for a problem still to be fixed; 0 otherwise."""
    return days_late(problem.status, problem.deadline, today)


def escalation(
    problem: Problem, today: date, rules: EscalationRules | None = None
) -> Escalation | None:
    """The level an overdue problem is escalated to; None when it is not overdue."""
    return level_for(days_overdue(problem, today), rules)


def level_for(late: int, rules: EscalationRules | None = None) -> Escalation | None:
    """The escalation level of a problem ``late`` days past its deadline (None at 0)."""
    rules = rules or EscalationRules()
    if late == 0:
        return None
    if late >= rules.discipline_after_days:
        return Escalation.DISCIPLINE
    if late >= rules.county_after_days:
        return Escalation.COUNTY
    return Escalation.TOWNSHIP


def region_at(code: str, level: int) -> str:
    """The code of the level-``level`` region (1 province … 5 village) containing ``code``."""
    digits = _LEVEL_DIGITS[level]
    return code[:digits].ljust(12, "0")


@dataclass(slots=True)
class Tally:
    """One cell of the 清零 view."""

    total: int = 0
    open: int = 0  # not closed: to fix, or fixed awaiting the check
    awaiting_check: int = 0
    overdue: int = 0
    closed: int = 0
    closed_this_month: int = 0

    @property
    def zeroed(self) -> bool:
        return self.open == 0


def tally(
    problems: Iterable[Problem],
    today: date,
    key: Callable[[Problem], Hashable],
) -> dict[Hashable, Tally]:
    """Count problems by ``key`` (e.g. region at a level × dimension × source)."""
    out: dict[Hashable, Tally] = {}
    for p in problems:
        t = out.setdefault(key(p), Tally())
        t.total += 1
        if p.status is Status.CLOSED:
            t.closed += 1
            if p.closed_on is not None and (p.closed_on.year, p.closed_on.month) == (
                today.year,
                today.month,
            ):
                t.closed_this_month += 1
            continue
        t.open += 1
        if p.status is Status.FIXED:
            t.awaiting_check += 1
        if days_overdue(p, today):
            t.overdue += 1
    return out


def is_zeroed(problems: Iterable[Problem]) -> bool:
    """清零: no problem is still open (fixed awaiting check is not yet closed)."""
    return all(p.status is Status.CLOSED for p in problems)
