"""The combined ratio estimator and its linearised ultimate-cluster variance, by hand.

The tiny stratified cluster sample below is worked by hand in the comments; the formulas are
in docs/sampling.md (ultimate cluster: Hansen, Hurwitz and Madow 1953; linearisation of a
ratio: Woodruff 1971).
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from fangpin.sampling import SamplingError, SinglePsu, ratio_estimate

Z95 = 1.959963984540054

# Stratum A (N_A = 4 villages, 2 sampled), stratum B (N_B = 6, 3 sampled).
# household:  h1  h2  h3  h4  h5  h6  h7  h8
# village:    a1  a1  a2  b1  b1  b2  b3  b3
# y (wrong):   0   1   0   0   0   1   0   0
# x (exited):  2   3   4   1   2   2   3   1
# w:           2   2   2   4   4   4   4   4
TINY: dict[str, Any] = {
    "numerator": [0, 1, 0, 0, 0, 1, 0, 0],
    "denominator": [2, 3, 4, 1, 2, 2, 3, 1],
    "weights": [2, 2, 2, 4, 4, 4, 4, 4],
    "strata": ["A", "A", "A", "B", "B", "B", "B", "B"],
    "clusters": ["a1", "a1", "a2", "b1", "b1", "b2", "b3", "b3"],
}
# Σwy = 2·1 + 4·1 = 6; Σwx = 2·(2+3+4) + 4·(1+2+2+3+1) = 18 + 36 = 54; R = 6/54 = 1/9.
# z = w·(y − x/9)/54, in units of 1/243: h1 −2, h2 +6, h3 −4, h4 −2, h5 −4, h6 +14, h7 −6,
# h8 −2. Village totals: a1 +4, a2 −4 | b1 −6, b2 +14, b3 −8 (each stratum sums to 0).
# A: 2/1 · (4² + 4²) = 64;  B: 3/2 · (6² + 14² + 8²) = 3/2 · 296 = 444.
# V = (64 + 444)/243² = 508/59049;  SE = √508/243 = 0.0927525.
SE = math.sqrt(508) / 243
# With the FPC 1 − 2/4 = 1/2 and 1 − 3/6 = 1/2: V = (32 + 222)/243² = 254/59049.
SE_FPC = math.sqrt(254) / 243


def test_ratio_and_standard_error_by_hand() -> None:
    estimate = ratio_estimate(**TINY)

    assert estimate.value == pytest.approx(1 / 9, abs=1e-15)
    assert (estimate.numerator_total, estimate.denominator_total) == (6.0, 54.0)
    assert estimate.se == pytest.approx(SE, abs=1e-15)
    assert estimate.se == pytest.approx(0.0927525, abs=1e-7)
    # CI 1/9 ± 1.959964 · 0.0927525 = [−0.0707, 0.2929]; a rate is clipped at 0.
    assert estimate.ci_low == 0.0
    assert estimate.ci_high == pytest.approx(1 / 9 + Z95 * SE, abs=1e-15)
    assert estimate.ci_high == pytest.approx(0.2929027, abs=1e-7)
    assert (estimate.n_households, estimate.n_clusters, estimate.n_strata, estimate.df) == (
        8, 5, 2, 3,
    )  # fmt: skip
    assert estimate.confidence == 0.95
    assert estimate.collapsed_strata == ()


def test_design_effect_by_hand() -> None:
    # Residuals e = y − x/9: −2/9, 2/3, −4/9, −1/9, −2/9, 7/9, −1/3, −1/9.
    # Σw·e² = 2·(4+36+16)/81 + 4·(1+4+49+9+1)/81 = 368/81; Σw = 26; x̄ = 54/26.
    # V_srs = (368/81/26) / (8 · (54/26)²) = 299/59049;  deff = 508/299.
    assert ratio_estimate(**TINY).deff == pytest.approx(508 / 299, abs=1e-12)


def test_first_stage_fpc_by_hand() -> None:
    estimate = ratio_estimate(**TINY, stratum_psu_counts={"A": 4, "B": 6})

    assert estimate.value == pytest.approx(1 / 9, abs=1e-15)
    assert estimate.se == pytest.approx(SE_FPC, abs=1e-15)
    assert estimate.ci_high == pytest.approx(1 / 9 + Z95 * SE_FPC, abs=1e-15)
    assert estimate.ci_low == 0.0  # 1/9 − 0.1285 < 0


def test_ninety_percent_interval_is_narrower() -> None:
    estimate = ratio_estimate(**TINY, confidence=0.90)

    assert estimate.ci_high == pytest.approx(1 / 9 + 1.6448536269514722 * SE, abs=1e-15)


# A third stratum C with one village c1: h9 (y = 1, x = 1, w = 3).
LONELY: dict[str, Any] = {
    "numerator": [*TINY["numerator"], 1],
    "denominator": [*TINY["denominator"], 1],
    "weights": [*TINY["weights"], 3],
    "strata": [*TINY["strata"], "C"],
    "clusters": [*TINY["clusters"], "c1"],
}


def test_a_stratum_with_one_village_is_refused_by_default() -> None:
    with pytest.raises(SamplingError) as caught:
        ratio_estimate(**LONELY)

    assert (caught.value.code, caught.value.message) == (
        "single_psu",
        "层“C”只有 1 个样本村，无法估计该层方差；请每层至少抽 2 个村，"
        "或选择与相邻层合并（single_psu='collapse'）",
    )


def test_collapsing_merges_the_lonely_stratum_with_its_neighbour_by_hand() -> None:
    estimate = ratio_estimate(**LONELY, single_psu=SinglePsu.COLLAPSE)

    # Σwy = 9, Σwx = 57, R = 3/19. z = w·(19y − 3x)/(19·57), units of 1/1083:
    # village totals a1 +8, a2 −24 | b1 −36, b2 +52, b3 −48, c1 +48.
    # Groups (sorted strata; C is last, so it joins B): {A}, {B, C}.
    # A: mean −8, 2/1 · (16² + 16²) = 1024.
    # B∪C: mean 4, deviations −40, 48, −52, 44 → 8544; · 4/3 = 11392.
    # V = (1024 + 11392)/1083²;  SE = √12416/1083 = 0.1028874.
    assert estimate.value == pytest.approx(3 / 19, abs=1e-15)
    assert estimate.se == pytest.approx(math.sqrt(12416) / 1083, abs=1e-15)
    assert estimate.collapsed_strata == (("B", "C"),)
    assert (estimate.n_clusters, estimate.n_strata, estimate.df) == (6, 3, 3)


def test_a_village_taken_with_certainty_adds_no_variance() -> None:
    estimate = ratio_estimate(**LONELY, stratum_psu_counts={"A": 4, "B": 6, "C": 1})

    # C is its whole stratum (n = N = 1): no error and no term. R = 3/19 as above.
    # A: ½ · 1024 = 512.  B: totals −36, 52, −48, mean −32/3 → deviations −76/3, 188/3,
    # −112/3 → 53664/9; · 3/2 = 8944; · ½ = 4472.  V = 4984/1083².
    assert estimate.se == pytest.approx(math.sqrt(4984) / 1083, abs=1e-15)
    assert estimate.collapsed_strata == ()


def test_a_village_shared_by_two_strata_is_two_clusters() -> None:
    # clusters are nested in strata: the same label in A and B names two villages
    relabelled = {**TINY, "clusters": ["v1", "v1", "v2", "v1", "v1", "v2", "v3", "v3"]}

    assert ratio_estimate(**relabelled).se == pytest.approx(SE, abs=1e-15)


def test_input_order_does_not_matter() -> None:
    order = [7, 2, 5, 0, 3, 6, 1, 4]
    shuffled: dict[str, Any] = {key: [values[i] for i in order] for key, values in TINY.items()}

    assert ratio_estimate(**shuffled).se == pytest.approx(SE, abs=1e-15)


@pytest.mark.parametrize(
    ("changes", "code", "message"),
    [
        ({"denominator": [0] * 8, "numerator": [0] * 8}, "zero_denominator",
         "加权分母为 0（样本中没有属于该指标分母的人或户）"),
        ({"numerator": [], "denominator": [], "weights": [], "strata": [], "clusters": []},
         "empty", "没有样本户，无法估计"),
        ({"weights": [2, 2, 2, 4, 4, 4, 4]}, "bad_input", "权数有 7 个值，应为 8 个"),
        ({"weights": [2, 2, 2, 4, 4, 4, 4, 0]}, "bad_input", "权数应大于 0"),
        ({"numerator": [0, 1, 0, 0, 0, float("nan"), 0, 0]}, "bad_input",
         "分子含有非有限值（NaN 或无穷）"),
        ({"clusters": ["a1"] * 7}, "bad_input", "层和村的个数应与样本户数 8 相同"),
        ({"numerator": [5, 5, 5, 5, 5, 5, 5, 5]}, "bad_input",  # 130/54
         "比率为 2.40741，超出 0–1，不是比例"),
        ({"stratum_psu_counts": {"A": 1, "B": 6}}, "bad_input",
         "层“A”的村总数 N_h 应为不少于样本村数 2 的整数，实为 1"),
        ({"stratum_psu_counts": {"A": 4}}, "bad_input",
         "层“B”的村总数 N_h 应为不少于样本村数 3 的整数，实为 None"),
        ({"confidence": 1.2}, "bad_parameter", "置信水平应在0 和 1 之间（不含 0 和 1），实为 1.2"),
    ],
)  # fmt: skip
def test_refusals(changes: dict[str, Any], code: str, message: str) -> None:
    with pytest.raises(SamplingError) as caught:
        ratio_estimate(**{**TINY, **changes})

    assert (caught.value.code, caught.value.message) == (code, message)


def test_a_general_ratio_is_not_clipped() -> None:
    estimate = ratio_estimate(**{**TINY, "numerator": [5] * 8}, is_rate=False)

    # Σwy = 5 · 26 = 130; R = 130/54
    assert estimate.value == pytest.approx(130 / 54, abs=1e-14)
    assert estimate.ci_low < estimate.value < estimate.ci_high
