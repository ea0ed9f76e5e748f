"""Read feed batches and published rows, scoped (selectors read; all take ``user=``).

A batch is visible to a user whose scope contains the importer's scope (a 州 officer sees the
batches of the county officers below). Published rows are filtered once more by the matched
person's village, so a county user never reads another county's matched rows; unmatched rows
belong to the batch's scope.
"""

from __future__ import annotations

import uuid
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from fangpin.core.access import is_system_actor
from fangpin.feeds import storage
from fangpin.feeds.access import feeds_scope_prefix
from fangpin.feeds.models import FeedBatch, FeedImportJob, FeedStatus

__all__ = [
    "feed_batch_get",
    "feed_batch_list",
    "feed_job_get",
    "feed_published_batches",
    "feed_rows_published",
]


def feed_batch_list(
    *, user: Any, feed: str | None = None, period: str | None = None, status: str | None = None
) -> QuerySet[FeedBatch]:
    """The batches ``user`` may see, newest first (none without the right)."""
    prefix = feeds_scope_prefix(user)
    if prefix is None:
        return FeedBatch.objects.none()
    batches = FeedBatch.objects.filter(scope_prefix__startswith=prefix)
    if feed:
        batches = batches.filter(feed=feed)
    if period:
        batches = batches.filter(period=period)
    if status:
        batches = batches.filter(status=status)
    return batches.order_by("-created_at")


def feed_batch_get(*, user: Any, batch_id: uuid.UUID | str) -> FeedBatch:
    """One batch in ``user``'s view; ``FeedBatch.DoesNotExist`` otherwise (views answer 404)."""
    try:
        return feed_batch_list(user=user).get(pk=batch_id)
    except (ValueError, TypeError, ValidationError):  # a malformed id: no such batch
        raise FeedBatch.DoesNotExist from None


def feed_published_batches(*, user: Any, feed: str, period: str) -> list[FeedBatch]:
    """The published batches of ``feed`` and ``period`` whose scope overlaps ``user``'s.

    One per importer scope: a county's own batch, and the batch of a 州 or of the system
    (CLI) that covers the county. Counts and reports of the wider batches are not shown to
    the narrower user (:func:`feed_batch_list`); only their rows inside the scope are.
    """
    prefix = feeds_scope_prefix(user)
    if prefix is None:
        return []
    published = FeedBatch.objects.filter(feed=feed, period=period, status=FeedStatus.PUBLISHED)
    return [
        b
        for b in published
        if b.scope_prefix.startswith(prefix) or prefix.startswith(b.scope_prefix)
    ]


def feed_rows_published(*, user: Any, feed: str, period: str) -> pa.Table:
    """The published rows of ``feed`` and ``period`` inside ``user``'s scope (Arrow table).

    A matched row is visible when its person's village lies in the scope; an unmatched row
    when its batch was imported within the scope. An empty table (with the schema) when
    nothing is published or visible.
    """
    schema = storage.published_schema(feed)
    prefix = feeds_scope_prefix(user)
    if prefix is None:
        return schema.empty_table()
    parts = [schema.empty_table()]
    for batch in feed_published_batches(user=user, feed=feed, period=period):
        table = pq.read_table(storage.batch_dir(feed, batch.pk) / storage.PUBLISHED, schema=schema)
        village = table.column("matched_village_code")
        inside = pc.fill_null(pc.starts_with(village, prefix), False)
        if batch.scope_prefix.startswith(prefix):
            inside = pc.or_(inside, pc.is_null(village))
        parts.append(table.filter(inside))
    return pa.concat_tables(parts)


def feed_job_get(*, user: Any, job_id: uuid.UUID | str) -> FeedImportJob:
    """A background import job of ``user``'s own (the system sees all); DoesNotExist otherwise."""
    if feeds_scope_prefix(user) is None:
        raise FeedImportJob.DoesNotExist
    jobs = FeedImportJob.objects.all()
    if getattr(user, "pk", None) is not None:
        jobs = jobs.filter(requested_by_id=user.pk)
    elif not is_system_actor(user):
        raise FeedImportJob.DoesNotExist
    try:
        return jobs.get(pk=job_id)
    except (ValueError, TypeError, ValidationError):
        raise FeedImportJob.DoesNotExist from None
