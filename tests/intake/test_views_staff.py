"""Staff pages: the declaration list and detail (masked, scoped), decisions, the QR page."""

from __future__ import annotations

import re
import uuid

import pytest
import segno
from django.test import Client

from fangpin.core.models import AuditEvent, Region, User
from fangpin.intake.models import Declaration, DeclarationStatus
from fangpin.registry.models import Household
from tests.intake.conftest import DOUWANG, STRANGER_ID, TUDI, make_declaration, snapshot
from tests.registry.conftest import member, plain_id

pytestmark = pytest.mark.django_db

ID_NUMBER = re.compile(r"\d{17}[\dXx]")
MOBILE = re.compile(r"1[3-9]\d{9}")


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- List ------------------------------------------------------------------------------------


def test_the_list_shows_the_scope_s_declarations_masked(village: Region, tudi_cadre: User) -> None:
    mine = make_declaration()
    make_declaration(village_code=DOUWANG, name="龙大山")

    response = _client(tudi_cadre).get("/declarations/")

    assert response.status_code == 200
    assert [d.pk for d in response.context["declarations"]] == [mine.pk]
    html = response.content.decode()
    assert mine.reference in html
    assert "彭**" in html
    assert "139****1234" in html
    assert f"433124********{STRANGER_ID[-4:]}" in html
    assert "因病" in html
    assert "龙**" not in html
    assert ID_NUMBER.findall(html) == []
    assert MOBILE.findall(html) == []
    assert "彭小红" not in html
    assert f"/declare/qr/{TUDI}/" in html
    assert "no-store" in response["Cache-Control"]


def test_the_county_lists_both_villages_and_filters_by_status(
    village: Region, actor: User, tudi_cadre: User
) -> None:
    first = make_declaration()
    second = make_declaration(village_code=DOUWANG)
    Declaration.objects.filter(pk=first.pk).update(
        status="rejected", decided_at=first.submitted_at, decision_note="不符合"
    )
    client = _client(actor)

    everything = client.get("/declarations/")
    new_only = client.get("/declarations/?status=new")
    rejected = client.get("/declarations/?status=rejected")
    douwang = client.get(f"/declarations/?village={DOUWANG}")

    assert [d.pk for d in everything.context["declarations"]] == [second.pk, first.pk]
    assert [d.pk for d in new_only.context["declarations"]] == [second.pk]
    assert [d.pk for d in rejected.context["declarations"]] == [first.pk]
    assert [d.pk for d in douwang.context["declarations"]] == [second.pk]


def test_the_list_needs_registry_view(village: Region) -> None:
    from tests.registry.conftest import make_user

    auditor = make_user("auditor1", "auditor", "433124000000")

    response = _client(auditor).get("/declarations/")

    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="authz.denied").count() == 1


def test_anonymous_visitors_are_sent_to_the_login(village: Region) -> None:
    declaration = make_declaration()

    for path in (
        "/declarations/",
        f"/declarations/{declaration.public_id}/",
        f"/declare/qr/{TUDI}/",
    ):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


# --- Detail ----------------------------------------------------------------------------------


def test_the_detail_shows_the_difficulty_and_masked_numbers(
    village: Region, tudi_cadre: User
) -> None:
    declaration = make_declaration()

    response = _client(tudi_cadre).get(f"/declarations/{declaration.public_id}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<dd id="difficulty" class="difficulty">丈夫住院，自付3万元。</dd>' in html
    assert "湖南省湘西土家族苗族自治州花垣县龙潭镇土地村" in html
    assert '<dd id="matched-household">未匹配到在册人员</dd>' in html
    assert 'id="reject-form"' in html
    assert ID_NUMBER.findall(html) == []
    assert MOBILE.findall(html) == []


def test_a_cadre_of_another_village_gets_404_like_a_missing_one(
    village: Region, douwang_cadre: User
) -> None:
    declaration = make_declaration(village_code=TUDI)
    client = _client(douwang_cadre)

    outside = client.get(f"/declarations/{declaration.public_id}/")
    missing = client.get(f"/declarations/{uuid.uuid4()}/")

    assert outside.status_code == missing.status_code == 404
    assert outside.content == missing.content
    assert declaration.reference not in outside.content.decode()


def test_a_matched_household_is_linked_inside_the_scope(
    family: Household, tudi_cadre: User, douwang_cadre: User
) -> None:
    declaration = make_declaration(id_number=plain_id(member(family, "张三")))

    html = _client(tudi_cadre).get(f"/declarations/{declaration.public_id}/").content.decode()

    assert f'href="/households/{family.public_id}/">{family.household_number}</a>' in html


def test_the_county_sees_no_decision_forms(village: Region, actor: User) -> None:
    declaration = make_declaration()

    html = _client(actor).get(f"/declarations/{declaration.public_id}/").content.decode()

    assert 'id="reject-form"' not in html
    assert 'id="duplicate-form"' not in html


# --- Decisions -------------------------------------------------------------------------------


def test_a_cadre_rejects_through_the_page(village: Region, tudi_cadre: User) -> None:
    declaration = make_declaration()
    client = _client(tudi_cadre)

    response = client.post(
        f"/declarations/{declaration.public_id}/reject/",
        {"version": "1", "note": "经入户核实，家庭收入稳定"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/declarations/{declaration.public_id}/"
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.REJECTED
    assert declaration.decision_note == "经入户核实，家庭收入稳定"
    event = AuditEvent.objects.get(action="declaration.reject")
    assert event.actor_label == "cadre_tudi"
    assert event.changes == {
        "status": ["new", "rejected"],
        "note": "经入户核实，家庭收入稳定",
        "version": 2,
    }
    page = client.get(response["Location"]).content.decode()
    assert '<dd id="declaration-status">不予受理</dd>' in page
    assert "已标记为不予受理" in page


def test_a_duplicate_is_marked_by_reference(village: Region, tudi_cadre: User) -> None:
    original = make_declaration()
    again = make_declaration()

    response = _client(tudi_cadre).post(
        f"/declarations/{again.public_id}/duplicate/",
        {"version": "1", "note": "同一户重复提交", "duplicate_of": original.reference.lower()},
    )

    assert response.status_code == 302
    again.refresh_from_db()
    assert again.status == DeclarationStatus.DUPLICATE
    assert again.duplicate_of_id == original.pk


def test_an_unknown_original_is_refused(village: Region, tudi_cadre: User) -> None:
    again = make_declaration()
    client = _client(tudi_cadre)
    before = snapshot()

    response = client.post(
        f"/declarations/{again.public_id}/duplicate/",
        {"version": "1", "note": "重复", "duplicate_of": "SB00000000"},
    )

    assert response.status_code == 400
    assert "重复于的申报编号不存在或不在您的辖区内" in response.content.decode()
    assert snapshot() == before


def test_a_stale_decision_answers_409_and_changes_nothing(
    village: Region, tudi_cadre: User
) -> None:
    declaration = make_declaration()
    Declaration.objects.filter(pk=declaration.pk).update(version=2)
    client = _client(tudi_cadre)
    before = snapshot()

    response = client.post(
        f"/declarations/{declaration.public_id}/reject/", {"version": "1", "note": "不符合"}
    )

    assert response.status_code == 409
    assert "该申报已被他人修改，请刷新后重试" in response.content.decode()
    assert snapshot() == before


def test_a_decision_without_a_reason_answers_400(village: Region, tudi_cadre: User) -> None:
    declaration = make_declaration()
    client = _client(tudi_cadre)
    before = snapshot()

    response = client.post(
        f"/declarations/{declaration.public_id}/reject/", {"version": "1", "note": ""}
    )

    assert response.status_code == 400
    assert "请填写处理说明（将作为答复告知申报人）" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("action", ["reject", "duplicate"])
def test_the_county_may_not_decide(village: Region, actor: User, action: str) -> None:
    declaration = make_declaration()
    before = snapshot()

    response = _client(actor).post(
        f"/declarations/{declaration.public_id}/{action}/", {"version": "1", "note": "不符合"}
    )

    assert response.status_code == 403
    assert snapshot()["declarations"] == before["declarations"]
    assert AuditEvent.objects.filter(action="authz.denied").count() == 1


@pytest.mark.parametrize("action", ["reject", "duplicate"])
def test_decisions_refuse_get(village: Region, tudi_cadre: User, action: str) -> None:
    declaration = make_declaration()

    response = _client(tudi_cadre).get(f"/declarations/{declaration.public_id}/{action}/")

    assert response.status_code == 405


# --- QR page -----------------------------------------------------------------------------------


def test_the_qr_page_renders_an_svg_of_the_village_s_url(village: Region, tudi_cadre: User) -> None:
    response = _client(tudi_cadre).get(f"/declare/qr/{TUDI}/")

    assert response.status_code == 200
    html = response.content.decode()
    url = f"http://testserver/declare/{TUDI}/"
    assert (
        '<p class="qr-village" id="qr-village">湖南省湘西土家族苗族自治州花垣县龙潭镇土地村</p>'
        in html
    )
    assert f'<p class="qr-url mono" id="qr-url">{url}</p>' in html
    svg = re.search(r"<svg .*?</svg>", html, re.S)
    assert svg is not None
    assert f"<desc>{url}</desc>" in svg.group(0)
    assert TUDI in svg.group(0)
    # The modules drawn are exactly those of a QR code of this URL.
    expected = segno.make(url, error="m").svg_inline(
        scale=6, border=2, omitsize=True, title="土地村申报二维码", desc=url
    )
    assert svg.group(0) == expected


@pytest.mark.parametrize("code", [DOUWANG, "433124102299", "433124102000"])
def test_the_qr_page_of_a_village_outside_the_scope_is_404(
    village: Region, tudi_cadre: User, code: str
) -> None:
    assert _client(tudi_cadre).get(f"/declare/qr/{code}/").status_code == 404


def test_the_township_prints_the_qr_of_each_of_its_villages(
    village: Region, township_reviewer: User
) -> None:
    client = _client(township_reviewer)

    assert client.get(f"/declare/qr/{TUDI}/").status_code == 200
    assert client.get(f"/declare/qr/{DOUWANG}/").status_code == 200


def test_the_difficulty_is_shown_escaped(village: Region, tudi_cadre: User) -> None:
    declaration = make_declaration(difficulty='<script>alert(1)</script>\n" onmouseover="x')

    html = _client(tudi_cadre).get(f"/declarations/{declaration.public_id}/").content.decode()

    assert "<script>alert(1)</script>" not in html
    assert (
        '<dd id="difficulty" class="difficulty">&lt;script&gt;alert(1)&lt;/script&gt;<br>'
        "&quot; onmouseover=&quot;x</dd>"
    ) in html


def test_the_list_costs_the_same_queries_for_2_or_8_declarations(
    village: Region, actor: User
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(actor)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/declarations/").status_code == 200
        return len(captured.captured_queries)

    for _ in range(2):
        make_declaration()
    few = queries()
    for _ in range(6):
        make_declaration(village_code=DOUWANG)

    assert queries() == few
