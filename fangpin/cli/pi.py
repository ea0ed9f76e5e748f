"""``fangpin pi``: the keys protecting personal information — usage per key, and rotation.

docs/crypto.md (Rotation) gives the procedure: add a key, make it current, restart, run
``fangpin pi rekey``, check ``fangpin pi keys`` shows the old key unused, then remove it.
"""

from __future__ import annotations

from typing import Annotated

import typer

pi_app = typer.Typer(help="个人信息加密密钥：查看使用情况、轮换后重新加密。", no_args_is_help=True)


@pi_app.command("keys")
def keys_command() -> None:
    """各密钥保护的密文数量（“其他”为当前密钥环中没有的密钥：需恢复该密钥）。"""
    from fangpin.cli import setup_django

    setup_django()
    from rich.console import Console
    from rich.table import Table

    from fangpin.registry.rekey import pi_key_usage

    table = Table("算法/密钥", "密文数量")
    for key, count in pi_key_usage().items():
        table.add_row(key, str(count))
    Console().print(table)


@pi_app.command("rekey")
def rekey_command(
    reindex: Annotated[
        bool,
        typer.Option(
            "--reindex", help="同时用当前索引密钥重建全部检索索引（更换索引密钥或算法后）"
        ),
    ] = False,
    batch_size: Annotated[int, typer.Option(min=1, max=100_000, help="每批行数")] = 2000,
) -> None:
    """把不在当前密钥下的密文全部用当前密钥重新加密；可中断、可重复运行。记入审计。"""
    from fangpin.cli import fail, setup_django

    setup_django()
    from fangpin.cli.progress import stage_progress
    from fangpin.fieldcrypto import CryptoError
    from fangpin.registry.rekey import pi_rekey

    try:
        with stage_progress() as report:
            result = pi_rekey(
                actor="system:cli", reindex=reindex, batch_size=batch_size, progress=report
            )
    except CryptoError as exc:
        raise fail(f"{exc.message}（已处理的批次已保存，补全密钥后重新运行即可继续）") from exc
    typer.echo(result.message)


@pi_app.command("inventory")
def inventory_command() -> None:
    """个人信息清单：每个字段的处理目的、类别、保护方式和保存期限（供个人信息保护影响评估）。"""
    from rich.console import Console
    from rich.table import Table

    from fangpin.core.pi_dictionary import PI_REGISTRY, SENSITIVE

    table = Table("字段", "处理目的", "类别", "保护方式", "保存期限", show_lines=True)
    for key, entry in sorted(PI_REGISTRY.items()):
        category = "敏感个人信息" if entry.category == SENSITIVE else "一般个人信息"
        table.add_row(key, entry.purpose, category, entry.protection, entry.retention)
    Console(width=200).print(table)
