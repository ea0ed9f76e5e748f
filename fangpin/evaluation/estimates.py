"""The estimates of a campaign (三率一度) from its surveyed households, with design-based
standard errors, 95% confidence intervals and the verdict against the edition's thresholds.

Read-only: everything is recomputed from the stored sample (probabilities, weights, strata,
villages) and the surveys by :mod:`fangpin.sampling`, so a correction to one survey shows at
once. Households not yet surveyed are left out and counted (``pending``): the estimates are
those of the surveyed part of the sample until the fieldwork is complete.

- 错退率 = wrongly exited people ÷ exited people, over the register half of the sample;
- 漏评率 = missed people ÷ people, over the ordinary households (outside the register);
- 群众认可度 = satisfied households ÷ surveyed households, over the whole sample;
- 综合贫困发生率 = (people still at risk + missed + wrongly exited) ÷ people, whole sample.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fangpin import sampling
from fangpin.evaluation.models import Adjudication, Campaign, Domain, SampledHousehold
from fangpin.policy import resolve

__all__ = ["CampaignEstimates", "RateRow", "campaign_estimates"]


@dataclass(frozen=True, slots=True)
class RateRow:
    code: str
    label: str
    numerator_label: str
    threshold: float
    direction: str  # "below" or "at_least"
    estimate: sampling.Estimate | None
    verdict: sampling.Verdict | None
    numerator: float  # unweighted sums in the sample, for the table
    denominator: float
    reason: str  # why there is no estimate, when there is none


@dataclass(frozen=True, slots=True)
class CampaignEstimates:
    rates: tuple[RateRow, ...]
    surveyed: int
    pending: int
    by_domain: dict[str, int]
    adjudicated: dict[str, int]

    @property
    def complete(self) -> bool:
        return self.pending == 0


@dataclass(frozen=True, slots=True)
class _Rate:
    code: str
    label: str
    numerator_label: str
    threshold_key: str
    direction: str
    keep: Callable[[SampledHousehold], bool]
    numerator: Callable[[SampledHousehold], float]
    denominator: Callable[[SampledHousehold], float]


def _people(unit: SampledHousehold) -> float:
    return float(unit.people or 0)


def _is_exited(unit: SampledHousehold) -> bool:
    """In the register and out of poverty or risk: the denominator of 错退率."""
    household: Any = unit.household
    return unit.domain == Domain.REGISTER and household.monitoring_status != "open"


def _still_at_risk(unit: SampledHousehold) -> bool:
    household: Any = unit.household
    return bool(household.monitoring_status == "open")


_RATES: tuple[_Rate, ...] = (
    _Rate(
        "wrong_exit_rate",
        "错退率",
        "错退人数 ÷ 样本中已退出（脱贫、风险消除）人数",
        "wrong_exit_rate_max",
        "below",
        _is_exited,
        lambda u: _people(u) if u.adjudication == Adjudication.WRONGLY_EXITED else 0.0,
        _people,
    ),
    _Rate(
        "omission_rate",
        "漏评率",
        "漏评人数 ÷ 样本村库外农户人口",
        "omission_rate_max",
        "below",
        lambda u: u.domain == Domain.OUTSIDE,
        lambda u: _people(u) if u.adjudication == Adjudication.MISSED else 0.0,
        _people,
    ),
    _Rate(
        "approval_rate",
        "群众认可度",
        "认可的户数 ÷ 调查户数",
        "approval_rate_min",
        "at_least",
        lambda u: True,
        lambda u: 1.0 if u.is_satisfied else 0.0,
        lambda u: 1.0,
    ),
    _Rate(
        "composite_incidence",
        "综合贫困发生率",
        "（风险未消除 + 漏评 + 错退）人数 ÷ 样本人口",
        "incidence_max",
        "below",
        lambda u: True,
        lambda u: (
            _people(u)
            if _still_at_risk(u)
            or u.adjudication in (Adjudication.WRONGLY_EXITED, Adjudication.MISSED)
            else 0.0
        ),
        _people,
    ),
)


def campaign_estimates(campaign: Campaign) -> CampaignEstimates:
    """The four figures of the campaign, from its surveyed households."""
    edition = resolve(campaign.year, campaign.county_id[:6])
    thresholds = edition.evaluation
    confidence = thresholds.confidence_level
    units = list(campaign.households.select_related("household", "village").order_by("position"))
    surveyed = [u for u in units if u.surveyed_on is not None]
    stratum_villages = {v.stratum: v.stratum_villages for v in campaign.villages.all()}
    rows: list[RateRow] = []
    for rate in _RATES:
        threshold = float(getattr(thresholds, rate.threshold_key))
        if rate.code == "composite_incidence" and thresholds.western_region(campaign.county_id):
            threshold = thresholds.incidence_max_west
        # Households outside a rate's domain stay in with y = x = 0: their village still
        # counts in the variance (domain estimation, docs/sampling.md).
        kept = [u for u in surveyed if rate.keep(u)]
        numerators = [rate.numerator(u) if rate.keep(u) else 0.0 for u in surveyed]
        denominators = [rate.denominator(u) if rate.keep(u) else 0.0 for u in surveyed]
        estimate: sampling.Estimate | None = None
        verdict: sampling.Verdict | None = None
        reason = ""
        if not kept or sum(denominators) == 0:
            reason = "样本中还没有可用于计算的已核查户"
        else:
            try:
                estimate = sampling.ratio_estimate(
                    numerator=numerators,
                    denominator=denominators,
                    weights=[u.weight for u in surveyed],
                    strata=[u.village.stratum for u in surveyed],
                    clusters=[u.village.village_id for u in surveyed],
                    stratum_psu_counts=stratum_villages,
                    confidence=confidence,
                    single_psu=sampling.SinglePsu.COLLAPSE,
                )
            except sampling.SamplingError as exc:
                reason = exc.message
            else:
                verdict = sampling.verdict(
                    estimate, threshold=threshold, direction=rate.direction, label=rate.label
                )
        rows.append(
            RateRow(
                code=rate.code,
                label=rate.label,
                numerator_label=rate.numerator_label,
                threshold=threshold,
                direction=rate.direction,
                estimate=estimate,
                verdict=verdict,
                numerator=sum(numerators),
                denominator=sum(denominators),
                reason=reason,
            )
        )
    adjudicated: dict[str, int] = {}
    for unit in surveyed:
        adjudicated[unit.adjudication] = adjudicated.get(unit.adjudication, 0) + 1
    by_domain: dict[str, int] = {}
    for unit in units:
        by_domain[unit.domain] = by_domain.get(unit.domain, 0) + 1
    return CampaignEstimates(
        rates=tuple(rows),
        surveyed=len(surveyed),
        pending=len(units) - len(surveyed),
        by_domain=by_domain,
        adjudicated=adjudicated,
    )
