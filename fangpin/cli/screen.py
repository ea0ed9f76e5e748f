"""``fangpin screen``: run the monthly screening, on a Parquet dataset or on the database.

With ``--input``: thin over :mod:`fangpin.screening` (resolve the policy edition, screen,
publish, print a summary) and never imports Django — a county analyst runs it on exported
data on a laptop. Without ``--input``: sets Django up, records a screening run as the system
and executes it synchronously (:mod:`fangpin.casework`: snapshot the database, screen,
publish, write warnings and clues back), with progress bars.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["screen_command"]

#: DuckDB's memory sizes: a number and a unit (2GB, 512MB, 1.5GiB).
_MEMORY_LIMIT = re.compile(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)


def _fail(message: str) -> typer.Exit:
    from rich.console import Console
    from rich.markup import escape

    Console(stderr=True).print(f"[bold red]错误：[/]{escape(message)}")
    return typer.Exit(code=2)


def screen_command(
    year: Annotated[int, typer.Option(help="收入年度，如 2024（决定适用的政策版本）")],
    region: Annotated[str, typer.Option(help="区划代码（6 位县级或 12 位），如 433124")],
    month: Annotated[str | None, typer.Option(help="筛查月份 YYYY-MM（默认该年 12 月）")] = None,
    input_dir: Annotated[
        Path | None,
        typer.Option(
            "--input",
            help="数据目录（registry/ 与 feeds/ 下的 Parquet 文件）；不给则筛查本系统数据库，"
            "并把预警和线索写回数据库",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="结果目录（整体替换，失败时保留上次结果）；用 --input 时必填，"
            "否则默认 var/screening/<区划>-<YYYY-MM>",
        ),
    ] = None,
    engine: Annotated[
        str, typer.Option(help="计算引擎：duckdb（单机，默认）或 spark（本地模式或集群）")
    ] = "duckdb",
    spark_master: Annotated[
        str | None,
        typer.Option(
            "--spark-master",
            help="Spark master，如 local[4]、spark://主机:7077、yarn（默认 local[2]；"
            "在 spark-submit 下或设置 SPARK_REMOTE 时用其环境）",
        ),
    ] = None,
    memory_limit: Annotated[
        str | None,
        typer.Option(
            "--memory-limit",
            help="DuckDB 内存上限，如 2GB、8GB（默认 2GB；超出部分写入临时文件）",
        ),
    ] = None,
) -> None:
    """按政策版本逐户筛查（风险触发、对象类型、风险消除、数据质量）：对数据集写出结果，
    或对本系统数据库筛查并生成预警和线索。"""
    if memory_limit is not None:
        if engine != "duckdb":
            raise _fail("--memory-limit 只能与 DuckDB 引擎一起使用")
        if not _MEMORY_LIMIT.fullmatch(memory_limit.strip()):
            raise _fail(f"内存上限“{memory_limit}”格式不对，应为数字加单位，如 2GB、512MB")
        memory_limit = memory_limit.strip().replace(" ", "")
    if input_dir is None:
        if memory_limit is not None:
            raise _fail("筛查数据库时请用环境变量 FANGPIN_SCREENING_MEMORY_LIMIT 设置内存上限")
        if spark_master is not None:
            raise _fail("筛查数据库时不支持 --spark-master（Spark 用其默认环境）")
        _screen_database(year=year, region=region, month=month, engine=engine, out=out)
        return
    if out is None:
        raise _fail("使用 --input 时必须用 --out 指定结果目录")
    from rich import box
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

    from fangpin.policy import PolicyError, PolicyValidationError, resolve
    from fangpin.screening import (
        FAMILY_LABELS,
        RULES,
        Family,
        ScreeningError,
        connect,
        load_input,
        parse_month,
        publish,
        screen,
    )

    try:
        edition = resolve(year, region)
    except PolicyError as exc:
        raise _fail(exc.message) from exc
    except PolicyValidationError as exc:
        raise _fail(
            f"政策版本文件有误（共 {len(exc.errors)} 处），请运行 fangpin policy check"
        ) from exc
    console = Console()
    try:
        first_day = parse_month(month, year)
        if spark_master is not None and engine != "spark":
            raise ScreeningError("engine", "--spark-master 只能与 --engine spark 一起使用")
        if engine == "spark":
            with console.status("启动 Spark……"):
                backend = connect(engine, master=spark_master)
        elif memory_limit is not None:
            backend = connect(engine, memory_limit=memory_limit)
        else:
            backend = connect(engine)
        with console.status("读取并校验输入数据……"):
            data = load_input(input_dir, backend)
        bars: dict[str, TaskID] = {}
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
        ) as progress:
            for family in Family:
                total = sum(1 for r in RULES.values() if r.family is family)
                bars[FAMILY_LABELS[family]] = progress.add_task(FAMILY_LABELS[family], total=total)

            def report(stage: str, done: int, total: int) -> None:
                progress.update(bars[stage], completed=done, total=total)

            result = screen(data, edition, month=first_day, progress=report)
        publish(result, out)
    except ScreeningError as exc:
        raise _fail(exc.message) from exc
    except OSError as exc:
        raise _fail(f"无法写出结果目录 {out}：{exc.strerror or exc}") from exc

    from rich.table import Table

    summary = Table(box=box.SIMPLE, title=f"筛查结果 {result.run_id}")
    summary.add_column("规则代码", no_wrap=True)
    summary.add_column("规则", overflow="fold")
    summary.add_column("类别")
    summary.add_column("发现（户）", justify="right")
    for code, count in result.counts.items():
        rule = RULES[code]
        summary.add_row(code, rule.name_zh, FAMILY_LABELS[rule.family], f"{count:,}")
    console.print(summary)
    if edition.is_example:
        console.print("[yellow]注意：所用政策版本含示例文件（非正式政策），结果仅供演示。[/]")
    typer.echo(
        f"计算引擎 {engine}；政策版本 {edition.edition_id}；"
        f"共 {result.findings.num_rows:,} 条发现，已写入 {out}"
    )


def _screen_database(
    *, year: int, region: str, month: str | None, engine: str, out: Path | None
) -> None:
    """Screen the app database: a run recorded as the system, executed here with progress."""
    from fangpin.cli import setup_django
    from fangpin.screening import ScreeningError, parse_month

    try:
        first_day = parse_month(month, year)
    except ScreeningError as exc:
        raise _fail(exc.message) from exc
    setup_django()
    from rich.console import Console

    from fangpin.casework.errors import CaseworkError
    from fangpin.casework.models import RunStatus
    from fangpin.casework.services import screening_run_create, screening_run_execute
    from fangpin.cli.progress import stage_progress
    from fangpin.core.access import SYSTEM

    try:
        run = screening_run_create(
            actor=SYSTEM,
            month=first_day,
            region_code=region,
            year=year,
            engine=engine,
            output_dir=out,
        )
    except CaseworkError as exc:
        raise _fail(exc.message) from exc
    with stage_progress() as progress:
        run = screening_run_execute(run.pk, progress=progress)
    if run.status != RunStatus.SUCCEEDED:
        raise _fail(f"筛查失败：{run.error_message}")
    Console().print(
        f"筛查完成（{run.month:%Y-%m}，区划 {run.region_code}，政策版本 {run.edition_id}）："
        f"发现 {run.findings_total:,} 条；预警新增 {run.warnings_created:,}、"
        f"更新 {run.warnings_updated:,}；新增线索 {run.clues_created:,}；"
        f"结果已写入 {run.output_dir}",
        soft_wrap=True,
    )
