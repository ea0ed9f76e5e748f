"""Reads of the assistance force and the industries, in the reader's region scope (applied here).

Every selector starts from :func:`fangpin.core.scope.scope_prefix`: ``None`` reads nothing. A
``prefix`` argument (a region's :func:`~fangpin.regioncode.subtree_prefix`, ``""`` for the whole
scope) narrows the scope, never widens it: the two are intersected (:func:`_within`), and a
prefix outside the scope reads nothing. Regions are matched as code ranges, which the primary
key indexes serve. Each selector costs a fixed number of queries, whatever the number of rows.

Two kinds of row belong to a county rather than to a village: cadres and pairings. A reader
inside a county sees the county's. Projects are visible to their own region's subtree and to
the regions below them (a county project benefits its townships and villages too).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from fangpin.assistance.models import Visit
from fangpin.core.models import Region, RegionLevel
from fangpin.core.scope import scope_prefix
from fangpin.force.models import (
    LINKING_SOURCES,
    AssetReturn,
    AssistingCadre,
    Benefit,
    CadreAssignment,
    CommitmentItem,
    FundSource,
    Pairing,
    Project,
    ProjectAsset,
    ProjectBeneficiary,
    ProjectFunding,
    ProjectKind,
    ProjectStatus,
    Purchase,
    TeamMember,
    TeamRole,
    WorkTeam,
)
from fangpin.regioncode import RegionCodeError, normalise_code, parse_code
from fangpin.registry.models import ACTIVE, NOT_MONITORED, Household

__all__ = [
    "PROJECT_TAGS",
    "CadreRow",
    "assets",
    "benefits_by_household",
    "cadre_rows",
    "commitment_totals",
    "funds_by_source",
    "households_without_cadre",
    "linking_industry_share",
    "pairings",
    "project_get",
    "projects",
    "purchase_totals",
    "purchases",
    "region_in_scope",
    "team_history",
    "teams",
    "villages_without_team",
]

REGISTERED_POOR = "1"
"""Household type 脱贫户: with the monitored households, those who need a responsible cadre."""
COUNTY_PREFIX = 6
PROJECT_TAGS = {"one_village_one_product": "一村一品", "one_county_one_industry": "一县一业"}
"""The project tags a list filters on (``tag=``): the model's boolean field → its label."""
ZERO = Decimal("0.00")
_ROLE_ORDER = Case(
    When(role=TeamRole.FIRST_SECRETARY, then=Value(0)),
    When(role=TeamRole.CAPTAIN, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


# --- scope ---------------------------------------------------------------------------------------


def _within(user: Any, prefix: str) -> str | None:
    """The narrower of ``prefix`` and the scope; ``None`` when the two are disjoint or no scope."""
    scope = scope_prefix(user)
    if scope is None:
        return None
    if prefix.startswith(scope):
        return prefix
    if scope.startswith(prefix):
        return scope
    return None


def _under(field: str, prefix: str) -> Q:
    """``field`` (a 12-digit region code) under ``prefix``, as a range an index serves."""
    if not prefix:
        return Q()
    return Q(**{f"{field}__range": (prefix.ljust(12, "0"), prefix.ljust(12, "9"))})


def _county_of(prefix: str) -> str:
    """The prefix of the counties a county-level row is read under: the prefix itself, or
    its county when it is narrower (a township reads its county's cadres and pairings)."""
    return prefix[:COUNTY_PREFIX]


def _containing(prefix: str) -> list[str]:
    """The codes of the regions strictly above the region ``prefix`` is the subtree of."""
    if not prefix:
        return []
    try:
        info = parse_code(prefix)
    except RegionCodeError:
        return []
    above = (info.province_code, info.prefecture_code, info.county_code, info.township_code)
    return [code for code in above if code and code != info.code]


def _covers(on: date, path: str = "") -> Q:
    """A term (``start_date`` … ``end_date``, the end inclusive, open when null) covering ``on``."""
    return Q(**{f"{path}start_date__lte": on}) & (
        Q(**{f"{path}end_date__isnull": True}) | Q(**{f"{path}end_date__gte": on})
    )


def region_in_scope(*, user: Any, code: str | None) -> Region:
    """The region a viewer asked for (their home region without ``code``), inside their scope.

    ``code`` may be a short form (``"433124"``, as a page's ``region=`` prefix link carries).
    ``Region.DoesNotExist`` for an unknown code, a malformed one, or one outside the scope.
    """
    scope = scope_prefix(user)
    if scope is None:
        raise Region.DoesNotExist("no scope")
    if not code or not code.strip():
        code = str(getattr(user, "home_region_id", None) or "")
        if not code:
            raise Region.DoesNotExist("no home region")
    try:
        full = normalise_code(code.strip())
    except RegionCodeError:
        raise Region.DoesNotExist(f"not a region code: {code[:20]}") from None
    if not full.startswith(scope):
        raise Region.DoesNotExist("outside the scope")
    return Region.objects.get(code=full)


# --- 驻村工作队 ----------------------------------------------------------------------------------


def _with_members(teams: QuerySet[WorkTeam]) -> QuerySet[WorkTeam]:
    members = TeamMember.objects.annotate(role_rank=_ROLE_ORDER).order_by(
        "role_rank", "start_date", "id"
    )
    return teams.select_related("village").prefetch_related(Prefetch("members", members))


def teams(*, user: Any, prefix: str, on: date) -> list[WorkTeam]:
    """The teams under ``prefix`` whose term covers ``on``, by village, each with its members
    (current and past: first secretary, captain, members, then by start). Two queries."""
    within = _within(user, prefix)
    if within is None:
        return []
    rows = WorkTeam.objects.filter(_under("village__code", within), _covers(on))
    return list(_with_members(rows).order_by("village_id", "-start_date", "-id"))


def team_history(
    *, user: Any, village_code: str | None = None, team_id: UUID | None = None
) -> list[WorkTeam]:
    """Every team of a village (current and past), newest first, with members; or the one team
    ``team_id`` (a list of one). Empty outside the scope."""
    scope = scope_prefix(user)
    if scope is None or (village_code is None and team_id is None):
        return []
    rows = WorkTeam.objects.filter(_under("village__code", scope))
    if village_code is not None:
        rows = rows.filter(village_id=village_code)
    if team_id is not None:
        try:
            rows = rows.filter(public_id=team_id)
            return list(_with_members(rows))
        except (ValueError, ValidationError):  # a malformed id: missing, not an error
            return []
    return list(_with_members(rows).order_by("-start_date", "-id"))


def villages_without_team(*, user: Any, prefix: str, on: date) -> list[Region]:
    """Current villages under ``prefix`` with no team whose term covers ``on``. One query."""
    within = _within(user, prefix)
    if within is None:
        return []
    current = WorkTeam.objects.filter(_covers(on), village_id=OuterRef("code"))
    villages = Region.objects.filter(
        _under("code", within), level=RegionLevel.VILLAGE, valid_to__isnull=True
    )
    return list(villages.exclude(Exists(current)).order_by("code"))


# --- 帮扶责任人 ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CadreRow:
    """One cadre's load and visits.

    ``households``: current households inside the region read (all of them for a county);
    ``households_total``: all the cadre's current households, which the limit is about, so a
    township sees a cadre over the limit even when few of the households are its own.
    ``visits``: visits to households inside the region, by month (first day), oldest first.
    """

    cadre: AssistingCadre
    households: int
    over_limit: bool
    visits: dict[date, int]
    households_total: int = 0

    @property
    def visits_total(self) -> int:
        return sum(self.visits.values())


def _months(on: date, count: int) -> list[date]:
    """The first days of the ``count`` months ending with ``on``'s, oldest first."""
    index = on.year * 12 + on.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def cadre_rows(*, user: Any, prefix: str, on: date, months: int = 6, limit: int) -> list[CadreRow]:
    """The cadres of the counties under ``prefix`` (or of the county containing it), by county
    and name, with their households on ``on`` (assignment term covers it, household active)
    and their visits a month for the ``months`` months ending with ``on``'s month, from the
    visit log (a cadre without an account has none). ``over_limit``: more than ``limit``
    households in all. Three queries."""
    within = _within(user, prefix)
    if within is None:
        return []
    cadres = list(AssistingCadre.objects.filter(_under("county__code", _county_of(within))))
    if not cadres:
        return []
    inside = _under("household__village__code", within)
    loads = {
        row["cadre_id"]: row
        for row in CadreAssignment.objects.filter(
            _covers(on), cadre__in=[c.pk for c in cadres], household__status=ACTIVE
        )
        .values("cadre_id")
        .annotate(
            total=Count("household_id", distinct=True),
            inside=Count("household_id", distinct=True, filter=inside),
        )
        .order_by()
    }
    month_days = _months(on, months)
    by_user: dict[int, dict[date, int]] = defaultdict(dict)
    user_ids = {c.user_id for c in cadres if c.user_id is not None}
    if user_ids and month_days:
        visits = (
            Visit.objects.filter(
                inside, visitor_id__in=user_ids, visited_on__range=(month_days[0], on)
            )
            .annotate(month=TruncMonth("visited_on"))
            .values("visitor_id", "month")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in visits:
            month = row["month"]
            month = month.date() if hasattr(month, "date") else month
            by_user[row["visitor_id"]][month] = row["n"]
    rows = []
    for cadre in cadres:
        load = loads.get(cadre.pk, {"total": 0, "inside": 0})
        seen = by_user.get(cadre.user_id, {}) if cadre.user_id is not None else {}
        rows.append(
            CadreRow(
                cadre=cadre,
                households=load["inside"],
                over_limit=load["total"] > limit,
                visits={m: seen.get(m, 0) for m in month_days},
                households_total=load["total"],
            )
        )
    return rows


def households_without_cadre(*, user: Any, prefix: str, on: date) -> QuerySet[Household]:
    """Active households under ``prefix`` that need a responsible cadre — 脱贫户 or monitored
    (risk eliminated included) — and have no assignment covering ``on``; by village, number."""
    within = _within(user, prefix)
    if within is None:
        return Household.objects.none()
    assigned = CadreAssignment.objects.filter(_covers(on), household_id=OuterRef("pk"))
    return (
        Household.objects.filter(_under("village__code", within), status=ACTIVE)
        .filter(Q(household_type=REGISTERED_POOR) | ~Q(monitoring_status=NOT_MONITORED))
        .exclude(Exists(assigned))
        .order_by("village_id", "household_number")
    )


# --- 东西部协作、定点帮扶 ------------------------------------------------------------------------


def pairings(*, user: Any, prefix: str) -> list[Pairing]:
    """The pairings of the counties under ``prefix`` (or of the county containing it), with
    their commitments (by year and item). Two queries."""
    within = _within(user, prefix)
    if within is None:
        return []
    rows = Pairing.objects.filter(_under("county__code", _county_of(within)))
    return list(rows.select_related("county").prefetch_related("commitments"))


def commitment_totals(
    pairing: Pairing,
) -> dict[int, dict[str, tuple[Decimal, Decimal, float | None]]]:
    """Year → item → (committed, delivered, delivered / committed) of a pairing read by
    :func:`pairings` (no query: the prefetched commitments). The share is ``None`` when
    nothing was committed. Years ascending, items in :class:`CommitmentItem` order."""
    order = {item.value: i for i, item in enumerate(CommitmentItem)}
    rows = sorted(pairing.commitments.all(), key=lambda c: (c.year, order.get(c.item, 99)))
    out: dict[int, dict[str, tuple[Decimal, Decimal, float | None]]] = {}
    for c in rows:
        share = float(c.delivered / c.committed) if c.committed else None
        out.setdefault(c.year, {})[c.item] = (c.committed, c.delivered, share)
    return out


# --- 项目库、项目资产 ----------------------------------------------------------------------------


def _projects_q(within: str, path: str = "") -> Q:
    """Projects inside ``within`` or in a region containing it (visible from below)."""
    q = _under(f"{path}region__code", within)
    above = _containing(within)
    if above:
        q |= Q(**{f"{path}region__code__in": above})
    return q


def _total(rows: QuerySet[Any], field: str, outer: str = "project_id") -> Coalesce:
    """The sum of ``field`` over ``rows`` of the outer row (a subquery: the joins of several
    sums in one query would multiply them), 0 without rows."""
    grouped = rows.order_by().values(outer).annotate(t=Sum(field)).values("t")
    return Coalesce(
        Subquery(grouped), Value(ZERO), output_field=DecimalField(max_digits=16, decimal_places=2)
    )


def _annotated(rows: QuerySet[Project]) -> QuerySet[Project]:
    funding = ProjectFunding.objects.filter(project_id=OuterRef("pk"))
    linked = ProjectBeneficiary.objects.filter(project_id=OuterRef("pk"))
    households = (
        linked.order_by().values("project_id").annotate(n=Count("household_id", distinct=True))
    )
    return rows.select_related("region").annotate(
        funds_total=_total(funding, "amount"),
        linking_funds=_total(funding.filter(source__in=LINKING_SOURCES), "amount"),
        households_benefited=Coalesce(
            Subquery(households.values("n")), Value(0), output_field=IntegerField()
        ),
        assets_value=_total(ProjectAsset.objects.filter(project_id=OuterRef("pk")), "value"),
    )


def projects(
    *,
    user: Any,
    prefix: str,
    kind: str | None = None,
    status: str | None = None,
    tag: str | None = None,
) -> QuerySet[Project]:
    """The projects under ``prefix`` and those of the regions containing it, newest start
    first, with ``funds_total``, ``linking_funds`` (衔接资金), ``households_benefited``
    (distinct linked households) and ``assets_value`` annotated. ``tag``: a key of
    :data:`PROJECT_TAGS` (an unknown one matches nothing)."""
    within = _within(user, prefix)
    if within is None:
        return Project.objects.none()
    rows = Project.objects.filter(_projects_q(within))
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    if tag:
        if tag not in PROJECT_TAGS:
            return Project.objects.none()
        rows = rows.filter(**{tag: True})
    return _annotated(rows).order_by("-start_date", "name", "id")


def project_get(*, user: Any, public_id: Any) -> Project:
    """One project visible to ``user``, annotated like :func:`projects`;
    ``Project.DoesNotExist`` otherwise (outside the scope looks missing)."""
    try:
        return projects(user=user, prefix="").get(public_id=public_id)
    except (ValueError, TypeError, ValidationError):
        raise Project.DoesNotExist from None


def _spent(user: Any, prefix: str) -> QuerySet[ProjectFunding]:
    """The funding of the projects located under ``prefix`` (not those of the regions above:
    a county's figure is the sum of its parts), terminated projects left out (their money was
    not spent)."""
    within = _within(user, prefix)
    if within is None:
        return ProjectFunding.objects.none()
    return ProjectFunding.objects.filter(_under("project__region__code", within)).exclude(
        project__status=ProjectStatus.SUSPENDED
    )


def funds_by_source(*, user: Any, prefix: str) -> dict[str, Decimal]:
    """Source (:class:`FundSource` value) → the sum of the projects' funds, in the order of
    the sources, those with none left out. One query; see :func:`_spent` for which projects."""
    sums = dict(
        _spent(user, prefix).values("source").annotate(t=Sum("amount")).values_list("source", "t")
    )
    return {s.value: Decimal(sums[s.value]) for s in FundSource if sums.get(s.value)}


def linking_industry_share(*, user: Any, prefix: str) -> float | None:
    """The share of the 衔接资金 (:data:`LINKING_SOURCES`) going to industry projects — a
    national target of at least 60% (DOMAIN.md §4.2); ``None`` without 衔接资金. One query."""
    sums = (
        _spent(user, prefix)
        .filter(source__in=LINKING_SOURCES)
        .aggregate(
            total=Sum("amount"),
            industry=Sum("amount", filter=Q(project__kind=ProjectKind.INDUSTRY)),
        )
    )
    if not sums["total"]:
        return None
    return float(Decimal(sums["industry"] or 0) / Decimal(sums["total"]))


def assets(*, user: Any, prefix: str, year: int | None = None) -> QuerySet[ProjectAsset]:
    """The assets of the projects :func:`projects` shows, with ``returns_total`` (every year)
    and ``last_year_return`` (the return of ``year``, last calendar year by default; 0 when
    none was recorded) annotated; by project and name."""
    within = _within(user, prefix)
    if within is None:
        return ProjectAsset.objects.none()
    year = timezone.localdate().year - 1 if year is None else year
    returns = AssetReturn.objects.filter(asset_id=OuterRef("pk"))
    return (
        ProjectAsset.objects.filter(_projects_q(within, "project__"))
        .select_related("project__region")
        .annotate(
            returns_total=_total(returns, "amount", "asset_id"),
            last_year_return=_total(returns.filter(year=year), "amount", "asset_id"),
        )
        .order_by("project__region_id", "project__name", "name", "id")
    )


# --- 收益到户、消费帮扶 --------------------------------------------------------------------------


def benefits_by_household(*, user: Any, household_id: int) -> list[Benefit]:
    """What projects paid the household, newest year first (empty outside the scope)."""
    scope = scope_prefix(user)
    if scope is None:
        return []
    rows = Benefit.objects.filter(
        _under("household__village__code", scope), household_id=household_id
    )
    return list(rows.select_related("project").order_by("-year", "project__name", "link_type"))


def purchases(*, user: Any, prefix: str, year: int | None = None) -> QuerySet[Purchase]:
    """Purchases of the counties under ``prefix``, newest first. Inside a county only the
    purchases from its households under ``prefix`` (a co-operative is the county's)."""
    within = _within(user, prefix)
    if within is None:
        return Purchase.objects.none()
    if len(within) > COUNTY_PREFIX:
        rows = Purchase.objects.filter(_under("household__village__code", within))
    else:
        rows = Purchase.objects.filter(_under("county__code", within))
    if year is not None:
        rows = rows.filter(year=year)
    return rows.select_related("household", "county").order_by("-bought_on", "-id")


def purchase_totals(*, user: Any, prefix: str) -> list[tuple[int, str, int, Decimal]]:
    """(year, buyer, purchases, amount) of :func:`purchases`, newest year and largest first."""
    rows = (
        purchases(user=user, prefix=prefix)
        .order_by()
        .values("year", "buyer")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by("-year", "-amount", "buyer")
    )
    return [(r["year"], r["buyer"], r["n"], Decimal(r["amount"])) for r in rows]
