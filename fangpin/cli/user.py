"""``fangpin user``: create, assign a role, disable, enable, reset, list; disable dormant ones.

Run by the operator on the server, so the actor is ``"system:cli"``: this is how a fresh
production install gets its first system administrator (SEC-AC-7, no default accounts)::

    fangpin user create admin01 --full-name 张三 --role system_admin

Passwords are only ever typed at a hidden prompt (never an option: it would land in the shell
history and the process list). ``disable-dormant`` is the daily job (cron, docs/access.md).
Every write is audited by the services in :mod:`fangpin.core.account_lifecycle`.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

user_app = typer.Typer(
    help="账号：创建、停用、启用、重置密码、列表、停用长期未登录账号。", no_args_is_help=True
)

_ACTOR = "system:cli"


def _password(prompt: str) -> str:
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt="再次输入"))


def _user(username: str) -> Any:
    from fangpin.cli import fail
    from fangpin.core.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        raise fail(f"用户 {username} 不存在")
    return user


@user_app.command("create")
def create_command(
    username: Annotated[str, typer.Argument(help="登录名")],
    full_name: Annotated[str, typer.Option("--full-name", help="姓名")],
    role: Annotated[
        str, typer.Option(help="角色（如 system_admin、security_admin、auditor）；默认不分配")
    ] = "",
    home_region: Annotated[
        str | None, typer.Option("--home-region", help="所属区划代码（12 位）")
    ] = None,
) -> None:
    """创建账号；一次性密码在提示符下输入，本人首次登录时必须修改。"""
    from fangpin.cli import fail, setup_django

    setup_django()
    from fangpin.core.account_lifecycle import AccountError, user_create
    from fangpin.core.errors import AccessError
    from fangpin.core.models import Region

    region = None
    if home_region:
        region = Region.objects.filter(code=home_region.strip()).first()
        if region is None:
            raise fail(f"区划代码 {home_region} 不存在，请先运行 fangpin regions load")
    password = _password("一次性密码")
    try:
        user = user_create(
            actor=_ACTOR,
            username=username,
            full_name=full_name,
            initial_password=password,
            role=role,
            home_region=region,
        )
    except (AccountError, AccessError) as exc:
        raise fail(exc.message) from exc
    typer.echo(f"已创建账号 {user.username}（ID {user.pk}）；首次登录时必须修改密码。")


@user_app.command("role")
def role_command(
    username: Annotated[str, typer.Argument(help="登录名")],
    role: Annotated[
        str,
        typer.Argument(
            help="角色：village_cadre、township_reviewer、county_approver、department_officer、"
            "inspector、auditor、system_admin、security_admin；none 表示取消角色"
        ),
    ],
    region: Annotated[
        str | None, typer.Option("--region", help="所属区划代码（6 位或 12 位），级别须与角色相符")
    ] = None,
) -> None:
    """分配角色和所属区划（三员中安全管理员的职责；在服务器上运行时由系统执行并记入审计）。"""
    from fangpin.cli import fail, setup_django

    setup_django()
    from fangpin.core.accounts import user_role_assign
    from fangpin.core.errors import FangpinError
    from fangpin.core.models import Region, Role

    home_region = None
    if region:
        home_region = Region.objects.filter(code=region.ljust(12, "0")).first()
        if home_region is None:
            raise fail(f"区划代码 {region} 不存在（请先运行 fangpin regions load）")
    code = "" if role == "none" else role
    try:
        user = user_role_assign(
            actor=_ACTOR, user=_user(username), role=code, home_region=home_region
        )
    except FangpinError as exc:
        raise fail(exc.message) from exc
    label = Role(user.role).label if user.role else "无角色"
    where = f"，所属区划 {home_region.name}（{home_region.code}）" if home_region else ""
    typer.echo(f"{username}：{label}{where}")


@user_app.command("disable")
def disable_command(
    username: Annotated[str, typer.Argument(help="登录名")],
    reason: Annotated[str, typer.Option("--reason", help="停用原因")],
) -> None:
    """停用账号：不能再登录，所有登录立即退出，接口令牌不再可用。"""
    from fangpin.cli import fail, setup_django

    setup_django()
    from fangpin.core.account_lifecycle import AccountError, user_disable

    try:
        user_disable(actor=_ACTOR, user=_user(username), reason=reason)
    except AccountError as exc:
        raise fail(exc.message) from exc
    typer.echo(f"已停用账号 {username}。")


@user_app.command("enable")
def enable_command(username: Annotated[str, typer.Argument(help="登录名")]) -> None:
    """重新启用已停用的账号。"""
    from fangpin.cli import fail, setup_django

    setup_django()
    from fangpin.core.account_lifecycle import AccountError, user_enable

    try:
        user_enable(actor=_ACTOR, user=_user(username))
    except AccountError as exc:
        raise fail(exc.message) from exc
    typer.echo(f"已启用账号 {username}。")


@user_app.command("reset-password")
def reset_password_command(username: Annotated[str, typer.Argument(help="登录名")]) -> None:
    """设置一次性密码（忘记密码时）；所有登录立即退出，下次登录必须修改。"""
    from fangpin.cli import fail, setup_django

    setup_django()
    from fangpin.core.account_lifecycle import AccountError, user_password_reset

    user = _user(username)
    password = _password("一次性密码")
    try:
        user_password_reset(actor=_ACTOR, user=user, new_password=password)
    except AccountError as exc:
        raise fail(exc.message) from exc
    typer.echo(f"已重置 {username} 的密码；下次登录时必须修改。")


@user_app.command("list")
def list_command(
    role: Annotated[str | None, typer.Option(help="只列此角色（none：未分配角色）")] = None,
    dormant: Annotated[bool, typer.Option("--dormant", help="只列长期未登录的启用账号")] = False,
) -> None:
    """列出账号：登录名、角色、所属区划、状态、最近登录。"""
    from fangpin.cli import setup_django

    setup_django()
    from django.utils import timezone

    from fangpin.core.access import SYSTEM
    from fangpin.core.account_lifecycle import user_list
    from fangpin.core.models import Role

    role_filter = None if role is None else ("" if role == "none" else role)
    users = user_list(user=SYSTEM, role=role_filter, dormant=True if dormant else None)
    for user in users:
        role_label = Role(user.role).label if user.role in Role.values else "未分配角色"
        last = (
            timezone.localtime(user.last_login).strftime("%Y-%m-%d %H:%M")
            if user.last_login
            else "从未登录"
        )
        flags = [
            "启用" if user.is_active else "停用",
            *(["长期未登录"] if getattr(user, "is_dormant", False) else []),
            *(["待改密码"] if user.password_changed_at is None else []),
        ]
        region = user.home_region.code if user.home_region else "-"
        typer.echo(f"{user.username}\t{role_label}\t{region}\t{'、'.join(flags)}\t{last}")


@user_app.command("disable-dormant")
def disable_dormant_command() -> None:
    """停用超过 FANGPIN_DORMANT_DAYS 天未登录的账号（每日定时运行；可重复运行）。"""
    from fangpin.cli import setup_django

    setup_django()
    from django.conf import settings

    from fangpin.core.account_lifecycle import users_disable_dormant

    disabled = users_disable_dormant(actor=_ACTOR)
    names = "、".join(user.username for user in disabled)
    days = settings.FANGPIN_DORMANT_DAYS
    typer.echo(
        f"已停用 {len(disabled)} 个超过 {days} 天未登录的账号" + (f"：{names}" if names else "。")
    )
