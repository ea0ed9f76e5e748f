"""``fangpin ledger``: the rectification ledger from the command line (docs/ledger.md).

- ``push``: a month's data-quality warnings into the ledger (once per household and rule);
- ``escalate``: raise the 督办级别 of overdue problems (also part of ``fangpin housekeeping``);
- ``zeroing``: print the 清零 tally of a region, one level below it, by dimension.

Without ``--as-user`` the command acts as the system (every region); with it, that account's
rights and scope apply. The ledger itself is exported with ``fangpin export problems``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from fangpin.cli.actors import cli_actor

ledger_app = typer.Typer(
    help="整改台账：导入筛查数据质量问题、升级督办、清零情况。Rectification ledger.",
    no_args_is_help=True,
)


def _month(text: str) -> date:
    from fangpin.cli import fail

    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise fail(f"月份“{text}”格式不正确，应为 YYYY-MM，例如 2024-12") from None


@ledger_app.command("push")
def push_command(
    month: Annotated[str, typer.Option("--month", help="筛查月份，如 2024-12")],
    region: Annotated[str, typer.Option("--region", help="只导入该区划（12位代码）")] = "",
    as_user: Annotated[str | None, typer.Option("--as-user", help="以该账号导入")] = None,
) -> None:
    """把该月筛查发现的数据质量问题导入整改台账（已导入的不会重复）。"""
    from fangpin.cli import fail, setup_django

    day = _month(month)
    setup_django()
    from fangpin.casework.ledger_push import ledger_push_quality
    from fangpin.supervision.errors import SupervisionError

    try:
        result = ledger_push_quality(actor=cli_actor(as_user), month=day, region_code=region)
    except SupervisionError as exc:
        raise fail(exc.message) from exc
    typer.echo(
        f"{month} 数据质量问题 {result.found:,} 个：新登记 {result.created:,} 个，"
        f"已在台账中 {result.skipped:,} 个"
    )


@ledger_app.command("escalate")
def escalate_command() -> None:
    """按逾期天数升级督办级别（每天由 fangpin housekeeping 运行，可重复运行）。"""
    from fangpin.cli import setup_django

    setup_django()
    from django.utils import timezone

    from fangpin.supervision.services import problems_escalate

    raised = problems_escalate(actor="system:cli", today=timezone.localdate())
    typer.echo(
        f"升级督办：乡镇 {raised['township']} 个、县级 {raised['county']} 个、"
        f"移交纪检 {raised['discipline']} 个"
    )


@ledger_app.command("zeroing")
def zeroing_command(
    region: Annotated[str, typer.Argument(help="区划代码（12位），列出其下一级的清零情况")],
    as_user: Annotated[str | None, typer.Option("--as-user", help="以该账号查看")] = None,
) -> None:
    """打印区划下一级的清零情况：未销号（逾期）、本月销号、是否清零。"""
    from fangpin.cli import fail, setup_django

    setup_django()
    from django.utils import timezone

    from fangpin.core.selectors import region_names
    from fangpin.regioncode import RegionCodeError, normalise_code, parse_code, subtree_prefix
    from fangpin.supervision.selectors import problem_tally

    try:
        region = normalise_code(region)
        level = parse_code(region).level
    except RegionCodeError as exc:
        raise fail(f"区划代码“{region}”不正确") from exc
    today = timezone.localdate()
    cells = problem_tally(
        user=cli_actor(as_user),
        today=today,
        level=min(level + 1, 5),
        by_dimension=False,
        by_source=False,
        region_prefix=subtree_prefix(region),
    )
    rows = sorted((str(key[0]), t) for key, t in cells.items())  # type: ignore[index]
    names = region_names({code for code, _t in rows})
    typer.echo("区划\t未销号\t逾期\t本月销号\t是否清零")
    for code, t in rows:
        zeroed = "已清零" if t.zeroed else "未清零"
        typer.echo(
            f"{names.get(code, code)}\t{t.open}\t{t.overdue}\t{t.closed_this_month}\t{zeroed}"
        )
