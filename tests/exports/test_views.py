"""The export pages: confirm and download by POST, streaming, request → approve → download once."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import quote

import pytest
from django.http import FileResponse, StreamingHttpResponse
from django.test import Client
from django.utils import timezone

from fangpin.core.models import AuditEvent, ExportRequest, ExportStatus, Role, User
from fangpin.registry.models import HEAD, Household, Person
from tests.exports.conftest import client_for
from tests.exports.helpers import ID_NUMBER, sheet_xml, xlsx_cells, xlsx_rows
from tests.exports.test_services import PAYLOADS
from tests.registry.conftest import HUAYUAN_COUNTY, make_user, plain_id, plain_phone
from tests.registry.monitoring_helpers import add_spell


def _body(response: Any) -> bytes:
    if isinstance(response, StreamingHttpResponse | FileResponse):
        return b"".join(response.streaming_content)  # type: ignore[arg-type]  # sync client
    return bytes(response.content)


def _download(client: Client, list_name: str = "households", query: str = "format=xlsx") -> Any:
    return client.post(f"/exports/{list_name}/?{query}", {"action": "download"})


def _last_audit() -> tuple[str, str, str, dict[str, Any]]:
    e = AuditEvent.objects.order_by("-pk")[0]
    return (e.action, e.actor_label, e.object_id, e.changes)


# --- Links on the list pages -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "list_name"),
    [("/households/", "households"), ("/cases/", "cases"), ("/clues/", "clues")],
)
def test_list_pages_link_to_their_export_with_the_filters(
    family: Household, tudi_cadre: User, page: str, list_name: str
) -> None:
    query = "overdue=yes" if list_name != "households" else "status=all"

    html = client_for(tudi_cadre).get(f"{page}?{query}").content.decode()

    assert f'href="/exports/{list_name}/?format=xlsx&{query}"' in html
    assert f'href="/exports/{list_name}/?format=csv&{query}"' in html
    assert "导出Excel" in html
    assert "导出CSV" in html


@pytest.mark.parametrize(
    ("page", "list_name", "query"),
    [
        ("/declarations/", "declarations", "status=new"),
        ("/visits/coverage/", "coverage", ""),
    ],
)
def test_the_other_list_pages_link_to_their_export(
    family: Household, tudi_cadre: User, page: str, list_name: str, query: str
) -> None:
    add_spell(family, "MARGINAL", date(2026, 1, 1), risks=[("01", "")])  # never visited
    html = client_for(tudi_cadre).get(f"{page}?{query}").content.decode()

    suffix = f"&{query}" if query else ""
    assert f'href="/exports/{list_name}/?format=xlsx{suffix}"' in html
    assert f'href="/exports/{list_name}/?format=csv{suffix}"' in html


def test_the_feed_batches_page_links_to_its_export(family: Household, actor: User) -> None:
    html = client_for(actor).get("/feeds/").content.decode()

    assert 'href="/exports/feed_batches/?format=xlsx"' in html
    assert 'href="/exports/feed_batches/?format=csv"' in html


# --- The confirm page and the direct download ------------------------------------------------


def test_the_get_shows_what_would_be_exported_and_writes_nothing(
    family: Household, tudi_cadre: User, state: Callable[[], dict[str, Any]]
) -> None:
    client = client_for(tudi_cadre)
    before = state()

    response = client.get("/exports/households/?format=csv&status=active")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<dd id="export-rows">1</dd>' in html
    assert "下载（脱敏）" in html
    assert "申请导出" not in html  # a cadre may not ask for numbers in clear
    assert response["Cache-Control"].startswith("max-age=0")
    assert state() == before


def test_an_xlsx_download_is_a_file_with_an_encoded_name_and_is_audited(
    family: Household, tudi_cadre: User
) -> None:
    response = _download(client_for(tudi_cadre))

    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    day = timezone.localdate().strftime("%Y%m%d")
    name = quote(f"农户列表_土地村_{day}.xlsx")
    assert response["Content-Disposition"] == (f"attachment; filename*=utf-8''{name}")
    data = _body(response)
    assert "<f>" not in sheet_xml(data)
    assert [r[0] for r in xlsx_rows(data)[3:]] == [family.household_number]
    assert _last_audit() == (
        "data.export",
        "cadre_tudi",
        "households",
        {"what": "households", "rows": 1, "masked": True},
    )


def test_a_csv_download_is_streamed(
    family: Household, douwang_family: Household, tudi_cadre: User
) -> None:
    response = _download(client_for(tudi_cadre), query="format=csv")

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = _body(response).decode("utf-8")
    assert text.startswith("\ufeff户编号,户主,户主证件号码,联系电话,")
    assert family.household_number in text
    assert douwang_family.household_number not in text
    assert re.search(ID_NUMBER, text) is None


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("prefix", list(PAYLOADS))
def test_downloads_neutralise_every_formula_prefix(
    family: Household, tudi_cadre: User, prefix: str, fmt: str
) -> None:
    payload = PAYLOADS[prefix]
    Person.objects.filter(household=family, relation=HEAD).update(name=payload)

    data = _body(_download(client_for(tudi_cadre), query=f"format={fmt}"))

    if fmt == "xlsx":
        assert "<f>" not in sheet_xml(data)
        assert xlsx_rows(data)[3][1].replace("_x000D_", "\r") == "'" + payload
        assert {c.data_type for c in xlsx_cells(data)} == {"s", "n"}
    else:
        text = data.decode("utf-8")
        quoted = '"' + ("'" + payload).replace('"', '""') + '"'
        plain = "'" + payload
        assert f",{quoted}," in text or f",{plain}," in text
        assert f",{payload}," not in text


def test_a_download_needs_the_csrf_token_and_a_post(family: Household, tudi_cadre: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(tudi_cadre)
    before = AuditEvent.objects.count()

    assert _download(client).status_code == 403
    assert (
        client.get("/exports/requests/00000000-0000-0000-0000-000000000000/download/").status_code
        == 405
    )
    assert AuditEvent.objects.count() == before


def test_roles_without_registry_view_and_unknown_lists(village: Any, tudi_cadre: User) -> None:
    auditor = make_user("auditor", Role.AUDITOR, HUAYUAN_COUNTY)

    assert client_for(auditor).get("/exports/households/").status_code == 403
    assert client_for(auditor).get("/exports/").status_code == 403
    assert client_for(tudi_cadre).get("/exports/people/").status_code == 404
    assert client_for(tudi_cadre).get("/exports/feed_batches/").status_code == 403


def test_bad_filters_and_formats_are_refused(family: Household, tudi_cadre: User) -> None:
    client = client_for(tudi_cadre)
    before = AuditEvent.objects.count()

    bad_format = _download(client, query="format=pdf")
    bad_filter = _download(client, query="format=csv&colour=red")

    assert bad_format.status_code == 400
    assert "导出格式只能是 xlsx 或 csv。" in bad_format.content.decode()
    assert bad_filter.status_code == 400
    assert "该列表没有筛选条件“colour”。" in bad_filter.content.decode()
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("list_name", ["cases", "clues", "declarations", "coverage"])
def test_every_list_exports_for_a_village_cadre(
    family: Household, tudi_cadre: User, list_name: str
) -> None:
    response = _download(client_for(tudi_cadre), list_name=list_name, query="format=csv")

    assert response.status_code == 200
    assert _last_audit()[3] == {"what": list_name, "rows": 0, "masked": True}


# --- Above the threshold: request, approve, download once ---------------------------------------


@pytest.fixture
def small_threshold(settings: Any) -> None:
    settings.FANGPIN_EXPORT_APPROVAL_ROWS = 1


def _file_request(client: Client, **extra: str) -> Any:
    return client.post(
        "/exports/households/?format=xlsx&status=active",
        {"action": "request", "reason": "入户核查名单", **extra},
    )


@pytest.mark.usefixtures("small_threshold")
def test_the_whole_approval_flow(
    family: Household,
    douwang_family: Household,
    tudi_cadre: User,
    actor: User,
    second_approver: User,
    state: Callable[[], dict[str, Any]],
) -> None:
    requester = client_for(actor)
    approver = client_for(second_approver)
    before = state()
    refused = _download(requester)
    assert refused.status_code == 409
    assert "需要另一位有审批权限的人员批准" in refused.content.decode()
    assert state() == before

    assert _file_request(requester, unmasked="on").status_code == 302
    export = ExportRequest.objects.get()
    assert (export.filters, export.is_masked, export.row_count) == ({"status": "active"}, False, 2)
    assert export.scope_region_id == HUAYUAN_COUNTY

    page = approver.get("/exports/").content.decode()
    assert f'action="/exports/requests/{export.public_id}/approve/"' in page
    approved = approver.post(f"/exports/requests/{export.public_id}/approve/", {"reason": "同意"})
    assert approved.status_code == 302

    download = requester.post(f"/exports/requests/{export.public_id}/download/")
    assert download.status_code == 200
    rows = xlsx_rows(_body(download))
    head = Person.objects.get(household=family, relation=HEAD)
    assert [plain_id(head), plain_phone(family)] in [r[2:4] for r in rows]
    after = state()
    second = requester.post(f"/exports/requests/{export.public_id}/download/")
    assert second.status_code == 409
    assert "已下载过" in second.content.decode()
    assert state() == after
    assert ExportRequest.objects.get().status == ExportStatus.USED
    assert [e.action for e in AuditEvent.objects.filter(pk__gt=0).order_by("pk")][-3:] == [
        "export.request",
        "export.approve",
        "data.export",
    ]


@pytest.mark.usefixtures("small_threshold")
@pytest.mark.parametrize(("who", "status"), [("self", 403), ("luxi", 404), ("cadre", 403)])
def test_refused_approvals_change_nothing(
    family: Household,
    douwang_family: Household,
    actor: User,
    luxi_approver: User,
    douwang_cadre: User,
    state: Callable[[], dict[str, Any]],
    who: str,
    status: int,
) -> None:
    _file_request(client_for(actor))
    export = ExportRequest.objects.get()
    user = {"self": actor, "luxi": luxi_approver, "cadre": douwang_cadre}[who]
    client = client_for(user)
    before = state()

    response = client.post(f"/exports/requests/{export.public_id}/approve/", {"reason": "同意"})

    assert response.status_code == status
    assert state() == before


@pytest.mark.usefixtures("small_threshold")
def test_a_denied_request_offers_no_download_and_refuses_one(
    family: Household,
    douwang_family: Household,
    tudi_cadre: User,
    actor: User,
    state: Callable[[], dict[str, Any]],
) -> None:
    cadre = client_for(tudi_cadre)
    cadre.post(
        "/exports/households/?format=csv&status=all",
        {"action": "request", "reason": "全村名单"},
    )
    export = ExportRequest.objects.get()
    denied = client_for(actor).post(
        f"/exports/requests/{export.public_id}/deny/", {"reason": "范围过大"}
    )
    before = state()

    page = cadre.get("/exports/").content.decode()
    download = cadre.post(f"/exports/requests/{export.public_id}/download/")

    assert denied.status_code == 302
    assert "已驳回" in page
    assert f"/exports/requests/{export.public_id}/download/" not in page
    assert download.status_code == 409
    assert state() == before


def test_a_cadre_cannot_request_numbers_in_clear(
    family: Household, tudi_cadre: User, state: Callable[[], dict[str, Any]]
) -> None:
    client = client_for(tudi_cadre)
    before = state()

    response = _file_request(client, unmasked="on")

    assert response.status_code == 403
    assert "当前账号无权导出证件号码或联系电话明文。" in response.content.decode()
    assert state() == before


def test_past_the_hourly_limit_the_download_is_429_and_not_audited(
    family: Household, tudi_cadre: User, settings: Any
) -> None:
    settings.FANGPIN_EXPORT_PER_HOUR = 1
    client = client_for(tudi_cadre)
    assert _download(client).status_code == 200
    before = AuditEvent.objects.count()

    refused = _download(client)

    assert refused.status_code == 429
    assert "导出过于频繁：每小时最多导出 1 次，请稍后再试。" in refused.content.decode()
    assert AuditEvent.objects.count() == before
