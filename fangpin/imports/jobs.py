"""Large files checked in the background (django-tasks, ADR 0001), with visible progress.

The web checks a file of up to :data:`BACKGROUND_ROWS` rows at once (``import_check``); above,
it calls :func:`import_check_start`, which moves the upload to
``VAR_DIR/imports/spool/<job id>.part``, records an :class:`ImportJob` and enqueues
:func:`import_check_job_run` in the same transaction (the database backend stores the task row
there). The worker runs ``import_check`` with progress and deletes the spooled file whatever
happens. A job that stopped reporting progress for :data:`STALE_AFTER` (a killed worker) is
marked failed when next read; uploading the file again starts a new job.
"""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any, Final

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from fangpin.core.audit import actor_label, user_or_none
from fangpin.imports import staging
from fangpin.imports.errors import ImportError_
from fangpin.imports.models import ImportJob, JobStatus
from fangpin.imports.selectors import batch_scope_code
from fangpin.sheets.reading import IMPORT_LIMITS, count_rows

__all__ = [
    "BACKGROUND_ROWS",
    "STALE_AFTER",
    "import_check_job_run",
    "import_check_start",
    "mark_stale_jobs",
    "needs_background",
]

#: Files with more data rows than this are checked in the background.
BACKGROUND_ROWS: Final = 2_000
#: A running job without progress for this long, or a queued one never started, is failed.
STALE_AFTER: Final = timedelta(minutes=15)
QUEUED_STALE_AFTER: Final = timedelta(hours=6)
STALE_MESSAGE: Final = "校验任务中断（长时间没有进展），未导入任何数据；请重新上传文件"
_PROGRESS_STEP: Final = 1_000


def needs_background(path: Path) -> bool:
    """Whether ``path`` is large enough for a background check (a cheap row count).

    The count opens an .xlsx only after its container passed the *import* limits: under the
    default (feed) limits a workbook declaring 100–500 MB would be parsed here, in the web
    request, before ``import_check`` refused it (SECURITY.md scenario 14).
    """
    return count_rows(Path(path), limits=IMPORT_LIMITS) > BACKGROUND_ROWS


def spool_path(job_id: object) -> Path:
    return staging.spool_dir() / f"{job_id}.part"


def import_check_start(
    *, actor: Any, entity: str, path: Path, file_name: str, mode: str = "create"
) -> ImportJob:
    """Queue a background check of the upload at ``path`` (moved into the spool)."""
    from fangpin.imports.services import _check_request, _require_edit, safe_file_name

    path = Path(path)
    try:
        _require_edit(actor, "import_check")
        _check_request(entity, mode)
        mark_stale_jobs()
        job = ImportJob(
            entity=entity,
            mode=mode,
            file_name=safe_file_name(file_name),
            requested_by=user_or_none(actor),
            requested_by_label=actor_label(actor),
            scope_id=batch_scope_code(actor),
        )
        target = spool_path(job.pk)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(path), target)
        os.chmod(target, 0o600)
        job.spool_path = str(target)
        try:
            with transaction.atomic():
                job.save(force_insert=True)
                import_check_job_run.enqueue(job_id=str(job.pk))
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        job.refresh_from_db()
        return job
    finally:
        path.unlink(missing_ok=True)


def mark_stale_jobs() -> int:
    """Fail the jobs that stopped moving (a killed worker); delete their spooled files."""
    now = timezone.now()
    stale = ImportJob.objects.filter(
        Q(status=JobStatus.RUNNING, updated_at__lt=now - STALE_AFTER)
        | Q(status=JobStatus.QUEUED, updated_at__lt=now - QUEUED_STALE_AFTER)
    )
    count = 0
    for job in stale:
        changed = ImportJob.objects.filter(pk=job.pk, status=job.status).update(
            status=JobStatus.FAILED, error=STALE_MESSAGE, finished_at=now
        )
        if changed:
            count += 1
            if job.spool_path:
                Path(job.spool_path).unlink(missing_ok=True)
    return count


@task()
def import_check_job_run(job_id: str) -> str:
    """The worker's side: check the spooled file, keeping the job's progress up to date."""
    from fangpin.imports.services import import_check

    job = ImportJob.objects.select_related("requested_by").get(pk=uuid.UUID(job_id))
    path = Path(job.spool_path)
    claimed = ImportJob.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, stage="检查", updated_at=timezone.now()
    )
    if not claimed:
        return str(job.status)  # a retried delivery: the first run already took it
    actor: Any = job.requested_by or job.requested_by_label
    last = [-_PROGRESS_STEP]

    def progress(done: int, total: int) -> None:
        if done - last[0] < _PROGRESS_STEP and done != total:
            return
        last[0] = done
        ImportJob.objects.filter(pk=job.pk).update(
            done=done, total=total, updated_at=timezone.now()
        )

    try:
        batch = import_check(
            actor=actor,
            entity=job.entity,
            path=path,
            file_name=job.file_name,
            mode=job.mode,
            progress=progress,
        )
    except ImportError_ as exc:
        ImportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            error=exc.message[:500],
            batch_id=exc.batch_id,
            finished_at=timezone.now(),
        )
        return JobStatus.FAILED
    except BaseException:
        ImportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            error="校验失败（系统错误），未导入任何数据；请重新上传",
            finished_at=timezone.now(),
        )
        raise
    finally:
        path.unlink(missing_ok=True)
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE, stage="完成", batch=batch, finished_at=timezone.now()
    )
    return JobStatus.DONE
