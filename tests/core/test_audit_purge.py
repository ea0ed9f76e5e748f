"""audit_purge: at least 180 days kept online, a prefix of the chain removed, the chain still
verifies from its new anchor, and the purge itself is audited (SEC-AUD-5)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Any
from unittest.mock import patch

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from fangpin.core import audit
from fangpin.core.audit import AuditVerifyReport, audit_purge, audit_record, audit_verify
from fangpin.core.errors import AuditError
from fangpin.core.models import AuditChain, AuditEvent


def days_ago(days: int, *, hour: int = 12) -> datetime:
    """Local ``hour`` o'clock, ``days`` days before today."""
    day = timezone.localdate() - timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def write_at(moment: datetime, action: str = "test.old") -> AuditEvent:
    """Append one event through audit_record, with the clock set to ``moment``."""
    with patch("django.utils.timezone.now", return_value=moment), transaction.atomic():
        return audit_record(
            actor="system:test",
            action=action,
            object_type="test",
            object_id=moment.date().isoformat(),
        )


def cut_off(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def snapshot() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    return list(AuditEvent.objects.order_by("id").values()), AuditChain.objects.values().get()


@contextmanager
def unchanged() -> Iterator[None]:
    before = snapshot()
    yield
    assert snapshot() == before


@pytest.fixture
def aged(db: None) -> dict[int, AuditEvent]:
    """One event at noon 400, 200, 182, 181 and 179 days ago, and one now; oldest first."""
    events = {days: write_at(days_ago(days)) for days in (400, 200, 182, 181, 179)}
    events[0] = write_at(timezone.now(), action="test.now")
    return events


def test_refuses_a_cut_off_179_days_ago(aged: dict[int, AuditEvent]) -> None:
    with unchanged(), pytest.raises(AuditError) as info:
        audit_purge(actor="system:test", before=cut_off(179))

    latest = cut_off(180)
    assert info.value.code == "retention"
    assert info.value.message == (
        f"审计记录至少在线保存 180 天：清理截止日期不得晚于 {latest:%Y-%m-%d}"
        f"（收到 {cut_off(179):%Y-%m-%d}）。"
    )


def test_refuses_a_cut_off_in_the_future(aged: dict[int, AuditEvent]) -> None:
    with unchanged(), pytest.raises(AuditError) as info:
        audit_purge(actor="system:test", before=cut_off(-1))

    assert info.value.code == "retention"


def test_deletes_the_events_older_than_a_181_day_cut_off(aged: dict[int, AuditEvent]) -> None:
    deleted = audit_purge(actor="system:test", before=cut_off(181))

    assert deleted == 3  # 400, 200 and 182 days old
    remaining = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    purge_event = AuditEvent.objects.get(action="audit.purge")
    assert remaining == [aged[181].pk, aged[179].pk, aged[0].pk, purge_event.pk]


def test_a_180_day_cut_off_is_the_youngest_allowed(aged: dict[int, AuditEvent]) -> None:
    assert audit_purge(actor="system:test", before=cut_off(180)) == 4
    assert AuditEvent.objects.filter(pk=aged[179].pk).exists()


def test_events_younger_than_the_configured_cut_off_survive(aged: dict[int, AuditEvent]) -> None:
    assert audit_purge(actor="system:test", before=cut_off(300)) == 1

    assert not AuditEvent.objects.filter(pk=aged[400].pk).exists()
    assert AuditEvent.objects.filter(pk__in=[aged[200].pk, aged[181].pk]).count() == 2


def test_the_chain_verifies_after_a_purge(aged: dict[int, AuditEvent]) -> None:
    audit_purge(actor="system:test", before=cut_off(181))

    chain = AuditChain.objects.get(pk=1)
    assert (chain.anchor_id, chain.anchor_hash) == (aged[182].pk, aged[182].hash)
    assert chain.purged_before == cut_off(181)
    assert AuditEvent.objects.get(pk=aged[181].pk).prev_hash == chain.anchor_hash
    assert audit_verify() == AuditVerifyReport(checked=4)


def test_the_purge_is_audited(aged: dict[int, AuditEvent]) -> None:
    audit_purge(actor="system:cli", before=cut_off(181))

    event = AuditEvent.objects.get(action="audit.purge")
    assert (event.actor_label, event.object_type, event.object_id, event.result) == (
        "system:cli",
        "audit_log",
        cut_off(181).isoformat(),
        "success",
    )
    assert event.changes == {
        "before": cut_off(181).isoformat(),
        "deleted": 3,
        "anchor_id": aged[182].pk,
    }
    assert AuditEvent.objects.order_by("-id").first() == event


def test_a_purge_with_nothing_to_delete_is_still_audited(db: None) -> None:
    write_at(days_ago(10))

    assert audit_purge(actor="system:test", before=cut_off(200)) == 0

    event = AuditEvent.objects.get(action="audit.purge")
    assert event.changes == {"before": cut_off(200).isoformat(), "deleted": 0, "anchor_id": None}
    assert audit_verify() == AuditVerifyReport(checked=2)


def test_a_skewed_old_event_after_a_young_one_is_kept(db: None) -> None:
    # A clock running 300 days behind wrote the third event: the purge removes only a prefix of
    # the chain, so it never reaches past the first young event.
    oldest = write_at(days_ago(400))
    young = write_at(days_ago(10))
    skewed = write_at(days_ago(300))

    assert audit_purge(actor="system:test", before=cut_off(200)) == 1

    assert not AuditEvent.objects.filter(pk=oldest.pk).exists()
    assert AuditEvent.objects.filter(pk__in=[young.pk, skewed.pk]).count() == 2
    assert audit_verify() == AuditVerifyReport(checked=3)


def test_deleting_is_refused_again_right_after_a_purge(aged: dict[int, AuditEvent]) -> None:
    audit_purge(actor="system:test", before=cut_off(181))

    with unchanged(), pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(pk=aged[181].pk).delete()
    assert AuditChain.objects.get(pk=1).is_purging is False
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('fangpin.audit_purge', true)")
            assert cursor.fetchone()[0] == ""


def test_a_failed_purge_deletes_nothing(
    aged: dict[int, AuditEvent], monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(**kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "audit_record", fail)

    with unchanged(), pytest.raises(RuntimeError, match="disk full"):
        audit_purge(actor="system:test", before=cut_off(181))
