"""Scenario 26, personal information in errors, logs and URLs (ASVS 14.2.1, 16.2.5, 16.5.1).

- A forced 500 with an ID number and a phone in the exception: the user sees a generic page with
  the request ID; the log line has the same ID and only masked numbers.
- The suite-wide scan (the root conftest's ``_no_personal_numbers_in_logs``) catches what it
  should and lets masked lines through.
- No URL pattern takes an ID number; no GET form carries an ID number or a phone.

Elsewhere: the mask itself (tests/core/test_logmask.py), the ID search by POST and the GET
search's redirect (tests/web/test_pages.py, tests/web/test_phone_search.py), the API's URLs
(tests/api/test_masking.py).
"""

from __future__ import annotations

import logging
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

import conftest as root_conftest
from fangpin import idnumber
from fangpin.core.models import User
from fangpin.settings import BASE_DIR
from fangpin.web.views import households
from tests.registry import conftest as registry

village = registry.village
tudi_cadre = registry.tudi_cadre

ID_NUMBER = idnumber.build("433124", date(1980, 5, 1), 3)
PHONE = "13812345678"
FULL_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
FULL_MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")


# --- A forced 500 -------------------------------------------------------------------------------


def test_a_forced_500_shows_the_request_id_and_logs_only_masked_numbers(
    tudi_cadre: User, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError(f"lookup failed for {kwargs['id_number']}, call {PHONE}")

    monkeypatch.setattr(households.selectors, "person_find_by_id_number", broken)
    client = Client(raise_request_exception=False)
    client.force_login(tudi_cadre)

    response = client.post("/households/find/", {"id_number": ID_NUMBER})

    request_id = response.headers["X-Request-ID"]
    body = response.content.decode()
    assert response.status_code == 500
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert f'<code class="request-id">{request_id}</code>' in body
    assert "系统出错" in body
    for leak in ("Traceback", "RuntimeError", "lookup failed", "/households/find/", "土地村"):
        assert leak not in body
    assert (FULL_ID.findall(body), FULL_MOBILE.findall(body)) == ([], [])

    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert (record.levelname, record.getMessage()) == (
        "ERROR",
        "Internal Server Error: /households/find/",
    )
    assert record.request_id == request_id  # type: ignore[attr-defined]
    assert record.exc_text is not None
    assert f"lookup failed for {ID_NUMBER[:6]}********{ID_NUMBER[-4:]}, call 138****5678" in (
        record.exc_text
    )
    logged = "\n".join(f"{r.getMessage()}\n{r.exc_text or ''}" for r in caplog.records)
    assert (FULL_ID.findall(logged), FULL_MOBILE.findall(logged)) == ([], [])
    console = next(h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler)
    first_line = console.format(record).splitlines()[0]
    assert first_line == f"[{request_id}] Internal Server Error: /households/find/"


def test_the_500_page_renders_without_a_session_or_user() -> None:
    from django.test import RequestFactory

    from fangpin.web.views.errors import server_error

    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="edge-500")

    response = server_error(request)

    assert response.status_code == 500
    assert '<code class="request-id">edge-500</code>' in response.content.decode()


# --- The suite-wide log scan ------------------------------------------------------------------


def test_the_log_scan_keeps_a_clear_number_masked_and_passes_a_masked_line() -> None:
    scan = root_conftest._PersonalNumberScan()
    logger = logging.getLogger("tests.security.scan_probe")
    logger.propagate = False
    logger.addHandler(scan)
    try:
        logger.warning("身份证 %s，电话 %s", ID_NUMBER, PHONE)  # no mask on this logger
        logger.warning("身份证 433124********0037，电话 138****5678")
        logger.warning("卡号 6222021234567890123，请求 a13812345678b")  # not personal numbers
    finally:
        logger.removeHandler(scan)
        logger.propagate = True

    masked_id = f"{ID_NUMBER[:6]}********{ID_NUMBER[-4:]}"
    assert scan.leaks == [
        f"tests.security.scan_probe WARNING: 身份证 {masked_id}，电话 138****5678"
    ]


def test_the_app_loggers_reach_the_scan_only_masked(caplog: pytest.LogCaptureFixture) -> None:
    # The console's mask filter runs before the scan (and before pytest's own capture, which
    # pytest attaches to the non-propagating loggers too), so these lines pass the scan.
    logging.getLogger("fangpin.anything").warning("号码 %s", ID_NUMBER)
    logging.getLogger("django.request").error("Bad Request: %s", PHONE)

    masked_id = f"{ID_NUMBER[:6]}********{ID_NUMBER[-4:]}"
    assert [r.getMessage() for r in caplog.records] == [
        f"号码 {masked_id}",
        "Bad Request: 138****5678",
    ]


# --- URLs and GET forms -----------------------------------------------------------------------

#: URL parameters that can hold 18 digits (int, str, slug, path): each one's meaning. A new one
#: fails the test until someone decides that no ID number or phone can reach it.
WIDE_PARAMETERS = {
    ("accounts/<int:user_id>/disable/", "user_id"): "an account's primary key",
    ("accounts/<int:user_id>/enable/", "user_id"): "an account's primary key",
    ("accounts/<int:user_id>/reset-password/", "user_id"): "an account's primary key",
    ("roles/<int:user_id>/", "user_id"): "an account's primary key",
    (
        "problems/listings/<uuid:listing_id>/targets/<int:target_id>/done/",
        "target_id",
    ): "a problem-listing target's primary key",
    ("households/<uuid:household_id>/members/<str:action>/", "action"): "a fixed set of "
    "membership actions (else 404)",
    ("reports/<uuid:report_id>/<str:fmt>/", "fmt"): "a report format (else 404)",
    ("validate/<str:field>/", "field"): "name, id_number or phone (else 404); the value by POST",
    ("imports/templates/<str:entity>/", "entity"): "a fixed set of import templates (else 404)",
    ("notices/<str:village_code>/", "village_code"): "a 12-digit village code (else 404)",
    ("notices/<str:village_code>/pdf/", "village_code"): "a 12-digit village code (else 404)",
    ("exports/<slug:list_name>/", "list_name"): "a fixed set of export lists (else 404)",
}
_LOOKS_PERSONAL = re.compile(r"id_?(number|no|card)|idcard|sfz|phone|mobile|tel\b", re.I)


def _patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += _patterns(entry, route)
        else:
            found.append((route, entry))
    return found


def test_no_url_pattern_takes_an_id_number_or_a_phone() -> None:
    unexplained = []
    for route, entry in _patterns(get_resolver()):
        regex = entry.pattern.regex
        names = list(regex.groupindex)
        assert not [n for n in names if _LOOKS_PERSONAL.search(n)], route
        if route.startswith(("admin/", "api/v1/")):
            continue  # primary keys; the API's schema: tests/api/test_masking.py
        converters = getattr(entry.pattern, "converters", {})
        for name in names:
            converter = converters.get(name)
            group = converter.regex if converter else None
            if group is None:  # a re_path: its named group must not fit an ID number
                one = re.compile(regex.pattern).groupindex[name]
                group = _group_text(regex.pattern, one)
            fits = re.fullmatch(group, ID_NUMBER[:-1] + "7") or re.fullmatch(group, PHONE)
            if fits and (route, name) not in WIDE_PARAMETERS:
                unexplained.append((route, name))

    assert unexplained == []


def _group_text(pattern: str, number: int) -> str:
    """The text of the ``number``-th capturing group of a simple (un-nested) pattern."""
    groups = re.findall(r"\(\?P<\w+>([^()]*)\)", pattern)
    return groups[number - 1]


def test_every_wide_parameter_still_exists() -> None:
    routes = {
        (route, name)
        for route, entry in _patterns(get_resolver())
        for name in entry.pattern.regex.groupindex
    }
    assert set(WIDE_PARAMETERS) - routes == set()


_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
_FIELD = re.compile(
    r"""<(?:input|select|textarea)\b[^>]*\bname=["']([^"']+)["']|\{\{\s*form\.(\w+)""", re.I
)


def test_no_get_form_carries_an_id_number_or_a_phone() -> None:
    get_fields = {}
    for template in sorted((BASE_DIR / "fangpin").rglob("templates/**/*.html")):
        for attributes, body in _FORM.findall(template.read_text(encoding="utf-8")):
            method = re.search(r"""\bmethod=["']?(\w+)""", attributes, re.I)
            if method is None or method[1].lower() != "post":
                names = {a or b for a, b in _FIELD.findall(body)}
                get_fields[str(Path(template).relative_to(BASE_DIR))] = names

    assert len(get_fields) >= 10  # the scan finds the list pages' filter forms
    assert {path: n for path, n in get_fields.items() if any(map(_LOOKS_PERSONAL.search, n))} == {}
    # The ID search is a POST form of its own (tests/web/test_pages.py).
    assert "id_number" in _post_fields("fangpin/web/templates/web/household_list.html")


def _post_fields(path: str) -> set[str]:
    text = (BASE_DIR / path).read_text(encoding="utf-8")
    return {
        a or b
        for attributes, body in _FORM.findall(text)
        if re.search(r"""\bmethod=["']?post""", attributes, re.I)
        for a, b in _FIELD.findall(body)
    }
