"""The 500 page (``handler500``): generic, with the request's ID and nothing else (scenario 26)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseServerError
from django.template import loader

from fangpin.core.request_id import request_id_for


def server_error(request: HttpRequest) -> HttpResponseServerError:
    """Render ``500.html`` with the request ID only.

    No request context: the context processors read the session and the user, which may be
    what failed. No path, no user, no exception text — the log line with the same request ID
    has those, masked. Django's own ``server_error`` renders without the request at all, so it
    cannot show the ID.
    """
    page = loader.get_template("500.html").render({"request_id": request_id_for(request)})
    return HttpResponseServerError(page)
