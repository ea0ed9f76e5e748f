"""The background side of the dashboards (django-tasks, ADR 0001): reports, and tallies on
request (the scheduler rebuilds them in its own process)."""

from __future__ import annotations

from django_tasks import task

from fangpin.core.access import SYSTEM
from fangpin.dashboards.refresh import tallies_refresh
from fangpin.dashboards.reports import report_generate

__all__ = ["report_generate_task", "tallies_refresh_task"]


@task()
def report_generate_task(report_pk: int) -> str:
    """Render the requested report ``report_pk``; return its final status."""
    return str(report_generate(report_pk).status)


@task()
def tallies_refresh_task(county_code: str) -> int:
    """Rebuild one county's tallies as the system; return the number of rows."""
    return tallies_refresh(actor=SYSTEM, county_code=county_code).rows
