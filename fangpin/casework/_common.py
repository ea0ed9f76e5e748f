"""Helpers shared by the casework services: the denial audit."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from fangpin.core.audit import audit_record
from fangpin.core.models import AuditResult

__all__ = ["audit_denied"]


def audit_denied(actor: Any, action: str, request: HttpRequest | None, code: str) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="authz.denied",
            object_type="casework",
            object_id=action,
            changes={"attempted": action, "reason": code},
            result=AuditResult.DENIED,
            request=request,
        )
