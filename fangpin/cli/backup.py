"""``fangpin backup``: back up the database, and prove a backup restores (docs/backup.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

backup_app = typer.Typer(
    help="数据库备份与恢复演练（SQLite：VACUUM INTO；PostgreSQL：pg_dump）。Backups.",
    no_args_is_help=True,
)


@backup_app.command("create")
def backup_create_command(
    out: Annotated[Path, typer.Option("--out", help="备份文件路径（不得已存在）；清单写在它旁边")],
) -> None:
    """备份数据库到 --out，并在旁边写清单（各表行数和校验和）。记入审计。

    SQLite 用 VACUUM INTO 生成一致的副本并做完整性检查；PostgreSQL 用 pg_dump -Fc。
    """
    from fangpin.cli import fail, setup_django

    setup_django()
    from fangpin.core.backup import backup_create
    from fangpin.core.backup_db import BackupError

    try:
        report = backup_create(actor="system:cli", out=out)
    except BackupError as exc:
        raise fail(exc.message) from exc
    typer.echo(report.message)


@backup_app.command("verify-restore")
def backup_verify_restore_command(
    backup: Annotated[Path, typer.Argument(help="backup create 生成的备份文件")],
    into: Annotated[
        str | None,
        typer.Option(
            help="恢复到此数据库并保留：postgres://…（已建好的空库）或 sqlite:///路径（尚不存在的文件）；"
            "不给则恢复到临时库，检查后删除"
        ),
    ] = None,
    sample: Annotated[int, typer.Option(min=1, max=10_000, help="每个加密字段抽样解密的个数")] = 20,
) -> None:
    """恢复演练：恢复备份，核对完整性、各表行数和校验和、加密字段能否解密、审计链。

    有任何不一致时逐条列出（哪张表、清单值与恢复值）并以状态 1 退出。记入审计。
    """
    from fangpin.cli import fail, setup_django

    setup_django()
    from fangpin.core.backup import backup_verify_restore
    from fangpin.core.backup_db import BackupError

    try:
        report = backup_verify_restore(actor="system:cli", backup=backup, into=into, sample=sample)
    except BackupError as exc:
        raise fail(exc.message) from exc
    if not report.is_ok:
        for problem in report.problems:
            typer.echo(f"- {problem}", err=True)
        raise fail(report.message)
    typer.echo(report.message)
