"""Pairings (东西部协作, 定点帮扶) and their yearly commitments."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import HttpRequest

from fangpin.core.audit import actor_label
from fangpin.force.errors import ForceError
from fangpin.force.models import (
    CommitmentItem,
    Pairing,
    PairingCommitment,
    PairingKind,
)
from fangpin.force.services._common import (
    STALE,
    _audit,
    _choice,
    _county,
    _get,
    _money,
    _require_edit,
    _require_scope,
    _text,
    _year,
)

# --- Pairings (东西部协作, 定点帮扶) -------------------------------------------------------------


def pairing_create(
    *,
    actor: Any,
    kind: str,
    partner: str,
    county_code: str,
    start_year: int,
    end_year: int | None = None,
    request: HttpRequest | None = None,
) -> Pairing:
    """Record a partner unit paired with a county for some years (the same partner, kind
    and county cannot be paired twice over the same years)."""
    county = _county(actor, county_code)
    kind = _choice(PairingKind, kind, "帮扶类别", "kind")
    unit = _text(Pairing, "partner", partner)
    _year(start_year, label="起始年度", field="start_year")
    if end_year is not None:
        _year(end_year, label="结束年度", field="end_year")
        if end_year < start_year:
            raise ForceError("end_year", "结束年度不能早于起始年度", field="end_year")
    with transaction.atomic():
        overlap = Pairing.objects.filter(kind=kind, partner=unit, county=county).filter(
            Q(end_year__isnull=True) | Q(end_year__gte=start_year)
        )
        if end_year is not None:
            overlap = overlap.filter(start_year__lte=end_year)
        if overlap.exists():
            raise ForceError(
                "already", f"{unit}与{county.name}在这些年度已有{PairingKind(kind).label}关系"
            )
        pairing = Pairing.objects.create(
            kind=kind,
            partner=unit,
            county=county,
            start_year=start_year,
            end_year=end_year,
            created_by_label=actor_label(actor),
        )
        _audit(
            actor,
            "pairing.create",
            "pairing",
            pairing.public_id,
            {"kind": kind, "partner": unit, "county": county.code, "years": [start_year, end_year]},
            request,
        )
    return pairing


def commitment_set(
    *,
    actor: Any,
    pairing_id: UUID,
    year: int,
    item: str,
    committed: Decimal,
    delivered: Decimal,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> PairingCommitment:
    """Record what a pairing promised on one item for a year and what was delivered. The
    first call creates the row; a later one updates it and needs the ``expected_version``
    it read."""
    _require_edit(actor)
    pairing = _get(Pairing, pairing_id, "结对关系")
    _require_scope(actor, pairing.county_id, "该结对关系所在县")
    _year(year)
    if year < pairing.start_year or (pairing.end_year is not None and year > pairing.end_year):
        raise ForceError(
            "year",
            f"{year}年不在结对关系的年度（{pairing.start_year}—{pairing.end_year or ''}）之内",
            field="year",
        )
    item = _choice(CommitmentItem, item, "协议事项", "item")
    promised = _money(committed, label="协议数", field="committed")
    done = _money(delivered, label="完成数", field="delivered")
    with transaction.atomic():
        row = (
            PairingCommitment.objects.select_for_update()
            .filter(pairing=pairing, year=year, item=item)
            .first()
        )
        if row is None:
            if expected_version is not None:  # edited a row that is not there (any more)
                raise ForceError("stale", STALE)
            try:
                with transaction.atomic():
                    row = PairingCommitment.objects.create(
                        pairing=pairing, year=year, item=item, committed=promised, delivered=done
                    )
            except IntegrityError:  # created meanwhile by someone else
                raise ForceError("stale", STALE) from None
            before: list[object] = [None, None]
        else:
            if expected_version is None:
                raise ForceError(
                    "version_required",
                    "该事项已登记，修改时必须提供版本号",
                    field="expected_version",
                )
            before = [row.committed, row.delivered]
            changed = PairingCommitment.objects.filter(pk=row.pk, version=expected_version).update(
                committed=promised, delivered=done, version=F("version") + 1
            )
            if not changed:
                raise ForceError("stale", STALE)
            row.refresh_from_db()
        _audit(
            actor,
            "commitment.set",
            "pairing",
            pairing.public_id,
            {
                "year": year,
                "item": item,
                "committed": [before[0], promised],
                "delivered": [before[1], done],
                "version": row.version,
            },
            request,
        )
    return row
