"""Account lifecycle: create, disable, enable, reset and change passwords, dormant accounts.

三员 separation (SEC-AC-6): the system administrator (``users.manage``) creates, disables and
re-enables accounts and sets one-time passwords; roles and home regions stay with the security
administrator (:func:`fangpin.core.accounts.user_role_assign`). So an administrator creates an
account *without* a role; only the system itself (``"system:cli"``, the operator at the
server) may create one with a role, which is how the first system administrator of a fresh
install comes to exist (SEC-AC-7: there are no default accounts).

Every write runs in one transaction with its audit event, and refusals for lack of authority
are audited as ``authz.denied`` like :mod:`fangpin.core.accounts`. No password and no hash ever
reaches the audit log. docs/access.md tells the whole story.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone

from fangpin.core.access import USERS_MANAGE, is_system_actor, user_can
from fangpin.core.accounts import user_role_assign
from fangpin.core.audit import audit_record
from fangpin.core.errors import FangpinError
from fangpin.core.models import AuditResult, PasswordHistory, Region, User

__all__ = [
    "AccountError",
    "dormant_cutoff",
    "password_change",
    "user_create",
    "user_disable",
    "user_enable",
    "user_list",
    "user_password_reset",
    "users_disable_dormant",
]

_SESSION_AUTH_KEY = "_auth_user_id"


class AccountError(FangpinError):
    """An account change the core refuses. ``str(exc)`` is the Chinese message.

    Codes: ``forbidden`` (the actor may not manage accounts), ``self`` (disabling or resetting
    one's own account), ``username`` (empty or taken), ``invalid_password`` (the validators
    refused it; ``problems`` lists their messages), ``reused_password`` (one of the last
    FANGPIN_PASSWORD_HISTORY), ``wrong_password`` (the old password is wrong), ``inactive``
    (changing the password of a disabled account), ``reason`` (disabling without a reason).
    """

    def __init__(self, code: str, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(code, message)
        self.problems = tuple(problems) or (message,)


# --- Helpers ----------------------------------------------------------------------------------


def _require_manager(*, actor: Any, user: User | None, attempted: str) -> None:
    """Refuse (and audit) an actor without ``users.manage``; system actors may."""
    if is_system_actor(actor) or user_can(actor, USERS_MANAGE):
        return
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="authz.denied",
            object_type="user",
            object_id=user.pk if user is not None else "",
            changes={"attempted": attempted, "reason": "capability"},
            result=AuditResult.DENIED,
        )
    raise AccountError("forbidden", "当前账号无权管理账号")


def _refuse_self(*, actor: Any, user: User, attempted: str, message: str) -> None:
    if getattr(actor, "pk", None) is not None and actor.pk == user.pk:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="authz.denied",
                object_type="user",
                object_id=user.pk,
                changes={"attempted": attempted, "reason": "self"},
                result=AuditResult.DENIED,
            )
        raise AccountError("self", message)


def _validate(password: str, user: User) -> None:
    """Run the password validators (SEC-AUTH-2); their Chinese messages become the error's."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        problems = [str(message) for message in exc.messages]
        raise AccountError("invalid_password", "；".join(problems), problems) from exc


def _history_refuses(user: User, password: str) -> bool:
    """Whether ``password`` is the current one or one of the last FANGPIN_PASSWORD_HISTORY."""
    keep = int(settings.FANGPIN_PASSWORD_HISTORY)
    if keep <= 0:
        return False
    if user.has_usable_password() and check_password(password, user.password):
        return True
    hashes = PasswordHistory.objects.filter(user=user).values_list("hash", flat=True)[:keep]
    return any(check_password(password, encoded) for encoded in hashes)


def _set_password(user: User, password: str, *, must_change: bool, now: datetime) -> None:
    """Store ``password`` (hashed), remember it in the history and trim the history."""
    user.set_password(password)
    user.password_changed_at = None if must_change else now
    user.save(update_fields=["password", "password_changed_at"])
    keep = int(settings.FANGPIN_PASSWORD_HISTORY)
    if keep <= 0:
        PasswordHistory.objects.filter(user=user).delete()
        return
    PasswordHistory.objects.create(user=user, hash=user.password, at=now)
    stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[keep:]
    PasswordHistory.objects.filter(pk__in=list(stale)).delete()


def _sessions_end(user: User, *, keep: str | None = None) -> int:
    """Delete every server-side session of ``user`` except ``keep``; returns how many went.

    Sessions are signed blobs, so each live one is decoded; there are few (30-minute idle
    timeout, ``clearsessions`` removes the expired).
    """
    ended = []
    live = Session.objects.filter(expire_date__gt=timezone.now()).exclude(session_key=keep or "")
    for session in live.iterator():
        if str(session.get_decoded().get(_SESSION_AUTH_KEY, "")) == str(user.pk):
            ended.append(session.session_key)
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)


def _locked(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


# --- Services -------------------------------------------------------------------------------


def user_create(
    *,
    actor: Any,
    username: str,
    full_name: str,
    initial_password: str,
    role: str = "",
    home_region: Region | None = None,
) -> User:
    """Create an account with a one-time password the user must change at the first login.

    ``actor`` needs ``users.manage``. A role (and home region) may be given only by a system
    actor — an administrator's account gets its role from the security administrator. Audited
    as ``user.create``; the password is validated (SEC-AUTH-2) and never logged.
    """
    _require_manager(actor=actor, user=None, attempted="user.create")
    username = username.strip()
    full_name = full_name.strip()
    if (role or home_region is not None) and not is_system_actor(actor):
        raise AccountError("forbidden", "角色和所属区划由安全管理员分配，创建账号时不能指定")
    if not username or len(username) > 150:
        raise AccountError("username", "请填写登录名（最多 150 个字符）")
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError("username", f"登录名“{username}”已被使用")
    candidate = User(username=username, first_name=full_name[:150])
    _validate(initial_password, candidate)
    now = timezone.now()
    with transaction.atomic():
        user = User.objects.create(username=username, first_name=full_name[:150])
        _set_password(user, initial_password, must_change=True, now=now)
        audit_record(
            actor=actor,
            action="user.create",
            object_type="user",
            object_id=user.pk,
            changes={"username": username, "full_name": full_name, "must_change_password": True},
        )
        if role or home_region is not None:
            user_role_assign(actor=actor, user=user, role=role, home_region=home_region)
    return user


def user_disable(*, actor: Any, user: User, reason: str) -> User:
    """Disable ``user``: no login, every session ended, API tokens refused (ASVS 7.4.2).

    Needs ``users.manage``; nobody disables their own account (a lone administrator would lock
    everyone out). Disabling a disabled account changes nothing and writes nothing.
    """
    _require_manager(actor=actor, user=user, attempted="user.disable")
    _refuse_self(actor=actor, user=user, attempted="user.disable", message="不能停用自己的账号")
    reason = reason.strip()
    if not reason:
        raise AccountError("reason", "请填写停用原因")
    with transaction.atomic():
        current = _locked(user)
        if not current.is_active:
            user.is_active = False
            return user
        User.objects.filter(pk=user.pk).update(is_active=False)
        ended = _sessions_end(user)
        audit_record(
            actor=actor,
            action="user.disable",
            object_type="user",
            object_id=user.pk,
            changes={"is_active": [True, False], "reason": reason[:200], "sessions_ended": ended},
        )
    user.is_active = False
    return user


def user_enable(*, actor: Any, user: User) -> User:
    """Re-enable a disabled account. Its ``last_login`` restarts the dormancy clock today, so
    the next dormant run does not disable it again at once. Idempotent like ``user_disable``."""
    _require_manager(actor=actor, user=user, attempted="user.enable")
    now = timezone.now()
    with transaction.atomic():
        current = _locked(user)
        if current.is_active:
            user.is_active = True
            return user
        User.objects.filter(pk=user.pk).update(is_active=True, last_login=now)
        audit_record(
            actor=actor,
            action="user.enable",
            object_type="user",
            object_id=user.pk,
            changes={
                "is_active": [False, True],
                "last_login": [_iso(current.last_login), _iso(now)],
            },
        )
    user.is_active = True
    user.last_login = now
    return user


def user_password_reset(*, actor: Any, user: User, new_password: str) -> User:
    """Set a one-time password for ``user`` (a forgotten password): validated, must be changed
    at the next login, and every session of the account ends. Needs ``users.manage``; one's own
    password is changed with :func:`password_change` instead."""
    _require_manager(actor=actor, user=user, attempted="user.password_reset")
    _refuse_self(
        actor=actor,
        user=user,
        attempted="user.password_reset",
        message="不能重置自己的密码，请使用“修改密码”",
    )
    _validate(new_password, user)
    now = timezone.now()
    with transaction.atomic():
        current = _locked(user)
        _set_password(current, new_password, must_change=True, now=now)
        ended = _sessions_end(current)
        audit_record(
            actor=actor,
            action="user.password_reset",
            object_type="user",
            object_id=user.pk,
            changes={"must_change_password": True, "sessions_ended": ended},
        )
    user.password = current.password
    user.password_changed_at = None
    return user


def password_change(
    *, user: User, old_password: str, new_password: str, request: HttpRequest | None = None
) -> User:
    """Change one's own password (SEC-AUTH-2/3, SEC-SES-2).

    Checks the old password (a wrong one is audited as a failure), the validators and the
    history (the current password and the last FANGPIN_PASSWORD_HISTORY are refused). Then
    the request's session gets a new key and stays logged in, and every other session of the
    account ends. Audited as ``user.password_change``.
    """
    if not user.is_active:
        raise AccountError("inactive", "账号已停用")
    if not user.check_password(old_password):
        with transaction.atomic():
            audit_record(
                actor=user,
                action="user.password_change",
                object_type="user",
                object_id=user.pk,
                changes={"reason": "wrong_password"},
                result=AuditResult.FAILURE,
                request=request,
            )
        raise AccountError("wrong_password", "原密码不正确")
    _validate(new_password, user)
    if _history_refuses(user, new_password):
        keep = int(settings.FANGPIN_PASSWORD_HISTORY)
        raise AccountError("reused_password", f"新密码不能与最近 {keep} 次使用过的密码相同")
    now = timezone.now()
    with transaction.atomic():
        _set_password(user, new_password, must_change=False, now=now)
        keep_key = None
        if request is not None and getattr(getattr(request, "user", None), "pk", None) == user.pk:
            update_session_auth_hash(request, user)  # cycles the session key
            keep_key = request.session.session_key
        ended = _sessions_end(user, keep=keep_key)
        audit_record(
            actor=user,
            action="user.password_change",
            object_type="user",
            object_id=user.pk,
            changes={"sessions_ended": ended},
            request=request,
        )
    return user


def dormant_cutoff(*, now: datetime | None = None) -> datetime | None:
    """Accounts whose last login (or, never logged in, creation) is before this are dormant;
    ``None`` when FANGPIN_DORMANT_DAYS is 0 (never)."""
    days = int(settings.FANGPIN_DORMANT_DAYS)
    if days <= 0:
        return None
    return (now or timezone.now()) - timedelta(days=days)


def _dormant(users: QuerySet[User], cutoff: datetime) -> QuerySet[User]:
    return users.alias(seen=Coalesce(F("last_login"), F("date_joined"))).filter(seen__lt=cutoff)


def users_disable_dormant(*, actor: Any, now: datetime | None = None) -> list[User]:
    """Disable every active account without a login for FANGPIN_DORMANT_DAYS (SEC-AC-7).

    A never-used account counts from its creation. Each disabled account gets one
    ``user.dormant_disable`` event and loses its sessions; a rerun finds nothing more to do.
    Returns the accounts disabled, by username.
    """
    _require_manager(actor=actor, user=None, attempted="user.dormant_disable")
    cutoff = dormant_cutoff(now=now)
    if cutoff is None:
        return []
    disabled = []
    with transaction.atomic():
        candidates = _dormant(User.objects.select_for_update().filter(is_active=True), cutoff)
        for user in candidates.order_by("username"):
            User.objects.filter(pk=user.pk).update(is_active=False)
            ended = _sessions_end(user)
            audit_record(
                actor=actor,
                action="user.dormant_disable",
                object_type="user",
                object_id=user.pk,
                changes={
                    "is_active": [True, False],
                    "last_login": _iso(user.last_login),
                    "dormant_days": int(settings.FANGPIN_DORMANT_DAYS),
                    "sessions_ended": ended,
                },
            )
            user.is_active = False
            disabled.append(user)
    return disabled


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- Selector ---------------------------------------------------------------------------------


def user_list(
    *,
    user: Any,
    role: str | None = None,
    is_active: bool | None = None,
    dormant: bool | None = None,
    query: str = "",
    now: datetime | None = None,
) -> QuerySet[User]:
    """Accounts for the system administrator's list, with ``is_dormant`` annotated.

    Needs ``users.manage`` (an empty list otherwise). ``role=""`` lists accounts without a
    role. Holds no household data: username, name, role, home region, status, last login.
    """
    if not (is_system_actor(user) or user_can(user, USERS_MANAGE)):
        return User.objects.none()
    users = User.objects.select_related("home_region").order_by("username")
    if role is not None:
        users = users.filter(role=role)
    if is_active is not None:
        users = users.filter(is_active=is_active)
    if query:
        users = users.filter(Q(username__icontains=query) | Q(first_name__icontains=query))
    cutoff = dormant_cutoff(now=now)
    if cutoff is None:
        users = users.annotate(is_dormant=Value(False))
        return users.none() if dormant else users
    users = users.alias(seen=Coalesce(F("last_login"), F("date_joined"))).annotate(
        is_dormant=ExpressionWrapper(
            Q(is_active=True) & Q(seen__lt=cutoff), output_field=BooleanField()
        )
    )
    if dormant is not None:
        users = users.filter(is_dormant=dormant)
    return users
