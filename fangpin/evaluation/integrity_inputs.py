"""The small tables the integrity detectors read beside the registry snapshot, built from the
apps that own the facts (docs/integrity.md, "input contract"):

- ``eliminations``: every eliminated monitoring spell of the county — identified month, the
  day the county approved the elimination (the closing step of the elimination case, or the
  recorded elimination month when no case was run in fangpin), the mode, who decided, and the
  per-capita net income of the year before;
- ``visits``: assistance visits (走访) with their notes and visitor;
- ``posts``: households holding a public-welfare post (公益岗位) in a year — a measure of
  that category in force during the year.

Read with ``values_list`` in one query each (no per-row ORM loop), as Arrow tables.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
from django.db.models import Q

from fangpin.assistance.models import Measure, Visit
from fangpin.casework.models import CaseKind, CaseTransition
from fangpin.integrity.contract import ELIMINATIONS, POSTS, VISITS
from fangpin.registry.models import HouseholdFinance, Monitoring

__all__ = ["eliminations_table", "posts_table", "visits_table"]


def eliminations_table(county_prefix: str) -> pa.Table:
    """Eliminated spells of the county (``county_prefix``: its 6 digits)."""
    spells = list(
        Monitoring.objects.filter(
            household__village__code__startswith=county_prefix, eliminated_month__isnull=False
        )
        .order_by("household_id", "identified_month")
        .values_list(
            "pk",
            "household_id",
            "household__village_id",
            "identified_month",
            "eliminated_month",
            "elimination_mode",
        )
    )
    decided: dict[int, tuple[date, str]] = {}
    for monitoring_id, on, label in (
        CaseTransition.objects.filter(
            case__kind=CaseKind.ELIMINATION,
            case__village_code__startswith=county_prefix,
            to_step="eliminated",
            case__monitoring__isnull=False,
        )
        .order_by("case__monitoring_id", "seq")
        .values_list("case__monitoring_id", "on", "actor_label")
    ):
        decided[monitoring_id] = (on, label)
    incomes = {
        (h, y): float(v)
        for h, y, v in HouseholdFinance.objects.filter(
            household__village__code__startswith=county_prefix
        ).values_list("household_id", "year", "per_capita_net_income")
        if v is not None
    }
    rows: dict[str, list[object]] = {name: [] for name in ELIMINATIONS.names}
    for monitoring_id, household_id, village, identified, eliminated, mode in spells:
        assert eliminated is not None  # filtered non-null above
        on, label = decided.get(monitoring_id) or (eliminated, "")
        rows["household_id"].append(household_id)
        rows["village_code"].append(village)
        rows["identified_on"].append(identified)
        rows["eliminated_on"].append(on)
        rows["mode"].append(mode or "")
        rows["decided_by"].append(label or "")
        rows["per_capita_income_at_elimination"].append(
            incomes.get((household_id, on.year - 1), incomes.get((household_id, on.year)))
        )
    return pa.table(rows, schema=ELIMINATIONS)


def visits_table(county_prefix: str) -> pa.Table:
    """Assistance visits of the county with their notes."""
    rows: dict[str, list[object]] = {name: [] for name in VISITS.names}
    for pk, household_id, village, visitor, on, notes in (
        Visit.objects.filter(household__village__code__startswith=county_prefix)
        .order_by("pk")
        .values_list(
            "pk", "household_id", "household__village_id", "visitor_label", "visited_on", "findings"
        )
    ):
        rows["visit_id"].append(pk)
        rows["household_id"].append(household_id)
        rows["village_code"].append(village)
        rows["visitor"].append(visitor)
        rows["visited_on"].append(on)
        rows["notes"].append(notes)
    return pa.table(rows, schema=VISITS)


def posts_table(county_prefix: str, year: int) -> pa.Table:
    """Households with a public-welfare-post measure in force during ``year``."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    households = sorted(
        set(
            Measure.objects.filter(
                plan__household__village__code__startswith=county_prefix,
                category="PUBLIC_WELFARE_POST",
                start_date__lte=end,
            )
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
            .filter(Q(stopped_on__isnull=True) | Q(stopped_on__gte=start))
            .values_list("plan__household_id", flat=True)
        )
    )
    return pa.table({"household_id": households, "year": [year] * len(households)}, schema=POSTS)
