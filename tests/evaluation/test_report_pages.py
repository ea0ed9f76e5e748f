"""The measures and integrity pages: computing and running from the page, the tables and the
charts' data (JSON elements, no inline script), pushing warnings, and a township reader who sees
the rows of their township only, never the county's totals.

The registry leaves the database through the snapshot (its own ADBC connection): on PostgreSQL
it sees committed rows only, so these tests commit there.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from fangpin.evaluation.models import IntegrityRun, MeasureResult
from fangpin.evaluation.registry_measures import measures_compute
from fangpin.supervision.models import Problem
from tests.evaluation.conftest import HUAYUAN, LONGMEN, TUDI, XIANGSHUI, World, table_state
from tests.evaluation.pages import client_for, no_inline_script
from tests.evaluation.test_integrity import plant

pytestmark = [
    pytest.mark.django_db(transaction=connection.vendor == "postgresql"),
    pytest.mark.usefixtures("finances"),
]

QUERY = {"county": HUAYUAN, "year": "2024"}
MEASURES = f"{reverse('web:measures')}?county={HUAYUAN}&year=2024"
INTEGRITY = f"{reverse('web:integrity')}?county={HUAYUAN}&year=2024"


def ids(body: str, prefix: str) -> list[str]:
    return re.findall(rf'id="({re.escape(prefix)}[^"]*)"', body)


def test_measures_are_computed_from_the_page_and_shown_with_their_charts(world: World) -> None:
    client = client_for(world.users["county_huayuan"])

    empty = client.get(reverse("web:measures"), QUERY).content.decode()
    assert 'id="measures-empty"' in empty
    assert no_inline_script(empty) == []
    assert f'<option value="{HUAYUAN}" selected>花垣县</option>' in empty

    computed = client.post(reverse("web:measures_compute"), QUERY)

    assert computed.status_code == 302
    assert computed["Location"] == MEASURES
    result = MeasureResult.objects.get().result
    page = client.get(computed["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    charts = no_inline_script(body)
    assert ids(body, "chart-") == [
        "chart-headcount-box",
        "chart-contributions-box",
        "chart-lorenz-box",
        "chart-headcount",
        "chart-contributions",
        "chart-lorenz",
    ]
    headcount, contributions, lorenz = charts
    assert headcount["xAxis"]["data"] == ["龙潭镇", "民乐镇"]
    # A township's bar drills down to its households.
    assert headcount["links"] == {
        "龙潭镇": f"{reverse('web:household_list')}?region=433124102",
        "民乐镇": f"{reverse('web:household_list')}?region=433124103",
    }
    assert headcount["series"][0]["data"] == [
        round(r["headcount"] * 100, 2) for r in result["profile"]["monitoring"] if r["group"]
    ]
    assert [d["value"] for d in contributions["series"][0]["data"]] == [
        round(i["contribution"], 2) for i in result["mpi"]["indicators"]
    ]
    assert lorenz["series"][0]["data"] == result["lorenz"]
    assert ids(body, "profile-") == [
        "profile-monitoring",
        "profile-monitoring-433124102",
        "profile-monitoring-433124103",
        "profile-monitoring-total",
        "profile-poverty",
        "profile-poverty-433124102",
        "profile-poverty-433124103",
        "profile-poverty-total",
    ]
    assert 'id="exit-county"' in body
    # Villages not reaching the exit line first: 土地村 (2 of 8 people below 4,000) only.
    assert ids(body, "exit-4331")[0] == f"exit-{TUDI}"
    assert len(ids(body, "exit-4331")) == 5
    assert "20 户 40 人" in body


def test_a_township_reader_sees_its_own_rows_and_no_county_total(world: World) -> None:
    measures_compute(actor=world.users["county_huayuan"], county_code=HUAYUAN, year=2024)

    page = client_for(world.users["township_longtan"]).get(reverse("web:measures"), QUERY)

    assert page.status_code == 200
    body = page.content.decode()
    charts = no_inline_script(body)
    assert ids(body, "profile-") == [
        "profile-monitoring",
        "profile-monitoring-433124102",
        "profile-poverty",
        "profile-poverty-433124102",
    ]
    assert 'id="exit-county"' not in body
    assert ids(body, "exit-4331") == [f"exit-{TUDI}", f"exit-{LONGMEN}", "exit-433124102202"]
    assert "民乐镇" not in body
    assert 'id="compute-measures"' in body  # offered; the service refuses (next test)
    # Only the township's own figures: no county count, Lorenz curve or MPI breakdown.
    assert "20 户 40 人" not in body
    assert [c["title"]["text"] for c in charts] == ["各乡镇监测线下人口占比"]
    assert charts[0]["xAxis"]["data"] == ["龙潭镇"]


def test_computing_from_a_township_is_refused_and_writes_nothing(world: World) -> None:
    client = client_for(world.users["township_longtan"])
    before = table_state()

    refused = client.post(reverse("web:measures_compute"), QUERY)

    assert refused.status_code == 403
    assert "计算贫困测度需要覆盖全县的账号（县级及以上）" in refused.content.decode()
    assert table_state() == before


def test_a_year_without_data_is_400_with_the_reason(world: World) -> None:
    refused = client_for(world.users["county_huayuan"]).post(
        reverse("web:measures_compute"), {"county": HUAYUAN, "year": "2022"}
    )

    assert refused.status_code == 400
    assert "花垣县2022年没有同时具备收支和“两不愁三保障”信息的农户" in refused.content.decode()
    assert MeasureResult.objects.count() == 0


def test_the_integrity_report_is_run_read_and_pushed_from_the_page(world: World) -> None:
    plant(world)
    client = client_for(world.users["inspector_huayuan"])

    empty = client.get(reverse("web:integrity"), QUERY).content.decode()
    assert 'id="integrity-empty"' in empty
    assert 'id="run-integrity"' in empty

    ran = client.post(reverse("web:integrity_run"), QUERY)

    assert (ran.status_code, ran["Location"]) == (302, INTEGRITY)
    body = client.get(ran["Location"]).content.decode()
    (chart,) = no_inline_script(body)
    assert ids(body, "chart-") == ["chart-integrity-box", "chart-integrity"]
    assert len(chart["yAxis"]["data"]) == 17
    counts = dict(zip(chart["yAxis"]["data"], chart["series"][0]["data"], strict=True))
    assert {t: n for t, n in counts.items() if n} == {
        "收入刚过线": 1,
        "已故成员仍计入家庭人口": 1,
        "多户收入完全相同": 1,
    }
    assert body.count('<tr class="finding"') == 3
    assert 'data-detector="IDENTICAL_INCOME"' in body
    assert "共 3 条，显示前 200 条" in body
    assert 'id="push-integrity"' in body
    only = client.get(reverse("web:integrity"), {**QUERY, "detector": "BUNCHING"}).content
    assert only.decode().count('<tr class="finding"') == 1

    pushed = client.post(reverse("web:integrity_push"), QUERY)

    assert (pushed.status_code, pushed["Location"]) == (302, f"{INTEGRITY}&pushed=2")
    assert Problem.objects.count() == 2
    after = client.get(pushed["Location"]).content.decode()
    assert "已推送 2 个疑点到整改台账（已推送过的不再重复）。" in after
    assert after.count("已推送</td>") == 2
    again = client.post(reverse("web:integrity_push"), {**QUERY, "detector": "IDENTICAL_INCOME"})
    assert again["Location"] == f"{INTEGRITY}&pushed=0"
    assert Problem.objects.count() == 2


def test_a_township_reader_sees_the_integrity_findings_of_its_township(world: World) -> None:
    plant(world)
    client_for(world.users["inspector_huayuan"]).post(reverse("web:integrity_run"), QUERY)

    body = client_for(world.users["township_longtan"]).get(reverse("web:integrity"), QUERY)

    text = body.content.decode()
    (chart,) = no_inline_script(text)
    assert text.count('<tr class="finding"') == 2
    assert 'data-detector="IDENTICAL_INCOME"' not in text
    assert XIANGSHUI not in text
    # Counts of the township's findings only (响水村's look-alikes are in 民乐镇).
    counts = dict(zip(chart["yAxis"]["data"], chart["series"][0]["data"], strict=True))
    assert {t: n for t, n in counts.items() if n} == {"收入刚过线": 1, "已故成员仍计入家庭人口": 1}
    assert "共 2 条" in text
    assert 'id="run-integrity"' not in text
    assert 'id="push-integrity"' not in text


def test_pushing_before_any_run_and_without_the_right_is_refused(world: World) -> None:
    plant(world)
    inspector = client_for(world.users["inspector_huayuan"])
    county = client_for(world.users["county_huayuan"])
    before = table_state()

    nothing = inspector.post(reverse("web:integrity_push"), QUERY)
    assert (nothing.status_code, table_state()) == (400, before)
    assert "还没有检测结果，请先开始检测" in nothing.content.decode()

    assert county.post(reverse("web:integrity_run"), QUERY).status_code == 302
    run_state = table_state()
    refused = county.post(reverse("web:integrity_push"), QUERY)

    assert refused.status_code == 403
    assert "当前账号无权开展数据真实性检测" in refused.content.decode()
    assert table_state() == run_state
    assert IntegrityRun.objects.get().started_by_label == "county_huayuan"


def test_another_countys_reader_cannot_name_this_county(world: World) -> None:
    client = client_for(world.users["inspector_luxi"])
    before = table_state()

    page = client.get(reverse("web:measures"), QUERY).content.decode()
    posts: dict[str, Any] = {
        name: client.post(reverse(name), QUERY).status_code
        for name in ("web:measures_compute", "web:integrity_run", "web:integrity_push")
    }

    assert '<option value="433122000000" selected>泸溪县</option>' in page
    assert f'value="{HUAYUAN}"' not in page
    assert "花垣县" not in page
    assert posts == {
        "web:measures_compute": 404,
        "web:integrity_run": 404,
        "web:integrity_push": 404,
    }
    assert table_state() == before
