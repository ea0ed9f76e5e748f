"""The evaluation pages × role × county in or out of scope (SEC-AC-1): every route of
``fangpin.web.urls_evaluation``, GET and POST, with the status each role gets, written out.

A campaign of 花垣县 and one of 泸溪县 exist; the measures and integrity routes name either
county. A campaign outside one's scope answers 404 exactly like a missing one; a role without
``findings.write`` gets 403 on every campaign page, whatever the county (villages and townships
never see a sample); the reports are read with ``registry.view`` and their POSTs answer 404 for
a county outside the scope, 403 for a step outside one's rights. Every refusal changes nothing.

The registry leaves the database through the snapshot (its own ADBC connection): on PostgreSQL
it sees committed rows only, so the tests of the routes that read it commit there.

The world is built once for the module (tests/evaluation/shared_world.py); the tests that
commit build their own, as every test did before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from fangpin.core.access import SYSTEM
from fangpin.evaluation.integrity import integrity_run
from fangpin.evaluation.models import Campaign
from tests.evaluation import conftest
from tests.evaluation.conftest import HUAYUAN, LUXI, World, table_state
from tests.evaluation.pages import client_for, make_campaign, no_inline_script, survey_data
from tests.evaluation.shared_world import SharedWorld

#: The routes that read the registry through the snapshot (in the request or the setup).
SNAPSHOT_ROUTES = {
    "web:measures_compute",
    "web:integrity",
    "web:integrity_run",
    "web:integrity_push",
}
#: The snapshot reads committed rows only on PostgreSQL.
COMMITS = connection.vendor == "postgresql"
SNAPSHOT = pytest.mark.django_db(transaction=COMMITS)

ROLES = [
    "auditor",
    "cadre_tudi",
    "township_longtan",
    "county_huayuan",
    "inspector_luxi",
    "inspector_huayuan",
]
COUNTIES = {"huayuan": HUAYUAN, "luxi": LUXI}

Ids = dict[str, Any]

#: route → (method, path builder, form data builder, whether it needs an integrity run)
ROUTES: dict[str, tuple[str, Callable[[Ids], str], Callable[[Ids], dict[str, Any]], bool]] = {
    "web:evaluations": ("GET", lambda i: reverse("web:evaluations"), lambda i: {}, False),
    "web:evaluations#post": (
        "POST",
        lambda i: reverse("web:evaluations"),
        lambda i: {
            "name": "新评估",
            "county": i["county"],
            "year": "2024",
            "villages_per_township": "2",
            "ordinary_share": "20",
            "ordinary_cap": "200",
            "expected_rate": "2",
            "icc": "0.05",
        },
        False,
    ),
    "web:evaluation": (
        "GET",
        lambda i: reverse("web:evaluation", args=[i["campaign"]]),
        lambda i: {},
        False,
    ),
    "web:evaluation_visits": (
        "GET",
        lambda i: reverse("web:evaluation_visits", args=[i["campaign"]]),
        lambda i: {},
        False,
    ),
    "web:evaluation_next": (
        "GET",
        lambda i: reverse("web:evaluation_next", args=[i["campaign"]]),
        lambda i: {},
        False,
    ),
    "web:evaluation_close": (
        "POST",
        lambda i: reverse("web:evaluation_close", args=[i["campaign"]]),
        lambda i: {"version": "1"},
        False,
    ),
    "web:evaluation_push": (
        "POST",
        lambda i: reverse("web:evaluation_push", args=[i["campaign"]]),
        lambda i: {},
        False,
    ),
    "web:evaluation_survey": (
        "GET",
        lambda i: reverse("web:evaluation_survey", args=[i["unit"]]),
        lambda i: {},
        False,
    ),
    "web:evaluation_survey#post": (
        "POST",
        lambda i: reverse("web:evaluation_survey", args=[i["unit"]]),
        lambda i: survey_data(1),
        False,
    ),
    "web:measures": (
        "GET",
        lambda i: reverse("web:measures"),
        lambda i: {"county": i["county"], "year": "2024"},
        False,
    ),
    "web:measures_compute": (
        "POST",
        lambda i: reverse("web:measures_compute"),
        lambda i: {"county": i["county"], "year": "2024"},
        False,
    ),
    "web:integrity": (
        "GET",
        lambda i: reverse("web:integrity"),
        lambda i: {"county": i["county"], "year": "2024"},
        True,
    ),
    "web:integrity_run": (
        "POST",
        lambda i: reverse("web:integrity_run"),
        lambda i: {"county": i["county"], "year": "2024"},
        False,
    ),
    "web:integrity_push": (
        "POST",
        lambda i: reverse("web:integrity_push"),
        lambda i: {"county": i["county"], "year": "2024"},
        True,
    ),
}

#: Campaign pages: evaluators of the county only; another county's campaign looks missing.
_CAMPAIGN = {
    "auditor": (403, 403),
    "cadre_tudi": (403, 403),
    "township_longtan": (403, 403),
    "county_huayuan": (403, 403),  # registry.view, but no findings.write
    "inspector_luxi": (404, "ok"),
    "inspector_huayuan": ("ok", 404),
}
#: Reports, read: every registry.view holder, on a county of their own (another is never shown).
_READ = {role: (403, 403) if role == "auditor" else ("ok", "ok") for role in ROLES}

#: route → role → (status for 花垣县, status for 泸溪县); "ok" is the route's success status.
EXPECTED: dict[str, dict[str, tuple[int | str, int | str]]] = {
    "web:evaluations": {
        **dict.fromkeys(ROLES, (403, 403)),
        "inspector_luxi": ("ok", "ok"),
        "inspector_huayuan": ("ok", "ok"),
    },
    # A county outside the form's choices is an invalid choice: 400, nothing drawn.
    "web:evaluations#post": {
        **dict.fromkeys(ROLES, (403, 403)),
        "inspector_luxi": (400, "ok"),
        "inspector_huayuan": ("ok", 400),
    },
    "web:evaluation": _CAMPAIGN,
    "web:evaluation_visits": _CAMPAIGN,
    "web:evaluation_next": _CAMPAIGN,
    "web:evaluation_close": _CAMPAIGN,
    "web:evaluation_push": _CAMPAIGN,
    "web:evaluation_survey": _CAMPAIGN,
    "web:evaluation_survey#post": _CAMPAIGN,
    "web:measures": _READ,
    "web:integrity": _READ,
    # Computing needs registry.view over the whole county: townships and villages 403.
    "web:measures_compute": {
        "auditor": (403, 403),
        "cadre_tudi": (403, 404),
        "township_longtan": (403, 404),
        "county_huayuan": ("ok", 404),
        "inspector_luxi": (404, "ok"),
        "inspector_huayuan": ("ok", 404),
    },
    # Running needs findings.write or screening.run over the whole county.
    "web:integrity_run": {
        "auditor": (403, 403),
        "cadre_tudi": (403, 404),
        "township_longtan": (403, 404),
        "county_huayuan": ("ok", 404),
        "inspector_luxi": (404, "ok"),
        "inspector_huayuan": ("ok", 404),
    },
    # Pushing needs findings.write over the whole county.
    "web:integrity_push": {
        "auditor": (403, 403),
        "cadre_tudi": (403, 404),
        "township_longtan": (403, 404),
        "county_huayuan": (403, 404),
        "inspector_luxi": (404, "ok"),
        "inspector_huayuan": ("ok", 404),
    },
}

SUCCESS = {"GET": 200, "POST": 302}
#: GET routes that answer with a redirect
REDIRECTS = {"web:evaluation_next"}


@pytest.fixture(scope="module")
def shared_world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SharedWorld]:
    """The module's world, built before the module's first test starts its transaction."""
    shared = SharedWorld(django_db_blocker, tmp_path_factory.mktemp("evaluation_scope_matrix"))
    yield shared
    shared.close()


def _commits(request: pytest.FixtureRequest) -> bool:
    callspec = getattr(request.node, "callspec", None)
    return COMMITS and callspec is not None and callspec.params.get("route") in SNAPSHOT_ROUTES


@pytest.fixture
def world(db: None, request: pytest.FixtureRequest, shared_world: SharedWorld) -> Iterator[World]:
    """The module's world, fetched anew for this test (its writes roll back after it); for a
    test that commits, the conftest's world, built for it alone."""
    if _commits(request):
        shared_world.close()
        request.getfixturevalue("regions")
        yield conftest.world.__wrapped__(None)  # type: ignore[attr-defined]
        return
    with shared_world.for_test() as fresh:
        yield fresh


def _ids(world: World, campaigns: dict[str, Campaign], target: str) -> Ids:
    campaign = campaigns[target]
    return {
        "campaign": campaign.public_id,
        "unit": campaign.households.order_by("position")[0].public_id,
        "county": COUNTIES[target],
        "name": campaign.name,
    }


def _request(client: Client, method: str, url: str, data: dict[str, Any]) -> Any:
    return client.get(url, data) if method == "GET" else client.post(url, data)


@pytest.mark.parametrize(
    "route",
    [
        pytest.param(
            route,
            marks=[SNAPSHOT] if route in SNAPSHOT_ROUTES else [],
        )
        for route in ROUTES
    ],
)
def test_the_route_answers_each_role_in_and_out_of_scope(
    route: str, world: World, request: pytest.FixtureRequest
) -> None:
    method, path, data, needs_run = ROUTES[route]
    if route in SNAPSHOT_ROUTES:
        request.getfixturevalue("finances")
    campaigns = {
        "huayuan": make_campaign(world, name="花垣县评估"),
        "luxi": make_campaign(
            world, name="泸溪县评估", county_code=LUXI, actor=world.users["inspector_luxi"]
        ),
    }
    if needs_run:
        for county in COUNTIES.values():
            integrity_run(actor=SYSTEM, county_code=county, year=2024)
    clients = {role: client_for(world.users[role]) for role in ROLES}
    success = 302 if route in REDIRECTS else SUCCESS[method]
    got: dict[str, tuple[int, int]] = {}

    for role in ROLES:
        statuses = []
        for target in COUNTIES:
            ids = _ids(world, campaigns, target)
            before = table_state()
            response = _request(clients[role], method, path(ids), data(ids))
            statuses.append(response.status_code)
            if response.status_code >= 400:  # refused: nothing changed, nothing shown
                assert table_state() == before, (role, target)
                body = response.content.decode()
                assert ids["name"] not in body, (role, target)
                assert str(ids["unit"]) not in body, (role, target)
            elif response.status_code == 200:
                no_inline_script(response.content.decode())
        got[role] = (statuses[0], statuses[1])

    expected = {
        role: tuple(success if s == "ok" else s for s in pair)
        for role, pair in EXPECTED[route].items()
    }
    assert got == expected


def test_the_list_shows_only_the_campaigns_of_ones_scope(world: World) -> None:
    huayuan = make_campaign(world, name="花垣县评估")
    luxi = make_campaign(
        world, name="泸溪县评估", county_code=LUXI, actor=world.users["inspector_luxi"]
    )

    lists = {
        role: client_for(world.users[role]).get(reverse("web:evaluations")).content.decode()
        for role in ("inspector_huayuan", "inspector_luxi", "inspector_xiangxi")
    }

    assert {
        role: [c.name for c in (huayuan, luxi) if f'id="campaign-{c.public_id}"' in body]
        for role, body in lists.items()
    } == {
        "inspector_huayuan": ["花垣县评估"],
        "inspector_luxi": ["泸溪县评估"],
        "inspector_xiangxi": ["花垣县评估", "泸溪县评估"],
    }


#: route → a method it refuses
WRONG_METHOD = {
    "web:evaluations": "put",
    "web:evaluation": "post",
    "web:evaluation_visits": "post",
    "web:evaluation_next": "post",
    "web:evaluation_close": "get",
    "web:evaluation_push": "get",
    "web:evaluation_survey": "delete",
    "web:measures": "post",
    "web:measures_compute": "get",
    "web:integrity": "post",
    "web:integrity_run": "get",
    "web:integrity_push": "get",
}


def test_a_wrong_method_is_405_for_anyone(world: World) -> None:
    campaign = make_campaign(world)
    ids = _ids(world, {"huayuan": campaign}, "huayuan")
    clients = {role: client_for(world.users[role]) for role in ("inspector_huayuan", "auditor")}
    before = table_state()

    got = {
        (route, role): getattr(client, method)(ROUTES[route][1](ids)).status_code
        for route, method in WRONG_METHOD.items()
        for role, client in clients.items()
    }

    assert got == dict.fromkeys(got, 405)
    assert table_state() == before
