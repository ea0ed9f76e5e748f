"""The monthly report (工作月报) as plain data: what the PDF and the Excel workbook show.

Pure (no Django): :mod:`fangpin.dashboards.reports` fills a :class:`MonthlyReportData` from the
dashboard selectors and the overdue lists; :mod:`fangpin.dashboards.report_render` turns it
into an HTML document (for WeasyPrint) and an ``.xlsx`` workbook. Personal information is kept
out on purpose: households appear by household number and village only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

__all__ = [
    "ChartSeries",
    "Headline",
    "MonthlyReportData",
    "OverdueCase",
    "OverdueClue",
    "OverdueProblem",
    "RegionRow",
    "ReportChart",
]


@dataclass(frozen=True, slots=True)
class Headline:
    """One headline number: 「监测对象（未消除风险）  1,234 户」."""

    key: str
    label: str
    value: float | int
    unit: str = ""
    note: str = ""
    """A short qualifier printed under the number (e.g. 「较上月 +12」)."""
    percent: bool = False
    """``value`` is a share in 0…1, shown as a percentage with one decimal."""


@dataclass(frozen=True, slots=True)
class RegionRow:
    """One row of the table by child region (township, or village in a township's report).

    ``coverage`` is the visit coverage in 0…1, ``None`` when the region has no monitored
    household (shown as 「—」).
    """

    code: str
    name: str
    households: int
    persons: int
    monitored: int
    unstable: int
    marginal: int
    sudden: int
    eliminated: int
    identified_in_month: int
    eliminated_in_month: int
    clues_overdue: int
    cases_overdue: int
    problems_open: int
    coverage: float | None


@dataclass(frozen=True, slots=True)
class ChartSeries:
    name: str
    values: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class ReportChart:
    """A bar chart: ``categories`` along the x axis, one or more ``series`` of equal length.

    ``stacked`` stacks the series (monitoring objects by type per region); otherwise they are
    drawn side by side (identifications and eliminations per month).
    """

    key: str
    title: str
    categories: tuple[str, ...]
    series: tuple[ChartSeries, ...]
    unit: str = "户"
    stacked: bool = False


@dataclass(frozen=True, slots=True)
class OverdueClue:
    village: str
    household_number: str
    channel: str
    received_on: date
    deadline: date
    days_overdue: int


@dataclass(frozen=True, slots=True)
class OverdueCase:
    village: str
    household_number: str
    kind: str
    step: str
    due_on: date
    days_overdue: int


@dataclass(frozen=True, slots=True)
class OverdueProblem:
    region: str
    dimension: str
    description: str
    lead_unit: str
    deadline: date
    days_overdue: int


@dataclass(frozen=True, slots=True)
class MonthlyReportData:
    """Everything one month's report of one region shows.

    ``month`` is the first day of the reported month; ``as_of`` the day the figures were
    taken (the dashboard tallies' refresh day); ``generated_on`` the report's date.
    """

    region_code: str
    region_name: str
    month: date
    unit: str
    """The issuing unit printed under the title (编制单位)."""
    generated_on: date
    as_of: date
    headlines: tuple[Headline, ...]
    child_level_name: str
    """「乡镇」 or 「村」: the heading of the first column of the table by region."""
    rows: tuple[RegionRow, ...]
    totals: RegionRow
    charts: tuple[ReportChart, ...]
    overdue_clues: tuple[OverdueClue, ...] = field(default_factory=tuple)
    overdue_cases: tuple[OverdueCase, ...] = field(default_factory=tuple)
    overdue_problems: tuple[OverdueProblem, ...] = field(default_factory=tuple)
    notes: tuple[str, ...] = field(default_factory=tuple)
    """Plain sentences printed at the end (data caveats: 「数据截至…」)."""

    @property
    def title(self) -> str:
        return f"{self.region_name}防止返贫监测帮扶工作月报"

    @property
    def period(self) -> str:
        return f"{self.month.year}年{self.month.month}月"
