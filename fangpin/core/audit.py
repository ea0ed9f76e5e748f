"""Write audit events in the caller's transaction (services call this, nothing else does)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from fangpin.core.models import AuditEvent


def actor_label(actor: Any) -> str:
    """A stable label for who acted: the username, or ``system:<what>`` for jobs and the CLI."""
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    return str(getattr(actor, "username", actor))


def audit_record(
    *,
    actor: Any,
    action: str,
    object_type: str,
    object_id: object,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. Must run inside the transaction of the write it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the write's transaction")
    user = actor if getattr(actor, "pk", None) is not None and hasattr(actor, "username") else None
    return AuditEvent.objects.create(
        actor=user,
        actor_label=actor_label(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        changes=changes or {},
    )
