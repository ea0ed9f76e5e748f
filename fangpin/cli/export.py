"""``fangpin export``: write a list (households, cases, clues …) to an .xlsx or CSV file.

Run by the operator on the server, so the actor is ``"system:cli"`` and the rows are the whole
country's, unless ``--as-user`` names an account: then that account's rights and region scope
apply, as on the web page, and an export above ``FANGPIN_EXPORT_APPROVAL_ROWS`` rows or an
unmasked one needs ``--request ID``, an export request approved for that account on the web
(the download uses it up, as on the web). The system may export unmasked with ``--unmasked
--reason``. Every export is audited (docs/exports.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fangpin.cli.actors import CLI_ACTOR, cli_actor

export_app = typer.Typer(
    help="导出列表（Excel/CSV），脱敏、审批、审计。Export a list.", no_args_is_help=True
)


def _filters(pairs: list[str]) -> dict[str, str]:
    from fangpin.cli import fail

    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise fail(f"筛选条件应写成 key=value：{pair}")
        out[key.strip()] = value
    return out


def export_command(
    list_name: Annotated[
        str,
        typer.Argument(
            help=(
                "列表：households, cases, clues, declarations, coverage, feed_batches, problems, "
                "integrity, force_teams, force_cadres, force_pairings, force_projects, "
                "force_assets, force_purchases"
            )
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="输出文件（.xlsx 或 .csv）")],
    file_format: Annotated[
        str | None, typer.Option("--format", help="xlsx 或 csv（默认按文件扩展名）")
    ] = None,
    as_user: Annotated[
        str | None, typer.Option("--as-user", help="以该账号的权限和辖区导出（默认系统）")
    ] = None,
    filters: Annotated[
        list[str] | None, typer.Option("--filter", help="筛选条件 key=value，可重复")
    ] = None,
    unmasked: Annotated[
        bool, typer.Option("--unmasked", help="导出证件号码和联系电话明文（须 --reason）")
    ] = False,
    reason: Annotated[str, typer.Option("--reason", help="明文导出的理由")] = "",
    request_id: Annotated[
        str | None, typer.Option("--request", help="已批准的导出申请编号（以账号导出时）")
    ] = None,
) -> None:
    """导出一个列表到文件：默认脱敏；每次导出记入审计日志。"""
    from fangpin.cli import fail, setup_django

    setup_django()
    from fangpin.core.access import SYSTEM
    from fangpin.core.exports import (
        ExportError,
        export_direct_check,
        export_download_record,
        export_request_download,
        export_request_get,
    )
    from fangpin.web.exports import export_list_get, export_prepare, export_write_file

    actor = cli_actor(as_user)
    viewer = SYSTEM if actor == CLI_ACTOR else actor
    fmt = file_format or ("csv" if out.suffix.lower() == ".csv" else "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise fail("导出格式只能是 xlsx 或 csv")
    try:
        export_list = export_list_get(list_name, user=viewer)
        if request_id:
            if actor == CLI_ACTOR:
                raise fail("--request 须与 --as-user 一起使用")
            if filters or unmasked:
                raise fail("使用 --request 时，筛选条件和是否明文以申请为准，请勿另行指定")
            export = export_request_get(user=actor, public_id=request_id)
            if export.list_name != export_list.name:
                raise fail(f"导出申请 {request_id} 不是列表 {list_name} 的申请")
            fmt = export.file_format
            prepared = export_prepare(export_list, user=viewer, filters=export.filters)
            export_request_download(
                actor=actor,
                public_id=export.public_id,
                row_count=prepared.row_count,
                capability=export_list.capability,
            )
            clear = not export.is_masked
        else:
            if unmasked and not export_list.has_pi:
                raise fail("该列表没有证件号码或联系电话，无需明文导出")
            prepared = export_prepare(export_list, user=viewer, filters=_filters(filters or []))
            export_direct_check(
                actor=actor,
                row_count=prepared.row_count,
                masked=not unmasked,
                capability=export_list.capability,
            )
            export_download_record(
                actor=actor,
                request=None,
                list_name=export_list.name,
                row_count=prepared.row_count,
                masked=not unmasked,
                reason=reason,
            )
            clear = unmasked
    except ExportError as exc:
        raise fail(exc.message) from None
    written = export_write_file(out, prepared, user=viewer, file_format=fmt, unmasked=clear)
    kind = "明文" if clear else "脱敏"
    typer.echo(f"已导出 {export_list.title} {written:,} 行（{kind}）到 {out}")


# ``fangpin export <list> …`` is one command: registered on the main app with
# ``app.command("export")(export_command)``; ``export_app`` runs it on its own (tests, scripts).
export_app.command("export")(export_command)
