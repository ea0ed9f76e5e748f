"""``fangpin excel``: registry imports from Excel — templates, check, apply, error workbooks.

The same services as the web pages (:mod:`fangpin.imports.services`). The actor is
``"system:cli"`` (the whole country) unless ``--as-user`` names an account, whose rights and
region scope then apply. ``import`` only checks unless ``--apply`` is given: the check lists
every error and writes nothing; ``apply`` writes all rows in one transaction (docs/imports.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from fangpin.cli.actors import cli_actor

excel_app = typer.Typer(
    help="Excel导入：模板、校验、导入、错误清单。Registry imports from Excel.",
    no_args_is_help=True,
)

_ENTITY_HELP = (
    "导入内容：households（户籍与家庭成员）、members（新增家庭成员）、"
    "finances（家庭收支）、conditions（两不愁三保障及饮水）"
)


def _summary(batch: Any) -> str:
    from fangpin.imports.specs import count_lines

    text = (
        f"导入 {batch.pk}（{batch.get_entity_display()}，"
        f"{batch.get_status_display()}）：共 {batch.row_count:,} 行，错误 {batch.error_count:,} 条"
    )
    lines = count_lines(batch.counts or {})
    if lines:
        text += "；" + "，".join(f"{label} {value:,}" for label, value in lines)
    return text


def _print_issues(batch: Any, limit: int = 50) -> None:
    report = batch.report or {}
    if report.get("file_error"):
        typer.echo(f"文件错误：{report['file_error']['message']}")
    issues = report.get("issues", [])
    for issue in issues[:limit]:
        column = issue.get("header") or issue.get("column", "")
        typer.echo(f"第{issue['row']}行\t{column}\t{issue.get('value', '')}\t{issue['reason']}")
    if batch.error_count > limit:
        typer.echo(f"……共 {batch.error_count:,} 条错误：fangpin excel errors {batch.pk} OUT.xlsx")


@excel_app.command("template")
def template_command(
    entity: Annotated[str, typer.Argument(help=_ENTITY_HELP)],
    out: Annotated[Path, typer.Argument(help="写入的 .xlsx 文件")],
    as_user: Annotated[
        str | None, typer.Option("--as-user", help="按该账号的辖区生成（默认全部地区）")
    ] = None,
) -> None:
    """生成导入模板（中文表头、代码下拉、身份证号码列为文本、填写说明）。"""
    from fangpin.cli import fail, setup_django

    setup_django()
    from fangpin.core.errors import FangpinError
    from fangpin.imports.services import import_template
    from fangpin.imports.specs import ENTITIES

    if entity not in ENTITIES:
        raise fail(f"未知的导入内容：{entity}（可选：{'、'.join(ENTITIES)}）")
    try:
        with out.open("wb") as handle:
            import_template(actor=cli_actor(as_user), entity=entity, target=handle)
    except FangpinError as exc:
        out.unlink(missing_ok=True)
        raise fail(exc.message) from exc
    typer.echo(f"已写入 {out}")


@excel_app.command("import")
def import_command(
    entity: Annotated[str, typer.Argument(help=_ENTITY_HELP)],
    file: Annotated[Path, typer.Argument(help="Excel（.xlsx/.xls）或 CSV 文件")],
    mode: Annotated[
        str,
        typer.Option(
            help="create：新增（已有记录报错）；upsert：收支和核查记录按户与年度/日期更新"
        ),
    ] = "create",
    apply: Annotated[bool, typer.Option("--apply", help="校验无误后立即导入")] = False,
    errors: Annotated[
        Path | None, typer.Option("--errors", help="有错误时把错误清单写入该 .xlsx 文件")
    ] = None,
    as_user: Annotated[
        str | None, typer.Option("--as-user", help="以该账号的权限和辖区导入（默认系统）")
    ] = None,
) -> None:
    """校验一个导入文件（列出全部错误，不写入）；加 --apply 则校验无误后导入。"""
    from fangpin.cli import fail, setup_django

    if not file.is_file():
        raise fail(f"找不到文件：{file}")
    setup_django()
    from fangpin.cli.progress import stage_progress
    from fangpin.core.errors import FangpinError
    from fangpin.imports.services import import_apply, import_check, import_error_workbook

    actor = cli_actor(as_user)
    with stage_progress() as progress:
        try:
            batch = import_check(
                actor=actor,
                entity=entity,
                path=file,
                file_name=file.name,
                mode=mode,
                progress=lambda done, total: progress("check", done, total),
            )
        except FangpinError as exc:
            batch_id = getattr(exc, "batch_id", "")
            raise fail(exc.message + (f"（导入 {batch_id}）" if batch_id else "")) from exc
    if batch.error_count:
        typer.echo(_summary(batch))
        _print_issues(batch)
        if errors is not None:
            with errors.open("wb") as handle:
                import_error_workbook(actor=actor, batch_id=batch.pk, target=handle)
            typer.echo(f"错误清单已写入 {errors}")
        raise typer.Exit(1)
    if apply:
        try:
            batch = import_apply(actor=actor, batch_id=batch.pk)
        except FangpinError as exc:
            raise fail(exc.message) from exc
    typer.echo(_summary(batch))
    if not apply:
        typer.echo(f"校验通过，尚未写入：fangpin excel apply {batch.pk}")


@excel_app.command("apply")
def apply_command(
    batch: Annotated[str, typer.Argument(help="导入编号（校验时打印）")],
    as_user: Annotated[str | None, typer.Option("--as-user", help="以该账号导入")] = None,
) -> None:
    """导入一个已校验、没有错误的文件（全部行在一个事务中写入）。"""
    from fangpin.cli import fail, setup_django

    setup_django()
    from fangpin.core.errors import FangpinError
    from fangpin.imports.services import import_apply

    try:
        done = import_apply(actor=cli_actor(as_user), batch_id=batch)
    except FangpinError as exc:
        raise fail(exc.message) from exc
    typer.echo(_summary(done))


@excel_app.command("errors")
def errors_command(
    batch: Annotated[str, typer.Argument(help="导入编号")],
    out: Annotated[Path, typer.Argument(help="写入的 .xlsx 文件")],
    as_user: Annotated[str | None, typer.Option("--as-user", help="以该账号读取")] = None,
) -> None:
    """把一次导入的错误清单写成 Excel（出错的单元格标红，身份证号码已脱敏）。"""
    from fangpin.cli import fail, setup_django

    setup_django()
    from fangpin.core.errors import FangpinError
    from fangpin.imports.services import import_error_workbook

    try:
        with out.open("wb") as handle:
            import_error_workbook(actor=cli_actor(as_user), batch_id=batch, target=handle)
    except FangpinError as exc:
        out.unlink(missing_ok=True)
        raise fail(exc.message) from exc
    typer.echo(f"已写入 {out}")
