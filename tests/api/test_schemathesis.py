"""A bounded schemathesis run over the whole OpenAPI schema (SECURITY.md scenario 25).

With a county approver's token (花垣县) every operation gets a few generated requests — once
with free path parameters and once on a household inside the scope: no 5xx, every response
conforms to the schema (status code, content type, body), and no response names a household
outside 花垣县 (the world's 泸溪县 household). The same with a village cadre's token (土地村,
the scenario's "village A"), fewer examples: no response names any other village's household,
and schemathesis's ``ignored_auth`` check repeats each request that succeeded without
credentials and with invalid ones, which must be refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi import checks as openapi_checks
from schemathesis.specs.openapi.checks import ignored_auth

from fangpin.wsgi import application
from tests.api.conftest import API, TUDI, World

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 8
VILLAGE_MAX_EXAMPLES = 3  # the village run, ignored_auth probes included, adds ~3 s
OUT_OF_SCOPE_PREFIX = "433122"  # 泸溪县


def _village_codes(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k == "village_code" and isinstance(v, str)]
        for item in value.values():
            found.extend(_village_codes(item))
        return found
    if isinstance(value, list):
        return [code for item in value for code in _village_codes(item)]
    return []


def _outside_the_county(code: str) -> bool:
    return code.startswith(OUT_OF_SCOPE_PREFIX)


def _run(
    operation: Any,
    headers: dict[str, str],
    forbidden: set[str],
    *,
    outside: Callable[[str], bool] = _outside_the_county,
    checks: list[Any] = CHECKS,
    max_examples: int = MAX_EXAMPLES,
    **overrides: Any,
) -> int:
    """Fuzz one operation; no response may hold a ``forbidden`` household number or a
    ``village_code`` for which ``outside`` is true. Returns the number of requests made."""
    calls = 0

    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(**overrides))
    def check(case: Any) -> None:
        nonlocal calls
        calls += 1
        response = case.call_and_validate(headers=headers, checks=checks)
        text = response.text
        for number in forbidden:
            assert number not in text, (
                f"{case.method} {case.formatted_path}: out-of-scope household"
            )
        if "json" in response.headers.get("Content-Type", [""])[0]:
            codes = _village_codes(json.loads(text))
            assert not [c for c in codes if outside(c)], f"{case.formatted_path}: {codes}"

    check()
    return calls


@pytest.fixture
def wsgi_keeps_test_connection() -> Iterator[None]:
    """The raw WSGI handler closes "old" connections around each request, which on PostgreSQL
    closes the test's transaction; Django's own test client turns this off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.slow
@pytest.mark.usefixtures("wsgi_keeps_test_connection")
def test_schemathesis_county_approver_finds_no_5xx_and_nothing_out_of_scope(
    world: World, tokens: dict[str, str]
) -> None:
    headers = {"Authorization": f"Bearer {tokens['county_huayuan']}"}
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", application, headers=headers)
    forbidden = {world.households["luxi"].household_number}
    in_scope = str(world.households["tudi"].public_id)  # paths take the public UUID
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 20  # 18 + POST /persons/{id}/reveal + GET /dashboard
    calls = 0
    for operation in operations:
        calls += _run(operation, headers, forbidden)
        names = {p.name for p in operation.path_parameters}
        if "household_id" in names:
            calls += _run(operation, headers, forbidden, path_parameters={"household_id": in_scope})
    assert calls > len(operations)


@pytest.mark.slow
@pytest.mark.usefixtures("wsgi_keeps_test_connection")
def test_schemathesis_village_cadre_sees_only_its_village_and_auth_is_enforced(
    world: World, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scenario 25 as written: a village-A token (土地村) over the whole schema."""
    probes: list[tuple[str, int]] = []
    send_probe = openapi_checks.send_probe

    def counted(ctx: Any, parent: Any, probe: Any) -> Any:
        response = send_probe(ctx, parent, probe)
        probes.append((parent.operation.label, response.status_code))
        return response

    # ignored_auth's probes (without and with invalid credentials), counted so that a check
    # that silently probed nothing cannot pass.
    monkeypatch.setattr(openapi_checks, "send_probe", counted)
    headers = {"Authorization": f"Bearer {tokens['cadre_tudi']}"}
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", application, headers=headers)
    forbidden = world.numbers({"douwang", "minle", "luxi"})
    in_scope = str(world.households["tudi"].public_id)
    fuzz = {
        "outside": lambda code: code != TUDI,
        "checks": [*CHECKS, ignored_auth],
        "max_examples": VILLAGE_MAX_EXAMPLES,
    }
    operations = [result.ok() for result in schema.get_all_operations()]
    calls = 0
    for operation in operations:
        calls += _run(operation, headers, forbidden, **fuzz)
        if "household_id" in {p.name for p in operation.path_parameters}:
            calls += _run(
                operation, headers, forbidden, path_parameters={"household_id": in_scope}, **fuzz
            )
    assert calls > len(operations)
    assert probes, "ignored_auth sent no probe: nothing succeeded with the token"
    assert {status for _label, status in probes} == {401}
    assert f"GET {API}/households/{{household_id}}" in {label for label, _status in probes}


@pytest.mark.slow
@pytest.mark.usefixtures("wsgi_keeps_test_connection")
def test_schemathesis_negative_data_is_rejected_without_5xx(
    world: World, tokens: dict[str, str]
) -> None:
    """Requests that violate the schema get a 4xx (mostly 422), never a 5xx."""
    headers = {"Authorization": f"Bearer {tokens['county_huayuan']}"}
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", application, headers=headers)
    statuses: set[int] = set()
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=5,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
        def check(case: Any) -> None:
            response = case.call_and_validate(
                headers=headers, checks=[not_a_server_error, negative_data_rejection]
            )
            statuses.add(response.status_code)

        check()
    assert 422 in statuses
    assert not [s for s in statuses if s >= 500]


@pytest.mark.usefixtures("wsgi_keeps_test_connection")
def test_schemathesis_without_credentials_every_operation_is_401(
    world: World, tokens: dict[str, str]
) -> None:
    headers = {"Authorization": f"Bearer {tokens['auditor']}"}  # only to load the schema
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", application, headers=headers)
    operations = 0
    for result in schema.get_all_operations():
        operations += 1

        @settings(max_examples=2, deadline=None, database=None, derandomize=True)
        @given(case=result.ok().as_strategy())
        def check(case: Any) -> None:
            response = case.call()
            assert response.status_code == 401, case.formatted_path
            assert response.json() == {
                "code": "unauthenticated",
                "message": "请先登录",
                "field": None,
            }

        check()
    assert operations == 20
