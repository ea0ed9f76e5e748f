"""Account lifecycle services: create, disable, enable, reset, change, dormant (SEC-AC-6/7).

fangpin/core/account_lifecycle.py. Every happy path checks the stored values and the audit
event; every refusal checks that nothing changed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from fangpin.core.access import SYSTEM
from fangpin.core.account_lifecycle import (
    AccountError,
    password_change,
    user_create,
    user_disable,
    user_enable,
    user_list,
    user_password_reset,
    users_disable_dormant,
)
from fangpin.core.models import AuditEvent, PasswordHistory, Role, User

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
INITIAL = "Shibadong-Tea-2026"
NEW = "Tuojiang-River-2025!"
OLD = "Biancheng-Bridge-88"


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> datetime:
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


def make(username: str, role: str = "", *, password: str = OLD, **extra: Any) -> User:
    user = User.objects.create_user(username=username, password=password, **extra)
    if role:
        User.objects.filter(pk=user.pk).update(role=role)
        user.role = role
    return user


@pytest.fixture
def sysadmin(db: Any) -> User:
    return make("sys_admin", Role.SYSTEM_ADMIN)


@pytest.fixture
def secadmin(db: Any) -> User:
    return make("sec_admin", Role.SECURITY_ADMIN)


@pytest.fixture
def official(db: Any) -> User:
    return make("wang_wu", Role.AUDITOR, first_name="王五")


def session_for(user: User) -> str:
    """A live server-side login session of ``user``; returns its key."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store.create()
    return str(store.session_key)


def events(action: str | None = None) -> list[AuditEvent]:
    rows = AuditEvent.objects.order_by("id")
    return list(rows.filter(action=action) if action else rows)


def snapshot() -> dict[str, Any]:
    return {
        "users": list(
            User.objects.order_by("pk").values_list(
                "username", "is_active", "password", "password_changed_at", "role"
            )
        ),
        "history": PasswordHistory.objects.count(),
        "sessions": Session.objects.count(),
        "audit": AuditEvent.objects.exclude(action="authz.denied").count(),
    }


def no_secret_in_audit(*secrets: str) -> None:
    dumped = json.dumps([e.changes for e in AuditEvent.objects.all()], ensure_ascii=False)
    for secret in secrets:
        assert secret not in dumped
    assert "argon2" not in dumped


# --- user_create ------------------------------------------------------------------------------


def test_create_stores_an_account_that_must_change_its_password(
    sysadmin: User, frozen: datetime
) -> None:
    user = user_create(
        actor=sysadmin, username=" li_si ", full_name="李四", initial_password=INITIAL
    )

    stored = User.objects.get(pk=user.pk)
    assert (stored.username, stored.first_name, stored.role, stored.home_region_id) == (
        "li_si",
        "李四",
        "",
        None,
    )
    assert stored.is_active is True
    assert stored.password_changed_at is None
    assert stored.password.startswith("argon2$argon2id$")
    assert stored.check_password(INITIAL)
    assert list(PasswordHistory.objects.filter(user=stored).values_list("hash", "at")) == [
        (stored.password, frozen)
    ]
    [event] = events("user.create")
    assert (event.actor_label, event.actor_role, event.object_id, event.result) == (
        "sys_admin",
        "system_admin",
        str(user.pk),
        "success",
    )
    assert event.changes == {
        "username": "li_si",
        "full_name": "李四",
        "must_change_password": True,
    }
    no_secret_in_audit(INITIAL)


def test_the_system_may_create_the_first_administrator_with_a_role(db: Any) -> None:
    user = user_create(
        actor="system:cli",
        username="admin01",
        full_name="张三",
        initial_password=INITIAL,
        role=Role.SYSTEM_ADMIN,
    )

    stored = User.objects.get(pk=user.pk)
    assert (stored.role, stored.password_changed_at, stored.is_superuser) == (
        "system_admin",
        None,
        False,
    )
    assert [(e.action, e.actor_label) for e in events()] == [
        ("user.create", "system:cli"),
        ("user.role_assign", "system:cli"),
    ]
    assert events("user.role_assign")[0].changes == {
        "role": ["", "system_admin"],
        "home_region": [None, None],
    }


def test_a_security_administrator_cannot_create_accounts(secadmin: User) -> None:
    before = snapshot()

    with pytest.raises(AccountError) as refused:
        user_create(actor=secadmin, username="li_si", full_name="李四", initial_password=INITIAL)

    assert refused.value.code == "forbidden"
    assert snapshot() == before
    [denied] = events("authz.denied")
    assert (denied.actor_label, denied.result) == ("sec_admin", "denied")
    assert denied.changes == {"attempted": "user.create", "reason": "capability"}


def test_a_system_administrator_cannot_give_a_role_at_creation(sysadmin: User) -> None:
    before = snapshot()

    with pytest.raises(AccountError) as refused:
        user_create(
            actor=sysadmin,
            username="li_si",
            full_name="李四",
            initial_password=INITIAL,
            role=Role.COUNTY_APPROVER,
        )

    assert refused.value.code == "forbidden"
    assert "安全管理员" in refused.value.message
    assert snapshot() == before


def test_a_role_the_home_region_does_not_suit_creates_nothing(db: Any) -> None:
    from fangpin.core.errors import AccessError

    with pytest.raises(AccessError) as refused:
        user_create(
            actor="system:cli",
            username="cadre",
            full_name="李四",
            initial_password=INITIAL,
            role=Role.VILLAGE_CADRE,
        )

    assert refused.value.code == "region_required"
    assert User.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-1", "密码长度太短。密码必须包含至少 12 个字符。"),
        ("fangpin-county-9", "密码不能包含系统名称或业务常用词（如 fangpin、fupin、防贫）。"),
        ("password1234", "这个密码太常见了。"),
        ("123456789012", "密码只包含数字。"),
        ("x" * 129, "密码太长，最多 128 个字符。"),
    ],
)
def test_create_refuses_a_weak_password_in_chinese(
    sysadmin: User, password: str, message: str
) -> None:
    before = snapshot()

    with pytest.raises(AccountError) as refused:
        user_create(actor=sysadmin, username="li_si", full_name="李四", initial_password=password)

    assert refused.value.code == "invalid_password"
    assert message in refused.value.problems
    assert snapshot() == before


def test_create_refuses_a_password_like_the_username(sysadmin: User) -> None:
    with pytest.raises(AccountError) as refused:
        user_create(
            actor=sysadmin,
            username="township_433124101",
            full_name="李四",
            initial_password="Township_433124101!",
        )

    assert refused.value.problems == ("密码跟 用户名 太相似了。",)
    assert not User.objects.filter(username="township_433124101").exists()


def test_create_refuses_a_taken_username_whatever_its_case(sysadmin: User) -> None:
    before = snapshot()

    with pytest.raises(AccountError) as refused:
        user_create(
            actor=sysadmin, username="SYS_ADMIN", full_name="重名", initial_password=INITIAL
        )

    assert (refused.value.code, refused.value.message) == ("username", "登录名“SYS_ADMIN”已被使用")
    assert snapshot() == before


# --- user_disable / user_enable -------------------------------------------------------------


def test_disable_ends_every_session_of_the_account_only(
    sysadmin: User, official: User, secadmin: User
) -> None:
    theirs = [session_for(official), session_for(official)]
    other = session_for(secadmin)

    user_disable(actor=sysadmin, user=official, reason="调离岗位")

    assert User.objects.get(pk=official.pk).is_active is False
    assert Session.objects.filter(session_key__in=theirs).count() == 0
    assert Session.objects.filter(session_key=other).count() == 1
    [event] = events("user.disable")
    assert (event.actor_label, event.object_id) == ("sys_admin", str(official.pk))
    assert event.changes == {"is_active": [True, False], "reason": "调离岗位", "sessions_ended": 2}


def test_disabling_a_disabled_account_writes_nothing(sysadmin: User, official: User) -> None:
    user_disable(actor=sysadmin, user=official, reason="调离岗位")
    before = snapshot()

    user_disable(actor=sysadmin, user=official, reason="再次停用")

    assert snapshot() == before
    assert len(events("user.disable")) == 1


def test_nobody_disables_their_own_account(sysadmin: User) -> None:
    before = snapshot()

    with pytest.raises(AccountError) as refused:
        user_disable(actor=sysadmin, user=sysadmin, reason="测试")

    assert refused.value.code == "self"
    assert snapshot() == before
    assert events("authz.denied")[0].changes == {"attempted": "user.disable", "reason": "self"}


def test_disable_needs_a_reason(sysadmin: User, official: User) -> None:
    with pytest.raises(AccountError) as refused:
        user_disable(actor=sysadmin, user=official, reason="  ")

    assert refused.value.code == "reason"
    assert User.objects.get(pk=official.pk).is_active is True


@pytest.mark.parametrize("role", [Role.SECURITY_ADMIN, Role.AUDITOR, Role.COUNTY_APPROVER, ""])
def test_only_the_system_administrator_disables(official: User, role: str) -> None:
    actor = make("someone", role)
    before = snapshot()

    with pytest.raises(AccountError) as refused:
        user_disable(actor=actor, user=official, reason="调离岗位")

    assert refused.value.code == "forbidden"
    assert snapshot() == before
    assert events("authz.denied")[0].changes == {
        "attempted": "user.disable",
        "reason": "capability",
    }


def test_enable_restores_the_account_and_restarts_its_dormancy_clock(
    sysadmin: User, official: User, frozen: datetime
) -> None:
    user_disable(actor=sysadmin, user=official, reason="调离岗位")

    user_enable(actor=sysadmin, user=official)

    stored = User.objects.get(pk=official.pk)
    assert (stored.is_active, stored.last_login) == (True, frozen)
    [event] = events("user.enable")
    assert event.changes == {"is_active": [False, True], "last_login": [None, frozen.isoformat()]}


def test_enabling_an_active_account_writes_nothing(sysadmin: User, official: User) -> None:
    before = snapshot()

    user_enable(actor=sysadmin, user=official)

    assert snapshot() == before


def test_a_security_administrator_cannot_enable(secadmin: User, official: User) -> None:
    User.objects.filter(pk=official.pk).update(is_active=False)
    before = snapshot()

    with pytest.raises(AccountError):
        user_enable(actor=secadmin, user=official)

    assert snapshot() == before


# --- user_password_reset --------------------------------------------------------------------


def test_reset_sets_a_one_time_password_and_ends_the_sessions(
    sysadmin: User, official: User, frozen: datetime
) -> None:
    session_for(official)

    user_password_reset(actor=sysadmin, user=official, new_password=INITIAL)

    stored = User.objects.get(pk=official.pk)
    assert stored.check_password(INITIAL)
    assert stored.password_changed_at is None
    assert list(PasswordHistory.objects.filter(user=stored).values_list("hash", "at")) == [
        (stored.password, frozen)
    ]
    assert Session.objects.count() == 0
    [event] = events("user.password_reset")
    assert (event.actor_label, event.object_id) == ("sys_admin", str(official.pk))
    assert event.changes == {"must_change_password": True, "sessions_ended": 1}
    no_secret_in_audit(INITIAL)


def test_nobody_resets_their_own_password(sysadmin: User) -> None:
    before = snapshot()

    with pytest.raises(AccountError) as refused:
        user_password_reset(actor=sysadmin, user=sysadmin, new_password=INITIAL)

    assert refused.value.code == "self"
    assert snapshot() == before


def test_an_auditor_cannot_reset_passwords(official: User, secadmin: User) -> None:
    before = snapshot()

    with pytest.raises(AccountError) as refused:
        user_password_reset(actor=official, user=secadmin, new_password=INITIAL)

    assert refused.value.code == "forbidden"
    assert snapshot() == before


# --- password_change --------------------------------------------------------------------------


def test_change_stores_the_new_password_and_ends_the_other_sessions(
    official: User, frozen: datetime
) -> None:
    session_for(official)
    session_for(official)
    User.objects.filter(pk=official.pk).update(password_changed_at=None)
    official.refresh_from_db()

    password_change(user=official, old_password=OLD, new_password=NEW)

    stored = User.objects.get(pk=official.pk)
    assert stored.check_password(NEW)
    assert stored.password_changed_at == frozen
    assert PasswordHistory.objects.filter(user=stored).count() == 1
    assert Session.objects.count() == 0
    [event] = events("user.password_change")
    assert (event.actor_label, event.result) == ("wang_wu", "success")
    assert event.changes == {"sessions_ended": 2}
    no_secret_in_audit(OLD, NEW)


def test_a_wrong_old_password_changes_nothing_and_is_audited(official: User) -> None:
    before = snapshot()

    with pytest.raises(AccountError) as refused:
        password_change(user=official, old_password="not-the-password", new_password=NEW)

    assert (refused.value.code, refused.value.message) == ("wrong_password", "原密码不正确")
    [event] = events("user.password_change")
    assert (event.result, event.changes) == ("failure", {"reason": "wrong_password"})
    after = snapshot()
    after["audit"] -= 1
    assert after == before


def test_the_new_password_must_differ_from_the_current_one(official: User) -> None:
    before = snapshot()

    with pytest.raises(AccountError) as refused:
        password_change(user=official, old_password=OLD, new_password=OLD)

    assert refused.value.code == "reused_password"
    assert refused.value.message == "新密码不能与最近 5 次使用过的密码相同"
    assert snapshot() == before


def test_a_disabled_account_cannot_change_its_password(official: User) -> None:
    official.is_active = False

    with pytest.raises(AccountError) as refused:
        password_change(user=official, old_password=OLD, new_password=NEW)

    assert refused.value.code == "inactive"


# --- users_disable_dormant --------------------------------------------------------------------


@pytest.fixture
def population(sysadmin: User) -> dict[str, User]:
    """Accounts on every side of the 90-day line, seen from NOW."""

    def at(days: float) -> datetime:
        return NOW - timedelta(days=days)

    people = {
        "recent": make("recent", last_login=at(10), date_joined=at(400)),
        "edge": make("edge", last_login=at(89.9), date_joined=at(400)),
        "stale": make("stale", last_login=at(91), date_joined=at(400)),
        "never_new": make("never_new", date_joined=at(30)),
        "never_old": make("never_old", date_joined=at(120)),
        "already_off": make("already_off", last_login=at(300), is_active=False),
    }
    User.objects.filter(pk=sysadmin.pk).update(last_login=at(1))
    return people


def test_dormant_accounts_are_disabled_exactly_once(
    sysadmin: User, population: dict[str, User]
) -> None:
    session_for(population["stale"])

    disabled = users_disable_dormant(actor="system:cli", now=NOW)

    assert [u.username for u in disabled] == ["never_old", "stale"]
    assert set(User.objects.filter(is_active=False).values_list("username", flat=True)) == {
        "already_off",
        "never_old",
        "stale",
    }
    assert Session.objects.count() == 0
    dormant_events = events("user.dormant_disable")
    assert [(e.object_id, e.actor_label) for e in dormant_events] == [
        (str(population["never_old"].pk), "system:cli"),
        (str(population["stale"].pk), "system:cli"),
    ]
    assert dormant_events[1].changes == {
        "is_active": [True, False],
        "last_login": (NOW - timedelta(days=91)).isoformat(),
        "dormant_days": 90,
        "sessions_ended": 1,
    }
    assert dormant_events[0].changes["last_login"] is None

    assert users_disable_dormant(actor="system:cli", now=NOW) == []
    assert len(events("user.dormant_disable")) == 2


def test_the_dormant_period_follows_the_setting(
    sysadmin: User, population: dict[str, User], settings: Any
) -> None:
    settings.FANGPIN_DORMANT_DAYS = 20

    disabled = users_disable_dormant(actor=sysadmin, now=NOW)

    assert [u.username for u in disabled] == ["edge", "never_new", "never_old", "stale"]


def test_zero_dormant_days_disables_nobody(population: dict[str, User], settings: Any) -> None:
    settings.FANGPIN_DORMANT_DAYS = 0

    assert users_disable_dormant(actor="system:cli", now=NOW) == []
    assert User.objects.filter(is_active=False).count() == 1


def test_only_the_system_administrator_runs_the_dormant_job(
    secadmin: User, population: dict[str, User]
) -> None:
    before = snapshot()

    with pytest.raises(AccountError):
        users_disable_dormant(actor=secadmin, now=NOW)

    assert snapshot() == before


# --- user_list --------------------------------------------------------------------------------


def test_the_list_flags_dormant_accounts_and_filters(
    sysadmin: User, population: dict[str, User]
) -> None:
    rows = {u.username: getattr(u, "is_dormant", None) for u in user_list(user=sysadmin, now=NOW)}

    assert rows == {
        "already_off": False,  # disabled already: nothing left to do
        "edge": False,
        "never_new": False,
        "never_old": True,
        "recent": False,
        "stale": True,
        "sys_admin": False,
    }
    dormant = user_list(user=sysadmin, dormant=True, now=NOW)
    assert [u.username for u in dormant] == ["never_old", "stale"]
    assert [u.username for u in user_list(user=sysadmin, is_active=False, now=NOW)] == [
        "already_off"
    ]
    assert [u.username for u in user_list(user=sysadmin, role=Role.SYSTEM_ADMIN)] == ["sys_admin"]
    assert [u.username for u in user_list(user=sysadmin, query="NEVER")] == [
        "never_new",
        "never_old",
    ]


def test_the_list_is_empty_for_anyone_but_the_system_administrator(
    secadmin: User, population: dict[str, User]
) -> None:
    assert list(user_list(user=secadmin)) == []
    assert len(user_list(user=SYSTEM)) == 8
