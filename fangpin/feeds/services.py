"""Import department-feed files (services write; all audited).

``feed_import`` reads, validates, matches and stages a file: the rows go to
``staged.parquet`` and one ``FeedBatch`` (status ``staged``) with its report is written with one
audit event. The same file (sha256) for the same feed, period and importer scope is imported
once (REL-IDEM-1). Publication and rejection live in :mod:`fangpin.feeds.publishing` and are
re-exported here, so callers import every feed service from one place.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Final

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from fangpin.contract.feeds import FEED_TABLES
from fangpin.core.audit import actor_label, audit_record
from fangpin.core.models import AuditResult
from fangpin.feeds import storage
from fangpin.feeds._common import STATUS_LABELS, audit_denied, batch_counts
from fangpin.feeds.access import require_feeds
from fangpin.feeds.errors import FeedAlreadyImportedError, FeedError
from fangpin.feeds.headers import ID_COLUMNS, canonical_header, header_map
from fangpin.feeds.models import FeedBatch, FeedStatus
from fangpin.feeds.publishing import feed_publish, feed_reject
from fangpin.feeds.reading import read_table
from fangpin.feeds.validation import (
    OUT_OF_SCOPE,
    UNMATCHED,
    Issue,
    Validated,
    column_label,
    validate_table,
)
from fangpin.registry.masking import mask_id
from fangpin.registry.models import ACTIVE, Person, identity_index

__all__ = ["check_request", "feed_import", "feed_publish", "feed_reject", "safe_file_name"]

Progress = Callable[[str, int, int], None]
MAX_REPORTED_ISSUES: Final = 20_000
_PERIOD: Final = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")
_MATCH_CHUNK: Final = 900  # under SQLite's bound-parameter limit


def check_request(feed: str, period: str) -> None:
    if feed not in FEED_TABLES:
        raise FeedError("feed", f"未知的部门数据“{feed[:40]}”：可选 {'、'.join(FEED_TABLES)}")
    if not _PERIOD.match(period):
        raise FeedError("period", f"所属月份“{period[:20]}”格式错误，应为YYYY-MM，如2024-06")


def safe_file_name(name: str) -> str:
    """The upload's file name as stored and shown: any ID-like digit run masked, 200 chars."""
    return re.sub(r"[0-9]{15,}[0-9Xx]*", lambda m: mask_id(m.group()), name)[:200]


def _identity_index(number: str) -> str:
    """The registry's blind index of a resident ID number (证件类型 1)."""
    return identity_index("1", number)


def _match(indexes: set[str]) -> dict[str, tuple[int, str, str]]:
    """Blind index → (person id, household number, village code), active persons first."""
    found: dict[str, tuple[int, str, str, bool]] = {}
    ordered = sorted(indexes)
    for start in range(0, len(ordered), _MATCH_CHUNK):
        rows = Person.objects.filter(id_number_index__in=ordered[start : start + _MATCH_CHUNK])
        for index, pk, status, number, village in rows.values_list(
            "id_number_index", "id", "status", "household__household_number", "household__village"
        ):
            is_active = status == ACTIVE
            if index not in found or (is_active and not found[index][3]):
                found[index] = (pk, number, village, is_active)
    return {k: (pk, number, village) for k, (pk, number, village, _) in found.items()}


def _record_rejected_file(
    *,
    actor: Any,
    feed: str,
    period: str,
    sha256: str,
    source_name: str,
    prefix: str,
    exc: FeedError,
    request: HttpRequest | None,
) -> FeedBatch:
    with transaction.atomic():
        batch = FeedBatch.objects.create(
            feed=feed,
            period=period,
            source_sha256=sha256,
            source_name=source_name[:200],
            uploaded_by=actor if getattr(actor, "pk", None) is not None else None,
            uploaded_by_label=actor_label(actor),
            scope_prefix=prefix,
            status=FeedStatus.REJECTED,
            report={"file_error": {"code": exc.code, "message": exc.message}, "issues": []},
            decided_at=timezone.now(),
            decided_by_label=actor_label(actor),
        )
        audit_record(
            actor=actor,
            action="feeds.import",
            object_type="feed_batch",
            object_id=batch.pk,
            changes={"feed": feed, "period": period, "error": exc.code},
            result=AuditResult.FAILURE,
            request=request,
        )
    return batch


def feed_import(
    *,
    actor: Any,
    feed: str,
    period: str,
    source: Path | IO[bytes],
    source_name: str = "",
    request: HttpRequest | None = None,
    publish: bool = False,
    progress: Progress | None = None,
) -> FeedBatch:
    """Read, validate, match and stage one department file; publish it too when asked.

    Raises :class:`FeedAlreadyImportedError` (「该文件已导入」) for a file already imported for
    this feed and period, creating nothing; :class:`FeedError` for a file that cannot be read
    (recorded as a rejected batch, its id in ``batch_id``) or a request that is refused.
    """
    try:
        prefix = require_feeds(actor)
    except FeedError as exc:
        audit_denied(actor, "feeds.import", request, exc)
        raise
    check_request(feed, period)
    if not source_name and isinstance(source, Path):
        source_name = source.name
    source_name = safe_file_name(source_name)
    upload, sha256 = storage.copy_upload(source)
    try:
        existing = _existing(feed, period, prefix, sha256)
        if existing is not None:
            raise _already(existing)
        report = progress or (lambda stage, done, total: None)
        try:
            report("读取文件", 0, 1)
            table = read_table(upload)
            report("读取文件", 1, 1)
            validated = validate_table(
                feed,
                table,
                index_of=_identity_index,
                today=timezone.localdate(),
                progress=lambda done, total: report("校验", done, total),
            )
        except FeedError as exc:
            batch = _record_rejected_file(
                actor=actor,
                feed=feed,
                period=period,
                sha256=sha256,
                source_name=source_name,
                prefix=prefix,
                exc=exc,
                request=request,
            )
            exc.batch_id = str(batch.pk)
            raise
        ignored = [h for h in table.headers if canonical_header(h) not in header_map(feed)]
        batch = _stage(
            actor=actor,
            feed=feed,
            period=period,
            sha256=sha256,
            source_name=source_name,
            prefix=prefix,
            validated=validated,
            source_format=table.source_format,
            encoding=table.encoding,
            ignored=ignored,
            request=request,
            report=report,
        )
    finally:
        upload.unlink(missing_ok=True)
    if publish:
        return feed_publish(actor=actor, batch_id=batch.pk, request=request)
    return batch


def _existing(feed: str, period: str, prefix: str, sha256: str) -> FeedBatch | None:
    return (
        FeedBatch.objects.filter(
            feed=feed, period=period, scope_prefix=prefix, source_sha256=sha256
        )
        .exclude(status=FeedStatus.REJECTED)
        .first()
    )


def _already(batch: FeedBatch) -> FeedAlreadyImportedError:
    return FeedAlreadyImportedError(
        "duplicate",
        f"该文件已导入（批次{batch.pk}，{STATUS_LABELS[batch.status]}）",
        str(batch.pk),
    )


def _stage(
    *,
    actor: Any,
    feed: str,
    period: str,
    sha256: str,
    source_name: str,
    prefix: str,
    validated: Validated,
    source_format: str,
    encoding: str,
    ignored: list[str],
    request: HttpRequest | None,
    report: Progress,
) -> FeedBatch:
    """Match the valid rows, write them to staged.parquet and record the staged batch."""
    id_column = ID_COLUMNS[feed]
    id_label = column_label(feed, id_column)
    matches = _match({row.id_index for row in validated.rows})
    issues = list(validated.issues)
    rows: list[dict[str, Any]] = []
    matched = unmatched = outside = 0
    for done, row in enumerate(validated.rows):
        if done % 10_000 == 0:
            report("匹配在册人员", done, len(validated.rows))
        masked = row.values[id_column]
        found = matches.get(row.id_index)
        if found is not None and not found[2].startswith(prefix):
            outside += 1  # never say who: no value, no name, no household
            issues.append(Issue(row.row, "", "", "辖区外人员", OUT_OF_SCOPE))
            continue
        if found is None:
            unmatched += 1
            issues.append(Issue(row.row, id_label, masked, "登记库中无此人（未匹配）", UNMATCHED))
        else:
            matched += 1
        values = {k: v for k, v in row.values.items() if k != id_column}
        rows.append(
            {
                **values,
                "row_number": row.row,
                "id_number_index": row.id_index,
                "id_number_masked": masked,
                "person_id": found[0] if found else None,
                "household_number": found[1] if found else None,
                "matched_village_code": found[2] if found else None,
            }
        )
    report("匹配在册人员", len(validated.rows), len(validated.rows))
    issues.sort(key=lambda i: (i.row, i.kind, i.column))
    batch = FeedBatch(
        feed=feed,
        period=period,
        source_sha256=sha256,
        source_name=source_name[:200],
        source_format=source_format,
        source_encoding=encoding,
        uploaded_by=actor if getattr(actor, "pk", None) is not None else None,
        uploaded_by_label=actor_label(actor),
        scope_prefix=prefix,
        status=FeedStatus.STAGED,
        rows_total=validated.total,
        rows_publishable=len(rows),
        rows_matched=matched,
        rows_unmatched=unmatched,
        rows_invalid=validated.invalid_rows,
        rows_duplicate=validated.duplicate_rows,
        rows_out_of_scope=outside,
        report={
            "file_error": None,
            "issues": [i.as_dict() for i in issues[:MAX_REPORTED_ISSUES]],
            "issues_total": len(issues),
            "ignored_columns": ignored,
        },
    )
    directory = storage.batch_dir(feed, batch.pk)
    try:
        report("写入暂存区", 0, 1)
        storage.write_rows(feed, directory, rows)
        with transaction.atomic():
            batch.save(force_insert=True)
            audit_record(
                actor=actor,
                action="feeds.import",
                object_type="feed_batch",
                object_id=batch.pk,
                changes={
                    "feed": feed,
                    "period": period,
                    "status": batch.status,
                    **batch_counts(batch),
                },
                request=request,
            )
        report("写入暂存区", 1, 1)
    except IntegrityError:
        storage.remove_batch_files(feed, batch.pk)
        existing = _existing(feed, period, prefix, sha256)
        if existing is None:
            raise
        raise _already(existing) from None
    except BaseException:
        storage.remove_batch_files(feed, batch.pk)
        raise
    return batch
