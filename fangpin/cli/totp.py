"""``fangpin totp``: enrol and remove the TOTP second factor (动态验证码) of an account.

Run by the security administrator (安全管理员) next to the official: ``enroll`` prints the
otpauth:// link for the phone's authenticator app and asks for one code from the phone, which
proves the phone has the secret before the device counts. Every step is audited.
"""

from __future__ import annotations

from typing import Annotated

import typer

totp_app = typer.Typer(
    help="动态验证码（TOTP，第二重身份鉴别）：绑定与解除。", no_args_is_help=True
)

_ACTOR = "system:cli"
_TRIES = 3


@totp_app.command("enroll")
def enroll_command(username: Annotated[str, typer.Argument(help="登录名")]) -> None:
    """为账号绑定动态验证码：显示 otpauth:// 链接，用手机验证器添加后输入一个验证码确认。"""
    from fangpin.cli import fail, setup_django

    setup_django()
    from fangpin.core.auth import LoginError, totp_enroll_confirm, totp_enroll_start

    try:
        device = totp_enroll_start(username=username, actor=_ACTOR)
    except LoginError as exc:
        raise fail(exc.message) from exc
    typer.echo("请在手机验证器应用中添加以下链接（可用任一二维码工具生成二维码扫描）：")
    typer.echo(device.config_url)
    typer.echo("此链接含密钥，只给本人看，不要截图、转发或保存。")
    for attempt in range(1, _TRIES + 1):
        code = typer.prompt("请输入手机上显示的 6 位动态验证码")
        try:
            totp_enroll_confirm(username=username, code=code, actor=_ACTOR)
        except LoginError as exc:
            if exc.code != "invalid_code" or attempt == _TRIES:
                raise fail(f"{exc.message}；绑定未完成，原有绑定（如有）仍然有效") from exc
            typer.echo(exc.message)
            continue
        typer.echo(f"已为 {username} 绑定动态验证码；原有绑定（如有）已失效。")
        return


@totp_app.command("remove")
def remove_command(
    username: Annotated[str, typer.Argument(help="登录名")],
    yes: Annotated[bool, typer.Option("--yes", help="不再确认")] = False,
) -> None:
    """解除账号的全部动态验证码绑定（如手机遗失）。要求动态验证码时，该账号在重新绑定前无法登录。"""
    from fangpin.cli import fail, setup_django

    setup_django()
    from fangpin.core.auth import LoginError, totp_devices_remove

    if not yes:
        typer.confirm(f"确定解除 {username} 的动态验证码绑定？", abort=True)
    try:
        removed = totp_devices_remove(username=username, actor=_ACTOR)
    except LoginError as exc:
        raise fail(exc.message) from exc
    typer.echo(f"已解除 {username} 的 {removed} 个动态验证码绑定。")
