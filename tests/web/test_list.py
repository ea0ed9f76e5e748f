"""The list's region counts, sorting rules and pagination."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from fangpin.web.views import households as list_views
from tests.registry.conftest import World
from tests.registry.monitoring_helpers import add_spell
from tests.web.conftest import client_for


def test_the_county_home_counts_households_per_township(world: World) -> None:
    body = client_for(world.viewers["county_huayuan"]).get("/").content.decode()

    assert '<strong class="total">3</strong>' in body
    assert 'href="/households/?region=433124102">龙潭镇</a></td><td class="num">2</td>' in body
    assert 'href="/households/?region=433124103">民乐镇</a></td><td class="num">1</td>' in body


def test_a_township_link_from_home_filters_the_list(world: World) -> None:
    body = (
        client_for(world.viewers["county_huayuan"])
        .get("/households/", {"region": "433124102"})
        .content.decode()
    )

    assert world.households["tudi"].household_number in body
    assert world.households["douwang"].household_number in body
    assert world.households["minle"].household_number not in body


def test_sorting_by_head_name_needs_one_village(world: World) -> None:
    client = client_for(world.viewers["county_huayuan"])
    body = client.get("/households/", {"sort": "head"}).content.decode()

    assert "按户主姓名或人口数排序时请先选择一个村。" in body
    body = client.get("/households/", {"sort": "head", "region": "433124102201"}).content.decode()
    assert "请先选择一个村" not in body


@pytest.mark.parametrize(("page", "expected"), [(1, ["tudi", "douwang"]), (2, ["minle"])])
def test_pages_hold_page_size_rows_without_a_total_count(
    world: World, monkeypatch: Any, page: int, expected: list[str]
) -> None:
    monkeypatch.setattr(list_views, "PAGE_SIZE", 2)
    body = (
        client_for(world.viewers["county_huayuan"])
        .get("/households/", {"page": page})
        .content.decode()
    )

    shown = [k for k, h in world.households.items() if h.household_number in body]
    assert sorted(shown) == sorted(expected)
    assert ('rel="next"' in body) is (page == 1)
    assert ('rel="prev"' in body) is (page == 2)


def test_a_digits_only_query_is_a_household_number_prefix(world: World) -> None:
    body = (
        client_for(world.viewers["county_huayuan"])
        .get("/households/", {"q": "433124102202"})
        .content.decode()
    )

    assert world.households["douwang"].household_number in body
    assert world.households["tudi"].household_number not in body


# --- monitoring filters (issue #3) --------------------------------------------------------------


@pytest.fixture
def monitored_world(world: World) -> World:
    """tudi: UNSTABLE, open, 因病 + 因自然灾害（洪涝）; douwang: SUDDEN, eliminated, 因残;
    minle: never monitored; luxi (another county): UNSTABLE, open, 因病."""
    h = world.households
    add_spell(h["tudi"], "UNSTABLE", date(2023, 4, 1), risks=[("01", ""), ("02", "0201")])
    add_spell(
        h["douwang"], "SUDDEN", date(2023, 1, 1), eliminated=date(2023, 9, 1), risks=[("03", "")]
    )
    add_spell(h["luxi"], "UNSTABLE", date(2022, 6, 1), risks=[("01", "")])
    return world


def _shown(world: World, body: str) -> list[str]:
    return sorted(k for k, h in world.households.items() if h.household_number in body)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["douwang", "minle", "tudi"]),
        ({"monitoring_status": "open"}, ["tudi"]),
        ({"monitoring_status": "eliminated"}, ["douwang"]),
        ({"monitoring_status": "none"}, ["minle"]),
        ({"monitoring_type": "SUDDEN"}, ["douwang"]),
        ({"monitoring_type": "MARGINAL"}, []),
        ({"risk_type": "02"}, ["tudi"]),
        ({"risk_type": "03"}, ["douwang"]),
        ({"risk_type": "09"}, []),
        ({"risk_type": "01", "region": "433124102202"}, []),
        ({"monitoring_status": "open", "monitoring_type": "UNSTABLE", "risk_type": "01"}, ["tudi"]),
        ({"identified": "2023-04"}, ["tudi"]),
        ({"identified": "2023-01"}, ["douwang"]),
        ({"eliminated": "2023-09"}, ["douwang"]),
        ({"eliminated": "2023-04"}, []),
        ({"identified": "2022-06"}, []),  # luxi's month, but luxi is another county's
        ({"identified": "2023-13"}, ["douwang", "minle", "tudi"]),  # bad month: no filters
    ],
)
def test_the_list_filters_by_monitoring_status_type_and_risk(
    monitored_world: World, params: dict[str, str], expected: list[str]
) -> None:
    client = client_for(monitored_world.viewers["county_huayuan"])
    body = client.get("/households/", params).content.decode()
    assert _shown(monitored_world, body) == expected
    partial = client.get(
        "/households/", params, headers={"HX-Request": "true", "HX-Target": "results"}
    ).content.decode()
    assert _shown(monitored_world, partial) == expected


def test_the_list_shows_monitoring_status_with_type_and_the_filter_selects(
    monitored_world: World,
) -> None:
    body = (
        client_for(monitored_world.viewers["county_huayuan"])
        .get("/households/", {"monitoring_status": "open"})
        .content.decode()
    )
    assert "<th>监测状态</th>" in body
    assert (
        '<td class="monitoring open">风险未消除<span class="kind">（脱贫不稳定户）</span></td>'
        in body
    )
    assert '<option value="open" selected>风险未消除</option>' in body
    assert '<option value="02">因自然灾害</option>' in body
    assert '<option value="SUDDEN">突发严重困难户</option>' in body
    none = (
        client_for(monitored_world.viewers["county_huayuan"])
        .get("/households/", {"monitoring_status": "none"})
        .content.decode()
    )
    assert '<td class="monitoring none">—</td>' in none


def test_the_month_filters_show_their_values_and_reach_the_export_link(
    monitored_world: World,
) -> None:
    body = (
        client_for(monitored_world.viewers["county_huayuan"])
        .get("/households/", {"identified": "2023-01", "eliminated": "2023-09"})
        .content.decode()
    )
    assert (
        '<label>识别监测月份 <input type="month" name="identified" value="2023-01"'
        ' pattern="[0-9]{4}-[0-9]{2}"></label>' in body
    )
    assert '<label>风险消除月份 <input type="month" name="eliminated" value="2023-09"' in body
    exports = body.split('class="exports')[1].split("</p>")[0]
    assert 'href="/exports/households/?format=csv&identified=2023-01&amp;eliminated=2023-09"' in (
        exports
    )
    assert _shown(monitored_world, body) == ["douwang"]


def test_an_unknown_monitoring_code_drops_the_filters_like_other_bad_input(
    monitored_world: World,
) -> None:
    body = (
        client_for(monitored_world.viewers["county_huayuan"])
        .get("/households/", {"risk_type": "88"})
        .content.decode()
    )
    assert _shown(monitored_world, body) == ["douwang", "minle", "tudi"]


def test_a_village_cadre_filtering_by_risk_sees_only_the_village(monitored_world: World) -> None:
    body = (
        client_for(monitored_world.viewers["cadre_tudi"])
        .get("/households/", {"risk_type": "03"})
        .content.decode()
    )
    assert _shown(monitored_world, body) == []
    body = (
        client_for(monitored_world.viewers["cadre_tudi"])
        .get("/households/", {"risk_type": "01"})
        .content.decode()
    )
    assert _shown(monitored_world, body) == ["tudi"]
