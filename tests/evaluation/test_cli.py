"""``fangpin evaluation sample|estimates|measures|integrity`` through the CLI runner: exit
codes, the lines printed, and the Chinese error of a refused command.

The registry leaves the database through the snapshot (its own ADBC connection): on PostgreSQL
it sees committed rows only, so the tests of ``measures`` and ``integrity`` commit there.
"""

from __future__ import annotations

import pytest
from django.db import connection
from typer.testing import CliRunner

from fangpin.cli import app
from fangpin.evaluation.campaigns import survey_record
from fangpin.evaluation.estimates import campaign_estimates
from fangpin.evaluation.models import Campaign, IntegrityRun, MeasureResult
from fangpin.supervision.models import Problem
from tests.evaluation.conftest import World, answers, table_state
from tests.evaluation.test_integrity import plant

#: The snapshot reads committed rows only on PostgreSQL.
SNAPSHOT = pytest.mark.django_db(transaction=connection.vendor == "postgresql")

SAMPLE = ["evaluation", "sample", "--county", "433124", "--year", "2024", "--name", "命令行评估"]


def run(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output.splitlines()


def test_sample_draws_a_campaign_and_estimates_prints_its_rates(world: World) -> None:
    code, lines = run(*SAMPLE, "--seed", "s1", "--share", "0.5")

    campaign = Campaign.objects.get()
    assert code == 0, lines
    assert lines == [f"评估批次 {campaign.public_id}：样本村 4 个，样本户 13 户（种子 s1）"]
    assert (campaign.name, campaign.created_by, campaign.created_by_label) == (
        "命令行评估",
        None,
        "system:cli",
    )
    assert campaign.design["ordinary_share"] == 0.5

    for key in ("longmen_a", "douwang_a"):  # two register households, two villages
        unit = campaign.households.select_related("campaign", "village").get(
            household=world.households[key]
        )
        survey_record(
            actor=world.users["inspector_huayuan"], unit=unit, answers=answers(), version=1
        )
    code, lines = run("evaluation", "estimates", str(campaign.public_id))

    assert code == 0, lines
    rates = campaign_estimates(campaign).rates
    assert lines == [
        "命令行评估：已核查 2 户，待核查 11 户",
        *(f"  {r.verdict.text_zh}" if r.verdict else f"  {r.label}：{r.reason}" for r in rates),
    ]
    assert lines[2] == "  漏评率：样本中还没有可用于计算的已核查户"  # no outside household yet
    assert lines[3] == (
        "  群众认可度估计为100.0%（95%置信区间100.0%–100.0%），区间整体不低于90%，达标"
    )


def test_sample_as_a_user_is_refused_outside_their_scope(world: World) -> None:
    before = table_state()

    code, lines = run(*SAMPLE, "--as-user", "inspector_luxi")
    nobody, missing = run(*SAMPLE, "--as-user", "nobody")

    assert (code, lines) == (1, ["错误：被评估县不在您的辖区内"])
    assert (nobody, missing) == (1, ["错误：用户 nobody 不存在或已停用"])
    assert table_state() == before


def test_a_bad_county_code_or_campaign_id_is_an_error(world: World) -> None:
    assert run(*SAMPLE[:3], "4331", *SAMPLE[4:]) == (
        1,
        ["错误：县级区划代码“4331”应为6位或12位数字"],
    )
    assert run(*SAMPLE[:3], "433199", *SAMPLE[4:]) == (
        1,
        ["错误：“433199000000”不是已加载的县级区划"],
    )
    assert run("evaluation", "measures", "--county", "43312x", "--year", "2024") == (
        1,
        ["错误：县级区划代码“43312x”应为6位或12位数字"],
    )
    assert run("evaluation", "estimates", "not-a-uuid") == (1, ["错误：没有评估批次“not-a-uuid”"])
    assert run("evaluation", "estimates", "00000000-0000-0000-0000-000000000000") == (
        1,
        ["错误：没有评估批次“00000000-0000-0000-0000-000000000000”"],
    )
    assert Campaign.objects.count() == 0


@SNAPSHOT
@pytest.mark.usefixtures("finances")
def test_measures_prints_the_county_and_its_exit_test(world: World) -> None:
    code, lines = run("evaluation", "measures", "--county", "433124000000", "--year", "2024")

    assert code == 0, lines
    result = MeasureResult.objects.get().result
    county = result["exit"]["county"]
    assert lines == [
        "2024年 花垣县：20 户 40 人（未纳入 0 户）",
        "监测线 7,600 元下人口占比 30.00%，基尼系数 0.230；多维贫困 H=5.00% M0=0.0167",
        f"退出条件：{county['text']}；{county['registry_text']}",
    ]
    assert county["text"].startswith(
        "贫困发生率为5.00%（贫困人口2人÷农村人口40人），不低于西部地区标准3%"
    )


@SNAPSHOT
@pytest.mark.usefixtures("finances")
def test_measures_as_a_township_account_is_refused(world: World) -> None:
    code, lines = run(
        "evaluation", "measures", "--county", "433124", "--year", "2024", "--as-user",
        "township_longtan",
    )  # fmt: skip

    assert (code, lines) == (1, ["错误：计算贫困测度需要覆盖全县的账号（县级及以上）"])
    assert MeasureResult.objects.count() == 0


@SNAPSHOT
@pytest.mark.usefixtures("finances")
def test_integrity_runs_every_detector_and_pushes_the_warnings(world: World) -> None:
    plant(world)

    code, lines = run(
        "evaluation", "integrity", "--county", "433124", "--year", "2024", "--push",
        "--as-user", "inspector_huayuan",
    )  # fmt: skip

    assert code == 0, lines
    run_row = IntegrityRun.objects.get()
    assert run_row.started_by_label == "inspector_huayuan"
    assert lines[0] == "2024年数据真实性检测：24 户"
    assert len(lines) == 1 + 17 + 1
    assert "  多户收入完全相同：1" in lines
    assert "  已故成员仍计入家庭人口：1" in lines
    assert "  收入刚过线：1" in lines
    assert "  走访记录雷同：0" in lines
    assert lines[-1] == "推送到整改台账：新登记 2 个问题"
    assert Problem.objects.count() == 2


@SNAPSHOT
@pytest.mark.usefixtures("finances")
def test_integrity_without_push_writes_no_problem_and_refuses_a_township(world: World) -> None:
    plant(world)

    code, lines = run("evaluation", "integrity", "--county", "433124", "--year", "2024")
    refused, message = run(
        "evaluation", "integrity", "--county", "433124", "--year", "2024", "--as-user",
        "township_longtan",
    )  # fmt: skip

    assert code == 0, lines
    assert len(lines) == 18
    assert Problem.objects.count() == 0
    assert (refused, message) == (1, ["错误：当前账号无权开展数据真实性检测"])
    assert IntegrityRun.objects.count() == 1
