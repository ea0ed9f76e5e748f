"""The plan, measure, visit, photo and coverage pages: 200 in scope, 404 outside, 409 stale."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fangpin.assistance.models import Measure, Visit, VisitPhoto
from fangpin.assistance.services import PhotoUpload, photo_path, visit_record
from fangpin.core.models import AuditEvent, Role
from fangpin.registry.models import Household
from tests.assistance.conftest import PNG_BYTES, add_measure, snapshot
from tests.registry.conftest import HUAYUAN_COUNTY, make_user


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _measure_post(**overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    data = {
        "category": "COMPULSORY_EDUCATION",
        "item": "义务教育生活补助",
        "responsible_department": "县教育局",
        "responsible_person": "石秀英",
        "person": "",
        "risk_types": ["09"],
        "start_date": (today - timedelta(days=30)).isoformat(),
        "end_date": "",
        "amount": "1250",
        "status": "in_progress",
        "evidence": "学籍证明",
    }
    data.update(overrides)
    return data


def test_the_plan_page_shows_warnings_measures_and_forms(
    monitored: Household, tudi_cadre: Any
) -> None:
    add_measure(monitored, tudi_cadre, today=timezone.localdate())

    response = client_for(tudi_cadre).get(f"/households/{monitored.public_id}/plan/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "因学风险尚无对应帮扶措施" in body
    assert "大病保险倾斜报销" in body
    assert "健康帮扶" in body
    assert 'id="add-measure"' in body
    assert f"/households/{monitored.public_id}/visits/new/" in body


def test_a_reader_without_plan_edit_sees_no_forms(monitored: Household, village: Any) -> None:
    inspector = make_user("inspector_hy", Role.INSPECTOR, HUAYUAN_COUNTY)

    response = client_for(inspector).get(f"/households/{monitored.public_id}/plan/")

    assert response.status_code == 200
    assert 'id="add-measure"' not in response.content.decode()


def test_the_plan_page_outside_the_scope_is_404(monitored: Household, douwang_cadre: Any) -> None:
    response = client_for(douwang_cadre).get(f"/households/{monitored.public_id}/plan/")

    assert response.status_code == 404
    assert monitored.household_number not in response.content.decode()


def test_adding_a_measure_through_the_page(monitored: Household, tudi_cadre: Any) -> None:
    response = client_for(tudi_cadre).post(
        f"/households/{monitored.public_id}/plan/measures/", _measure_post()
    )

    assert response.status_code == 302
    measure = Measure.objects.get()
    assert (measure.item, measure.risk_types, measure.continues_after_elimination) == (
        "义务教育生活补助",
        ["09"],
        True,
    )


def test_a_refused_measure_answers_400_with_the_message(
    monitored: Household, tudi_cadre: Any
) -> None:
    client = client_for(tudi_cadre)
    before = snapshot()
    future = (timezone.localdate() + timedelta(days=3)).isoformat()

    response = client.post(
        f"/households/{monitored.public_id}/plan/measures/", _measure_post(start_date=future)
    )

    assert response.status_code == 400
    assert "开始日期在今天之后的措施只能是“计划中”" in response.content.decode()
    assert snapshot() == before


def test_a_stale_edit_page_answers_409_and_changes_nothing(
    monitored: Household, tudi_cadre: Any
) -> None:
    measure = add_measure(monitored, tudi_cadre, today=timezone.localdate())
    Measure.objects.filter(pk=measure.pk).update(version=2)  # someone saved first
    client = client_for(tudi_cadre)
    before = snapshot()
    url = f"/households/{monitored.public_id}/plan/measures/{measure.public_id}/edit/"

    response = client.post(
        url,
        _measure_post(category="HEALTH", risk_types=["01"], item="改过的项目", version="1"),
    )

    assert response.status_code == 409
    assert "该帮扶措施已被他人修改，请刷新后重试" in response.content.decode()
    assert snapshot() == before


def test_the_edit_page_shows_the_values(monitored: Household, tudi_cadre: Any) -> None:
    measure = add_measure(monitored, tudi_cadre, today=timezone.localdate())
    url = f"/households/{monitored.public_id}/plan/measures/{measure.public_id}/edit/"

    response = client_for(tudi_cadre).get(url)

    assert response.status_code == 200
    assert 'value="大病保险倾斜报销"' in response.content.decode()


def test_stopping_a_measure_through_the_page(monitored: Household, tudi_cadre: Any) -> None:
    measure = add_measure(monitored, tudi_cadre, today=timezone.localdate())
    url = f"/households/{monitored.public_id}/plan/measures/{measure.public_id}/stop/"

    response = client_for(tudi_cadre).post(
        url,
        {"version": "1", "stopped_on": timezone.localdate().isoformat(), "reason": "户已搬迁"},
    )

    assert response.status_code == 302
    assert Measure.objects.get().status == "stopped"


def test_logging_a_visit_with_a_photo_from_a_phone(monitored: Household, tudi_cadre: Any) -> None:
    client = client_for(tudi_cadre)
    url = f"/households/{monitored.public_id}/visits/new/"

    form = client.get(url)
    response = client.post(
        url,
        {
            "visited_on": timezone.localdate().isoformat(),
            "findings": "户主在家，身体好转。",
            "photos": [SimpleUploadedFile("a.png", PNG_BYTES, content_type="image/png")],
        },
    )

    assert form.status_code == 200
    assert 'capture="environment"' in form.content.decode()
    assert response.status_code == 302
    photo = VisitPhoto.objects.get()
    assert photo_path(photo).read_bytes() == PNG_BYTES


def test_a_fake_png_is_refused_on_the_page_and_nothing_stored(
    monitored: Household, tudi_cadre: Any
) -> None:
    client = client_for(tudi_cadre)
    before = snapshot()

    response = client.post(
        f"/households/{monitored.public_id}/visits/new/",
        {
            "visited_on": timezone.localdate().isoformat(),
            "findings": "户主在家",
            "photos": [SimpleUploadedFile("x.png", b"just text", content_type="image/png")],
        },
    )

    assert response.status_code == 400
    assert "照片“x.png”不是JPEG或PNG图片，未保存" in response.content.decode()
    assert snapshot() == before


def test_a_photo_is_streamed_only_inside_the_scope(
    monitored: Household, tudi_cadre: Any, douwang_cadre: Any
) -> None:
    visit_record(
        actor=tudi_cadre,
        household_id=monitored.pk,
        visited_on=timezone.localdate(),
        findings="户主在家",
        photos=[PhotoUpload("a.png", PNG_BYTES)],
    )
    photo = VisitPhoto.objects.get()
    url = f"/visits/photos/{photo.public_id}/"

    inside = client_for(tudi_cadre).get(url)
    outside = client_for(douwang_cadre).get(url)

    assert inside.status_code == 200
    assert inside["Content-Type"] == "image/png"
    assert inside["Cache-Control"] == "private, no-store"
    assert b"".join(inside.streaming_content) == PNG_BYTES  # type: ignore[attr-defined]
    assert outside.status_code == 404


def test_the_coverage_page_lists_unvisited_households(
    monitored: Household, tudi_cadre: Any, douwang_cadre: Any
) -> None:
    listed = client_for(tudi_cadre).get("/visits/coverage/")
    other = client_for(douwang_cadre).get("/visits/coverage/")
    visit_record(
        actor=tudi_cadre,
        household_id=monitored.pk,
        visited_on=timezone.localdate(),
        findings="户主在家",
    )
    after = client_for(tudi_cadre).get("/visits/coverage/")

    assert listed.status_code == 200
    assert monitored.household_number in listed.content.decode()
    assert "从未走访" in listed.content.decode()
    assert monitored.household_number not in other.content.decode()
    assert "所有监测户都已按期走访。" in after.content.decode()
    assert Visit.objects.count() == 1


def test_pages_need_registry_view_and_deny_is_audited(monitored: Household, village: Any) -> None:
    auditor = make_user("auditor_hy", Role.AUDITOR, HUAYUAN_COUNTY)

    response = client_for(auditor).get(f"/households/{monitored.public_id}/plan/")

    assert response.status_code == 403
    assert AuditEvent.objects.get(action="authz.denied").changes == {
        "attempted": "registry.view",
        "reason": "capability",
    }


def test_the_plan_page_query_count_does_not_grow_with_measures_or_visits(
    monitored: Household, tudi_cadre: Any
) -> None:
    client = client_for(tudi_cadre)
    url = f"/households/{monitored.public_id}/plan/"
    add_measure(monitored, tudi_cadre, today=timezone.localdate())
    visit_record(
        actor=tudi_cadre,
        household_id=monitored.pk,
        visited_on=timezone.localdate(),
        findings="户主在家",
        photos=[PhotoUpload("a.png", PNG_BYTES)],
    )
    client.get(url)  # warm the caches (session, policy)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for i in range(4):
        add_measure(monitored, tudi_cadre, today=timezone.localdate(), item=f"医疗救助{i}")
        visit_record(
            actor=tudi_cadre,
            household_id=monitored.pk,
            visited_on=timezone.localdate(),
            findings="户主在家",
            photos=[PhotoUpload("b.png", PNG_BYTES)],
        )
    with CaptureQueriesContext(connection) as five:
        response = client.get(url)

    assert response.status_code == 200
    assert len(five.captured_queries) == len(one.captured_queries)
