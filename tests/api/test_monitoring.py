"""Monitoring in the API: list filters by status, type and risk; the current spell in detail."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.registry.conftest import World
from tests.registry.monitoring_helpers import add_spell


@pytest.fixture
def monitored(world: World) -> World:
    """tudi: UNSTABLE, open, 因病 + 因自然灾害（洪涝）, an earlier MARGINAL spell with 因学;
    douwang: SUDDEN, eliminated (自然消除), 因残; minle: never; luxi: UNSTABLE, open, 因病."""
    h = world.households
    add_spell(
        h["tudi"],
        "MARGINAL",
        date(2021, 4, 1),
        eliminated=date(2021, 12, 1),
        is_current=False,
        risks=[("09", "")],
    )
    add_spell(h["tudi"], "UNSTABLE", date(2023, 4, 1), risks=[("01", ""), ("02", "0201")])
    add_spell(
        h["douwang"],
        "SUDDEN",
        date(2023, 1, 1),
        eliminated=date(2023, 9, 1),
        mode="natural",
        risks=[("03", "")],
    )
    add_spell(h["luxi"], "UNSTABLE", date(2022, 6, 1), risks=[("01", "")])
    return world


def _numbers(world: World, keys: list[str]) -> list[str]:
    return sorted(world.households[k].household_number for k in keys)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["douwang", "minle", "tudi"]),
        ("monitoring_status=open", ["tudi"]),
        ("monitoring_status=eliminated", ["douwang"]),
        ("monitoring_status=none", ["minle"]),
        ("monitoring_type=UNSTABLE", ["tudi"]),
        ("monitoring_type=MARGINAL", []),
        ("risk_type=02", ["tudi"]),
        ("risk_type=03", ["douwang"]),
        ("risk_type=09", []),
        ("monitoring_status=open&risk_type=03", []),
        ("village=433124102202&monitoring_type=SUDDEN", ["douwang"]),
    ],
)
def test_list_filters_by_monitoring(
    monitored: World,
    tokens: dict[str, str],
    call: Callable[..., Any],
    query: str,
    expected: list[str],
) -> None:
    reply = call("GET", f"/households?{query}", tokens["county_huayuan"])
    assert reply.status == 200
    assert sorted(i["household_number"] for i in reply.body["items"]) == _numbers(
        monitored, expected
    )
    assert reply.body["count"] == len(expected)


def test_list_items_carry_monitoring_status_and_type(
    monitored: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    reply = call("GET", "/households", tokens["county_huayuan"])
    rows = {
        i["household_number"]: (
            i["monitoring_status"],
            i["monitoring_status_label"],
            i["monitoring_type"],
            i["monitoring_type_label"],
        )
        for i in reply.body["items"]
    }
    h = monitored.households
    assert rows == {
        h["tudi"].household_number: ("open", "风险未消除", "UNSTABLE", "脱贫不稳定户"),
        h["douwang"].household_number: ("eliminated", "风险已消除", "SUDDEN", "突发严重困难户"),
        h["minle"].household_number: ("none", "非监测对象", "", ""),
    }


@pytest.mark.parametrize(
    ("query", "field", "value"),
    [
        ("monitoring_status=closed", "monitoring_status", "closed"),
        ("monitoring_type=POOR", "monitoring_type", "POOR"),
        ("risk_type=88", "risk_type", "88"),
        ("risk_type=0201", "risk_type", "0201"),  # a disaster subtype is not a risk type
    ],
)
def test_an_unknown_monitoring_code_is_a_400_with_a_stable_code(
    monitored: World,
    tokens: dict[str, str],
    call: Callable[..., Any],
    query: str,
    field: str,
    value: str,
) -> None:
    reply = call("GET", f"/households?{query}", tokens["county_huayuan"])
    assert reply.status == 400
    assert reply.body["code"] == "code_value"
    assert reply.body["field"] == field
    assert f"“{value}”不在码表中" in reply.body["message"]


def test_risk_filter_stays_in_scope(
    monitored: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    tudi = call("GET", "/households?risk_type=01", tokens["cadre_tudi"])
    assert [i["household_number"] for i in tudi.body["items"]] == _numbers(monitored, ["tudi"])
    luxi = call("GET", "/households?risk_type=01", tokens["inspector_luxi"])
    assert [i["household_number"] for i in luxi.body["items"]] == _numbers(monitored, ["luxi"])
    assert call("GET", "/households?risk_type=03", tokens["cadre_tudi"]).body["items"] == []


def test_detail_includes_the_current_spell_with_its_risks(
    monitored: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    household = monitored.households["tudi"]
    reply = call("GET", f"/households/{household.public_id}", tokens["cadre_tudi"])
    assert reply.status == 200
    assert reply.body["monitoring_status"] == "open"
    assert reply.body["monitoring"] == {
        "object_type": "UNSTABLE",
        "object_type_label": "脱贫不稳定户",
        "status": "open",
        "status_label": "风险未消除",
        "identified_month": "2023-04-01",
        "eliminated_month": None,
        "elimination_mode": "",
        "elimination_mode_label": "",
        "no_labour_backstop": False,
        "is_current": True,
        "risks": [
            {
                "position": 1,
                "risk_type": "01",
                "risk_type_label": "因病",
                "disaster_subtype": "",
                "disaster_subtype_label": "",
            },
            {
                "position": 2,
                "risk_type": "02",
                "risk_type_label": "因自然灾害",
                "disaster_subtype": "0201",
                "disaster_subtype_label": "洪涝",
            },
        ],
    }


def test_detail_of_an_eliminated_and_of_an_unmonitored_household(
    monitored: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    token = tokens["county_huayuan"]
    douwang = call("GET", f"/households/{monitored.households['douwang'].public_id}", token).body
    assert douwang["monitoring"]["status"] == "eliminated"
    assert douwang["monitoring"]["eliminated_month"] == "2023-09-01"
    assert douwang["monitoring"]["elimination_mode_label"] == "自然消除"
    assert douwang["monitoring"]["risks"][0]["risk_type_label"] == "因残"
    minle = monitored.households["minle"]
    with CaptureQueriesContext(connection) as unmonitored:
        body = call("GET", f"/households/{minle.public_id}", token).body
    assert body["monitoring"] is None
    with CaptureQueriesContext(connection) as with_spell:
        call("GET", f"/households/{monitored.households['tudi'].public_id}", token)
    assert len(with_spell.captured_queries) == len(unmonitored.captured_queries) + 2


def test_detail_out_of_scope_is_404_and_leaks_no_spell(
    monitored: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    reply = call(
        "GET", f"/households/{monitored.households['luxi'].public_id}", tokens["cadre_tudi"]
    )
    assert reply.status == 404
    assert reply.body["code"] == "not_found"
    assert "UNSTABLE" not in reply.raw
