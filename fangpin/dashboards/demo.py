"""The demo's dashboards: the county's tallies, a report schedule and last month's report."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from fangpin.assistance.demo import demo_plans_county
from fangpin.core.access import SYSTEM
from fangpin.dashboards.refresh import tallies_refresh
from fangpin.dashboards.reports import report_generate, report_request, schedule_set
from fangpin.dashboards.selectors import dashboard_figures, dashboard_region, headline

__all__ = ["demo_dashboards"]


def demo_dashboards(*, county: str, seed: int) -> dict[str, Any]:
    """Plans and visits across the county (the demo village has its own), then refresh the
    tallies, schedule the county's report on the 3rd and make last month's now."""
    code = county.ljust(12, "0")
    plans = demo_plans_county(county=county, seed=seed)
    refresh = tallies_refresh(actor=SYSTEM, county_code=code)
    schedule_set(actor=SYSTEM, region_code=code, day=3)
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    requested = report_request(
        actor=SYSTEM, region_code=code, month=last_month, scheduled=True, enqueue=False
    )
    report = report_generate(requested.pk)
    region = dashboard_region(user=SYSTEM, code=code)
    figures = headline(dashboard_figures(user=SYSTEM, region=region))
    return {
        "plans": plans,
        "rows": refresh.rows,
        "seconds": refresh.seconds,
        "report_status": report.status,
        "report_month": last_month,
        "pdf_bytes": len(bytes(report.pdf)),
        "figures": figures,
    }
