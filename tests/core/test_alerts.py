"""The bulk-read alert (SEC-AUD-6): more than N distinct households an hour raises one event."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from fangpin.core.alerts import ALERT_ACTION, household_reads_purge, household_reads_record
from fangpin.core.models import AuditEvent, HouseholdRead, Role, User

NINE = datetime(2024, 6, 3, 9, 15, tzinfo=UTC)
NINE_LATER = datetime(2024, 6, 3, 9, 59, tzinfo=UTC)
TEN = datetime(2024, 6, 3, 10, 1, tzinfo=UTC)


@pytest.fixture
def reader(db: None, settings: Any) -> User:
    settings.FANGPIN_READ_ALERT_PER_HOUR = 3
    return User.objects.create_user(username="cadre", role=Role.VILLAGE_CADRE)


def _alerts() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=ALERT_ACTION).order_by("pk"))


def test_reads_up_to_the_limit_raise_nothing(reader: User) -> None:
    assert household_reads_record(user=reader, household_ids=[1, 2], now=NINE) is None
    assert household_reads_record(user=reader, household_ids=[2, 3, 3], now=NINE_LATER) is None

    assert HouseholdRead.objects.filter(user=reader).count() == 3
    assert _alerts() == []


def test_one_more_distinct_household_raises_one_alert(
    reader: User, caplog: pytest.LogCaptureFixture
) -> None:
    household_reads_record(user=reader, household_ids=[1, 2, 3], now=NINE)

    with caplog.at_level(logging.WARNING, logger="fangpin.security"):
        event = household_reads_record(user=reader, household_ids=[4], now=NINE_LATER)

    assert event is not None
    assert [(e.action, e.actor_id, e.object_type, e.object_id) for e in _alerts()] == [
        (ALERT_ACTION, reader.pk, "user", str(reader.pk))
    ]
    assert event.changes == {"hour": "2024-06-03T09:00:00+00:00", "households": 4, "limit": 3}
    assert caplog.messages == [
        "bulk read: cadre opened 4 distinct households in the hour from "
        "2024-06-03T09:00:00+00:00 (limit 3)"
    ]


def test_the_alert_is_raised_once_an_hour_and_again_the_next(reader: User) -> None:
    household_reads_record(user=reader, household_ids=[1, 2, 3, 4], now=NINE)
    assert household_reads_record(user=reader, household_ids=[5, 6], now=NINE_LATER) is None

    assert household_reads_record(user=reader, household_ids=[1, 2, 3], now=TEN) is None
    assert household_reads_record(user=reader, household_ids=[9], now=TEN) is not None

    assert [e.changes["hour"] for e in _alerts()] == [
        "2024-06-03T09:00:00+00:00",
        "2024-06-03T10:00:00+00:00",
    ]


def test_rereading_the_same_households_is_not_counted_twice(reader: User) -> None:
    for _ in range(5):
        household_reads_record(user=reader, household_ids=[1, 2, 3], now=NINE)

    assert HouseholdRead.objects.filter(user=reader).count() == 3
    assert _alerts() == []


def test_each_account_is_counted_alone(reader: User) -> None:
    other = User.objects.create_user(username="other", role=Role.VILLAGE_CADRE)
    household_reads_record(user=reader, household_ids=[1, 2], now=NINE)
    household_reads_record(user=other, household_ids=[3, 4], now=NINE)

    assert _alerts() == []


def test_a_limit_of_zero_never_alerts_but_still_counts(reader: User, settings: Any) -> None:
    settings.FANGPIN_READ_ALERT_PER_HOUR = 0

    assert household_reads_record(user=reader, household_ids=range(1, 500), now=NINE) is None
    assert HouseholdRead.objects.filter(user=reader).count() == 499
    assert _alerts() == []


def test_system_actors_and_empty_reads_are_not_counted(reader: User) -> None:
    assert household_reads_record(user="system:cli", household_ids=[1, 2, 3, 4, 5]) is None
    assert household_reads_record(user=reader, household_ids=[]) is None

    assert HouseholdRead.objects.count() == 0


def test_old_counter_rows_are_purged(reader: User) -> None:
    household_reads_record(user=reader, household_ids=[1, 2], now=NINE)
    household_reads_record(user=reader, household_ids=[1], now=TEN)

    assert household_reads_purge(before=TEN.replace(minute=0)) == 2
    assert list(HouseholdRead.objects.values_list("household_id", flat=True)) == [1]
