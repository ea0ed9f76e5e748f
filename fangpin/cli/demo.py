"""``fangpin demo``: a working county registry from nothing, for someone new to see it work."""

from __future__ import annotations

import os
import random
import time
from datetime import date
from pathlib import Path
from typing import Any

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
    if os.environ["FANGPIN_MODE"] == "production":
        # The demo starts by deleting the SQLite file: refuse before touching anything.
        typer.echo(
            "演示会清空数据库并写入合成数据，不能在生产模式（FANGPIN_MODE=production）下运行。",
            err=True,
        )
        raise typer.Exit(code=1)
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
    _demo_cases(county=county)
    _demo_assistance(county=county, seed=seed)
    _demo_excel(county=county, seed=seed)
    _demo_problems(county=county)
    _demo_evaluation(county=county, seed=seed)
    _demo_dashboards(county=county, seed=seed)
    _demo_force(county=county, seed=seed)
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

#: A one-page PDF standing in for the scanned, signed authorisation in the demo's cases.
_DEMO_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


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


def _demo_cases(*, county: str) -> dict[str, int]:
    """⑨ Identification cases at every step, in the demo village, as its officials would.

    Three households of the demo village walk the whole procedure from a cadre's sweep some
    weeks ago: one is recorded as a monitoring object (with an objection re-checked during the
    notice), one is rejected after the home verification, one waits for the county after its
    notice ended (as many as the village has households not yet monitored). The cases ⑧
    opened today in the village move zero to five steps on, so the case list shows every
    step. Returns the number of cases per step.
    """
    from collections import Counter
    from datetime import timedelta

    from django.utils import timezone

    from fangpin.casework.cases import rules_for
    from fangpin.casework.documents import DocumentUpload
    from fangpin.casework.errors import CaseworkError
    from fangpin.casework.models import Case
    from fangpin.casework.services import case_decide, clue_record, clue_verify
    from fangpin.core.models import Role, User
    from fangpin.procedure import (
        Approve,
        IdentificationStep,
        PostNotice,
        RecordObject,
        RecordObjection,
        Reject,
        ResolveObjection,
        Submit,
    )
    from fangpin.procedure.rules import add_days, notice_end
    from fangpin.registry.models import NOT_MONITORED, Household

    def account(role: str, suffix: str = "") -> User | None:
        return (
            User.objects.filter(role=role, home_region__code__startswith=county)
            .filter(username__endswith=suffix)
            .order_by("username")
            .first()
        )

    village = account(Role.VILLAGE_CADRE)
    township = (
        User.objects.filter(role=Role.TOWNSHIP_REVIEWER, home_region__code__startswith=county)
        .exclude(username__endswith="_b")
        .first()
    )
    second = account(Role.TOWNSHIP_REVIEWER, "_b")
    county_user = account(Role.COUNTY_APPROVER)
    if village is None or township is None or second is None or county_user is None:
        return {}
    village_code = str(village.home_region_id)
    _i = IdentificationStep
    today = timezone.localdate()
    rules = rules_for(village_code, today)

    # The signed authorisation the village uploads (a scan in real life; a stand-in PDF here).
    signed = [DocumentUpload("演示-承诺授权书.pdf", _DEMO_PDF)]

    def act(case: Case, user: User, action: Any, on: Any, **details: str) -> Case:
        authorising = isinstance(action, Submit) and action.step == _i.AUTHORISED
        return case_decide(
            actor=user,
            case=case,
            action=action,
            expected_version=case.version,
            on=on,
            details=details or None,
            documents=signed if authorising else (),
        )

    dossier = {
        _i.VERIFIED: (village, {"collection": "演示：家庭成员、收入、支出已入户采集"}),
        _i.AUTHORISED: (village, {"authorisation": "演示：承诺授权书已签字，存村档"}),
        _i.DATA_COMPARED: (
            township,
            {
                "assets": "无大额存款",
                "vehicles": "无车辆",
                "business": "无工商登记",
                "housing": "无商品房",
                "pensions": "无财政供养人员",
            },
        ),
        _i.APPRAISED: (
            village,
            {
                "participants": "村两委、党员代表、村民代表共15人",
                "minutes": "演示：评议同意纳入监测",
                "proposed_type": "MARGINAL",
                "proposed_risks": "ILLNESS",
            },
        ),
    }
    try:
        # Three walk-throughs from a sweep about five weeks ago.
        households = list(
            Household.objects.filter(
                village_id=village.home_region_id,
                status="active",
                monitoring_status=NOT_MONITORED,
                cases__isnull=True,
            ).order_by("household_number")[:3]
        )
        start = add_days(rules, today - timedelta(days=49), 1)
        for n, household in enumerate(households):
            clue = clue_record(
                actor=village,
                household=household,
                channel="sweep",
                note="演示：走访发现家中有人长期患病",
                received_on=start,
            )
            clue_verify(
                actor=village,
                clue=clue,
                outcomes={},
                outcome="confirmed",
                note="演示：入户核实属实",
                expected_version=clue.version,
            )
            case = Case.objects.get(household=household, is_open=True)
            on = start
            if n == 1:
                act(
                    case,
                    village,
                    Submit(_i.VERIFIED),
                    add_days(rules, on, 1),
                    **dossier[_i.VERIFIED][1],
                )
                case.refresh_from_db()
                act(
                    case,
                    village,
                    Reject("演示：家庭人均纯收入高于监测范围，不予认定"),
                    add_days(rules, on, 2),
                )
                continue
            # Two steps a day: inside the county's ten working days, notice included.
            for k, step in enumerate((_i.VERIFIED, _i.AUTHORISED, _i.DATA_COMPARED, _i.APPRAISED)):
                on = add_days(rules, start, 1 + k // 2)
                user, details = dossier[step]
                case = act(case, user, Submit(step), on, **details)
            posted = add_days(rules, on, 1)
            case = act(case, village, PostNotice(posted), posted, hotline="0743-7221234")
            if n == 0:
                case = act(case, village, RecordObjection("演示：有村民反映其子女在外务工"), posted)
                case = act(
                    case,
                    village,
                    ResolveObjection(1, "演示：复核其子女务工收入不稳定，异议不成立"),
                    posted,
                )
            reviewed = add_days(rules, notice_end(rules, posted), 1)
            case = act(case, second, Approve(_i.TOWNSHIP_REVIEWED, "演示：审核通过"), reviewed)
            if n == 0:
                approved = add_days(rules, reviewed, 1)
                case = act(case, county_user, Approve(_i.COUNTY_APPROVED, "演示：审定"), approved)
                act(
                    case,
                    county_user,
                    RecordObject("MARGINAL", ("ILLNESS",), approved.replace(day=1)),
                    approved,
                )
        # The cases ⑧ opened today move on, each by one to five steps.
        opened = Case.objects.filter(
            village_code=village.home_region_id,
            is_open=True,
            step=_i.CLUE_RECEIVED,
            opened_on=today,
        ).order_by("household__household_number")
        path = (_i.VERIFIED, _i.AUTHORISED, _i.DATA_COMPARED, _i.APPRAISED)
        for n, case in enumerate(opened):
            for step in path[: n % 5]:
                user, details = dossier[step]
                case = act(case, user, Submit(step), today, **details)
            if n % 5 == 4:
                act(case, village, PostNotice(today), today, hotline="0743-7221234")
    except CaseworkError as exc:
        typer.echo(f"⑨ 认定案件演示未完成：{exc.message}")
        return {}
    tally = Counter(
        Case.objects.filter(village_code__startswith=county).values_list("step", flat=True)
    )
    from fangpin.procedure import STEP_ZH

    labels = {step.value: zh for step, zh in STEP_ZH.items()}
    typer.echo(
        f"⑨ 识别认定：{village.first_name or village.username}等"
        f"办理案件 {sum(tally.values()):,} 件（"
        + "，".join(f"{labels.get(k, k)} {v}" for k, v in sorted(tally.items()))
        + "）"
    )
    return dict(tally)


def _demo_assistance(*, county: str, seed: int) -> int:
    """⑩ Plans and visits for the demo village's monitored households; one household's risk
    elimination proposed, appraised and on notice (its guards show on the case page).
    Returns the number of elimination cases opened (0 or 1)."""
    from django.utils import timezone

    from fangpin.assistance.demo import demo_plans
    from fangpin.casework.elimination import elimination_open
    from fangpin.casework.errors import CaseworkError
    from fangpin.casework.services import case_decide
    from fangpin.core.models import Role, User
    from fangpin.procedure import EliminationStep, PostNotice, Submit
    from fangpin.registry.models import MONITORED_OPEN, Household

    counts = demo_plans(county=county, seed=seed)
    typer.echo(
        f"⑩ 帮扶计划：{counts['households']:,} 户监测对象 {counts['measures']:,} 项帮扶措施，"
        f"走访 {counts['visits']:,} 次，计划检查提示 {counts['warnings']:,} 条"
    )
    village = (
        User.objects.filter(role=Role.VILLAGE_CADRE, home_region__code__startswith=county)
        .order_by("username")
        .first()
    )
    if village is None:
        return 0
    household = (
        Household.objects.filter(
            village_id=village.home_region_id,
            monitoring_status=MONITORED_OPEN,
            assistance_plans__isnull=False,
        )
        .exclude(cases__kind="elimination", cases__is_open=True)
        .order_by("household_number")
        .first()
    )
    if household is None:
        return 0
    today = timezone.localdate()
    try:
        case = elimination_open(
            actor=village, household=household, on=today, summary="演示：收入稳定，提出风险消除"
        )
        details = {
            EliminationStep.VERIFIED: {"collection": "演示：入户核实收入、三保障和饮水情况"},
            EliminationStep.APPRAISED: {
                "participants": "村两委、村民代表共12人",
                "minutes": "演示：同意",
            },
        }
        for step, recorded in details.items():
            case = case_decide(
                actor=village,
                case=case,
                action=Submit(step),
                expected_version=case.version,
                on=today,
                details=recorded,
            )
        case_decide(
            actor=village,
            case=case,
            action=PostNotice(today),
            expected_version=case.version,
            on=today,
            details={"hotline": "0743-7221234"},
        )
    except CaseworkError as exc:
        typer.echo(f"   风险消除演示未完成：{exc.message}")
        return 0
    typer.echo(
        f"   风险消除：{household.household_number} 已提出、评议并公示，县级审定时核对消除条件"
    )
    return 1


def _demo_excel(*, county: str, seed: int) -> None:
    """⑪ Excel in and out: template, a file with two mistakes, the fixed file imported."""
    from fangpin.cli.demo_excel import demo_excel
    from fangpin.settings import VAR_DIR

    folder = Path(VAR_DIR) / "demo" / "excel"
    counts = demo_excel(county=county, seed=seed, folder=folder)
    if not counts:
        return
    typer.echo(
        f"⑪ Excel导入：第一次上传发现 {counts['first_errors']} 处错误（未写入任何数据，"
        f"错误清单已生成）；改正后导入 {counts['households']} 户 {counts['persons']} 人，"
        f"同一文件再次上传提示“已导入”；{counts['finances']} 户 2024 年收支按“新增或更新”导入"
    )
    typer.echo(f"   模板、两次上传的文件和错误清单：{folder}")


def _demo_problems(*, county: str) -> None:
    """⑫ The rectification ledger: an unannounced visit's and a complaint's problems worked."""
    from fangpin.supervision.demo import demo_problems

    counts = demo_problems(county=county)
    if not counts:
        return
    from fangpin.casework.ledger_push import ledger_push_quality
    from fangpin.core.models import User

    approver = User.objects.filter(username=f"county_{county}").first()
    pushed = (
        ledger_push_quality(
            actor=approver, month=date(int(DEMO_PERIOD[:4]), int(DEMO_PERIOD[5:]), 1)
        )
        if approver is not None
        else None
    )
    typer.echo(
        f"⑫ 整改台账：暗访和举报发现问题 {counts['recorded']} 个，"
        f"已核实销号 {counts['closed']} 个，核实未通过退回 {counts['returned']} 个，"
        f"整改中 {counts['in_progress']} 个，"
        f"逾期待整改 {counts['open']} 个（菜单“整改台账”，含清零情况）"
    )
    typer.echo(
        f"   暗访计划：{counts['plan_households']} 户待走访"
        "（督查评估账号打开“整改台账 → 暗访计划”，可打印走访清单）"
    )
    typer.echo(
        f"   挂牌督战：督战事项 {counts['listing_targets']} 项，已完成 {counts['listing_done']} 项"
        "（全部完成且清零后方可摘牌）"
    )
    if pushed is not None:
        typer.echo(
            f"   {DEMO_PERIOD} 筛查发现的数据质量问题 {pushed.found:,} 个已导入整改台账"
            f"（新登记 {pushed.created:,} 个，可在问题页面“举一反三”）"
        )


def _demo_force(*, county: str, seed: int) -> None:
    """⑮ The assistance force: work teams, cadres paired with households, the east–west
    pairing, projects with linked households, assets and benefits, consumption assistance."""
    from fangpin.force.demo import demo_force

    shown = demo_force(county=county, seed=seed, year=int(DEMO_PERIOD[:4]))
    if not shown:
        return
    typer.echo(
        f"⑮ 帮扶力量：驻村工作队 {shown['teams']:,} 支（队员 {shown['members']:,} 人），"
        f"帮扶责任人 {shown['cadres']:,} 名结对 {shown['assigned']:,} 户，"
        f"东西部协作（济南市），项目 {shown['projects']} 个及其受益户、资产和收益到户，"
        "消费帮扶 40 笔（菜单“帮扶力量”）"
    )


def _demo_dashboards(*, county: str, seed: int) -> None:
    """⑭ Dashboards and the monthly report: tallies, a schedule, last month's report."""
    from fangpin.dashboards.demo import demo_dashboards

    shown = demo_dashboards(county=county, seed=seed)
    f = shown["figures"]
    plans = shown["plans"]
    typer.echo(
        f"⑭ 全县其余监测户的帮扶计划：{plans['households']:,} 户，措施 {plans['measures']:,} 项，"
        f"走访 {plans['visits']:,} 次（县级账号录入）"
    )
    coverage = "—" if f["coverage"] is None else f"{f['coverage']:.1%}"
    typer.echo(
        f"   看板：汇总 {shown['rows']:,} 行（{shown['seconds']:.1f} 秒）；"
        f"监测对象 {f['mon']:,} 户，"
        f"逾期线索 {f['clue_late']:,} 条、逾期案件 {f['case_late']:,} 件，未销号问题 "
        f"{f['problems_to_fix']:,} 个，走访覆盖率 {coverage}（菜单“看板”）"
    )
    typer.echo(
        f"   工作月报：{shown['report_month']:%Y年%m月}月报已生成"
        f"（PDF {shown['pdf_bytes']:,} 字节），"
        "每月3日自动生成上月月报（菜单“工作月报”）"
    )


def _demo_evaluation(*, county: str, seed: int) -> None:
    """⑬ Measuring the truth: third-party evaluation, poverty measures, integrity report."""
    from fangpin.evaluation.demo import demo_evaluation

    year = int(DEMO_PERIOD[:4])
    shown = demo_evaluation(county=county, year=year, seed=seed)
    if not shown:
        return
    typer.echo(
        f"⑬ 第三方评估：{shown['villages']} 个样本村、{shown['households']} 户"
        f"（库内 {shown['register']} 户），已入户核查 {shown['surveyed']} 户，"
        f"认定错退 {shown['wrongly_exited']} 户、漏评 {shown['missed']} 户"
        f"（已推送整改台账 {shown['pushed']} 个；督查评估账号打开“第三方评估”）"
    )
    for row in shown["rates"]:
        typer.echo(f"   {row.verdict.text_zh if row.verdict else row.label + '：' + row.reason}")
    result = shown["measures"]
    total = next(r for r in result["profile"]["monitoring"] if not r["group"])
    typer.echo(
        f"   贫困测度：监测线下人口占比 {total['headcount']:.2%}，基尼系数 {total['gini']:.3f}，"
        f"多维贫困 H={result['mpi']['H']:.2%}；{result['exit']['county']['text']}"
        "（菜单“贫困测度”）"
    )
    typer.echo(
        f"   数据真实性检测：疑点 {shown['integrity_findings']:,} 条，"
        f"其中 {shown['integrity_pushed']} 条已推送整改台账（菜单“真实性检测”）"
    )
