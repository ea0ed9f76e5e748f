"""Excel and CSV imports into the registry: template, check, apply, discard, error workbook.

A file goes through two steps. :func:`import_check` reads it safely
(:mod:`fangpin.sheets.reading`), validates every row with the registry's own validators and
records an :class:`~fangpin.imports.models.ImportBatch` with every problem found; a clean file's
rows are staged, already normalised and encrypted. :func:`import_apply` writes a clean batch in
one transaction, all or nothing, with one audit event. docs/imports.md tells the whole story.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import IO, Any, Final

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from fangpin.core.access import REGISTRY_EDIT, is_system_actor, user_can
from fangpin.core.audit import actor_label, audit_record, user_or_none
from fangpin.core.models import AuditResult
from fangpin.imports import staging
from fangpin.imports.applying import apply_rows
from fangpin.imports.errors import (
    ImportAlreadyAppliedError,
    ImportApplyError,
    ImportError_,
    ImportFileError,
)
from fangpin.imports.models import BatchStatus, ImportBatch, ImportMode
from fangpin.imports.people import PeopleCheck, check_households, check_members
from fangpin.imports.records import check_conditions, check_finances
from fangpin.imports.selectors import batch_scope_code, import_batch_get
from fangpin.imports.sheetio import error_workbook, template_columns, write_entity_template
from fangpin.imports.specs import ENTITIES, ENTITY_LABELS, columns_for
from fangpin.registry.errors import RegistryError
from fangpin.registry.masking import mask_id, mask_phone
from fangpin.sheets.reading import IMPORT_LIMITS, Limits, SheetError, read_table
from fangpin.sheets.template import map_headers

__all__ = [
    "KEEP_CHECKED_DAYS",
    "import_apply",
    "import_batches_expire",
    "import_check",
    "import_discard",
    "import_error_workbook",
    "import_template",
    "safe_file_name",
]

Progress = Callable[[int, int], None]
#: What one file may hold (rows, zip entries …: SECURITY.md ASVS 5.2.1 and scenario 14).
LIMITS: Limits = IMPORT_LIMITS
_FILE_NAME_MAX: Final = 200
KEEP_CHECKED_DAYS: Final = 7
"""A checked batch neither applied nor discarded within this many days is discarded by
``fangpin housekeeping`` and its staged rows deleted (they hold encrypted personal data)."""

_CHECKERS: Final = {
    "households": check_households,
    "members": check_members,
}


def _require_edit(actor: Any, attempted: str) -> None:
    """Refuse an actor without ``registry.edit`` (audited as ``authz.denied``)."""
    if is_system_actor(actor) or user_can(actor, REGISTRY_EDIT):
        return
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="authz.denied",
            object_type="importbatch",
            object_id="",
            changes={"attempted": attempted, "reason": "capability"},
            result=AuditResult.DENIED,
        )
    raise ImportError_("forbidden", "当前账号无权导入农户登记信息")


def _check_request(entity: str, mode: str) -> None:
    if entity not in ENTITIES:
        raise ImportError_("entity", f"未知的导入内容“{entity}”")
    if mode not in ImportMode.values:
        raise ImportError_("mode", f"未知的导入方式“{mode}”")
    if entity in ("households", "members") and mode != ImportMode.CREATE:
        raise ImportError_("mode", f"{ENTITY_LABELS[entity]}只能新增，不能按“新增或更新”导入")


def import_template(*, actor: Any, entity: str, target: str | Path | IO[bytes]) -> None:
    """Write the blank .xlsx template of ``entity`` for ``actor``: the 村代码 drop-down lists
    the current villages in the actor's scope; instructions and examples on 「填写说明」."""
    _require_edit(actor, "import_template")
    _check_request(entity, ImportMode.CREATE)
    write_entity_template(actor=actor, entity=entity, target=target)


def safe_file_name(name: str) -> str:
    """The upload's file name as stored and shown: no folders, printable characters only, any
    ID-like digit run (15 digits or more) and any mobile number masked, 200 characters at most."""
    base = Path(name.replace("\\", "/")).name
    printable = "".join(ch for ch in base if ch.isprintable())
    masked = re.sub(r"[0-9]{15,}[0-9Xx]*", lambda m: mask_id(m.group()), printable)
    masked = re.sub(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])", lambda m: mask_phone(m.group()), masked)
    return masked[:_FILE_NAME_MAX]


def _new_batch(
    *, actor: Any, entity: str, mode: str, file_name: str, sha256: str, status: str
) -> ImportBatch:
    return ImportBatch(
        id=uuid.uuid4(),
        entity=entity,
        mode=mode,
        file_name=safe_file_name(file_name),
        sha256=sha256,
        status=status,
        created_by=user_or_none(actor),
        created_by_label=actor_label(actor),
        scope_id=batch_scope_code(actor),
    )


def _refuse_file(batch: ImportBatch, code: str, message: str) -> ImportFileError:
    batch.status = BatchStatus.REFUSED
    batch.report = {"file_error": {"code": code, "message": message}, "issues": []}
    with transaction.atomic():
        batch.save(force_insert=True)
        audit_record(
            actor=_actor_of(batch),
            action="registry.import_check",
            object_type="importbatch",
            object_id=batch.pk,
            changes={
                "entity": batch.entity,
                "mode": batch.mode,
                "sha256": batch.sha256,
                "status": batch.status,
                "file_error": code,
            },
            result=AuditResult.FAILURE,  # a refused file: nothing checked, nothing staged
        )
    return ImportFileError(code, message, batch.pk)


def _actor_of(batch: ImportBatch) -> Any:
    return batch.created_by or batch.created_by_label


def _same_file(actor: Any, entity: str, mode: str, sha256: str) -> Any:
    return ImportBatch.objects.filter(
        sha256=sha256, entity=entity, mode=mode, scope_id=batch_scope_code(actor)
    )


def _run_check(
    *, actor: Any, entity: str, mode: str, path: Path, progress: Progress | None
) -> tuple[PeopleCheck | None, tuple[str, str] | None]:
    """Read and check the file; return the check, or a file-level refusal (code, message)."""
    columns = columns_for(entity)
    try:
        table = read_table(path, limits=LIMITS)
        positions, missing, _unknown = map_headers(table.headers, template_columns(columns))
    except SheetError as exc:
        return None, (exc.code, exc.message)
    if table.truncated_row is not None:
        return None, (
            "truncated",
            f"文件第{table.truncated_row}行不完整（文件可能被截断或上传中断），请重新导出后上传",
        )
    if missing:
        return None, ("columns", "文件缺少必需的列：" + "、".join(missing))
    if not table.rows:
        return None, ("empty", "文件中没有数据行")
    if entity in _CHECKERS:
        check = _CHECKERS[entity](
            actor=actor, rows=table.rows, index_by_key=positions, columns=columns, progress=progress
        )
    elif entity == "finances":
        check = check_finances(
            actor=actor,
            rows=table.rows,
            index_by_key=positions,
            columns=columns,
            mode=mode,
            progress=progress,
        )
    else:
        check = check_conditions(
            actor=actor,
            rows=table.rows,
            index_by_key=positions,
            columns=columns,
            mode=mode,
            progress=progress,
        )
    if check.row_count == 0:
        return None, ("empty", "文件中没有数据行")
    return check, None


def import_check(
    *,
    actor: Any,
    entity: str,
    path: Path,
    file_name: str,
    mode: str = "create",
    progress: Progress | None = None,
) -> ImportBatch:
    """Check the file at ``path`` and record the batch.

    ``path`` stays the caller's: the web deletes its spooled upload when this returns, the
    background job its spool file, and the CLI leaves the user's own file alone. Nothing of
    the file is kept but its name, its sha256 and, for a clean file, the staged rows.

    A file refused as a whole (unsafe, unreadable, empty, required columns missing) is recorded
    as ``refused`` and raises :class:`ImportFileError`. Row problems do not raise: the batch is
    ``checked`` with ``error_count`` > 0 and every issue in ``report``. The same file (sha256,
    entity, mode, the actor's scope) already applied raises :class:`ImportAlreadyAppliedError`;
    already checked and pending, its batch is returned (REL-IDEM-1) — also when the other
    check ran at the same moment and saved its batch first (the database allows one).
    """
    path = Path(path)
    _require_edit(actor, "import_check")
    _check_request(entity, mode)
    sha256 = staging.file_sha256(path)
    pending = _pending_or_refuse_applied(actor, entity, mode, sha256)
    if pending is not None:
        return pending
    batch = _new_batch(
        actor=actor,
        entity=entity,
        mode=mode,
        file_name=file_name,
        sha256=sha256,
        status=BatchStatus.CHECKED,
    )
    try:
        check, refusal = _run_check(
            actor=actor, entity=entity, mode=mode, path=path, progress=progress
        )
    except Exception:
        batch.status = BatchStatus.FAILED
        batch.report = {
            "file_error": {"code": "internal", "message": "校验失败（系统错误），请重新上传"},
            "issues": [],
        }
        batch.save(force_insert=True)
        raise
    if refusal is not None:
        raise _refuse_file(batch, *refusal)
    assert check is not None
    findings = check.findings
    batch.row_count = check.row_count
    batch.error_count = findings.total
    batch.report = findings.as_report()
    if findings.total == 0:
        staging.write_staged(batch.pk, check.staged)
    try:
        with transaction.atomic():
            batch.save(force_insert=True)
            audit_record(
                actor=actor,
                action="registry.import_check",
                object_type="importbatch",
                object_id=batch.pk,
                changes={
                    "entity": entity,
                    "mode": mode,
                    "sha256": sha256,
                    "rows": batch.row_count,
                    "errors": batch.error_count,
                },
            )
    except IntegrityError:
        # The same file, checked at the same moment by another request, got its batch in first
        # (``import_batch_once_per_file``): answer as a second upload is answered.
        staging.remove_batch_files(batch.pk)
        twin = _pending_or_refuse_applied(actor, entity, mode, sha256)
        if twin is None:
            raise
        return twin
    except BaseException:
        staging.remove_batch_files(batch.pk)
        raise
    return batch


def _pending_or_refuse_applied(
    actor: Any, entity: str, mode: str, sha256: str
) -> ImportBatch | None:
    """The pending batch of the same file, if any; :class:`ImportAlreadyAppliedError` when the
    same file was applied already (REL-IDEM-1)."""
    earlier = _same_file(actor, entity, mode, sha256)
    applied = earlier.filter(status=BatchStatus.APPLIED).first()
    if applied is not None:
        raise ImportAlreadyAppliedError(
            "applied",
            f"该文件已于{timezone.localtime(applied.applied_at):%Y-%m-%d %H:%M}导入，不会重复导入",
            applied.pk,
        )
    pending: ImportBatch | None = (
        earlier.filter(status=BatchStatus.CHECKED).order_by("-created_at").first()
    )
    return pending


def import_apply(*, actor: Any, batch_id: Any, expected_version: int | None = None) -> ImportBatch:
    """Write a clean checked batch, all or nothing, in one transaction with one audit event.

    Raises :class:`ImportAlreadyAppliedError` (「已导入」) when the batch or the same file was
    applied already, also by a concurrent request, and :class:`ImportApplyError` when the batch
    has errors, is not pending, or the registry changed since the check (nothing is written;
    the batch stays ``checked`` so it can be discarded, or the file checked again).
    """
    _require_edit(actor, "import_apply")
    batch = _get(actor, batch_id)
    if batch.status == BatchStatus.APPLIED:
        raise _already(batch)
    if batch.status != BatchStatus.CHECKED:
        raise ImportApplyError(
            "status", f"该批次状态为“{batch.get_status_display()}”，不能导入", batch.pk
        )
    if batch.error_count:
        raise ImportApplyError(
            "has_errors", f"文件有{batch.error_count}处错误，请改正后重新上传", batch.pk
        )
    if expected_version is not None and expected_version != batch.version:
        raise ImportApplyError("stale", "该批次已被他人处理，请刷新后重试", batch.pk)
    twin = (
        _same_file(actor, batch.entity, batch.mode, batch.sha256)
        .filter(status=BatchStatus.APPLIED)
        .exclude(pk=batch.pk)
        .first()
    )
    if twin is not None:
        raise _already(twin)
    records = staging.read_staged(batch.pk)
    if records is None:
        raise ImportApplyError(
            "staged_missing", "该批次的待导入数据已不存在，请重新上传文件", batch.pk
        )
    try:
        with transaction.atomic():
            claimed = ImportBatch.objects.filter(
                pk=batch.pk, status=BatchStatus.CHECKED, version=batch.version
            ).update(status=BatchStatus.APPLIED, version=F("version") + 1)
            if claimed != 1:
                raise _already(batch)
            applied = apply_rows(actor=actor, entity=batch.entity, records=records)
            now = timezone.now()
            object_ids: dict[str, Any] = dict(applied.object_ids)
            if applied.changes:
                object_ids["changes"] = applied.changes
            ImportBatch.objects.filter(pk=batch.pk).update(
                counts=applied.counts, object_ids=object_ids, applied_at=now
            )
            audit_record(
                actor=actor,
                action="registry.import",
                object_type="importbatch",
                object_id=batch.pk,
                changes={
                    "batch": str(batch.pk),
                    "entity": batch.entity,
                    "mode": batch.mode,
                    "sha256": batch.sha256,
                    "file_name": batch.file_name,
                    "counts": applied.counts,
                    **({"updated": applied.changes} if applied.changes else {}),
                },
            )
            transaction.on_commit(lambda: staging.remove_batch_files(batch.pk))
    except RegistryError as exc:
        raise ImportApplyError(
            "stale", f"未导入任何数据：{exc.message}。请重新上传文件检查", batch.pk
        ) from exc
    except IntegrityError as exc:
        raise ImportApplyError(
            "stale",
            "未导入任何数据：登记库中已有冲突的数据（如证件号码已被在册人员使用、户编号重复），"
            "请重新上传文件检查",
            batch.pk,
        ) from exc
    except ImportApplyError as exc:
        exc.batch_id = batch.pk
        raise
    batch.refresh_from_db()
    return batch


def _already(batch: ImportBatch) -> ImportAlreadyAppliedError:
    return ImportAlreadyAppliedError("applied", "该文件已导入，不会重复导入", batch.pk)


def _get(actor: Any, batch_id: Any) -> ImportBatch:
    try:
        return import_batch_get(user=actor, batch_id=batch_id)
    except ImportBatch.DoesNotExist:
        raise ImportError_("not_found", "未找到该导入批次") from None


def import_discard(*, actor: Any, batch_id: Any) -> ImportBatch:
    """Give up a checked batch: its staged rows are deleted; audited."""
    _require_edit(actor, "import_discard")
    batch = _get(actor, batch_id)
    if batch.status == BatchStatus.APPLIED:
        raise _already(batch)
    with transaction.atomic():
        changed = (
            ImportBatch.objects.filter(pk=batch.pk, version=batch.version)
            .exclude(status=BatchStatus.APPLIED)
            .update(status=BatchStatus.DISCARDED, version=F("version") + 1)
        )
        if changed != 1:
            raise ImportApplyError("stale", "该批次已被他人处理，请刷新后重试", batch.pk)
        audit_record(
            actor=actor,
            action="registry.import_discard",
            object_type="importbatch",
            object_id=batch.pk,
            changes={"status": [batch.status, BatchStatus.DISCARDED]},
        )
        transaction.on_commit(lambda: staging.remove_batch_files(batch.pk))
    batch.refresh_from_db()
    return batch


def import_error_workbook(*, actor: Any, batch_id: Any, target: str | Path | IO[bytes]) -> None:
    """Write the error workbook of a batch: the failing rows (ID, phone and health masked) and
    one line per problem."""
    _require_edit(actor, "import_error_workbook")
    batch = _get(actor, batch_id)
    error_workbook(batch, target)


def import_batches_expire(*, actor: Any, now: Any = None) -> int:
    """Discard the batches checked more than :data:`KEEP_CHECKED_DAYS` days ago and never
    applied nor discarded, deleting their staged rows; return how many (``fangpin
    housekeeping``). Only a system actor may; idempotent; one audit event with the count."""
    if not is_system_actor(actor):
        raise ImportError_("forbidden", "只有系统任务可以清理过期的导入批次")
    cutoff = (now or timezone.now()) - timedelta(days=KEEP_CHECKED_DAYS)
    with transaction.atomic():
        ids = list(
            ImportBatch.objects.select_for_update()
            .filter(status=BatchStatus.CHECKED, created_at__lt=cutoff)
            .values_list("pk", flat=True)
        )
        if not ids:
            return 0
        ImportBatch.objects.filter(pk__in=ids, status=BatchStatus.CHECKED).update(
            status=BatchStatus.DISCARDED, version=F("version") + 1
        )
        audit_record(
            actor=actor,
            action="registry.import_expire",
            object_type="importbatch",
            object_id=cutoff.date().isoformat(),
            changes={"before": cutoff.isoformat(), "discarded": len(ids)},
        )
        transaction.on_commit(lambda: _remove_files(ids))
    return len(ids)


def _remove_files(batch_ids: list[Any]) -> None:
    for pk in batch_ids:
        staging.remove_batch_files(pk)
