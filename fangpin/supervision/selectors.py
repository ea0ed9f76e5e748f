"""Reads of the ledger, in the reader's region scope (applied here, once)."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from fangpin import ledger
from fangpin.core.access import FINDINGS_WRITE, REGISTRY_VIEW, is_system_actor
from fangpin.core.scope import scope_prefix
from fangpin.regioncode import RegionCodeError, parse_code, subtree_prefix
from fangpin.registry.models import Person
from fangpin.supervision.models import InspectionPlan, ListedRegion, PlanHousehold, Problem

__all__ = [
    "ListingProgress",
    "as_core",
    "listing_get",
    "listing_list",
    "listing_progress",
    "open_problems",
    "plan_get",
    "plan_list",
    "plan_scope_prefix",
    "plan_stops",
    "problem_get",
    "problem_list",
    "problem_scope_prefix",
    "problem_tally",
]


def problem_scope_prefix(user: Any) -> str | None:
    """The region-code prefix of the problems ``user`` may read (``registry.view``)."""
    if is_system_actor(user):
        return ""
    return scope_prefix(user, capability=REGISTRY_VIEW)


def problem_list(
    *,
    user: Any,
    today: date,
    status: str | None = None,
    dimension: str | None = None,
    source: str | None = None,
    overdue: bool | None = None,
    region_prefix: str | None = None,
    escalation: str | None = None,
) -> QuerySet[Problem]:
    """Problems in scope, earliest deadline first; ``overdue`` as the core defines it."""
    prefix = problem_scope_prefix(user)
    if prefix is None:
        return Problem.objects.none()
    qs = Problem.objects.filter(region__code__startswith=prefix).select_related("region")
    if region_prefix:
        qs = qs.filter(region__code__startswith=region_prefix)
    if status:
        qs = qs.filter(status=status)
    if dimension:
        qs = qs.filter(dimension=dimension)
    if source:
        qs = qs.filter(source=source)
    if escalation:
        qs = qs.filter(escalation=escalation)
    late = Q(status__in=[s.value for s in ledger.TO_FIX], deadline__lt=today)
    if overdue is True:
        qs = qs.filter(late)
    elif overdue is False:
        qs = qs.exclude(late)
    return qs.order_by("deadline", "id")


def problem_get(*, user: Any, public_id: Any) -> Problem:
    """One problem in scope; ``Problem.DoesNotExist`` otherwise (outside the scope looks
    missing)."""
    prefix = problem_scope_prefix(user)
    if prefix is None:
        raise Problem.DoesNotExist
    try:
        return Problem.objects.select_related("region").get(
            public_id=public_id, region__code__startswith=prefix
        )
    except (ValueError, TypeError, ValidationError):  # a malformed id: missing, not an error
        raise Problem.DoesNotExist from None


def as_core(row: Problem, *, with_history: bool = True) -> ledger.Problem:
    """The stored problem as the pure core's value (history in order when asked)."""
    history: tuple[ledger.Entry, ...] = ()
    if with_history:
        history = tuple(
            ledger.Entry(
                action=e.action,
                actor=e.actor_label,
                on=e.on,
                from_status=ledger.Status(e.from_status),
                to_status=ledger.Status(e.to_status),
                note=e.note,
                evidence=tuple(e.evidence),
            )
            for e in row.entries.order_by("seq")
        )
    return ledger.Problem(
        source=ledger.Source(row.source),
        source_batch=row.source_batch,
        found_on=row.found_on,
        region_code=row.region_id,
        dimension=ledger.Dimension(row.dimension),
        description=row.description,
        lead_unit=row.lead_unit,
        deadline=row.deadline,
        responsible_units=tuple(row.responsible_units),
        responsible_person=row.responsible_person,
        measures=row.measures,
        evidence=tuple(row.evidence),
        status=ledger.Status(row.status),
        fixed_by=row.fixed_by,
        closure_evidence=tuple(row.closure_evidence),
        closed_by=row.closed_by,
        closed_on=row.closed_on,
        history=history,
    )


def problem_tally(
    *,
    user: Any,
    today: date,
    level: int,
    by_dimension: bool = True,
    by_source: bool = True,
    region_prefix: str | None = None,
) -> dict[Hashable, ledger.Tally]:
    """The 清零 view of the problems in scope (and under ``region_prefix``): by region at
    ``level`` (3 county … 5 village), and by dimension and source when asked. Reads the
    columns it needs only."""
    fields = ("region_id", "dimension", "source", "status", "deadline", "closed_on", "found_on")
    problems = [
        ledger.Problem(
            source=ledger.Source(source),
            source_batch="",
            found_on=found_on,
            region_code=region,
            dimension=ledger.Dimension(dimension),
            description="",
            lead_unit="",
            deadline=deadline,
            status=ledger.Status(status),
            closed_on=closed_on,
        )
        for region, dimension, source, status, deadline, closed_on, found_on in problem_list(
            user=user, today=today, region_prefix=region_prefix
        ).values_list(*fields)
    ]

    def key(p: ledger.Problem) -> Hashable:
        parts: tuple[object, ...] = (ledger.region_at(p.region_code, level),)
        if by_dimension:
            parts += (p.dimension.value,)
        if by_source:
            parts += (p.source.value,)
        return parts

    return ledger.tally(problems, today, key)


def plan_scope_prefix(user: Any) -> str | None:
    """The region-code prefix of the visit plans ``user`` may read (``findings.write``:
    a village never sees the plans that will visit it)."""
    if is_system_actor(user):
        return ""
    return scope_prefix(user, capability=FINDINGS_WRITE)


def plan_list(*, user: Any) -> QuerySet[InspectionPlan]:
    """Visit plans of counties inside the scope, or of the county containing it, newest first."""
    prefix = plan_scope_prefix(user)
    if prefix is None:
        return InspectionPlan.objects.none()
    # A planner above a county sees its counties' plans; one inside a county, the county's.
    plans = InspectionPlan.objects.filter(county__code__startswith=prefix[:6])
    return plans.select_related("county").annotate(stop_count=Count("stops"))


def plan_get(*, user: Any, public_id: Any) -> InspectionPlan:
    try:
        return plan_list(user=user).get(public_id=public_id)
    except (ValueError, TypeError, ValidationError):
        raise InspectionPlan.DoesNotExist from None


def plan_stops(plan: InspectionPlan) -> list[PlanHousehold]:
    """The plan's households by village and draw order, each with ``head_name``."""
    head = Person.objects.filter(household=OuterRef("household_id"), relation="01", status="active")
    return list(
        plan.stops.select_related("household")
        .annotate(head_name=Subquery(head.values("name")[:1]))
        .order_by("village_code", "position")
    )


def _ancestors(code: str) -> list[str]:
    """The codes of the regions above the region ``code`` (province … its parent)."""
    try:
        level = parse_code(code).level
    except RegionCodeError:
        return []
    return [ledger.region_at(code, at) for at in range(1, level)]


def listing_list(*, user: Any) -> QuerySet[ListedRegion]:
    """Listed regions inside the scope, and those containing it (a village sees that its
    township is listed), active ones first, then by deadline."""
    prefix = problem_scope_prefix(user)
    if prefix is None:
        return ListedRegion.objects.none()
    listings = ListedRegion.objects.select_related("region")
    if prefix:
        home = getattr(user, "home_region_id", "") or ""
        listings = listings.filter(
            Q(region__code__startswith=prefix) | Q(region__code__in=_ancestors(home))
        )
    return listings.annotate(
        target_count=Count("targets"),
        done_count=Count("targets", filter=Q(targets__done_on__isnull=False)),
    ).order_by("status", "deadline", "id")


def listing_get(*, user: Any, public_id: Any) -> ListedRegion:
    try:
        return listing_list(user=user).get(public_id=public_id)
    except (ValueError, TypeError, ValidationError):
        raise ListedRegion.DoesNotExist from None


@dataclass(frozen=True, slots=True)
class ListingProgress:
    targets: int
    done: int
    overdue_targets: int
    problems_open: int
    problems_overdue: int
    days_left: int

    @property
    def zeroed(self) -> bool:
        return self.problems_open == 0

    @property
    def may_delist(self) -> bool:
        return self.done == self.targets and self.zeroed


def open_problems(region_code: str) -> QuerySet[Problem]:
    """The problems of ``region_code``'s subtree not yet closed (销号): the region is zeroed
    (清零) when there are none. Not scoped: for a listing the caller already read in scope."""
    return Problem.objects.filter(region__code__startswith=subtree_prefix(region_code)).exclude(
        status="closed"
    )


def listing_progress(listing: ListedRegion, today: date) -> ListingProgress:
    """Where a listed region stands: its items done, and its problems (清零) as of ``today``."""
    targets = list(listing.targets.values_list("done_on", "deadline"))
    problems = open_problems(listing.region_id)
    late = Q(status__in=[s.value for s in ledger.TO_FIX], deadline__lt=today)
    return ListingProgress(
        targets=len(targets),
        done=sum(1 for done, _d in targets if done is not None),
        overdue_targets=sum(1 for done, d in targets if done is None and d < today),
        problems_open=problems.count(),
        problems_overdue=problems.filter(late).count(),
        days_left=(listing.deadline - today).days,
    )
