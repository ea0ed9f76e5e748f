"""The list's region counts, sorting rules and pagination."""

from __future__ import annotations

from typing import Any

import pytest

from fangpin.web.views import households as list_views
from tests.registry.conftest import World
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
