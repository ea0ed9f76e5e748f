"""``fangpin audit``: verify the audit hash chain, purge events past the retention period."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

audit_app = typer.Typer(help="审计日志：校验哈希链、清理过期记录。Audit log.", no_args_is_help=True)


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"日期格式应为 YYYY-MM-DD，收到 {value!r}") from exc


@audit_app.command("verify")
def audit_verify_command(
    sink: Annotated[
        Path | None,
        typer.Option(help="同时核对外部审计副本（JSON 行文件，如 var/log/audit.jsonl）"),
    ] = None,
) -> None:
    """校验审计链：发现篡改、删除或顺序改动时报告第一条断裂记录并以状态 1 退出。

    给出 --sink 时再核对外部副本：副本中的每条记录（已按期清理的除外）都必须仍在数据库中且未被改写。
    """
    from fangpin.cli import fail, setup_django

    setup_django()
    from fangpin.core.audit import audit_verify
    from fangpin.core.audit_sink import audit_sink_check

    report = audit_verify()
    if not report.is_intact:
        raise fail(report.message)
    typer.echo(report.message)
    if sink is None:
        return
    if not sink.is_file():
        raise fail(f"找不到外部审计副本文件：{sink}")
    checked = audit_sink_check(sink)
    if not checked.is_consistent:
        raise fail(checked.message)
    typer.echo(checked.message)


@audit_app.command("purge")
def audit_purge_command(
    before: Annotated[
        str, typer.Option(help="删除此日期（YYYY-MM-DD，当地零时）之前的记录；至少 180 天前")
    ],
) -> None:
    """清理超过保存期的审计记录（至少保留 180 天），清理本身也记入审计。"""
    from fangpin.cli import fail, setup_django

    cutoff = _parse_date(before)
    setup_django()
    from fangpin.core.audit import audit_purge
    from fangpin.core.errors import AuditError

    try:
        deleted = audit_purge(actor="system:cli", before=cutoff)
    except AuditError as exc:
        raise fail(exc.message) from exc
    typer.echo(f"审计记录清理完成：删除 {deleted} 条 {cutoff:%Y-%m-%d} 之前的记录")
