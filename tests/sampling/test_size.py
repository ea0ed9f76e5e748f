"""Sample sizes, design effects and the allocation of villages to strata.

Cochran, W. G. (1977), *Sampling Techniques*, 3rd ed., ch. 4 (sample size for proportions):
n0 = z²·p·q / d², and with a finite population n = n0 / (1 + (n0 − 1)/N).
Kish, L. (1965), *Survey Sampling*: design effect of cluster sampling 1 + (m − 1)·ρ.
The numbers below are worked by hand in the comments (z = 1.959964 for 95%).
"""

from __future__ import annotations

import pytest

from fangpin.sampling import (
    DesignPlan,
    SamplingError,
    StratumPlan,
    allocate_villages,
    design_effect,
    plan_two_stage,
    sample_size_proportion,
    z_value,
)


def test_z_value_is_the_two_sided_normal_quantile() -> None:
    assert z_value(0.95) == pytest.approx(1.959963984540054, abs=1e-12)
    assert z_value(0.90) == pytest.approx(1.6448536269514722, abs=1e-12)
    assert z_value(0.99) == pytest.approx(2.5758293035489004, abs=1e-12)


def test_the_classic_385_for_half_at_five_points() -> None:
    # 1.959964² × 0.5 × 0.5 / 0.05² = 3.841459 × 0.25 / 0.0025 = 384.146 → 385
    assert sample_size_proportion(expected=0.5, margin=0.05) == 385


def test_finite_population_correction() -> None:
    # 384.146 / (1 + 383.146 / 2000) = 384.146 / 1.191573 = 322.39 → 323
    assert sample_size_proportion(expected=0.5, margin=0.05, population=2000) == 323
    # 384.146 / (1 + 383.146 / 528) = 384.146 / 1.725655 = 222.61 → 223
    assert sample_size_proportion(expected=0.5, margin=0.05, population=528) == 223


def test_ninety_nine_percent_confidence() -> None:
    # 2.575829² × 0.25 / 0.0025 = 6.634897 × 100 = 663.49 → 664
    assert sample_size_proportion(expected=0.5, margin=0.05, confidence=0.99) == 664


def test_a_two_percent_rate_within_one_point_with_clustering() -> None:
    # n0 = 3.841459 × 0.02 × 0.98 / 0.01² = 752.926; deff = 1 + 49 × 0.05 = 3.45;
    # 752.926 × 3.45 = 2597.59 → 2598
    assert design_effect(50, 0.05) == pytest.approx(3.45, abs=1e-12)
    assert sample_size_proportion(expected=0.02, margin=0.01) == 753
    assert sample_size_proportion(expected=0.02, margin=0.01, design_effect=3.45) == 2598


def test_design_effect_of_one_household_per_village_is_one() -> None:
    assert design_effect(1, 0.3) == 1.0
    assert design_effect(20, 0.0) == 1.0
    assert design_effect(20.5, 0.1) == pytest.approx(2.95, abs=1e-12)


def test_a_tiny_population_never_needs_more_than_itself() -> None:
    assert sample_size_proportion(expected=0.5, margin=0.01, population=10) == 10
    assert sample_size_proportion(expected=0.5, margin=0.01, population=1) == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"expected": 0.0, "margin": 0.05}, "预期比例应在0 和 1 之间（不含 0 和 1），实为 0.0"),
        ({"expected": 0.5, "margin": 1.0}, "允许误差应在0 和 1 之间（不含 0 和 1），实为 1.0"),
        ({"expected": 0.5, "margin": 0.05, "confidence": 1.0},
         "置信水平应在0 和 1 之间（不含 0 和 1），实为 1.0"),
        ({"expected": 0.5, "margin": 0.05, "design_effect": 0}, "设计效应应大于 0，实为 0"),
        ({"expected": 0.5, "margin": 0.05, "population": 0}, "总体户数应为正整数，实为 0"),
        ({"expected": float("nan"), "margin": 0.05}, "预期比例应为数值，实为 nan"),
    ],
)  # fmt: skip
def test_bad_sample_size_parameters(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(SamplingError) as caught:
        sample_size_proportion(**kwargs)  # type: ignore[arg-type]  # the values are the test

    assert (caught.value.code, caught.value.message) == ("bad_parameter", message)


@pytest.mark.parametrize(
    ("m", "icc", "message"),
    [(0, 0.1, "每村户数应不少于 1，实为 0"),
     (10, 1.0, "组内相关系数应在0（含）和 1 之间，实为 1.0"),
     (10, -0.1, "组内相关系数应在0（含）和 1 之间，实为 -0.1")],
)  # fmt: skip
def test_bad_design_effect_parameters(m: int, icc: float, message: str) -> None:
    with pytest.raises(SamplingError) as caught:
        design_effect(m, icc)

    assert (caught.value.code, caught.value.message) == ("bad_parameter", message)


def test_proportional_allocation_by_largest_remainder() -> None:
    # 52 villages over 10, 3, 40: shares 9.811, 2.943, 39.245 → floors 9, 2, 39 (50);
    # the two left go to the largest remainders: 乙 (.943) then 甲 (.811).
    assert allocate_villages({"甲": 10, "乙": 3, "丙": 40}, 52) == {"丙": 39, "乙": 3, "甲": 10}


def test_allocation_gives_every_stratum_two_villages_and_shares_the_rest() -> None:
    # 20 over A 1, B 30, C 9, D 60 (100): A's share 0.2 < 1 → 1 (all it has); C's 1.8 < 2 → 2;
    # 17 left for B and D (90): 5.667 and 11.333 → 5 + 11 = 16, the last to B (.667).
    assert allocate_villages({"D": 60, "C": 9, "B": 30, "A": 1}, 20) == {
        "A": 1, "B": 6, "C": 2, "D": 11,
    }  # fmt: skip


def test_allocation_is_raised_to_the_minimums_and_capped_at_the_frame() -> None:
    assert allocate_villages({"A": 5, "B": 5, "C": 5}, 1) == {"A": 2, "B": 2, "C": 2}
    assert allocate_villages({"A": 5, "B": 3}, 100) == {"A": 5, "B": 3}


def test_allocation_refuses_an_empty_stratum() -> None:
    with pytest.raises(SamplingError) as caught:
        allocate_villages({"A": 5, "B": 0}, 4)

    assert (caught.value.code, caught.value.message) == (
        "bad_frame",
        "层“B”的村数应为正整数，实为 0",
    )


def test_plan_two_stage_for_a_two_percent_wrong_exit_rate() -> None:
    plan = plan_two_stage(
        strata={"镇甲": 10, "镇乙": 3, "镇丙": 40},
        expected=0.02,
        margin=0.01,
        icc=0.05,
        households_per_village=50,
    )

    # 2598 households (above) ÷ 50 a village = 51.96 → 52 villages, allocated as above.
    assert plan == DesignPlan(
        expected=0.02,
        margin=0.01,
        confidence=0.95,
        icc=0.05,
        households_per_village=50,
        design_effect=pytest.approx(3.45, abs=1e-12),  # type: ignore[arg-type]  # approx
        households_required=2598,
        villages_required=52,
        villages_planned=52,
        is_capped=False,
        strata=(
            StratumPlan("镇丙", 40, 39),
            StratumPlan("镇乙", 3, 3),
            StratumPlan("镇甲", 10, 10),
        ),
    )
    assert plan.households_planned == 2600
    assert plan.villages_per_stratum == {"镇丙": 39, "镇乙": 3, "镇甲": 10}


def test_a_plan_that_needs_more_villages_than_exist_is_capped() -> None:
    plan = plan_two_stage(
        strata={"镇甲": 4, "镇乙": 3},
        expected=0.02,
        margin=0.01,
        icc=0.05,
        households_per_village=50,
    )

    assert (plan.villages_required, plan.villages_planned, plan.is_capped) == (52, 7, True)
    assert plan.villages_per_stratum == {"镇乙": 3, "镇甲": 4}


def test_the_two_per_stratum_minimum_can_exceed_the_precision_target() -> None:
    plan = plan_two_stage(
        strata={"A": 10, "B": 10, "C": 10, "D": 10},
        expected=0.5,
        margin=0.2,
        icc=0.0,
        households_per_village=20,
    )

    # 24.01 → 25 households → 2 villages needed, but 4 strata × 2 are planned.
    assert (plan.households_required, plan.villages_required, plan.villages_planned) == (25, 2, 8)
    assert plan.is_capped is False
