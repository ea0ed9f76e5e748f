"""Scenario 11 (SECURITY.md §5, ASVS 1.2.4): SQL injection through search and filter input.

Explicit payloads go into every query parameter of every list page (the parameters its own
GET forms name, plus the ones the views read and a few an attacker would guess: ``ordering``,
``sort``, ``region__startswith``, ``filter[region__startswith]``), into every filter of every
export's confirm page, into the ID search (a POST) and into the API's list, dashboard and
search-by-id. Each answer is a page, a 4xx or an empty list: never a 5xx, never a row of
another region (a village cadre of 土地村 sees 土地村's household at most), and the tables are
all still there afterwards.

Each page is asked once per payload with every parameter set to it at once (a page without
filter forms with two payloads only: it reads little or nothing), and once per
parameter of its own forms alone with ``%' OR '1'='1`` (a bad value in one field can make a
form drop the others).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from fangpin.api.services import api_token_create
from fangpin.registry.models import Household, Person
from fangpin.web.exports import LISTS
from tests.security.seeded_world import (
    VISIBLE,
    SecWorld,
    client_for,
    module_world,
    row_counts,
    web_routes,
)

PAYLOADS = [
    "' OR 1=1--",
    "1;DROP TABLE registry_household",
    "%",
    "_",
    "\\",
    "%' OR '1'='1",
    "433124%",
    "1) OR (1=1",
]
#: Parameters the views read outside their forms, and names an attacker would guess.
GUESSED = [
    "q",
    "region",
    "village",
    "county",
    "year",
    "month",
    "page",
    "sort",
    "ordering",
    "order_by",
    "o",
    "format",
    "status",
    "source",
    "batch",
    "household",
    "t",
    "on",
    "item",
    "detector",
    "pushed",
    "benefit",
    "region__startswith",
    "village_code__startswith",
    "filter[region__startswith]",
]
#: The payloads every page gets; a page with filter forms gets all of :data:`PAYLOADS`.
EVERYWHERE = ["1;DROP TABLE registry_household", "%' OR '1'='1"]
#: Accounts tried in turn: each page is attacked by the first one that may open it (the
#: department officer's pages are the county approver's too).
ATTACKERS = ["cadre_tudi", "inspector_huayuan", "county_huayuan", "sysadmin"]
#: Public or account pages without household data, or no GET: nothing to filter.
SKIPPED = {"set_language", "web:login", "web:logout", "intake:declare_thanks"}

_GET_FORM = re.compile(r'<form[^>]*method="get"[^>]*>(.*?)</form>', re.S | re.I)
_FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', re.I)

#: Every test uses the database; the module world needs the test database set up (pytest-django
#: creates it only for a session holding such tests).
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def sec_world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SecWorld]:
    with module_world(django_db_blocker, tmp_path_factory.mktemp("sqli")) as world:
        yield world


def foreign_markers(world: SecWorld, viewer: str) -> set[str]:
    """The household numbers and member names a viewer must never see."""
    outside = set(world.households) - VISIBLE[viewer]
    return {world.households[k].household_number for k in outside} | {
        p.name for p in Person.objects.filter(household__in=[world.households[k] for k in outside])
    }


def form_fields(html: str) -> list[str]:
    return sorted({name for form in _GET_FORM.findall(html) for name in _FIELD.findall(form)})


def list_pages(world: SecWorld) -> Iterator[tuple[str, str, Client, list[str]]]:
    """(viewer, path, client, the page's own GET-form fields) for every list page."""
    clients = {v: client_for(world.viewers[v]) for v in ATTACKERS}
    paths = [
        reverse(r.name)
        for r in web_routes()
        if not r.params and r.name not in SKIPPED and (r.methods is None or "GET" in r.methods)
    ]
    paths += [f"/exports/{name}/" for name in sorted(LISTS)]
    for path in paths:
        for viewer in ATTACKERS:
            response = clients[viewer].get(path)
            if response.status_code == 200:
                fields = form_fields(response.content.decode()) if path != "/" else []
                if path.startswith("/exports/") and path != "/exports/":
                    fields = sorted(LISTS[path.split("/")[2]].filters)
                yield viewer, path, clients[viewer], fields
                break


def _check(
    answers: list[tuple[str, int, str]], markers: set[str]
) -> list[tuple[str, int, set[str]]]:
    """The answers that are a 5xx or show a foreign household."""
    return [
        (what, status, {m for m in markers if m in body})
        for what, status, body in answers
        if status >= 500 or any(m in body for m in markers)
    ]


def _tables_intact(world: SecWorld) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM registry_household")
        assert cursor.fetchone()[0] == len(world.households)
    assert Household.objects.count() == len(world.households)


def test_list_pages_and_export_filters_take_every_payload_harmlessly(
    db: None, sec_world: SecWorld
) -> None:
    before = {k: v for k, v in row_counts().items() if not k.startswith("core.")}
    found, attacked, bad = 0, set(), []
    for viewer, path, client, fields in list_pages(sec_world):
        attacked.add(viewer)
        answers = []
        for payload in PAYLOADS if fields else EVERYWHERE:
            query = dict.fromkeys([*GUESSED, *fields], payload)
            response = client.get(path, query)
            answers.append((f"{path} all={payload!r}", response.status_code, _text(response)))
        for field in fields:
            for payload in ("' OR 1=1--", "%"):
                response = client.get(path, {field: payload})
                answers.append(
                    (f"{path} {field}={payload!r}", response.status_code, _text(response))
                )
        found += len(answers)
        bad += _check(answers, foreign_markers(sec_world, viewer))

    assert bad == []
    assert found >= 300
    assert attacked == set(ATTACKERS)
    _tables_intact(sec_world)
    assert {k: v for k, v in row_counts().items() if not k.startswith("core.")} == before


def _text(response: Any) -> str:
    if response.get("Content-Type", "").startswith(("text/", "application/json")):
        return str(response.content.decode())
    return str(response.content.decode("latin-1"))  # files: the markers are ASCII numbers anyway


def test_the_household_list_shows_the_cadre_nothing_but_their_village(
    db: None, sec_world: SecWorld
) -> None:
    client = client_for(sec_world.viewers["cadre_tudi"])
    ours = sec_world.households["tudi"].household_number
    numbers = {h.household_number for h in sec_world.households.values()}

    for payload in PAYLOADS:
        for field in ("q", "region", "sort"):
            response = client.get("/households/", {field: payload, "status": "all"})
            body = response.content.decode()
            assert response.status_code == 200, (field, payload)
            assert {n for n in numbers if n in body} <= {ours}, (field, payload)
    _tables_intact(sec_world)


def test_the_id_search_takes_every_payload_harmlessly(db: None, sec_world: SecWorld) -> None:
    client = client_for(sec_world.viewers["cadre_tudi"])
    markers = foreign_markers(sec_world, "cadre_tudi")

    answers = []
    for payload in PAYLOADS:
        response = client.post("/households/find/", {"id_number": payload, "q": payload})
        answers.append((payload, response.status_code, response.content.decode()))

    assert _check(answers, markers) == []
    assert {status for _p, status, _b in answers} <= {200, 302, 400}
    _tables_intact(sec_world)


def test_the_api_lists_and_searches_take_every_payload_harmlessly(
    db: None, sec_world: SecWorld
) -> None:
    secret = api_token_create(
        actor="system:test", user=sec_world.viewers["cadre_tudi"], name="测试"
    )[1]
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    markers = foreign_markers(sec_world, "cadre_tudi")
    params = ["village", "household_type", "status", "q", "monitoring_status", "monitoring_type"]
    params += ["risk_type", "limit", "offset", "ordering", "region__startswith"]

    answers = []
    for payload in PAYLOADS:
        for path, names in (("/api/v1/households", params), ("/api/v1/dashboard", ["region"])):
            for name in names:
                response = client.get(path, {name: payload})
                answers.append(
                    (f"{path} {name}={payload!r}", response.status_code, _text(response))
                )
                if path.endswith("households") and response.status_code == 200:
                    assert {i["household_number"] for i in response.json()["items"]} <= {
                        sec_world.households["tudi"].household_number
                    }
        response = client.post(
            "/api/v1/households/search-by-id",
            data=json.dumps({"id_number": payload}),
            content_type="application/json",
        )
        answers.append((f"search-by-id {payload!r}", response.status_code, _text(response)))

    assert _check(answers, markers) == []
    assert {status for _w, status, _b in answers} <= {200, 400, 404, 422}
    _tables_intact(sec_world)
