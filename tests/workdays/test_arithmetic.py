"""add_working_days, working_days_between and is_working_day: exact dates and properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangpin.workdays import (
    WorkdaysError,
    add_working_days,
    is_working_day,
    working_days_between,
)


@pytest.mark.parametrize(
    ("start", "days", "deadline"),
    [
        # The documented example: across 国庆 2024 with both adjusted working days.
        (date(2024, 9, 27), 15, date(2024, 10, 23)),
        (date(2024, 9, 27), 1, date(2024, 9, 29)),  # Sunday 09-29 is 调休上班
        (date(2024, 9, 27), 2, date(2024, 9, 30)),
        (date(2024, 9, 27), 3, date(2024, 10, 8)),
        (date(2024, 9, 30), 5, date(2024, 10, 12)),  # Saturday 10-12 is 调休上班
        # 春节 2025 (除夕 to 初七) with 01-26 and 02-08 adjusted working days.
        (date(2025, 1, 24), 1, date(2025, 1, 26)),
        (date(2025, 1, 26), 1, date(2025, 1, 27)),
        (date(2025, 1, 27), 1, date(2025, 2, 5)),
        (date(2025, 2, 5), 3, date(2025, 2, 8)),
        # 5 working days from a Friday in an ordinary week.
        (date(2024, 3, 8), 5, date(2024, 3, 15)),
        # The start day is never counted, even when it is a rest day.
        (date(2024, 10, 1), 1, date(2024, 10, 8)),
        (date(2024, 10, 5), 0, date(2024, 10, 5)),
        # Across a year boundary: 2024-12-31 + 2 → 2025-01-03 (01-01 is 元旦).
        (date(2024, 12, 31), 2, date(2025, 1, 3)),
        # 2020 extended Spring Festival: 02-01 is no longer a working day.
        (date(2020, 1, 23), 1, date(2020, 2, 3)),
    ],
)
def test_add_working_days_exact(start: date, days: int, deadline: date) -> None:
    assert add_working_days(start, days) == deadline


def test_working_days_between_exact() -> None:
    assert working_days_between(date(2024, 9, 27), date(2024, 10, 23)) == 15
    assert working_days_between(date(2024, 10, 23), date(2024, 9, 27)) == -15
    assert working_days_between(date(2024, 10, 1), date(2024, 10, 7)) == 0
    assert working_days_between(date(2024, 10, 1), date(2024, 10, 1)) == 0
    assert working_days_between(date(2023, 12, 31), date(2024, 12, 31)) == 251


def test_a_date_outside_the_data_is_refused_not_guessed() -> None:
    with pytest.raises(WorkdaysError) as caught:
        is_working_day(date(2027, 1, 4))

    assert caught.value.code == "year_not_covered"
    assert caught.value.message == (
        "2027-01-04 所在的 2027 年不在工作日历范围内（已录入 2020–2026 年）；不按普通周末推算，"
        "请先录入国务院办公厅当年的节假日安排通知（见 docs/workdays.md）"
    )


def test_a_deadline_running_past_the_data_is_refused() -> None:
    with pytest.raises(WorkdaysError) as caught:
        add_working_days(date(2026, 12, 25), 10)

    assert caught.value.code == "year_not_covered"
    assert caught.value.message.startswith("2027-01-01 所在的 2027 年不在工作日历范围内")


def test_a_start_before_the_data_is_refused() -> None:
    with pytest.raises(WorkdaysError) as caught:
        add_working_days(date(2019, 12, 31), 1)

    assert caught.value.code == "year_not_covered"


def test_between_refuses_either_end_outside_the_data() -> None:
    with pytest.raises(WorkdaysError) as caught:
        working_days_between(date(2026, 6, 1), date(2027, 6, 1))

    assert caught.value.code == "year_not_covered"


def test_negative_days_are_refused() -> None:
    with pytest.raises(WorkdaysError) as caught:
        add_working_days(date(2024, 5, 6), -1)

    assert caught.value.code == "negative_days"
    assert caught.value.message == "工作日天数不能为负数（-1）：期限只能向后推算"


# Starts that leave room for up to 240 working days before the data ends: the last year of
# data (2026) has 248 working days, so 2025-12-31 + 240 still lands inside it.
starts = st.dates(min_value=date(2020, 1, 1), max_value=date(2025, 12, 31))
counts = st.integers(min_value=0, max_value=240)


@given(start=starts, days=counts)
def test_add_then_between_round_trips(start: date, days: int) -> None:
    assert working_days_between(start, add_working_days(start, days)) == days


@given(start=starts, days=st.integers(min_value=1, max_value=240))
def test_a_deadline_is_a_working_day_after_the_start(start: date, days: int) -> None:
    deadline = add_working_days(start, days)

    assert deadline > start
    assert is_working_day(deadline) is True
    assert working_days_between(start, deadline - timedelta(days=1)) == days - 1


# A month earlier than ``starts`` too: 250 working days from the last days of 2025 can run
# past the calendar's last year (2026), which is refused, not guessed.
@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2025, 12, 1)),
    days=st.integers(min_value=0, max_value=239),
)
def test_add_is_strictly_monotonic_in_days(start: date, days: int) -> None:
    assert add_working_days(start, days) < add_working_days(start, days + 1)


# Starts a month earlier than ``starts``: the later start plus 240 working days stays inside
# the calendar's last year (from 2026-01-30 it could run into 2027, which is not covered).
@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2025, 12, 1)),
    later=st.integers(min_value=0, max_value=30),
    days=counts,
)
def test_add_is_monotonic_in_start(start: date, later: int, days: int) -> None:
    assert add_working_days(start, days) <= add_working_days(start + timedelta(later), days)


@given(a=starts, b=starts)
def test_between_is_antisymmetric(a: date, b: date) -> None:
    assert working_days_between(a, b) == -working_days_between(b, a)
