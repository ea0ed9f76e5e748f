"""Helpers shared by the feed services: the denial audit, counts, status labels, scoped get."""

from __future__ import annotations

import uuid
from typing import Any, Final

from django.db import transaction
from django.http import HttpRequest

from fangpin.core.audit import audit_record
from fangpin.core.models import AuditResult
from fangpin.feeds.errors import FeedError
from fangpin.feeds.models import FeedBatch, FeedStatus

STATUS_LABELS: Final = dict(FeedStatus.choices)


def audit_denied(actor: Any, action: str, request: HttpRequest | None, exc: FeedError) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="authz.denied",
            object_type="feeds",
            object_id=action,
            changes={"attempted": action, "reason": exc.code},
            result=AuditResult.DENIED,
            request=request,
        )


def batch_counts(batch: FeedBatch) -> dict[str, int]:
    return {
        "total": batch.rows_total,
        "publishable": batch.rows_publishable,
        "matched": batch.rows_matched,
        "unmatched": batch.rows_unmatched,
        "invalid": batch.rows_invalid,
        "duplicate": batch.rows_duplicate,
        "out_of_scope": batch.rows_out_of_scope,
    }


def scoped_batch(actor: Any, batch_id: uuid.UUID | str, prefix: str) -> FeedBatch:
    try:
        return FeedBatch.objects.get(pk=batch_id, scope_prefix__startswith=prefix)
    except (FeedBatch.DoesNotExist, ValueError, TypeError):
        raise FeedError("not_found", "找不到该批次") from None
