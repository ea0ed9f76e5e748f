"""Publish or reject a staged feed batch (services write; all audited).

``feed_publish`` renames the staged file into place and, in one transaction, flips the new
batch to ``published`` and the previously published batch of the same feed, period and scope
to ``superseded`` (REL-TX-1, scenario 21): a failure at any step leaves the previous batch
published and untouched, and deletes the failed batch's files.
"""

from __future__ import annotations

import os
import uuid
from typing import Any, Final

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from fangpin.core.audit import actor_label, audit_record
from fangpin.core.models import AuditResult
from fangpin.feeds import storage
from fangpin.feeds._common import STATUS_LABELS, audit_denied, batch_counts, scoped_batch
from fangpin.feeds.access import require_feeds
from fangpin.feeds.errors import FeedError
from fangpin.feeds.models import FeedBatch, FeedStatus

__all__ = ["INVALID_ALLOWANCE", "MAX_INVALID_SHARE", "feed_publish", "feed_reject"]

MAX_INVALID_SHARE: Final = 0.05
#: Invalid rows always tolerated, whatever the share: a 20-row extract with one typo passes.
INVALID_ALLOWANCE: Final = 10


def max_invalid_share() -> float:
    return float(getattr(settings, "FANGPIN_FEEDS_MAX_INVALID_SHARE", MAX_INVALID_SHARE))


def feed_publish(
    *, actor: Any, batch_id: uuid.UUID | str, request: HttpRequest | None = None
) -> FeedBatch:
    """Publish a staged batch, superseding the feed's published batch for the same period.

    The staged file is renamed into place first; then one transaction flips the statuses. On
    any failure the new batch's files are deleted and it is marked rejected, while the
    previously published batch stays published with its file.
    """
    try:
        prefix = require_feeds(actor)
    except FeedError as exc:
        audit_denied(actor, "feeds.publish", request, exc)
        raise
    batch = scoped_batch(actor, batch_id, prefix)
    if batch.status != FeedStatus.STAGED:
        raise FeedError("state", f"该批次{STATUS_LABELS[batch.status]}，不能发布", str(batch.pk))
    if batch.rows_publishable == 0:
        raise FeedError("quality", "该批次没有可发布的行", str(batch.pk))
    share = batch.rows_invalid / batch.rows_total if batch.rows_total else 0.0
    allowance = int(getattr(settings, "FANGPIN_FEEDS_INVALID_ALLOWANCE", INVALID_ALLOWANCE))
    if share > max_invalid_share() and batch.rows_invalid > allowance:
        raise FeedError(
            "quality",
            f"无效行占{share:.1%}，超过允许的{max_invalid_share():.0%}：请更正后重新上传",
            str(batch.pk),
        )
    directory = storage.batch_dir(batch.feed, batch.pk)
    staged, published = directory / storage.STAGED, directory / storage.PUBLISHED
    if not staged.exists():
        raise FeedError("publish", "待发布文件缺失，请重新上传")
    try:
        os.replace(staged, published)
        with transaction.atomic():
            previous = list(
                FeedBatch.objects.select_for_update()
                .filter(
                    feed=batch.feed,
                    period=batch.period,
                    scope_prefix=batch.scope_prefix,
                    status=FeedStatus.PUBLISHED,
                )
                .exclude(pk=batch.pk)
            )
            for old in previous:
                FeedBatch.objects.filter(pk=old.pk, status=FeedStatus.PUBLISHED).update(
                    status=FeedStatus.SUPERSEDED, superseded_by=batch, version=F("version") + 1
                )
            now = timezone.now()
            flipped = FeedBatch.objects.filter(
                pk=batch.pk, status=FeedStatus.STAGED, version=batch.version
            ).update(
                status=FeedStatus.PUBLISHED,
                decided_at=now,
                decided_by_label=actor_label(actor),
                version=F("version") + 1,
            )
            if flipped != 1:
                raise FeedError("state", "该批次已被他人处理，请刷新")
            audit_record(
                actor=actor,
                action="feeds.publish",
                object_type="feed_batch",
                object_id=batch.pk,
                changes={
                    "feed": batch.feed,
                    "period": batch.period,
                    "superseded": [str(old.pk) for old in previous],
                    **batch_counts(batch),
                },
                request=request,
            )
            for old in previous:
                transaction.on_commit(
                    lambda old=old: storage.remove_batch_files(old.feed, old.pk)  # type: ignore[misc]
                )
    except FeedError as exc:
        batch.refresh_from_db()
        if batch.status == FeedStatus.PUBLISHED:
            raise
        _publish_failed(actor, batch, request, exc.message)
        raise
    except Exception as exc:
        _publish_failed(actor, batch, request, type(exc).__name__)
        raise FeedError(
            "publish", "发布失败，原已发布的数据保持不变；该批次已作废，请重新上传", str(batch.pk)
        ) from exc
    batch.refresh_from_db()
    return batch


def _publish_failed(actor: Any, batch: FeedBatch, request: HttpRequest | None, why: str) -> None:
    storage.remove_batch_files(batch.feed, batch.pk)
    with transaction.atomic():
        FeedBatch.objects.filter(pk=batch.pk, status=FeedStatus.STAGED).update(
            status=FeedStatus.REJECTED,
            decided_at=timezone.now(),
            decided_by_label=actor_label(actor),
            version=F("version") + 1,
        )
        audit_record(
            actor=actor,
            action="feeds.publish",
            object_type="feed_batch",
            object_id=batch.pk,
            changes={"feed": batch.feed, "period": batch.period, "error": why[:200]},
            result=AuditResult.FAILURE,
            request=request,
        )


def feed_reject(
    *, actor: Any, batch_id: uuid.UUID | str, reason: str = "", request: HttpRequest | None = None
) -> FeedBatch:
    """Reject a staged batch: it will never be published; its files are deleted."""
    try:
        prefix = require_feeds(actor)
    except FeedError as exc:
        audit_denied(actor, "feeds.reject", request, exc)
        raise
    batch = scoped_batch(actor, batch_id, prefix)
    with transaction.atomic():
        flipped = FeedBatch.objects.filter(
            pk=batch.pk, status=FeedStatus.STAGED, version=batch.version
        ).update(
            status=FeedStatus.REJECTED,
            decided_at=timezone.now(),
            decided_by_label=actor_label(actor),
            version=F("version") + 1,
        )
        if flipped != 1:
            raise FeedError("state", f"该批次{STATUS_LABELS[batch.status]}，不能驳回")
        audit_record(
            actor=actor,
            action="feeds.reject",
            object_type="feed_batch",
            object_id=batch.pk,
            changes={"feed": batch.feed, "period": batch.period, "reason": reason[:200]},
            request=request,
        )
        transaction.on_commit(lambda: storage.remove_batch_files(batch.feed, batch.pk))
    batch.refresh_from_db()
    return batch
