"""``fangpin api-token``: create and revoke API bearer tokens (接口令牌).

``create`` prints the secret exactly once; only its SHA-256 digest is stored, so a lost secret
cannot be shown again — revoke it and create another. Both steps are audited.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

api_token_app = typer.Typer(help="接口令牌（API bearer token）：创建与吊销。", no_args_is_help=True)

_ACTOR = "system:cli"


@api_token_app.command("create")
def create_command(
    username: Annotated[str, typer.Argument(help="登录名")],
    name: Annotated[str, typer.Option("--name", help="令牌名称（用途，如“乡镇数据对接”）")],
    expires_days: Annotated[
        int | None, typer.Option("--expires-days", min=1, max=3650, help="有效天数；默认不过期")
    ] = None,
) -> None:
    """为账号创建接口令牌；令牌只显示这一次。"""
    from fangpin.cli import fail, setup_django

    setup_django()
    from django.utils import timezone

    from fangpin.api.services import ApiTokenError, api_token_create
    from fangpin.core.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        raise fail(f"用户 {username} 不存在")
    expires_at = timezone.now() + timedelta(days=expires_days) if expires_days else None
    try:
        token, secret = api_token_create(actor=_ACTOR, user=user, name=name, expires_at=expires_at)
    except ApiTokenError as exc:
        raise fail(exc.message) from exc
    typer.echo(f"已为 {username} 创建接口令牌（ID {token.pk}，前缀 {token.prefix}）：")
    typer.echo(secret)
    typer.echo("令牌只显示这一次，请妥善保存；请求时使用请求头 Authorization: Bearer <令牌>。")


@api_token_app.command("revoke")
def revoke_command(token_id: Annotated[int, typer.Argument(help="令牌 ID")]) -> None:
    """立即吊销接口令牌。"""
    from fangpin.cli import fail, setup_django

    setup_django()
    from fangpin.api.services import ApiTokenError, api_token_revoke

    try:
        token = api_token_revoke(actor=_ACTOR, token_id=token_id)
    except ApiTokenError as exc:
        raise fail(exc.message) from exc
    typer.echo(f"已吊销接口令牌 {token.pk}（前缀 {token.prefix}）。")
