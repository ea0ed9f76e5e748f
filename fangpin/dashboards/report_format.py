"""The monthly report's headings, palette and number, percent and date formats, shared by
its HTML (:mod:`report_render`), SVG charts (:mod:`report_svg`) and workbook
(:mod:`report_xlsx`). Pure."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from fangpin.dashboards.report_model import (
    Headline,
    MonthlyReportData,
    RegionRow,
)

REGION_HEADINGS: Final = (
    "区划",
    "在册户数",
    "在册人数",
    "监测对象（未消除风险）",
    "脱贫不稳定户",
    "边缘易致贫户",
    "突发严重困难户",
    "已消除风险",
    "本月新识别",
    "本月消除",
    "逾期未核实线索",
    "逾期案件",
    "未销号问题",
    "走访覆盖率",
)
CLUE_HEADINGS: Final = ("村", "户编号", "线索来源", "接收日期", "核实期限", "逾期天数")
CASE_HEADINGS: Final = ("村", "户编号", "类别", "当前环节", "办结期限", "逾期天数")
PROBLEM_HEADINGS: Final = ("区划", "问题类别", "问题描述", "牵头单位", "整改期限", "逾期天数")

PALETTE: Final = ("#2F5597", "#ED7D31", "#7F7F7F", "#BF9000", "#5B9BD5", "#548235")
"""Bar colours: distinct in colour and still apart in lightness on a greyscale printer."""

NO_DATA: Final = "暂无数据"
_NUMERALS: Final = "一二三四五六七八九十"
SANS: Final = "'Noto Sans CJK SC', 'Noto Serif CJK SC', sans-serif"

__all__ = [
    "CASE_HEADINGS",
    "CLUE_HEADINGS",
    "NO_DATA",
    "PALETTE",
    "PROBLEM_HEADINGS",
    "REGION_HEADINGS",
    "SANS",
    "format_date_cn",
    "format_number",
    "format_percent",
    "headline_value",
    "region_counts",
    "region_sheet_name",
    "section_number",
]


# --- formatting ---------------------------------------------------------------------------


def _half_up(value: float, places: str, *, scale: int = 1) -> Decimal:
    # 四舍五入 on the shortest decimal form of the float, as statistics tables round (and as
    # Excel shows the same cell): 0.0625 → 6.3%, where Python's format would give 6.2%.
    exact = Decimal(repr(float(value))) * scale
    return exact.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def format_number(value: float) -> str:
    """``1234`` → 「1,234」; a fraction keeps up to two decimals (「1,234.5」), rounded half up."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{_half_up(value, '0.01'):,}".rstrip("0").rstrip(".")


def format_percent(share: float | None) -> str:
    """A share in 0…1 as a percentage with one decimal, half up (「12.5%」); ``None`` is 「—」."""
    return "—" if share is None else f"{_half_up(share, '0.1', scale=100)}%"


def format_date_cn(day: dt.date) -> str:
    """「2024年6月3日」, as official documents write dates (no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def region_sheet_name(data: MonthlyReportData) -> str:
    """The workbook sheet of the table by child region: 「分乡镇」 or 「分村」."""
    name = "".join(ch for ch in f"分{data.child_level_name}" if ch not in "[]:*?/\\")
    return name[:31]


def region_counts(row: RegionRow) -> tuple[int, ...]:
    """The whole-number columns of a region row, in :data:`REGION_HEADINGS` order."""
    return (
        row.households,
        row.persons,
        row.monitored,
        row.unstable,
        row.marginal,
        row.sudden,
        row.eliminated,
        row.identified_in_month,
        row.eliminated_in_month,
        row.clues_overdue,
        row.cases_overdue,
        row.problems_open,
    )


def headline_value(headline: Headline) -> str:
    return format_percent(headline.value) if headline.percent else format_number(headline.value)


def section_number(index: int) -> str:
    return _NUMERALS[index] if index < len(_NUMERALS) else str(index + 1)
