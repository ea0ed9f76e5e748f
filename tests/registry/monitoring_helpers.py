"""Test helper: give a household a monitoring spell (no service writes spells yet).

Writes the rows the bulk loader writes: the spell, its risks, and, for the current spell, the
household's mirrored ``monitoring_status`` / ``monitoring_type``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from fangpin.registry.models import Household, Monitoring, MonitoringRisk


def add_spell(
    household: Household,
    object_type: str,
    identified: date,
    *,
    eliminated: date | None = None,
    mode: str = "",
    backstop: bool = False,
    is_current: bool = True,
    risks: Sequence[tuple[str, str]] = (("01", ""),),
) -> Monitoring:
    spell = Monitoring.objects.create(
        household=household,
        object_type=object_type,
        identified_month=identified,
        eliminated_month=eliminated,
        elimination_mode=mode or ("assisted" if eliminated else ""),
        no_labour_backstop=backstop,
        is_current=is_current,
    )
    MonitoringRisk.objects.bulk_create(
        MonitoringRisk(monitoring=spell, position=i, risk_type=code, disaster_subtype=subtype)
        for i, (code, subtype) in enumerate(risks, start=1)
    )
    if is_current:
        Household.objects.filter(pk=household.pk).update(
            monitoring_status="open" if eliminated is None else "eliminated",
            monitoring_type=object_type,
        )
    return spell
