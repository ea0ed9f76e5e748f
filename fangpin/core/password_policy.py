"""When a password must be changed (SEC-AUTH-3), and the middleware that insists on it.

A password must be changed when an administrator set it (``password_changed_at`` is null: a
new account or a reset, see :mod:`fangpin.core.account_lifecycle`) or when it is older than
``FANGPIN_PASSWORD_MAX_AGE_DAYS`` (0: passwords never expire). Until then:

- every web page answers with a redirect to the password-change page, except that page, logout
  and the pages that need no login (the login page, the language switch); static files never
  reach Django (whitenoise serves them first);
- the API answers a **session** caller 403 ``{"code": "password_change_required"}``;
- a **bearer-token** caller goes on. A token is a credential of its own, issued by the
  operator for one integration, with its own expiry and revocation; it is not the password and
  does not age with it. Blocking it would stop unattended integrations every expiry period for
  a password no machine can change. Disabling the account stops its tokens (fangpin/api/auth.py
  authenticates only active accounts).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

__all__ = [
    "API_PREFIX",
    "PASSWORD_CHANGE_REQUIRED",
    "PASSWORD_PAGE",
    "PasswordChangeRequiredMiddleware",
    "password_change_due",
]

PASSWORD_PAGE = "web:account_password"
PASSWORD_CHANGE_REQUIRED = "password_change_required"
API_PREFIX = "/api/"
#: Pages a user who must change the password may still open (besides login_not_required ones).
_ALLOWED_VIEWS = frozenset({PASSWORD_PAGE, "web:logout", "admin:logout"})


def password_change_due(user: Any, *, now: datetime | None = None) -> bool:
    """Whether ``user`` must change the password before doing anything else.

    True when an administrator set the password (``password_changed_at`` is null) or when it
    is older than ``FANGPIN_PASSWORD_MAX_AGE_DAYS`` (0: never). Anonymous users and the system
    actors never must.
    """
    if not getattr(user, "is_authenticated", False) or not hasattr(user, "password_changed_at"):
        return False
    changed_at = user.password_changed_at
    if changed_at is None:
        return True
    max_age = int(settings.FANGPIN_PASSWORD_MAX_AGE_DAYS)
    if max_age <= 0:
        return False
    return bool(changed_at <= (now or timezone.now()) - timedelta(days=max_age))


def _is_bearer(request: HttpRequest) -> bool:
    scheme, _, _secret = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer"


class PasswordChangeRequiredMiddleware:
    """After the login and second-factor middleware: a user whose password must be changed
    sees the password-change page and nothing else (the API: 403 for session callers)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Any,
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        if not password_change_due(request.user):
            return None
        if request.path.startswith(API_PREFIX):
            if _is_bearer(request):
                return None  # tokens are their own credential (module docstring)
            return JsonResponse(
                {
                    "code": PASSWORD_CHANGE_REQUIRED,
                    "message": "密码已过期或由管理员设置，请先在网页上修改密码",
                    "field": None,
                },
                status=403,
            )
        match = request.resolver_match
        if match is not None and match.view_name in _ALLOWED_VIEWS:
            return None
        if not getattr(view_func, "login_required", True):
            return None  # the login page, the language switch
        if request.headers.get("HX-Request"):
            # htmx would swap the redirected page into a fragment's target; ask for a full load.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse(PASSWORD_PAGE)
            return response
        return redirect(PASSWORD_PAGE)
