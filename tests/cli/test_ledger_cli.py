"""`fangpin ledger push | escalate | zeroing`: messages, exit codes, the ledger's rows."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone
from typer.testing import CliRunner

from fangpin.cli import app
from fangpin.supervision.models import Problem
from fangpin.supervision.services import problem_create
from tests.casework.conftest import MONTH, make_run, make_warning
from tests.registry.conftest import TUDI, World, actor, person_input, village, world

__all__ = ["actor", "person_input", "village", "world"]  # fixtures, imported so pytest finds them

runner = CliRunner()


def test_ledger_is_listed_in_help() -> None:
    result = runner.invoke(app, ["ledger", "--help"])

    assert result.exit_code == 0
    for command in ("push", "escalate", "zeroing"):
        assert command in result.output


def test_push_twice_then_escalate_and_the_zeroing_table(world: World) -> None:
    run = make_run()
    make_warning(run, world.households["tudi"], "quality.duplicate_id_number")
    make_warning(run, world.households["douwang"], "quality.duplicate_id_number")

    first = runner.invoke(app, ["ledger", "push", "--month", "2024-12"])
    again = runner.invoke(app, ["ledger", "push", "--month", "2024-12", "--as-user", "cadre_tudi"])

    assert first.exit_code == again.exit_code == 0, first.output
    assert first.output.strip() == "2024-12 数据质量问题 2 个：新登记 2 个，已在台账中 0 个"
    assert again.output.strip() == "2024-12 数据质量问题 1 个：新登记 0 个，已在台账中 1 个"
    assert Problem.objects.count() == 2

    today = timezone.localdate()
    problem_create(
        actor="system:test",
        source="complaint",
        found_on=today - timedelta(days=40),
        region_code=TUDI,
        dimension="income",
        description="收入核算有误",
        lead_unit="龙潭镇人民政府",
        deadline=today - timedelta(days=12),
    )
    escalated = runner.invoke(app, ["ledger", "escalate"])
    assert escalated.output.strip() == "升级督办：乡镇 0 个、县级 1 个、移交纪检 0 个"

    table = runner.invoke(app, ["ledger", "zeroing", "433124102000"])
    assert table.exit_code == 0
    assert table.output.splitlines() == [
        "区划\t未销号\t逾期\t本月销号\t是否清零",
        "土地村\t2\t1\t0\t未清零",
        "豆旺村\t1\t0\t0\t未清零",
    ]


def test_bad_months_and_codes_fail_clearly() -> None:
    month = runner.invoke(app, ["ledger", "push", "--month", "2024/12"])
    code = runner.invoke(app, ["ledger", "zeroing", "43x1"])

    assert (month.exit_code, code.exit_code) == (1, 1)
    assert "月份“2024/12”格式不正确，应为 YYYY-MM，例如 2024-12" in month.output
    assert "区划代码“43x1”不正确" in code.output
    assert date(2024, 12, 1) == MONTH
