"""The monthly report renderers: HTML for the PDF, the SVG charts and the .xlsx workbook."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from fangpin.dashboards.report_format import (
    CASE_HEADINGS,
    CLUE_HEADINGS,
    PROBLEM_HEADINGS,
    REGION_HEADINGS,
    format_date_cn,
    format_number,
    format_percent,
)
from fangpin.dashboards.report_model import (
    ChartSeries,
    Headline,
    MonthlyReportData,
    OverdueCase,
    OverdueClue,
    OverdueProblem,
    RegionRow,
    ReportChart,
)
from fangpin.dashboards.report_render import render_html
from fangpin.dashboards.report_svg import bar_chart_svg, nice_ticks
from fangpin.dashboards.report_xlsx import render_xlsx


def _region(code: str, name: str, base: int, coverage: float | None) -> RegionRow:
    return RegionRow(
        code=code,
        name=name,
        households=1000 * base,
        persons=3000 * base,
        monitored=10 * base,
        unstable=4 * base,
        marginal=3 * base,
        sudden=2 * base,
        eliminated=5 * base,
        identified_in_month=base,
        eliminated_in_month=base,
        clues_overdue=base,
        cases_overdue=0,
        problems_open=base,
        coverage=coverage,
    )


ROWS = (
    _region("433124101", "<script>alert(1)</script>镇", 1, 0.125),
    _region("433124102", "龙潭镇", 2, None),
)
TOTALS = dataclasses.replace(_region("433124", "花垣县", 3, 0.0625), cases_overdue=0, persons=9001)

REPORT = MonthlyReportData(
    region_code="433124",
    region_name="花垣县",
    month=dt.date(2024, 6, 1),
    unit="花垣县乡村振兴局",
    generated_on=dt.date(2024, 7, 3),
    as_of=dt.date(2024, 6, 30),
    headlines=(
        Headline("monitored", "监测对象（未消除风险）", 1234, "户", "较上月 +12"),
        Headline("persons", "在册人数", 56789, "人"),
        Headline("coverage", "走访覆盖率", 0.125, percent=True),
    ),
    child_level_name="乡镇",
    rows=ROWS,
    totals=TOTALS,
    charts=(
        ReportChart(
            key="by_type",
            title="监测对象类型（分乡镇）",
            categories=("龙潭镇", "花垣镇"),
            series=(
                ChartSeries("脱贫不稳定户", (4.0, 8.0)),
                ChartSeries("边缘易致贫户", (3.0, 0.0)),
                ChartSeries("突发严重困难户", (2.0, 4.0)),
            ),
            stacked=True,
        ),
        ReportChart(
            key="monthly",
            title="近三个月识别与消除",
            categories=("4月", "5月", "6月"),
            series=(
                ChartSeries("新识别", (5.0, 0.0, 7.0)),
                ChartSeries("消除", (2.0, 3.0, 0.0)),
            ),
        ),
    ),
    overdue_clues=(
        OverdueClue(
            "龙门村", "433124101201-0007", "干部走访", dt.date(2024, 5, 2), dt.date(2024, 5, 17), 44
        ),
    ),
    overdue_cases=(
        OverdueCase(
            "十八洞村", "433124102203-0012", "边缘易致贫户", "乡镇审核", dt.date(2024, 6, 10), 20
        ),
    ),
    overdue_problems=(
        OverdueProblem("花垣镇", "两不愁三保障", "=1+1", "县教育局", dt.date(2024, 6, 15), 15),
    ),
    notes=("数据截至2024年6月30日。",),
)  # fmt: skip

EMPTY = dataclasses.replace(
    REPORT, overdue_clues=(), overdue_cases=(), overdue_problems=(), charts=(), notes=()
)


def _sheets(data: bytes) -> dict[str, list[list[Any]]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {
        name: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for name in book.sheet_names
    }


def _bars(svg: str) -> int:
    return svg.count('<rect class="bar"')


# --- formatting and ticks --------------------------------------------------------------------


def test_formats_numbers_percentages_and_dates_the_chinese_way() -> None:
    assert format_number(1234567) == "1,234,567"
    assert format_number(1234.0) == "1,234"
    assert format_number(1234.5) == "1,234.5"
    assert format_number(2.345) == "2.35"
    assert format_percent(0.125) == "12.5%"
    assert format_percent(1.0) == "100.0%"
    assert format_percent(0.0625) == "6.3%"  # 四舍五入, as Excel shows 0.0%
    assert format_percent(0.0105) == "1.1%"
    assert format_percent(None) == "—"
    assert format_date_cn(dt.date(2024, 7, 3)) == "2024年7月3日"


def test_ticks_are_round_and_reach_the_maximum() -> None:
    assert nice_ticks(12) == (0, 5, 10, 15)
    assert nice_ticks(3) == (0, 1, 2, 3)
    assert nice_ticks(1234) == (0, 500, 1000, 1500)
    assert nice_ticks(0.3, whole=False) == (0, 0.1, 0.2, 0.3)
    assert nice_ticks(0) == (0, 1)


# --- SVG ------------------------------------------------------------------------------------


def test_a_stacked_chart_draws_one_bar_per_value_above_zero() -> None:
    svg = bar_chart_svg(REPORT.charts[0])

    assert svg.startswith("<svg ")
    assert svg.endswith("</svg>")
    assert _bars(svg) == 5  # six values, one of them zero
    assert svg.count('<rect class="legend"') == 3
    assert ">脱贫不稳定户</text>" in svg
    assert ">12</text>" in svg  # the total above 花垣镇's stack
    assert ">单位：户</text>" in svg


def test_a_grouped_chart_draws_bars_side_by_side_with_round_ticks() -> None:
    svg = bar_chart_svg(REPORT.charts[1])

    assert _bars(svg) == 4
    labels = re.findall(r'text-anchor="end" fill="#262626">([^<]*)</text>', svg)
    assert labels == ["0", "2", "4", "6", "8"]
    assert "<script" not in svg
    assert "href" not in svg


def test_a_single_series_has_no_legend() -> None:
    chart = ReportChart("one", "单列", ("甲", "乙"), (ChartSeries("户数", (1.0, 2.0)),))

    svg = bar_chart_svg(chart)

    assert _bars(svg) == 2
    assert "legend" not in svg


def test_many_long_labels_are_turned_and_shortened() -> None:
    names = tuple(f"{i}号超长名称的易地扶贫搬迁安置社区" for i in range(20))
    chart = ReportChart("many", "分村", names, (ChartSeries("户数", tuple(1.0 for _ in names)),))

    svg = bar_chart_svg(chart)

    assert _bars(svg) == 20
    assert svg.count('transform="rotate(-45') == 20
    assert "…</text>" in svg
    assert names[0] not in svg


def test_an_empty_chart_says_no_data() -> None:
    no_categories = ReportChart("x", "空", (), ())
    all_zero = ReportChart("y", "零", ("甲", "乙"), (ChartSeries("户数", (0.0, 0.0)),))

    for chart in (no_categories, all_zero):
        svg = bar_chart_svg(chart)
        assert "暂无数据" in svg
        assert "<rect" not in svg


def test_a_series_of_the_wrong_length_is_refused() -> None:
    chart = ReportChart("bad", "错", ("甲", "乙"), (ChartSeries("户数", (1.0,)),))

    with pytest.raises(ValueError, match="has 1 values for 2 categories"):
        bar_chart_svg(chart)


def test_chart_text_is_escaped() -> None:
    chart = ReportChart(
        "e", "<b>", ("<i>",), (ChartSeries("a&b", (1.0,)), ChartSeries("c", (2.0,)))
    )

    svg = bar_chart_svg(chart)

    assert 'aria-label="&lt;b&gt;"' in svg
    assert ">&lt;i&gt;</text>" in svg
    assert ">a&amp;b</text>" in svg


# --- HTML -----------------------------------------------------------------------------------


def test_the_html_is_a_self_contained_a4_document() -> None:
    page = render_html(REPORT)

    assert page.startswith('<!DOCTYPE html>\n<html lang="zh-CN">')
    assert "<h1>花垣县防止返贫监测帮扶工作月报</h1>" in page
    assert '<p class="period">2024年6月</p>' in page
    assert "编制单位：花垣县乡村振兴局" in page
    assert "编制日期：2024年7月3日" in page
    assert "数据截至：2024年6月30日" in page
    assert "size: A4" in page
    assert '"第 " counter(page) " 页 共 " counter(pages) " 页"' in page
    assert "thead { display: table-header-group; }" in page
    assert "<script" not in page
    assert set(re.findall(r"https?://[^\"' ]+", page)) == {"http://www.w3.org/2000/svg"}
    assert "src=" not in page
    assert "href" not in page
    assert "url(" not in page


def test_the_html_numbers_its_sections_and_formats_the_figures() -> None:
    page = render_html(REPORT)

    headings = re.findall(r"<h2>([^<]*)</h2>", page)
    assert headings == ["一、主要指标", "二、分乡镇情况", "三、图表", "四、逾期事项"]
    assert '<div class="value">1,234<span class="unit">户</span></div>' in page
    assert '<div class="value">12.5%<span class="unit"></span></div>' in page
    assert '<div class="note">较上月 +12</div>' in page
    assert page.count("<svg ") == 2
    assert "<figcaption>监测对象类型（分乡镇）</figcaption>" in page
    assert "<h3>（一）逾期线索（1条）</h3>" in page
    assert "<td>433124101201-0007</td>" in page
    assert "<td>2024-05-17</td>" in page  # a deadline
    assert "<li>数据截至2024年6月30日。</li>" in page


def test_the_region_table_has_a_total_row_and_dashes_missing_coverage() -> None:
    page = render_html(REPORT)

    table = page[page.index('<table class="regions">') :]
    table = table[: table.index("</table>")]
    head = re.findall(r"<th>([^<]*)</th>", table)
    assert tuple(head) == REGION_HEADINGS
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table[table.index("<tbody>") :])
    cells = [re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in rows]
    assert [c[0] for c in cells] == ["&lt;script&gt;alert(1)&lt;/script&gt;镇", "龙潭镇", "合计"]
    assert cells[0][-1] == "12.5%"
    assert cells[1][-1] == "—"
    assert cells[2] == [
        "合计", "3,000", "9,001", "30", "12", "9", "6", "15", "3", "3", "3", "0", "3", "6.3%"
    ]  # fmt: skip
    assert '<tr class="total">' in table


def test_the_html_escapes_every_value() -> None:
    page = render_html(REPORT)

    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;镇" in page


def test_empty_lists_say_none() -> None:
    page = render_html(EMPTY)

    section = page[page.index("四、逾期事项") :]
    assert section.count('<p class="none">无</p>') == 3
    assert "<h3>（三）逾期问题（0个）</h3>" in section
    assert "<svg" not in page
    assert 'class="notes"' not in page


# --- Excel ----------------------------------------------------------------------------------


def test_the_workbook_has_one_sheet_per_part() -> None:
    sheets = _sheets(render_xlsx(REPORT))

    assert list(sheets) == ["概况", "分乡镇", "图表", "逾期线索", "逾期案件", "逾期问题"]


def test_the_overview_sheet_holds_the_masthead_and_headlines() -> None:
    overview = _sheets(render_xlsx(REPORT))["概况"]

    assert overview[0][0] == "花垣县防止返贫监测帮扶工作月报"
    assert overview[1][:2] == ["报告期", "2024年6月"]
    assert overview[3][:2] == ["编制日期", dt.date(2024, 7, 3)]
    assert overview[7] == ["指标", "数值", "单位", "说明"]
    assert overview[8] == ["监测对象（未消除风险）", 1234, "户", "较上月 +12"]
    assert overview[10] == ["走访覆盖率", 0.125, "", ""]
    assert overview[12][0] == "注："
    assert overview[13][0] == "数据截至2024年6月30日。"


def test_the_region_sheet_has_the_headings_rows_and_total() -> None:
    table = _sheets(render_xlsx(REPORT))["分乡镇"]

    assert tuple(table[0]) == REGION_HEADINGS
    assert table[1][0] == "<script>alert(1)</script>镇"
    assert table[1][-1] == 0.125
    assert table[2][-1] == ""  # no coverage: blank, not zero
    assert table[3] == ["合计", 3000, 9001, 30, 12, 9, 6, 15, 3, 3, 3, 0, 3, 0.0625]
    assert len(table) == 4


def test_the_chart_sheet_writes_the_chart_data() -> None:
    charts = _sheets(render_xlsx(REPORT))["图表"]

    assert charts[0][0] == "监测对象类型（分乡镇）（单位：户）"
    assert charts[1][:4] == ["类别", "脱贫不稳定户", "边缘易致贫户", "突发严重困难户"]
    assert charts[2][:4] == ["龙潭镇", 4, 3, 2]
    assert charts[18][0] == "近三个月识别与消除（单位：户）"
    assert charts[20][:3] == ["4月", 5, 2]


def test_the_workbook_has_native_charts_stacked_when_asked() -> None:
    with zipfile.ZipFile(io.BytesIO(render_xlsx(REPORT))) as archive:
        charts = sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart"))
        xml = [archive.read(n).decode() for n in charts]

    assert len(charts) == 2
    assert '<c:grouping val="stacked"/>' in xml[0]
    assert '<c:grouping val="clustered"/>' in xml[1]
    assert "<c:f>图表!$B$2</c:f>" in xml[0]


def test_the_overdue_sheets_hold_real_dates_and_text_stays_text() -> None:
    sheets = _sheets(render_xlsx(REPORT))

    assert tuple(sheets["逾期线索"][0]) == CLUE_HEADINGS
    assert sheets["逾期线索"][1] == [
        "龙门村", "433124101201-0007", "干部走访", dt.date(2024, 5, 2), dt.date(2024, 5, 17), 44
    ]  # fmt: skip
    assert tuple(sheets["逾期案件"][0]) == CASE_HEADINGS
    assert sheets["逾期案件"][1][4] == dt.date(2024, 6, 10)
    assert tuple(sheets["逾期问题"][0]) == PROBLEM_HEADINGS
    assert sheets["逾期问题"][1][2] == "'=1+1"  # formula-safe text (SECURITY.md, ASVS 1.2.10)


def test_the_workbook_has_no_formula_anywhere() -> None:
    with zipfile.ZipFile(io.BytesIO(render_xlsx(REPORT))) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 6
        for name in sheets:
            xml = archive.read(name).decode()
            assert re.search(r"<f[ >]", xml) is None, name


def test_every_sheet_prints_on_a4_with_page_numbers() -> None:
    with zipfile.ZipFile(io.BytesIO(render_xlsx(REPORT))) as archive:
        xml = {
            n: archive.read(n).decode()
            for n in archive.namelist()
            if n.startswith("xl/worksheets/sheet")
        }

    for name, sheet in xml.items():
        assert 'paperSize="9"' in sheet, name
        assert "<oddFooter>&amp;C第 &amp;P 页 共 &amp;N 页</oddFooter>" in sheet, name
        assert "<oddHeader>&amp;C花垣县防止返贫监测帮扶工作月报</oddHeader>" in sheet, name
    assert 'orientation="landscape"' in xml["xl/worksheets/sheet2.xml"]
    assert '<autoFilter ref="A1:N3"/>' in xml["xl/worksheets/sheet2.xml"]


def test_empty_lists_still_make_every_sheet() -> None:
    sheets = _sheets(render_xlsx(EMPTY))

    assert list(sheets) == ["概况", "分乡镇", "图表", "逾期线索", "逾期案件", "逾期问题"]
    assert sheets["逾期线索"] == [list(CLUE_HEADINGS), ["无", "", "", "", "", ""]]
    assert sheets["图表"][0][0] == "暂无数据"


def test_the_same_data_gives_the_same_workbook() -> None:
    assert render_xlsx(REPORT) == render_xlsx(REPORT)


# --- PDF ------------------------------------------------------------------------------------


def _pdf_tools_missing() -> str:
    """Why the PDF cannot be made and read here, or "" when it can."""
    if shutil.which("pdftotext") is None:
        return "pdftotext (poppler-utils) is not installed"
    try:
        import weasyprint  # noqa: F401 - imported to see whether Pango loads
    except (ImportError, OSError) as exc:
        return f"WeasyPrint cannot run here: {exc}"
    return ""


@pytest.mark.slow
def test_the_html_prints_as_an_a4_pdf_with_page_numbers(tmp_path: Any) -> None:
    if reason := _pdf_tools_missing():
        pytest.skip(reason)
    from weasyprint import HTML

    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(HTML(string=render_html(REPORT)).write_pdf())
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout

    assert "花垣县防止返贫监测帮扶工作月报" in text
    compact = "".join(text.split())  # pdftotext drops the spaces between CJK and digits
    pages = re.search(r"第1页共(\d+)页", compact)
    assert pages is not None
    assert f"第{pages[1]}页共{pages[1]}页" in compact
    assert "龙潭镇" in text
    assert "1,234" in text
    assert "12.5%" in text
