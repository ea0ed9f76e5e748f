"""The absolute session lifetime (SEC-SES-1): at most FANGPIN_SESSION_MAX_HOURS after login.

Django already gives the idle timeout (SESSION_COOKIE_AGE, renewed on every request by
SESSION_SAVE_EVERY_REQUEST) and ends the session at browser close. What it lacks is a hard
limit: an official who keeps clicking would otherwise stay logged in forever on a shared
township PC. This middleware stamps the login time into the session and ends the session once
the stamp is older than the limit (ASVS 7.3.2; 4.0.3 3.3.2 "12 hours or 30 minutes").

A login is recognised without signals: ``django.contrib.auth.login`` always gives the session a
new key, so "authenticated after the view, under a different key than before it" is a login (or
a password change, which also re-authenticates and restarts the clock).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

LOGIN_AT_KEY = "fangpin_login_at"  # Unix seconds of the login that started this session


def session_is_past_max_age(request: HttpRequest) -> bool:
    """Whether the request's logged-in session began longer ago than the absolute limit."""
    session = request.session
    if SESSION_KEY not in session:
        return False
    started = session.get(LOGIN_AT_KEY)
    if not isinstance(started, int | float):
        return False  # stamped after this request (sessions from before this middleware)
    age_seconds = timezone.now().timestamp() - started
    return age_seconds >= settings.FANGPIN_SESSION_MAX_HOURS * 3600


class SessionLifetimeMiddleware:
    """Between AuthenticationMiddleware and OTPMiddleware: ends sessions past their lifetime."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if session_is_past_max_age(request):
            # flush() deletes the server-side row and gives a fresh, empty session, so the old
            # cookie is worthless from now on; the request goes on as anonymous and
            # LoginRequiredMiddleware sends it to the login page.
            request.session.flush()
            request.user = AnonymousUser()
        key_before = request.session.session_key
        response = self.get_response(request)
        session = request.session
        if SESSION_KEY in session and (
            session.session_key != key_before or LOGIN_AT_KEY not in session
        ):
            session[LOGIN_AT_KEY] = int(timezone.now().timestamp())
        return response
