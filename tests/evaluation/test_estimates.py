"""The estimates of a campaign (fangpin.evaluation.estimates) on a hand-built sample: each of
三率一度 is the weighted ratio of the stored rows, with the sampling core's design-based
standard error; unsurveyed households are left out and counted; 花垣县 (湘西州, on the western
list, unconfirmed) is judged against 3% for the composite incidence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from fangpin import sampling
from fangpin.evaluation.estimates import campaign_estimates
from fangpin.evaluation.models import Campaign, SampledHousehold, SampledVillage
from fangpin.policy import resolve
from tests.evaluation.conftest import (
    HUAYUAN,
    LONGMEN,
    MINLE,
    TUDI,
    XIANGSHUI,
    World,
)

LONGTAN_STRATUM, MINLE_STRATUM = "433124102", "433124103"


@dataclass(frozen=True)
class Row:
    key: str
    village: str
    domain: str
    weight: float
    people: int | None  # None: not surveyed yet
    adjudication: str = "correct"
    satisfied: bool = True


#: 龙潭镇: two of its three villages drawn (p = 2/3); 民乐镇: both villages (p = 1).
ROWS = [
    Row("longmen_a", LONGMEN, "register", 1.5, 2, "wrongly_exited", satisfied=False),
    Row("longmen_b", LONGMEN, "register", 1.5, 3),
    Row("longmen_c", LONGMEN, "outside", 3.0, 4, "missed"),
    Row("tudi_a", TUDI, "register", 1.5, 2),  # monitored, risk not eliminated
    Row("tudi_d", TUDI, "outside", 3.0, 2, "missed"),
    Row("minle_a", MINLE, "register", 1.0, 1),
    Row("minle_c", MINLE, "outside", 2.0, 3, satisfied=False),
    Row("xiangshui_a", XIANGSHUI, "register", 1.0, 4),
    Row("xiangshui_b", XIANGSHUI, "register", 1.0, None),  # pending
    Row("xiangshui_c", XIANGSHUI, "outside", 2.0, 2),
]


def build(world: World) -> Campaign:
    campaign = Campaign.objects.create(
        name="手工样本",
        county_id=HUAYUAN,
        year=2024,
        edition_id=resolve(2024, "433124").edition_id,
        seed="hand",
        created_by_label="test",
    )
    villages = {
        code: SampledVillage.objects.create(
            campaign=campaign,
            village_id=code,
            stratum=code[:9],
            probability=2 / 3 if code[:9] == LONGTAN_STRATUM else 1.0,
            stratum_villages=3 if code[:9] == LONGTAN_STRATUM else 2,
            stratum_sampled=2,
        )
        for code in (LONGMEN, TUDI, MINLE, XIANGSHUI)
    }
    for position, row in enumerate(ROWS, start=1):
        surveyed = row.people is not None
        SampledHousehold.objects.create(
            campaign=campaign,
            village=villages[row.village],
            household=world.households[row.key],
            domain=row.domain,
            probability=1 / row.weight,
            weight=row.weight,
            position=position,
            surveyed_on=date(2025, 1, 10) if surveyed else None,
            people=row.people,
            per_capita_income=Decimal("9000") if surveyed else None,
            adjudication=row.adjudication if surveyed else "",
            is_satisfied=row.satisfied if surveyed else None,
        )
    return campaign


def test_the_four_rates_are_the_weighted_ratios_of_the_surveyed_rows(world: World) -> None:
    estimates = campaign_estimates(build(world))

    rates = {r.code: r for r in estimates.rates}
    assert [r.code for r in estimates.rates] == [
        "wrong_exit_rate",
        "omission_rate",
        "approval_rate",
        "composite_incidence",
    ]
    # 错退率: exited register households (not tudi_a, still at risk):
    # 1.5·2 wrongly exited ÷ (1.5·2 + 1.5·3 + 1·1 + 1·4) people = 3 / 12.5
    assert rates["wrong_exit_rate"].estimate is not None
    assert rates["wrong_exit_rate"].estimate.value == pytest.approx(0.24, abs=1e-12)
    assert (rates["wrong_exit_rate"].numerator, rates["wrong_exit_rate"].denominator) == (2, 10)
    # 漏评率: (3·4 + 3·2) missed ÷ (3·4 + 3·2 + 2·3 + 2·2) people outside the register
    assert rates["omission_rate"].estimate is not None
    assert rates["omission_rate"].estimate.value == pytest.approx(18 / 28, abs=1e-12)
    assert (rates["omission_rate"].numerator, rates["omission_rate"].denominator) == (6, 11)
    # 群众认可度: households, not people: 1 − (1.5 + 2) ÷ 16.5
    assert rates["approval_rate"].estimate is not None
    assert rates["approval_rate"].estimate.value == pytest.approx(13 / 16.5, abs=1e-12)
    assert (rates["approval_rate"].numerator, rates["approval_rate"].denominator) == (7, 9)
    # 综合贫困发生率: (wrongly exited 3 + missed 12 + 6 + still at risk 3) ÷ 43.5 people
    assert rates["composite_incidence"].estimate is not None
    assert rates["composite_incidence"].estimate.value == pytest.approx(24 / 43.5, abs=1e-12)
    assert (
        rates["composite_incidence"].numerator,
        rates["composite_incidence"].denominator,
    ) == (10, 23)


def test_the_standard_error_is_the_stratified_cluster_one_with_fpc(world: World) -> None:
    rate = campaign_estimates(build(world)).rates[0]

    # 民乐镇 took both its villages (no variance). 龙潭镇 took 2 of 3: the linearised
    # z = Σ w(y − R·x) / X̂ is 0.096 for 龙门村 and 0 for 土地村, so
    # V = (1 − 2/3) · 2/(2 − 1) · (0.048² + 0.048²) = 0.003072.
    se = 0.003072**0.5
    assert rate.estimate is not None
    assert rate.estimate.se == pytest.approx(se, abs=1e-12)
    z = sampling.z_value(0.95)
    assert (rate.estimate.ci_low, rate.estimate.ci_high) == (
        pytest.approx(0.24 - z * se, abs=1e-12),
        pytest.approx(0.24 + z * se, abs=1e-12),
    )
    assert (rate.estimate.n_households, rate.estimate.n_clusters, rate.estimate.n_strata) == (
        9,
        4,
        2,
    )


def test_every_rate_is_the_sampling_cores_ratio_estimate_on_the_same_arrays(
    world: World,
) -> None:
    estimates = campaign_estimates(build(world))

    surveyed = [r for r in ROWS if r.people is not None]
    weights = [r.weight for r in surveyed]
    strata = [r.village[:9] for r in surveyed]
    clusters = [r.village for r in surveyed]
    at_risk = {"tudi_a"}

    def people(r: Row, keep: bool) -> float:
        return float(r.people or 0) if keep else 0.0

    arrays = {
        "wrong_exit_rate": (
            [
                people(r, r.domain == "register" and r.key not in at_risk)
                * (r.adjudication == "wrongly_exited")
                for r in surveyed
            ],
            [people(r, r.domain == "register" and r.key not in at_risk) for r in surveyed],
        ),
        "omission_rate": (
            [people(r, r.domain == "outside") * (r.adjudication == "missed") for r in surveyed],
            [people(r, r.domain == "outside") for r in surveyed],
        ),
        "approval_rate": ([float(r.satisfied) for r in surveyed], [1.0] * len(surveyed)),
        "composite_incidence": (
            [
                people(r, r.key in at_risk or r.adjudication in ("wrongly_exited", "missed"))
                for r in surveyed
            ],
            [people(r, True) for r in surveyed],
        ),
    }
    for row in estimates.rates:
        numerator, denominator = arrays[row.code]
        expected = sampling.ratio_estimate(
            numerator=numerator,
            denominator=denominator,
            weights=weights,
            strata=strata,
            clusters=clusters,
            stratum_psu_counts={LONGTAN_STRATUM: 3, MINLE_STRATUM: 2},
            confidence=0.95,
            single_psu=sampling.SinglePsu.COLLAPSE,
        )
        assert row.estimate == expected, row.code


def test_thresholds_verdicts_and_the_western_line(world: World) -> None:
    estimates = campaign_estimates(build(world))

    edition = resolve(2024, "433124").evaluation
    assert edition.western_region(HUAYUAN) is not None  # 湘西州, 比照西部 (unconfirmed)
    assert [(r.code, r.threshold, r.direction) for r in estimates.rates] == [
        ("wrong_exit_rate", 0.02, "below"),
        ("omission_rate", 0.02, "below"),
        ("approval_rate", 0.9, "at_least"),
        ("composite_incidence", 0.03, "below"),
    ]
    for row in estimates.rates:
        assert row.estimate is not None
        assert row.verdict is not None
        assert row.verdict == sampling.verdict(
            row.estimate, threshold=row.threshold, direction=row.direction, label=row.label
        )
        assert row.reason == ""
    assert estimates.rates[3].verdict is not None
    assert "3%" in estimates.rates[3].verdict.text_zh


def test_unsurveyed_households_are_left_out_and_counted(world: World) -> None:
    estimates = campaign_estimates(build(world))

    assert (estimates.surveyed, estimates.pending, estimates.complete) == (9, 1, False)
    assert estimates.by_domain == {"register": 6, "outside": 4}
    assert estimates.adjudicated == {"wrongly_exited": 1, "missed": 2, "correct": 6}


def test_a_campaign_with_nothing_surveyed_has_no_estimates_and_says_why(world: World) -> None:
    campaign = build(world)
    campaign.households.update(surveyed_on=None)

    estimates = campaign_estimates(campaign)

    assert (estimates.surveyed, estimates.pending) == (0, 10)
    for row in estimates.rates:
        assert (row.estimate, row.verdict, row.reason) == (
            None,
            None,
            "样本中还没有可用于计算的已核查户",
        )
