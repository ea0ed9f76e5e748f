"""Large feed files in the background (django-tasks, ADR 0001), with visible progress.

``feed_import_start`` counts a file's rows cheaply (Parquet metadata, CSV line ends, the
Excel sheet's dimensions). Up to ``FANGPIN_FEEDS_BACKGROUND_ROWS`` rows (default 20,000) it
imports at once and returns the batch; above, it keeps the file in the spool, records a
:class:`FeedImportJob` and enqueues :func:`feed_import_job_run` for the worker that
``fangpin serve`` starts (``db_worker``). The job row carries the progress the page polls.
The CLI always imports synchronously, with progress bars.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import IO, Any, Final

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_tasks import task

from fangpin.core.audit import actor_label
from fangpin.feeds import storage
from fangpin.feeds._common import audit_denied
from fangpin.feeds.access import require_feeds
from fangpin.feeds.errors import FeedError
from fangpin.feeds.models import FeedBatch, FeedImportJob, FeedJobStatus
from fangpin.feeds.services import check_request, feed_import, safe_file_name
from fangpin.sheets.reading import count_rows

__all__ = ["BACKGROUND_ROWS", "estimate_rows", "feed_import_job_run", "feed_import_start"]

BACKGROUND_ROWS: Final = 20_000
_PROGRESS_STEP: Final = 5_000


def background_rows() -> int:
    return int(getattr(settings, "FANGPIN_FEEDS_BACKGROUND_ROWS", BACKGROUND_ROWS))


def spool_path(job_id: object) -> Path:
    return storage.feeds_root() / "spool" / f"{job_id}.part"


def estimate_rows(path: Path) -> int:
    """About how many data rows ``path`` holds, without reading it whole (0 if unreadable);
    an Excel file's container is checked before calamine opens it."""
    return count_rows(path)


def feed_import_start(
    *,
    actor: Any,
    feed: str,
    period: str,
    source: Path | IO[bytes],
    source_name: str = "",
    request: HttpRequest | None = None,
    publish: bool = False,
) -> FeedBatch | FeedImportJob:
    """Import a small file now (the batch) or queue a large one (the job)."""
    try:
        require_feeds(actor)
    except FeedError as exc:
        audit_denied(actor, "feeds.import", request, exc)
        raise
    check_request(feed, period)
    if not source_name and isinstance(source, Path):
        source_name = source.name
    upload, _sha256 = storage.copy_upload(source)
    try:
        rows = estimate_rows(upload)
        if rows <= background_rows():
            return feed_import(
                actor=actor,
                feed=feed,
                period=period,
                source=upload,
                source_name=source_name,
                request=request,
                publish=publish,
            )
        job = FeedImportJob(
            feed=feed,
            period=period,
            source_name=safe_file_name(source_name),
            rows_estimated=rows,
            publish=publish,
            requested_by=actor if getattr(actor, "pk", None) is not None else None,
            requested_by_label=actor_label(actor),
        )
        target = spool_path(job.pk)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(upload, target)
        try:
            with transaction.atomic():
                job.save(force_insert=True)
                # The database backend stores the task row in this same transaction.
                feed_import_job_run.enqueue(job_id=str(job.pk))
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        job.refresh_from_db()
        return job
    finally:
        upload.unlink(missing_ok=True)


@task()
def feed_import_job_run(job_id: str) -> str:
    """The worker's side: import the spooled file, keeping the job's progress up to date."""
    job = FeedImportJob.objects.get(pk=uuid.UUID(job_id))
    if job.status != FeedJobStatus.QUEUED:
        return job.status  # a retried delivery: the first run already took it
    FeedImportJob.objects.filter(pk=job.pk).update(status=FeedJobStatus.RUNNING)
    actor: Any = job.requested_by or job.requested_by_label
    path = spool_path(job.pk)
    last: dict[str, int] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if stage in last and done - last[stage] < _PROGRESS_STEP and done != total:
            return
        last[stage] = done
        FeedImportJob.objects.filter(pk=job.pk).update(stage=stage, done=done, total=total)

    try:
        batch = feed_import(
            actor=actor,
            feed=job.feed,
            period=job.period,
            source=path,
            source_name=job.source_name,
            publish=job.publish,
            progress=progress,
        )
    except FeedError as exc:
        failed_batch = FeedBatch.objects.filter(pk=exc.batch_id).first() if exc.batch_id else None
        FeedImportJob.objects.filter(pk=job.pk).update(
            status=FeedJobStatus.FAILED,
            error_message=exc.message[:500],
            batch=failed_batch,
            finished_at=timezone.now(),
        )
        return FeedJobStatus.FAILED
    except BaseException:
        FeedImportJob.objects.filter(pk=job.pk).update(
            status=FeedJobStatus.FAILED,
            error_message="导入失败（系统错误），原已发布的数据未受影响；请重新上传",
            finished_at=timezone.now(),
        )
        raise
    finally:
        path.unlink(missing_ok=True)
    FeedImportJob.objects.filter(pk=job.pk).update(
        status=FeedJobStatus.SUCCEEDED, batch=batch, finished_at=timezone.now()
    )
    return FeedJobStatus.SUCCEEDED
