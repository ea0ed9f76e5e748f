"""The audit table refuses UPDATE and DELETE through the app's own connection (SEC-AUD-3).

The refusal comes from database triggers (migration core 0002), so it holds for the ORM, for
raw SQL and for anything else using the app's connection; only audit_purge's guard lets rows
go, and never lets them change.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction

from fangpin.core.audit import _set_purge_guard, audit_record, audit_verify
from fangpin.core.models import AuditChain, AuditEvent

TRIGGERS = ["core_auditevent_no_delete", "core_auditevent_no_update"]


@pytest.fixture
def events(db: None) -> list[AuditEvent]:
    with transaction.atomic():
        return [
            audit_record(
                actor="system:test",
                action=f"test.{n}",
                object_type="test",
                object_id=n,
                changes={"n": n},
            )
            for n in range(3)
        ]


def snapshot() -> list[dict[str, Any]]:
    return list(AuditEvent.objects.order_by("id").values())


def assert_refused(info: pytest.ExceptionInfo[IntegrityError]) -> None:
    """The trigger's error, as each database driver reports it."""
    assert type(info.value) is IntegrityError
    cause = info.value.__cause__
    if connection.vendor == "sqlite":
        assert type(cause) is sqlite3.IntegrityError
    else:
        assert type(cause) is psycopg.errors.IntegrityConstraintViolation
    assert str(cause).splitlines()[0] == "audit log is append-only"


def test_the_triggers_are_installed(db: None) -> None:
    # A later migration that rebuilds core_auditevent on SQLite drops them; this catches it.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'core_auditevent' ORDER BY name"
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'core_auditevent'::regclass "
                "AND NOT tgisinternal ORDER BY tgname"
            )
        assert [row[0] for row in cursor.fetchall()] == TRIGGERS


def test_queryset_update_is_refused(events: list[AuditEvent]) -> None:
    before = snapshot()

    with pytest.raises(IntegrityError) as info, transaction.atomic():
        AuditEvent.objects.filter(pk=events[1].pk).update(action="forged")

    assert_refused(info)
    assert snapshot() == before


def test_saving_a_changed_event_is_refused(events: list[AuditEvent]) -> None:
    before = snapshot()
    event = AuditEvent.objects.get(pk=events[0].pk)
    event.changes = {"n": 99}

    with pytest.raises(IntegrityError) as info, transaction.atomic():
        event.save()

    assert_refused(info)
    assert snapshot() == before


def test_raw_sql_update_is_refused(events: list[AuditEvent]) -> None:
    before = snapshot()

    with pytest.raises(IntegrityError) as info, transaction.atomic(), connection.cursor() as c:
        c.execute("UPDATE core_auditevent SET actor_label = %s", ["someone-else"])

    assert_refused(info)
    assert snapshot() == before


def test_deleting_one_event_is_refused(events: list[AuditEvent]) -> None:
    before = snapshot()

    with pytest.raises(IntegrityError) as info, transaction.atomic():
        AuditEvent.objects.get(pk=events[2].pk).delete()

    assert_refused(info)
    assert snapshot() == before


def test_deleting_every_event_is_refused(events: list[AuditEvent]) -> None:
    before = snapshot()

    with pytest.raises(IntegrityError) as info, transaction.atomic():
        AuditEvent.objects.all().delete()

    assert_refused(info)
    assert snapshot() == before
    assert audit_verify().checked == 3


def test_raw_sql_delete_is_refused(events: list[AuditEvent]) -> None:
    before = snapshot()

    with pytest.raises(IntegrityError) as info, transaction.atomic(), connection.cursor() as c:
        c.execute("DELETE FROM core_auditevent WHERE id = %s", [events[0].pk])

    assert_refused(info)
    assert snapshot() == before


def test_the_purge_guard_is_closed_outside_a_purge(events: list[AuditEvent]) -> None:
    assert AuditChain.objects.get(pk=1).is_purging is False
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('fangpin.audit_purge', true)")
            assert cursor.fetchone()[0] in {None, ""}


def test_an_open_purge_guard_still_refuses_updates(events: list[AuditEvent]) -> None:
    before = snapshot()

    chain = AuditChain.objects.get(pk=1)

    _set_purge_guard(chain, on=True)
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        AuditEvent.objects.filter(pk=events[0].pk).update(action="forged")
    _set_purge_guard(chain, on=False)

    assert_refused(info)
    assert snapshot() == before


@pytest.fixture
def audit_log_emptied_after(transactional_db: None) -> Iterator[None]:
    """Let a transactional test that wrote audit events be flushed on SQLite.

    Django flushes with TRUNCATE on PostgreSQL, which fires no row triggers, but with DELETE on
    SQLite, which the delete trigger refuses. This empties the log through the purge guard, as
    audit_purge does; being set up after ``transactional_db``, it is torn down before the flush.
    """
    yield
    with transaction.atomic():
        chain, _created = AuditChain.objects.get_or_create(pk=1)
        _set_purge_guard(chain, on=True)
        AuditEvent.objects.all().delete()
        _set_purge_guard(chain, on=False)


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_is_flushed_after_the_log_is_emptied(
    audit_log_emptied_after: None,
) -> None:
    with transaction.atomic():
        audit_record(actor="system:test", action="test.committed", object_type="t", object_id=1)

    assert AuditEvent.objects.filter(action="test.committed").count() == 1
