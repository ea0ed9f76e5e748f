"""Writes of assistance: add, edit and stop a measure of a household's plan.

Visits are written by :mod:`fangpin.assistance.visits` (re-exported here, so callers import
every write from one module).

Services are keyword-only, run in one transaction and write their audit event in it. The
actor needs ``plan.edit`` with the household's village in their scope: without the capability
the answer is ``forbidden``, outside the scope ``not_found`` (like a missing household), both
audited as ``authz.denied`` and nothing else changes. Edits and stops name the
``expected_version`` they read (optimistic concurrency: ``stale``, HTTP 409).

Measures are never deleted. Every write closes the measure's open :class:`MeasureRevision`
(``valid_to`` = the day of the change) and opens a new one with the new values, so
``selectors.plan_as_of`` can rebuild the plan of any past day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from fangpin.assistance import checks
from fangpin.assistance._common import (
    FORBIDDEN_MESSAGE,
    NOT_FOUND_MESSAGE,
    audit_denied,
    household_for_write,
    text_field,
)
from fangpin.assistance.access import edit_prefix
from fangpin.assistance.errors import AssistanceError
from fangpin.assistance.models import (
    AMOUNT_MAX,
    Measure,
    MeasureRevision,
    MeasureStatus,
    Plan,
)
from fangpin.assistance.policy import category_names
from fangpin.assistance.visits import PhotoUpload, photo_path, visit_record
from fangpin.core.audit import actor_label, audit_record, user_or_none
from fangpin.registry.models import ACTIVE, Household, Monitoring, Person

__all__ = [
    "NOT_FOUND_MESSAGE",
    "MeasureInput",
    "PhotoUpload",
    "measure_create",
    "measure_stop",
    "measure_update",
    "photo_path",
    "visit_record",
]

STALE_MESSAGE: Final = "该帮扶措施已被他人修改，请刷新后重试"
EVIDENCE_MAX: Final = 2000
REASON_MAX: Final = 200
_OPEN_STATUSES: Final = (MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS, MeasureStatus.DONE)
_VALUE_FIELDS: Final = (
    "category",
    "item",
    "responsible_department",
    "responsible_person",
    "person_id",
    "risk_types",
    "start_date",
    "end_date",
    "amount",
    "status",
    "stopped_on",
    "evidence",
    "continues_after_elimination",
)


@dataclass(frozen=True, slots=True)
class MeasureInput:
    """The values of a measure as a form or the demo gives them (validated by the service)."""

    category: str
    item: str
    responsible_department: str
    responsible_person: str
    start_date: date
    end_date: date | None = None
    amount: Decimal | str | int = Decimal(0)
    status: str = MeasureStatus.PLANNED
    risk_types: Sequence[str] = ()
    person_id: int | None = None
    evidence: str = ""


# --- access ------------------------------------------------------------------------------------


def _measure_for_write(
    actor: Any, measure_id: int, attempted: str, request: HttpRequest | None
) -> Measure:
    prefix = edit_prefix(actor)
    if prefix is None:
        audit_denied(actor, attempted, "measure", measure_id, "capability", request)
        raise AssistanceError("forbidden", FORBIDDEN_MESSAGE)
    measure = (
        Measure.objects.select_related("plan__household", "plan__monitoring")
        .filter(pk=measure_id)
        .first()
    )
    if measure is None or not measure.plan.household.village_id.startswith(prefix):
        audit_denied(actor, attempted, "measure", measure_id, "out_of_scope", request)
        raise AssistanceError("not_found", NOT_FOUND_MESSAGE)
    return measure


# --- validation --------------------------------------------------------------------------------


def _amount(value: Decimal | str | int) -> Decimal:
    try:
        amount = Decimal(str(value).strip() or "0")
    except InvalidOperation:
        raise AssistanceError("amount", "金额须为数字（元）", field="amount") from None
    if not amount.is_finite() or amount < 0:
        raise AssistanceError("amount", "金额不能为负数", field="amount")
    if amount > AMOUNT_MAX or amount != amount.quantize(Decimal("0.01")):
        raise AssistanceError("amount", "金额最多两位小数，且不超过99999999.99元", field="amount")
    return amount.quantize(Decimal("0.01"))


def _clean(
    values: MeasureInput, *, household: Household, spell: Monitoring, today: date
) -> dict[str, Any]:
    names = category_names(household.village_id, today.year)
    if values.category not in names:
        raise AssistanceError("category", "请选择帮扶措施类别", field="category")
    spell_risks = set(spell.risks.values_list("risk_type", flat=True))
    risk_types = list(dict.fromkeys(values.risk_types))
    unknown = [code for code in risk_types if code not in spell_risks]
    if unknown:
        raise AssistanceError(
            "risk_types", "所选风险不是该户当前的致贫返贫风险", field="risk_types"
        )
    if (
        values.person_id is not None
        and not Person.objects.filter(
            pk=values.person_id, household=household, status=ACTIVE
        ).exists()
    ):
        raise AssistanceError("person", "受益成员须为该户在册成员", field="person")
    if values.end_date is not None and values.end_date < values.start_date:
        raise AssistanceError("dates", "结束日期不能早于开始日期", field="end_date")
    if values.status not in _OPEN_STATUSES:
        raise AssistanceError(
            "status", "状态须为计划中、实施中或已完成（终止请用“终止措施”）", field="status"
        )
    if values.status != MeasureStatus.PLANNED and values.start_date > today:
        raise AssistanceError("status", "开始日期在今天之后的措施只能是“计划中”", field="status")
    return {
        "category": values.category,
        "item": text_field(values.item, code="item", label="帮扶项目", limit=200),
        "responsible_department": text_field(
            values.responsible_department, code="department", label="责任单位", limit=100
        ),
        "responsible_person": text_field(
            values.responsible_person, code="responsible_person", label="帮扶责任人", limit=50
        ),
        "person_id": values.person_id,
        "risk_types": risk_types,
        "start_date": values.start_date,
        "end_date": values.end_date,
        "amount": _amount(values.amount),
        "status": values.status,
        "stopped_on": None,
        "evidence": text_field(
            values.evidence, code="evidence", label="佐证材料", limit=EVIDENCE_MAX, required=False
        ),
        "continues_after_elimination": checks.continues_after_elimination(values.category),
    }


def _current_spell(household: Household) -> Monitoring:
    spell = Monitoring.objects.filter(household=household, is_current=True).first()
    if spell is None:
        raise AssistanceError("not_monitored", "该户不是监测对象，没有帮扶计划")
    return spell


def _json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _audit_values(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: _json(v) for k, v in fields.items() if k in _VALUE_FIELDS}


def _open_revision(
    measure: Measure, *, change: str, reason: str, actor: Any, today: date
) -> MeasureRevision:
    """Close the measure's open revision on ``today`` and open one with its current values."""
    previous = MeasureRevision.objects.filter(measure=measure, valid_to__isnull=True).first()
    seq = 1
    valid_from = today
    if previous is not None:
        valid_from = max(today, previous.valid_from)
        MeasureRevision.objects.filter(pk=previous.pk).update(valid_to=valid_from)
        seq = previous.seq + 1
    return MeasureRevision.objects.create(
        measure=measure,
        seq=seq,
        valid_from=valid_from,
        change=change,
        reason=reason,
        actor=user_or_none(actor),
        actor_label=actor_label(actor),
        **{name: getattr(measure, name) for name in _VALUE_FIELDS},
    )


# --- measures ----------------------------------------------------------------------------------


def measure_create(
    *,
    actor: Any,
    household_id: int,
    values: MeasureInput,
    request: HttpRequest | None = None,
    today: date | None = None,
) -> Measure:
    """Add a measure to the plan of the household's current monitoring spell (made on first use).

    Refuses (nothing stored): ``forbidden``, ``not_found`` (audited), ``not_monitored``, and
    the field codes of :mod:`fangpin.assistance.errors`. Audited as ``measure.create``.
    """
    day = today or timezone.localdate()
    household = household_for_write(actor, household_id, "measure.create", request)
    spell = _current_spell(household)
    fields = _clean(values, household=household, spell=spell, today=day)
    with transaction.atomic():
        plan, created = Plan.objects.get_or_create(household=household, monitoring=spell)
        measure = Measure.objects.create(plan=plan, **fields)
        _open_revision(measure, change="create", reason="", actor=actor, today=day)
        if not created:
            Plan.objects.filter(pk=plan.pk).update(updated_at=timezone.now())
        audit_record(
            actor=actor,
            action="measure.create",
            object_type="measure",
            object_id=measure.public_id,
            changes={"household": household.household_number, **_audit_values(fields)},
            request=request,
        )
    return measure


def _check_version(measure: Measure, expected_version: int) -> None:
    current = Measure.objects.filter(pk=measure.pk).values("version", "status").first()
    if current is None:
        raise AssistanceError("not_found", NOT_FOUND_MESSAGE)
    if current["version"] != expected_version:
        raise AssistanceError("stale", STALE_MESSAGE)
    if current["status"] == MeasureStatus.STOPPED:
        raise AssistanceError("stopped", "该帮扶措施已终止，不能再修改")


def _write(
    measure: Measure,
    *,
    expected_version: int,
    fields: dict[str, Any],
    change: str,
    reason: str,
    actor: Any,
    day: date,
    request: HttpRequest | None,
) -> Measure:
    before = {name: getattr(measure, name) for name in fields}
    with transaction.atomic():
        moved = (
            Measure.objects.filter(pk=measure.pk, version=expected_version)
            .exclude(status=MeasureStatus.STOPPED)
            .update(**fields, version=expected_version + 1, updated_at=timezone.now())
        )
        if not moved:  # changed between the check and the write
            raise AssistanceError("stale", STALE_MESSAGE)
        measure.refresh_from_db()
        _open_revision(measure, change=change, reason=reason, actor=actor, today=day)
        changes: dict[str, Any] = {
            name: [_json(old), _json(fields[name])]
            for name, old in before.items()
            if old != fields[name]
        }
        changes["version"] = expected_version + 1
        if reason:
            changes["reason"] = reason
        audit_record(
            actor=actor,
            action=f"measure.{change}",
            object_type="measure",
            object_id=measure.public_id,
            changes=changes,
            request=request,
        )
    return measure


def measure_update(
    *,
    actor: Any,
    measure_id: int,
    expected_version: int,
    values: MeasureInput,
    request: HttpRequest | None = None,
    today: date | None = None,
) -> Measure:
    """Change a measure's values; the previous ones stay as a revision valid until ``today``.

    Refuses like :func:`measure_create`, and ``stale`` (``expected_version`` is not the
    measure's version) or ``stopped`` (HTTP 409). Audited as ``measure.update`` with each
    changed field's old and new value.
    """
    day = today or timezone.localdate()
    measure = _measure_for_write(actor, measure_id, "measure.update", request)
    _check_version(measure, expected_version)
    fields = _clean(
        values, household=measure.plan.household, spell=measure.plan.monitoring, today=day
    )
    return _write(
        measure,
        expected_version=expected_version,
        fields=fields,
        change="update",
        reason="",
        actor=actor,
        day=day,
        request=request,
    )


def measure_stop(
    *,
    actor: Any,
    measure_id: int,
    expected_version: int,
    stopped_on: date,
    reason: str,
    request: HttpRequest | None = None,
    today: date | None = None,
) -> Measure:
    """Stop a measure (终止) on ``stopped_on`` with a reason; it is kept, never deleted.

    Refuses like :func:`measure_update`, ``reason`` (empty or too long) and ``dates`` (a stop
    date in the future or before the start). Audited as ``measure.stop``.
    """
    day = today or timezone.localdate()
    measure = _measure_for_write(actor, measure_id, "measure.stop", request)
    _check_version(measure, expected_version)
    text = text_field(reason, code="reason", label="终止原因", limit=REASON_MAX)
    if stopped_on > day:
        raise AssistanceError("dates", "终止日期不能晚于今天", field="stopped_on")
    if stopped_on < measure.start_date:
        raise AssistanceError("dates", "终止日期不能早于开始日期", field="stopped_on")
    return _write(
        measure,
        expected_version=expected_version,
        fields={"status": MeasureStatus.STOPPED, "stopped_on": stopped_on},
        change="stop",
        reason=text,
        actor=actor,
        day=day,
        request=request,
    )
