"""Rebuild a county's dashboard tallies (看板汇总) from the records, in one transaction.

Each figure is one grouped query over its own table (households, persons, monitoring spells
and their risks, clues, cases, measures, visits, ledger problems), never a loop over rows; the
county's old tallies are deleted and the new ones inserted in the same transaction, so a page
never sees half a refresh and a killed refresh leaves the previous one in place. "Overdue"
and "visited in time" are counted against ``as_of`` (today by default), the day the page
shows as 「数据截至」.

The definitions match the lists the charts drill down to, number for number:

=============  ==========================  ===================================================
metric         key                         counts (per village unless said otherwise)
=============  ==========================  ===================================================
``hh``         ""                          active households
``persons``    ""                          active members of active households
``mon``        monitoring type             active households monitored, risk not eliminated
``elim``       monitoring type             active households whose risk is eliminated
``risk``       risk type                   ``mon`` households whose current spell has the risk
``ident``      monitoring type, month      active households with a spell identified that month
``elim_m``     monitoring type, month      active households with a spell eliminated that month
``clue``       status                      clues (pending / verified)
``clue_late``  ""                          pending clues past their verification deadline
``case``       ``kind:step``               open identification and elimination cases
``case_late``  ``kind:step``               open cases past their limit (as the case list says)
``measure``    category                    ``mon`` households with a planned or running measure
                                           of the category
``planned``    ""                          ``mon`` households with a planned or running measure
``visited``    ""                          ``mon`` households visited within the interval
``visit_m``    "", month                   visits logged that month (last 24 months)
``problem``    status                      ledger problems, at the problem's own region
``prob_late``  ""                          problems still to fix past their deadline
=============  ==========================  ===================================================
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import HttpRequest
from django.utils import timezone

from fangpin.assistance.models import Measure as PlanMeasure
from fangpin.assistance.models import MeasureStatus, Visit
from fangpin.casework.models import Case, Clue, ClueStatus
from fangpin.core.access import SCREENING_RUN, is_system_actor
from fangpin.core.audit import actor_label, audit_record
from fangpin.core.models import Region
from fangpin.core.scope import scope_covers
from fangpin.dashboards.errors import DashboardError
from fangpin.dashboards.models import Tally, TallyRefresh
from fangpin.dashboards.selectors import code_range
from fangpin.ledger.oversight import TO_FIX
from fangpin.registry.models import (
    ACTIVE,
    MONITORED_OPEN,
    NOT_MONITORED,
    Household,
    Monitoring,
    MonitoringRisk,
    Person,
)
from fangpin.supervision.models import Problem

__all__ = ["ACTIVE_MEASURES", "VISIT_MONTHS", "tallies_refresh", "tally_rows"]

ACTIVE_MEASURES = (MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS)
VISIT_MONTHS = 24
"""How many months of visit counts are kept (the chart shows the last 24)."""
_BATCH = 5000


def _county(actor: Any, county_code: str) -> Region:
    try:
        county = Region.objects.get(code=county_code, level=3)
    except Region.DoesNotExist:
        raise DashboardError("region", f"“{county_code}”不是已加载的县级区划") from None
    if not is_system_actor(actor) and not scope_covers(
        actor, county.code, capability=SCREENING_RUN
    ):
        raise DashboardError("forbidden", "刷新看板数据需要覆盖全县并可发起筛查的账号（县级）")
    return county


def _grouped(qs: QuerySet[Any], *fields: str, count: str = "pk") -> Iterator[tuple[Any, ...]]:
    """``(field values…, n)`` per group: one GROUP BY query (default ordering cleared)."""
    distinct = count != "pk"
    rows = qs.order_by().values(*fields).annotate(n=Count(count, distinct=distinct))
    for row in rows.values_list(*fields, "n"):
        yield tuple(row)


def _month(value: date | Any) -> date:
    day: date = value.date() if hasattr(value, "date") else value
    return day.replace(day=1)


def tally_rows(prefix: str, *, as_of: date, interval_days: int) -> Iterator[Tally]:
    """The tallies of the villages under ``prefix`` (and the ledger's regions), as of a day.

    Pure reading: nothing is written. Exposed for the tests and the benchmark's check that the
    tallies equal the live lists.
    """
    households = Household.objects.filter(village__code__startswith=prefix, status=ACTIVE)
    monitored = households.filter(monitoring_status=MONITORED_OPEN)

    for village, n in _grouped(households, "village_id"):
        yield Tally(region_code=village, metric="hh", value=n)
    persons = Person.objects.filter(
        household__village__code__startswith=prefix, household__status=ACTIVE, status=ACTIVE
    )
    for village, n in _grouped(persons, "household__village_id"):
        yield Tally(region_code=village, metric="persons", value=n)
    states = households.exclude(monitoring_status=NOT_MONITORED)
    for village, status, kind, n in _grouped(
        states, "village_id", "monitoring_status", "monitoring_type"
    ):
        metric = "mon" if status == MONITORED_OPEN else "elim"
        yield Tally(region_code=village, metric=metric, key=kind, value=n)
    risks = MonitoringRisk.objects.filter(
        monitoring__is_current=True,
        monitoring__household__in=monitored,
    )
    for village, risk, n in _grouped(
        risks, "monitoring__household__village_id", "risk_type", count="monitoring__household"
    ):
        yield Tally(region_code=village, metric="risk", key=risk, value=n)
    spells = Monitoring.objects.filter(
        household__village__code__startswith=prefix, household__status=ACTIVE
    )
    for village, month, kind, n in _grouped(
        spells, "household__village_id", "identified_month", "object_type", count="household"
    ):
        yield Tally(region_code=village, metric="ident", key=kind, month=_month(month), value=n)
    for village, month, kind, n in _grouped(
        spells.filter(eliminated_month__isnull=False),
        "household__village_id",
        "eliminated_month",
        "object_type",
        count="household",
    ):
        yield Tally(region_code=village, metric="elim_m", key=kind, month=_month(month), value=n)

    clues = Clue.objects.filter(village_code__startswith=prefix)
    for village, status, n in _grouped(clues, "village_code", "status"):
        yield Tally(region_code=village, metric="clue", key=status, value=n)
    late_clues = clues.filter(status=ClueStatus.PENDING, verify_deadline__lt=as_of)
    for village, n in _grouped(late_clues, "village_code"):
        yield Tally(region_code=village, metric="clue_late", value=n)
    cases = Case.objects.filter(village_code__startswith=prefix, is_open=True)
    for village, kind, step, n in _grouped(cases, "village_code", "kind", "step"):
        yield Tally(region_code=village, metric="case", key=f"{kind}:{step}", value=n)
    late = Q(due_on__lt=as_of) | Q(step="clue_received", verify_due__lt=as_of)
    for village, kind, step, n in _grouped(cases.filter(late), "village_code", "kind", "step"):
        yield Tally(region_code=village, metric="case_late", key=f"{kind}:{step}", value=n)

    measures = PlanMeasure.objects.filter(status__in=ACTIVE_MEASURES, plan__household__in=monitored)
    for village, category, n in _grouped(
        measures, "plan__household__village_id", "category", count="plan__household"
    ):
        yield Tally(region_code=village, metric="measure", key=category, value=n)
    for village, n in _grouped(measures, "plan__household__village_id", count="plan__household"):
        yield Tally(region_code=village, metric="planned", value=n)
    cutoff = as_of - timedelta(days=interval_days)
    recent = Visit.objects.filter(
        household__in=monitored, visited_on__gte=cutoff, visited_on__lte=as_of
    )
    for village, n in _grouped(recent, "household__village_id", count="household"):
        yield Tally(region_code=village, metric="visited", value=n)
    first_month = _month(as_of)
    for _ in range(VISIT_MONTHS - 1):
        first_month = _month(first_month - timedelta(days=1))
    visits = (
        Visit.objects.filter(
            household__village__code__startswith=prefix,
            visited_on__gte=first_month,
            visited_on__lte=as_of,
        )
        .annotate(visit_month=TruncMonth("visited_on"))
        .order_by()
    )
    for village, month, n in _grouped(visits, "household__village_id", "visit_month"):
        yield Tally(region_code=village, metric="visit_m", month=_month(month), value=n)

    problems = Problem.objects.filter(region__code__startswith=prefix)
    for region, status, n in _grouped(problems, "region_id", "status"):
        yield Tally(region_code=region, metric="problem", key=status, value=n)
    late_problems = problems.filter(status__in=[s.value for s in TO_FIX], deadline__lt=as_of)
    for region, n in _grouped(late_problems, "region_id"):
        yield Tally(region_code=region, metric="prob_late", value=n)


def _batches(rows: Iterable[Tally]) -> Iterator[list[Tally]]:
    batch: list[Tally] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def tallies_refresh(
    *,
    actor: Any,
    county_code: str,
    as_of: date | None = None,
    request: HttpRequest | None = None,
) -> TallyRefresh:
    """Rebuild the tallies of ``county_code`` as of ``as_of`` (default today); audited.

    Refused (:class:`DashboardError`) for a code that is not a loaded county or an actor
    whose scope does not cover it with the right to start screening.
    """
    county = _county(actor, county_code)
    day = as_of or timezone.localdate()
    prefix = county.code[:6]
    interval = int(settings.FANGPIN_VISIT_INTERVAL_DAYS)
    started = time.perf_counter()
    with transaction.atomic():
        Tally.objects.filter(region_code__range=code_range(prefix)).delete()
        count = 0
        for batch in _batches(tally_rows(prefix, as_of=day, interval_days=interval)):
            Tally.objects.bulk_create(batch)
            count += len(batch)
        refresh = TallyRefresh.objects.create(
            county=county,
            as_of=day,
            rows=count,
            seconds=round(time.perf_counter() - started, 3),
            refreshed_by_label=actor_label(actor),
        )
        audit_record(
            actor=actor,
            action="dashboards.refresh",
            object_type="tally_refresh",
            object_id=str(refresh.pk),
            changes={"county": county.code, "as_of": day.isoformat(), "rows": count},
            request=request,
        )
    return refresh
