"""The audit hash chain: what an event records, how it links and hashes, and audit_verify."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any
from unittest.mock import patch

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import connection, connections, transaction
from django.test import Client, RequestFactory

from fangpin.core.audit import (
    AuditVerifyReport,
    audit_export,
    audit_record,
    audit_reveal,
    audit_verify,
    event_content,
    event_hash,
)
from fangpin.core.errors import AuditError
from fangpin.core.models import GENESIS_HASH, AuditChain, AuditEvent, User
from fangpin.registry import services
from tests.registry import conftest as registry_fixtures
from tests.registry.conftest import TUDI, PersonFactory

# The registry's fixtures, reused here for real service writes.
village = registry_fixtures.village
person_input = registry_fixtures.person_input


@contextmanager
def clock(moment: datetime) -> Iterator[None]:
    """Make ``timezone.now()`` (and so the next events' ``at``) return ``moment``."""
    with patch("django.utils.timezone.now", return_value=moment):
        yield


def chain_head() -> tuple[int | None, str]:
    """The chain row's head; a flush by a transactional test may have removed the row."""
    chain = AuditChain.objects.filter(pk=1).first()
    return (chain.head_id, chain.head_hash) if chain else (None, GENESIS_HASH)


def record(action: str = "test.event", **kwargs: Any) -> AuditEvent:
    """Append one event in its own transaction."""
    fields: dict[str, Any] = {
        "actor": "system:test",
        "action": action,
        "object_type": "test",
        "object_id": 1,
    }
    fields.update(kwargs)
    with transaction.atomic():
        return audit_record(**fields)


def tamper(sql: str, params: Sequence[object] = ()) -> None:
    """Change the audit table the way an attacker with DDL rights on the database would.

    The append-only triggers are dropped first, then ``sql`` runs as plain SQL. Both happen in
    the test's transaction, so the rollback at the end of the test restores the triggers.
    """
    on_table = " ON core_auditevent" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        for trigger in ("core_auditevent_no_update", "core_auditevent_no_delete"):
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}{on_table}")
        cursor.execute(sql, params)


def jsonb(placeholder: str = "%s") -> str:
    """A parameter written into the JSON column: PostgreSQL needs the cast, SQLite stores text."""
    return f"CAST({placeholder} AS jsonb)" if connection.vendor == "postgresql" else placeholder


# --- what an event records --------------------------------------------------------------------


def test_second_event_links_to_the_first(db: None) -> None:
    _head_id, head_before = chain_head()
    first = record("test.first")
    second = record("test.second")

    assert first.prev_hash == head_before
    assert second.prev_hash == first.hash
    assert chain_head() == (second.pk, second.hash)


def test_hash_is_sha256_of_prev_hash_and_the_canonical_json(db: None) -> None:
    moment = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC)
    with clock(moment):
        event = record(
            "household.create",
            object_type="household",
            object_id=7,
            changes={"名称": "张三", "a": [1, 2], "b": None},
        )
    canonical = (
        '{"action":"household.create","actor_id":null,"actor_label":"system:test",'
        '"actor_role":"","at":"2026-03-01T08:30:15.123456+00:00",'
        '"changes":{"a":[1,2],"b":null,"名称":"张三"},"ip":null,"object_id":"7",'
        '"object_type":"household","request_id":"","result":"success"}'
    )

    assert event.hash == hashlib.sha256((event.prev_hash + canonical).encode()).hexdigest()


def test_stored_row_recomputes_to_its_hash(db: None) -> None:
    user = User.objects.create_user(username="wang", password=None, role="county_approver")
    request = RequestFactory().post("/", REMOTE_ADDR="2001:DB8::1", HTTP_X_REQUEST_ID="req-1")
    event = record(actor=user, changes={"名称": ["旧", "新"], "n": 1.5}, request=request)

    stored = AuditEvent.objects.get(pk=event.pk)

    assert event_hash(stored.prev_hash, event_content(stored)) == stored.hash == event.hash
    assert (stored.ip, stored.request_id, stored.actor_role) == (
        "2001:db8::1",
        "req-1",
        "county_approver",
    )


def test_at_keeps_its_microseconds_through_the_database(db: None) -> None:
    moment = datetime(2026, 3, 1, 8, 30, 15, 1, tzinfo=UTC)
    with clock(moment):
        event = record()

    assert AuditEvent.objects.get(pk=event.pk).at == moment


def test_event_records_role_ip_request_id_and_result(db: None) -> None:
    user = User.objects.create_user(username="li", password=None, role="township_reviewer")
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_REQUEST_ID="abc-123")

    event = record(actor=user, result="denied", request=request)

    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor_id, stored.actor_label, stored.actor_role) == (
        user.pk,
        "li",
        "township_reviewer",
    )
    assert (stored.ip, stored.request_id, stored.result) == ("192.0.2.10", "abc-123", "denied")


def test_old_call_style_still_works_and_leaves_request_fields_empty(db: None) -> None:
    with transaction.atomic():
        event = audit_record(
            actor=None, action="legacy", object_type="thing", object_id=3, changes=None
        )

    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor_label, stored.actor_role, stored.ip, stored.request_id) == (
        "system",
        "",
        None,
        "",
    )
    assert (stored.result, stored.changes, stored.object_id) == ("success", {}, "3")


def test_a_request_id_that_could_inject_text_is_replaced(db: None) -> None:
    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="abc\nforged log line")

    first = record(request=request)
    second = record(request=request)

    assert first.request_id != "abc\nforged log line"
    assert len(first.request_id) == 32
    assert int(first.request_id, 16) >= 0
    assert second.request_id == first.request_id  # one request, one ID


def test_forwarded_for_is_ignored_without_a_trusted_proxy(db: None, settings: Any) -> None:
    settings.FANGPIN_TRUSTED_PROXY = ""
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")

    assert record(request=request).ip == "10.0.0.1"


def test_forwarded_for_from_the_trusted_proxy_gives_the_client(db: None, settings: Any) -> None:
    settings.FANGPIN_TRUSTED_PROXY = "10.0.0.1, 10.0.1.0/24"
    # The client forged the left entry; our two proxies appended the rest.
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7, 10.0.1.5"
    )

    assert record(request=request).ip == "203.0.113.7"


def test_forwarded_for_from_an_untrusted_peer_is_ignored(db: None, settings: Any) -> None:
    settings.FANGPIN_TRUSTED_PROXY = "10.0.0.1"
    request = RequestFactory().get(
        "/", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="203.0.113.7"
    )

    assert record(request=request).ip == "198.51.100.9"


def test_middleware_gives_every_response_a_request_id(db: None) -> None:
    generated = Client().get("/admin/login/")
    echoed = Client().get("/admin/login/", headers={"X-Request-ID": "edge-42"})

    assert len(generated.headers["X-Request-ID"]) == 32
    assert echoed.headers["X-Request-ID"] == "edge-42"


def test_an_unknown_result_is_refused_and_nothing_is_written(db: None) -> None:
    before = (AuditEvent.objects.count(), chain_head())

    with pytest.raises(ValueError, match="unknown audit result 'maybe'"):
        record(result="maybe")

    assert (AuditEvent.objects.count(), chain_head()) == before


@pytest.mark.django_db(transaction=True)
def test_audit_record_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError, match="inside the write's transaction"):
        audit_record(actor="system:test", action="x", object_type="y", object_id=1)

    assert AuditEvent.objects.count() == 0


# --- reveal and export helpers ----------------------------------------------------------------


def test_reveal_records_field_and_reason(db: None) -> None:
    user = User.objects.create_user(username="zhao", password=None, role="county_approver")
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1")

    event = audit_reveal(
        actor=user,
        request=request,
        object_type="person",
        object_id=12,
        field="id_number",
        reason=" 核实身份 ",
    )

    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.action, stored.object_type, stored.object_id) == ("data.reveal", "person", "12")
    assert stored.changes == {"field": "id_number", "reason": "核实身份"}
    assert (stored.actor_role, stored.ip) == ("county_approver", "192.0.2.1")


def test_reveal_without_a_reason_is_refused_and_nothing_is_written(db: None) -> None:
    with pytest.raises(AuditError) as info:
        audit_reveal(
            actor="system:test",
            request=None,
            object_type="person",
            object_id=12,
            field="id_number",
            reason="  ",
        )

    assert (info.value.code, info.value.message) == ("reason", "查看敏感信息明文必须填写理由。")
    assert AuditEvent.objects.count() == 0


def test_export_records_what_rows_and_masking(db: None) -> None:
    event = audit_export(
        actor="system:test", request=None, what="household_list", row_count=1200, masked=True
    )

    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.action, stored.object_type, stored.object_id) == (
        "data.export",
        "export",
        "household_list",
    )
    assert stored.changes == {"what": "household_list", "rows": 1200, "masked": True}


def test_export_with_negative_rows_is_refused_and_nothing_is_written(db: None) -> None:
    with pytest.raises(AuditError) as info:
        audit_export(actor="system:test", request=None, what="x", row_count=-1, masked=True)

    assert info.value.code == "row_count"
    assert AuditEvent.objects.count() == 0


# --- audit_verify -----------------------------------------------------------------------------


@pytest.fixture
def service_writes(village: Any, person_input: PersonFactory) -> list[AuditEvent]:
    """Real registry writes: two households registered, one updated, a birth in the other."""
    created = [
        services.household_create(
            actor="system:test",
            village_code=TUDI,
            household_type="1",
            head=person_input(name=name),
            members=[person_input(name=f"{name}妻", relation="10", female=True)],
            registered_on=date(2024, 3, 1),
        )
        for name in ("张三", "李四")
    ]
    services.household_update(
        actor="system:test",
        household_id=created[0].pk,
        expected_version=created[0].version,
        changes={"address": "龙潭镇土地村上寨12号"},
    )
    services.person_add(
        actor="system:test",
        household_id=created[1].pk,
        person=person_input(name="李小宝", relation="20", birth_date=date(2024, 5, 1)),
        event_type="birth",
        event_date=date(2024, 5, 1),
    )
    return list(AuditEvent.objects.order_by("id"))


def test_verify_passes_on_real_service_writes(service_writes: list[AuditEvent]) -> None:
    assert len(service_writes) == 8  # 2 × (household.create + 2 person.register) + 2

    report = audit_verify(batch_size=3)  # batches smaller than the chain

    assert report == AuditVerifyReport(checked=8)
    assert report.is_intact is True
    assert report.message == "审计链完整：8 条记录"


def test_verify_passes_on_an_empty_log(db: None) -> None:
    assert audit_verify() == AuditVerifyReport(checked=0)


def test_verify_finds_altered_changes(service_writes: list[AuditEvent]) -> None:
    target = service_writes[3]
    tamper(f"UPDATE core_auditevent SET changes = {jsonb()} WHERE id = %s", ['{"x": 1}', target.pk])

    report = audit_verify()

    assert report == AuditVerifyReport(checked=3, broken_id=target.pk, kind="altered")
    assert report.message == f"审计链断裂：记录 #{target.pk} 内容被篡改（哈希不符）"


def test_verify_finds_an_altered_row_whose_hash_was_recomputed(
    service_writes: list[AuditEvent],
) -> None:
    target = AuditEvent.objects.get(pk=service_writes[3].pk)
    target.actor_label = "someone-else"
    forged = event_hash(target.prev_hash, event_content(target))
    tamper(
        "UPDATE core_auditevent SET actor_label = %s, hash = %s WHERE id = %s",
        ["someone-else", forged, target.pk],
    )

    # The forged row is self-consistent; the next row no longer chains onto it.
    assert audit_verify() == AuditVerifyReport(
        checked=4, broken_id=service_writes[4].pk, kind="deleted"
    )


def test_verify_finds_a_deleted_middle_row(service_writes: list[AuditEvent]) -> None:
    tamper("DELETE FROM core_auditevent WHERE id = %s", [service_writes[4].pk])

    report = audit_verify()

    assert report == AuditVerifyReport(checked=4, broken_id=service_writes[5].pk, kind="deleted")
    assert "之前的记录被删除或改写" in report.message


def test_verify_finds_a_deleted_last_row(service_writes: list[AuditEvent]) -> None:
    tamper("DELETE FROM core_auditevent WHERE id = %s", [service_writes[-1].pk])

    assert audit_verify() == AuditVerifyReport(
        checked=7, broken_id=service_writes[-1].pk, kind="deleted"
    )


def test_verify_finds_two_swapped_rows(service_writes: list[AuditEvent]) -> None:
    second, third = service_writes[2].pk, service_writes[3].pk
    tamper("UPDATE core_auditevent SET id = -1 WHERE id = %s", [second])
    tamper("UPDATE core_auditevent SET id = %s WHERE id = %s", [second, third])
    tamper("UPDATE core_auditevent SET id = %s WHERE id = -1", [third])

    assert audit_verify() == AuditVerifyReport(checked=2, broken_id=second, kind="reordered")


def test_verify_finds_a_forged_chain_head(service_writes: list[AuditEvent]) -> None:
    AuditChain.objects.filter(pk=1).update(head_hash="f" * 64)

    report = audit_verify()

    assert report == AuditVerifyReport(checked=8, broken_id=service_writes[-1].pk, kind="head")
    assert "链头与最后一条记录不符" in report.message


def test_verify_finds_a_missing_chain_row(service_writes: list[AuditEvent]) -> None:
    AuditChain.objects.all().delete()

    assert audit_verify() == AuditVerifyReport(checked=8, broken_id=None, kind="head")


def test_an_append_after_the_head_row_was_lost_is_detected(
    service_writes: list[AuditEvent],
) -> None:
    AuditChain.objects.all().delete()
    restarted = record()

    assert restarted.prev_hash == GENESIS_HASH
    assert audit_verify() == AuditVerifyReport(checked=8, broken_id=restarted.pk, kind="deleted")


# --- concurrency ------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork_the_chain() -> None:
    """Two connections append at once; the head lock makes one wait, so the chain stays linear.

    Each transaction holds the head a little after appending, so without the lock both would
    read the same head and the chain would fork (verify would report it).
    """
    per_thread = 15
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def append(name: str) -> None:
        try:
            barrier.wait(timeout=10)
            for number in range(per_thread):
                with transaction.atomic():
                    audit_record(
                        actor=f"system:{name}",
                        action="test.concurrent",
                        object_type="test",
                        object_id=number,
                    )
                    time.sleep(0.005)
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    events = list(AuditEvent.objects.order_by("id"))
    assert len(events) == 2 * per_thread
    assert {e.actor_label for e in events} == {"system:a", "system:b"}
    assert len({e.prev_hash for e in events}) == 2 * per_thread  # no two share a parent
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert audit_verify() == AuditVerifyReport(checked=2 * per_thread)


# --- the auditor's view -----------------------------------------------------------------------


def test_the_audit_admin_lists_who_what_when_where_and_the_result(db: None) -> None:
    model_admin = admin.site._registry[AuditEvent]
    request = RequestFactory().get("/admin/")

    assert model_admin.list_display == (
        "at",
        "actor_label",
        "actor_role",
        "action",
        "object_type",
        "object_id",
        "result",
        "ip",
    )
    assert model_admin.list_filter == ("action", "result", "actor_role")
    assert model_admin.search_fields == ("actor_label", "object_id", "action")
    assert model_admin.date_hierarchy == "at"
    assert model_admin.has_change_permission(request) is False
    assert model_admin.has_delete_permission(request) is False


def test_an_auditor_sees_the_list_and_pretty_printed_changes(db: None) -> None:
    auditor = User.objects.create_user(
        username="auditor_433124", password=None, role="auditor", is_staff=True
    )
    auditor.user_permissions.set(Permission.objects.filter(codename="view_auditevent"))
    event = record("household.update", changes={"名称": ["旧", "新"]})
    client = Client()
    client.force_login(auditor)

    listing = client.get("/admin/core/auditevent/?q=household.update")
    detail = client.get(f"/admin/core/auditevent/{event.pk}/change/")

    assert listing.status_code == 200
    assert "household.update" in listing.content.decode()
    assert detail.status_code == 200
    assert (
        "<pre>{\n  &quot;名称&quot;: [\n    &quot;旧&quot;,\n    &quot;新&quot;\n  ]\n}</pre>"
        in detail.content.decode()
    )
    assert event.hash in detail.content.decode()


def test_an_object_id_wider_than_the_column_is_refused_on_every_database(db: None) -> None:
    # SQLite would store it; PostgreSQL would fail the whole request: refuse it the same way.
    with pytest.raises(ValueError, match="longer than 64"):
        record(object_id="/api/v1/households/8bc924c2-00da-42e6-a9c3-e9f896913656/conditions")
    assert not AuditEvent.objects.exists()
