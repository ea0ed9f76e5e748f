"""A request ID for every request, so audit events and logs of one request can be joined.

The ID comes from the ``X-Request-ID`` header when a proxy set a sane one (letters, digits and
``._:-``, at most 64 characters: anything else could smuggle text into logs), and is otherwise a
fresh UUID. It is stored as ``request.request_id`` and echoed in the response header.

While the request runs, the ID is also the current context's, and :class:`RequestIdLogFilter`
puts it on every log record the request produces (``record.request_id``, and the console line's
``[<id>] `` prefix). The 500 page shows the same ID, so the line behind a user's report is found
by it (scenario 26).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
_SANE = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_current: ContextVar[str] = ContextVar("fangpin_request_id", default="")


def request_id_for(request: HttpRequest) -> str:
    """The request's ID: the middleware's, else a sane header, else a new one kept on it."""
    existing = getattr(request, "request_id", "")
    if existing:
        return str(existing)
    header = request.headers.get(HEADER, "")
    request_id = header if _SANE.fullmatch(header) else uuid.uuid4().hex
    request.request_id = request_id  # type: ignore[attr-defined]  # our own per-request attribute
    return request_id


def current_request_id() -> str:
    """The ID of the request being handled in this context; empty outside a request."""
    return _current.get()


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request)
        token = _current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response.headers.setdefault(HEADER, request_id)
        return response


class RequestIdLogFilter(logging.Filter):
    """Give each record ``request_id`` (empty outside a request) and ``request_tag``.

    ``request_tag`` is ``"[<id>] "`` or empty, for a format such as
    ``"%(request_tag)s%(message)s"``: lines logged outside a request stay as they were. A record
    of ``django.request`` carries its request, which covers errors raised before this
    middleware ran.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = _current.get()
        if not request_id:
            request = getattr(record, "request", None)
            request_id = str(getattr(request, "request_id", "") or "")
        record.request_id = request_id
        record.request_tag = f"[{request_id}] " if request_id else ""
        return True
