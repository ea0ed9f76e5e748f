"""Stored XSS (scenario 10): what users type is shown escaped on every page, and the
Content-Security-Policy forbids inline script anyway."""

from __future__ import annotations

import html
import json
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangpin.core.middleware import CONTENT_SECURITY_POLICY
from fangpin.registry import services
from fangpin.registry.models import Household
from tests.registry.conftest import REGISTERED_ON, TUDI, PersonFactory, member

PAYLOADS = [
    "<script>alert(1)</script>",
    '" onmouseover="alert(1)',
    "'><img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "javascript:alert(1)",
    "<svg/onload=alert(1)>",
    "{{ 7*7 }}{% debug %}",
]
_SPECIAL = "<>\"'&"

# Framed by two Chinese characters: a bare "<" or '"' is in every HTML page, so an unframed
# short payload would be found "verbatim" in the page's own markup.
specials = (
    st.text(alphabet=_SPECIAL + "abc =/:()", min_size=1, max_size=40)
    .filter(lambda s: any(c in s for c in _SPECIAL) and s.strip() == s)
    .map(lambda s: f"甲{s}乙")
)


def _pages(household: Household) -> list[str]:
    head = member(household, "龙大")
    return [
        f"/households/{household.public_id}/",
        f"/households/{household.public_id}/edit/",
        f"/persons/{head.public_id}/edit/",
        "/households/?q=" + household.household_number,
    ]


#: pages that show the address (the others must still never show the payload verbatim)
_SHOWS_ADDRESS = 2


def _check(payload: str, actor: Any, person_input: PersonFactory) -> None:
    household = services.household_create(
        actor=actor,
        village_code=TUDI,
        household_type="2",
        head=person_input(name="龙大"),  # names must be Chinese characters: no payload fits
        members=[],
        registered_on=REGISTERED_ON,
        address=payload,
        natural_village=payload[:100],
    )
    client = Client()
    client.force_login(actor)
    dangerous = any(c in payload for c in _SPECIAL)
    for index, url in enumerate(_pages(household)):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        if dangerous:
            assert payload not in body, url  # never verbatim: every special character escaped
        if index < _SHOWS_ADDRESS:
            assert html.escape(payload) in body, url
        assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("payload", PAYLOADS)
def test_known_payloads_are_escaped_on_every_page(
    payload: str, village: Any, actor: Any, person_input: PersonFactory
) -> None:
    _check(payload, actor, person_input)


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(payload=specials)
def test_any_special_characters_are_escaped_on_every_page(
    payload: str, village: Any, actor: Any, person_input: PersonFactory
) -> None:
    _check(payload, actor, person_input)


def test_the_api_answers_json_that_a_browser_will_not_sniff_as_html(
    village: Any, actor: Any, person_input: PersonFactory
) -> None:
    household = services.household_create(
        actor=actor,
        village_code=TUDI,
        household_type="2",
        head=person_input(name="龙大"),
        members=[],
        registered_on=REGISTERED_ON,
        address="<img src=x onerror=alert(1)>",
    )
    client = Client()
    client.force_login(actor)

    response = client.get(f"/api/v1/households/{household.public_id}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.json()["address"] == "<img src=x onerror=alert(1)>"


def test_the_policy_forbids_inline_script_and_foreign_sources() -> None:
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))

    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-eval" not in CONTENT_SECURITY_POLICY


def test_every_kind_of_response_carries_the_policy(client: Client, db: Any) -> None:
    for url in ("/login/", "/api/v1/docs", "/static/web/app.css", "/no-such-page/"):
        response = client.get(url)
        assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, url
        assert response["Permissions-Policy"].startswith("camera=()"), url


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_warning_reason_is_escaped_on_the_clue_pages(
    payload: str, village: Any, actor: Any, tudi_cadre: Any, person_input: PersonFactory
) -> None:
    """Reasons and observed values come from the screening (built from registry and feed
    text): the clue list and page show them escaped."""
    from tests.web.test_casework_pages import make_clue, make_run

    household = services.household_create(
        actor=actor,
        village_code=TUDI,
        household_type="2",
        head=person_input(name="龙大"),
        members=[],
        registered_on=REGISTERED_ON,
    )
    clue = make_clue(household, make_run(TUDI), [("trigger.accident", payload)])
    clue.warnings.update(observed=json.dumps({"event": payload}, ensure_ascii=False))
    client = Client()
    client.force_login(tudi_cadre)
    dangerous = any(c in payload for c in _SPECIAL)
    for url in ("/clues/", f"/clues/{clue.public_id}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        if dangerous:
            assert payload not in body, url
        assert html.escape(payload) in body, url
        assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
