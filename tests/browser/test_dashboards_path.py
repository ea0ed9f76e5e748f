"""Dashboards in a real browser: a county approver opens the three dashboards of 花垣县; every
chart draws, every headline number is the selectors' figure, a click on a bar segment opens the
household list behind it (as many households as the bar says), the township's dashboard opens
from the region chart; the monthly report is made from the page and its PDF says the same
numbers (pdftotext). Screenshots of each page go to test-artifacts/screenshots."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from fangpin.core.access import SYSTEM
from fangpin.core.models import Region, User
from fangpin.core.selectors import region_cache_clear
from fangpin.dashboards.models import MonthlyReport
from fangpin.dashboards.refresh import tallies_refresh
from fangpin.dashboards.reports import report_generate
from fangpin.dashboards.selectors import dashboard_figures, headline
from fangpin.evaluation.registry_measures import measures_compute
from fangpin.registry.models import Person
from tests.browser.test_evaluation_path import _charts_drawn, _login, _with_records
from tests.browser.test_main_paths import DOUWANG, PASSWORD, TUDI, _household, _regions
from tests.registry.monitoring_helpers import add_spell

COUNTY = "433124000000"
LONGTAN = "433124102000"


@pytest.fixture
def county(audit_log_emptied_after: None) -> Iterator[Any]:
    _regions()
    households = [
        _household(TUDI, "张三", 3),
        _household(TUDI, "李四", 4),
        _household(TUDI, "赵七", 7),
        _household(DOUWANG, "王五", 5),
        _household(DOUWANG, "赵六", 6),
    ]
    for household, income in zip(households, (3500, 6200, 9000, 12000, 15000), strict=True):
        _with_records(household, income)
    Person.objects.update(has_resident_medical=True)
    add_spell(households[0], "UNSTABLE", date(2024, 2, 1), risks=(("01", ""), ("07", "")))
    add_spell(households[1], "MARGINAL", date(2024, 5, 1))
    add_spell(households[3], "UNSTABLE", date(2023, 4, 1), eliminated=date(2024, 6, 1))
    User.objects.create_user(
        username="county_huayuan",
        password=PASSWORD,
        role="county_approver",
        home_region=Region.objects.get(code=COUNTY),
    )
    measures_compute(actor=SYSTEM, county_code=COUNTY, year=2024)
    tallies_refresh(actor=SYSTEM, county_code=COUNTY)
    yield households
    region_cache_clear()


def _tiles(page: Any) -> dict[str, str]:
    return page.eval_on_selector_all(
        ".tile-value[data-figure]",
        "els => Object.fromEntries(els.map(e => [e.dataset.figure, e.dataset.value]))",
    )


def _click_bar(page: Any, chart_id: str, series: int, index: int) -> None:
    """Click the middle of one bar segment of an ECharts bar chart, as a person would."""
    x, y = page.evaluate(
        """([id, series, index]) => {
            const el = document.getElementById(id);
            el.scrollIntoView({block: "center"});
            const chart = echarts.getInstanceByDom(el);
            const option = chart.getOption();
            const s = option.series[series];
            let base = 0;
            for (let i = 0; i < series; i++) { base += option.series[i].data[index]; }
            const top = chart.convertToPixel({seriesIndex: series}, [index, base + s.data[index]]);
            const bottom = chart.convertToPixel({seriesIndex: series}, [index, base]);
            const box = el.getBoundingClientRect();
            return [box.left + top[0], box.top + (top[1] + bottom[1]) / 2];
        }""",
        [chart_id, series, index],
    )
    page.mouse.click(x, y)


def test_dashboards_draw_drill_down_and_report(
    live_server: Any, page: Any, county: Any, screenshot_dir: Path
) -> None:
    base = live_server.url
    expected = headline(dashboard_figures(user=SYSTEM, region=Region.objects.get(code=COUNTY)))
    _login(page, base, "county_huayuan")
    page.click("nav.main-nav >> text=看板")
    page.wait_for_url(re.compile(r"/dashboard/$"))

    _charts_drawn(page, 5)
    tiles = _tiles(page)
    assert tiles == {k: str(expected[k]) for k in tiles}
    assert (tiles["hh"], tiles["mon"], tiles["mon_UNSTABLE"], tiles["elim"]) == ("5", "2", "1", "1")
    page.screenshot(path=str(screenshot_dir / "dashboard-overview.png"), full_page=True)

    page.wait_for_timeout(600)  # the bars' entry animation
    _click_bar(page, "chart-regions-box", series=1, index=0)  # 边缘易致贫户 of 龙潭镇
    page.wait_for_url(re.compile(r"/households/\?"))
    assert "monitoring_type=MARGINAL" in page.url
    assert page.locator("#results tbody tr").count() == 1
    assert page.locator("#results").inner_text().count("李四") == 1

    page.goto(f"{base}/dashboard/work/?region={COUNTY}")
    _charts_drawn(page, 6)
    tiles = _tiles(page)
    assert tiles == {k: ("" if expected[k] is None else str(expected[k])) for k in tiles}
    page.screenshot(path=str(screenshot_dir / "dashboard-work.png"), full_page=True)

    page.goto(f"{base}/dashboard/results/?region={COUNTY}")
    _charts_drawn(page, 4)
    assert _tiles(page)["measured_households"] == "5"
    page.screenshot(path=str(screenshot_dir / "dashboard-results.png"), full_page=True)

    page.goto(f"{base}/dashboard/?region={LONGTAN}")
    _charts_drawn(page, 5)
    assert page.locator("h1").inner_text() == "龙潭镇防止返贫监测帮扶看板"

    page.click("nav.tabs >> text=工作月报")
    page.wait_for_url(re.compile(r"/reports/$"))
    page.select_option("#id_region", COUNTY)
    page.fill("#id_month", "2024-06")
    page.fill("#id_unit", "花垣县乡村振兴局")
    page.click("#make-report")
    page.wait_for_url(re.compile(r"/reports/$"))
    report = MonthlyReport.objects.get()
    report_generate(report.pk)  # the worker's job
    page.reload()
    page.screenshot(path=str(screenshot_dir / "reports.png"), full_page=True)
    response = page.request.get(f"{base}/reports/{report.public_id}/pdf/")
    assert response.status == 200
    if shutil.which("pdftotext") is None:
        pytest.skip("needs pdftotext (poppler-utils) to read the PDF back")
    pdf = screenshot_dir / "report.pdf"
    pdf.write_bytes(response.body())
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    compact = "".join(text.split())
    assert "花垣县防止返贫监测帮扶工作月报2024年6月" in compact
    assert "编制单位：花垣县乡村振兴局" in compact
    june = headline(
        dashboard_figures(user=SYSTEM, region=Region.objects.get(code=COUNTY)),
        month=date(2024, 6, 1),
    )
    assert june["elim_month"] == 1  # 王五's spell, eliminated in June 2024
    total = [june[k] for k in ("hh", "persons", "mon", "mon_UNSTABLE", "mon_MARGINAL")]
    total += [june[k] for k in ("mon_SUDDEN", "elim", "ident_month", "elim_month")]
    assert re.search(r"合计\s+" + r"\s+".join(str(v) for v in total) + r"\s", text), text
