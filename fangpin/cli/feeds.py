"""``fangpin feeds``: import a department file, list batches, print or save a batch's report.

Run by the operator on the server, so the actor is ``"system:cli"`` (the whole country) unless
``--as-user`` names an account: then that account's rights and region scope apply, as on the
web page. Imports run synchronously here with progress bars (docs/feeds.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from fangpin.cli.actors import cli_actor

feeds_app = typer.Typer(
    help="部门数据：导入、批次列表、校验报告。Department feeds.", no_args_is_help=True
)

_KIND_LABELS = {
    "invalid": "无效",
    "duplicate": "重复",
    "unmatched": "未匹配",
    "out_of_scope": "辖区外",
}
_REPORT_HEADER = ["行号", "列", "值（已脱敏）", "类别", "原因"]


def _summary(batch: Any) -> str:
    return (
        f"批次 {batch.pk}（{batch.get_status_display()}）：共 {batch.rows_total:,} 行，"
        f"可发布 {batch.rows_publishable:,}（匹配 {batch.rows_matched:,}，"
        f"未匹配 {batch.rows_unmatched:,}），无效 {batch.rows_invalid:,}，"
        f"重复 {batch.rows_duplicate:,}，辖区外 {batch.rows_out_of_scope:,}"
    )


@feeds_app.command("import")
def import_command(
    feed: Annotated[str, typer.Argument(help="部门数据名，如 medical_claims、death_records")],
    file: Annotated[Path, typer.Argument(help="CSV（UTF-8/GBK）、Excel 或 Parquet 文件")],
    period: Annotated[str, typer.Option(help="所属月份 YYYY-MM，如 2024-06")],
    publish: Annotated[bool, typer.Option("--publish", help="校验通过后立即发布")] = False,
    as_user: Annotated[
        str | None, typer.Option("--as-user", help="以该账号的权限和辖区导入（默认系统）")
    ] = None,
) -> None:
    """导入一个部门数据文件：校验、匹配在册人员、写入暂存区；加 --publish 则一并发布。"""
    from fangpin.cli import fail, setup_django

    if not file.is_file():
        raise fail(f"找不到文件：{file}")
    setup_django()
    from fangpin.cli.progress import stage_progress
    from fangpin.feeds.errors import FeedError
    from fangpin.feeds.services import feed_import

    actor = cli_actor(as_user)
    with stage_progress() as progress:
        try:
            batch = feed_import(
                actor=actor,
                feed=feed,
                period=period,
                source=file,
                publish=publish,
                progress=progress,
            )
        except FeedError as exc:
            hint = f"（批次 {exc.batch_id}：fangpin feeds report {exc.batch_id}）"
            raise fail(exc.message + (hint if exc.batch_id else "")) from exc
    typer.echo(_summary(batch))
    if batch.report.get("issues_total"):
        typer.echo(f"问题 {batch.report['issues_total']:,} 条：fangpin feeds report {batch.pk}")


@feeds_app.command("publish")
def publish_command(
    batch: Annotated[str, typer.Argument(help="批次号")],
    as_user: Annotated[str | None, typer.Option("--as-user", help="以该账号发布")] = None,
) -> None:
    """发布一个待发布批次（替代同一部门数据同一月份的已发布批次）。"""
    from fangpin.cli import fail, setup_django

    setup_django()
    from fangpin.feeds.errors import FeedError
    from fangpin.feeds.services import feed_publish

    try:
        published = feed_publish(actor=cli_actor(as_user), batch_id=batch)
    except FeedError as exc:
        raise fail(exc.message) from exc
    typer.echo(_summary(published))


@feeds_app.command("list")
def list_command(
    feed: Annotated[str | None, typer.Option(help="只列此部门数据")] = None,
    period: Annotated[str | None, typer.Option(help="只列此月份 YYYY-MM")] = None,
) -> None:
    """列出批次：部门数据、月份、状态、行数。"""
    from fangpin.cli import setup_django

    setup_django()
    from fangpin.core.access import SYSTEM
    from fangpin.feeds.selectors import feed_batch_list

    batches = feed_batch_list(user=SYSTEM, feed=feed, period=period)
    if not batches.exists():
        typer.echo("没有批次")
        return
    for b in batches:
        typer.echo(
            f"{b.pk}  {b.feed:<26} {b.period}  {b.get_status_display():<4}  "
            f"共{b.rows_total:>8,}  可发布{b.rows_publishable:>8,}  无效{b.rows_invalid:>6,}  "
            f"重复{b.rows_duplicate:>6,}  未匹配{b.rows_unmatched:>6,}  "
            f"{b.created_at:%Y-%m-%d %H:%M}"
        )


def report_rows(batch: Any) -> list[list[str]]:
    """The report as table rows (header first), as printed and saved."""
    rows = [_REPORT_HEADER]
    error = batch.report.get("file_error")
    if error:
        rows.append(["", "", "", "文件错误", error["message"]])
    for issue in batch.report.get("issues", []):
        rows.append(
            [
                str(issue["row"]),
                issue["column"],
                issue["value"],
                _KIND_LABELS.get(issue["kind"], issue["kind"]),
                issue["reason"],
            ]
        )
    return rows


def _write_report(rows: list[list[str]], out: Path) -> str:
    """The report as .xlsx (or .csv by the suffix); no cell is ever a formula (scenario 12)."""
    from fangpin.sheets.writer import Column, write_csv, write_xlsx

    columns = [Column(f"c{i}", header) for i, header in enumerate(rows[0])]
    if out.suffix.lower() == ".csv":
        with out.open("w", encoding="utf-8", newline="") as handle:
            write_csv(handle, columns=columns, rows=rows[1:])
    else:
        write_xlsx(out, sheet_name="校验报告", columns=columns, rows=rows[1:])
    return f"已写入 {out}"


@feeds_app.command("report")
def report_command(
    batch: Annotated[str, typer.Argument(help="批次号")],
    xlsx: Annotated[
        Path | None, typer.Option("--xlsx", help="写入 Excel 文件（文件名以 .csv 结尾时写 CSV）")
    ] = None,
) -> None:
    """打印批次的校验报告（身份证号码已脱敏）；--xlsx 写入文件。"""
    from fangpin.cli import fail, setup_django

    setup_django()
    from fangpin.core.access import SYSTEM
    from fangpin.feeds.models import FeedBatch
    from fangpin.feeds.selectors import feed_batch_get

    try:
        found = feed_batch_get(user=SYSTEM, batch_id=batch)
    except FeedBatch.DoesNotExist as exc:
        raise fail(f"找不到批次 {batch}") from exc
    rows = report_rows(found)
    typer.echo(_summary(found))
    if xlsx is not None:
        typer.echo(_write_report(rows, xlsx))
        return
    for row in rows:
        typer.echo("\t".join(row))
    if found.report.get("issues_total", 0) > len(rows) - 1:
        typer.echo(f"（仅列出前 {len(rows) - 1:,} 条，共 {found.report['issues_total']:,} 条）")
