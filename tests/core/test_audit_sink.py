"""The copy of the audit log outside the database (SEC-AUD-4) and its cross-check."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from typer.testing import CliRunner

from fangpin.core.audit import audit_record, event_content
from fangpin.core.audit_sink import audit_sink_check, audit_sink_path
from fangpin.core.models import AuditChain, AuditEvent
from tests.core.test_audit_chain import clock, tamper


def _record(action: str, *, committed: Any) -> AuditEvent:
    with committed(execute=True), transaction.atomic():
        return audit_record(actor="system:test", action=action, object_type="t", object_id=7)


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_sink_defaults_to_the_var_dir(settings: Any) -> None:
    settings.FANGPIN_AUDIT_SINK = None
    assert audit_sink_path() == Path(settings.VAR_DIR) / "log" / "audit.jsonl"
    settings.FANGPIN_AUDIT_SINK = ""
    assert audit_sink_path() is None


def test_a_committed_event_is_copied_with_its_hash(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    event = _record("test.one", committed=django_capture_on_commit_callbacks)

    [line] = _lines(audit_sink_path())  # type: ignore[arg-type]
    assert line == {
        "id": event.pk,
        **event_content(event),
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def test_a_rolled_back_event_is_not_copied(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    def failing_write() -> None:
        with transaction.atomic():
            audit_record(actor="system:test", action="test.gone", object_type="t", object_id=1)
            raise RuntimeError("the write failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        failing_write()

    assert callbacks == []
    assert not audit_sink_path().exists()  # type: ignore[union-attr]


def test_no_file_when_the_sink_is_off(
    db: None, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.FANGPIN_AUDIT_SINK = ""
    _record("test.one", committed=django_capture_on_commit_callbacks)

    assert list(Path(settings.VAR_DIR).rglob("*.jsonl")) == []


def test_the_check_passes_when_the_database_holds_every_copied_event(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    for action in ("test.a", "test.b", "test.c"):
        _record(action, committed=django_capture_on_commit_callbacks)

    report = audit_sink_check(audit_sink_path())  # type: ignore[arg-type]

    assert report.is_consistent
    assert (report.lines, report.purged, report.missing) == (3, 0, ())
    assert report.message == "外部审计副本与数据库一致：3 条（其中 0 条已按期清理）"


def test_the_check_finds_an_event_deleted_or_rewritten_in_the_database(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    a = _record("test.a", committed=django_capture_on_commit_callbacks)
    b = _record("test.b", committed=django_capture_on_commit_callbacks)
    c = _record("test.c", committed=django_capture_on_commit_callbacks)
    # An attacker deletes b and re-hashes c so the chain in the database stays consistent.
    tamper("DELETE FROM core_auditevent WHERE id = %s", [b.pk])
    tamper(
        "UPDATE core_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
        [a.hash, "f" * 64, c.pk],
    )

    report = audit_sink_check(audit_sink_path())  # type: ignore[arg-type]

    assert not report.is_consistent
    assert report.missing == (b.pk, c.pk)
    assert report.message == f"外部副本中的记录 #{b.pk}、#{c.pk} 在数据库中已不存在或被改写"


def test_purged_events_are_expected_to_be_gone(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    with clock(datetime(2024, 1, 10, 8, tzinfo=UTC)):
        old = _record("test.old", committed=django_capture_on_commit_callbacks)
    _record("test.new", committed=django_capture_on_commit_callbacks)
    tamper("DELETE FROM core_auditevent WHERE id = %s", [old.pk])
    AuditChain.objects.filter(pk=1).update(purged_before=date(2024, 2, 1))

    report = audit_sink_check(audit_sink_path())  # type: ignore[arg-type]

    assert report.is_consistent
    assert (report.lines, report.purged) == (2, 1)


def test_an_unreadable_line_is_reported(db: None, tmp_path: Path) -> None:
    sink = tmp_path / "audit.jsonl"
    sink.write_text('{"at": "2024-01-01T00:00:00+00:00", "hash": "x"}\nnot json\n')

    report = audit_sink_check(sink)

    assert report.unreadable == (2,)
    assert report.missing == (0,)
    assert "外部副本第 2 行无法解析" in report.message


def test_the_cli_verifies_the_chain_and_the_sink(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    from fangpin.cli import app

    b = _record("test.b", committed=django_capture_on_commit_callbacks)
    path = str(audit_sink_path())

    ok = CliRunner().invoke(app, ["audit", "verify", "--sink", path])
    assert ok.exit_code == 0, ok.output
    assert ok.output.splitlines() == [
        "审计链完整：1 条记录",
        "外部审计副本与数据库一致：1 条（其中 0 条已按期清理）",
    ]

    tamper("DELETE FROM core_auditevent WHERE id = %s", [b.pk])
    AuditChain.objects.filter(pk=1).update(head_id=None, head_hash="0" * 64)
    bad = CliRunner().invoke(app, ["audit", "verify", "--sink", path])
    assert bad.exit_code == 1
    assert f"外部副本中的记录 #{b.pk} 在数据库中已不存在或被改写" in bad.output
