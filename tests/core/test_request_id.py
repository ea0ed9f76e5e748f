"""The request ID on log records (fangpin.core.request_id, scenario 26).

The ID itself (header, sanitising, 32 hex characters) is tested in tests/core/test_audit_chain.py.
"""

from __future__ import annotations

import logging

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from fangpin.core.request_id import (
    RequestIdLogFilter,
    RequestIdMiddleware,
    current_request_id,
)


def _record(**extra: object) -> logging.LogRecord:
    record = logging.LogRecord("fangpin.t", logging.WARNING, __file__, 1, "something", (), None)
    record.__dict__.update(extra)
    return record


def test_records_logged_during_a_request_carry_its_id_and_others_none() -> None:
    seen: list[logging.LogRecord] = []

    def view(request: HttpRequest) -> HttpResponse:
        record = _record()
        RequestIdLogFilter().filter(record)
        seen.append(record)
        return HttpResponse("ok")

    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="edge-42")
    response = RequestIdMiddleware(view)(request)
    outside = _record()
    RequestIdLogFilter().filter(outside)

    assert response.headers["X-Request-ID"] == "edge-42"
    tagged = [(r.__dict__["request_id"], r.__dict__["request_tag"]) for r in seen]
    assert tagged == [("edge-42", "[edge-42] ")]
    assert (outside.__dict__["request_id"], outside.__dict__["request_tag"]) == ("", "")
    assert current_request_id() == ""


def test_the_id_is_forgotten_when_the_view_raises() -> None:
    def view(request: HttpRequest) -> HttpResponse:
        raise RuntimeError("boom")

    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="edge-43")
    with pytest.raises(RuntimeError):
        RequestIdMiddleware(view)(request)

    assert current_request_id() == ""


def test_a_django_request_record_outside_the_middleware_gets_its_request_id() -> None:
    request = RequestFactory().get("/")
    request.request_id = "from-the-request"  # type: ignore[attr-defined]
    record = _record(request=request)

    RequestIdLogFilter().filter(record)

    assert record.__dict__["request_tag"] == "[from-the-request] "


def test_the_console_line_starts_with_the_id_inside_a_request_only() -> None:
    console = next(h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler)
    lines = []

    def view(request: HttpRequest) -> HttpResponse:
        record = _record()
        console.filter(record)
        lines.append(console.format(record))
        return HttpResponse("ok")

    RequestIdMiddleware(view)(RequestFactory().get("/", HTTP_X_REQUEST_ID="edge-44"))
    outside = _record()
    console.filter(outside)
    lines.append(console.format(outside))

    assert lines == ["[edge-44] something", "something"]
