"""Scenario 9 (SECURITY.md §5, ASVS 3.5.1–3.5.3): cross-site request forgery.

Every route of the URL map whose view accepts POST is posted to, logged in as an account that
may use it, with the form a browser would send:

- without the CSRF token (the cookie is there, as a browser on another site would send it);
- with a valid token but a foreign ``Origin: https://evil.example``;
- over HTTPS with a valid token, no Origin and a foreign Referer.

Each answers 403 from Django's CSRF check (its ``django.security.csrf`` log line names the
reason) and nothing in the database changes. The same form with the token from the same origin
goes through (so the 403 is the CSRF check's, not a refusal of the form). Routes that only
write refuse GET with 405; routes showing a form on GET change nothing on GET.

The API (django-ninja) takes a bearer token or the login session; with the session, every
unsafe operation is CSRF-checked the same way (``VerifiedSessionAuth``), found from the OpenAPI
schema. A bearer token is not an ambient credential (no browser sends it by itself), so it
needs no CSRF token.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from fangpin.api.api import api
from fangpin.api.services import api_token_create
from fangpin.registry.models import Household
from tests.api.test_scope_matrix import ENDPOINTS
from tests.security.seeded_world import (
    Route,
    SecWorld,
    client_for,
    module_world,
    row_counts,
    url_of,
    web_routes,
)
from tests.web.test_scope_matrix import ROUTES as MATRIX_ROUTES
from tests.web.test_scope_matrix import fingerprint

EVIL = "https://evil.example"
CSRF_LOGGER = "django.security.csrf"
#: Counts a GET may add to by design: the audit trail and the log of who read which household.
READ_LOGS = {"core.AuditEvent", "core.AuditChain", "core.HouseholdRead"}

#: Every test uses the database; the module world needs the test database set up (pytest-django
#: creates it only for a session holding such tests).
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def sec_world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SecWorld]:
    with module_world(django_db_blocker, tmp_path_factory.mktemp("csrf")) as world:
        yield world


def actor_for(route: str) -> str:
    """The account that may use ``route``: without the CSRF check its write would go through."""
    if route.startswith(("web:account", "web:accounts")):
        return "sysadmin"
    if route.startswith("web:role"):
        return "secadmin"
    if route.startswith("web:feeds"):
        return "officer_xiangxi"
    if route.startswith(
        ("web:evaluation", "web:measures", "web:integrity", "web:inspection", "web:listing")
    ):
        return "inspector_huayuan"
    if route in {"web:problem_create", "web:problems_push", "web:problem_replicate"}:
        return "inspector_huayuan"
    if route.startswith(("web:clue", "web:case_act", "web:declaration", "intake:declaration")):
        return "cadre_tudi"
    return "county_huayuan"


def post_routes() -> list[Route]:
    return [r for r in web_routes() if r.methods is None or "POST" in r.methods]


def form_data(route: str, ids: dict[str, Any], action: str = "") -> dict[str, Any]:
    """The form a browser posts to ``route``: the web IDOR matrix's valid one where it has it
    (the write would succeed with a token), else a plausible one."""
    for key in (f"{route}#{action}", f"{route}#post", route):
        found = MATRIX_ROUTES.get(key)
        if found is not None and found[0] == "POST":
            builder = found[2]
            return builder(ids) if builder else {}
    return {"version": "1", "reason": "跨站伪造", "note": "跨站伪造", "language": "en"}


def attempts(world: SecWorld) -> Iterator[tuple[Route, str, str, dict[str, Any]]]:
    """(route, actor, url, form) for every POST route; each membership action separately."""
    ids = world.ids["tudi"]
    for route in post_routes():
        actions = (
            ["birth", "death", "move_out", "change_head"] if "action" in route.params else [""]
        )
        for action in actions:
            url = url_of(world, route, **({"action": action} if action else {}))
            yield route, actor_for(route.name), url, form_data(route.name, ids, action)


def state() -> dict[str, Any]:
    return {"counts": row_counts(), "rows": fingerprint()}


def csrf_client(world: SecWorld, actor: str) -> tuple[Client, str]:
    """A logged-in browser that enforces CSRF and holds the CSRF cookie; and the token."""
    client = client_for(world.viewers[actor], enforce_csrf_checks=True)
    client.get("/account/password/")  # a page with a form: sets the cookie
    return client, client.cookies["csrftoken"].value


def _refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == CSRF_LOGGER]


def browsers(world: SecWorld) -> dict[str, tuple[Client, str]]:
    """One CSRF-enforcing browser (and its token) per account of :func:`actor_for`; logging
    in is audited, so the tests take their "before" snapshot after this."""
    actors = {actor_for(r.name) for r in post_routes()}
    return {actor: csrf_client(world, actor) for actor in sorted(actors)}


def _run(
    world: SecWorld,
    clients: dict[str, tuple[Client, str]],
    caplog: pytest.LogCaptureFixture,
    send: Callable[[Client, str, str, dict[str, Any]], Any],
) -> tuple[list[tuple[str, str, int]], list[str]]:
    answers, logged = [], []
    for route, actor, url, data in attempts(world):
        client, token = clients[actor]
        caplog.clear()
        response = send(client, token, url, data)
        answers.append((route.name, url, response.status_code))
        logged += _refusals(caplog)
    return answers, logged


def test_the_url_map_has_post_routes_and_none_is_csrf_exempt(db: None) -> None:
    routes = post_routes()
    assert len(routes) >= 60
    assert [r.name for r in web_routes() if r.csrf_exempt] == []
    # approve, export, publish, apply and the case steps are among them
    names = {r.name for r in routes}
    assert {
        "web:case_act",
        "web:export_list",
        "web:export_approve",
        "web:export_download",
        "web:feeds_publish",
        "web:problem_decide",
        "web:imports_apply",
        "web:household_edit",
        "web:person_edit",
        "intake:declare",
        "web:login",
        "web:logout",
        "set_language",
    } <= names


def test_a_post_without_the_token_is_refused_everywhere(
    db: None, sec_world: SecWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=CSRF_LOGGER)
    clients = browsers(sec_world)
    before = state()

    answers, logged = _run(
        sec_world, clients, caplog, lambda client, _token, url, data: client.post(url, data)
    )

    assert [a for a in answers if a[2] != 403] == []
    assert logged == [f"Forbidden (CSRF token missing.): {url}" for _name, url, _ in answers]
    assert state() == before


def test_a_valid_token_from_a_foreign_origin_is_refused_everywhere(
    db: None, sec_world: SecWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=CSRF_LOGGER)
    clients = browsers(sec_world)
    before = state()

    answers, logged = _run(
        sec_world,
        clients,
        caplog,
        lambda client, token, url, data: client.post(
            url, {**data, "csrfmiddlewaretoken": token}, headers={"Origin": EVIL}
        ),
    )

    reason = f"Origin checking failed - {EVIL} does not match any trusted origins."
    assert [a for a in answers if a[2] != 403] == []
    assert logged == [f"Forbidden ({reason}): {url}" for _name, url, _ in answers]
    assert state() == before


def test_over_https_a_valid_token_with_a_foreign_referer_is_refused_everywhere(
    db: None, sec_world: SecWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=CSRF_LOGGER)
    clients = browsers(sec_world)
    before = state()

    answers, logged = _run(
        sec_world,
        clients,
        caplog,
        lambda client, token, url, data: client.post(
            url,
            {**data, "csrfmiddlewaretoken": token},
            secure=True,
            headers={"Referer": f"{EVIL}/approve"},
        ),
    )

    reason = f"Referer checking failed - {EVIL}/approve does not match any trusted origins."
    assert [a for a in answers if a[2] != 403] == []
    assert logged == [f"Forbidden ({reason}): {url}" for _name, url, _ in answers]
    assert state() == before


def test_the_same_form_with_the_token_from_the_same_origin_goes_through(
    db: None, sec_world: SecWorld, caplog: pytest.LogCaptureFixture
) -> None:
    """The control: the refusals above are the CSRF check's, not the forms' or the views'."""
    caplog.set_level(logging.WARNING, logger=CSRF_LOGGER)
    household = sec_world.households["tudi"]
    client, token = csrf_client(sec_world, "county_huayuan")

    edited = client.post(
        f"/households/{household.public_id}/edit/",
        {
            "version": household.version,
            "household_type": "1",
            "address": "新住址1号",
            "csrfmiddlewaretoken": token,
        },
        headers={"Origin": "http://testserver"},
    )
    exported = client.post(
        "/exports/households/?format=xlsx",
        {"csrfmiddlewaretoken": token},
        secure=True,
        headers={"Referer": "https://testserver/exports/households/"},
    )

    assert edited.status_code == 302
    assert Household.objects.get(pk=household.pk).address == "新住址1号"
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("application/vnd.openxmlformats")
    assert _refusals(caplog) == []


def test_routes_that_only_write_refuse_get_and_forms_change_nothing_on_get(
    db: None, sec_world: SecWorld
) -> None:
    only_post = [r for r in post_routes() if r.methods == frozenset({"POST"})]
    with_form = [r for r in post_routes() if r.methods == frozenset({"GET", "POST"})]
    clients = {
        actor: client_for(sec_world.viewers[actor])
        for actor in set(map(actor_for, {r.name for r in post_routes()}))
    }
    before = row_counts()

    refused = {
        r.name: clients[actor_for(r.name)].get(url_of(sec_world, r)).status_code for r in only_post
    }
    assert refused == dict.fromkeys(refused, 405)
    assert row_counts() == before

    shown = {
        r.name: clients[actor_for(r.name)].get(url_of(sec_world, r)).status_code for r in with_form
    }
    after = row_counts()
    assert set(shown.values()) <= {200, 403, 404}
    assert {k: v for k, v in after.items() if k not in READ_LOGS} == {
        k: v for k, v in before.items() if k not in READ_LOGS
    }
    assert len(only_post) >= 35
    assert len(with_form) >= 25


# --- The API --------------------------------------------------------------------------------


def _normalise(path: str) -> str:
    return re.sub(r"\{[^}]+\}|/2024", "/{}", path).replace("//", "/")


def api_writes(world: SecWorld) -> list[tuple[str, str, Any]]:
    """(method, URL, JSON body) of every unsafe operation in the OpenAPI schema, addressed to
    土地村's household and its son (the matrix's valid body where it has one)."""
    bodies = {
        (method, _normalise(template)): body
        for method, template, body, _ok, _writes in ENDPOINTS.values()
        if method != "GET"
    }
    ids = world.ids["tudi"]
    values = {
        "household_id": ids["h"],
        "person_id": ids["son_public"],
        "year": 2024,
        "token_id": "00000000-0000-0000-0000-000000000000",
    }
    writes = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method in operations:
            if method.upper() in {"GET", "HEAD", "OPTIONS"}:
                continue
            body = bodies.get((method.upper(), _normalise(path.removeprefix("/api/v1"))), {})
            body = json.loads(json.dumps(body).replace('"{spouse}"', str(ids["spouse"])))
            writes.append((method.upper(), path.format(**values), body))
    return writes


def test_api_session_writes_need_the_token_and_the_same_origin(
    db: None, sec_world: SecWorld
) -> None:
    """The token is valid in the second round (the next test sends it from the same origin and
    the write goes through): only the foreign Origin is wrong."""
    writes = api_writes(sec_world)
    client, token = csrf_client(sec_world, "county_huayuan")
    before = state()

    def send(method: str, url: str, body: Any, **headers: str) -> Any:
        return getattr(client, method.lower())(
            url, data=json.dumps(body), content_type="application/json", headers=headers
        )

    missing = [send(m, u, b) for m, u, b in writes]
    foreign = [send(m, u, b, **{"X-CSRFToken": token, "Origin": EVIL}) for m, u, b in writes]

    assert len(writes) >= 10
    forbidden = {"code": "forbidden", "message": "请求被拒绝（CSRF 校验失败）", "field": None}
    assert [(r.status_code, r.json()) for r in missing + foreign] == [(403, forbidden)] * (
        2 * len(writes)
    )
    assert state() == before


def test_api_session_write_with_the_token_goes_through_and_a_bearer_token_needs_none(
    db: None, sec_world: SecWorld
) -> None:
    household = sec_world.households["tudi"]
    client, token = csrf_client(sec_world, "county_huayuan")
    url = f"/api/v1/households/{household.public_id}"

    with_token = client.patch(
        url,
        data=json.dumps({"version": household.version, "address": "新住址2号"}),
        content_type="application/json",
        headers={"X-CSRFToken": token, "Origin": "http://testserver"},
    )
    secret = api_token_create(
        actor="system:test", user=sec_world.viewers["county_huayuan"], name="测试"
    )[1]
    bearer = Client(enforce_csrf_checks=True).patch(
        url,
        data=json.dumps({"version": household.version + 1, "address": "新住址3号"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )

    assert with_token.status_code == 200
    assert bearer.status_code == 200
    assert Household.objects.get(pk=household.pk).address == "新住址3号"
