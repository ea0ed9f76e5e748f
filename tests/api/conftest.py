"""Fixtures for the API tests: the registry's region-scope world, tokens, a JSON client."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from fangpin.api.services import api_token_create
from tests.registry.conftest import (  # noqa: F401  (fixtures re-exported for this package)
    GOOD_WATER,
    HOUSEHOLDS,
    TUDI,
    VIEWERS,
    VISIBLE,
    World,
    actor,
    counts,
    family,
    person_input,
    village,
    world,
)

API = "/api/v1"


@dataclass
class Reply:
    status: int
    body: Any
    raw: str


def send(
    client: Client, method: str, path: str, token: str | None = None, body: Any = None
) -> Reply:
    """One API call; ``token`` as a bearer token, ``body`` as JSON."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    kwargs: dict[str, Any] = {"headers": headers}
    if body is not None:
        kwargs["data"] = json.dumps(body)
        kwargs["content_type"] = "application/json"
    response = getattr(client, method.lower())(API + path, **kwargs)
    raw = response.content.decode()
    parsed = (
        json.loads(raw) if response.get("Content-Type", "").startswith("application/json") else None
    )
    return Reply(response.status_code, parsed, raw)


@pytest.fixture
def tokens(world: World) -> dict[str, str]:  # noqa: F811  (the imported fixture)
    """One bearer token per viewer of the world."""
    return {
        name: api_token_create(actor="system:test", user=user, name="测试")[1]
        for name, user in world.viewers.items()
    }


@pytest.fixture
def call(client: Client) -> Callable[..., Reply]:
    def do(method: str, path: str, token: str | None = None, body: Any = None) -> Reply:
        return send(client, method, path, token, body)

    return do
