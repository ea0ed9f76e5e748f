"""SECURITY.md §5 scenario 20 (REL-IDEM-1): a screening run that dies half-way through writing
its warnings back, then the month run again twice, ends exactly as one clean run would.

The run is the one the web queues and ``fangpin screen`` (without ``--input``) executes:
``screening_run_execute``. Its write-back goes in chunks (``writeback.BATCH_ROWS``, made small
here so the findings span several); the failure comes after the k-th chunk has been written,
inside the write-back's transaction. Two ways to die:

- ``exception``: the process survives the error and records the run ``failed`` at once;
- ``killed``: nothing more runs in the process (no failure recorded), so the run stays
  ``running`` until it has reported no progress for ``HEARTBEAT_STALE_AFTER``; the month is
  refused as busy until then, and the next request marks it failed.

Either way the warnings and clues afterwards equal the clean run's, as sets of
(household, rule, month), with no duplicates, and the run ledger reads failed, then succeeded.
The screening rules themselves are not the subject (tests/screening): the database snapshot is
the casework tests' stand-in (``fake_snapshot``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from fangpin.casework import services, writeback
from fangpin.casework.errors import CaseworkError
from fangpin.casework.models import Clue, RunStatus, ScreeningRun, Warning
from fangpin.casework.selectors import CLUE_FAMILIES
from fangpin.core.access import SYSTEM
from fangpin.core.audit import _set_purge_guard
from fangpin.core.models import AuditChain, AuditEvent
from tests.casework import conftest as casework
from tests.casework.conftest import MONTH

# The casework fixtures (a synthetic 花垣县 loaded, the snapshot stand-in), by name.
dataset = casework.dataset
loaded = casework.loaded
fake_snapshot = casework.fake_snapshot

pytestmark = pytest.mark.django_db(transaction=True)

FAILED_AFTER_CHUNK = 2
CHUNKS = 5
FAILED = "筛查失败（系统错误），原有预警与上次结果未受影响；请重试或联系管理员"
TIMED_OUT = "运行中断（超时未完成），原有预警与上次结果未受影响"


class Killed(BaseException):
    """The process dies here: no Python code of the run runs after it."""


@pytest.fixture(autouse=True)
def audit_log_emptied_after(transactional_db: None) -> Iterator[None]:
    """Let these committing tests be flushed on SQLite (as in tests/core/test_audit_append_only):
    the audit log's trigger refuses Django's DELETE flush, so the log is emptied through the
    purge guard first."""
    yield
    with transaction.atomic():
        chain, _created = AuditChain.objects.get_or_create(pk=1)
        _set_purge_guard(chain, on=True)
        AuditEvent.objects.all().delete()
        _set_purge_guard(chain, on=False)


def run_month() -> ScreeningRun:
    """Request and execute a run of 花垣县 for MONTH as the system, like ``fangpin screen``."""
    run = services.screening_run_create(actor=SYSTEM, month=MONTH, region_code="433124")
    return services.screening_run_execute(run.pk)


def outcome() -> dict[str, Any]:
    """What a run leaves behind, by natural keys (database ids of warnings and clues aside)."""
    warnings = list(
        Warning.objects.values_list(
            "household_id", "rule_code", "month", "family", "clue__household"
        )
    )
    clues = list(Clue.objects.values_list("household_id", "channel", "status", "verify_deadline"))
    return {
        "warnings": {(h, rule, month) for h, rule, month, _family, _clue in warnings},
        "warning_rows": len(warnings),
        # A clue-family warning hangs on its own household's clue; a quality one on none.
        "clue_links": {
            (h, rule, clue) for h, rule, _month, family, clue in warnings if family in CLUE_FAMILIES
        }
        | {
            (h, rule, None)
            for h, rule, _month, family, _clue in warnings
            if family not in CLUE_FAMILIES
        },
        "clues": sorted(clues),
    }


def clean_outcome_then_reset() -> tuple[dict[str, Any], ScreeningRun]:
    """A clean run's outcome; then its warnings and clues removed, as before any run."""
    clean = run_month()
    assert clean.status == RunStatus.SUCCEEDED, clean.error_message
    result = outcome()
    assert result["warning_rows"] == clean.findings_total == len(result["warnings"])
    Warning.objects.all().delete()
    Clue.objects.all().delete()
    return result, clean


def fail_after_chunk(
    monkeypatch: pytest.MonkeyPatch, findings: int, error: BaseException
) -> dict[str, int]:
    """Write the findings back in CHUNKS chunks and raise ``error`` once FAILED_AFTER_CHUNK of
    them are written; returns what the write-back had written by then (inside its transaction)."""
    monkeypatch.setattr(writeback, "BATCH_ROWS", math.ceil(findings / CHUNKS))
    real_batches = writeback._batches
    seen: dict[str, int] = {}

    def batches(table: Any) -> Iterator[list[dict[str, Any]]]:
        for number, rows in enumerate(real_batches(table), start=1):
            if number > FAILED_AFTER_CHUNK:
                seen["warnings_written"] = Warning.objects.count()
                raise error
            yield rows

    monkeypatch.setattr(writeback, "_batches", batches)
    return seen


def ledger() -> list[tuple[str, str]]:
    return list(
        ScreeningRun.objects.filter(month=MONTH)
        .order_by("pk")
        .values_list("status", "error_message")
    )


def assert_rerun_twice_equals(clean: dict[str, Any], clean_run: ScreeningRun) -> None:
    first = run_month()
    second = run_month()

    assert (first.status, first.warnings_created, first.warnings_updated) == (
        RunStatus.SUCCEEDED,
        clean_run.findings_total,
        0,
    )
    assert first.clues_created == clean_run.clues_created
    assert (second.status, second.warnings_created, second.warnings_updated) == (
        RunStatus.SUCCEEDED,
        0,
        clean_run.findings_total,
    )
    assert second.clues_created == 0
    assert outcome() == clean


def test_write_back_failing_after_chunk_k_then_two_reruns_equal_a_clean_run(
    fake_snapshot: list[dict[str, Any]],
) -> None:
    clean, clean_run = clean_outcome_then_reset()
    chunk = math.ceil(clean_run.findings_total / CHUNKS)

    with pytest.MonkeyPatch.context() as failing:
        seen = fail_after_chunk(failing, clean_run.findings_total, RuntimeError("disk gone"))
        with pytest.raises(RuntimeError, match="disk gone"):
            run_month()

    # Chunks 1 and 2 were written inside the transaction, then rolled back with it.
    assert seen == {"warnings_written": FAILED_AFTER_CHUNK * chunk}
    assert (Warning.objects.count(), Clue.objects.count()) == (0, 0)
    assert_rerun_twice_equals(clean, clean_run)
    assert ledger() == [
        ("succeeded", ""),
        ("failed", FAILED),
        ("succeeded", ""),
        ("succeeded", ""),
    ]
    assert AuditEvent.objects.filter(action="screening.fail", result="failure").count() == 1
    assert AuditEvent.objects.filter(action="screening.finish").count() == 3


def test_run_killed_after_chunk_k_is_taken_as_failed_then_two_reruns_equal_a_clean_run(
    fake_snapshot: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    clean, clean_run = clean_outcome_then_reset()
    chunk = math.ceil(clean_run.findings_total / CHUNKS)

    def dead(run: ScreeningRun, message: str) -> ScreeningRun:
        raise Killed  # a killed process records nothing

    with pytest.MonkeyPatch.context() as dying:
        seen = fail_after_chunk(dying, clean_run.findings_total, Killed())
        dying.setattr(services, "_fail", dead)
        with pytest.raises(Killed):
            run_month()

    assert seen == {"warnings_written": FAILED_AFTER_CHUNK * chunk}
    assert (Warning.objects.count(), Clue.objects.count()) == (0, 0)
    killed = ScreeningRun.objects.filter(month=MONTH).latest("pk")
    assert (killed.status, killed.stage) == (RunStatus.RUNNING, "写入预警")
    with pytest.raises(CaseworkError) as busy:  # the month looks busy while it might be alive
        run_month()
    assert busy.value.code == "run_active"

    # Half an hour without progress later, the next request takes it as killed.
    later = timezone.now() + services.HEARTBEAT_STALE_AFTER + timedelta(minutes=1)
    clock = SimpleNamespace(now=lambda: later, localdate=timezone.localdate)
    monkeypatch.setattr(services, "timezone", clock)
    assert_rerun_twice_equals(clean, clean_run)
    assert ledger() == [
        ("succeeded", ""),
        ("failed", TIMED_OUT),
        ("succeeded", ""),
        ("succeeded", ""),
    ]
    assert AuditEvent.objects.filter(action="screening.fail").count() == 0
    assert AuditEvent.objects.filter(action="screening.finish").count() == 3
