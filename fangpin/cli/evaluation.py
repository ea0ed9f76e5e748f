"""``fangpin evaluation``: measuring the truth from the command line (docs/evaluation.md).

- ``measures``: compute and store a county's poverty measures, MPI and exit qualification;
- ``integrity``: run the integrity detectors over a county and (``--push``) put the warnings
  into the ledger;
- ``sample``: draw a third-party evaluation campaign's sample;
- ``estimates``: print a campaign's 三率一度 with confidence intervals and verdicts.

Without ``--as-user`` a command acts as the system; with it, that account's rights and scope
apply. ``fangpin measure`` (no database) computes the measures on a CSV or Parquet file.
"""

from __future__ import annotations

from typing import Annotated

import typer

from fangpin.cli.actors import cli_actor

evaluation_app = typer.Typer(
    help="评估与核查：贫困测度、数据真实性检测、第三方评估抽样。Evaluation.",
    no_args_is_help=True,
)

CountyOption = Annotated[str, typer.Option("--county", help="县级区划代码（6位或12位），如 433124")]
YearOption = Annotated[int, typer.Option("--year", help="年度，如 2024")]
AsUserOption = Annotated[str | None, typer.Option("--as-user", help="以该账号操作")]


def _county(code: str) -> str:
    from fangpin.cli import fail

    digits = code.strip()
    if not (digits.isdigit() and len(digits) in (6, 12)):
        raise fail(f"县级区划代码“{code}”应为6位或12位数字")
    return digits[:6] + "000000"


@evaluation_app.command("measures")
def measures_command(county: CountyOption, year: YearOption, as_user: AsUserOption = None) -> None:
    """计算并保存一个县的贫困测度、多维贫困指数和退出条件。"""
    from fangpin.cli import fail, setup_django

    code = _county(county)
    setup_django()
    from fangpin.evaluation.errors import EvaluationError
    from fangpin.evaluation.registry_measures import measures_compute

    try:
        stored = measures_compute(actor=cli_actor(as_user), county_code=code, year=year)
    except EvaluationError as exc:
        raise fail(exc.message) from exc
    result = stored.result
    total = next(r for r in result["profile"]["monitoring"] if not r["group"])
    exit_county = result["exit"]["county"]
    typer.echo(
        f"{year}年 {exit_county['name']}：{result['households']:,} 户 {result['persons']:,} 人"
        f"（未纳入 {result['missing']['households']:,} 户）"
    )
    typer.echo(
        f"监测线 {result['lines']['monitoring']:,.0f} 元下人口占比 {total['headcount']:.2%}，"
        f"基尼系数 {total['gini']:.3f}；多维贫困 H={result['mpi']['H']:.2%} "
        f"M0={result['mpi']['M0']:.4f}"
    )
    typer.echo(f"退出条件：{exit_county['text']}；{exit_county['registry_text']}")


@evaluation_app.command("integrity")
def integrity_command(
    county: CountyOption,
    year: YearOption,
    push: Annotated[bool, typer.Option("--push", help="把“需核实”疑点推送到整改台账")] = False,
    as_user: AsUserOption = None,
) -> None:
    """对一个县开展数据真实性检测（疑点需人工核实，不是结论）。"""
    from fangpin.cli import fail, setup_django

    code = _county(county)
    setup_django()
    from django.utils import timezone

    from fangpin.evaluation.errors import EvaluationError
    from fangpin.evaluation.integrity import integrity_push, integrity_run

    actor = cli_actor(as_user)
    try:
        run = integrity_run(actor=actor, county_code=code, year=year)
        created = integrity_push(actor=actor, run=run, today=timezone.localdate()) if push else 0
    except EvaluationError as exc:
        raise fail(exc.message) from exc
    typer.echo(f"{year}年数据真实性检测：{run.households:,} 户")
    for values in run.summary.values():
        shown = f"{values['findings']:,}" if values["ran"] else f"未运行（{values['note']}）"
        typer.echo(f"  {values['title']}：{shown}")
    if push:
        typer.echo(f"推送到整改台账：新登记 {created:,} 个问题")


@evaluation_app.command("sample")
def sample_command(
    county: CountyOption,
    year: YearOption,
    name: Annotated[str, typer.Option("--name", help="评估批次名称")],
    villages: Annotated[int, typer.Option("--villages", help="每个乡镇抽取村数")] = 2,
    share: Annotated[float, typer.Option("--share", help="一般农户抽样比例（0–1）")] = 0.2,
    seed: Annotated[str, typer.Option("--seed", help="抽样种子（留空自动生成）")] = "",
    as_user: AsUserOption = None,
) -> None:
    """抽取第三方评估样本（分层两阶段整群抽样）。"""
    from fangpin.cli import fail, setup_django

    code = _county(county)
    setup_django()
    from fangpin.evaluation.campaigns import DesignChoice, campaign_create
    from fangpin.evaluation.errors import EvaluationError

    try:
        campaign = campaign_create(
            actor=cli_actor(as_user),
            name=name,
            county_code=code,
            year=year,
            seed=seed,
            design=DesignChoice(villages_per_township=villages, ordinary_share=share),
        )
    except EvaluationError as exc:
        raise fail(exc.message) from exc
    typer.echo(
        f"评估批次 {campaign.public_id}：样本村 {campaign.villages.count()} 个，"
        f"样本户 {campaign.households.count()} 户（种子 {campaign.seed}）"
    )


@evaluation_app.command("estimates")
def estimates_command(
    campaign_id: Annotated[str, typer.Argument(help="评估批次标识（UUID）")],
) -> None:
    """打印一个评估批次的三率一度估计、95%置信区间和结论。"""
    from fangpin.cli import fail, setup_django

    setup_django()
    from django.core.exceptions import ValidationError

    from fangpin.evaluation.estimates import campaign_estimates
    from fangpin.evaluation.models import Campaign

    try:
        campaign = Campaign.objects.get(public_id=campaign_id)
    except (Campaign.DoesNotExist, ValidationError):
        raise fail(f"没有评估批次“{campaign_id}”") from None
    estimates = campaign_estimates(campaign)
    typer.echo(f"{campaign.name}：已核查 {estimates.surveyed} 户，待核查 {estimates.pending} 户")
    for row in estimates.rates:
        if row.estimate is None or row.verdict is None:
            typer.echo(f"  {row.label}：{row.reason}")
        else:
            typer.echo(f"  {row.verdict.text_zh}")
