"""Audit events for logins, failed logins and logouts (SEC-AUD-1).

Django's auth has no service layer to call ``audit_record`` from, so these three receivers of
its signals are the exception to "no logic in signals". Each writes in its own transaction. A
failed login records the attempted username (truncated to 150 characters) and nothing else from
the credentials: never the password.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.http import HttpRequest

from fangpin.core.audit import audit_record
from fangpin.core.models import AuditResult

ANONYMOUS = "anonymous"


def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    with transaction.atomic():
        audit_record(
            actor=user, action="auth.login", object_type="user", object_id=user.pk, request=request
        )


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    field = get_user_model().USERNAME_FIELD
    username = str(credentials.get(field) or credentials.get("username") or "")[:150]
    with transaction.atomic():
        audit_record(
            actor=ANONYMOUS,
            action="auth.login_failed",
            object_type="user",
            object_id=username[:64],
            changes={"username": username},
            result=AuditResult.FAILURE,
            request=request,
        )


def on_logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    with transaction.atomic():
        audit_record(
            actor=user if user is not None else ANONYMOUS,
            action="auth.logout",
            object_type="user",
            object_id=user.pk if user is not None else "",
            request=request,
        )


def auth_events_connect() -> None:
    """Connect the receivers (called once from ``CoreConfig.ready``)."""
    user_logged_in.connect(on_logged_in, dispatch_uid="fangpin.audit.login")
    user_login_failed.connect(on_login_failed, dispatch_uid="fangpin.audit.login_failed")
    user_logged_out.connect(on_logged_out, dispatch_uid="fangpin.audit.logout")
