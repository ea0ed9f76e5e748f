"""Reads of assistance: plans with their checks, the plan of a past day, visits, coverage.

Selectors never write. Every read that takes ``user=`` starts from one scoped base
(:func:`_households_for`, the registry's code range on the village code via
``fangpin.core.scope.scope_prefix``): a household outside the viewer's scope behaves like one
that does not exist (``Household.DoesNotExist``, answered 404). :func:`measures_by_risk` is
the system's read for casework's elimination guard and takes no viewer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Exists, Max, OuterRef, Q, QuerySet

from fangpin import codes
from fangpin.assistance import checks
from fangpin.assistance.access import read_prefix
from fangpin.assistance.models import (
    Measure,
    MeasureFields,
    MeasureRevision,
    MeasureStatus,
    Plan,
    Visit,
    VisitPhoto,
)
from fangpin.assistance.policy import category_names
from fangpin.registry.models import (
    ACTIVE,
    MONITORED_OPEN,
    NOT_MONITORED,
    RISK_ELIMINATED,
    Household,
    Monitoring,
    MonitoringRisk,
    Person,
)

__all__ = [
    "CoverageRow",
    "PlanAsOf",
    "PlanView",
    "coverage_list",
    "household_for_plan",
    "household_has_labour",
    "households_with_measure",
    "measure_get",
    "measure_list",
    "measures_by_risk",
    "photo_get",
    "plan_as_of",
    "plan_view",
    "spell_risks",
    "visit_all",
    "visit_list",
]

#: Statuses of a measure that count as "in place" for the elimination guard.
IN_PLACE_STATUSES = (MeasureStatus.IN_PROGRESS, MeasureStatus.DONE)


def _range(prefix: str) -> tuple[str, str]:
    return prefix.ljust(12, "0"), prefix.ljust(12, "9")


def _scope_q(user: Any, through: str) -> Q | None:
    prefix = read_prefix(user)
    if prefix is None:
        return None
    if not prefix:
        return Q()
    return Q(**{f"{through}village__code__range": _range(prefix)})


def _households_for(user: Any) -> QuerySet[Household]:
    """The one scoped base: households inside ``user``'s read scope."""
    scope = _scope_q(user, "")
    return Household.objects.none() if scope is None else Household.objects.filter(scope)


def household_for_plan(*, user: Any, public_id: UUID | str) -> Household:
    """An active household in scope by its public UUID; ``Household.DoesNotExist`` otherwise."""
    try:
        return (
            _households_for(user)
            .filter(status=ACTIVE)
            .select_related("village")
            .get(public_id=public_id)
        )
    except (ValueError, TypeError, ValidationError):
        raise Household.DoesNotExist from None


def measure_get(*, user: Any, household: Household, public_id: UUID | str) -> Measure:
    """A measure of ``household`` (already read in scope); ``Measure.DoesNotExist`` otherwise."""
    if not _households_for(user).filter(pk=household.pk).exists():
        raise Measure.DoesNotExist
    try:
        return Measure.objects.select_related("plan").get(
            public_id=public_id, plan__household=household
        )
    except (ValueError, TypeError, ValidationError):
        raise Measure.DoesNotExist from None


def spell_risks(*, monitoring_id: int) -> list[tuple[str, str]]:
    """The risks of a monitoring spell as (code-table code, Chinese name), in position order."""
    codes_in_order = MonitoringRisk.objects.filter(monitoring_id=monitoring_id).order_by("position")
    return [
        (code, _risk_label(code)) for code in codes_in_order.values_list("risk_type", flat=True)
    ]


def household_has_labour(household_id: int) -> bool:
    """Whether any active member has labour ability (code table ``labour_ability``)."""
    able = codes.table("labour_ability").codes_where("has_labour")
    return Person.objects.filter(
        household_id=household_id, status=ACTIVE, labour_ability__in=able
    ).exists()


def _risk_label(code: str) -> str:
    table = codes.table("risk_type")
    return table.label(code) if code in table else code


def _facts(
    measures: Iterable[MeasureFields],
    risk_codes: Iterable[str],
    *,
    has_labour: bool,
    on: date,
    names: dict[str, str],
) -> checks.PlanFacts:
    return checks.PlanFacts(
        risks=[checks.RiskFacts(code, _risk_label(code)) for code in risk_codes],
        measures=[
            checks.MeasureFacts(
                category=m.category,
                category_name=names.get(m.category, m.category),
                item=m.item,
                status=m.status,
                start_date=m.start_date,
                end_date=m.end_date,
                risk_codes=tuple(m.risk_types),
                person_id=m.person_id,
            )
            for m in measures
        ],
        has_labour=has_labour,
        on=on,
        risk_names={v.code: v.zh for v in codes.table("risk_type").values},
    )


@dataclass(frozen=True, slots=True)
class RiskGroup:
    code: str
    name: str
    measures: list[Measure]


@dataclass(frozen=True, slots=True)
class PlanView:
    """What the plan page shows: the spell, measures grouped by risk, the checks' warnings."""

    household: Household
    spell: Monitoring | None
    plan: Plan | None
    risks: list[tuple[str, str]]
    groups: list[RiskGroup]
    general: list[Measure]
    stopped: list[Measure]
    warnings: list[checks.PlanWarning]
    categories: dict[str, str]
    members: list[Person]
    has_labour: bool


def plan_view(*, user: Any, household: Household, on: date) -> PlanView:
    """The current plan of ``household`` (read in scope by :func:`household_for_plan`).

    Measures of the current spell's plan, grouped by the risks they name (a measure naming two
    risks shows under both); measures naming no risk are ``general``; stopped ones are apart.
    """
    if not _households_for(user).filter(pk=household.pk).exists():
        raise Household.DoesNotExist
    spell = (
        Monitoring.objects.filter(household=household, is_current=True)
        .prefetch_related("risks")
        .first()
    )
    plan = Plan.objects.filter(monitoring=spell).first() if spell is not None else None
    measures = list(Measure.objects.filter(plan=plan).select_related("person")) if plan else []
    risk_codes = [r.risk_type for r in spell.risks.all()] if spell else []
    names = category_names(household.village_id, on.year)
    has_labour = household_has_labour(household.pk)
    live = [m for m in measures if m.status != MeasureStatus.STOPPED]
    groups = [
        RiskGroup(code, _risk_label(code), [m for m in live if code in m.risk_types])
        for code in risk_codes
    ]
    warnings = (
        checks.check_plan(_facts(measures, risk_codes, has_labour=has_labour, on=on, names=names))
        if spell is not None
        else []
    )
    members = list(
        Person.objects.filter(household=household, status=ACTIVE).order_by("relation", "pk")
    )
    return PlanView(
        household=household,
        spell=spell,
        plan=plan,
        risks=[(code, _risk_label(code)) for code in risk_codes],
        groups=groups,
        general=[m for m in live if not m.risk_types],
        stopped=[m for m in measures if m.status == MeasureStatus.STOPPED],
        warnings=warnings,
        categories=names,
        members=members,
        has_labour=has_labour,
    )


# --- the past ----------------------------------------------------------------------------------


def _revisions_on(household_id: int, on: date) -> QuerySet[MeasureRevision]:
    """The revisions in force on ``on`` of every measure of the household's plans."""
    return (
        MeasureRevision.objects.filter(measure__plan__household_id=household_id)
        .filter(valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        .select_related("measure")
        .order_by("start_date", "measure_id")
    )


@dataclass(frozen=True, slots=True)
class PlanAsOf:
    """A household's monitoring status and plan as recorded on a past day."""

    on: date
    status: str  # none / open / eliminated (registry.models)
    spell: Monitoring | None
    risks: list[str] = field(default_factory=list)
    measures: list[MeasureRevision] = field(default_factory=list)
    warnings: list[checks.PlanWarning] = field(default_factory=list)


def plan_as_of(*, user: Any, household_id: int, on: date) -> PlanAsOf:
    """The household's status and the measures in force on ``on`` (with their values then).

    The spell is the latest one identified by ``on``; the status is ``eliminated`` when its
    elimination month had begun by ``on``. Measures are the revisions recorded by ``on`` and
    not yet replaced then; stopped ones are left out, and so are measures not started by
    ``on``. Raises ``Household.DoesNotExist`` (also out of scope).
    """
    household = _households_for(user).get(pk=household_id)
    spell = (
        Monitoring.objects.filter(household_id=household_id, identified_month__lte=on)
        .prefetch_related("risks")
        .order_by("-identified_month", "-id")
        .first()
    )
    if spell is None:
        return PlanAsOf(on=on, status=NOT_MONITORED, spell=None)
    eliminated = spell.eliminated_month is not None and spell.eliminated_month <= on
    revisions = [
        r
        for r in _revisions_on(household_id, on)
        if r.status != MeasureStatus.STOPPED and r.start_date <= on
    ]
    risk_codes = [r.risk_type for r in spell.risks.all()]
    names = category_names(household.village_id, on.year)
    warnings = checks.check_plan(
        _facts(
            revisions,
            risk_codes,
            has_labour=household_has_labour(household_id),
            on=on,
            names=names,
        )
    )
    return PlanAsOf(
        on=on,
        status=RISK_ELIMINATED if eliminated else MONITORED_OPEN,
        spell=spell,
        risks=risk_codes,
        measures=revisions,
        warnings=warnings,
    )


def measures_by_risk(
    *, household_id: int, on: date, known_on: date | None = None
) -> dict[str, tuple[str, ...]]:
    """Code-table risk code → the measure categories in force on ``on`` for that risk.

    For casework's elimination guard (DOMAIN.md §5.1: at least one measure aimed at the risk).
    A measure counts when its revision recorded as of ``known_on`` (default ``on``) is in
    progress or done and started on or before ``on``, in any plan of the household. A decision
    entered today for an earlier day passes ``known_on=today``: the plan as now recorded, its
    measures as they stood on that day. Categories are sorted and unique; a risk without such
    a measure is absent. The system's read: no viewer, no scope.
    """
    found: dict[str, set[str]] = defaultdict(set)
    for revision in _revisions_on(household_id, known_on or on).filter(
        status__in=IN_PLACE_STATUSES, start_date__lte=on
    ):
        for code in revision.risk_types:
            found[code].add(revision.category)
    return {code: tuple(sorted(found[code])) for code in sorted(found)}


# --- visits ------------------------------------------------------------------------------------


def visit_list(*, user: Any, household_id: int) -> QuerySet[Visit]:
    """The household's visits, newest first, with their photos (two queries)."""
    scope = _scope_q(user, "household__")
    rows = Visit.objects.none() if scope is None else Visit.objects.filter(scope)
    return (
        rows.filter(household_id=household_id)
        .prefetch_related("photos")
        .order_by("-visited_on", "-id")
    )


def photo_get(*, user: Any, public_id: UUID | str) -> VisitPhoto:
    """A visit photo whose household is in scope; ``VisitPhoto.DoesNotExist`` otherwise."""
    scope = _scope_q(user, "visit__household__")
    if scope is None:
        raise VisitPhoto.DoesNotExist
    try:
        return VisitPhoto.objects.filter(scope).select_related("visit").get(public_id=public_id)
    except (ValueError, TypeError, ValidationError):
        raise VisitPhoto.DoesNotExist from None


@dataclass(frozen=True, slots=True)
class CoverageRow:
    household: Household
    last_visit: date | None
    days_since: int | None


def coverage_list(*, user: Any, on: date, interval_days: int) -> list[CoverageRow]:
    """Monitored households (risk not eliminated) in scope not visited within ``interval_days``
    before ``on`` (a visit on ``on - interval_days`` or later counts), never-visited first,
    then the longest unvisited. One query."""
    cutoff = on - timedelta(days=interval_days)
    rows = (
        _households_for(user)
        .filter(status=ACTIVE, monitoring_status=MONITORED_OPEN)
        .select_related("village")
        .annotate(last_visit=Max("visits__visited_on", filter=Q(visits__visited_on__lte=on)))
        .filter(Q(last_visit__isnull=True) | Q(last_visit__lt=cutoff))
        .order_by("last_visit", "household_number")
    )
    out = []
    for household in rows:
        last: date | None = household.last_visit
        out.append(CoverageRow(household, last, (on - last).days if last else None))
    out.sort(
        key=lambda r: (r.last_visit is not None, r.last_visit or on, r.household.household_number)
    )
    return out


def households_with_measure(households: QuerySet[Household], category: str) -> QuerySet[Household]:
    """``households`` kept to those with a planned or running measure of ``category`` (the
    dashboard's "measures by category" drills down to these households)."""
    running = Measure.objects.filter(
        plan__household=OuterRef("pk"),
        category=category,
        status__in=[MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS],
    )
    return households.filter(Exists(running))


# --- the admin's lists -------------------------------------------------------------------------


def measure_list(*, user: Any) -> QuerySet[Measure]:
    """Measures of the households in scope (the read-only admin)."""
    scope = _scope_q(user, "plan__household__")
    rows = Measure.objects.none() if scope is None else Measure.objects.filter(scope)
    return rows.select_related("plan__household")


def visit_all(*, user: Any) -> QuerySet[Visit]:
    """Visits of the households in scope (the read-only admin)."""
    scope = _scope_q(user, "household__")
    rows = Visit.objects.none() if scope is None else Visit.objects.filter(scope)
    return rows.select_related("household")
