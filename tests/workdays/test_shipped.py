"""The shipped calendar data: every year loads, exact dates and sources per notice."""

from __future__ import annotations

from datetime import date

import pytest

from fangpin.workdays import (
    DEFAULT_DIRECTORY,
    calendar_years,
    default_calendar,
    is_working_day,
    load_calendar,
    year_calendar,
)


def test_every_year_file_loads() -> None:
    calendar = load_calendar()

    assert list(calendar.years) == [2020, 2021, 2022, 2023, 2024, 2025, 2026]
    assert sorted(p.name for p in DEFAULT_DIRECTORY.glob("*.toml")) == [
        f"{year}.toml" for year in range(2020, 2027)
    ]


def test_calendar_years_is_the_covered_range() -> None:
    assert calendar_years() == range(2020, 2027)


@pytest.mark.parametrize(
    ("year", "document", "issued"),
    [
        (2020, "国办发明电〔2019〕16号", date(2019, 11, 21)),
        (2021, "国办发明电〔2020〕27号", date(2020, 11, 25)),
        (2022, "国办发明电〔2021〕11号", date(2021, 10, 25)),
        (2023, "国办发明电〔2022〕16号", date(2022, 12, 8)),
        (2024, "国办发明电〔2023〕7号", date(2023, 10, 25)),
        (2025, "国办发明电〔2024〕12号", date(2024, 11, 12)),
        (2026, "", date(2025, 11, 4)),
    ],
)
def test_each_year_names_its_notice_and_is_confirmed(
    year: int, document: str, issued: date
) -> None:
    notice = year_calendar(year)

    assert notice.title == f"国务院办公厅关于{year}年部分节假日安排的通知"
    assert notice.document == document
    assert notice.issued == issued
    assert notice.confirmed is True
    assert notice.source.startswith("http")
    assert notice.file == f"{year}.toml"


@pytest.mark.parametrize(
    ("year", "working_days"),
    [(2020, 249), (2021, 250), (2022, 249), (2023, 249), (2024, 251), (2025, 248), (2026, 248)],
)
def test_working_days_per_year(year: int, working_days: int) -> None:
    assert year_calendar(year).working_day_count == working_days


def test_2024_spring_festival_and_national_day() -> None:
    rest = [date(2024, 2, d) for d in range(10, 18)] + [date(2024, 10, d) for d in range(1, 8)]
    adjusted = [date(2024, 2, 4), date(2024, 2, 18), date(2024, 9, 29), date(2024, 10, 12)]

    assert [is_working_day(d) for d in rest] == [False] * 15
    assert [is_working_day(d) for d in adjusted] == [True] * 4
    assert is_working_day(date(2024, 2, 9)) is True  # 除夕 2024 is only "encouraged" off
    assert is_working_day(date(2024, 10, 8)) is True


def test_2025_notice_adds_days_to_spring_festival_and_labour_day() -> None:
    spring = year_calendar(2025).holidays[1]
    labour = year_calendar(2025).holidays[3]

    assert (spring.name, spring.start, spring.end, spring.days) == (
        "春节", date(2025, 1, 28), date(2025, 2, 4), 8,
    )  # fmt: skip
    assert spring.working == (date(2025, 1, 26), date(2025, 2, 8))
    assert (labour.name, labour.start, labour.end, labour.working) == (
        "劳动节", date(2025, 5, 1), date(2025, 5, 5), (date(2025, 4, 27),),
    )  # fmt: skip
    assert is_working_day(date(2025, 1, 27)) is True
    assert is_working_day(date(2025, 1, 28)) is False  # from 2025 春节 starts on 除夕


def test_2020_spring_festival_as_extended() -> None:
    assert is_working_day(date(2020, 1, 19)) is True
    assert is_working_day(date(2020, 1, 31)) is False
    assert is_working_day(date(2020, 2, 1)) is False  # was 调休上班 before 国办发明电〔2020〕1号
    assert is_working_day(date(2020, 2, 3)) is True


def test_2023_new_year_lists_only_its_own_year() -> None:
    new_year = year_calendar(2023).holidays[0]

    assert (new_year.start, new_year.end) == (date(2023, 1, 1), date(2023, 1, 2))
    assert "2022年12月31日" in new_year.note
    assert is_working_day(date(2022, 12, 31)) is False  # a Saturday anyway
    assert is_working_day(date(2023, 1, 3)) is True


def test_merged_holidays_cover_both_festivals() -> None:
    assert year_calendar(2025).holidays[-1].festivals == ("国庆节", "中秋节")
    assert year_calendar(2023).holidays[-1].festivals == ("中秋节", "国庆节")


def test_plain_weekends_and_weekdays() -> None:
    assert is_working_day(date(2024, 3, 9)) is False  # Saturday
    assert is_working_day(date(2024, 3, 10)) is False  # Sunday
    assert is_working_day(date(2024, 3, 11)) is True  # Monday


def test_default_calendar_is_loaded_once() -> None:
    assert default_calendar() is default_calendar()
