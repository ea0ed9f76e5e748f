"""Writes for API tokens: create (the secret is returned once) and revoke. Audited."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from fangpin.api.models import ApiToken
from fangpin.core.access import is_system_actor, user_can
from fangpin.core.audit import audit_record

__all__ = ["ApiTokenError", "api_token_create", "api_token_revoke", "token_digest"]

USERS_MANAGE = "users.manage"


class ApiTokenError(Exception):
    """A refused token operation, with a stable ``code`` and a Chinese ``message``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def token_digest(secret: str) -> str:
    """The stored form of a secret: its SHA-256 hex digest.

    A random 256-bit secret needs neither salt nor a slow hash: nothing can be guessed.
    """
    return hashlib.sha256(secret.encode()).hexdigest()


def _may_manage(actor: Any, user: Any) -> bool:
    if is_system_actor(actor):
        return True
    if getattr(actor, "pk", None) is not None and actor.pk == getattr(user, "pk", None):
        return True
    return user_can(actor, USERS_MANAGE)


def api_token_create(
    *, actor: Any, user: Any, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a bearer token for ``user``; return it and the secret (never stored, shown once).

    The actor is ``user`` themselves, an account manager or a ``"system:<what>"`` actor (CLI).
    """
    label = (name or "").strip()
    if not label:
        raise ApiTokenError("name", "必须填写令牌名称")
    if len(label) > 100:
        raise ApiTokenError("name", "令牌名称不能超过100个字")
    if not getattr(user, "is_active", False):
        raise ApiTokenError("user_inactive", f"账号 {getattr(user, 'username', '')} 已停用")
    if expires_at is not None and expires_at <= timezone.now():
        raise ApiTokenError("expires_at", "过期时间必须晚于现在")
    if not _may_manage(actor, user):
        raise ApiTokenError("forbidden", "当前账号无权为他人创建接口令牌")
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=label,
            prefix=secret[:8],
            digest=token_digest(secret),
            expires_at=expires_at,
        )
        audit_record(
            actor=actor,
            action="api_token.create",
            object_type="apitoken",
            object_id=token.pk,
            changes={
                "user": [None, user.username],
                "name": [None, label],
                "prefix": [None, token.prefix],
                "expires_at": [None, expires_at.isoformat() if expires_at else None],
            },
        )
    return token, secret


def api_token_revoke(*, actor: Any, token_id: int) -> ApiToken:
    """Revoke a token at once; revoking it again changes nothing and writes no event."""
    with transaction.atomic():
        token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
        if token is None or not _may_manage(actor, token.user):
            raise ApiTokenError("not_found", f"接口令牌（ID {token_id}）不存在")
        if token.revoked_at is not None:
            return token
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="api_token.revoke",
            object_type="apitoken",
            object_id=token.pk,
            changes={"revoked_at": [None, token.revoked_at.isoformat()]},
        )
    return token
