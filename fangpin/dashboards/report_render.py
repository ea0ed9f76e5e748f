"""Render the monthly report (工作月报) as an HTML document for WeasyPrint and as an ``.xlsx``.

Pure: no Django, no I/O. The input is a :class:`~fangpin.dashboards.report_model.MonthlyReportData`
filled by :mod:`fangpin.dashboards.reports`; the output is text or bytes for the view to send.

The HTML is self-contained on purpose: inline CSS, charts as inline SVG, no script, no URL to
fetch (the PDF step refuses every fetch). Every value from the data is escaped. The workbook
never holds a formula: numbers go in with ``write_number``, dates with ``write_datetime`` and
text with ``write_string`` after :func:`~fangpin.sheets.writer.safe_text` (SECURITY.md, ASVS
1.2.10: formula-like text gets a leading apostrophe, as in every other export).
"""

from __future__ import annotations

import datetime as dt
import html
import io
import math
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

import xlsxwriter

from fangpin.dashboards.report_model import (
    Headline,
    MonthlyReportData,
    RegionRow,
    ReportChart,
)
from fangpin.sheets.writer import safe_text

__all__ = [
    "CASE_HEADINGS",
    "CLUE_HEADINGS",
    "PALETTE",
    "PROBLEM_HEADINGS",
    "REGION_HEADINGS",
    "bar_chart_svg",
    "format_date_cn",
    "format_number",
    "format_percent",
    "nice_ticks",
    "region_sheet_name",
    "render_html",
    "render_xlsx",
]

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
_SANS: Final = "'Noto Sans CJK SC', 'Noto Serif CJK SC', sans-serif"


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


def _region_counts(row: RegionRow) -> tuple[int, ...]:
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


def _headline_value(headline: Headline) -> str:
    return format_percent(headline.value) if headline.percent else format_number(headline.value)


def _section_number(index: int) -> str:
    return _NUMERALS[index] if index < len(_NUMERALS) else str(index + 1)


# --- SVG bar chart ------------------------------------------------------------------------


def nice_ticks(maximum: float, *, count: int = 5, whole: bool = True) -> tuple[float, ...]:
    """Round axis ticks from 0 to at least ``maximum``: steps of 1, 2 or 5 × 10ⁿ.

    ``whole`` keeps the step at 1 or more, so counts of households never get half ticks.
    """
    if maximum <= 0:
        return (0.0, 1.0)
    raw = maximum / count
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(f * magnitude for f in (1, 2, 5, 10) if f * magnitude >= raw * (1 - 1e-9))
    if whole:
        step = max(1.0, round(step))
    steps = math.ceil(maximum / step - 1e-9)
    return tuple(round(i * step, 10) for i in range(steps + 1))


def _text_width(text: str, size: float) -> float:
    """Rough rendered width: CJK and full-width characters are square, the rest about half."""
    return sum(size if ord(ch) >= 0x2E80 else size * 0.6 for ch in text)


def _shorten(text: str, limit: float, size: float) -> str:
    if _text_width(text, size) <= limit:
        return text
    while text and _text_width(text, size) + size > limit:
        text = text[:-1]
    return text + "…"


def _svg_open(chart: ReportChart, width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(chart.title)}" '
        f'font-family="{_SANS}" class="chart">'
    )


def _text(x: float, y: float, text: str, *, size: float = 10, anchor: str = "middle") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" text-anchor="{anchor}" '
        f'fill="#262626">{html.escape(text)}</text>'
    )


def bar_chart_svg(chart: ReportChart, *, width: int = 640, height: int = 260) -> str:
    """An inline ``<svg>`` bar chart of ``chart``: grouped, or stacked when ``chart.stacked``.

    Bars are ``<rect class="bar">``, one per value above zero (values are counts; a negative
    one is drawn as zero). Category labels turn 45° and are shortened with 「…」 when they do
    not fit under their bar; a legend on top names the series when there is more than one.
    No categories, no series or nothing above zero gives a box that says 「暂无数据」.

    Raises ``ValueError`` when a series does not have one value per category.
    """
    n = len(chart.categories)
    for series in chart.series:
        if len(series.values) != n:
            raise ValueError(
                f"chart {chart.key!r}: series {series.name!r} has {len(series.values)} values"
                f" for {n} categories"
            )
    values = [[max(0.0, float(v)) for v in s.values] for s in chart.series]
    totals = [sum(column) for column in zip(*values, strict=True)] if values else []
    peak = max(totals if chart.stacked else [v for row in values for v in row], default=0.0)
    if n == 0 or peak <= 0:
        return (
            _svg_open(chart, width, height)
            + _text(width / 2, height / 2 + 5, NO_DATA, size=14)
            + "</svg>"
        )
    whole = all(v.is_integer() for row in values for v in row)
    ticks = nice_ticks(peak, whole=whole)
    tick_labels = [format_number(t) for t in ticks]
    left = 10 + max(_text_width(t, 10) for t in tick_labels) + 6
    right = width - 12.0
    parts = [_svg_open(chart, width, height)]

    # Unit, then the legend on the same line(s), wrapping at the right edge.
    unit_label = f"单位：{chart.unit}" if chart.unit else ""
    parts.append(_text(8, 18, unit_label, anchor="start"))
    line_y, x = 18.0, 8 + _text_width(unit_label, 10) + 20
    if len(chart.series) > 1:
        for j, series in enumerate(chart.series):
            name = _shorten(series.name, 160, 10)
            item = 16 + _text_width(name, 10) + 14
            if x + item > right and x > 8:
                line_y, x = line_y + 16, 8.0
            colour = PALETTE[j % len(PALETTE)]
            parts.append(
                f'<rect class="legend" x="{x:.1f}" y="{line_y - 9:.1f}" width="10" height="10"'
                f' fill="{colour}"/>'
            )
            parts.append(_text(x + 14, line_y, name, anchor="start"))
            x += item
    top = line_y + 14

    # Category labels: level when they fit, else turned 45° (and shortened).
    slot = (right - left) / n
    labels = list(chart.categories)
    rotated = max(_text_width(c, 10) for c in labels) > slot - 4
    if rotated:
        labels = [_shorten(c, min(90.0, height * 0.3 / 0.71), 10) for c in labels]
        reach = max(_text_width(c, 10) for c in labels) * 0.71
        label_area = reach + 18
        # The first label runs down-left from its bar: keep it inside the picture.
        if reach - slot / 2 + 4 > left:
            left = reach - slot / 2 + 4
            slot = (right - left) / n
    else:
        label_area = 20.0
    every = max(1, math.ceil(13 / slot)) if rotated else 1
    bottom = height - label_area
    scale = (bottom - top) / ticks[-1]

    for tick, label in zip(ticks, tick_labels, strict=True):
        y = bottom - tick * scale
        stroke = "#404040" if tick == 0 else "#D9D9D9"
        parts.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" '
            f'stroke="{stroke}" stroke-width="{1 if tick == 0 else 0.6}"/>'
        )
        parts.append(_text(left - 4, y + 3.5, label, anchor="end"))

    for i in range(n):
        slot_x = left + i * slot
        centre = slot_x + slot / 2
        if chart.stacked:
            bar_w = slot * 0.56
            base = 0.0
            for j, row in enumerate(values):
                if row[i] > 0:
                    parts.append(
                        _bar(slot_x + (slot - bar_w) / 2, bar_w, bottom, base, row[i], scale, j)
                    )
                base += row[i]
            total = format_number(totals[i])
            if totals[i] > 0 and _text_width(total, 9) <= slot - 2:
                parts.append(_text(centre, bottom - base * scale - 3, total, size=9))
        else:
            bar_w = slot * 0.72 / len(values)
            start = slot_x + slot * 0.14
            for j, row in enumerate(values):
                if row[i] <= 0:
                    continue
                bar_x = start + j * bar_w
                parts.append(_bar(bar_x, bar_w, bottom, 0.0, row[i], scale, j))
                shown = format_number(row[i])
                if _text_width(shown, 9) <= bar_w + 4:
                    parts.append(
                        _text(bar_x + bar_w / 2, bottom - row[i] * scale - 3, shown, size=9)
                    )
        if i % every == 0:
            label_y = bottom + 14
            if rotated:
                parts.append(
                    f'<text x="{centre:.1f}" y="{label_y:.1f}" font-size="10" text-anchor="end" '
                    f'fill="#262626" transform="rotate(-45 {centre:.1f} {label_y:.1f})">'
                    f"{html.escape(labels[i])}</text>"
                )
            else:
                parts.append(_text(centre, label_y, labels[i]))
    parts.append("</svg>")
    return "\n".join(parts)


def _bar(
    x: float, width: float, bottom: float, base: float, value: float, scale: float, j: int
) -> str:
    gap = 1.0 if width > 4 else 0.0
    return (
        f'<rect class="bar" x="{x + gap / 2:.1f}" y="{bottom - (base + value) * scale:.1f}" '
        f'width="{width - gap:.1f}" height="{value * scale:.1f}" '
        f'fill="{PALETTE[j % len(PALETTE)]}"/>'
    )


# --- HTML ---------------------------------------------------------------------------------

_CSS: Final = """
@page {
  size: A4;
  margin: 22mm 18mm 20mm 18mm;
  @top-center { content: string(doctitle); font-size: 8.5pt; color: #595959; }
  @bottom-center { content: "第 " counter(page) " 页 共 " counter(pages) " 页"; font-size: 9pt; }
}
@page :first { @top-center { content: none; } }
html { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; font-size: 10.5pt;
       color: #000; line-height: 1.5; }
body { margin: 0; }
.masthead { border-bottom: 1.5pt solid #C00000; padding-bottom: 3mm; margin-bottom: 6mm; }
h1 { string-set: doctitle content(); font-size: 20pt; text-align: center; margin: 0 0 2mm;
     letter-spacing: 0.04em; }
.period { text-align: center; font-size: 14pt; margin: 0 0 4mm; }
.meta { text-align: center; margin: 0.5mm 0; }
.meta span + span { margin-left: 8mm; }
h2 { font-family: "Noto Sans CJK SC", sans-serif; font-size: 13pt; margin: 6mm 0 3mm;
     break-after: avoid; }
h3 { font-size: 11pt; margin: 4mm 0 2mm; break-after: avoid; }
table { width: 100%; border-collapse: collapse; font-family: "Noto Sans CJK SC", sans-serif;
        font-size: 8pt; line-height: 1.3; }
th, td { border: 0.5pt solid #000; padding: 1mm 1.2mm; vertical-align: middle; }
th { background: #F2F2F2; text-align: center; }
td.num { text-align: right; white-space: nowrap; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
tr.total td { font-weight: bold; background: #F2F2F2; }
table.headlines td { width: 33.3%; padding: 2mm 3mm; border-color: #808080; }
.headlines .label { font-size: 9pt; color: #404040; }
.headlines .value { font-size: 16pt; font-weight: bold; }
.headlines .unit { font-size: 9pt; font-weight: normal; margin-left: 1mm; }
.headlines .note { font-size: 8pt; color: #595959; }
figure { margin: 0 0 5mm; break-inside: avoid; page-break-inside: avoid; }
figcaption { text-align: center; font-weight: bold; margin-bottom: 1mm; }
figure svg { width: 100%; height: auto; }
.none { margin: 1mm 0 3mm 2em; }
.notes { margin-top: 6mm; font-size: 9pt; }
.notes ol { margin: 0; padding-left: 2em; }
"""


def _cell(value: str, *, numeric: bool = False) -> str:
    cls = ' class="num"' if numeric else ""
    return f"<td{cls}>{html.escape(value)}</td>"


def _table(headings: Sequence[str], rows: Sequence[str], *, css_class: str = "") -> str:
    cls = f' class="{css_class}"' if css_class else ""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headings)
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _region_tr(name: str, row: RegionRow, *, total: bool = False) -> str:
    cells = [_cell(name)]
    cells += [_cell(format_number(v), numeric=True) for v in _region_counts(row)]
    cells.append(_cell(format_percent(row.coverage), numeric=True))
    opening = '<tr class="total">' if total else "<tr>"
    return f"{opening}{''.join(cells)}</tr>"


def _headline_grid(headlines: Sequence[Headline]) -> str:
    if not headlines:
        return '<p class="none">无</p>'
    cells = [
        f'<td><div class="label">{html.escape(h.label)}</div>'
        f'<div class="value">{html.escape(_headline_value(h))}'
        f'<span class="unit">{html.escape(h.unit)}</span></div>'
        f'<div class="note">{html.escape(h.note)}</div></td>'
        for h in headlines
    ]
    cells += ["<td></td>"] * (-len(cells) % 3)
    rows = "".join(f"<tr>{''.join(cells[i : i + 3])}</tr>" for i in range(0, len(cells), 3))
    return f'<table class="headlines"><tbody>{rows}</tbody></table>'


def _overdue_block(title: str, unit: str, headings: Sequence[str], rows: Sequence[str]) -> str:
    heading = f"<h3>{html.escape(title)}（{len(rows)}{unit}）</h3>"
    if not rows:
        return heading + '<p class="none">无</p>'
    return heading + _table(headings, rows)


def _row(*cells: str, numeric_from: int) -> str:
    return (
        "<tr>" + "".join(_cell(c, numeric=i >= numeric_from) for i, c in enumerate(cells)) + "</tr>"
    )


def render_html(data: MonthlyReportData) -> str:
    """The report as one self-contained HTML document, laid out for A4 by WeasyPrint."""
    title = html.escape(data.title)
    sections: list[tuple[str, str]] = [("主要指标", _headline_grid(data.headlines))]
    region_rows = [_region_tr(r.name, r) for r in data.rows]
    region_rows.append(_region_tr("合计", data.totals, total=True))
    sections.append(
        (
            f"分{data.child_level_name}情况",
            _table(REGION_HEADINGS, region_rows, css_class="regions"),
        )
    )
    figures = [
        f"<figure><figcaption>{html.escape(c.title)}</figcaption>{bar_chart_svg(c)}</figure>"
        for c in data.charts
    ]
    sections.append(("图表", "".join(figures) or '<p class="none">无</p>'))
    clues = [
        _row(c.village, c.household_number, c.channel, c.received_on.isoformat(),
             c.deadline.isoformat(), str(c.days_overdue), numeric_from=5)
        for c in data.overdue_clues
    ]  # fmt: skip
    cases = [
        _row(c.village, c.household_number, c.kind, c.step, c.due_on.isoformat(),
             str(c.days_overdue), numeric_from=5)
        for c in data.overdue_cases
    ]  # fmt: skip
    problems = [
        _row(p.region, p.dimension, p.description, p.lead_unit, p.deadline.isoformat(),
             str(p.days_overdue), numeric_from=5)
        for p in data.overdue_problems
    ]  # fmt: skip
    sections.append(
        (
            "逾期事项",
            _overdue_block("（一）逾期线索", "条", CLUE_HEADINGS, clues)
            + _overdue_block("（二）逾期案件", "件", CASE_HEADINGS, cases)
            + _overdue_block("（三）逾期问题", "个", PROBLEM_HEADINGS, problems),
        )
    )
    body = "".join(
        f"<section><h2>{_section_number(i)}、{html.escape(name)}</h2>{content}</section>"
        for i, (name, content) in enumerate(sections)
    )
    notes = ""
    if data.notes:
        items = "".join(f"<li>{html.escape(n)}</li>" for n in data.notes)
        notes = f'<section class="notes"><p>注：</p><ol>{items}</ol></section>'
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{title}（{html.escape(data.period)}）</title><style>{_CSS}</style></head><body>"
        f'<header class="masthead"><h1>{title}</h1>'
        f'<p class="period">{html.escape(data.period)}</p>'
        f'<p class="meta">编制单位：{html.escape(data.unit)}</p>'
        f'<p class="meta"><span>编制日期：{format_date_cn(data.generated_on)}</span>'
        f"<span>数据截至：{format_date_cn(data.as_of)}</span></p></header>"
        f"{body}{notes}</body></html>\n"
    )


# --- Excel --------------------------------------------------------------------------------


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
        for col, count in enumerate(_region_counts(region), start=1):
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
