"""What the dashboards and the monthly report read: sums of tallies over a region's code range.

Every figure of a page comes from two grouped queries over :class:`~fangpin.dashboards.models.
Tally` (the plain figures by metric, key and child region; the monthly ones by metric, key and
month), whatever the number of households behind them. The region is checked against the
viewer's scope first (:func:`dashboard_region`): outside it is ``Region.DoesNotExist``, a 404
like a region that does not exist.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Max, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from fangpin.casework.models import ClueStatus
from fangpin.core.models import Region
from fangpin.core.scope import scope_prefix
from fangpin.core.selectors import region_children, region_path
from fangpin.dashboards.models import MonthlyReport, ReportSchedule, Tally, TallyRefresh
from fangpin.evaluation.models import IntegrityFinding, IntegrityRun, MeasureResult
from fangpin.integrity import CODE_ZH, Code
from fangpin.ledger.oversight import TO_FIX
from fangpin.regioncode import RegionCodeError, subtree_prefix

__all__ = [
    "MONITORING_TYPES",
    "MONTH_METRICS",
    "Figures",
    "Freshness",
    "code_range",
    "dashboard_figures",
    "dashboard_region",
    "headline",
    "integrity_counts",
    "latest_measure_year",
    "report_get",
    "report_list",
    "report_regions",
    "schedule_for",
    "schedule_list",
]

MONITORING_TYPES = ("UNSTABLE", "MARGINAL", "SUDDEN")
MONTH_METRICS = ("ident", "elim_m", "visit_m")
OTHER = "other"
"""The child key of tallies kept at the region itself (a problem recorded for the county)."""


@dataclass(frozen=True, slots=True)
class Freshness:
    """How current the figures are: the oldest ``as_of`` among the counties with tallies."""

    as_of: date | None
    refreshed_at: datetime | None
    counties: int


@dataclass
class Figures:
    """The tallies of one region, summed by metric, key and child region (and by month)."""

    region: Region
    prefix: str
    path: list[Region]
    children: list[Region]
    child_prefix: dict[str, str]
    freshness: Freshness
    sums: dict[tuple[str, str, str], int] = field(default_factory=dict)
    months: dict[tuple[str, str, date, str], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Sums by metric, then (key, child): a page asks for a few hundred totals.
        self._by_metric: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
        for (m, k, c), v in self.sums.items():
            self._by_metric[m][(k, c)] = v
        self._months_by_metric: dict[str, dict[tuple[str, date, str], int]] = defaultdict(dict)
        for (m, k, month, c), v in self.months.items():
            self._months_by_metric[m][(k, month, c)] = v

    def total(self, metric: str, key: str | None = None, child: str | None = None) -> int:
        """The sum of ``metric`` (of one ``key``, under one child region's prefix, or all)."""
        rows = self._by_metric.get(metric)
        if not rows:
            return 0
        if key is not None and child is not None:
            return rows.get((key, child), 0)
        return sum(
            v
            for (k, c), v in rows.items()
            if (key is None or k == key) and (child is None or c == child)
        )

    def keys(self, metric: str) -> list[str]:
        """The keys ``metric`` has a non-zero figure for, sorted."""
        return sorted({k for (k, _), v in self._by_metric.get(metric, {}).items() if v})

    def by_month(
        self, metric: str, key: str | None = None, child: str | None = None
    ) -> dict[date, int]:
        """``metric`` per month (of one ``key``, under one child region's prefix, or all)."""
        out: dict[date, int] = defaultdict(int)
        for (k, month, c), v in self._months_by_metric.get(metric, {}).items():
            if (key is None or k == key) and (child is None or c == child):
                out[month] += v
        return dict(sorted(out.items()))

    @property
    def as_of(self) -> date:
        return self.freshness.as_of or timezone.localdate()


def code_range(prefix: str) -> tuple[str, str]:
    """The 12-digit codes under ``prefix`` as an inclusive range (an index serves it)."""
    return prefix.ljust(12, "0"), prefix.ljust(12, "9")


def dashboard_region(*, user: Any, code: str | None) -> Region:
    """The region a viewer asked for (their home region without ``code``), inside their scope.

    ``Region.DoesNotExist`` for an unknown code, a malformed one, or one outside the scope.
    """
    prefix = scope_prefix(user)
    if prefix is None:
        raise Region.DoesNotExist("no scope")
    if not code:
        home = getattr(user, "home_region_id", None)
        if not home:
            raise Region.DoesNotExist("no home region")
        code = str(home)
    code = code.strip()
    if len(code) != 12 or not code.isdigit():
        raise Region.DoesNotExist(f"not a region code: {code[:20]}")
    region = Region.objects.get(code=code)
    if not region.code.startswith(prefix):
        raise Region.DoesNotExist("outside the scope")
    return region


def _freshness(prefix: str) -> Freshness:
    county_prefix = prefix[:6] if len(prefix) >= 6 else prefix
    latest = list(
        TallyRefresh.objects.filter(county__code__startswith=county_prefix)
        .order_by()
        .values("county_id")
        .annotate(as_of=Max("as_of"), refreshed_at=Max("refreshed_at"))
        .values_list("as_of", "refreshed_at")
    )
    if not latest:
        return Freshness(None, None, 0)
    return Freshness(min(a for a, _ in latest), min(r for _, r in latest), len(latest))


def dashboard_figures(*, user: Any, region: Region, on: date | None = None) -> Figures:
    """All tallies of ``region`` (already checked by :func:`dashboard_region`), summed.

    Three queries whatever the size of the region: the children, the plain sums, the monthly
    sums (plus the freshness of the counties' refreshes and the region's path).
    """
    del user  # the region was checked against the scope by dashboard_region
    try:
        prefix = subtree_prefix(region.code)
    except RegionCodeError:
        raise Region.DoesNotExist(region.code) from None
    children = list(region_children(code=region.code, on=on or timezone.localdate()))
    width = len(subtree_prefix(children[0].code)) if children else len(prefix)
    child_prefix = {c.code: subtree_prefix(c.code) for c in children}
    known = set(child_prefix.values())
    codes = code_range(prefix)
    rows = (
        Tally.objects.filter(region_code__range=codes)
        .exclude(metric__in=MONTH_METRICS)
        .annotate(child=Substr("region_code", 1, width))
        .values("metric", "key", "child")
        .annotate(total=Sum("value"))
        .order_by()
    )
    sums: dict[tuple[str, str, str], int] = defaultdict(int)
    for row in rows:
        child = row["child"] if row["child"] in known else OTHER
        sums[(row["metric"], row["key"], child)] += int(row["total"])
    month_rows = (
        Tally.objects.filter(region_code__range=codes, metric__in=MONTH_METRICS)
        .annotate(child=Substr("region_code", 1, width))
        .values("metric", "key", "month", "child")
        .annotate(total=Sum("value"))
        .order_by()
    )
    months: dict[tuple[str, str, date, str], int] = defaultdict(int)
    for row in month_rows:
        child = row["child"] if row["child"] in known else OTHER
        months[(row["metric"], row["key"], row["month"], child)] += int(row["total"])
    return Figures(
        region=region,
        prefix=prefix,
        path=region_path(code=region.code),
        children=children,
        child_prefix=child_prefix,
        freshness=_freshness(prefix),
        sums=dict(sums),
        months=dict(months),
    )


def headline(
    fig: Figures, child: str | None = None, *, month: date | None = None
) -> dict[str, int | float | None]:
    """The headline numbers of a region (or of one child region's prefix), by name.

    ``coverage`` and ``planned_share`` are shares in 0…1, ``None`` without monitored
    households; ``ident_month`` / ``elim_month`` count the month of ``as_of`` (or ``month``).
    """
    this_month = (month or fig.as_of).replace(day=1)
    mon = fig.total("mon", child=child)
    to_fix = sum(fig.total("problem", s.value, child) for s in TO_FIX)
    values: dict[str, int | float | None] = {
        "hh": fig.total("hh", child=child),
        "persons": fig.total("persons", child=child),
        "mon": mon,
        "elim": fig.total("elim", child=child),
        "clue_pending": fig.total("clue", ClueStatus.PENDING.value, child),
        "clue_late": fig.total("clue_late", child=child),
        "case_open": fig.total("case", child=child),
        "case_late": fig.total("case_late", child=child),
        "planned": fig.total("planned", child=child),
        "visited": fig.total("visited", child=child),
        "problems": fig.total("problem", child=child),
        "problems_to_fix": to_fix,
        "prob_late": fig.total("prob_late", child=child),
        "coverage": (fig.total("visited", child=child) / mon) if mon else None,
        "planned_share": (fig.total("planned", child=child) / mon) if mon else None,
    }
    for kind in MONITORING_TYPES:
        values[f"mon_{kind}"] = fig.total("mon", kind, child)
    values["ident_month"] = fig.by_month("ident", child=child).get(this_month, 0)
    values["elim_month"] = fig.by_month("elim_m", child=child).get(this_month, 0)
    return values


def latest_measure_year(county_code: str) -> int | None:
    """The latest year the county's poverty measures were computed for (the results page's
    default year), ``None`` when never."""
    years = MeasureResult.objects.filter(county_id=county_code).aggregate(year=Max("year"))
    return int(years["year"]) if years["year"] is not None else None


def integrity_counts(*, run: IntegrityRun, prefix: str) -> list[tuple[str, str, int]]:
    """The integrity run's findings inside ``prefix`` by detector: (code, Chinese name, count),
    the most frequent first."""
    grouped = (
        IntegrityFinding.objects.filter(run=run, region__code__startswith=prefix)
        .order_by()
        .values("detector")
        .annotate(n=Count("pk"))
        .values_list("detector", "n")
    )
    named = ((d, CODE_ZH[Code[d]] if d in Code.__members__ else d, n) for d, n in grouped)
    return sorted(named, key=lambda t: (-t[2], t[0]))


def report_regions(*, user: Any) -> list[Region]:
    """The counties and townships in scope, in code order: the regions a report is made for."""
    prefix = scope_prefix(user)
    if prefix is None:
        return []
    rows = Region.objects.filter(code__startswith=prefix, level__in=[3, 4], valid_to__isnull=True)
    return list(rows.order_by("code")[:500])


def schedule_list(*, user: Any) -> list[ReportSchedule]:
    """The report schedules of the regions in scope."""
    prefix = scope_prefix(user)
    if prefix is None:
        return []
    rows = ReportSchedule.objects.filter(region__code__startswith=prefix)
    return list(rows.select_related("region").order_by("region_id"))


def report_list(*, user: Any) -> list[MonthlyReport]:
    """The monthly reports of the regions in scope, newest month first (without the files)."""
    prefix = scope_prefix(user)
    if prefix is None:
        return []
    return list(
        MonthlyReport.objects.filter(region__code__startswith=prefix)
        .defer("pdf", "xlsx")
        .select_related("region")[:200]
    )


def report_get(*, user: Any, public_id: Any) -> MonthlyReport:
    """One report in scope; ``MonthlyReport.DoesNotExist`` otherwise (answered 404)."""
    prefix = scope_prefix(user)
    if prefix is None:
        raise MonthlyReport.DoesNotExist
    return MonthlyReport.objects.select_related("region").get(
        public_id=public_id, region__code__startswith=prefix
    )


def schedule_for(*, user: Any, region: Region) -> ReportSchedule | None:
    """The region's report schedule, if the viewer's scope covers the region."""
    prefix = scope_prefix(user)
    if prefix is None or not region.code.startswith(prefix):
        return None
    return ReportSchedule.objects.filter(region=region).first()
