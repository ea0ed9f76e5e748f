"""A bounded schemathesis run over the whole OpenAPI schema (SECURITY.md scenario 25).

With a county approver's token (花垣县) every operation gets a few generated requests — once
with free path parameters and once on a household inside the scope: no 5xx, every response
conforms to the schema (status code, content type, body), and no response names a household
outside 花垣县 (the world's 泸溪县 household).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
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

from fangpin.wsgi import application
from tests.api.conftest import API, World

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 8
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


def _run(operation: Any, headers: dict[str, str], forbidden: set[str], **overrides: Any) -> int:
    calls = 0

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(**overrides))
    def check(case: Any) -> None:
        nonlocal calls
        calls += 1
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        text = response.text
        for number in forbidden:
            assert number not in text, (
                f"{case.method} {case.formatted_path}: out-of-scope household"
            )
        if "json" in response.headers.get("Content-Type", [""])[0]:
            codes = _village_codes(json.loads(text))
            assert not [c for c in codes if c.startswith(OUT_OF_SCOPE_PREFIX)]

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
    in_scope = world.households["tudi"].pk
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
