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

import html
from collections.abc import Sequence
from typing import Final

from fangpin.dashboards.report_format import (
    CASE_HEADINGS,
    CLUE_HEADINGS,
    PROBLEM_HEADINGS,
    REGION_HEADINGS,
    format_date_cn,
    format_number,
    format_percent,
    headline_value,
    region_counts,
    section_number,
)
from fangpin.dashboards.report_model import (
    Headline,
    MonthlyReportData,
    RegionRow,
)
from fangpin.dashboards.report_svg import bar_chart_svg

__all__ = ["render_html"]


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
table.regions td:first-child { white-space: nowrap; }
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
    cells += [_cell(format_number(v), numeric=True) for v in region_counts(row)]
    cells.append(_cell(format_percent(row.coverage), numeric=True))
    opening = '<tr class="total">' if total else "<tr>"
    return f"{opening}{''.join(cells)}</tr>"


def _headline_grid(headlines: Sequence[Headline]) -> str:
    if not headlines:
        return '<p class="none">无</p>'
    cells = [
        f'<td><div class="label">{html.escape(h.label)}</div>'
        f'<div class="value">{html.escape(headline_value(h))}'
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
        f"<section><h2>{section_number(i)}、{html.escape(name)}</h2>{content}</section>"
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
