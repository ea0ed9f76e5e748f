"""The dashboard pages and the monthly reports page: every chart's option is a JSON element (no
inline script), the numbers shown are the selectors', drill-down links open lists of exactly
that many households, a region outside the scope is a 404, and the writes (refresh, report,
schedule) are refused to those who may not make them, changing nothing."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.urls import reverse

from fangpin.core.access import SYSTEM
from fangpin.core.models import AuditEvent, Region
from fangpin.dashboards.models import MonthlyReport, ReportSchedule, TallyRefresh
from fangpin.dashboards.refresh import tallies_refresh
from fangpin.dashboards.reports import report_generate
from fangpin.dashboards.selectors import dashboard_figures, headline
from tests.dashboards.conftest import AS_OF, HUAYUAN, LONGTAN, MINLE_TOWN, TUDI
from tests.evaluation.conftest import LUXI
from tests.evaluation.pages import client_for, no_inline_script

pytestmark = pytest.mark.django_db

PAGES = ("web:dashboard", "web:dashboard_work", "web:dashboard_results")


@pytest.fixture
def refreshed(work: dict[str, Any]) -> dict[str, Any]:
    tallies_refresh(actor=SYSTEM, county_code=HUAYUAN, as_of=AS_OF)
    return work


def figures(body: str) -> dict[str, str]:
    """The headline tiles' raw values: ``data-figure`` → ``data-value``."""
    return dict(re.findall(r'class="tile-value" data-figure="([^"]+)" data-value="([^"]*)"', body))


def test_overview_shows_the_selectors_numbers_and_draws_from_json(
    refreshed: dict[str, Any],
) -> None:
    client = client_for(refreshed["world"].users["county_huayuan"])

    body = client.get(reverse("web:dashboard")).content.decode()

    expected = headline(dashboard_figures(user=SYSTEM, region=Region.objects.get(code=HUAYUAN)))
    shown = figures(body)
    assert shown == {
        key: str(expected[key])
        for key in (
            "hh",
            "persons",
            "mon",
            "mon_UNSTABLE",
            "mon_MARGINAL",
            "mon_SUDDEN",
            "elim",
            "ident_month",
            "elim_month",
        )
    }
    charts = no_inline_script(body)
    assert [c["title"]["text"] for c in charts] == [
        "监测对象类别（未消除风险）",
        "近36个月识别监测与风险消除（户）",
        "分区划监测对象（未消除风险）",
        "区划树图（面积为在册农户数，颜色深浅为监测对象占比）",
        "监测对象风险类型（户，一户可有多项）",
    ]
    regions = charts[2]
    assert regions["xAxis"]["data"] == ["龙潭镇", "民乐镇"]
    assert regions["series"][0]["data"] == [2, 0]
    assert regions["links"]["龙潭镇"] == f"{reverse('web:dashboard')}?region={LONGTAN}"
    assert 'id="row-433124102000"' in body
    assert "数据截至 2025-01-20" in body


def test_a_drill_down_link_opens_exactly_that_many_households(refreshed: dict[str, Any]) -> None:
    client = client_for(refreshed["world"].users["county_huayuan"])
    charts = no_inline_script(client.get(reverse("web:dashboard")).content.decode())
    segment = unescape(charts[2]["links"]["脱贫不稳定户|龙潭镇"])
    assert segment == (
        f"{reverse('web:household_list')}?region=433124102&status=active"
        "&monitoring_status=open&monitoring_type=UNSTABLE"
    )

    listed = client.get(segment).content.decode()

    rows = re.findall(r'<tr[^>]*id="household-', listed) or re.findall(
        r'href="/households/[0-9a-f-]{36}/"', listed
    )
    assert len(rows) == 2  # the chart's figure for that segment
    month = unescape(charts[1]["links"]["新识别|2024-02"])
    assert (
        len(re.findall(r'href="/households/[0-9a-f-]{36}/"', client.get(month).content.decode()))
        == 2
    )


def test_work_and_results_pages(refreshed: dict[str, Any]) -> None:
    client = client_for(refreshed["world"].users["county_huayuan"])

    work = client.get(reverse("web:dashboard_work")).content.decode()
    assert figures(work) == {
        "clue_pending": "2",
        "clue_late": "1",
        "case_open": "2",
        "case_late": "1",
        "planned": "1",
        "coverage": "0.5",
        "problems_to_fix": "2",
        "prob_late": "1",
    }
    charts = {c["title"]["text"]: c for c in no_inline_script(work)}
    pipeline = charts["认定与消除案件所处环节（办理中，含逾期）"]
    assert pipeline["yAxis"]["data"] == ["识别认定·村级公示", "风险消除·民主评议"]
    assert [s["data"] for s in pipeline["series"]] == [[0, 1], [1, 0]]
    clues = charts["待核实线索（按区划，含逾期）"]
    assert unescape(clues["links"]["逾期|龙潭镇"]) == (
        f"{reverse('web:clues')}?status=pending&overdue=yes&village=433124102"
    )
    assert "尚有 2 个问题未销号，其中 1 个已逾期" in work

    results = client.get(reverse("web:dashboard_results"), {"year": "2024"}).content.decode()
    assert 'id="no-measures"' in results  # nothing computed for the world yet


#: (user, region asked, answer) for each of the three pages; one world for the whole matrix.
SCOPE_CASES = [
    ("county_huayuan", LUXI, 404),
    ("township_longtan", HUAYUAN, 404),
    ("township_longtan", MINLE_TOWN, 404),
    ("cadre_tudi", LONGTAN, 404),
    ("cadre_tudi", TUDI, 200),
    ("auditor", HUAYUAN, 403),
    ("county_huayuan", "abc", 404),
]


def test_scope_of_the_pages(refreshed: dict[str, Any]) -> None:
    answers = []
    for user, region, _status in SCOPE_CASES:
        client = client_for(refreshed["world"].users[user])
        for name in PAGES:
            response = client.get(reverse(name), {"region": region})
            answers.append(response.status_code)
            if response.status_code == 200:
                assert response["Cache-Control"].startswith("max-age=0")
    assert answers == [status for _, _, status in SCOPE_CASES for _ in PAGES]


def test_township_sees_its_villages(refreshed: dict[str, Any]) -> None:
    client = client_for(refreshed["world"].users["township_longtan"])
    body = client.get(reverse("web:dashboard")).content.decode()
    assert figures(body)["hh"] == "12"
    assert 'id="refresh-dashboard"' not in body  # no screening.run
    assert "433124103" not in body  # nothing of 民乐镇


def test_refresh_from_the_page(refreshed: dict[str, Any]) -> None:
    county = client_for(refreshed["world"].users["county_huayuan"])
    township = client_for(refreshed["world"].users["township_longtan"])
    before = (TallyRefresh.objects.count(), AuditEvent.objects.count())

    refused = township.post(reverse("web:dashboard_refresh"), {"county": HUAYUAN})

    assert refused.status_code == 403
    assert (TallyRefresh.objects.count(), AuditEvent.objects.count()) == before
    done = county.post(
        reverse("web:dashboard_refresh"), {"county": HUAYUAN, "region": LONGTAN, "tab": "work"}
    )
    assert done.status_code == 302
    assert done["Location"] == f"{reverse('web:dashboard_work')}?region={LONGTAN}"
    assert TallyRefresh.objects.count() == before[0] + 1
    assert county.post(reverse("web:dashboard_refresh"), {"county": LUXI}).status_code == 403


def test_reports_page_makes_a_report_and_serves_it_in_scope(refreshed: dict[str, Any]) -> None:
    users = refreshed["world"].users
    county = client_for(users["county_huayuan"])

    page = county.get(reverse("web:reports")).content.decode()
    assert f'<option value="{LONGTAN}">' in page
    made = county.post(
        reverse("web:reports"),
        {"action": "report", "region": LONGTAN, "month": "2025-01", "unit": "龙潭镇人民政府"},
    )
    assert made.status_code == 302
    report = MonthlyReport.objects.get()
    assert (report.region_id, report.unit, report.status) == (LONGTAN, "龙潭镇人民政府", "queued")
    download = reverse("web:report_download", args=[report.public_id, "pdf"])
    assert county.get(download).status_code == 404  # not made yet
    report_generate(report.pk, on=AS_OF)

    pdf = county.get(download)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    xlsx = county.get(reverse("web:report_download", args=[report.public_id, "xlsx"]))
    assert xlsx.content.startswith(b"PK")
    assert (
        county.get(reverse("web:report_download", args=[report.public_id, "doc"])).status_code
        == 404
    )
    other = client_for(users["inspector_luxi"])
    assert other.get(download).status_code == 404
    assert str(report.public_id) not in other.get(reverse("web:reports")).content.decode()


def test_reports_page_refuses_bad_input_and_changes_nothing(refreshed: dict[str, Any]) -> None:
    county = client_for(refreshed["world"].users["county_huayuan"])
    before = (
        MonthlyReport.objects.count(),
        ReportSchedule.objects.count(),
        AuditEvent.objects.count(),
    )

    future = county.post(
        reverse("web:reports"), {"action": "report", "region": HUAYUAN, "month": "2099-01"}
    )
    outside = county.post(
        reverse("web:reports"), {"action": "report", "region": LUXI, "month": "2025-01"}
    )
    late_day = county.post(
        reverse("web:reports"), {"action": "schedule", "region": HUAYUAN, "day": "31"}
    )

    assert future.status_code == 400
    assert "不能生成未来月份的月报" in future.content.decode()
    assert outside.status_code == 400  # not among the choices
    assert late_day.status_code == 400
    assert (
        MonthlyReport.objects.count(),
        ReportSchedule.objects.count(),
        AuditEvent.objects.count(),
    ) == before
    saved = county.post(
        reverse("web:reports"),
        {"action": "schedule", "region": HUAYUAN, "day": "5", "enabled": "on"},
    )
    assert saved.status_code == 302
    assert ReportSchedule.objects.get().day == 5


def test_the_reports_link_is_for_counties_and_townships(refreshed: dict[str, Any]) -> None:
    users = refreshed["world"].users
    link = f'href="{reverse("web:reports")}"'
    assert (
        link in client_for(users["township_longtan"]).get(reverse("web:dashboard")).content.decode()
    )
    village = client_for(users["cadre_tudi"])
    assert link not in village.get(reverse("web:dashboard")).content.decode()
    assert village.get(reverse("web:reports")).status_code == 403


def test_the_dashboard_in_english(refreshed: dict[str, Any]) -> None:
    client = client_for(refreshed["world"].users["county_huayuan"])
    client.cookies["django_language"] = "en"

    body = client.get(reverse("web:dashboard")).content.decode()

    titles = [c["title"]["text"] for c in no_inline_script(body)]
    assert titles[0] == "Monitored households by type (risk not eliminated)"
    assert titles[1] == "Identifications and eliminations over the last 36 months (households)"
    assert "Registered people" in body
    months = no_inline_script(body)[1]
    assert "Identified|2024-02" in months["links"]  # the link keys follow the translation
