"""Large files checked in the background (fangpin.imports.jobs): queued with the upload moved
into the spool, run by the worker with progress, the spool emptied whatever happens, a killed
worker detected, and a fresh upload afterwards succeeding."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from fangpin.core.models import Role, User
from fangpin.imports import jobs, services
from fangpin.imports.errors import ImportError_
from fangpin.imports.jobs import (
    STALE_MESSAGE,
    import_check_job_run,
    import_check_start,
    mark_stale_jobs,
)
from fangpin.imports.models import ImportBatch, ImportJob
from fangpin.imports.staging import spool_dir
from tests.imports.conftest import HUAYUAN_COUNTY, TUDI, headers_of, unique_ids

KEYS = [
    "head_id_number",
    "village_code",
    "household_type",
    "registered_on",
    "name",
    "id_number",
    "relation",
]


def heads(count: int) -> list[list[object]]:
    return [[n, TUDI, "1", "2024-03-01", "龙再田", n, "01"] for n in unique_ids(count)]


def spooled() -> list[Path]:
    return list(spool_dir().iterdir()) if spool_dir().exists() else []


def start(actor: User, path: Path) -> ImportJob:
    return import_check_start(actor=actor, entity="households", path=path, file_name=path.name)


def test_queued_then_checked_by_the_worker_with_progress(
    tudi_cadre: User, xlsx: Callable[..., Path], counts: Callable[[], dict[str, int]]
) -> None:
    path = xlsx(headers_of("households", KEYS), heads(2_500), name="大文件.xlsx")
    before = counts()

    job = start(tudi_cadre, path)

    assert (job.status, job.file_name, job.done, job.total) == ("queued", "大文件.xlsx", 0, 0)
    assert not path.exists()  # moved into the spool
    assert [p.name for p in spooled()] == [f"{job.pk}.part"]
    assert DBTaskResult.objects.count() == 1
    assert ImportBatch.objects.count() == 0

    assert import_check_job_run.call(str(job.pk)) == "done"

    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", 2_500, 2_500)
    assert job.batch is not None
    assert (job.batch.status, job.batch.row_count, job.batch.error_count) == ("checked", 2_500, 0)
    assert spooled() == []
    assert counts() == {**before, "audit": before["audit"] + 1}  # the check's audit event only


def test_a_second_delivery_of_the_same_job_does_nothing(
    tudi_cadre: User, xlsx: Callable[..., Path]
) -> None:
    job = start(tudi_cadre, xlsx(headers_of("households", KEYS), heads(3)))
    assert import_check_job_run.call(str(job.pk)) == "done"

    assert import_check_job_run.call(str(job.pk)) == "done"

    assert ImportBatch.objects.count() == 1


def test_a_crash_in_the_check_fails_the_job_writes_nothing_and_empties_the_spool(
    tudi_cadre: User,
    xlsx: Callable[..., Path],
    counts: Callable[[], dict[str, int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job = start(tudi_cadre, xlsx(headers_of("households", KEYS), heads(3)))
    before = counts()

    def crash(**_: object) -> None:
        raise MemoryError("worker out of memory")

    monkeypatch.setattr(services, "import_check", crash)
    with pytest.raises(MemoryError):
        import_check_job_run.call(str(job.pk))

    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "校验失败（系统错误），未导入任何数据；请重新上传")
    assert spooled() == []
    assert counts() == before


def test_a_killed_worker_is_detected_and_a_new_upload_succeeds(
    tudi_cadre: User, xlsx: Callable[..., Path], counts: Callable[[], dict[str, int]]
) -> None:
    rows = heads(3)
    job = start(tudi_cadre, xlsx(headers_of("households", KEYS), rows))
    # The worker took the job, then was killed: no progress for longer than STALE_AFTER.
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", updated_at=timezone.now() - jobs.STALE_AFTER - timedelta(seconds=1)
    )
    before = counts()

    assert mark_stale_jobs() == 1

    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", STALE_MESSAGE)
    assert spooled() == []
    assert counts() == before
    assert mark_stale_jobs() == 0

    again = start(tudi_cadre, xlsx(headers_of("households", KEYS), rows))
    assert import_check_job_run.call(str(again.pk)) == "done"
    again.refresh_from_db()
    assert again.batch is not None
    applied = services.import_apply(actor=tudi_cadre, batch_id=again.batch.pk)
    assert applied.counts == {"households": 3, "persons": 3}


def test_a_recent_running_job_is_not_stale(tudi_cadre: User, xlsx: Callable[..., Path]) -> None:
    job = start(tudi_cadre, xlsx(headers_of("households", KEYS), heads(1)))
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", updated_at=timezone.now() - jobs.STALE_AFTER + timedelta(minutes=1)
    )

    assert mark_stale_jobs() == 0
    job.refresh_from_db()
    assert job.status == "running"


def test_without_registry_edit_nothing_is_queued_and_the_upload_is_deleted(
    village: object, xlsx: Callable[..., Path]
) -> None:
    auditor = User.objects.create(
        username="auditor_x", role=Role.AUDITOR, home_region_id=HUAYUAN_COUNTY
    )
    path = xlsx(headers_of("households", KEYS), heads(1))

    with pytest.raises(ImportError_) as caught:
        start(auditor, path)

    assert caught.value.code == "forbidden"
    assert not path.exists()
    assert ImportJob.objects.count() == 0
    assert DBTaskResult.objects.count() == 0
    assert spooled() == []
