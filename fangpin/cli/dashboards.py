"""``fangpin dashboards`` and ``fangpin scheduler``: the dashboards' tallies, the monthly
reports and the clock that runs them (docs/dashboards.md).

- ``dashboards refresh``: rebuild a county's tallies now (all counties with households
  without ``--county``);
- ``dashboards report``: make a region's monthly report now and write its PDF and Excel files;
- ``dashboards schedule``: make a region's report of the previous month on a day of each month;
- ``scheduler``: the clock ``fangpin serve`` starts (a tick a minute; ``--once`` for one).
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer

from fangpin.cli.actors import cli_actor

dashboards_app = typer.Typer(
    help="看板与工作月报：汇总看板数据、生成月报、定时生成。Dashboards and monthly reports.",
    no_args_is_help=True,
)

AsUserOption = Annotated[str | None, typer.Option("--as-user", help="以该账号操作")]


def _region(code: str) -> str:
    from fangpin.cli import fail

    digits = code.strip()
    if not (digits.isdigit() and len(digits) in (6, 9, 12)):
        raise fail(f"区划代码“{code}”应为6位（县）、9位（乡镇）或12位数字")
    return digits.ljust(12, "0")


def _month(text: str) -> date:
    from fangpin.cli import fail

    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise fail(f"月份“{text}”应写成 YYYY-MM，如 2026-11") from None


@dashboards_app.command("refresh")
def refresh_command(
    county: Annotated[str | None, typer.Option("--county", help="县级区划代码；不填则全部")] = None,
    as_user: AsUserOption = None,
) -> None:
    """重新汇总看板数据（一个县或全部有农户的县）。"""
    from fangpin.cli import fail, setup_django

    code = _region(county) if county else None
    setup_django()
    from django.utils import timezone

    from fangpin.dashboards.errors import DashboardError
    from fangpin.dashboards.refresh import tallies_refresh
    from fangpin.dashboards.scheduler import counties_due

    codes = [code] if code else counties_due(now=timezone.now() + timedelta(days=1))
    if not codes:
        typer.echo("没有需要汇总的县（库中没有农户）。")
        return
    for one in codes:
        try:
            done = tallies_refresh(actor=cli_actor(as_user), county_code=one)
        except DashboardError as exc:
            raise fail(exc.message) from exc
        typer.echo(
            f"{one}：汇总 {done.rows:,} 行，用时 {done.seconds:.1f} 秒（数据截至 {done.as_of}）"
        )


@dashboards_app.command("report")
def report_command(
    region: Annotated[str, typer.Option("--region", help="县或乡镇的区划代码")],
    month: Annotated[str, typer.Option("--month", help="报告月份 YYYY-MM")],
    out: Annotated[Path, typer.Option("--out", help="输出目录")] = Path("."),
    unit: Annotated[str, typer.Option("--unit", help="编制单位（默认按区划生成）")] = "",
    as_user: AsUserOption = None,
) -> None:
    """立即生成一个县或乡镇的工作月报，并写出 PDF 和 Excel 文件。"""
    from fangpin.cli import fail, setup_django

    code, first = _region(region), _month(month)
    setup_django()
    from fangpin.dashboards.errors import DashboardError
    from fangpin.dashboards.reports import report_generate, report_request

    try:
        asked = report_request(
            actor=cli_actor(as_user), region_code=code, month=first, unit=unit, enqueue=False
        )
    except DashboardError as exc:
        raise fail(exc.message) from exc
    report = report_generate(asked.pk)
    if report.status != "done":
        raise fail(f"月报生成失败：{report.error_message}")
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{report.region.name}{first:%Y年%m月}工作月报"
    (out / f"{stem}.pdf").write_bytes(bytes(report.pdf))
    (out / f"{stem}.xlsx").write_bytes(bytes(report.xlsx))
    typer.echo(f"已生成：{out / stem}.pdf、.xlsx")


@dashboards_app.command("schedule")
def schedule_command(
    region: Annotated[str, typer.Option("--region", help="县或乡镇的区划代码")],
    day: Annotated[int, typer.Option("--day", help="每月几日生成上月月报（1–28）")] = 3,
    unit: Annotated[str, typer.Option("--unit", help="编制单位")] = "",
    disable: Annotated[bool, typer.Option("--disable", help="停用")] = False,
    as_user: AsUserOption = None,
) -> None:
    """设置每月定时生成上月月报。"""
    from fangpin.cli import fail, setup_django

    code = _region(region)
    setup_django()
    from fangpin.dashboards.errors import DashboardError
    from fangpin.dashboards.reports import schedule_set

    try:
        saved = schedule_set(
            actor=cli_actor(as_user), region_code=code, day=day, unit=unit, enabled=not disable
        )
    except DashboardError as exc:
        raise fail(exc.message) from exc
    state = "已停用" if not saved.enabled else f"每月 {saved.day} 日生成上月月报"
    typer.echo(f"{code}：{state}（{saved.unit}）")


def scheduler_command(
    once: Annotated[bool, typer.Option("--once", help="只运行一轮")] = False,
    inline: Annotated[
        bool, typer.Option("--inline", help="月报在本进程生成（不经后台任务）")
    ] = False,
    every: Annotated[int, typer.Option("--every", min=5, help="每轮间隔（秒）")] = 60,
) -> None:
    """定时任务：每天汇总看板数据、筛查后及时更新、按设置生成月报（fangpin serve 会启动它）。"""
    from fangpin.cli import setup_django

    setup_django()
    from fangpin.dashboards.scheduler import tick

    while True:
        result = tick(enqueue=not inline)
        for code in result.refreshed:
            typer.echo(f"看板数据已汇总：{code}")
        for report in result.reports:
            typer.echo(
                f"月报已{'生成' if inline else '提交'}：{report.region_id} {report.month:%Y-%m}"
            )
        if once:
            return
        time.sleep(every)
