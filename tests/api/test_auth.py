"""Authentication: 401 JSON for anonymous calls, the login session with CSRF, the docs.

The registry's world is built once for the module (tests/module_world.py): every test asks
for it, and rebuilt per test it cost three quarters of the module's time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.api.conftest import API, World, send
from tests.api.test_scope_matrix import ENDPOINTS, registry_counts
from tests.module_world import BuiltWorld, registry_module_world, world_for_test

UNAUTHENTICATED = {"code": "unauthenticated", "message": "请先登录", "field": None}


@pytest.fixture(scope="module")
def built_world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BuiltWorld]:
    """The registry world, built once for the module."""
    with registry_module_world(django_db_blocker, tmp_path_factory.mktemp("api_auth")) as built:
        yield built


@pytest.fixture
def world(db: None, built_world: BuiltWorld) -> Iterator[World]:
    """The module's world, fetched anew for this test (its writes roll back after it)."""
    with world_for_test(built_world) as fresh:
        yield fresh


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_every_endpoint_answers_401_json_without_credentials(
    world: World, call: Callable[..., Any], endpoint: str
) -> None:
    method, template, body, _ok, _writes = ENDPOINTS[endpoint]
    household = world.households["tudi"]
    path = template.format(h=household.pk, head=1, spouse=2, son=3)
    before = registry_counts()
    reply = call(method, path, None, body if body is None else {"version": 1})
    assert reply.status == 401
    assert reply.body == UNAUTHENTICATED
    assert registry_counts() == before


@pytest.mark.parametrize("path", ["/households", "/tokens", "/openapi.json", "/docs"])
def test_anonymous_is_not_redirected_to_login(client: Client, path: str, world: World) -> None:
    response = client.get(API + path)
    assert response.status_code == 401
    assert response.json() == {"code": "unauthenticated", "message": "请先登录"} | (
        {"field": None} if path in ("/households", "/tokens") else {}
    )


def test_session_login_reads_and_csrf_guards_writes(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.viewers["cadre_tudi"])
    reply = send(client, "GET", "/households")
    assert reply.status == 200
    assert reply.body["count"] == 1
    household = world.households["tudi"]
    before = registry_counts()
    refused = send(
        client, "PATCH", f"/households/{household.public_id}", body={"version": 1, "address": "x"}
    )
    assert refused.status == 403
    assert refused.body["code"] == "forbidden"
    assert registry_counts() == before
    client.get(API + "/docs")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.patch(
        f"{API}/households/{household.public_id}",
        data='{"version": 1, "address": "x"}',
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200


def test_openapi_schema_served_to_logged_in_users(world: World, tokens: dict[str, str]) -> None:
    reply = send(Client(), "GET", "/openapi.json", tokens["auditor"])
    assert reply.status == 200
    assert reply.body["info"]["version"] == "1"
    assert set(reply.body["components"]["securitySchemes"]) == {
        "BearerTokenAuth",
        "VerifiedSessionAuth",
    }


def test_docs_page_uses_only_local_assets(world: World) -> None:
    client = Client()
    client.force_login(world.viewers["cadre_tudi"])
    response = client.get(API + "/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r"https?://", html) == []
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in assets
    assert "/static/ninja/swagger-ui.css" in assets
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")) is not None, asset


def test_anonymous_write_is_401_not_a_csrf_403(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    before = registry_counts()
    reply = send(client, "POST", "/households", body={"village_code": "433124102201"})
    assert reply.status == 401
    assert reply.body == UNAUTHENTICATED
    assert registry_counts() == before
