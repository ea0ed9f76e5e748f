"""Consumption-assistance purchases (消费帮扶)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import transaction
from django.http import HttpRequest

from fangpin.core.audit import actor_label
from fangpin.force.errors import ForceError
from fangpin.force.models import (
    Pairing,
    Purchase,
)
from fangpin.force.services._common import (
    _audit,
    _county,
    _inside,
    _money,
    _text,
    _year,
)
from fangpin.registry.models import Household

# --- Consumption assistance (消费帮扶) -----------------------------------------------------------


def purchase_record(
    *,
    actor: Any,
    county_code: str,
    buyer: str,
    year: int,
    bought_on: date,
    product: str,
    amount: Decimal,
    household_id: int | None = None,
    cooperative: str = "",
    pairing_id: UUID | None = None,
    request: HttpRequest | None = None,
) -> Purchase:
    """Record a buyer unit's purchase from exactly one seller of the county: a registered
    household or a co-operative; ``pairing_id`` credits it to a pairing of that county."""
    county = _county(actor, county_code)
    unit = _text(Purchase, "buyer", buyer)
    goods = _text(Purchase, "product", product)
    _year(year)
    if bought_on.year != year:
        raise ForceError(
            "bought_on", f"采购日期{bought_on.isoformat()}不在{year}年度内", field="bought_on"
        )
    money = _money(amount, label="采购金额", field="amount", positive=True)
    coop = _text(Purchase, "cooperative", cooperative, required=False)
    if (household_id is None) == (not coop):
        raise ForceError(
            "seller", "供货方须是一个农户或一个合作社（二者选一）", field="household_id"
        )
    household = None
    if household_id is not None:
        household = Household.objects.filter(pk=household_id).first()
        if household is None or not _inside(household.village_id, county.code):
            raise ForceError(
                "household", f"供货农户不是{county.name}的登记农户", field="household_id"
            )
    pairing = None
    if pairing_id is not None:
        pairing = Pairing.objects.filter(public_id=pairing_id, county=county).first()
        if pairing is None:
            raise ForceError("pairing", f"未找到{county.name}的该结对关系", field="pairing_id")
        if year < pairing.start_year or (pairing.end_year is not None and year > pairing.end_year):
            raise ForceError("year", f"{year}年不在该结对关系的年度之内", field="year")
    with transaction.atomic():
        purchase = Purchase.objects.create(
            buyer=unit,
            county=county,
            year=year,
            bought_on=bought_on,
            product=goods,
            household=household,
            cooperative=coop,
            amount=money,
            pairing=pairing,
            recorded_by_label=actor_label(actor),
        )
        _audit(
            actor,
            "purchase.record",
            "purchase",
            purchase.public_id,
            {
                "county": county.code,
                "buyer": unit,
                "year": year,
                "bought_on": bought_on,
                "product": goods,
                "amount": money,
                "household": household.household_number if household else None,
                "cooperative": coop,
                "pairing": pairing.public_id if pairing else None,
            },
            request,
        )
    return purchase
