"""``fangpin demo``: a working county registry from nothing, for someone new to see it work."""

from __future__ import annotations

import os
import time
from pathlib import Path

import typer


def _fresh_sqlite() -> Path | None:
    """Delete the demo SQLite file (and its WAL) before Django opens it; None if not SQLite."""
    if os.environ.get("DATABASE_URL"):
        return None
    from fangpin.settings import BASE_DIR

    var_dir = Path(os.environ.get("FANGPIN_VAR_DIR") or BASE_DIR / "var").resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    database = var_dir / "fangpin.sqlite3"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    return database


def run_demo(*, county: str, households: int, seed: int) -> None:
    os.environ.setdefault("FANGPIN_MODE", "demo")
    started = time.perf_counter()
    database = _fresh_sqlite()

    from fangpin.cli import fail, setup_django
    from fangpin.cli.progress import stage_progress

    setup_django()
    from django.core.management import call_command

    from fangpin.core.errors import RegionError
    from fangpin.core.regions import default_source_dir, regions_load
    from fangpin.core.scope import SYSTEM
    from fangpin.core.users import demo_users_create
    from fangpin.registry.bulk import registry_bulk_load
    from fangpin.registry.errors import RegistryError
    from fangpin.registry.selectors import household_list
    from fangpin.registry.synthetic import default_dataset_dir, synthetic_dataset_write

    if database is None and household_list(user=SYSTEM).exists():
        raise fail("DATABASE_URL 指向的数据库中已有农户数据；演示只在空库上运行。")

    typer.echo(f"① 数据库：{database or '（DATABASE_URL）'}")
    call_command("migrate", interactive=False, verbosity=0)

    typer.echo(f"② 加载区划：全国省地县 + {county} 的乡镇与村（统计用区划代码 2023）")
    try:
        with stage_progress() as progress:
            region_report = regions_load(
                source_dir=default_source_dir(),
                under=county,
                actor="system:demo",
                progress=progress,
            )
    except RegionError as exc:
        raise fail(exc.message) from exc
    typer.echo(f"   新增区划 {region_report.created:,} 个")

    target = default_dataset_dir(county, seed)
    typer.echo(f"③ 生成合成人口与部门数据：{households:,} 户（种子 {seed}）→ {target}")
    try:
        with stage_progress() as progress:
            counts = synthetic_dataset_write(
                county_code=county,
                households=households,
                seed=seed,
                year=2024,
                out_dir=target,
                progress=progress,
            )
        typer.echo("   " + "，".join(f"{name} {n:,}" for name, n in counts.items()))

        typer.echo("④ 批量导入登记库")
        with stage_progress() as progress:
            load = registry_bulk_load(actor="system:demo", source_dir=target, progress=progress)
    except RegistryError as exc:
        raise fail(exc.message) from exc
    typer.echo(
        f"   {load.households:,} 户，{load.persons:,} 人，监测记录 {load.monitorings:,} 条"
        f"（{load.elapsed_seconds:.1f} 秒）"
    )

    _demo_feeds(target / "feeds")
    _demo_screening(target, county=county)

    typer.echo("⑦ 演示账号（仅用于演示，每次运行重新生成密码）：")
    logins = demo_users_create(county_code=county, actor="system:demo")
    width = max(len(login.username) for login in logins)
    for login in logins:
        typer.echo(f"   {login.username.ljust(width)}  {login.password}  {login.description}")
    logins_file = Path(os.environ.get("FANGPIN_VAR_DIR") or "var") / "demo-logins.txt"
    logins_file.write_text(
        "".join(f"{x.username}\t{x.password}\t{x.description}\n" for x in logins), "utf-8"
    )
    logins_file.chmod(0o600)
    typer.echo(f"   （同时写入 {logins_file}）")
    typer.echo(f"演示数据就绪，用时 {time.perf_counter() - started:.0f} 秒。")


DEMO_PERIOD = "2024-12"
"""The month the demo's department files and its screening belong to."""


def _demo_feeds(feeds_dir: Path) -> None:
    """⑤ Import and publish the eight generated department files, as an officer would."""
    from fangpin.cli import fail
    from fangpin.contract.feeds import FEED_TABLES
    from fangpin.feeds.errors import FeedError
    from fangpin.feeds.services import feed_import

    typer.echo(f"⑤ 导入并发布部门数据（{DEMO_PERIOD}）")
    for feed in FEED_TABLES:
        try:
            batch = feed_import(
                actor="system:demo",
                feed=feed,
                period=DEMO_PERIOD,
                source=feeds_dir / f"{feed}.parquet",
                publish=True,
            )
        except FeedError as exc:
            raise fail(f"{feed}：{exc.message}") from exc
        typer.echo(
            f"   {batch.get_feed_display()}：{batch.rows_total:,} 行，匹配 {batch.rows_matched:,}，"
            f"未匹配 {batch.rows_unmatched:,}，无效 {batch.rows_invalid:,}，"
            f"重复 {batch.rows_duplicate:,}（{batch.get_status_display()}）"
        )


def _demo_screening(dataset: Path, *, county: str) -> None:
    """⑥ Screen the generated dataset for the demo month and keep the result under var/."""
    from collections import Counter

    from fangpin.cli import fail
    from fangpin.policy import resolve
    from fangpin.screening import (
        FAMILY_LABELS,
        RULES,
        ScreeningError,
        connect,
        load_input,
        parse_month,
        publish,
        screen,
    )

    out = Path(os.environ.get("FANGPIN_VAR_DIR") or "var") / "screening" / DEMO_PERIOD
    edition = resolve(2024, county)
    typer.echo(f"⑥ 月度筛查（{DEMO_PERIOD}，政策版本 {edition.edition_id}）→ {out}")
    try:
        data = load_input(dataset, connect("duckdb"))
        result = screen(data, edition, month=parse_month(DEMO_PERIOD, 2024))
        publish(result, out)
    except ScreeningError as exc:
        raise fail(exc.message) from exc
    by_family: Counter[str] = Counter()
    for code, count in result.counts.items():
        by_family[FAMILY_LABELS[RULES[code].family]] += count
    typer.echo("   " + "，".join(f"{family} {n:,} 条" for family, n in by_family.items()))
    if edition.is_example:
        typer.echo("   （所用政策版本含示例文件，非正式政策）")
