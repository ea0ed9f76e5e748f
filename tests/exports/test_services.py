"""Export rules without the web: formula neutralisation, scope, masking, the approval workflow."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from fangpin.core.access import SYSTEM
from fangpin.core.exports import (
    ExportError,
    export_direct_check,
    export_download_record,
    export_filters_clean,
    export_request_approve,
    export_request_create,
    export_request_deny,
    export_request_download,
    export_request_list,
)
from fangpin.core.models import AuditEvent, ExportRequest, ExportStatus, User
from fangpin.registry.models import HEAD, Household, Person
from fangpin.sheets.writer import FORMULA_PREFIXES
from fangpin.web.exports import LISTS, export_prepare, export_write_file
from tests.exports.helpers import ID_NUMBER, sheet_xml, xlsx_cells, xlsx_rows
from tests.registry.conftest import plain_id, plain_phone

HOUSEHOLDS = LISTS["households"]
PAYLOADS = {
    "=": '=HYPERLINK("http://x","点此")',
    "+": "+1+1",
    "-": "-2+3",
    "@": "@SUM(A1:A2)",
    "\t": "\t=1+1",
    "\r": "\r=1+1",
    "＝": "＝1+1",
}


def _head(household: Household) -> Person:
    return Person.objects.get(household=household, relation=HEAD)


def _write(tmp_path: Path, user: Any, fmt: str, *, unmasked: bool = False, **filters: str) -> Path:
    prepared = export_prepare(HOUSEHOLDS, user=user, filters=filters)
    target = tmp_path / f"out.{fmt}"
    export_write_file(target, prepared, user=user, file_format=fmt, unmasked=unmasked)
    return target


def test_the_payloads_cover_every_formula_prefix() -> None:
    assert set(PAYLOADS) == set(FORMULA_PREFIXES)


@pytest.mark.parametrize("prefix", list(PAYLOADS))
def test_xlsx_writes_formula_like_names_as_text(
    family: Household, tudi_cadre: User, tmp_path: Path, prefix: str
) -> None:
    payload = PAYLOADS[prefix]
    Person.objects.filter(pk=_head(family).pk).update(name=payload)

    data = _write(tmp_path, tudi_cadre, "xlsx").read_bytes()

    assert "<f>" not in sheet_xml(data)
    assert "<f " not in sheet_xml(data)
    rows = xlsx_rows(data)
    assert rows[2][:2] == ["户编号", "户主"]
    assert rows[3][1].replace("_x000D_", "\r") == "'" + payload
    assert {cell.data_type for cell in xlsx_cells(data)} == {"s", "n"}
    numbers = [cell.value for cell in xlsx_cells(data) if cell.data_type == "n"]
    assert numbers == [3]  # the member count, the only numeric column


@pytest.mark.parametrize("prefix", list(PAYLOADS))
def test_csv_writes_formula_like_names_as_text(
    family: Household, tudi_cadre: User, tmp_path: Path, prefix: str
) -> None:
    payload = PAYLOADS[prefix]
    Person.objects.filter(pk=_head(family).pk).update(name=payload)
    head = _head(family)

    text = _write(tmp_path, tudi_cadre, "csv").read_bytes().decode("utf-8")

    cell = "'" + payload
    if any(c in cell for c in '",\r\n'):
        cell = '"' + cell.replace('"', '""') + '"'
    assert text == (
        "\ufeff户编号,户主,户主证件号码,联系电话,人口,所在村,自然村,户类型,户状态,监测状态,"
        "监测对象类别\r\n"
        f"{family.household_number},{cell},{head.id_number_masked},138****5678,3,土地村,上寨,"
        f"{_type_label()},正常,,\r\n"
    )


def _type_label() -> str:
    from fangpin import codes

    return codes.table("household_type").label("1")


def test_a_village_cadre_exports_exactly_their_village(
    family: Household, douwang_family: Household, tudi_cadre: User, tmp_path: Path
) -> None:
    rows = xlsx_rows(_write(tmp_path, tudi_cadre, "xlsx").read_bytes())[3:]

    assert [r[0] for r in rows] == [family.household_number]
    assert douwang_family.household_number not in str(rows)


def test_the_county_exports_both_villages_and_the_list_filters_apply(
    family: Household, douwang_family: Household, actor: User, tmp_path: Path
) -> None:
    everything = xlsx_rows(_write(tmp_path, actor, "xlsx").read_bytes())[3:]
    one = xlsx_rows(_write(tmp_path, actor, "xlsx", region=douwang_family.village_id).read_bytes())

    assert sorted(r[0] for r in everything) == sorted(
        [family.household_number, douwang_family.household_number]
    )
    assert [r[0] for r in one[3:]] == [douwang_family.household_number]


def test_a_masked_export_holds_no_full_id_or_phone(
    family: Household, actor: User, tmp_path: Path
) -> None:
    for fmt in ("xlsx", "csv"):
        path = _write(tmp_path, actor, fmt)
        text = str(xlsx_rows(path.read_bytes())) if fmt == "xlsx" else path.read_text("utf-8")
        assert re.search(ID_NUMBER, text) is None
        assert plain_phone(family) not in text
        assert _head(family).id_number_masked in text


def test_an_unmasked_export_holds_the_real_numbers(
    family: Household, actor: User, tmp_path: Path
) -> None:
    rows = xlsx_rows(_write(tmp_path, actor, "xlsx", unmasked=True).read_bytes())

    assert rows[3][2] == plain_id(_head(family))
    assert rows[3][3] == plain_phone(family)


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"colour": "red"}, "该列表没有筛选条件“colour”。"),
        ({"status": "x\ny"}, "筛选条件“status”的值格式不正确。"),
        ({"q": "x" * 101}, "筛选条件“q”的值格式不正确。"),
    ],
)
def test_filters_outside_the_list_are_refused(filters: dict[str, str], message: str) -> None:
    with pytest.raises(ExportError) as caught:
        export_filters_clean(filters, allowed=HOUSEHOLDS.filters)

    assert caught.value.code == "filters"
    assert caught.value.message == message


def test_a_bad_filter_value_and_an_id_number_filter_are_refused(
    family: Household, actor: User
) -> None:
    with pytest.raises(ExportError) as bad:
        export_prepare(HOUSEHOLDS, user=actor, filters={"status": "gone"})
    with pytest.raises(ExportError) as id_number:
        export_prepare(HOUSEHOLDS, user=actor, filters={"q": plain_id(_head(family))})

    assert bad.value.message.startswith("筛选条件“户状态”不正确：")
    assert id_number.value.message == "证件号码或电话号码不能作为导出的筛选条件。"


# --- The threshold and the approval workflow --------------------------------------------------


@pytest.fixture
def small_threshold(settings: Any) -> None:
    settings.FANGPIN_EXPORT_APPROVAL_ROWS = 1


def _request(user: User, *, rows: int = 2, masked: bool = True) -> ExportRequest:
    return export_request_create(
        actor=user,
        list_name="households",
        filters={"status": "active"},
        allowed_filters=HOUSEHOLDS.filters,
        file_format="xlsx",
        masked=masked,
        reason="入户核查名单",
        row_count=rows,
    )


def _events(since: int) -> list[tuple[str, str, str, dict[str, Any]]]:
    return [
        (e.action, e.actor_label, e.object_id, e.changes)
        for e in AuditEvent.objects.filter(pk__gt=since).order_by("pk")
    ]


def _last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.mark.usefixtures("small_threshold")
def test_request_approve_download_once(
    family: Household,
    douwang_family: Household,
    actor: User,
    second_approver: User,
    state: Callable[[], dict[str, Any]],
) -> None:
    with pytest.raises(ExportError) as direct:
        export_direct_check(actor=actor, row_count=2, masked=True)
    assert direct.value.code == "approval"
    start = _last_event_id()

    export = _request(actor)
    approved = export_request_approve(
        actor=second_approver, public_id=export.public_id, reason="同意"
    )
    used = export_request_download(actor=actor, public_id=export.public_id, row_count=2)
    before = state()
    with pytest.raises(ExportError) as again:
        export_request_download(actor=actor, public_id=export.public_id, row_count=2)

    assert approved.status == ExportStatus.APPROVED
    assert used.status == ExportStatus.USED
    assert used.downloaded_at is not None
    assert again.value.code == "state"
    assert again.value.message == "该导出申请已下载过，每次批准只能下载一次。"
    assert state() == before
    pk = str(export.pk)
    assert _events(start) == [
        (
            "export.request",
            "clerk",
            pk,
            {
                "list": "households",
                "filters": {"status": "active"},
                "format": "xlsx",
                "masked": True,
                "rows": 2,
                "reason": "入户核查名单",
            },
        ),
        (
            "export.approve",
            "approver_two",
            pk,
            {"from": "pending", "to": "approved", "reason": "同意"},
        ),
        (
            "data.export",
            "clerk",
            f"households/request/{pk}",
            {"what": f"households/request/{pk}", "rows": 2, "masked": True},
        ),
    ]


@pytest.mark.usefixtures("small_threshold")
@pytest.mark.parametrize(
    ("who", "code", "message"),
    [
        ("self", "self", "不能审批自己提交的导出申请。"),
        ("luxi", "not_found", "未找到该导出申请。"),
        ("cadre", "forbidden", "当前账号无权审批导出申请。"),
    ],
)
def test_approval_refusals_change_nothing(
    actor: User,
    luxi_approver: User,
    douwang_cadre: User,
    state: Callable[[], dict[str, Any]],
    who: str,
    code: str,
    message: str,
) -> None:
    export = _request(actor)
    approver = {"self": actor, "luxi": luxi_approver, "cadre": douwang_cadre}[who]
    before = state()

    with pytest.raises(ExportError) as caught:
        export_request_approve(actor=approver, public_id=export.public_id, reason="同意")

    assert (caught.value.code, caught.value.message) == (code, message)
    assert state() == before
    assert ExportRequest.objects.get(pk=export.pk).status == ExportStatus.PENDING


@pytest.mark.usefixtures("small_threshold")
def test_a_denied_request_cannot_be_downloaded(
    actor: User, second_approver: User, state: Callable[[], dict[str, Any]]
) -> None:
    export = _request(actor)
    start = _last_event_id()
    export_request_deny(actor=second_approver, public_id=export.public_id, reason="范围过大")
    before = state()

    with pytest.raises(ExportError) as caught:
        export_request_download(actor=actor, public_id=export.public_id, row_count=2)
    with pytest.raises(ExportError) as approve_after:
        export_request_approve(actor=second_approver, public_id=export.public_id, reason="x")

    assert caught.value.message == "该导出申请尚未批准或已被驳回，不能下载。"
    assert approve_after.value.code == "state"
    assert state() == before
    assert _events(start) == [
        (
            "export.deny",
            "approver_two",
            str(export.pk),
            {"from": "pending", "to": "denied", "reason": "范围过大"},
        )
    ]


@pytest.mark.usefixtures("small_threshold")
def test_a_pending_request_cannot_be_downloaded_nor_by_someone_else(
    actor: User, second_approver: User, state: Callable[[], dict[str, Any]]
) -> None:
    export = _request(actor)
    before = state()
    with pytest.raises(ExportError) as pending:
        export_request_download(actor=actor, public_id=export.public_id, row_count=2)
    export_request_approve(actor=second_approver, public_id=export.public_id, reason="同意")
    after_approval = state()
    with pytest.raises(ExportError) as other:
        export_request_download(actor=second_approver, public_id=export.public_id, row_count=2)

    assert pending.value.code == "state"
    assert other.value.code == "not_found"
    assert state() == after_approval
    assert before["audit"] + 1 == after_approval["audit"]


@pytest.mark.usefixtures("small_threshold")
def test_an_approval_expires_after_24_hours_and_covers_only_the_rows_approved(
    actor: User, second_approver: User, state: Callable[[], dict[str, Any]]
) -> None:
    export = _request(actor, rows=2)
    export_request_approve(actor=second_approver, public_id=export.public_id, reason="同意")
    before = state()
    with pytest.raises(ExportError) as grown:
        export_request_download(actor=actor, public_id=export.public_id, row_count=3)
    ExportRequest.objects.filter(pk=export.pk).update(
        decided_at=timezone.now() - timedelta(hours=24, seconds=1)
    )
    with pytest.raises(ExportError) as expired:
        export_request_download(actor=actor, public_id=export.public_id, row_count=2)

    assert grown.value.message == "列表现有 3 行，多于批准的 2 行，请重新申请。"
    assert expired.value.message == "批准后 24 小时内未下载，已过期，请重新申请。"
    assert state()["audit"] == before["audit"]
    assert ExportRequest.objects.get(pk=export.pk).status == ExportStatus.APPROVED


def test_unmasked_needs_pi_reveal_and_always_approval(
    tudi_cadre: User, actor: User, state: Callable[[], dict[str, Any]]
) -> None:
    before = state()
    with pytest.raises(ExportError) as cadre:
        _request(tudi_cadre, masked=False)
    with pytest.raises(ExportError) as direct:
        export_direct_check(actor=actor, row_count=1, masked=False)

    assert cadre.value.message == "当前账号无权导出证件号码或联系电话明文。"
    assert direct.value.code == "approval"
    assert state() == before
    assert _request(actor, masked=False).is_masked is False


def test_a_request_needs_a_reason(actor: User, state: Callable[[], dict[str, Any]]) -> None:
    before = state()
    with pytest.raises(ExportError) as caught:
        export_request_create(
            actor=actor,
            list_name="households",
            filters={},
            allowed_filters=HOUSEHOLDS.filters,
            file_format="xlsx",
            masked=True,
            reason="  ",
            row_count=9,
        )

    assert (caught.value.code, caught.value.message) == ("reason", "请填写导出理由。")
    assert state() == before


def test_below_the_threshold_a_masked_export_needs_no_approval(actor: User) -> None:
    export_direct_check(actor=actor, row_count=5000, masked=True)  # no error: allowed
    with pytest.raises(ExportError) as caught:
        export_direct_check(actor=actor, row_count=5001, masked=True)

    assert caught.value.message == (
        "超过 5000 行（共 5001 行）的导出需要另一位有审批权限的人员批准，请先提交导出申请。"
    )


def test_the_system_exports_anything_and_an_unmasked_one_records_its_reason(
    village: Any,
) -> None:
    start = _last_event_id()
    export_direct_check(actor="system:cli", row_count=10**6, masked=False)
    export_download_record(
        actor="system:cli",
        request=None,
        list_name="households",
        row_count=7,
        masked=False,
        reason="审计抽查",
    )

    assert _events(start) == [
        (
            "data.export",
            "system:cli",
            "households",
            {"what": "households", "rows": 7, "masked": False},
        ),
        (
            "export.unmasked",
            "system:cli",
            "households",
            {"list": "households", "rows": 7, "reason": "审计抽查"},
        ),
    ]


def test_requests_are_visible_to_their_requester_and_the_approvers_of_the_scope(
    tudi_cadre: User,
    douwang_cadre: User,
    actor: User,
    luxi_approver: User,
) -> None:
    export = _request(tudi_cadre)

    assert list(export_request_list(user=tudi_cadre)) == [export]
    assert list(export_request_list(user=actor)) == [export]
    assert list(export_request_list(user=douwang_cadre)) == []
    assert list(export_request_list(user=luxi_approver)) == []
    assert list(export_request_list(user=SYSTEM)) == []


@pytest.mark.parametrize("list_name", ["households", "cases", "clues", "declarations"])
def test_the_query_count_does_not_grow_with_the_rows(
    family: Household, douwang_family: Household, actor: User, tmp_path: Path, list_name: str
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fangpin.casework.models import Clue

    def run() -> int:
        prepared = export_prepare(LISTS[list_name], user=actor, filters={})
        with CaptureQueriesContext(connection) as queries:
            export_write_file(
                tmp_path / "q.csv", prepared, user=actor, file_format="csv", unmasked=True
            )
        return len(queries)

    if list_name == "clues":
        Clue.objects.create(
            household=family,
            village_code=family.village_id,
            received_on=timezone.localdate(),
            verify_deadline=timezone.localdate(),
        )
    one = run()
    if list_name == "clues":
        Clue.objects.create(
            household=douwang_family,
            village_code=douwang_family.village_id,
            received_on=timezone.localdate(),
            verify_deadline=timezone.localdate(),
        )
    else:
        Household.objects.filter(pk=douwang_family.pk).update(village_id=family.village_id)
    assert run() == one


# --- Rate limit (ASVS 2.4.1) and the bulk-export alert (SEC-AUD-6) ------------------------------


def _export(user: Any, rows: int = 1) -> None:
    export_direct_check(actor=user, row_count=rows, masked=True)
    export_download_record(
        actor=user, request=None, list_name="households", row_count=rows, masked=True
    )


def test_the_export_after_the_hourly_limit_is_refused_and_changes_nothing(
    tudi_cadre: User, settings: Any, state: Callable[[], dict[str, Any]]
) -> None:
    settings.FANGPIN_EXPORT_PER_HOUR = 3
    for _ in range(3):
        _export(tudi_cadre)
    before = state()

    with pytest.raises(ExportError) as caught:
        export_direct_check(actor=tudi_cadre, row_count=1, masked=True)

    assert (caught.value.code, caught.value.message) == (
        "rate_limited",
        "导出过于频繁：每小时最多导出 3 次，请稍后再试。",
    )
    assert state() == before


def test_exports_older_than_an_hour_and_other_accounts_do_not_count(
    tudi_cadre: User, douwang_cadre: User, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.FANGPIN_EXPORT_PER_HOUR = 2
    _export(tudi_cadre)
    _export(tudi_cadre)
    later = timezone.now() + timedelta(minutes=61)  # the audit log is append-only: move the clock
    monkeypatch.setattr(timezone, "now", lambda: later)
    _export(douwang_cadre)
    _export(douwang_cadre)

    _export(tudi_cadre)  # no error: the two earlier ones are more than an hour old
    _export(tudi_cadre)
    with pytest.raises(ExportError):
        _export(tudi_cadre)
    export_direct_check(actor="system:cli", row_count=1, masked=True)  # the system: no limit


def test_an_approved_download_counts_against_the_limit_and_is_refused_past_it(
    family: Household,
    tudi_cadre: User,
    actor: User,
    settings: Any,
    state: Callable[[], dict[str, Any]],
) -> None:
    settings.FANGPIN_EXPORT_APPROVAL_ROWS = 1
    settings.FANGPIN_EXPORT_PER_HOUR = 1
    export = export_request_create(
        actor=tudi_cadre,
        list_name="households",
        filters={},
        allowed_filters=HOUSEHOLDS.filters,
        file_format="xlsx",
        masked=True,
        reason="入户核查名单",
        row_count=2,
    )
    export_request_approve(actor=actor, public_id=export.public_id, reason="同意")
    _export(tudi_cadre)
    before = state()

    with pytest.raises(ExportError) as caught:
        export_request_download(actor=tudi_cadre, public_id=export.public_id, row_count=2)

    assert caught.value.code == "rate_limited"
    assert state() == before


def test_more_exported_rows_in_an_hour_than_the_read_limit_raise_one_alert(
    tudi_cadre: User, settings: Any
) -> None:
    settings.FANGPIN_READ_ALERT_PER_HOUR = 5

    _export(tudi_cadre, rows=3)
    _export(tudi_cadre, rows=2)  # 5 rows: at the limit, not past it
    assert not AuditEvent.objects.filter(action="alert.bulk_export").exists()

    _export(tudi_cadre, rows=1)
    _export(tudi_cadre, rows=4)

    alerts = list(
        AuditEvent.objects.filter(action="alert.bulk_export").values_list(
            "actor_label", "object_id", "changes"
        )
    )
    assert len(alerts) == 1
    label, object_id, changes = alerts[0]
    assert (label, object_id) == ("cadre_tudi", str(tudi_cadre.pk))
    assert (changes["rows"], changes["limit"]) == (6, 5)
