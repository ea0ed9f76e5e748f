"""The Excel import pages: template download, upload → report → 导入 / 放弃, the error
workbook, 409 on the same file, 413 on a large one, scope (404) and capability (403)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from fangpin.core.models import AuditEvent, User
from fangpin.imports import jobs as import_jobs
from fangpin.imports.models import ImportBatch, ImportJob
from fangpin.registry.models import Household, Person
from fangpin.web import uploads
from tests.imports.conftest import headers_of, write_xlsx
from tests.registry.conftest import World
from tests.web.conftest import client_for

FULL_ID = re.compile(r"\d{17}[\dXx]")
KEYS = [
    "head_id_number",
    "village_code",
    "household_type",
    "registered_on",
    "name",
    "id_number",
    "relation",
]
HEADERS = headers_of("households", KEYS)


def family(ids: Callable[..., str], *, village: str = "433124102201") -> list[list[Any]]:
    head, wife = ids(), ids(date(1971, 11, 23), female=True)
    return [
        [head, village, "1 脱贫户", "2024-03-01", "龙再田", head, "01 户主"],
        [head, "", "", "", "石秀英", wife, "10 配偶"],
    ]


def upload(client: Client, path: Path, *, entity: str = "households", mode: str = "create") -> Any:
    return client.post(
        reverse("web:imports_upload"),
        {
            "entity": entity,
            "mode": mode,
            "file": SimpleUploadedFile(path.name, path.read_bytes(), "application/octet-stream"),
        },
    )


@pytest.fixture
def ids() -> Callable[..., str]:
    from fangpin import idnumber

    counter = iter(range(1, 400))

    def make(birth: date = date(1968, 4, 12), *, female: bool = False) -> str:
        return idnumber.build("433124", birth, next(counter) * 2 + (0 if female else 1))

    return make


def test_cadre_downloads_the_template_of_their_village(world: World) -> None:
    client = client_for(world.viewers["cadre_tudi"])

    response = client.get(reverse("web:imports_template", args=["households"]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment; filename*=utf-8''" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    data = book.worksheets[0]
    headers = [c.value for c in next(data.iter_rows(max_row=1))]
    assert "＊身份证号码" in headers
    assert "＊村代码" in headers
    choices = [
        str(v)
        for ws in book.worksheets
        if ws.sheet_state == "hidden"
        for row in ws.iter_rows(values_only=True)
        for v in row
        if v and str(v).startswith("4331")
    ]
    assert choices == ["433124102201 土地村"]


def test_unknown_template_is_404(world: World) -> None:
    client = client_for(world.viewers["cadre_tudi"])
    assert client.get(reverse("web:imports_template", args=["nothing"])).status_code == 404


def test_upload_check_then_apply(world: World, ids: Callable[..., str], tmp_path: Path) -> None:
    cadre = world.viewers["cadre_tudi"]
    client = client_for(cadre)
    households, persons = Household.objects.count(), Person.objects.count()

    response = upload(client, write_xlsx(tmp_path / "新增户.xlsx", HEADERS, family(ids)))

    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:imports_detail", args=[batch.pk])
    assert (Household.objects.count(), Person.objects.count()) == (households, persons)
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert "已校验（待导入）" in html
    assert 'id="import-apply-form"' in html
    assert FULL_ID.search(html) is None

    applied = client.post(
        reverse("web:imports_apply", args=[batch.pk]), {"version": str(batch.version)}
    )

    batch.refresh_from_db()
    assert applied.status_code == 302
    assert batch.status == "applied"
    assert Household.objects.count() == households + 1
    assert Person.objects.count() == persons + 2
    assert AuditEvent.objects.filter(action="registry.import").count() == 1
    done = client.get(reverse("web:imports_detail", args=[batch.pk])).content.decode()
    assert "已导入" in done
    assert 'id="import-apply-form"' not in done


def test_a_file_with_errors_lists_them_and_writes_nothing(
    world: World, ids: Callable[..., str], tmp_path: Path
) -> None:
    client = client_for(world.viewers["cadre_tudi"])
    rows = family(ids)
    good = rows[1][5]
    rows[1][5] = good[:17] + ("0" if good[17] != "0" else "1")  # wrong check character
    households = Household.objects.count()

    response = upload(client, write_xlsx(tmp_path / "有错.xlsx", HEADERS, rows))

    batch = ImportBatch.objects.get()
    html = client.get(response["Location"]).content.decode()
    assert batch.error_count == 1
    assert 'id="import-blocked"' in html
    assert 'id="import-apply-form"' not in html
    assert "校验位" in html
    assert FULL_ID.search(html) is None
    refused = client.post(reverse("web:imports_apply", args=[batch.pk]))
    batch.refresh_from_db()
    assert refused.status_code == 302
    assert batch.status == "checked"
    assert Household.objects.count() == households
    book = client.get(reverse("web:imports_errors", args=[batch.pk]))
    assert book.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(book.content))
    text = str([list(row) for ws in workbook for row in ws.iter_rows(values_only=True)])
    assert "校验位" in text
    assert FULL_ID.search(text) is None


def test_the_same_file_again_is_409(world: World, ids: Callable[..., str], tmp_path: Path) -> None:
    client = client_for(world.viewers["cadre_tudi"])
    path = write_xlsx(tmp_path / "户.xlsx", HEADERS, family(ids))
    first = upload(client, path)
    batch = ImportBatch.objects.get()
    client.post(reverse("web:imports_apply", args=[batch.pk]))
    households = Household.objects.count()

    again = upload(client, path)

    assert first.status_code == 302
    assert again.status_code == 409
    assert "已导入" in again.content.decode()
    assert Household.objects.count() == households
    assert ImportBatch.objects.filter(status="applied").count() == 1


@override_settings(FANGPIN_IMPORT_MAX_BYTES=1024)
def test_a_file_over_the_limit_is_413_and_leaves_no_file(world: World, tmp_path: Path) -> None:
    client = client_for(world.viewers["cadre_tudi"])
    big = tmp_path / "big.csv"
    big.write_bytes(b"a," * 2000)

    response = upload(client, big)

    assert response.status_code == 413
    assert "文件超过大小上限" in response.content.decode()
    assert ImportBatch.objects.count() == 0
    assert list(uploads.uploads_dir().glob("*")) == []


def test_a_large_file_becomes_a_background_job(
    world: World,
    douwang_cadre: User,
    ids: Callable[..., str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(import_jobs, "BACKGROUND_ROWS", 1)
    client = client_for(world.viewers["cadre_tudi"])

    response = upload(client, write_xlsx(tmp_path / "大.xlsx", HEADERS, family(ids)))

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:imports_job", args=[job.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page["Refresh"] == "2"
    assert ImportBatch.objects.count() == 0
    assert list(uploads.uploads_dir().glob("*")) == []
    township = client_for(world.viewers["township_longtan"])
    assert township.get(response["Location"]).status_code == 200  # the village is in its scope
    other = client_for(douwang_cadre)
    assert other.get(response["Location"]).status_code == 404  # another village's job


@pytest.mark.parametrize("viewer", ["inspector_luxi", "auditor", "sysadmin"])
def test_roles_without_registry_edit_get_403(world: World, viewer: str) -> None:
    client = client_for(world.viewers[viewer])
    before = AuditEvent.objects.count()

    response = client.get(reverse("web:imports"))

    assert response.status_code == 403
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.latest("id").action == "authz.denied"


def test_another_villages_batch_is_404_and_untouched(
    world: World, douwang_cadre: User, ids: Callable[..., str], tmp_path: Path
) -> None:
    client = client_for(world.viewers["cadre_tudi"])
    upload(client, write_xlsx(tmp_path / "户.xlsx", HEADERS, family(ids)))
    batch = ImportBatch.objects.get()
    other = client_for(douwang_cadre)
    households = Household.objects.count()

    pages = [
        other.get(reverse("web:imports_detail", args=[batch.pk])).status_code,
        other.get(reverse("web:imports_errors", args=[batch.pk])).status_code,
        other.post(reverse("web:imports_apply", args=[batch.pk])).status_code,
        other.post(reverse("web:imports_discard", args=[batch.pk])).status_code,
    ]

    batch.refresh_from_db()
    assert pages == [404, 404, 404, 404]
    assert batch.status == "checked"
    assert Household.objects.count() == households
    listed = other.get(reverse("web:imports")).content.decode()
    assert str(batch.pk) not in listed


def test_discard_writes_nothing(world: World, ids: Callable[..., str], tmp_path: Path) -> None:
    client = client_for(world.viewers["cadre_tudi"])
    upload(client, write_xlsx(tmp_path / "户.xlsx", HEADERS, family(ids)))
    batch = ImportBatch.objects.get()
    households = Household.objects.count()

    response = client.post(reverse("web:imports_discard", args=[batch.pk]))

    batch.refresh_from_db()
    assert response.status_code == 302
    assert batch.status == "discarded"
    assert Household.objects.count() == households
    assert client.post(reverse("web:imports_apply", args=[batch.pk])).status_code == 302
    batch.refresh_from_db()
    assert batch.status == "discarded"
    assert Household.objects.count() == households
