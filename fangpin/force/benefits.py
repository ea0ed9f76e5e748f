"""Benefits a project pays its linked households (项目收益到户), flowing into their income.

A benefit is one row per (project, household, year, kind of link). Recording it moves the
household's income component of that year (:data:`~fangpin.force.models.LINK_COMPONENT`) by
the difference between the new and the old amount, through the registry's own finance service
and in the same transaction: the income counts each benefit exactly once however often it is
corrected, and amounts a cadre typed into other components stay as they are. A component never
goes below 0: if someone lowered it by hand meanwhile, the correction is refused.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest

from fangpin import income
from fangpin.core.audit import actor_label
from fangpin.force.errors import ForceError
from fangpin.force.models import LINK_COMPONENT, Benefit, LinkType, Project, ProjectBeneficiary
from fangpin.force.services._common import (
    STALE,
    _audit,
    _choice,
    _get,
    _household,
    _money,
    _require_edit,
    _year,
)
from fangpin.registry.errors import RegistryError
from fangpin.registry.models import ACTIVE, HouseholdFinance
from fangpin.registry.services import finance_upsert

__all__ = ["benefit_record"]

_COMPONENT_LABELS = {c.field: c.zh for c in income.COMPONENTS}


def benefit_record(
    *,
    actor: Any,
    project_id: UUID,
    household_id: int,
    year: int,
    link_type: str,
    amount: Decimal,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> Benefit:
    """Record what a project paid a linked household in ``year`` by ``link_type`` and add it
    to the household's income of that year; a correction needs the ``expected_version`` read
    and moves the income by the difference only.

    Refused, with nothing written, when the household has no such link to the project, when
    the version is stale, when the finance service refuses (its message, e.g. a future year),
    or when the correction would take the income component below 0. Correcting to the same
    amount changes nothing.
    """
    _require_edit(actor)
    project = _get(Project, project_id, "项目")
    household = _household(actor, household_id)
    link_type = _choice(LinkType, link_type, "收益方式", "link_type")
    label = LinkType(link_type).label
    _year(year)
    money = _money(amount, label="收益金额", field="amount", max_digits=12)
    if household.status != ACTIVE:
        raise ForceError("household_inactive", f"农户{household.household_number}已注销")
    link = ProjectBeneficiary.objects.filter(
        project=project, household=household, link_type=link_type
    ).first()
    if link is None:
        raise ForceError("not_linked", f"该户未与项目建立{label}利益联结，不能登记收益")
    if year < link.since.year:
        raise ForceError(
            "year", f"收益年度{year}早于利益联结日期{link.since.isoformat()}", field="year"
        )
    component = LINK_COMPONENT[LinkType(link_type)]
    with transaction.atomic():
        row = (
            Benefit.objects.select_for_update()
            .filter(project=project, household=household, year=year, link_type=link_type)
            .first()
        )
        if row is None and expected_version is not None:
            raise ForceError("stale", STALE)  # edited a benefit that is not there (any more)
        if row is not None:
            if expected_version is None:
                raise ForceError(
                    "version_required",
                    f"{year}年度该项收益已登记，修改时必须提供版本号",
                    field="expected_version",
                )
            if row.version != expected_version:
                raise ForceError("stale", STALE)
            if row.amount == money:
                return row
        old = row.amount if row is not None else None
        _add_to_income(actor, household.pk, year, component, money - (old or Decimal(0)))
        if row is None:
            try:
                with transaction.atomic():
                    row = Benefit.objects.create(
                        project=project,
                        household=household,
                        year=year,
                        link_type=link_type,
                        amount=money,
                        recorded_by_label=actor_label(actor),
                    )
            except IntegrityError:  # recorded meanwhile by someone else
                raise ForceError("stale", STALE) from None
        else:
            changed = Benefit.objects.filter(pk=row.pk, version=row.version).update(
                amount=money, version=F("version") + 1
            )
            if not changed:
                raise ForceError("stale", STALE)
            row.refresh_from_db()
        _audit(
            actor,
            "benefit.record",
            "benefit",
            row.public_id,
            {
                "project": project.public_id,
                "household": household.household_number,
                "year": year,
                "link_type": link_type,
                "component": component,
                "amount": [old, money],
                "version": row.version,
            },
            request,
        )
    return row


def _add_to_income(
    actor: Any, household_id: int, year: int, component: str, delta: Decimal
) -> None:
    """Move one income component of the household's year by ``delta`` (inside the caller's
    transaction), creating the year's finance row if there is none."""
    if not delta:
        return
    finance = (
        HouseholdFinance.objects.select_for_update()
        .filter(household_id=household_id, year=year)
        .first()
    )
    current: Decimal = getattr(finance, component) if finance is not None else Decimal("0.00")
    after = current + delta
    if after < 0:
        raise ForceError(
            "income_below_zero",
            f"该户{year}年度收支表中的“{_COMPONENT_LABELS[component]}”现为{current}元，"
            f"少于要减去的{-delta}元（可能已被手工修改），请先核对收支表",
            field="amount",
        )
    try:
        finance_upsert(
            actor=actor,
            household_id=household_id,
            year=year,
            amounts={component: after},
            expected_version=finance.version if finance is not None else None,
        )
    except RegistryError as exc:
        raise ForceError(exc.code, exc.message, field=exc.field) from None
