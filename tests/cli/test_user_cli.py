"""``fangpin user``: the first administrator of a fresh install, and the account chores.

fangpin/cli/user.py. Passwords come from the hidden prompt (typed twice); the actor of every
write is ``system:cli``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from fangpin.cli import app
from fangpin.core.models import AuditEvent, Role, User

runner = CliRunner()
PASSWORD = "Shibadong-Tea-2026"
TYPED_TWICE = f"{PASSWORD}\n{PASSWORD}\n"


@pytest.fixture
def admin(db: Any) -> User:
    user = User.objects.create_user(username="admin01", password=PASSWORD)
    User.objects.filter(pk=user.pk).update(role=Role.SYSTEM_ADMIN)
    return user


def test_help_lists_the_user_commands() -> None:
    result = runner.invoke(app, ["user", "--help"])

    assert result.exit_code == 0
    for command in ("create", "disable", "enable", "reset-password", "list", "disable-dormant"):
        assert command in result.output


def test_the_first_system_administrator_is_created_on_an_empty_database(db: Any) -> None:
    assert User.objects.count() == 0

    result = runner.invoke(
        app,
        ["user", "create", "admin01", "--full-name", "张三", "--role", "system_admin"],
        input=TYPED_TWICE,
    )

    assert result.exit_code == 0, result.output
    assert "已创建账号 admin01" in result.output
    assert PASSWORD not in result.output  # the prompt hides what is typed
    user = User.objects.get()
    assert (user.username, user.first_name, user.role, user.is_superuser) == (
        "admin01",
        "张三",
        "system_admin",
        False,
    )
    assert user.password_changed_at is None  # changes it at the first login
    assert user.check_password(PASSWORD)
    assert list(AuditEvent.objects.order_by("id").values_list("action", "actor_label")) == [
        ("user.create", "system:cli"),
        ("user.role_assign", "system:cli"),
    ]


def test_mismatched_passwords_are_asked_again(db: Any) -> None:
    result = runner.invoke(
        app,
        ["user", "create", "admin01", "--full-name", "张三", "--role", "system_admin"],
        input=f"{PASSWORD}\nsomething-else-9\n{PASSWORD}\n{PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    assert User.objects.get().check_password(PASSWORD)


def test_a_weak_password_creates_nothing(db: Any) -> None:
    result = runner.invoke(
        app,
        ["user", "create", "admin01", "--full-name", "张三", "--role", "system_admin"],
        input="fupin2024\nfupin2024\n",
    )

    assert result.exit_code == 1
    assert "密码长度太短" in result.output
    assert User.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_an_unknown_home_region_creates_nothing(db: Any) -> None:
    result = runner.invoke(
        app,
        [
            "user",
            "create",
            "cadre",
            "--full-name",
            "李四",
            "--role",
            "village_cadre",
            "--home-region",
            "433124102201",
        ],
        input=TYPED_TWICE,
    )

    assert result.exit_code == 1
    assert "区划代码 433124102201 不存在" in result.output
    assert User.objects.count() == 0


def test_disable_then_enable(admin: User) -> None:
    other = User.objects.create_user(username="li_si", password=PASSWORD)

    disabled = runner.invoke(app, ["user", "disable", "li_si", "--reason", "调离"])
    assert disabled.exit_code == 0, disabled.output
    assert User.objects.get(pk=other.pk).is_active is False

    enabled = runner.invoke(app, ["user", "enable", "li_si"])
    assert enabled.exit_code == 0, enabled.output
    assert User.objects.get(pk=other.pk).is_active is True
    assert list(
        AuditEvent.objects.order_by("id").values_list("action", "actor_label", "object_id")
    ) == [
        ("user.disable", "system:cli", str(other.pk)),
        ("user.enable", "system:cli", str(other.pk)),
    ]


def test_an_unknown_user_is_a_clear_error(db: Any) -> None:
    result = runner.invoke(app, ["user", "disable", "nobody", "--reason", "调离"])

    assert result.exit_code == 1
    assert "用户 nobody 不存在" in result.output
    assert AuditEvent.objects.count() == 0


def test_reset_password(admin: User) -> None:
    new = "Miaojiang-Silver-77"

    result = runner.invoke(app, ["user", "reset-password", "admin01"], input=f"{new}\n{new}\n")

    assert result.exit_code == 0, result.output
    user = User.objects.get(pk=admin.pk)
    assert user.check_password(new)
    assert user.password_changed_at is None
    assert AuditEvent.objects.get().action == "user.password_reset"


def test_list_shows_every_account(admin: User) -> None:
    User.objects.create_user(username="li_si", password=PASSWORD, is_active=False)

    result = runner.invoke(app, ["user", "list"])

    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines == [
        "admin01\t系统管理员\t-\t启用\t从未登录",
        "li_si\t未分配角色\t-\t停用\t从未登录",
    ]
    only_role = runner.invoke(app, ["user", "list", "--role", "none"])
    assert only_role.output.strip().splitlines() == ["li_si\t未分配角色\t-\t停用\t从未登录"]


def test_disable_dormant_disables_exactly_the_dormant_and_is_idempotent(admin: User) -> None:
    long_ago = timezone.now() - timedelta(days=120)
    User.objects.filter(pk=admin.pk).update(last_login=timezone.now())
    stale = User.objects.create_user(username="stale", password=PASSWORD, last_login=long_ago)
    User.objects.create_user(username="fresh", password=PASSWORD, last_login=timezone.now())

    first = runner.invoke(app, ["user", "disable-dormant"])
    second = runner.invoke(app, ["user", "disable-dormant"])

    assert first.exit_code == 0, first.output
    assert first.output.strip() == "已停用 1 个超过 90 天未登录的账号：stale"
    assert second.output.strip() == "已停用 0 个超过 90 天未登录的账号。"
    assert set(User.objects.filter(is_active=False).values_list("username", flat=True)) == {"stale"}
    [event] = AuditEvent.objects.filter(action="user.dormant_disable")
    assert (event.actor_label, event.object_id) == ("system:cli", str(stale.pk))


def test_role_assigns_a_role_and_region_from_the_server(db: None, huayuan_regions: Any) -> None:
    from fangpin.core.models import AuditEvent, User

    User.objects.create_user(username="wang_wu")

    result = CliRunner().invoke(
        app, ["user", "role", "wang_wu", "county_approver", "--region", "433124"]
    )
    bad = CliRunner().invoke(
        app, ["user", "role", "wang_wu", "village_cadre", "--region", "433124"]
    )

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "wang_wu：县级审定，所属区划 花垣县（433124000000）"
    assert bad.exit_code == 1
    assert "的所属区划应为村级区划" in bad.output
    user = User.objects.get(username="wang_wu")
    assert (user.role, user.home_region_id) == ("county_approver", "433124000000")
    event = AuditEvent.objects.filter(action="user.role_assign").get()
    assert event.actor_label == "system:cli"
