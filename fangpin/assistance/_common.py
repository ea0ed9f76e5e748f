"""Helpers shared by the assistance services: scope and capability checks, text fields."""

from __future__ import annotations

from typing import Any, Final

from django.db import transaction
from django.http import HttpRequest

from fangpin.assistance.access import edit_prefix
from fangpin.assistance.errors import AssistanceError
from fangpin.core.audit import audit_record
from fangpin.core.models import AuditResult
from fangpin.registry.models import ACTIVE, Household

NOT_FOUND_MESSAGE: Final = "未找到该农户或帮扶措施"
FORBIDDEN_MESSAGE: Final = "当前账号无权编辑帮扶计划和走访记录"


def audit_denied(
    actor: Any, attempted: str, object_type: str, object_id: object, reason: str, request: Any
) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="authz.denied",
            object_type=object_type,
            object_id=object_id,
            changes={"attempted": attempted, "reason": reason},
            result=AuditResult.DENIED,
            request=request,
        )


def household_for_write(
    actor: Any, household_id: int, attempted: str, request: HttpRequest | None
) -> Household:
    prefix = edit_prefix(actor)
    if prefix is None:
        audit_denied(actor, attempted, "household", household_id, "capability", request)
        raise AssistanceError("forbidden", FORBIDDEN_MESSAGE)
    household = Household.objects.filter(pk=household_id, status=ACTIVE).first()
    if household is None or not household.village_id.startswith(prefix):
        audit_denied(actor, attempted, "household", household_id, "out_of_scope", request)
        raise AssistanceError("not_found", NOT_FOUND_MESSAGE)
    return household


def text_field(value: str, *, code: str, label: str, limit: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise AssistanceError(code, f"请填写{label}", field=code)
    if len(text) > limit:
        raise AssistanceError(code, f"{label}不能超过{limit}个字", field=code)
    return text
