"""Writes of casework: request and execute screening runs, verify clues. Every write audited.

Clue verification (:mod:`fangpin.casework.verification`), clues typed by staff or accepted
from self-declarations (:mod:`fangpin.casework.clue_intake`) and the procedure's cases
(:mod:`fangpin.casework.cases`) live in their modules and are re-exported here, so every
casework write is imported from ``fangpin.casework.services``.

``screening_run_request`` (web, county approver) records a queued run and enqueues
:func:`fangpin.casework.jobs.screening_run_task`; the worker calls
:func:`screening_run_execute`, which the CLI also calls synchronously. A run goes stage by
stage, saving its progress on the run row as it goes:

1. 快照数据库 — ``fangpin.feeds.snapshot.database_snapshot`` writes the region's registry and
   published feeds as a contract dataset (Arrow/Parquet, not the ORM);
2. 筛查 — ``fangpin.screening.screen`` under the edition in force (``fangpin.policy.resolve``),
   one progress step per rule;
3. 发布结果 — ``fangpin.screening.publish`` to ``VAR_DIR/screening/<region>-<YYYY-MM>``
   (atomic: a killed run leaves the previous result);
4. 写入预警 — :func:`fangpin.casework.writeback.warnings_write_back`, in one transaction.

A run that fails is marked ``failed`` with a Chinese message; the warnings and clues of
earlier runs are untouched (the write-back transaction is all or nothing).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from fangpin.casework._common import audit_denied
from fangpin.casework.access import screening_run_prefix
from fangpin.casework.cases import case_decide, case_open
from fangpin.casework.clue_intake import clue_from_declaration, clue_record
from fangpin.casework.errors import CaseworkError
from fangpin.casework.models import (
    ACTIVE_RUN_STATUSES,
    RunStatus,
    ScreeningRun,
)
from fangpin.casework.verification import clue_outcome, clue_verify
from fangpin.casework.writeback import verify_deadline_for, warnings_write_back
from fangpin.core.audit import actor_label, audit_record, user_or_none
from fangpin.core.models import AuditResult
from fangpin.regioncode import RegionCodeError, normalise_code, parse_code, subtree_prefix

__all__ = [
    "ENGINES",
    "HEARTBEAT_STALE_AFTER",
    "STALE_AFTER",
    "case_decide",  # from fangpin.casework.cases: one import path for all writes
    "case_open",
    "clue_from_declaration",  # from fangpin.casework.clue_intake
    "clue_outcome",  # from fangpin.casework.verification
    "clue_record",
    "clue_verify",
    "default_income_year",
    "screening_output_dir",
    "screening_run_create",
    "screening_run_execute",
    "screening_run_request",
]

ENGINES: Final = ("duckdb", "spark")
#: A queued run older than this is taken as lost (no worker took it) and marked failed, so the
#: month can be screened again.
STALE_AFTER: Final = timedelta(hours=6)
#: A running run whose progress has not moved for this long is taken as killed and marked
#: failed (a kill leaves the row "running" and the previous results in place). Every stage
#: reports progress (each rule, each snapshot step); the longest silent step is the bulk
#: write-back inside one transaction, minutes even for a province.
HEARTBEAT_STALE_AFTER: Final = timedelta(minutes=30)
_SYSTEM_ACTOR: Final = "system:screening"

Progress = Callable[[str, int, int], None]


def default_income_year(month: date) -> int:
    """The income year screened in ``month``: its own year in December, else the year before
    (the last complete year's finances, as ``fangpin screen`` allows)."""
    return month.year if month.month == 12 else month.year - 1


def screening_output_dir(region_code: str, month: date) -> Path:
    """``VAR_DIR/screening/<region prefix>-<YYYY-MM>``, e.g. ``var/screening/433124-2024-12``."""
    return Path(settings.VAR_DIR) / "screening" / f"{subtree_prefix(region_code)}-{month:%Y-%m}"


# --- Requesting a run ---------------------------------------------------------------------------


def _check_run_request(month: date, region_code: str, year: int | None, engine: str) -> str:
    if month.day != 1:
        raise CaseworkError("month", f"筛查月份必须是某月 1 日（收到 {month:%Y-%m-%d}）")
    if engine not in ENGINES:
        raise CaseworkError("engine", f"未知的计算引擎“{engine}”（可选 duckdb、spark）")
    if year is not None and year not in (month.year, month.year - 1):
        raise CaseworkError(
            "month", f"收入年度 {year} 与筛查月份 {month:%Y-%m} 不符（应为当年或上一年）"
        )
    try:
        code = normalise_code(region_code)
        parse_code(code)
    except RegionCodeError as exc:
        raise CaseworkError("region", f"区划代码有误：{exc.message}") from exc
    return code


def _expire_stale_runs(month: date, region_code: str) -> None:
    """Mark a run of this month and region as failed when it is queued for longer than
    STALE_AFTER or running without progress for longer than HEARTBEAT_STALE_AFTER."""
    now = timezone.now()
    lost = Q(status=RunStatus.QUEUED, created_at__lt=now - STALE_AFTER)
    silent = Q(status=RunStatus.RUNNING) & (
        Q(heartbeat_at__lt=now - HEARTBEAT_STALE_AFTER)
        | Q(heartbeat_at__isnull=True, created_at__lt=now - STALE_AFTER)
    )
    ScreeningRun.objects.filter(lost | silent, month=month, region_code=region_code).update(
        status=RunStatus.FAILED,
        error_message="运行中断（超时未完成），原有预警与上次结果未受影响",
        finished_at=timezone.now(),
    )


def _run_active_error(month: date, region_code: str) -> CaseworkError:
    return CaseworkError(
        "run_active",
        f"{subtree_prefix(region_code)} {month:%Y-%m} 已有排队或运行中的筛查，请等待其完成",
    )


def _new_run(
    *,
    actor: Any,
    month: date,
    region_code: str,
    year: int | None,
    engine: str,
    output_dir: Path | None,
    request: HttpRequest | None,
) -> ScreeningRun:
    """Check a run request (a refusal for lack of rights is audited) and build the run."""
    prefix = screening_run_prefix(actor)
    if prefix is None:
        audit_denied(actor, "screening.run", request, "forbidden")
        raise CaseworkError("forbidden", "没有发起筛查的权限（需县级审定角色）")
    code = _check_run_request(month, region_code, year, engine)
    if not code.startswith(prefix):
        audit_denied(actor, "screening.run", request, "forbidden")
        raise CaseworkError("forbidden", f"区划 {code} 不在您的辖区内")
    _expire_stale_runs(month, code)
    if ScreeningRun.objects.filter(
        month=month, region_code=code, status__in=ACTIVE_RUN_STATUSES
    ).exists():
        raise _run_active_error(month, code)
    return ScreeningRun(
        month=month,
        year=year if year is not None else default_income_year(month),
        region_code=code,
        engine=engine,
        requested_by=user_or_none(actor),
        requested_by_label=actor_label(actor),
        output_dir=str(output_dir or screening_output_dir(code, month)),
        stage="排队中",
    )


def _save_run(
    run: ScreeningRun, *, actor: Any, request: HttpRequest | None, enqueue: bool
) -> ScreeningRun:
    """Insert the run with its audit event (and its task), or refuse ``run_active``."""
    try:
        with transaction.atomic():
            run.save(force_insert=True)
            audit_record(
                actor=actor,
                action="screening.request",
                object_type="screening_run",
                object_id=run.public_id,
                changes={
                    "month": f"{run.month:%Y-%m}",
                    "year": run.year,
                    "region": run.region_code,
                    "engine": run.engine,
                },
                request=request,
            )
            if enqueue:
                from fangpin.casework.jobs import screening_run_task

                # The database backend stores the task row in this same transaction.
                screening_run_task.enqueue(run_pk=run.pk)
    except IntegrityError:  # a concurrent request got there first (screeningrun_one_active)
        raise _run_active_error(run.month, run.region_code) from None
    run.refresh_from_db()
    return run


def screening_run_create(
    *,
    actor: Any,
    month: date,
    region_code: str,
    year: int | None = None,
    engine: str = "duckdb",
    output_dir: Path | None = None,
    request: HttpRequest | None = None,
) -> ScreeningRun:
    """Record a queued run (checks, audit, the one-active-run rule) without enqueueing it.

    The CLI creates the run with this and executes it at once (``output_dir`` overrides the
    default :func:`screening_output_dir`); the web goes through :func:`screening_run_request`.
    """
    run = _new_run(
        actor=actor,
        month=month,
        region_code=region_code,
        year=year,
        engine=engine,
        output_dir=output_dir,
        request=request,
    )
    return _save_run(run, actor=actor, request=request, enqueue=False)


def screening_run_request(
    *,
    actor: Any,
    month: date,
    region_code: str,
    year: int | None = None,
    engine: str = "duckdb",
    request: HttpRequest | None = None,
) -> ScreeningRun:
    """Queue a screening of ``month`` for ``region_code`` (a background job; the run row shows
    its progress). Refuses (``run_active``) while a run of the same month and region is queued
    or running; ``forbidden`` without ``screening.run`` or outside the actor's scope.

    ``year`` is the income year (default :func:`default_income_year`); ``region_code`` a 6- or
    12-digit code, stored as 12 digits.
    """
    run = _new_run(
        actor=actor,
        month=month,
        region_code=region_code,
        year=year,
        engine=engine,
        output_dir=None,
        request=request,
    )
    return _save_run(run, actor=actor, request=request, enqueue=True)


# --- Executing a run ----------------------------------------------------------------------------


def _save_progress(run: ScreeningRun, stage: str, done: int, total: int) -> None:
    run.stage, run.progress_done, run.progress_total = stage, done, total
    ScreeningRun.objects.filter(pk=run.pk).update(
        stage=stage, progress_done=done, progress_total=total, heartbeat_at=timezone.now()
    )


def _fail(run: ScreeningRun, message: str) -> ScreeningRun:
    now = timezone.now()
    with transaction.atomic():
        ScreeningRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error_message=message[:500], finished_at=now
        )
        audit_record(
            actor=run.requested_by or _SYSTEM_ACTOR,
            action="screening.fail",
            object_type="screening_run",
            object_id=run.public_id,
            changes={"stage": run.stage, "error": message[:500]},
            result=AuditResult.FAILURE,
        )
    run.refresh_from_db()
    return run


def screening_run_execute(run_pk: int, *, progress: Progress | None = None) -> ScreeningRun:
    """Run a queued screening to the end (the job's body; the CLI calls it directly).

    ``progress(stage, done, total)`` is called beside the progress saved on the run row (the
    CLI draws bars with it). A run not queued any more (a retried delivery) is returned as it
    is. Domain failures (input, policy, engine) return the run marked ``failed``; anything
    unexpected marks it failed and is re-raised.
    """
    from fangpin.policy import PolicyError, PolicyValidationError

    with transaction.atomic():
        claimed = ScreeningRun.objects.filter(pk=run_pk, status=RunStatus.QUEUED).update(
            status=RunStatus.RUNNING,
            started_at=timezone.now(),
            heartbeat_at=timezone.now(),
            stage="准备中",
        )
    run = ScreeningRun.objects.select_related("requested_by").get(pk=run_pk)
    if not claimed:
        return run

    def report(stage: str, done: int, total: int) -> None:
        _save_progress(run, stage, done, total)
        if progress is not None:
            progress(stage, done, total)

    work = Path(settings.VAR_DIR) / "screening" / ".snapshots"
    work.mkdir(parents=True, exist_ok=True)
    snapshot_dir = Path(tempfile.mkdtemp(prefix=f"{run.public_id}-", dir=work))
    try:
        return _execute(run, snapshot_dir, report, progress)
    except CaseworkError as exc:
        return _fail(run, exc.message)
    except (PolicyError, PolicyValidationError) as exc:
        message = getattr(exc, "message", "") or "政策版本文件有误，请运行 fangpin policy check"
        return _fail(run, f"无法确定适用的政策版本：{message}")
    except BaseException:
        _fail(run, "筛查失败（系统错误），原有预警与上次结果未受影响；请重试或联系管理员")
        raise
    finally:
        shutil.rmtree(snapshot_dir, ignore_errors=True)


def _execute(
    run: ScreeningRun, snapshot_dir: Path, report: Progress, outside: Progress | None
) -> ScreeningRun:
    from fangpin.feeds.snapshot import database_snapshot
    from fangpin.policy import resolve
    from fangpin.registry.snapshot import SnapshotError
    from fangpin.screening import (
        ScreeningError,
        connect,
        load_input,
        publish,
        screen,
    )
    from fangpin.workdays import WorkdaysError

    as_of = _month_end(run.month)
    try:
        report("快照数据库", 0, 1)
        database_snapshot(snapshot_dir, region_prefix=subtree_prefix(run.region_code), as_of=as_of)
        report("快照数据库", 1, 1)
        edition = resolve(run.year, subtree_prefix(run.region_code))
        ScreeningRun.objects.filter(pk=run.pk).update(edition_id=edition.edition_id)
        # Before anything is published: a deadline the calendar cannot give fails the run here.
        received_on = timezone.localdate()
        deadline = verify_deadline_for(received_on, edition)
        report("读取快照", 0, 1)
        backend = (
            connect(run.engine, memory_limit=settings.FANGPIN_SCREENING_MEMORY_LIMIT)
            if run.engine == "duckdb"
            else connect(run.engine)
        )
        data = load_input(snapshot_dir, backend)
        report("读取快照", 1, 1)

        def per_rule(family_label: str, done: int, total: int) -> None:
            report(f"筛查：{family_label}", done, total)

        result = screen(data, edition, month=run.month, progress=per_rule)
        report("发布结果", 0, 1)
        publish(result, Path(run.output_dir))
        report("发布结果", 1, 1)
    except ScreeningError as exc:
        raise CaseworkError("screening", exc.message) from exc
    except WorkdaysError as exc:
        raise CaseworkError("deadline", f"无法计算核实期限：{exc.message}") from exc
    except SnapshotError as exc:
        raise CaseworkError("snapshot", f"数据库快照失败：{exc.message}") from exc
    findings = result.findings
    report("写入预警", 0, findings.num_rows)
    with transaction.atomic():
        counts = warnings_write_back(
            run,
            findings,
            received_on=received_on,
            verify_deadline=deadline,
            # Inside the transaction the run row's progress would be invisible to the page;
            # only the CLI's bars follow the batches.
            progress=(lambda done, total: outside("写入预警", done, total)) if outside else None,
        )
        ScreeningRun.objects.filter(pk=run.pk).update(
            status=RunStatus.SUCCEEDED,
            stage="已完成",
            progress_done=findings.num_rows,
            progress_total=findings.num_rows,
            run_id=result.run_id,
            edition_id=edition.edition_id,
            findings_total=findings.num_rows,
            warnings_created=counts.warnings_created,
            warnings_updated=counts.warnings_updated,
            clues_created=counts.clues_created,
            rule_counts=dict(result.counts),
            finished_at=timezone.now(),
        )
        audit_record(
            actor=run.requested_by or _SYSTEM_ACTOR,
            action="screening.finish",
            object_type="screening_run",
            object_id=run.public_id,
            changes={
                "run_id": result.run_id,
                "edition_id": edition.edition_id,
                "findings": findings.num_rows,
                "warnings_created": counts.warnings_created,
                "warnings_updated": counts.warnings_updated,
                "clues_created": counts.clues_created,
                "rules": {code: n for code, n in result.counts.items() if n},
            },
        )
    run.refresh_from_db()
    return run


def _month_end(month: date) -> date:
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)
