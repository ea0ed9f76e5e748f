"""Overdue problems, escalation and the 清零 tally (fangpin.ledger.oversight)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from fangpin.ledger import (
    Close,
    Dimension,
    Escalation,
    EscalationRules,
    ReportFixed,
    Return,
    Source,
    Start,
    Status,
    days_overdue,
    decide,
    escalation,
    is_zeroed,
    new_problem,
    region_at,
    tally,
)
from tests.ledger.helpers import finding

DEADLINE = date(2026, 3, 22)


@pytest.mark.parametrize(
    ("today", "late", "level"),
    [
        (DEADLINE, 0, None),
        (DEADLINE + timedelta(1), 1, Escalation.TOWNSHIP),
        (DEADLINE + timedelta(9), 9, Escalation.TOWNSHIP),
        (DEADLINE + timedelta(10), 10, Escalation.COUNTY),
        (DEADLINE + timedelta(29), 29, Escalation.COUNTY),
        (DEADLINE + timedelta(30), 30, Escalation.DISCIPLINE),
    ],
)
def test_an_open_problem_escalates_by_days_late(
    today: date, late: int, level: Escalation | None
) -> None:
    p = new_problem(finding())

    assert days_overdue(p, today) == late
    assert escalation(p, today) is level


def test_a_fix_awaiting_check_or_closed_is_not_overdue_and_a_return_is() -> None:
    p = new_problem(finding())
    fixed = decide(p, ReportFixed("a", date(2026, 3, 20), "改", ("照",)))
    closed = decide(fixed, Close("b", date(2026, 3, 21), "核"))
    later = DEADLINE + timedelta(40)

    assert (days_overdue(fixed, later), days_overdue(closed, later)) == (0, 0)
    assert escalation(fixed, later) is None
    returned = decide(fixed, Return("b", date(2026, 3, 21), "未改好"))
    assert days_overdue(returned, later) == 40


def test_rules_are_data_and_checked() -> None:
    strict = EscalationRules(county_after_days=3, discipline_after_days=7)
    p = new_problem(finding())

    assert escalation(p, DEADLINE + timedelta(3), strict) is Escalation.COUNTY
    assert escalation(p, DEADLINE + timedelta(7), strict) is Escalation.DISCIPLINE
    with pytest.raises(ValueError, match="升级天数"):
        EscalationRules(county_after_days=10, discipline_after_days=10)


def test_region_at_each_level() -> None:
    code = "433124102201"
    assert [region_at(code, level) for level in (1, 2, 3, 4, 5)] == [
        "430000000000",
        "433100000000",
        "433124000000",
        "433124102000",
        "433124102201",
    ]


def test_the_tally_by_township_dimension_and_source_and_zeroing() -> None:
    today = date(2026, 4, 15)
    douwang = "433124102202"
    minle = "433124103201"
    open_late = new_problem(finding())  # 土地村 housing, past its deadline
    in_time = decide(new_problem(finding(deadline=date(2026, 5, 1))), Start("a", date(2026, 4, 1)))
    awaiting = decide(
        new_problem(finding(region_code=douwang)),
        ReportFixed("a", date(2026, 3, 20), "改", ("照",)),
    )
    closed_now = decide(awaiting, Close("b", date(2026, 4, 2), "核"))
    closed_before = decide(
        decide(
            new_problem(finding(region_code=minle, dimension=Dimension.WATER)),
            ReportFixed("a", date(2026, 3, 5), "改", ("照",)),
        ),
        Close("b", date(2026, 3, 6), "核"),
    )
    problems = [open_late, in_time, awaiting, closed_now, closed_before]

    cells = tally(
        problems, today, key=lambda p: (region_at(p.region_code, 4), p.dimension, p.source)
    )

    longtan = ("433124102000", Dimension.HOUSING, Source.UNANNOUNCED_VISIT)
    assert set(cells) == {longtan, ("433124103000", Dimension.WATER, Source.UNANNOUNCED_VISIT)}
    t = cells[longtan]
    assert (t.total, t.open, t.awaiting_check, t.overdue, t.closed, t.closed_this_month) == (
        4,
        3,
        1,
        1,
        1,
        1,
    )
    assert not t.zeroed
    m = cells[("433124103000", Dimension.WATER, Source.UNANNOUNCED_VISIT)]
    assert (m.total, m.open, m.closed, m.closed_this_month, m.zeroed) == (1, 0, 1, 0, True)
    assert is_zeroed([closed_now, closed_before])
    assert not is_zeroed([closed_now, awaiting])  # fixed but not yet checked is not zero
    assert is_zeroed([])
    assert awaiting.status is Status.FIXED
