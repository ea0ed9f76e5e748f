"""Every endpoint × role × household in or out of scope answers exactly 200/201, 404 or 403
(SEC-AC-1, scenario 1), and a refusal changes nothing but one ``authz.denied`` audit event —
for a read outside the scope too (fangpin/web/denials.py), naming the requested public id.

Roles: the village cadre of 土地村, the county approver of 花垣县, the auditor and the system
administrator. Targets: 土地村 (in both registry roles' scope), 豆旺村 (the county's only) and
泸溪县 (nobody's here).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

from fangpin import idnumber
from fangpin.core.models import AuditEvent
from tests.api import conftest as api_fixtures
from tests.api.conftest import World
from tests.module_world import BuiltWorld, registry_module_world, world_for_test
from tests.registry.conftest import member

ROLES = ["cadre_tudi", "county_huayuan", "auditor", "sysadmin"]
TARGETS = ["tudi", "douwang", "luxi"]
#: role → households it may see and write (written out, not computed)
IN_SCOPE = {
    "cadre_tudi": {"tudi"},
    "county_huayuan": {"tudi", "douwang"},
    "auditor": set(),
    "sysadmin": set(),
}
NO_CAPABILITY = {"auditor", "sysadmin"}

NEWBORN = idnumber.build("433124", date(2024, 1, 1), 901)
WATER = {"area_type": "rich", "litres_per_person_day": 60, "quality_tested": True, "is_piped": True}

#: endpoint → (method, path template, body, success status, writes)
ENDPOINTS: dict[str, tuple[str, str, Any, int, bool]] = {
    "detail": ("GET", "/households/{h}", None, 200, False),
    "members": ("GET", "/households/{h}/members", None, 200, False),
    "finances": ("GET", "/households/{h}/finances", None, 200, False),
    "conditions": ("GET", "/households/{h}/conditions", None, 200, False),
    "timeline": ("GET", "/households/{h}/timeline", None, 200, False),
    "person": ("GET", "/persons/{head}", None, 200, False),
    "patch": ("PATCH", "/households/{h}", {"version": 1, "address": "新住址1号"}, 200, True),
    "member_add": (
        "POST",
        "/households/{h}/members",
        {
            "person": {"name": "张小宝", "id_number": NEWBORN, "relation": "20"},
            "event_type": "birth",
            "event_date": "2024-01-05",
        },
        201,
        True,
    ),
    "head": (
        "POST",
        "/households/{h}/head",
        {"new_head_id": "{spouse}", "old_head_relation": "10", "event_date": "2024-06-01"},
        200,
        True,
    ),
    "finance_put": (
        "PUT",
        "/households/{h}/finances/2024",
        {"amounts": {"wage_local": "100"}},
        200,
        True,
    ),
    "condition": (
        "POST",
        "/households/{h}/conditions",
        {
            "assessed_on": "2024-06-01",
            "food_secure": True,
            "clothing_secure": True,
            "housing_grade": "A",
            "housing_assessor": "花垣县住房和城乡建设局",
            "housing_assessed_on": "2024-05-01",
            "water": WATER,
        },
        201,
        True,
    ),
    "death": ("POST", "/persons/{son}/death", {"death_date": "2024-06-01"}, 200, True),
    "move_out": (
        "POST",
        "/persons/{son}/move-out",
        {"event_type": "move_out", "event_date": "2024-06-01"},
        200,
        True,
    ),
    "reveal": ("POST", "/persons/{son}/reveal", {"field": "health", "reason": "核对"}, 200, True),
}
#: endpoints needing pi.reveal, which only the county approver holds here: 403 for any id else
REVEAL_ONLY = {"reveal"}

#: endpoint → its operation's URL name (tests/test_route_coverage.py checks every route is here)
OPERATIONS = {
    "detail": "api-v1:household_detail",
    "members": "api-v1:household_members",
    "finances": "api-v1:household_finances",
    "conditions": "api-v1:household_conditions",
    "timeline": "api-v1:household_timeline",
    "person": "api-v1:person_detail",
    "patch": "api-v1:household_update",
    "member_add": "api-v1:household_member_add",
    "head": "api-v1:household_change_head",
    "finance_put": "api-v1:household_finance_put",
    "condition": "api-v1:household_condition_record",
    "death": "api-v1:person_death",
    "move_out": "api-v1:person_move_out",
    "reveal": "api-v1:person_reveal",
}


def _tokens_of_the_viewers(world: World) -> dict[str, str]:
    return api_fixtures.tokens.__wrapped__(world)  # type: ignore[attr-defined, no-any-return]


@pytest.fixture(scope="module")
def built_world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BuiltWorld]:
    """The registry world and one API token per viewer, built once for the module (every
    matrix test uses them: rebuilt per test they cost most of the module's time)."""
    with registry_module_world(
        django_db_blocker, tmp_path_factory.mktemp("api_scope_matrix"), setup=_tokens_of_the_viewers
    ) as built:
        yield built


@pytest.fixture
def world(db: None, built_world: BuiltWorld) -> Iterator[World]:
    """The module's world, fetched anew for this test (its writes roll back after it)."""
    with world_for_test(built_world) as fresh:
        yield fresh


@pytest.fixture
def tokens(world: World, built_world: BuiltWorld) -> dict[str, str]:
    """The viewers' bearer tokens, made with the world (tests/api/conftest.py's ``tokens``)."""
    return dict(built_world.extra)


def test_every_endpoint_names_its_operation() -> None:
    assert set(OPERATIONS) == set(ENDPOINTS)


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


def registry_counts() -> dict[str, int]:
    from tests.registry.conftest import (
        Household,
        HouseholdCondition,
        HouseholdFinance,
        HouseholdStatusChange,
        MembershipEvent,
        Person,
    )

    return {
        "household": Household.objects.count(),
        "person": Person.objects.count(),
        "event": MembershipEvent.objects.count(),
        "status": HouseholdStatusChange.objects.count(),
        "finance": HouseholdFinance.objects.count(),
        "condition": HouseholdCondition.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_endpoint_answers_by_role_and_scope(
    world: World,
    tokens: dict[str, str],
    call: Callable[..., Any],
    endpoint: str,
    role: str,
    target: str,
) -> None:
    method, template, body, ok, writes = ENDPOINTS[endpoint]
    household = world.households[target]
    heads = {"tudi": "张三", "douwang": "王五", "luxi": "向东"}
    spouses = {"tudi": "李梅", "douwang": "赵兰", "luxi": "田英"}
    sons = {"tudi": "张小明", "douwang": "王小虎", "luxi": "向小北"}
    ids = {  # public UUIDs, in paths and bodies alike (SEC-MSK-3)
        "h": str(household.public_id),
        "head": str(member(household, heads[target]).public_id),
        "spouse": str(member(household, spouses[target]).public_id),
        "son": str(member(household, sons[target]).public_id),
    }
    path = template.format(**ids)
    before = registry_counts()
    reply = call(method, path, tokens[role], _fill(body, ids))

    if role in NO_CAPABILITY or (endpoint in REVEAL_ONLY and role != "county_huayuan"):
        expected, code = 403, "forbidden"
    elif target in IN_SCOPE[role]:
        expected, code = ok, None
    else:
        expected, code = 404, "not_found"
    assert reply.status == expected, reply.raw
    if code is None:
        return
    assert reply.body["code"] == code
    if code == "not_found":
        who = "人员" if path.startswith("/persons") else "农户"
        assert reply.body["message"] == f"未找到该{who}"
    # Nothing changed but one audited refusal: a write's by its service, a read's (the same 404
    # as for a missing id) by the one scope-denial hook, with the IP and the requested id.
    assert registry_counts() == {**before, "audit": before["audit"] + 1}
    event = AuditEvent.objects.order_by("-pk").first()
    assert event is not None
    assert (event.action, event.actor_id, event.result) == (
        "authz.denied",
        world.viewers[role].pk,
        "denied",
    )
    if code == "not_found" and not writes:
        placeholder = re.findall(r"{(\w+)}", template)[0]
        assert (event.object_type, event.object_id, event.ip, event.changes) == (
            "person" if path.startswith("/persons") else "household",
            ids[placeholder],
            "127.0.0.1",
            {"attempted": OPERATIONS[endpoint], "method": "GET", "reason": "out_of_scope"},
        )
    assert household.household_number not in reply.raw


@pytest.mark.parametrize("role", [*ROLES, "township_longtan", "inspector_luxi"])
def test_list_shows_exactly_the_households_in_scope(
    world: World, tokens: dict[str, str], call: Callable[..., Any], role: str
) -> None:
    from tests.api.conftest import VISIBLE

    reply = call("GET", "/households?limit=100", tokens[role])
    if role in NO_CAPABILITY:
        assert reply.status == 403
        assert reply.body["code"] == "forbidden"
        return
    assert reply.status == 200
    numbers = {item["household_number"] for item in reply.body["items"]}
    assert numbers == world.numbers(VISIBLE[role])
    assert reply.body["count"] == len(VISIBLE[role])
