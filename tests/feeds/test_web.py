"""The feed pages: who may open them, upload → report → 发布, scope, masking (SEC-MSK-2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fangpin.core.access import SYSTEM
from fangpin.core.models import AuditEvent, User
from fangpin.feeds import services
from fangpin.feeds.models import FeedBatch, FeedStatus
from tests.feeds.conftest import DEATH_HEADERS_ZH, FULL_ID, head_id, write_csv
from tests.registry.conftest import World


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def death_file(world: World, tmp_path: Path, name: str = "deaths.csv") -> Path:
    rows = [
        ["GASW0000000001", head_id(world, "tudi"), "张三", "2024-05-01", "2024-05-20"],
        ["GASW0000000002", head_id(world, "luxi"), "向东", "2024-05-02", "2024-05-21"],
        ["GASW0000000003", "433124198001010012", "陌生人", "2024-05-03", "2024-05-22"],
    ]
    return write_csv(tmp_path / name, rows, headers=DEATH_HEADERS_ZH, encoding="gbk")


def upload(client: Client, path: Path, period: str = "2024-06") -> Any:
    return client.post(
        reverse("web:feeds_upload"),
        {
            "feed": "death_records",
            "period": period,
            "file": SimpleUploadedFile(path.name, path.read_bytes(), "text/csv"),
        },
    )


@pytest.mark.parametrize("route", ["web:feeds", "web:feeds_upload"])
def test_village_cadre_gets_403_audited(world: World, route: str) -> None:
    client = client_for(world.viewers["cadre_tudi"])
    before = AuditEvent.objects.count()

    response = client.get(reverse(route))

    assert response.status_code == 403
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.latest("id").action == "authz.denied"


@pytest.mark.parametrize("viewer", ["inspector_luxi", "auditor", "sysadmin", "root"])
def test_other_roles_get_403(world: World, viewer: str) -> None:
    assert client_for(world.viewers[viewer]).get(reverse("web:feeds")).status_code == 403


def test_officer_uploads_sees_the_report_and_publishes(
    world: World, officer: User, tmp_path: Path
) -> None:
    client = client_for(officer)

    response = upload(client, death_file(world, tmp_path))

    batch = FeedBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:feeds_detail", args=[batch.pk])
    assert batch.status == FeedStatus.STAGED
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert "发布" in html
    assert "辖区外人员" in html
    assert "433124********0012" in html  # the unmatched stranger, masked
    assert "向东" not in html  # the person outside the scope is never named
    assert FULL_ID.search(html) is None

    published = client.post(reverse("web:feeds_publish", args=[batch.pk]))

    assert published.status_code == 302
    batch.refresh_from_db()
    assert batch.status == FeedStatus.PUBLISHED
    listing = client.get(reverse("web:feeds")).content.decode()
    assert f"batch-{batch.pk}" in listing
    assert "已发布" in listing
    assert FULL_ID.search(listing) is None


def test_same_file_twice_answers_already_imported_with_409(
    world: World, officer: User, tmp_path: Path
) -> None:
    client = client_for(officer)
    path = death_file(world, tmp_path)
    upload(client, path)

    again = upload(client, path)

    assert again.status_code == 409
    assert "该文件已导入" in again.content.decode()
    assert FeedBatch.objects.count() == 1


def test_a_file_with_a_missing_column_is_refused_with_its_name(
    world: World, officer: User, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "bad.csv", [["GASW1", "张三"]], headers=["记录编号", "姓名"])

    response = upload(client_for(officer), path)

    assert response.status_code == 400
    assert "缺少必需的列：id_number（身份证号码）" in response.content.decode()
    assert FeedBatch.objects.get().status == FeedStatus.REJECTED


def test_batches_of_another_scope_are_not_listed_and_are_404(
    world: World, officer: User, tmp_path: Path
) -> None:
    other = services.feed_import(
        actor=SYSTEM,
        feed="death_records",
        period="2024-06",
        source=death_file(world, tmp_path),
    )
    client = client_for(officer)

    listing = client.get(reverse("web:feeds")).content.decode()

    assert f"batch-{other.pk}" not in listing
    assert "还没有上传过部门数据" in listing
    assert client.get(reverse("web:feeds_detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("web:feeds_publish", args=[other.pk])).status_code == 404
    assert client.post(reverse("web:feeds_reject", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.status == FeedStatus.STAGED


def test_the_list_shows_batches_not_households(world: World, officer: User, tmp_path: Path) -> None:
    upload(client_for(officer), death_file(world, tmp_path))

    listing = client_for(officer).get(reverse("web:feeds")).content.decode()

    for household in world.households.values():
        assert household.household_number not in listing


def test_county_approver_may_reject(world: World, tmp_path: Path) -> None:
    approver = world.viewers["county_huayuan"]
    client = client_for(approver)
    upload(client, death_file(world, tmp_path))
    batch = FeedBatch.objects.get()

    response = client.post(reverse("web:feeds_reject", args=[batch.pk]), {"reason": "格式错"})

    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == FeedStatus.REJECTED


def test_publish_and_reject_refuse_get(world: World, officer: User, tmp_path: Path) -> None:
    client = client_for(officer)
    upload(client, death_file(world, tmp_path))
    batch = FeedBatch.objects.get()

    assert client.get(reverse("web:feeds_publish", args=[batch.pk])).status_code == 405
    assert client.get(reverse("web:feeds_reject", args=[batch.pk])).status_code == 405
    batch.refresh_from_db()
    assert batch.status == FeedStatus.STAGED


def test_the_batch_list_costs_the_same_queries_for_one_or_many_batches(
    world: World, officer: User, tmp_path: Path
) -> None:
    client = client_for(officer)
    upload(client, death_file(world, tmp_path), period="2024-01")
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("web:feeds"))
    for month in ("2024-02", "2024-03", "2024-04"):
        upload(client, death_file(world, tmp_path, name=f"{month}.csv"), period=month)

    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("web:feeds"))

    assert response.content.decode().count('id="batch-') == 4
    assert len(many) == len(one)


def test_the_menu_links_the_feeds_page_for_the_officer_only(world: World, officer: User) -> None:
    feeds_link = f'href="{reverse("web:feeds")}"'

    assert feeds_link in client_for(officer).get(reverse("web:home")).content.decode()
    assert (
        feeds_link
        not in client_for(world.viewers["cadre_tudi"]).get(reverse("web:home")).content.decode()
    )
