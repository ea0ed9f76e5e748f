"""``fangpin workdays``: the official working-day calendar and deadline arithmetic.

Pure-core commands: they read the calendar data through :mod:`fangpin.workdays` and never set
up Django, so they work on a machine without a database.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

workdays_app = typer.Typer(
    help="工作日历（法定节假日与调休上班日）：查看某年安排，推算工作日期限。",
    no_args_is_help=True,
)

_WEEKDAY_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def _fail(message: str) -> typer.Exit:
    from rich.markup import escape

    from fangpin.cli import fail  # imported here: fangpin.cli imports this module at start-up

    return fail(escape(message))


def _day(d: date) -> str:
    return f"{d.isoformat()}（{_WEEKDAY_ZH[d.weekday()]}）"


def _parse_date(raw: str, option: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise _fail(f"{option} 应为日期，格式 YYYY-MM-DD（如 2024-09-27），实为“{raw}”") from None


@workdays_app.command("show")
def show_command(
    year: Annotated[int, typer.Option(help="年度，如 2025")],
) -> None:
    """列出某年的放假日与调休上班日，以及所依据的国务院办公厅通知和来源。"""
    from fangpin.workdays import WorkdaysError, year_calendar

    try:
        notice = year_calendar(year)
    except WorkdaysError as exc:
        raise _fail(exc.message) from exc
    document = "，".join(x for x in (notice.document, str(notice.issued or "")) if x)
    typer.echo(f"{year}年工作日历：{notice.title}" + (f"（{document}）" if document else ""))
    typer.echo(f"来源：{notice.source}")
    typer.echo("证实：是" if notice.confirmed else "证实：否（未证实）")
    if notice.note:
        typer.echo(f"说明：{notice.note}")
    typer.echo("放假：")
    for holiday in notice.holidays:
        span = (
            _day(holiday.start)
            if holiday.start == holiday.end
            else f"{_day(holiday.start)} 至 {_day(holiday.end)}"
        )
        typer.echo(f"  {holiday.name}：{span}，共 {len(holiday.dates)} 天")
        if holiday.note:
            typer.echo(f"    说明：{holiday.note}")
        if holiday.source:
            typer.echo(f"    来源：{holiday.source}")
    typer.echo("调休上班：")
    adjusted = sorted((d, h.name) for h in notice.holidays for d in h.working)
    for d, name in adjusted:
        typer.echo(f"  {_day(d)}，{name}")
    if not adjusted:
        typer.echo("  无")
    typer.echo(f"全年工作日 {notice.working_day_count} 天（周一至周五、不含放假日，加调休上班日）")


@workdays_app.command("add")
def add_command(
    start: Annotated[str, typer.Option("--from", help="起算日期 YYYY-MM-DD（当天不计）")],
    days: Annotated[int, typer.Option(help="工作日天数（≥0）")],
) -> None:
    """推算期限：起算日之后第 N 个工作日（起算日当天不计）。"""
    from fangpin.workdays import WorkdaysError, add_working_days

    first = _parse_date(start, "--from")
    try:
        deadline = add_working_days(first, days)
    except WorkdaysError as exc:
        raise _fail(exc.message) from exc
    typer.echo(f"{_day(first)}起 {days} 个工作日（当天不计）：期限为 {_day(deadline)}")
