"""``fangpin demo``: a working county registry from nothing, for someone new to see it work."""

from __future__ import annotations

import os
import random
import time
from datetime import date
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
    _demo_screening(county=county)

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
    _demo_verification(county=county, seed=seed)
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


def _demo_screening(*, county: str) -> None:
    """⑥ Screen the database for the demo month: warnings and clues for the villages."""
    from collections import Counter

    from fangpin.casework.errors import CaseworkError
    from fangpin.casework.models import RunStatus, Warning
    from fangpin.casework.services import screening_run_create, screening_run_execute
    from fangpin.cli import fail
    from fangpin.cli.progress import stage_progress
    from fangpin.screening import FAMILY_LABELS, Family

    try:
        run = screening_run_create(
            actor="system:demo",
            month=date(int(DEMO_PERIOD[:4]), int(DEMO_PERIOD[5:]), 1),
            region_code=county,
            year=2024,
        )
    except CaseworkError as exc:
        raise fail(exc.message) from exc
    typer.echo(f"⑥ 月度筛查（{DEMO_PERIOD}，从数据库快照）→ {run.output_dir}")
    with stage_progress() as progress:
        run = screening_run_execute(run.pk, progress=progress)
    if run.status != RunStatus.SUCCEEDED:
        raise fail(f"筛查失败：{run.error_message}")
    by_family = Counter(Warning.objects.filter(last_run=run).values_list("family", flat=True))
    typer.echo(
        "   "
        + "，".join(f"{FAMILY_LABELS[f]} {by_family.get(str(f), 0):,} 条" for f in Family)
        + f"；预警 {run.warnings_created:,} 条，线索 {run.clues_created:,} 条"
        + f"（政策版本 {run.edition_id}）"
    )


#: Per rule, the share of its warnings the demo's villages find 不属实 (the rest: 属实, or
#: 已在监测 for a household already monitored, now and then 转民政). Invented for the demo so
#: the precision report has something to show; not a measurement.
DEMO_UNFOUNDED_SHARE = {
    "trigger.water_unsafe": 0.6,
    "trigger.income_drop": 0.5,
    "trigger.employment_loss": 0.45,
    "trigger.housing_unsafe": 0.35,
    "trigger.large_hospital_bill": 0.3,
}
DEMO_VERIFIED_SHARE = 0.4


def _demo_outcome(rng: random.Random, rule_code: str, *, monitored: bool) -> str:
    if rng.random() < DEMO_UNFOUNDED_SHARE.get(rule_code, 0.2):
        return "unfounded"
    if monitored and rule_code.startswith(("trigger.", "classification.")):
        return "already_monitored"
    return "civil_affairs" if rng.random() < 0.1 else "confirmed"


def _demo_verification(*, county: str, seed: int) -> int:
    """⑧ The demo township's cadres verify the oldest ~40% of its clues (deterministic by seed).

    The village account verifies its village's clues, the township account the others, both
    through ``clue_verify`` as on the web page. Returns how many clues were verified.
    """
    from collections import Counter

    from fangpin.casework.models import Outcome
    from fangpin.casework.selectors import clue_list, clue_warnings
    from fangpin.casework.services import clue_verify
    from fangpin.core.models import Role, User
    from fangpin.registry.models import MONITORED_OPEN

    township = User.objects.filter(
        role=Role.TOWNSHIP_REVIEWER, home_region__code__startswith=county
    ).first()
    if township is None:
        return 0
    village = User.objects.filter(
        role=Role.VILLAGE_CADRE, home_region__code__startswith=county
    ).first()
    clues = list(
        clue_list(township, status="pending").order_by("received_on", "household__household_number")
    )
    chosen = clues[: round(len(clues) * DEMO_VERIFIED_SHARE)]
    rng = random.Random(seed)
    tally: Counter[str] = Counter()
    for clue in chosen:
        monitored = clue.household.monitoring_status == MONITORED_OPEN
        outcomes = {
            str(w.public_id): _demo_outcome(rng, w.rule_code, monitored=monitored)
            for w in clue_warnings(clue)
        }
        actor = (
            village
            if village is not None and clue.village_code == village.home_region_id
            else township
        )
        verified = clue_verify(
            actor=actor,
            clue=clue,
            outcomes=outcomes,
            note="演示：入户核实",
            expected_version=clue.version,
        )
        tally[verified.outcome] += 1
    labels = dict(Outcome.choices)
    typer.echo(
        f"⑧ 模拟核实：{township.first_name or township.username}辖区 {len(clues):,} 条线索中"
        f"最早的 {len(chosen):,} 条已核实（"
        + "，".join(f"{labels[o]} {tally.get(o, 0):,}" for o in Outcome.values)
        + "）"
    )
    return len(chosen)
