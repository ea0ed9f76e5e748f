"""`fangpin audit verify` and `fangpin audit purge`: messages and exit codes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from typer.testing import CliRunner

from fangpin.cli import app
from fangpin.core.models import AuditEvent
from tests.core.test_audit_chain import record, tamper
from tests.core.test_audit_purge import days_ago, write_at

runner = CliRunner()


def test_audit_is_listed_in_help() -> None:
    result = runner.invoke(app, ["audit", "--help"])

    assert result.exit_code == 0
    assert "verify" in result.output
    assert "purge" in result.output


def test_verify_reports_an_intact_chain(db: Any) -> None:
    for _ in range(3):
        record()

    result = runner.invoke(app, ["audit", "verify"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "审计链完整：3 条记录"


def test_verify_exits_1_and_names_the_altered_record(db: Any) -> None:
    events = [record() for _ in range(3)]
    tamper("UPDATE core_auditevent SET action = %s WHERE id = %s", ["forged", events[1].pk])

    result = runner.invoke(app, ["audit", "verify"])

    assert result.exit_code == 1
    assert f"审计链断裂：记录 #{events[1].pk} 内容被篡改（哈希不符）" in result.output


def test_verify_exits_1_when_a_record_was_deleted(db: Any) -> None:
    events = [record() for _ in range(3)]
    tamper("DELETE FROM core_auditevent WHERE id = %s", [events[1].pk])

    result = runner.invoke(app, ["audit", "verify"])

    assert result.exit_code == 1
    assert f"记录 #{events[2].pk} 之前的记录被删除或改写" in result.output


def test_purge_refuses_a_cut_off_younger_than_180_days(db: Any) -> None:
    old = write_at(days_ago(400))
    cut_off = timezone.localdate() - timedelta(days=179)

    result = runner.invoke(app, ["audit", "purge", "--before", cut_off.isoformat()])

    assert result.exit_code == 1
    assert "错误" in result.output
    assert "审计记录至少在线保存 180 天" in result.output
    assert list(AuditEvent.objects.values_list("id", flat=True)) == [old.pk]


def test_purge_deletes_old_records_and_reports_the_count(db: Any) -> None:
    write_at(days_ago(400))
    write_at(days_ago(300))
    kept = write_at(days_ago(10))
    cut_off = timezone.localdate() - timedelta(days=200)

    result = runner.invoke(app, ["audit", "purge", "--before", cut_off.isoformat()])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"审计记录清理完成：删除 2 条 {cut_off:%Y-%m-%d} 之前的记录"
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [
        kept.action,
        "audit.purge",
    ]
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0


def test_purge_rejects_a_malformed_date(db: Any) -> None:
    write_at(days_ago(400))

    result = runner.invoke(app, ["audit", "purge", "--before", "2024/01/01"])

    assert result.exit_code == 2
    assert "日期格式应为 YYYY-MM-DD" in result.output
    assert AuditEvent.objects.count() == 1
