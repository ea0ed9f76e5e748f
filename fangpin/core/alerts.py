"""Bulk-read alerts (SEC-AUD-6, PIPL Art. 57 readiness).

An account that opens more than ``FANGPIN_READ_ALERT_PER_HOUR`` distinct households, or
exports more rows than that, within one clock hour raises an ``alert.bulk_read`` (or
``alert.bulk_export``) audit event — once per account
and hour — and a warning on the ``fangpin.security`` logger, so the auditor sees it in the
audit log and an operator's log shipper sees it at once.

Views call :func:`household_reads_record` for the households whose personal data they show in
detail (the household page, the API's household, member and person responses, reveals); list
pages, which show masked rows only, do not. Exports are counted by their rows instead:
:func:`export_rows_record` sums the rows of an account's exports in the hour and raises one
``alert.bulk_export`` event past the same limit.
The counter is :class:`~fangpin.core.models.HouseholdRead`: one row per account, hour and
household, written with ``ignore_conflicts`` so a re-read costs one cheap insert and no lock on
the audit chain. ``fangpin housekeeping`` (daily) drops rows older than :data:`KEEP`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from fangpin.core.audit import actor_label, audit_record
from fangpin.core.models import AuditEvent, HouseholdRead

__all__ = [
    "ALERT_ACTION",
    "EXPORT_ALERT_ACTION",
    "export_rows_record",
    "household_reads_purge",
    "household_reads_record",
    "read_alert_limit",
]

ALERT_ACTION = "alert.bulk_read"
EXPORT_ALERT_ACTION = "alert.bulk_export"
KEEP = timedelta(hours=24)
"""How long counter rows are kept (only the current hour's matter)."""
logger = logging.getLogger("fangpin.security")


def read_alert_limit() -> int:
    """Distinct households one account may open in an hour before the alert (0: never)."""
    return int(getattr(settings, "FANGPIN_READ_ALERT_PER_HOUR", 200))


def _hour(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def household_reads_record(
    *,
    user: Any,
    household_ids: Iterable[int],
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> AuditEvent | None:
    """Count ``household_ids`` as read by ``user`` this hour; alert when over the limit.

    Returns the alert event when this call raised it, else ``None``. Accounts without a
    primary key (system actors) are not counted.
    """
    if getattr(user, "pk", None) is None:
        return None
    ids = sorted({int(i) for i in household_ids})
    if not ids:
        return None
    hour = _hour(now or timezone.now())
    limit = read_alert_limit()
    # Two queries on a normal read: the insert and the count.
    HouseholdRead.objects.bulk_create(
        [HouseholdRead(user_id=user.pk, hour=hour, household_id=i) for i in ids],
        ignore_conflicts=True,
    )
    distinct = HouseholdRead.objects.filter(user_id=user.pk, hour=hour).count()
    if limit <= 0 or distinct <= limit:
        return None
    label = hour.isoformat()
    with transaction.atomic():
        already = AuditEvent.objects.filter(
            action=ALERT_ACTION, object_type="user", object_id=str(user.pk), changes__hour=label
        ).exists()
        if already:
            return None
        event = audit_record(
            actor=user,
            action=ALERT_ACTION,
            object_type="user",
            object_id=user.pk,
            changes={"hour": label, "households": distinct, "limit": limit},
            request=request,
        )
    logger.warning(
        "bulk read: %s opened %d distinct households in the hour from %s (limit %d)",
        actor_label(user),
        distinct,
        label,
        limit,
    )
    return event


def household_reads_purge(*, before: datetime) -> int:
    """Delete counter rows of hours before ``before`` (the counter is not the audit log)."""
    deleted, _ = HouseholdRead.objects.filter(hour__lt=before).delete()
    return deleted


def export_rows_record(
    *, user: Any, request: HttpRequest | None = None, now: datetime | None = None
) -> AuditEvent | None:
    """Alert when ``user``'s exports this clock hour hold more rows than the read limit.

    Called after an export's ``data.export`` event is recorded. The rows of this hour's
    ``data.export`` events of the account are summed (at most ``FANGPIN_EXPORT_PER_HOUR`` of
    them, the exports' rate limit); above :func:`read_alert_limit` one ``alert.bulk_export``
    event is raised for the hour, as for household reads. Returns it when this call raised it.
    System actors (no primary key) are not counted.
    """
    if getattr(user, "pk", None) is None:
        return None
    limit = read_alert_limit()
    if limit <= 0:
        return None
    hour = _hour(now or timezone.now())
    changes = AuditEvent.objects.filter(
        actor_id=user.pk, action="data.export", at__gte=hour, at__lt=hour + timedelta(hours=1)
    ).values_list("changes", flat=True)
    rows = sum(int((c or {}).get("rows", 0)) for c in changes)
    if rows <= limit:
        return None
    label = hour.isoformat()
    with transaction.atomic():
        already = AuditEvent.objects.filter(
            action=EXPORT_ALERT_ACTION,
            object_type="user",
            object_id=str(user.pk),
            changes__hour=label,
        ).exists()
        if already:
            return None
        event = audit_record(
            actor=user,
            action=EXPORT_ALERT_ACTION,
            object_type="user",
            object_id=user.pk,
            changes={"hour": label, "rows": rows, "limit": limit},
            request=request,
        )
    logger.warning(
        "bulk export: %s exported %d rows in the hour from %s (limit %d)",
        actor_label(user),
        rows,
        label,
        limit,
    )
    return event
