"""The monthly report as an ``.xlsx`` workbook (XlsxWriter, in memory): six sheets, native
charts, dates as date cells, never a formula (text through
:func:`~fangpin.sheets.writer.safe_text`). Pure."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from typing import Any

import xlsxwriter

from fangpin.dashboards.report_format import (
    CASE_HEADINGS,
    CLUE_HEADINGS,
    NO_DATA,
    PALETTE,
    PROBLEM_HEADINGS,
    REGION_HEADINGS,
    region_counts,
    region_sheet_name,
)
from fangpin.dashboards.report_model import (
    MonthlyReportData,
)
from fangpin.sheets.writer import safe_text

# --- Excel --------------------------------------------------------------------------------

__all__ = [
    "render_xlsx",
]


class _Formats:
    """The workbook's cell formats, made once per workbook."""

    def __init__(self, workbook: Any) -> None:
        add: Callable[[dict[str, Any]], Any] = workbook.add_format
        cell = {"border": 1, "valign": "vcenter"}
        total = {**cell, "bold": True, "bg_color": "#F2F2F2"}
        self.title = add({"bold": True, "font_size": 14})
        self.bold = add({"bold": True})
        self.header = add(
            {**cell, "bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "align": "center"}
        )
        self.text = add(cell)
        self.wrap = add({**cell, "text_wrap": True})
        self.whole = add({**cell, "num_format": "#,##0"})
        self.decimal = add({**cell, "num_format": "#,##0.00"})
        self.percent = add({**cell, "num_format": "0.0%"})
        self.date = add({**cell, "num_format": "yyyy-mm-dd", "align": "left"})
        self.plain_date = add({"num_format": "yyyy-mm-dd", "align": "left"})
        self.total_text = add(total)
        self.total_whole = add({**total, "num_format": "#,##0"})
        self.total_percent = add({**total, "num_format": "0.0%"})


def _page_setup(
    sheet: Any, title: str, *, landscape: bool = False, header_row: int | None = 0
) -> None:
    sheet.set_paper(9)  # A4
    if landscape:
        sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_header("&C" + title.replace("&", "&&")[:200])
    sheet.set_footer("&C第 &P 页 共 &N 页")
    if header_row is not None:
        sheet.repeat_rows(header_row)


def _day(value: dt.date) -> dt.datetime:
    return dt.datetime(value.year, value.month, value.day)


def _write_headings(sheet: Any, row: int, headings: Sequence[str], fmt: Any) -> None:
    for col, heading in enumerate(headings):
        sheet.write_string(row, col, safe_text(heading), fmt)


def _write_overview(workbook: Any, f: _Formats, data: MonthlyReportData) -> None:
    sheet = workbook.add_worksheet("概况")
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 1, 16)
    sheet.set_column(2, 2, 8)
    sheet.set_column(3, 3, 30)
    sheet.write_string(0, 0, safe_text(data.title), f.title)
    meta: list[tuple[str, str | dt.date]] = [
        ("报告期", data.period),
        ("编制单位", data.unit),
        ("编制日期", data.generated_on),
        ("数据截至", data.as_of),
        ("区划代码", data.region_code),
    ]
    for row, (label, shown) in enumerate(meta, start=1):
        sheet.write_string(row, 0, label, f.bold)
        if isinstance(shown, dt.date):
            sheet.write_datetime(row, 1, _day(shown), f.plain_date)
        else:
            sheet.write_string(row, 1, safe_text(shown))
    header_row = len(meta) + 2
    _write_headings(sheet, header_row, ("指标", "数值", "单位", "说明"), f.header)
    for row, headline in enumerate(data.headlines, start=header_row + 1):
        sheet.write_string(row, 0, safe_text(headline.label), f.text)
        value = float(headline.value)
        number_format = (
            f.percent if headline.percent else f.whole if value.is_integer() else f.decimal
        )
        sheet.write_number(row, 1, value, number_format)
        sheet.write_string(row, 2, safe_text(headline.unit), f.text)
        sheet.write_string(row, 3, safe_text(headline.note), f.wrap)
    notes_row = header_row + len(data.headlines) + 2
    if data.notes:
        sheet.write_string(notes_row, 0, "注：", f.bold)
        for row, note in enumerate(data.notes, start=notes_row + 1):
            sheet.write_string(row, 0, safe_text(note))
    _page_setup(sheet, data.title, header_row=header_row)


def _write_regions(workbook: Any, f: _Formats, data: MonthlyReportData) -> None:
    sheet = workbook.add_worksheet(region_sheet_name(data))
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, len(REGION_HEADINGS) - 1, 10)
    sheet.set_row(0, 32)
    _write_headings(sheet, 0, REGION_HEADINGS, f.header)
    lines = [(r.name, r, False) for r in data.rows] + [("合计", data.totals, True)]
    for row, (name, region, total) in enumerate(lines, start=1):
        sheet.write_string(row, 0, safe_text(name), f.total_text if total else f.text)
        for col, count in enumerate(region_counts(region), start=1):
            sheet.write_number(row, col, count, f.total_whole if total else f.whole)
        col = len(REGION_HEADINGS) - 1
        percent = f.total_percent if total else f.percent
        if region.coverage is None:
            sheet.write_blank(row, col, None, percent)
        else:
            sheet.write_number(row, col, region.coverage, percent)
    sheet.freeze_panes(1, 1)
    sheet.autofilter(0, 0, len(data.rows), len(REGION_HEADINGS) - 1)  # the 合计 row stays out
    _page_setup(sheet, data.title, landscape=True)


def _write_charts(workbook: Any, f: _Formats, data: MonthlyReportData) -> None:
    sheet = workbook.add_worksheet("图表")
    name = "图表"
    sheet.set_column(0, 0, 16)
    row = 0
    for chart in data.charts:
        unit = f"（单位：{chart.unit}）" if chart.unit else ""
        sheet.write_string(row, 0, safe_text(chart.title + unit), f.bold)
        head = row + 1
        _write_headings(sheet, head, ("类别", *(s.name for s in chart.series)), f.header)
        for i, category in enumerate(chart.categories, start=head + 1):
            sheet.write_string(i, 0, safe_text(category), f.text)
        for j, series in enumerate(chart.series, start=1):
            for i, value in enumerate(series.values, start=head + 1):
                sheet.write_number(
                    i, j, float(value), f.whole if float(value).is_integer() else f.decimal
                )
        if not chart.categories or not chart.series:
            sheet.write_string(head + 1, 0, NO_DATA)
        else:
            last = head + len(chart.categories)
            column = workbook.add_chart(
                {"type": "column", "subtype": "stacked"} if chart.stacked else {"type": "column"}
            )
            for j, _series in enumerate(chart.series, start=1):
                colour = PALETTE[(j - 1) % len(PALETTE)]
                column.add_series(
                    {
                        "name": [name, head, j],
                        "categories": [name, head + 1, 0, last, 0],
                        "values": [name, head + 1, j, last, j],
                        "fill": {"color": colour},
                        "border": {"none": True},
                    }
                )
            column.set_title({"name": safe_text(chart.title), "name_font": {"size": 12}})
            column.set_y_axis({"num_format": "#,##0", "major_gridlines": {"visible": True}})
            legend: dict[str, Any] = (
                {"position": "bottom"} if len(chart.series) > 1 else {"none": True}
            )
            column.set_legend(legend)
            column.set_size({"width": 560, "height": 300})
            sheet.insert_chart(row, len(chart.series) + 2, column, {"x_offset": 8, "y_offset": 4})
        row += max(len(chart.categories) + 4, 18)  # room for the chart beside its table
    if not data.charts:
        sheet.write_string(0, 0, NO_DATA)
    _page_setup(sheet, data.title, landscape=True, header_row=None)


_Cell = str | dt.date | int


def _write_list(
    workbook: Any,
    f: _Formats,
    data: MonthlyReportData,
    sheet_name: str,
    headings: Sequence[str],
    widths: Sequence[int],
    rows: Sequence[Sequence[_Cell]],
) -> None:
    """One overdue list: text as text, dates as date cells, day counts as numbers."""
    sheet = workbook.add_worksheet(sheet_name)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    _write_headings(sheet, 0, headings, f.header)
    for row, values in enumerate(rows, start=1):
        for col, value in enumerate(values):
            if isinstance(value, dt.date):
                sheet.write_datetime(row, col, _day(value), f.date)
            elif isinstance(value, int):
                sheet.write_number(row, col, value, f.whole)
            else:
                sheet.write_string(row, col, safe_text(value), f.wrap)
    if not rows:
        sheet.write_string(1, 0, "无")
    sheet.freeze_panes(1, 0)
    _page_setup(sheet, data.title, landscape=max(widths) > 30)


def render_xlsx(data: MonthlyReportData) -> bytes:
    """The report as an ``.xlsx`` workbook: one sheet per part, no formula anywhere."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        output, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    workbook.set_properties(
        {
            "title": safe_text(data.title),
            "subject": safe_text(data.period),
            "company": safe_text(data.unit),
            "created": _day(data.generated_on),  # same data, same bytes
        }
    )
    formats = _Formats(workbook)
    _write_overview(workbook, formats, data)
    _write_regions(workbook, formats, data)
    _write_charts(workbook, formats, data)
    clues = [
        (c.village, c.household_number, c.channel, c.received_on, c.deadline, c.days_overdue)
        for c in data.overdue_clues
    ]
    _write_list(workbook, formats, data, "逾期线索", CLUE_HEADINGS, (14, 22, 14, 12, 12, 10), clues)
    cases = [
        (c.village, c.household_number, c.kind, c.step, c.due_on, c.days_overdue)
        for c in data.overdue_cases
    ]
    _write_list(workbook, formats, data, "逾期案件", CASE_HEADINGS, (14, 22, 14, 16, 12, 10), cases)
    problems = [
        (p.region, p.dimension, p.description, p.lead_unit, p.deadline, p.days_overdue)
        for p in data.overdue_problems
    ]
    _write_list(
        workbook, formats, data, "逾期问题", PROBLEM_HEADINGS, (14, 14, 50, 16, 12, 10), problems
    )
    workbook.close()
    return output.getvalue()
