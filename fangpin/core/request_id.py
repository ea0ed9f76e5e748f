"""A request ID for every request, so audit events and logs of one request can be joined.

The ID comes from the ``X-Request-ID`` header when a proxy set a sane one (letters, digits and
``._:-``, at most 64 characters: anything else could smuggle text into logs), and is otherwise a
fresh UUID. It is stored as ``request.request_id`` and echoed in the response header.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
_SANE = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def request_id_for(request: HttpRequest) -> str:
    """The request's ID: the middleware's, else a sane header, else a new one kept on it."""
    existing = getattr(request, "request_id", "")
    if existing:
        return str(existing)
    header = request.headers.get(HEADER, "")
    request_id = header if _SANE.fullmatch(header) else uuid.uuid4().hex
    request.request_id = request_id  # type: ignore[attr-defined]  # our own per-request attribute
    return request_id


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request)
        response = self.get_response(request)
        response.headers.setdefault(HEADER, request_id)
        return response
