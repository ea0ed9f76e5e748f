"""Monitoring spells (监测对象记录) written by the casework procedures, never by hand.

Identification's last step records a new spell (``monitoring_record``); the county approval
of a risk elimination ends it (``monitoring_eliminate``); a rollback (风险消除回退) reopens it
(``monitoring_rollback``). Each keeps ``Household.monitoring_status`` / ``monitoring_type`` in
step with the household's current spell (the list filters read those columns) and is audited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from fangpin.registry.errors import RegistryError
from fangpin.registry.models import (
    MAX_RISKS,
    MONITORED_OPEN,
    MONITORING_TYPES,
    NATURAL_DISASTER,
    RISK_ELIMINATED,
    Monitoring,
    MonitoringRisk,
)
from fangpin.registry.services import _access as access
from fangpin.registry.services import _common as c
from fangpin.registry.validation import validate_code

__all__ = ["monitoring_eliminate", "monitoring_record", "monitoring_rollback"]

ELIMINATION_MODES = ("assisted", "natural")


def _first_of_month(value: date) -> date:
    return value.replace(day=1)


@access.registry_write
def monitoring_record(
    *,
    actor: Any,
    household_id: int,
    object_type: str,
    risk_types: Sequence[str],
    identified_month: date,
    disaster_subtypes: Mapping[str, str] | None = None,
) -> Monitoring:
    """Start a monitoring spell: type, up to five risks (in order), identification month.

    Refuses ``monitored`` when the household already has an open spell, and bad codes."""
    access.require_edit(actor)
    household = access.get_household(household_id, actor=actor)
    if object_type not in MONITORING_TYPES:
        raise RegistryError("code", f"未知的监测对象类别：{object_type}", field="object_type")
    risks = list(dict.fromkeys(risk_types))
    if not risks or len(risks) > MAX_RISKS or len(risks) != len(risk_types):
        raise RegistryError("risks", f"风险类型应为1至{MAX_RISKS}项且不重复", field="risk_types")
    subtypes = dict(disaster_subtypes or {})
    for risk in risks:
        validate_code("risk_type", "risk_type", risk)
    subtype = validate_code(
        "disaster_subtype", "disaster_subtype", subtypes.get(NATURAL_DISASTER, ""), allow_empty=True
    )
    if Monitoring.objects.filter(household=household, eliminated_month__isnull=True).exists():
        raise RegistryError("monitored", f"农户{household.household_number}已在监测中")
    month = _first_of_month(identified_month)
    Monitoring.objects.filter(household=household, is_current=True).update(is_current=False)
    spell = Monitoring.objects.create(
        household=household, object_type=object_type, identified_month=month, is_current=True
    )
    MonitoringRisk.objects.bulk_create(
        MonitoringRisk(
            monitoring=spell,
            position=position,
            risk_type=risk,
            disaster_subtype=subtype if risk == NATURAL_DISASTER else "",
        )
        for position, risk in enumerate(risks, start=1)
    )
    before = {"monitoring_status": household.monitoring_status}
    household.monitoring_status = MONITORED_OPEN
    household.monitoring_type = object_type
    household.version += 1
    household.save(update_fields=["monitoring_status", "monitoring_type", "version", "updated_at"])
    c.audit(
        actor,
        "monitoring.record",
        household,
        {
            "monitoring_status": [before["monitoring_status"], MONITORED_OPEN],
            "object_type": [None, object_type],
            "risk_types": [None, risks],
            "identified_month": [None, month.isoformat()],
        },
    )
    return spell


@access.registry_write
def monitoring_eliminate(
    *, actor: Any, household_id: int, eliminated_month: date, mode: str, no_labour: bool = False
) -> Monitoring:
    """End the household's open spell: the month its risk was marked eliminated and how."""
    access.require_edit(actor)
    household = access.get_household(household_id, actor=actor)
    if mode not in ELIMINATION_MODES:
        raise RegistryError("code", f"未知的风险消除方式：{mode}", field="mode")
    spell = Monitoring.objects.filter(household=household, eliminated_month__isnull=True).first()
    if spell is None:
        raise RegistryError("not_monitored", f"农户{household.household_number}不在监测中")
    month = _first_of_month(eliminated_month)
    if month < spell.identified_month:
        raise RegistryError("event_date", "消除监测时间早于识别监测时间", field="eliminated_month")
    Monitoring.objects.filter(pk=spell.pk).update(
        eliminated_month=month,
        elimination_mode=mode,
        no_labour_backstop=no_labour,
        version=spell.version + 1,
    )
    household.monitoring_status = RISK_ELIMINATED
    household.version += 1
    household.save(update_fields=["monitoring_status", "version", "updated_at"])
    c.audit(
        actor,
        "monitoring.eliminate",
        household,
        {
            "monitoring_status": [MONITORED_OPEN, RISK_ELIMINATED],
            "eliminated_month": [None, month.isoformat()],
            "elimination_mode": ["", mode],
        },
    )
    spell.refresh_from_db()
    return spell


@access.registry_write
def monitoring_rollback(*, actor: Any, household_id: int, reason: str) -> Monitoring:
    """风险消除回退: reopen the household's current, eliminated spell."""
    access.require_edit(actor)
    household = access.get_household(household_id, actor=actor)
    reason = c.require_text(reason, field="reason", label="回退原因", max_length=500)
    spell = Monitoring.objects.filter(household=household, is_current=True).first()
    if spell is None or spell.eliminated_month is None:
        raise RegistryError("not_eliminated", f"农户{household.household_number}的风险未消除")
    before = spell.eliminated_month.isoformat()
    Monitoring.objects.filter(pk=spell.pk).update(
        eliminated_month=None,
        elimination_mode="",
        no_labour_backstop=False,
        version=spell.version + 1,
    )
    household.monitoring_status = MONITORED_OPEN
    household.version += 1
    household.save(update_fields=["monitoring_status", "version", "updated_at"])
    c.audit(
        actor,
        "monitoring.rollback",
        household,
        {
            "monitoring_status": [RISK_ELIMINATED, MONITORED_OPEN],
            "eliminated_month": [before, None],
            "reason": [None, reason],
        },
    )
    spell.refresh_from_db()
    return spell
