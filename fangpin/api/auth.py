"""Who is calling: a bearer token (``Authorization: Bearer <secret>``) or the web session.

- **Tokens** are looked up by the SHA-256 digest of the secret; revoked, expired or an
  inactive account's tokens authenticate nobody. ``last_used_at`` is refreshed at most once a
  minute, so a busy client does not write on every request.
- **Sessions** are Django's login session (ninja's ``SessionAuth``), with CSRF enforced for
  unsafe methods, and — when TOTP is required — only sessions that passed the second factor.
- Neither → 401 ``{"code": "unauthenticated", "message": "请先登录"}`` (errors.py). API URLs are
  exempt from ``LoginRequiredMiddleware``'s redirect (api.py), so this answer is ours.
- **What** the caller may do is asked per endpoint with :func:`require` (403 ``forbidden``);
  **where** is the selectors' and services' region scope (404 ``not_found``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from fangpin.api.errors import ApiError
from fangpin.api.models import ApiToken
from fangpin.api.services import token_digest
from fangpin.core.access import user_can
from fangpin.core.audit import audit_record
from fangpin.core.auth import second_factor_satisfied
from fangpin.core.models import AuditResult

__all__ = [
    "BearerTokenAuth",
    "VerifiedSessionAuth",
    "authenticate_any",
    "caller",
    "require",
]

_LAST_USED_RESOLUTION = timedelta(minutes=1)
_MAX_SECRET_LENGTH = 200


def token_user(secret: str) -> Any | None:
    """The active account a token secret authenticates, or ``None``."""
    if not secret or len(secret) > _MAX_SECRET_LENGTH:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(secret), revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if token is None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or now - token.last_used_at >= _LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer <secret>``; the request then acts as the token's account."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


class VerifiedSessionAuth(SessionAuth):
    """The login session (CSRF-checked for unsafe methods), second factor included."""

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a logged-in session there is nothing to protect from CSRF: answer 401, not
        # the CSRF 403 ninja would give an anonymous POST.
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        user = super().authenticate(request, key)
        if user is None or not second_factor_satisfied(request):
            return None
        return user


def authenticate_any(request: HttpRequest) -> Any | None:
    """Token or session user for views outside ninja's operations (the schema and docs)."""
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() == "bearer":
        return token_user(secret.strip())
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and second_factor_satisfied(request):
        return user
    return None


def require(request: HttpRequest, capability: str) -> Any:
    """The authenticated account, if it holds ``capability``; else 403 ``forbidden``, audited
    as ``authz.denied`` like the services' refusals (the same answer for any id)."""
    user = request.auth  # type: ignore[attr-defined]  # set by ninja after authentication
    if not user_can(user, capability):
        with transaction.atomic():
            audit_record(
                actor=user,
                action="authz.denied",
                object_type="api",
                object_id=request.path[:64],  # the column's width; the full path is below
                changes={"attempted": capability, "reason": "capability", "path": request.path},
                result=AuditResult.DENIED,
                request=request,
            )
        raise ApiError(403, "forbidden", "当前账号无权访问农户登记信息")
    return user


def caller(request: HttpRequest) -> Any:
    """The authenticated account; writes leave the capability and scope checks (and their
    audit) to the registry services."""
    return request.auth  # type: ignore[attr-defined]
