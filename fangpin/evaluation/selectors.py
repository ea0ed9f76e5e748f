"""Reads of evaluation, in the reader's region scope (applied here, once).

- Campaigns and their samples are for ``findings.write`` holders (inspectors, third-party
  evaluators) whose scope covers the county: like an unannounced visit, a sample announced to
  the villages it will visit is worth nothing, so village and township staff never see it.
- Measures, exit qualification and integrity findings are read with ``registry.view``; rows
  are cut to the reader's scope (a township sees its own township and villages, not the
  county's total or its neighbours).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from fangpin.core.access import FINDINGS_WRITE, REGISTRY_VIEW, is_system_actor
from fangpin.core.models import Region
from fangpin.core.scope import scope_prefix
from fangpin.evaluation.models import (
    Campaign,
    IntegrityFinding,
    IntegrityRun,
    MeasureResult,
    SampledHousehold,
)
from fangpin.registry.models import Person

__all__ = [
    "campaign_get",
    "campaign_list",
    "campaign_scope_prefix",
    "counties_in_scope",
    "integrity_findings",
    "integrity_run_latest",
    "measure_result_latest",
    "reader_prefix",
    "sampled_household_get",
    "visit_list",
]


def campaign_scope_prefix(user: Any) -> str | None:
    """The region prefix of the campaigns ``user`` may read (``findings.write``)."""
    if is_system_actor(user):
        return ""
    return scope_prefix(user, capability=FINDINGS_WRITE)


def reader_prefix(user: Any) -> str | None:
    """The region prefix of the measures and findings ``user`` may read (``registry.view``)."""
    if is_system_actor(user):
        return ""
    return scope_prefix(user, capability=REGISTRY_VIEW)


def _campaigns(user: Any) -> QuerySet[Campaign]:
    prefix = campaign_scope_prefix(user)
    if prefix is None:
        return Campaign.objects.none()
    if len(prefix) > 6:  # the county must lie wholly inside the scope: county level or above
        return Campaign.objects.none()
    return Campaign.objects.filter(county__code__startswith=prefix)


def campaign_list(*, user: Any) -> QuerySet[Campaign]:
    """Campaigns in scope, newest first, with their progress counts."""
    return (
        _campaigns(user)
        .select_related("county")
        .annotate(
            sample_size=Count("households"),
            surveyed=Count("households", filter=Q(households__surveyed_on__isnull=False)),
        )
        .order_by("-created_at", "-id")
    )


def campaign_get(*, user: Any, public_id: UUID) -> Campaign:
    """One campaign in scope; ``Campaign.DoesNotExist`` otherwise (answered 404)."""
    return _campaigns(user).select_related("county").get(public_id=public_id)


def visit_list(campaign: Campaign) -> QuerySet[SampledHousehold]:
    """The campaign's households in visit order, with village, household and ``head_name``."""
    head = Person.objects.filter(household=OuterRef("household_id"), relation="01", status="active")
    return (
        campaign.households.select_related("village__village", "household")
        .annotate(head_name=Subquery(head.values("name")[:1]))
        .order_by("position")
    )


def sampled_household_get(*, user: Any, public_id: UUID) -> SampledHousehold:
    """One sampled household of a campaign in scope; ``DoesNotExist`` otherwise."""
    return (
        SampledHousehold.objects.filter(campaign__in=_campaigns(user))
        .select_related("campaign", "campaign__county", "village", "village__village", "household")
        .get(public_id=public_id)
    )


def counties_in_scope(*, user: Any) -> QuerySet[Region]:
    """The counties a reader may look at: their own (or those under their province or city)."""
    prefix = reader_prefix(user)
    if prefix is None:
        return Region.objects.none()
    if len(prefix) > 6:  # township and village accounts: their own county, rows cut later
        return Region.objects.filter(code=prefix[:6] + "000000", level=3)
    return Region.objects.filter(code__startswith=prefix, level=3).order_by("code")


def measure_result_latest(*, user: Any, county_code: str, year: int) -> MeasureResult | None:
    """The latest measures of a county and year, if the reader may look at the county."""
    if not counties_in_scope(user=user).filter(code=county_code).exists():
        return None
    return (
        MeasureResult.objects.filter(county_id=county_code, year=year)
        .order_by("-computed_at", "-id")
        .first()
    )


def integrity_run_latest(*, user: Any, county_code: str, year: int) -> IntegrityRun | None:
    """The latest integrity run of a county and year, if the reader may look at the county."""
    if not counties_in_scope(user=user).filter(code=county_code).exists():
        return None
    return (
        IntegrityRun.objects.filter(county_id=county_code, year=year)
        .order_by("-created_at", "-id")
        .first()
    )


def integrity_findings(
    *, user: Any, run: IntegrityRun, detector: str | None = None
) -> QuerySet[IntegrityFinding]:
    """The run's findings inside the reader's scope, optionally of one detector."""
    prefix = reader_prefix(user)
    if prefix is None:
        return IntegrityFinding.objects.none()
    qs = run.findings.filter(region__code__startswith=prefix).select_related("region", "household")
    if detector:
        qs = qs.filter(detector=detector)
    return qs.order_by("detector", "region_id", "id")
