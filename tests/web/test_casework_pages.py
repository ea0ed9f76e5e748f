"""The monthly-screening and risk-clue pages: runs, a run's progress, precision, clues, verify.

Runs, clues and warnings are written directly (no screening engine): the pages only read them
through the casework selectors and write through ``screening_run_request`` and
``clue_verify``.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from fangpin.casework.models import Clue, ClueChannel, ScreeningRun, Warning
from fangpin.core.models import AuditEvent
from fangpin.registry.models import Household
from fangpin.web.views._common import region_filter_choices
from tests.registry.conftest import DOUWANG, HUAYUAN_COUNTY, TUDI, World
from tests.web.conftest import client_for

MONTH = date(2024, 12, 1)
INCOME_REASON = "2024年人均纯收入5,812元，低于监测线7,100元"
OOP_REASON = "医疗合规自付费用占家庭纯收入的61%，超过50%"
HOUSING_REASON = "住房安全等级为C级（2024年10月鉴定）"


# --- Rows ------------------------------------------------------------------------------------


def make_run(region_code: str, *, status: str = "succeeded", **fields: Any) -> ScreeningRun:
    values: dict[str, Any] = {
        "month": MONTH,
        "year": 2024,
        "region_code": region_code,
        "status": status,
        "requested_by_label": "county_huayuan",
    }
    values.update(fields)
    return ScreeningRun.objects.create(**values)


def make_clue(
    household: Household,
    run: ScreeningRun,
    warnings: list[tuple[str, str]],
    *,
    overdue: bool = False,
    outcomes: list[str] | None = None,
    month: date = MONTH,
) -> Clue:
    """A screening clue of ``household`` gathering one warning per (rule code, reason); with
    ``outcomes`` it is verified (the first outcome is the clue's)."""
    today = timezone.localdate()
    clue = Clue.objects.create(
        household=household,
        village_code=household.village_id,
        channel=ClueChannel.SCREENING,
        received_on=today - timedelta(days=20),
        verify_deadline=today - timedelta(days=3) if overdue else today + timedelta(days=5),
        status="verified" if outcomes else "pending",
        outcome=outcomes[0] if outcomes else "",
        note="已入户核实" if outcomes else "",
    )
    for index, (rule_code, reason) in enumerate(warnings):
        Warning.objects.create(
            run=run,
            first_run=run,
            last_run=run,
            month=month,
            rule_code=rule_code,
            family=rule_code.split(".")[0],
            severity="high" if index == 0 else "medium",
            household=household,
            village_code=household.village_id,
            observed=json.dumps(
                {"year": "2024", "per_capita_net_income": 5812.0, "household_size": 3}
            ),
            threshold=json.dumps({"monitoring.income_line": 7100}),
            sources='["registry/finances"]',
            reason_zh=reason,
            edition_id="2024/433124",
            clue=clue,
            verify_deadline=clue.verify_deadline,
            outcome=outcomes[index] if outcomes else "",
        )
    return clue


@pytest.fixture
def cases(world: World) -> dict[str, Any]:
    """花垣县's December run; clues: 土地村 (two warnings, overdue), 豆旺村 (one), 民乐村
    (verified: 属实 and 不属实), 泸溪县 (another county's run and clue)."""
    run = make_run(
        HUAYUAN_COUNTY,
        findings_total=5,
        warnings_created=5,
        clues_created=3,
        rule_counts={
            "trigger.housing_unsafe": 2,
            "trigger.income_below_line": 2,
            "trigger.medical_oop_share": 1,
            "trigger.accident": 0,
        },
    )
    luxi_run = make_run("433122000000")
    h = world.households
    return {
        "run": run,
        "luxi_run": luxi_run,
        "tudi": make_clue(
            h["tudi"],
            run,
            [
                ("trigger.income_below_line", INCOME_REASON),
                ("trigger.medical_oop_share", OOP_REASON),
            ],
            overdue=True,
        ),
        "douwang": make_clue(h["douwang"], run, [("trigger.housing_unsafe", HOUSING_REASON)]),
        "minle": make_clue(
            h["minle"],
            run,
            [("trigger.income_below_line", "民乐收入"), ("trigger.housing_unsafe", "民乐住房")],
            outcomes=["confirmed", "unfounded"],
        ),
        "luxi": make_clue(h["luxi"], luxi_run, [("trigger.accident", "泸溪意外")]),
    }


def state() -> dict[str, Any]:
    """Everything the pages could write, for "nothing changed" checks."""
    return {
        "runs": sorted(ScreeningRun.objects.values_list("id", "status", "month", "region_code")),
        "clues": sorted(Clue.objects.values_list("id", "status", "outcome", "version", "note")),
        "warnings": sorted(Warning.objects.values_list("id", "outcome", "outcome_note")),
        "tasks": DBTaskResult.objects.count(),
        "audit": sorted(
            a
            for a in AuditEvent.objects.values_list("action", flat=True)
            if a not in {"authz.denied", "auth.login"}
        ),
    }


def body(response: Any) -> str:
    return str(response.content.decode())


# --- 月度筛查: the runs ---------------------------------------------------------------------


def test_the_runs_list_shows_the_scope_runs_and_the_start_form(
    world: World, cases: dict[str, Any]
) -> None:
    response = client_for(world.viewers["county_huayuan"]).get("/screening/")

    html = body(response)
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    assert f'id="run-{cases["run"].public_id}"' in html
    assert f'id="run-{cases["luxi_run"].public_id}"' not in html
    assert "花垣县" in html
    assert "已完成" in html
    assert 'id="run-start-form"' in html
    assert '<option value="433124000000">花垣县</option>' in html
    assert '<option value="433124102000">　龙潭镇</option>' in html
    assert 'name="month" value="' + f"{timezone.localdate():%Y-%m}" + '"' in html


def test_a_village_cadre_sees_the_county_run_but_no_start_form(
    world: World, cases: dict[str, Any]
) -> None:
    html = body(client_for(world.viewers["cadre_tudi"]).get("/screening/"))

    assert f'id="run-{cases["run"].public_id}"' in html
    assert "run-start-form" not in html


def test_starting_a_run_queues_it_and_shows_its_page(world: World) -> None:
    client = client_for(world.viewers["county_huayuan"])

    response = client.post("/screening/start/", {"month": "2024-11", "region": HUAYUAN_COUNTY})

    run = ScreeningRun.objects.get()
    assert response.status_code == 302
    assert response.url == f"/screening/runs/{run.public_id}/"
    assert (run.month, run.year, run.region_code, run.status) == (
        date(2024, 11, 1),
        2023,
        HUAYUAN_COUNTY,
        "queued",
    )
    assert run.requested_by == world.viewers["county_huayuan"]
    assert DBTaskResult.objects.count() == 1
    assert AuditEvent.objects.filter(action="screening.request").count() == 1


def test_a_second_run_of_the_same_month_and_region_is_refused(world: World) -> None:
    client = client_for(world.viewers["county_huayuan"])
    client.post("/screening/start/", {"month": "2024-11", "region": HUAYUAN_COUNTY})
    before = state()

    response = client.post("/screening/start/", {"month": "2024-11", "region": HUAYUAN_COUNTY})

    assert response.status_code == 409
    assert "433124 2024-11 已有排队或运行中的筛查，请等待其完成" in body(response)
    assert state() == before


def test_the_start_form_refuses_a_region_outside_the_scope(world: World) -> None:
    client = client_for(world.viewers["county_huayuan"])
    before = state()

    response = client.post("/screening/start/", {"month": "2024-11", "region": "433122000000"})

    assert response.status_code == 403
    assert "区划 433122000000 不在您的辖区内" in body(response)
    assert state() == before
    assert AuditEvent.objects.filter(action="authz.denied").count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"month": "2024-13", "region": HUAYUAN_COUNTY}, "月份应为YYYY-MM，如2024-12"),
        ({"month": "2024-11", "region": "4331"}, "请选择地区"),
    ],
)
def test_the_start_form_refuses_a_malformed_month_or_region(
    world: World, data: dict[str, str], message: str
) -> None:
    before = state()

    response = client_for(world.viewers["county_huayuan"]).post("/screening/start/", data)

    assert response.status_code == 400
    assert message in body(response)
    assert state() == before


@pytest.mark.parametrize("role", ["cadre_tudi", "township_longtan", "inspector_luxi", "auditor"])
def test_only_the_county_approver_may_start_a_run(world: World, role: str) -> None:
    before = state()

    response = client_for(world.viewers[role]).post(
        "/screening/start/", {"month": "2024-11", "region": TUDI}
    )

    assert response.status_code == 403
    assert state() == before


@pytest.mark.parametrize("url", ["/screening/start/", "/clues/{clue}/verify/"])
def test_write_urls_refuse_get(world: World, cases: dict[str, Any], url: str) -> None:
    before = state()

    response = client_for(world.viewers["cadre_tudi"]).get(url.format(clue=cases["tudi"].public_id))

    assert response.status_code == 405
    assert state() == before


def test_a_queued_run_polls_its_progress_card(world: World) -> None:
    run = make_run(
        HUAYUAN_COUNTY, status="running", stage="筛查：风险触发", progress_done=9, progress_total=36
    )
    client = client_for(world.viewers["county_huayuan"])

    page = body(client.get(f"/screening/runs/{run.public_id}/"))
    fragment = client.get(f"/screening/runs/{run.public_id}/", headers={"HX-Request": "true"})

    poll = f'hx-get="/screening/runs/{run.public_id}/" hx-trigger="every 2s" hx-swap="outerHTML"'
    assert poll in page
    assert '<meta http-equiv="refresh" content="5">' in page  # inside <noscript>
    assert "筛查：风险触发 9 / 36（25%）" in page
    assert '<progress max="100" value="25">' in page
    html = body(fragment)
    assert fragment.status_code == 200
    assert html.startswith('<section class="card" id="run-progress"')
    assert "<html" not in html
    assert poll in html
    assert "筛查：风险触发 9 / 36（25%）" in html


def test_a_finished_run_stops_polling_and_counts_its_warnings_per_rule(
    world: World, cases: dict[str, Any]
) -> None:
    url = f"/screening/runs/{cases['run'].public_id}/"

    county = body(client_for(world.viewers["county_huayuan"]).get(url))
    fragment = body(
        client_for(world.viewers["county_huayuan"]).get(url, headers={"HX-Request": "true"})
    )
    cadre = body(client_for(world.viewers["cadre_tudi"]).get(url))

    for html in (county, fragment):
        assert "hx-trigger" not in html
        assert "<progress" not in html
    assert '<dd class="run-succeeded" id="run-status">已完成</dd>' in county
    rows = (
        '<tr id="rule-trigger.housing_unsafe"><td>住房安全等级为C/D级<br>'
        '<span class="mono small">trigger.housing_unsafe</span></td><td>风险触发</td>'
        '<td class="num">2</td></tr>',
        '<tr id="rule-trigger.income_below_line"><td>人均纯收入低于监测线<br>'
        '<span class="mono small">trigger.income_below_line</span></td><td>风险触发</td>'
        '<td class="num">2</td></tr>',
        '<tr id="rule-trigger.medical_oop_share">',
    )
    assert all(row in county for row in rows)
    assert county.index(rows[0]) < county.index(rows[1]) < county.index(rows[2])
    assert "rule-trigger.accident" not in county  # rules with no finding are left out
    assert "本次筛查全区域各规则发现的户数" in county
    # A village counts its own warnings only, never the county's totals per rule.
    assert "rule-trigger.housing_unsafe" not in cadre
    assert '<td class="num">1</td></tr>' in cadre
    assert '<td class="num">2</td></tr>' not in cadre
    assert "本辖区的预警（最近一次由本次筛查发现的）" in cadre


def test_a_runs_counts_stay_when_a_later_run_takes_its_warnings_over(
    world: World, cases: dict[str, Any]
) -> None:
    first = cases["run"]
    later = make_run(HUAYUAN_COUNTY, rule_counts={"trigger.housing_unsafe": 1})
    assert Warning.objects.filter(last_run=first).update(last_run=later) == 5

    html = body(
        client_for(world.viewers["county_huayuan"]).get(f"/screening/runs/{first.public_id}/")
    )

    assert (
        '<tr id="rule-trigger.housing_unsafe"><td>住房安全等级为C/D级<br>'
        '<span class="mono small">trigger.housing_unsafe</span></td><td>风险触发</td>'
        '<td class="num">2</td></tr>'
    ) in html


def test_a_failed_run_shows_its_error(world: World) -> None:
    run = make_run(HUAYUAN_COUNTY, status="failed", error_message="无法确定适用的政策版本：缺少")

    html = body(
        client_for(world.viewers["county_huayuan"]).get(f"/screening/runs/{run.public_id}/")
    )

    assert '<p class="error" role="alert" id="run-error">无法确定适用的政策版本：缺少</p>' in html
    assert "hx-trigger" not in html


# --- 规则准确率 ---------------------------------------------------------------------------------


def _precision_rows(html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in html.split('<tr id="precision-')[1:]]


def test_the_precision_report_puts_the_worst_rule_first(
    world: World, cases: dict[str, Any]
) -> None:
    html = body(client_for(world.viewers["county_huayuan"]).get("/screening/precision/"))

    assert _precision_rows(html) == [
        "trigger.housing_unsafe",
        "trigger.income_below_line",
        "trigger.medical_oop_share",
    ]
    assert (
        '<tr id="precision-trigger.housing_unsafe">\n'
        '  <td class="mono small">trigger.housing_unsafe</td><td>住房安全等级为C/D级</td>\n'
        '  <td class="num">2</td><td class="num">1</td>\n'
        '  <td class="num">0</td><td class="num">1</td>\n'
        '  <td class="num">0</td><td class="num">0</td>\n'
        '  <td class="num">0.0%</td><td class="num">0.0%</td>\n'
    ) in html
    assert (
        '  <td class="num">2</td><td class="num">1</td>\n'
        '  <td class="num">1</td><td class="num">0</td>\n'
        '  <td class="num">0</td><td class="num">0</td>\n'
        '  <td class="num">100.0%</td><td class="num">100.0%</td>\n'
    ) in html
    assert "准确率 = 核实为“属实”的预警 ÷ 已核实的预警" in html


def test_the_precision_report_follows_the_scope_and_the_months(
    world: World, cases: dict[str, Any]
) -> None:
    cadre = body(client_for(world.viewers["cadre_tudi"]).get("/screening/precision/"))
    later = body(
        client_for(world.viewers["county_huayuan"]).get("/screening/precision/?month_from=2025-01")
    )
    bad = client_for(world.viewers["county_huayuan"]).get("/screening/precision/?month_to=2024-1")

    assert _precision_rows(cadre) == ["trigger.income_below_line", "trigger.medical_oop_share"]
    assert '<td class="num">—</td><td class="num">—</td>' in cadre
    assert _precision_rows(later) == []
    assert "所选期间本辖区没有预警。" in later
    assert "月份应为YYYY-MM，如2024-12" in body(bad)


# --- 预警线索: the list ---------------------------------------------------------------------------


def _clue_rows(html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in html.split('<tr id="clue-')[1:]]


def test_the_clue_list_shows_the_scope_clues_earliest_deadline_first(
    world: World, cases: dict[str, Any]
) -> None:
    html = body(client_for(world.viewers["county_huayuan"]).get("/clues/"))

    tudi = cases["tudi"]
    assert _clue_rows(html) == [
        str(tudi.public_id),
        str(cases["douwang"].public_id),
        str(cases["minle"].public_id),
    ]
    number = world.households["tudi"].household_number
    row = html.split(f'<tr id="clue-{tudi.public_id}">')[1].split("</tr>")[0]
    assert f'<td><a href="/clues/{tudi.public_id}/">{number}</a></td>' in row
    assert "<td>张三</td>" in row
    assert "<td>土地村</td>" in row
    assert '<span class="unconfirmed overdue">逾期</span>' in row
    assert f'<td class="reason">{INCOME_REASON} <span class="small">（共 2 条）</span></td>' in row
    assert "<td>待核实</td>" in row
    minle = html.split(f'<tr id="clue-{cases["minle"].public_id}">')[1].split("</tr>")[0]
    assert "<td>属实</td>" in minle
    assert "逾期" not in minle


def test_a_village_cadre_lists_only_their_village_clues(
    world: World, cases: dict[str, Any]
) -> None:
    html = body(client_for(world.viewers["cadre_tudi"]).get("/clues/"))

    assert _clue_rows(html) == [str(cases["tudi"].public_id)]
    assert world.households["douwang"].household_number not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=pending", ["tudi", "douwang"]),
        ("status=verified", ["minle"]),
        ("overdue=yes", ["tudi"]),
        ("overdue=no", ["douwang", "minle"]),
        ("rule=trigger.housing_unsafe", ["douwang", "minle"]),
        ("rule=trigger.medical_oop_share", ["tudi"]),
        (f"village={DOUWANG}", ["douwang"]),
        ("month=2024-12", ["tudi", "douwang", "minle"]),
        ("month=2024-11", []),
        ("status=pending&overdue=no&village=" + DOUWANG, ["douwang"]),
        ("village=433124102", ["tudi", "douwang"]),  # 龙潭镇, the whole township
        ("village=433124103", ["minle"]),  # 民乐镇
        ("status=pending&village=433124103", []),
    ],
)
def test_the_clue_list_filters(
    world: World, cases: dict[str, Any], query: str, expected: list[str]
) -> None:
    html = body(client_for(world.viewers["county_huayuan"]).get(f"/clues/?{query}"))

    assert _clue_rows(html) == [str(cases[key].public_id) for key in expected]
    if not expected:
        assert "没有符合条件的线索。" in html


def test_a_wider_scope_offers_each_township_before_its_villages(world: World) -> None:
    county = world.viewers["county_huayuan"]
    assert region_filter_choices(county) == [
        ("433124102", "龙潭镇（全乡镇）"),
        ("433124102201", "土地村"),
        ("433124102202", "豆旺村"),
        ("433124103", "民乐镇（全乡镇）"),
        ("433124103201", "民乐村"),
    ]
    html = body(client_for(county).get("/clues/?village=433124102"))
    assert '<option value="433124102" selected>龙潭镇（全乡镇）</option>' in html
    assert "village=433124102" in html.split('class="exports')[1].split("</p>")[0]


def test_a_village_or_township_user_gets_the_villages_only(
    world: World, cases: dict[str, Any]
) -> None:
    assert region_filter_choices(world.viewers["cadre_tudi"]) == [(TUDI, "土地村")]
    assert region_filter_choices(world.viewers["township_longtan"]) == [
        (TUDI, "土地村"),
        (DOUWANG, "豆旺村"),
    ]
    html = body(client_for(world.viewers["cadre_tudi"]).get("/clues/?village=433124102"))
    assert "全乡镇" not in html
    assert _clue_rows(html) == [str(cases["tudi"].public_id)]  # invalid filter: unfiltered


def test_a_village_outside_the_scope_is_not_a_filter_choice(
    world: World, cases: dict[str, Any]
) -> None:
    html = body(client_for(world.viewers["cadre_tudi"]).get(f"/clues/?village={DOUWANG}"))

    assert _clue_rows(html) == [str(cases["tudi"].public_id)]  # invalid filter: unfiltered
    assert world.households["douwang"].household_number not in html


def test_an_htmx_filter_change_gets_the_results_only(world: World, cases: dict[str, Any]) -> None:
    response = client_for(world.viewers["county_huayuan"]).get(
        "/clues/?overdue=yes", headers={"HX-Request": "true", "HX-Target": "results"}
    )

    html = body(response)
    assert html.startswith('<section id="results" aria-live="polite">')
    assert "<html" not in html
    assert _clue_rows(html) == [str(cases["tudi"].public_id)]


def test_the_clue_list_pages_by_50_without_a_count(world: World, cases: dict[str, Any]) -> None:
    run, household = cases["run"], world.households["tudi"]
    for index in range(50):  # verified clues: only one pending clue per household
        make_clue(
            household,
            run,
            [("trigger.accident", f"意外{index}")],
            outcomes=["unfounded"],
            month=date(2020 + index // 12, index % 12 + 1, 1),
        )
    client = client_for(world.viewers["cadre_tudi"])

    first = body(client.get("/clues/"))
    second = body(client.get("/clues/?page=2"))

    assert len(_clue_rows(first)) == 50
    assert 'rel="next" href="?page=2"' in first
    assert len(_clue_rows(second)) == 1
    assert 'rel="prev" href="?page=1"' in second
    assert 'rel="next"' not in second


def test_the_clue_list_costs_the_same_queries_for_more_rows(
    world: World, cases: dict[str, Any]
) -> None:
    client = client_for(world.viewers["county_huayuan"])
    client.get("/clues/")
    with CaptureQueriesContext(connection) as three:
        client.get("/clues/")
    for index in range(5):
        make_clue(
            world.households["douwang"],
            cases["run"],
            [("trigger.accident", f"意外{index}")],
            outcomes=["confirmed"],
            month=date(2020, index + 1, 1),
        )
    with CaptureQueriesContext(connection) as eight:
        client.get("/clues/")

    assert len(eight.captured_queries) == len(three.captured_queries)


# --- 预警线索: one clue and its verification ------------------------------------------------------


def test_the_clue_page_shows_each_warning_readably_and_the_form(
    world: World, cases: dict[str, Any]
) -> None:
    clue = cases["tudi"]
    household = world.households["tudi"]

    response = client_for(world.viewers["cadre_tudi"]).get(f"/clues/{clue.public_id}/")

    html = body(response)
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    assert f'<a href="/households/{household.public_id}/">{household.household_number}</a>' in html
    assert "<dd>张三</dd>" in html
    assert "<dd>土地村</dd>" in html
    assert '<span class="unconfirmed overdue">逾期</span>' in html
    income, oop = Warning.objects.filter(clue=clue).order_by("rule_code")
    assert (
        '<h3>人均纯收入低于监测线 <span class="mono small">trigger.income_below_line</span>' in html
    )
    assert '<h3>医疗合规自付费用占家庭纯收入比例过高 <span class="mono small">' in html
    assert '<dd class="severity-high">高</dd>' in html
    assert '<dd class="severity-medium">中</dd>' in html
    assert f'<dd class="reason">{INCOME_REASON}</dd>' in html
    assert '<li><span class="mono">per_capita_net_income</span>: 5812.0</li>' in html
    assert '<li><span class="mono">monitoring.income_line</span>: 7100</li>' in html
    assert f'<form method="post" action="/clues/{clue.public_id}/verify/" id="verify-form">' in html
    assert '<input type="hidden" name="version" value="1">' in html
    for warning in (income, oop):
        assert f'<select name="outcome_{warning.public_id}" required>' in html
    assert '<option value="already_monitored">已在监测</option>' in html
    assert '<option value="civil_affairs">转民政</option>' in html


@pytest.mark.parametrize("role", ["county_huayuan", "inspector_luxi"])
def test_a_role_without_clue_verify_sees_no_form(
    world: World, cases: dict[str, Any], role: str
) -> None:
    clue = cases["tudi"] if role == "county_huayuan" else cases["luxi"]

    html = body(client_for(world.viewers[role]).get(f"/clues/{clue.public_id}/"))

    assert "verify-form" not in html
    assert "<select" not in html


def _verify_data(clue: Clue, *outcomes: str, version: int = 1) -> dict[str, Any]:
    warnings = Warning.objects.filter(clue=clue).order_by("rule_code")
    data: dict[str, Any] = {"version": str(version), "note": "入户核实，收入确实偏低"}
    for warning, outcome in zip(warnings, outcomes, strict=False):
        data[f"outcome_{warning.public_id}"] = outcome
    return data


def test_verifying_a_clue_saves_every_outcome(world: World, cases: dict[str, Any]) -> None:
    clue = cases["tudi"]
    client = client_for(world.viewers["cadre_tudi"])

    response = client.post(
        f"/clues/{clue.public_id}/verify/", _verify_data(clue, "confirmed", "already_monitored")
    )

    assert response.status_code == 302
    assert response.url == f"/clues/{clue.public_id}/"
    clue.refresh_from_db()
    assert (clue.status, clue.outcome, clue.version, clue.note) == (
        "verified",
        "confirmed",
        2,
        "入户核实，收入确实偏低",
    )
    assert clue.verified_by == world.viewers["cadre_tudi"]
    assert sorted(Warning.objects.filter(clue=clue).values_list("rule_code", "outcome")) == [
        ("trigger.income_below_line", "confirmed"),
        ("trigger.medical_oop_share", "already_monitored"),
    ]
    assert AuditEvent.objects.filter(action="clue.verify").count() == 1
    page = body(client.get(response.url))
    assert "核实结果已保存" in page
    assert '<dd id="clue-outcome">属实</dd>' in page
    assert '<dd id="clue-note">入户核实，收入确实偏低</dd>' in page
    assert '<dd class="outcome">已在监测</dd>' in page
    assert "verify-form" not in page


def test_a_stale_form_is_refused_and_nothing_changes(world: World, cases: dict[str, Any]) -> None:
    clue = cases["tudi"]
    Clue.objects.filter(pk=clue.pk).update(version=2)  # someone changed it meanwhile
    before = state()

    response = client_for(world.viewers["cadre_tudi"]).post(
        f"/clues/{clue.public_id}/verify/", _verify_data(clue, "confirmed", "confirmed", version=1)
    )

    html = body(response)
    assert response.status_code == 409
    assert "该线索已被他人修改，请刷新后重试" in html
    assert f'<a href="/clues/{clue.public_id}/">重新载入</a>' in html
    assert '<input type="hidden" name="version" value="2">' in html
    assert state() == before


def test_a_clue_cannot_be_verified_twice(world: World, cases: dict[str, Any]) -> None:
    clue = cases["tudi"]
    client = client_for(world.viewers["cadre_tudi"])
    client.post(f"/clues/{clue.public_id}/verify/", _verify_data(clue, "confirmed", "confirmed"))
    before = state()

    response = client.post(
        f"/clues/{clue.public_id}/verify/",
        _verify_data(clue, "unfounded", "unfounded", version=2),
    )

    assert response.status_code == 409
    assert "该线索已核实，不能重复核实" in body(response)
    assert "verify-form" not in body(response)
    assert state() == before


def test_a_warning_left_without_an_outcome_is_refused_and_the_choices_kept(
    world: World, cases: dict[str, Any]
) -> None:
    clue = cases["tudi"]
    before = state()

    response = client_for(world.viewers["cadre_tudi"]).post(
        f"/clues/{clue.public_id}/verify/", _verify_data(clue, "confirmed")
    )

    html = body(response)
    assert response.status_code == 400
    assert "还有 1 条预警未填写核实结果" in html
    assert '<option value="confirmed" selected>属实</option>' in html
    assert "入户核实，收入确实偏低</textarea>" in html
    assert state() == before


def test_an_unknown_outcome_is_refused(world: World, cases: dict[str, Any]) -> None:
    clue = cases["douwang"]
    before = state()

    response = client_for(world.viewers["township_longtan"]).post(
        f"/clues/{clue.public_id}/verify/", _verify_data(clue, "maybe")
    )

    assert response.status_code == 400
    assert "未知的核实结果：maybe" in body(response)
    assert state() == before


def test_the_county_approver_may_not_verify(world: World, cases: dict[str, Any]) -> None:
    clue = cases["tudi"]
    before = state()

    response = client_for(world.viewers["county_huayuan"]).post(
        f"/clues/{clue.public_id}/verify/", _verify_data(clue, "confirmed", "confirmed")
    )

    assert response.status_code == 403
    assert state() == before


# --- Access, navigation, English ------------------------------------------------------------


@pytest.mark.parametrize("role", ["auditor", "sysadmin", "secadmin", "root"])
def test_roles_without_household_data_get_403(
    world: World, cases: dict[str, Any], role: str
) -> None:
    client = client_for(world.viewers[role])
    urls = [
        "/screening/",
        "/screening/precision/",
        f"/screening/runs/{cases['run'].public_id}/",
        "/clues/",
        f"/clues/{cases['tudi'].public_id}/",
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url


def test_the_navigation_offers_the_pages_to_roles_with_household_data(world: World) -> None:
    cadre = body(client_for(world.viewers["cadre_tudi"]).get("/"))
    admin = body(client_for(world.viewers["sysadmin"]).get("/accounts/"))

    assert '<a href="/clues/">预警线索</a>' in cadre
    assert '<a href="/screening/">月度筛查</a>' in cadre
    assert "/clues/" not in admin
    assert "/screening/" not in admin


def test_the_pages_speak_english(world: World, cases: dict[str, Any]) -> None:
    client = client_for(world.viewers["cadre_tudi"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/clues/"})

    clues = body(client.get("/clues/"))
    clue = body(client.get(f"/clues/{cases['tudi'].public_id}/"))
    runs = body(client.get("/screening/"))
    precision = body(client.get("/screening/precision/"))

    assert "<h1>Risk clues</h1>" in clues
    assert "Overdue" in clues
    assert "Save the verification" in clue
    assert "<h1>Monthly screening</h1>" in runs
    assert "<h1>Rule precision</h1>" in precision
