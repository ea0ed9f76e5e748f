"""Large files in the background (django-tasks): queued, run by the worker, progress shown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from fangpin.core.models import User
from fangpin.feeds.jobs import estimate_rows, feed_import_job_run, feed_import_start
from fangpin.feeds.models import FeedBatch, FeedImportJob, FeedJobStatus, FeedStatus
from tests.feeds.conftest import DEATH_HEADERS_ZH, head_id, write_csv
from tests.registry.conftest import World

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def death_file(world: World, tmp_path: Path) -> Path:
    rows = [
        ["GASW0000000001", head_id(world, "tudi"), "张三", "2024-05-01", "2024-05-20"],
        ["GASW0000000003", "433124198001010012", "陌生人", "2024-05-03", "2024-05-22"],
    ]
    return write_csv(tmp_path / "deaths.csv", rows, headers=DEATH_HEADERS_ZH)


def spool() -> list[Path]:
    folder = Path(django_settings.VAR_DIR) / "feeds" / "spool"
    return list(folder.iterdir()) if folder.exists() else []


def test_estimate_rows_counts_without_reading_the_file(world: World, tmp_path: Path) -> None:
    assert estimate_rows(death_file(world, tmp_path)) == 2
    assert estimate_rows(tmp_path / "missing.csv") == 0


def test_a_small_file_is_imported_at_once(world: World, officer: User, tmp_path: Path) -> None:
    outcome = feed_import_start(
        actor=officer, feed="death_records", period="2024-06", source=death_file(world, tmp_path)
    )

    assert isinstance(outcome, FeedBatch)
    assert outcome.source_name == "deaths.csv"
    assert FeedImportJob.objects.count() == 0


def test_a_large_file_is_queued_then_run_by_the_worker(
    world: World, officer: User, tmp_path: Path, settings: Any
) -> None:
    settings.FANGPIN_FEEDS_BACKGROUND_ROWS = 1

    job = feed_import_start(
        actor=officer, feed="death_records", period="2024-06", source=death_file(world, tmp_path)
    )

    assert isinstance(job, FeedImportJob)
    assert (job.status, job.rows_estimated, job.source_name) == ("queued", 2, "deaths.csv")
    assert DBTaskResult.objects.count() == 1
    assert len(spool()) == 1
    assert FeedBatch.objects.count() == 0
    page = client_for(officer).get(reverse("web:feeds_job", args=[job.pk]))
    assert page.status_code == 200
    assert page["Refresh"] == "2"
    assert "排队中" in page.content.decode()

    assert feed_import_job_run.call(str(job.pk)) == "succeeded"

    job.refresh_from_db()
    batch = FeedBatch.objects.get()
    assert (job.status, job.batch_id, batch.status) == ("succeeded", batch.pk, FeedStatus.STAGED)
    assert (batch.rows_matched, batch.rows_unmatched, batch.uploaded_by_id) == (1, 1, officer.pk)
    assert (job.stage, job.done, job.total) == ("写入暂存区", 1, 1)
    assert spool() == []
    done = client_for(officer).get(reverse("web:feeds_job", args=[job.pk]))
    assert "Refresh" not in done
    assert reverse("web:feeds_detail", args=[batch.pk]) in done.content.decode()
    assert feed_import_job_run.call(str(job.pk)) == "succeeded"  # a second delivery: no-op
    assert FeedBatch.objects.count() == 1


def test_web_upload_of_a_large_file_runs_in_the_background(
    world: World, officer: User, tmp_path: Path, settings: Any
) -> None:
    settings.FANGPIN_FEEDS_BACKGROUND_ROWS = 1
    settings.TASKS = IMMEDIATE
    path = death_file(world, tmp_path)

    response = client_for(officer).post(
        reverse("web:feeds_upload"),
        {
            "feed": "death_records",
            "period": "2024-06",
            "file": SimpleUploadedFile(path.name, path.read_bytes(), "text/csv"),
        },
    )

    job = FeedImportJob.objects.get()
    assert response["Location"] == reverse("web:feeds_job", args=[job.pk])
    assert job.status == FeedJobStatus.SUCCEEDED
    assert FeedBatch.objects.get().pk == job.batch_id


def test_a_bad_large_file_fails_the_job_with_the_reason(
    world: World, officer: User, tmp_path: Path, settings: Any
) -> None:
    settings.FANGPIN_FEEDS_BACKGROUND_ROWS = 1
    settings.TASKS = IMMEDIATE
    path = write_csv(
        tmp_path / "bad.csv", [["GASW1", "张三"], ["GASW2", "李四"]], headers=["记录编号", "姓名"]
    )

    job = feed_import_start(actor=officer, feed="death_records", period="2024-06", source=path)

    assert isinstance(job, FeedImportJob)
    job.refresh_from_db()
    assert job.status == FeedJobStatus.FAILED
    assert job.error_message.startswith("缺少必需的列：id_number（身份证号码）")
    assert FeedBatch.objects.get().status == FeedStatus.REJECTED
    assert job.batch_id == FeedBatch.objects.get().pk
    assert spool() == []


@pytest.mark.parametrize("viewer", ["county_huayuan", "officer_xiangxi", "cadre_tudi"])
def test_another_users_job_is_404_or_403(
    world: World, officer: User, tmp_path: Path, settings: Any, viewer: str
) -> None:
    settings.FANGPIN_FEEDS_BACKGROUND_ROWS = 1
    job = feed_import_start(
        actor=officer, feed="death_records", period="2024-06", source=death_file(world, tmp_path)
    )

    response = client_for(world.viewers[viewer]).get(reverse("web:feeds_job", args=[job.pk]))

    assert response.status_code == (403 if viewer == "cadre_tudi" else 404)
