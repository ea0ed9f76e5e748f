"""``fangpin policy``: show the policy edition in force for a year and region, check edition files.

Pure-core commands: they read TOML files through :mod:`fangpin.policy` and never set up Django,
so they work on a machine without a database.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

policy_app = typer.Typer(
    help="政策版本（监测线、触发阈值、时限、消除条件）：查看与校验。", no_args_is_help=True
)

_UNCONFIRMED = "未证实"


def _fail(message: str) -> typer.Exit:
    from rich.markup import escape

    from fangpin.cli import fail  # imported here: fangpin.cli imports this module at start-up

    return fail(escape(message))


@policy_app.command("show")
def show_command(
    year: Annotated[int, typer.Option(help="年度，如 2024")],
    region: Annotated[str, typer.Option(help="区划代码（6 位县级或 12 位），如 433124")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON（含每项来源）")] = False,
    directory: Annotated[
        Path | None, typer.Option("--dir", help="政策版本目录（默认随软件发布的版本）")
    ] = None,
) -> None:
    """显示某年某地实际适用的政策版本：每一项的取值、是否证实、来自哪一级哪个文件。"""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from fangpin.policy import PolicyError, PolicyValidationError, default_editions, load_editions

    try:
        editions = default_editions() if directory is None else load_editions(directory)
        resolved = editions.resolve(year, region)
    except PolicyError as exc:
        raise _fail(exc.message) from exc
    except PolicyValidationError as exc:
        raise _fail(
            f"政策版本文件有误（共 {len(exc.errors)} 处），请运行 fangpin policy check"
        ) from exc

    if as_json:
        typer.echo(json.dumps(resolved.as_dict(), ensure_ascii=False, indent=2))
        return
    console = Console()
    table = Table(title=f"政策版本 {resolved.edition_id}", box=box.SIMPLE_HEAD)
    wide = console.width >= 120  # on a narrow terminal the Chinese label column goes
    table.add_column("键", overflow="fold")
    if wide:
        table.add_column("名称")
    table.add_column("值", ratio=1, overflow="fold")
    table.add_column("证实", no_wrap=True)
    table.add_column("层级", no_wrap=True)
    table.add_column("文件", overflow="fold")
    for row in resolved.explain():
        marker = "" if row.confirmed else Text(_UNCONFIRMED, style="yellow")
        label = [row.label] if wide else []
        table.add_row(row.key, *label, Text(row.display), marker, row.level.zh, row.file)
    console.print(table)
    for edition in resolved.chain:
        console.print(
            Text(f"{edition.level.zh}级：{edition.file}（{edition.title}）；依据：{edition.basis}")
        )
    unconfirmed = len(resolved.unconfirmed_keys)
    console.print(Text(f"共 {len(resolved.values)} 项，其中{_UNCONFIRMED} {unconfirmed} 项"))
    if resolved.is_example:
        examples = "、".join(e.file for e in resolved.chain if e.is_example)
        console.print(Text(f"注意：含示例文件（非真实政策）：{examples}", style="bold yellow"))


@policy_app.command("check")
def check_command(
    directory: Annotated[
        Path | None, typer.Argument(help="政策版本目录（默认随软件发布的版本）")
    ] = None,
) -> None:
    """校验一个目录下全部政策版本文件，一次列出所有错误。"""
    from fangpin.policy import Level, PolicyValidationError, load_editions

    try:
        editions = load_editions(directory)
    except PolicyValidationError as exc:
        for error in exc.errors:
            typer.echo(f"[{error.code}] {error.message}")
        raise _fail(f"政策版本校验未通过：共 {len(exc.errors)} 处错误") from exc
    national = sorted(e.year for e in editions.editions if e.level is Level.NATIONAL)
    lower = [e for e in editions.editions if e.level is not Level.NATIONAL]
    examples = sum(e.is_example for e in lower)
    typer.echo(
        f"政策版本校验通过：{len(editions.editions)} 个文件；国家底线 {len(national)} 个"
        f"（{national[0]}–{national[-1]} 年）；下级版本 {len(lower)} 个（其中示例 {examples} 个）"
    )
