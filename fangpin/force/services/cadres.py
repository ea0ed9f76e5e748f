"""Assisting cadres (帮扶责任人) and the households they are responsible for."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from fangpin.core.audit import actor_label
from fangpin.core.models import User
from fangpin.force.errors import ForceError
from fangpin.force.models import (
    AssistingCadre,
    CadreAssignment,
)
from fangpin.force.services._common import (
    STALE,
    _audit,
    _county,
    _get,
    _household,
    _inside,
    _require_edit,
    _text,
)
from fangpin.registry.models import ACTIVE, Household

# --- Assisting cadres (帮扶责任人) ---------------------------------------------------------------


def cadre_create(
    *,
    actor: Any,
    county_code: str,
    name: str,
    unit: str,
    username: str = "",
    request: HttpRequest | None = None,
) -> AssistingCadre:
    """Register an assisting cadre of a county; ``username`` links their active account
    (its home region inside the county), so what they do under it counts as theirs."""
    county = _county(actor, county_code)
    person = _text(AssistingCadre, "name", name)
    employer = _text(AssistingCadre, "unit", unit)
    account = None
    login = (username or "").strip()
    if login:
        account = User.objects.filter(username=login, is_active=True).first()
        if account is None or not _inside(account.home_region_id or "", county.code):
            raise ForceError(
                "user", f"账号“{login}”不存在、已停用或不属于{county.name}", field="username"
            )
        holder = AssistingCadre.objects.filter(user=account).first()
        if holder is not None:
            raise ForceError(
                "user", f"账号“{login}”已关联帮扶责任人{holder.name}", field="username"
            )
    with transaction.atomic():
        cadre = AssistingCadre.objects.create(
            name=person,
            unit=employer,
            county=county,
            user=account,
            created_by_label=actor_label(actor),
        )
        _audit(
            actor,
            "cadre.create",
            "assistingcadre",
            cadre.public_id,
            {"county": county.code, "name": person, "unit": employer, "username": login},
            request,
        )
    return cadre


def cadre_assign(
    *,
    actor: Any,
    cadre_id: UUID,
    household_id: int,
    start_date: date,
    request: HttpRequest | None = None,
) -> CadreAssignment:
    """Make ``cadre_id`` responsible for a household from ``start_date``. The household's
    current assignment, if any, ends the day before (its row stays: history)."""
    _require_edit(actor)
    household = _household(actor, household_id)
    cadre = _get(AssistingCadre, cadre_id, "帮扶责任人")
    if not _inside(household.village_id, cadre.county_id):
        raise ForceError("household", "该农户不在帮扶责任人所在县", field="household_id")
    if household.status != ACTIVE:
        raise ForceError("household_inactive", f"农户{household.household_number}已注销")
    with transaction.atomic():
        Household.objects.select_for_update().filter(pk=household.pk).first()  # in turn
        history = list(CadreAssignment.objects.filter(household=household).order_by("start_date"))
        current = next((a for a in history if a.end_date is None), None)
        if current is not None and current.cadre_id == cadre.pk:
            raise ForceError("already", f"{cadre.name}已是该户的帮扶责任人")
        last = max((a.end_date or a.start_date for a in history), default=None)
        if last is not None and start_date <= last:
            raise ForceError(
                "start_date",
                f"结对日期须晚于该户上一次结对的日期{last.isoformat()}",
                field="start_date",
            )
        if current is not None:
            current.end_date = start_date - timedelta(days=1)
            current.save(update_fields=["end_date"])
        try:
            with transaction.atomic():
                assignment = CadreAssignment.objects.create(
                    cadre=cadre, household=household, start_date=start_date
                )
        except IntegrityError:  # another assignment of this household won the race
            raise ForceError("stale", STALE) from None
        _audit(
            actor,
            "cadre.assign",
            "cadreassignment",
            assignment.pk,
            {
                "cadre": cadre.public_id,
                "household": household.household_number,
                "start_date": start_date,
                "ended": current.pk if current is not None else None,
            },
            request,
        )
    return assignment
