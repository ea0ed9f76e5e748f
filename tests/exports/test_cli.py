"""``fangpin export``: the system's exports, a named user's scope and approvals, audit."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from fangpin.cli.export import export_app
from fangpin.core.exports import export_request_approve, export_request_create
from fangpin.core.models import AuditEvent, ExportRequest, ExportStatus, User
from fangpin.registry.models import HEAD, Household, Person
from fangpin.web.exports import LISTS
from tests.exports.helpers import ID_NUMBER
from tests.registry.conftest import TUDI, plain_id

runner = CliRunner()


def _run(*args: str) -> Any:
    return runner.invoke(export_app, list(args))


def _last_audit() -> tuple[str, str, str, dict[str, Any]]:
    e = AuditEvent.objects.order_by("-pk")[0]
    return (e.action, e.actor_label, e.object_id, e.changes)


def test_the_system_exports_every_village_masked(
    family: Household, douwang_family: Household, tmp_path: Path
) -> None:
    out = tmp_path / "households.csv"

    result = _run("households", "--out", str(out))

    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"已导出 农户列表 2 行（脱敏）到 {out}"
    text = out.read_bytes().decode("utf-8")
    assert family.household_number in text
    assert douwang_family.household_number in text
    assert re.search(ID_NUMBER, text) is None
    assert _last_audit() == (
        "data.export",
        "system:cli",
        "households",
        {"what": "households", "rows": 2, "masked": True},
    )


def test_as_a_user_the_scope_and_the_filters_apply(
    family: Household, douwang_family: Household, tmp_path: Path, actor: User
) -> None:
    out = tmp_path / "x.xlsx"

    result = _run(
        "households", "--out", str(out), "--as-user", "clerk", "--filter", f"region={TUDI}"
    )

    assert result.exit_code == 0, result.output
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[3:]] == [family.household_number]
    assert _last_audit()[0:2] == ("data.export", "clerk")


def test_a_village_cadre_gets_their_village_only(
    family: Household, douwang_family: Household, tudi_cadre: User, tmp_path: Path
) -> None:
    out = tmp_path / "x.csv"

    assert _run("households", "--out", str(out), "--as-user", "cadre_tudi").exit_code == 0

    text = out.read_bytes().decode("utf-8")
    assert family.household_number in text
    assert douwang_family.household_number not in text


def test_above_the_threshold_a_user_needs_an_approved_request(
    family: Household,
    douwang_family: Household,
    actor: User,
    second_approver: User,
    tmp_path: Path,
    settings: Any,
    state: Callable[[], dict[str, Any]],
) -> None:
    settings.FANGPIN_EXPORT_APPROVAL_ROWS = 1
    out = tmp_path / "x.xlsx"
    before = state()

    refused = _run("households", "--out", str(out), "--as-user", "clerk")

    assert refused.exit_code == 1
    assert "需要另一位有审批权限的人员批准" in refused.output
    assert not out.exists()
    assert state() == before

    export = export_request_create(
        actor=actor,
        list_name="households",
        filters={},
        allowed_filters=LISTS["households"].filters,
        file_format="csv",
        masked=False,
        reason="低保比对",
        row_count=2,
    )
    export_request_approve(actor=second_approver, public_id=export.public_id, reason="同意")
    args = (
        "households",
        "--out",
        str(out),
        "--as-user",
        "clerk",
        "--request",
        str(export.public_id),
    )
    used = _run(*args)
    again = _run(*args)

    assert used.exit_code == 0, used.output
    assert "（明文）" in used.output
    head = Person.objects.get(household=family, relation=HEAD)
    assert plain_id(head) in out.read_bytes().decode("utf-8")  # csv: the request's format
    assert ExportRequest.objects.get(pk=export.pk).status == ExportStatus.USED
    assert again.exit_code == 1
    assert "已下载过" in again.output


def test_the_system_may_export_unmasked_with_a_reason(family: Household, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"

    no_reason = _run("households", "--out", str(out), "--unmasked")
    result = _run("households", "--out", str(out), "--unmasked", "--reason", "数据核对")

    assert no_reason.exit_code == 1
    assert "请填写明文导出理由" in no_reason.output
    assert result.exit_code == 0, result.output
    head = Person.objects.get(household=family, relation=HEAD)
    assert plain_id(head) in out.read_bytes().decode("utf-8")
    assert _last_audit() == (
        "export.unmasked",
        "system:cli",
        "households",
        {"list": "households", "rows": 1, "reason": "数据核对"},
    )


def test_unknown_lists_users_and_filters_fail_clearly(family: Household, tmp_path: Path) -> None:
    out = str(tmp_path / "x.xlsx")

    assert "没有这个可导出的列表" in _run("people", "--out", out).output
    assert (
        "用户 nobody 不存在或已停用"
        in _run("households", "--out", out, "--as-user", "nobody").output
    )
    assert "筛选条件应写成 key=value" in _run("households", "--out", out, "--filter", "x").output
    assert (
        "该列表没有筛选条件“colour”"
        in _run("households", "--out", out, "--filter", "colour=red").output
    )


@pytest.mark.slow
def test_an_xlsx_of_20000_rows_is_written(village: Any, tmp_path: Path) -> None:
    Household.objects.bulk_create(
        Household(household_number=f"43312410220190{i:05d}", village_id=TUDI, household_type="1")
        for i in range(20_000)
    )
    out = tmp_path / "big.xlsx"

    result = _run("households", "--out", str(out))

    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.active.max_row == 3 + 20_000
    assert _last_audit()[3] == {"what": "households", "rows": 20_000, "masked": True}
