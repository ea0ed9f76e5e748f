"""Read and validate the calendar data files (TOML, stdlib ``tomllib``), one per year.

Each file is checked on its own (keys, types, dates inside the year, day counts, overlaps,
adjusted working days on weekends, the seven public holidays all listed), then the set is
checked for gaps between years. Problems are collected, never raised one by one, so a wrong
file shows every mistake at once.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from fangpin.workdays.errors import WorkdaysError, WorkdaysValidationError
from fangpin.workdays.model import (
    PUBLIC_HOLIDAYS,
    Holiday,
    WorkdayCalendar,
    YearCalendar,
    is_weekend,
    weekday_zh,
)

__all__ = ["DEFAULT_DIRECTORY", "load_calendar", "parse_year"]

DEFAULT_DIRECTORY = Path(__file__).resolve().parent / "data"

# Header keys: name → (required, type name).
_HEADER: dict[str, tuple[bool, str]] = {
    "year": (True, "int"),
    "title": (True, "text"),
    "document": (False, "text"),
    "issued": (False, "date"),
    "source": (True, "text"),
    "confirmed": (True, "bool"),
    "note": (False, "text"),
    "holidays": (True, "list"),
}
_HOLIDAY: dict[str, tuple[bool, str]] = {
    "name": (True, "text"),
    "start": (True, "date"),
    "end": (True, "date"),
    "working": (False, "dates"),
    "days": (False, "int"),
    "note": (False, "text"),
    "source": (False, "text"),
}
_TYPE_ZH = {
    "int": "整数",
    "text": "非空字符串",
    "date": "日期（TOML 日期，如 2024-10-01，不加引号）",
    "dates": "日期列表（如 [2024-09-29, 2024-10-12]）",
    "bool": "true 或 false",
    "list": "表数组（[[holidays]]）",
}


def _is_date(raw: object) -> bool:
    return type(raw) is date  # a TOML datetime is a date subclass: refuse it


def _type_ok(raw: object, kind: str) -> bool:
    if kind == "int":
        return isinstance(raw, int) and not isinstance(raw, bool)
    if kind == "text":
        return isinstance(raw, str)
    if kind == "date":
        return _is_date(raw)
    if kind == "dates":
        return isinstance(raw, list) and all(_is_date(d) for d in raw)
    if kind == "bool":
        return isinstance(raw, bool)
    return isinstance(raw, list) and all(isinstance(h, dict) for h in raw)


class _FileCheck:
    """Collects the problems of one file; every message starts with the file and key."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[WorkdaysError] = []

    def add(self, code: str, key: str, detail: str) -> None:
        where = f"{self.file}：{key}：" if key else f"{self.file}："
        self.errors.append(WorkdaysError(code, where + detail, file=self.file, key=key))

    def table(self, where: str, table: dict[str, Any], keys: dict[str, tuple[bool, str]]) -> bool:
        """Check the keys and types of one table; True when it is usable."""
        before = len(self.errors)
        prefix = f"{where}." if where else ""
        for name in table:
            if name not in keys:
                self.add("unknown_key", prefix + name, "未知的键")
        for name, (required, kind) in keys.items():
            key = prefix + name
            if name not in table:
                if required:
                    self.add("missing_key", key, "缺少此项")
                continue
            raw = table[name]
            if not _type_ok(raw, kind):
                self.add("wrong_type", key, f"应为{_TYPE_ZH[kind]}，实为 {raw!r}")
            elif kind == "text" and not raw.strip():
                self.add("bad_value", key, "不能为空")
        return len(self.errors) == before


def _d(d: date) -> str:
    return f"{d.isoformat()}（{weekday_zh(d)}）"


def parse_year(data: bytes, file: str) -> tuple[YearCalendar | None, list[WorkdaysError]]:
    """Parse one ``<year>.toml``; return its calendar (None if unusable) and its problems."""
    check = _FileCheck(file)
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        check.add("toml_syntax", "", f"不是有效的 UTF-8 TOML 文件（{exc}）")
        return None, check.errors
    if not check.table("", raw, _HEADER):
        return None, check.errors
    year: int = raw["year"]
    stem = Path(file).stem
    if stem != str(year):
        check.add("year_mismatch", "year", f"文件名应为 {year}.toml（文件内年度为 {year}）")
        return None, check.errors

    holidays: list[Holiday] = []
    for index, item in enumerate(raw["holidays"]):
        where = f"holidays[{index}]"
        if check.table(where, item, _HOLIDAY):
            holidays.append(
                Holiday(
                    name=item["name"].strip(),
                    start=item["start"],
                    end=item["end"],
                    working=tuple(item.get("working", ())),
                    days=item.get("days"),
                    note=item.get("note", ""),
                    source=item.get("source", ""),
                )
            )
    if check.errors:
        return None, check.errors
    _check_holidays(check, year, holidays)
    if check.errors:
        return None, check.errors
    calendar = YearCalendar(
        year=year,
        title=raw["title"],
        document=raw.get("document", ""),
        issued=raw.get("issued"),
        source=raw["source"],
        confirmed=raw["confirmed"],
        note=raw.get("note", ""),
        file=file,
        holidays=tuple(holidays),
    )
    return calendar, []


def _check_holidays(check: _FileCheck, year: int, holidays: list[Holiday]) -> None:
    rest: dict[date, str] = {}
    working: dict[date, str] = {}
    listed: list[str] = []
    for index, holiday in enumerate(holidays):
        where = f"holidays[{index}]（{holiday.name}）"
        for festival in holiday.festivals:
            if festival not in PUBLIC_HOLIDAYS:
                check.add(
                    "unknown_holiday",
                    f"{where}.name",
                    f"“{festival}”不是法定节假日（应为 {'、'.join(PUBLIC_HOLIDAYS)} 之一）",
                )
            elif festival in listed:
                check.add("duplicate_date", f"{where}.name", f"“{festival}”重复列出")
            else:
                listed.append(festival)
        if holiday.end < holiday.start:
            check.add(
                "bad_range",
                where,
                f"结束日 {holiday.end.isoformat()} 早于开始日 {holiday.start.isoformat()}",
            )
            continue
        if holiday.days is not None and holiday.days != len(holiday.dates):
            check.add(
                "day_count",
                f"{where}.days",
                f"写为共 {holiday.days} 天，但 {holiday.start.isoformat()} 至 "
                f"{holiday.end.isoformat()} 是 {len(holiday.dates)} 天",
            )
        for d in holiday.dates:
            if d.year != year:
                check.add("outside_year", where, f"{d.isoformat()} 不在 {year} 年内")
            elif d in rest:
                check.add("duplicate_date", where, f"{d.isoformat()} 已列在“{rest[d]}”中")
            else:
                rest[d] = holiday.name
        for d in holiday.working:
            key = f"{where}.working"
            if d.year != year:
                check.add("outside_year", key, f"{d.isoformat()} 不在 {year} 年内")
            elif d in working:
                check.add("duplicate_date", key, f"调休上班日 {d.isoformat()} 重复列出")
            elif not is_weekend(d):
                check.add(
                    "working_not_weekend",
                    key,
                    f"调休上班日 {_d(d)}不是周末：周一至周五本来就上班，无需调休",
                )
            else:
                working[d] = holiday.name
    for d in sorted(set(rest) & set(working)):
        check.add(
            "holiday_and_working",
            "holidays",
            f"{_d(d)}既是“{rest[d]}”的放假日，又是“{working[d]}”的调休上班日",
        )
    missing = [name for name in PUBLIC_HOLIDAYS if name not in listed]
    if missing:
        check.add("missing_holiday", "holidays", f"缺少 {'、'.join(missing)} 的放假安排")


def load_calendar(directory: str | Path | None = None) -> WorkdayCalendar:
    """Load and validate every ``<year>.toml`` under ``directory`` (default: shipped data).

    Raises :class:`WorkdaysValidationError` carrying every problem found.
    """
    root = Path(directory) if directory is not None else DEFAULT_DIRECTORY
    paths = sorted(root.glob("*.toml")) if root.is_dir() else []
    if not paths:
        raise WorkdaysValidationError(
            [WorkdaysError("no_data", f"工作日历数据目录“{root}”不存在或没有 <年度>.toml 文件")]
        )
    errors: list[WorkdaysError] = []
    years: dict[int, YearCalendar] = {}
    for path in paths:
        calendar, problems = parse_year(path.read_bytes(), path.name)
        errors.extend(problems)
        if calendar is not None:
            years[calendar.year] = calendar
    if years:
        gaps = [y for y in range(min(years), max(years) + 1) if y not in years]
        if gaps:
            errors.append(
                WorkdaysError(
                    "years_not_contiguous",
                    f"工作日历年度不连续：缺少 {'、'.join(str(y) for y in gaps)} 年的数据文件",
                )
            )
    if errors:
        raise WorkdaysValidationError(errors)
    return WorkdayCalendar(years=dict(sorted(years.items())), directory=str(root))
