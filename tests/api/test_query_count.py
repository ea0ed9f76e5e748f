"""Query-count baselines: a page costs the same number of queries whatever its size."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangpin.registry import services
from tests.api.conftest import TUDI, World

# token lookup (+ user), count, page; last_used_at is written at most once a minute
LIST_QUERIES = 3


def _queries(call: Callable[..., Any], path: str, token: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        reply = call("GET", path, token)
    assert reply.status == 200
    return len(ctx.captured_queries)


def test_household_list_query_count_does_not_grow_with_page_size(
    world: World, tokens: dict[str, str], call: Callable[..., Any], person_input: Any
) -> None:
    token = tokens["county_huayuan"]
    call("GET", "/households", token)  # the first use writes last_used_at
    small = _queries(call, "/households?limit=1", token)
    for n in range(5):
        services.household_create(
            actor="system:test",
            village_code=TUDI,
            household_type="1",
            head=person_input(name="石" + "一二三四五"[n]),
            registered_on=date(2024, 3, 1),
        )
    large = _queries(call, "/households?limit=100", token)
    assert small == large == LIST_QUERIES


def test_members_query_count(
    world: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    token = tokens["county_huayuan"]
    call("GET", "/households", token)
    household = world.households["tudi"]
    # token, household exists, the bulk-read counter (insert, count), members
    assert _queries(call, f"/households/{household.public_id}/members", token) == 5
