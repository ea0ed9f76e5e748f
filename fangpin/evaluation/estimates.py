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
    """One figure: the core's estimator and, for the table, its sample counts."""

    code: str
    label: str
    numerator_label: str
    threshold_key: str
    direction: str
    estimator: Callable[..., sampling.Estimate]
    counts: Callable[[sampling.HouseholdRecord], tuple[int, int]]


_RATES: tuple[_Rate, ...] = (
    _Rate(
        "wrong_exit_rate",
        "错退率",
        "错退人数 ÷ 样本中已退出（脱贫、风险消除）人数",
        "wrong_exit_rate_max",
        "below",
        sampling.wrong_exit_rate,
        lambda r: (r.wrongly_exited_people, r.exited_people),
    ),
    _Rate(
        "omission_rate",
        "漏评率",
        "漏评人数 ÷ 样本村库外农户人口",
        "omission_rate_max",
        "below",
        sampling.omission_rate,
        lambda r: (0, 0) if r.in_register else (r.omitted_people, r.people),
    ),
    _Rate(
        "approval_rate",
        "群众认可度",
        "认可的户数 ÷ 调查户数",
        "approval_rate_min",
        "at_least",
        sampling.approval_rate,
        lambda r: (int(r.approves is True), int(r.approves is not None)),
    ),
    _Rate(
        "composite_incidence",
        "综合贫困发生率",
        "（风险未消除 + 漏评 + 错退）人数 ÷ 样本人口",
        "incidence_max",
        "below",
        sampling.composite_incidence,
        lambda r: (
            r.remaining_poor_people + r.omitted_people + r.wrongly_exited_people,
            r.people,
        ),
    ),
)


def _record(unit: SampledHousehold) -> sampling.HouseholdRecord:
    """What the survey of ``unit`` found, as the sampling core counts it.

    A registered household still under monitoring (risk not eliminated) is remaining poor;
    any other registered household has exited, and all its people were wrongly exited when the
    survey says so. An ordinary household's people were missed when the survey says so.
    """
    household: Any = unit.household
    people = int(unit.people or 0)
    in_register = unit.domain == Domain.REGISTER
    at_risk = in_register and household.monitoring_status == "open"
    exited = in_register and not at_risk
    return sampling.HouseholdRecord(
        household_id=str(unit.household_id),
        village=unit.village.village_id,
        stratum=unit.village.stratum,
        weight=unit.weight,
        in_register=in_register,
        people=people,
        exited_people=people if exited else 0,
        wrongly_exited_people=(
            people if exited and unit.adjudication == Adjudication.WRONGLY_EXITED else 0
        ),
        remaining_poor_people=people if at_risk else 0,
        omitted_people=(
            people if not in_register and unit.adjudication == Adjudication.MISSED else 0
        ),
        approves=unit.is_satisfied,
    )


def campaign_estimates(campaign: Campaign) -> CampaignEstimates:
    """The four figures of the campaign, from its surveyed households."""
    edition = resolve(campaign.year, campaign.county_id[:6])
    thresholds = edition.evaluation
    confidence = thresholds.confidence_level
    units = list(campaign.households.select_related("household", "village").order_by("position"))
    surveyed = [u for u in units if u.surveyed_on is not None]
    stratum_villages = {v.stratum: v.stratum_villages for v in campaign.villages.all()}
    records = [_record(u) for u in surveyed]
    rows: list[RateRow] = []
    for rate in _RATES:
        threshold = float(getattr(thresholds, rate.threshold_key))
        if rate.code == "composite_incidence" and thresholds.western_region(campaign.county_id):
            threshold = thresholds.incidence_max_west
        numerator = sum(rate.counts(r)[0] for r in records)
        denominator = sum(rate.counts(r)[1] for r in records)
        estimate: sampling.Estimate | None = None
        verdict: sampling.Verdict | None = None
        reason = ""
        if denominator == 0:
            reason = "样本中还没有可用于计算的已核查户"
        else:
            try:
                estimate = rate.estimator(
                    records,
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
                numerator=numerator,
                denominator=denominator,
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
