"""The scheduler (定时任务): what runs by the clock, one :func:`tick` at a time.

``fangpin serve`` starts ``fangpin scheduler``, which calls :func:`tick` once a minute:

- every county with households gets its dashboard tallies rebuilt once a day (the first tick
  after midnight) and again after a screening run of the county finishes later than its last
  refresh, so the dashboards show a run's clues the same day;
- every enabled report schedule whose day has come gets the previous month's report requested
  (once; :func:`fangpin.dashboards.reports.schedule_run_due`), rendered by the worker.

A tick is idempotent: run twice, it does nothing the second time. The tallies are rebuilt in
the scheduler's own process (seconds per county, and nothing piles up in a queue while the
worker is down); reports go to the django-tasks queue for the worker to render.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Max
from django.utils import timezone

from fangpin.casework.models import RunStatus, ScreeningRun
from fangpin.core.models import Region
from fangpin.dashboards.models import MonthlyReport, TallyRefresh
from fangpin.dashboards.reports import schedule_run_due
from fangpin.registry.models import Household

__all__ = ["TickResult", "counties_due", "tick"]


@dataclass(frozen=True, slots=True)
class TickResult:
    refreshed: list[str] = field(default_factory=list)
    """The counties whose tallies were rebuilt."""
    reports: list[MonthlyReport] = field(default_factory=list)


def counties_due(*, now: datetime) -> list[str]:
    """Counties (12-digit codes) whose tallies are as of an earlier day than ``now``'s, or
    older than their latest finished screening run. Counties without households are left
    alone."""
    today = timezone.localdate(now)
    with_households = {
        code[:6]
        for code in Household.objects.order_by()
        .values_list("village_id", flat=True)
        .distinct()
        .iterator()
    }
    if not with_households:
        return []
    latest = {
        county: (as_of, at)
        for county, as_of, at in TallyRefresh.objects.order_by()
        .values("county_id")
        .annotate(as_of=Max("as_of"), at=Max("refreshed_at"))
        .values_list("county_id", "as_of", "at")
    }
    runs: dict[str, Any] = {}
    for region, finished in (
        ScreeningRun.objects.filter(status=RunStatus.SUCCEEDED, finished_at__isnull=False)
        .order_by()
        .values("region_code")
        .annotate(at=Max("finished_at"))
        .values_list("region_code", "at")
    ):
        key = region[:6]
        runs[key] = max(finished, runs.get(key, finished))
    counties = Region.objects.filter(level=3, code__regex=r"^\d{6}000000$").values_list(
        "code", flat=True
    )
    due = []
    for code in counties:
        if code[:6] not in with_households:
            continue
        last = latest.get(code)
        if last is None or last[0] < today or (code[:6] in runs and runs[code[:6]] > last[1]):
            due.append(code)
    return sorted(due)


def tick(*, now: datetime | None = None, enqueue: bool = True) -> TickResult:
    """One scheduler round (see the module docstring). With ``enqueue=False`` the reports are
    rendered right here too (tests, ``fangpin scheduler --once --inline``)."""
    from fangpin.core.access import SYSTEM
    from fangpin.dashboards.refresh import tallies_refresh
    from fangpin.dashboards.reports import report_generate

    moment = now or timezone.now()
    due = counties_due(now=moment)
    for code in due:
        tallies_refresh(actor=SYSTEM, county_code=code, as_of=timezone.localdate(moment))
    made = schedule_run_due(now=timezone.localdate(moment), enqueue=enqueue)
    if not enqueue:
        made = [report_generate(r.pk) for r in made]
    return TickResult(refreshed=due, reports=made)
