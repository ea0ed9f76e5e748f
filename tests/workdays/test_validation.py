"""Every validation of the calendar data: its exact code, file, key and message."""

from __future__ import annotations

from pathlib import Path

import pytest

from fangpin.workdays import (
    DEFAULT_DIRECTORY,
    ERROR_CODES,
    WorkdaysError,
    WorkdaysValidationError,
    load_calendar,
)


def shipped(year: int, *edits: tuple[str, str]) -> str:
    """The shipped ``<year>.toml`` with each (old, new) edit applied exactly once."""
    text = (DEFAULT_DIRECTORY / f"{year}.toml").read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, f"{old!r} must occur once in {year}.toml"
        text = text.replace(old, new)
    return text


def write(directory: Path, name: str, text: str) -> None:
    (directory / name).write_text(text, encoding="utf-8")


def only_error(directory: Path) -> tuple[str, str, str, str]:
    with pytest.raises(WorkdaysValidationError) as caught:
        load_calendar(directory)
    errors = caught.value.errors
    assert len(errors) == 1, errors
    return errors[0].code, errors[0].file, errors[0].key, errors[0].message


def test_a_shipped_file_copied_alone_loads(tmp_path: Path) -> None:
    write(tmp_path, "2024.toml", shipped(2024))

    assert load_calendar(tmp_path).calendar_years() == range(2024, 2025)


def test_missing_directory(tmp_path: Path) -> None:
    assert only_error(tmp_path / "nothing") == (
        "no_data",
        "",
        "",
        f"工作日历数据目录“{tmp_path / 'nothing'}”不存在或没有 <年度>.toml 文件",
    )


def test_toml_syntax(tmp_path: Path) -> None:
    write(tmp_path, "2024.toml", "year = \n")

    code, file, key, message = only_error(tmp_path)
    assert (code, file, key) == ("toml_syntax", "2024.toml", "")
    assert message.startswith("2024.toml：不是有效的 UTF-8 TOML 文件（")


def test_missing_header_key(tmp_path: Path) -> None:
    write(tmp_path, "2024.toml", shipped(2024, ("confirmed = true\n", "")))

    assert only_error(tmp_path) == (
        "missing_key",
        "2024.toml",
        "confirmed",
        "2024.toml：confirmed：缺少此项",
    )


def test_unknown_key(tmp_path: Path) -> None:
    write(tmp_path, "2024.toml", shipped(2024, ("days = 8\n", "day = 8\n")))

    assert only_error(tmp_path) == (
        "unknown_key", "2024.toml", "holidays[1].day", "2024.toml：holidays[1].day：未知的键",
    )  # fmt: skip


def test_a_quoted_date_is_the_wrong_type(tmp_path: Path) -> None:
    write(tmp_path, "2024.toml", shipped(2024, ("start = 2024-06-10", 'start = "2024-06-10"')))

    assert only_error(tmp_path) == (
        "wrong_type",
        "2024.toml",
        "holidays[4].start",
        "2024.toml：holidays[4].start：应为日期（TOML 日期，如 2024-10-01，不加引号），"
        "实为 '2024-06-10'",
    )


def test_empty_source(tmp_path: Path) -> None:
    text = shipped(2024)
    start = text.index("source = ")
    end = text.index("\n", start)
    write(tmp_path, "2024.toml", text[:start] + 'source = " "' + text[end:])

    assert only_error(tmp_path) == (
        "bad_value",
        "2024.toml",
        "source",
        "2024.toml：source：不能为空",
    )


def test_file_name_must_match_the_year(tmp_path: Path) -> None:
    write(tmp_path, "2023.toml", shipped(2024))

    assert only_error(tmp_path) == (
        "year_mismatch",
        "2023.toml",
        "year",
        "2023.toml：year：文件名应为 2024.toml（文件内年度为 2024）",
    )


def test_a_holiday_date_outside_the_year(tmp_path: Path) -> None:
    write(tmp_path, "2024.toml", shipped(2024, ("start = 2024-01-01", "start = 2023-12-31")))

    assert only_error(tmp_path) == (
        "outside_year",
        "2024.toml",
        "holidays[0]（元旦）",
        "2024.toml：holidays[0]（元旦）：2023-12-31 不在 2024 年内",
    )


def test_a_working_day_outside_the_year(tmp_path: Path) -> None:
    write(
        tmp_path, "2024.toml", shipped(2024, ("working = [2024-04-07]", "working = [2025-04-06]"))
    )

    assert only_error(tmp_path) == (
        "outside_year",
        "2024.toml",
        "holidays[2]（清明节）.working",
        "2024.toml：holidays[2]（清明节）.working：2025-04-06 不在 2024 年内",
    )


def test_a_holiday_ending_before_it_starts(tmp_path: Path) -> None:
    write(tmp_path, "2024.toml", shipped(2024, ("end = 2024-04-06", "end = 2024-04-03")))

    assert only_error(tmp_path) == (
        "bad_range",
        "2024.toml",
        "holidays[2]（清明节）",
        "2024.toml：holidays[2]（清明节）：结束日 2024-04-03 早于开始日 2024-04-04",
    )


def test_day_count_must_match_the_dates(tmp_path: Path) -> None:
    write(tmp_path, "2024.toml", shipped(2024, ("days = 8", "days = 7")))

    assert only_error(tmp_path) == (
        "day_count",
        "2024.toml",
        "holidays[1]（春节）.days",
        "2024.toml：holidays[1]（春节）.days：写为共 7 天，但 2024-02-10 至 2024-02-17 是 8 天",
    )


def test_a_date_both_holiday_and_working_day(tmp_path: Path) -> None:
    # 2024-02-17 is a Saturday inside the Spring Festival: listing it as 调休上班 too.
    edit = ("working = [2024-02-04, 2024-02-18]", "working = [2024-02-04, 2024-02-17]")
    write(tmp_path, "2024.toml", shipped(2024, edit))

    assert only_error(tmp_path) == (
        "holiday_and_working",
        "2024.toml",
        "holidays",
        "2024.toml：holidays：2024-02-17（星期六）既是“春节”的放假日，又是“春节”的调休上班日",
    )


def test_an_adjusted_working_day_must_be_a_weekend(tmp_path: Path) -> None:
    write(
        tmp_path, "2024.toml", shipped(2024, ("working = [2024-09-14]", "working = [2024-09-13]"))
    )

    assert only_error(tmp_path) == (
        "working_not_weekend",
        "2024.toml",
        "holidays[5]（中秋节）.working",
        "2024.toml：holidays[5]（中秋节）.working：调休上班日 2024-09-13（星期五）不是周末："
        "周一至周五本来就上班，无需调休",
    )


def test_overlapping_holidays(tmp_path: Path) -> None:
    write(
        tmp_path,
        "2024.toml",
        shipped(
            2024, ("start = 2024-06-10\nend = 2024-06-10", "start = 2024-05-05\nend = 2024-05-05")
        ),
    )

    assert only_error(tmp_path) == (
        "duplicate_date",
        "2024.toml",
        "holidays[4]（端午节）",
        "2024.toml：holidays[4]（端午节）：2024-05-05 已列在“劳动节”中",
    )


def test_a_working_day_listed_twice(tmp_path: Path) -> None:
    write(
        tmp_path,
        "2024.toml",
        shipped(2024, ("working = [2024-09-14]", "working = [2024-09-14, 2024-09-14]")),
    )

    assert only_error(tmp_path) == (
        "duplicate_date",
        "2024.toml",
        "holidays[5]（中秋节）.working",
        "2024.toml：holidays[5]（中秋节）.working：调休上班日 2024-09-14 重复列出",
    )


def test_an_unknown_holiday_name(tmp_path: Path) -> None:
    write(tmp_path, "2024.toml", shipped(2024, ('name = "端午节"', 'name = "端阳节"')))

    with pytest.raises(WorkdaysValidationError) as caught:
        load_calendar(tmp_path)

    assert [(e.code, e.key, e.message) for e in caught.value.errors] == [
        (
            "unknown_holiday",
            "holidays[4]（端阳节）.name",
            "2024.toml：holidays[4]（端阳节）.name：“端阳节”不是法定节假日"
            "（应为 元旦、春节、清明节、劳动节、端午节、中秋节、国庆节 之一）",
        ),
        ("missing_holiday", "holidays", "2024.toml：holidays：缺少 端午节 的放假安排"),
    ]


def test_a_holiday_missing_from_the_year(tmp_path: Path) -> None:
    text = shipped(2024)
    start = text.index('[[holidays]]\nname = "中秋节"')
    end = text.index('[[holidays]]\nname = "国庆节"')
    write(tmp_path, "2024.toml", text[:start] + text[end:])

    assert only_error(tmp_path) == (
        "missing_holiday", "2024.toml", "holidays", "2024.toml：holidays：缺少 中秋节 的放假安排",
    )  # fmt: skip


def test_a_holiday_listed_twice(tmp_path: Path) -> None:
    write(tmp_path, "2024.toml", shipped(2024, ('name = "中秋节"', 'name = "国庆节、中秋节"')))

    with pytest.raises(WorkdaysValidationError) as caught:
        load_calendar(tmp_path)

    assert [(e.code, e.message) for e in caught.value.errors] == [
        ("duplicate_date", "2024.toml：holidays[6]（国庆节）.name：“国庆节”重复列出"),
    ]


def test_years_must_be_contiguous(tmp_path: Path) -> None:
    write(tmp_path, "2022.toml", shipped(2022))
    write(tmp_path, "2024.toml", shipped(2024))

    assert only_error(tmp_path) == (
        "years_not_contiguous", "", "", "工作日历年度不连续：缺少 2023 年的数据文件",
    )  # fmt: skip


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    write(
        tmp_path,
        "2024.toml",
        shipped(
            2024, ("days = 8", "days = 7"), ("working = [2024-09-14]", "working = [2024-09-13]")
        ),
    )
    write(tmp_path, "2025.toml", "not toml")

    with pytest.raises(WorkdaysValidationError) as caught:
        load_calendar(tmp_path)

    assert caught.value.codes == ("day_count", "working_not_weekend", "toml_syntax")
    assert isinstance(caught.value, WorkdaysError)
    assert caught.value.code == "invalid_data"
    assert caught.value.message.startswith("工作日历数据有误（共 3 处）：\n[day_count] 2024.toml：")


def test_error_codes_are_the_documented_list() -> None:
    assert ERROR_CODES == (
        "year_not_covered", "negative_days", "invalid_data", "no_data", "toml_syntax",
        "missing_key", "wrong_type", "unknown_key", "bad_value", "year_mismatch", "outside_year",
        "bad_range", "day_count", "duplicate_date", "holiday_and_working", "working_not_weekend",
        "unknown_holiday", "missing_holiday", "years_not_contiguous",
    )  # fmt: skip
