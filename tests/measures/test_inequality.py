"""Gini, Theil, MLD, Atkinson and the Lorenz curve on hand calculations, and their edges."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fangpin.measures import MeasureError, atkinson, gini, lorenz, mld, theil

# The four incomes 1, 2, 3, 4: mean μ = 2.5, every hand calculation below uses them.
FOUR = [1.0, 2.0, 3.0, 4.0]


def test_gini_of_one_to_four_by_hand() -> None:
    # Σ_{i<j}|yᵢ − yⱼ| = 1 + 2 + 3 + 1 + 2 + 1 = 10, so Σᵢⱼ = 20;
    # G = 20 / (2·n²·μ) = 20 / (2·16·2.5) = 0.25.
    assert gini(FOUR) == pytest.approx(0.25, rel=1e-15)


def test_corrected_gini_multiplies_by_n_over_n_minus_one() -> None:
    # 0.25 · 4/3 = 1/3.
    assert gini(FOUR, corrected=True) == pytest.approx(1 / 3, rel=1e-15)


def test_corrected_gini_takes_n_as_the_sum_of_weights() -> None:
    # Weights 2, 2 on incomes 1 and 3: persons 1, 1, 3, 3 (N = 4).
    # Σᵢⱼ|d| = 2·(2·2·2) = 16; G = 16 / (2·16·2) = 0.25; corrected 0.25·4/3 = 1/3.
    assert gini([1.0, 3.0], weights=[2, 2]) == pytest.approx(0.25, rel=1e-15)
    assert gini([1.0, 3.0], weights=[2, 2], corrected=True) == pytest.approx(1 / 3, rel=1e-15)
    assert gini([1.0, 3.0], weights=[2, 2], corrected=True) == pytest.approx(
        gini([1.0, 1.0, 3.0, 3.0], corrected=True), rel=1e-15
    )


def test_gini_of_one_person_with_everything_is_one_minus_one_over_n() -> None:
    # (0, 0, 0, 10): Σᵢⱼ|d| = 2·3·10 = 60; G = 60 / (2·16·2.5) = 0.75 = 1 − 1/4.
    assert gini([0.0, 0.0, 0.0, 10.0]) == pytest.approx(0.75, rel=1e-15)


def test_theil_of_one_to_four_by_hand() -> None:
    # sᵢ = yᵢ/μ = 0.4, 0.8, 1.2, 1.6; sᵢ·ln sᵢ = −0.3665163, −0.1785148, 0.2187859, 0.7520058;
    # T = 0.4257606 / 4 = 0.1064401.
    expected = sum(s * math.log(s) for s in (0.4, 0.8, 1.2, 1.6)) / 4
    assert theil(FOUR) == pytest.approx(expected, rel=1e-14)
    assert expected == pytest.approx(0.1064401, abs=1e-7)


def test_mld_of_one_to_four_by_hand() -> None:
    # ln μ − mean(ln y) = ln 2.5 − ln(24)/4 = 0.9162907 − 0.7945135 = 0.1217773.
    assert mld(FOUR) == pytest.approx(math.log(2.5) - math.log(24) / 4, rel=1e-14)
    assert mld(FOUR) == pytest.approx(0.1217773, abs=1e-7)


def test_atkinson_of_one_to_four_by_hand() -> None:
    # ε = 1: 1 − geometric mean / μ = 1 − 24^(1/4)/2.5 = 1 − 2.2133638/2.5 = 0.1146545.
    assert atkinson(FOUR, 1) == pytest.approx(1 - 24**0.25 / 2.5, rel=1e-14)
    # ε = 2: 1 − harmonic mean / μ; HM = 4 / (1 + 1/2 + 1/3 + 1/4) = 4/(25/12) = 1.92;
    # 1 − 1.92/2.5 = 0.232.
    assert atkinson(FOUR, 2) == pytest.approx(0.232, rel=1e-13)
    # ε = 0.5: 1 − [mean √(y/μ)]²; √0.4 + √0.8 + √1.2 + √1.6 = 3.8872387; /4 = 0.9718097;
    # squared 0.9444140; A = 0.0555860.
    root_mean = sum(math.sqrt(s) for s in (0.4, 0.8, 1.2, 1.6)) / 4
    assert atkinson(FOUR, 0.5) == pytest.approx(1 - root_mean**2, rel=1e-13)
    assert atkinson(FOUR, 0.5) == pytest.approx(0.0555859, abs=1e-7)
    assert atkinson(FOUR, 0) == 0.0


def test_mld_is_minus_log_of_one_minus_atkinson_one() -> None:
    # A(1) = 1 − exp(−MLD): the two carry the same information.
    assert mld(FOUR) == pytest.approx(-math.log(1 - atkinson(FOUR, 1)), rel=1e-12)


def test_lorenz_of_one_to_four_by_hand() -> None:
    people, income = lorenz([3.0, 1.0, 4.0, 2.0])

    assert people.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    # Cumulative 1, 3, 6, 10 of 10.
    assert income.tolist() == pytest.approx([0.0, 0.1, 0.3, 0.6, 1.0], rel=1e-15)
    assert income[-1] == 1.0


def test_all_equal_incomes_give_exactly_zero_inequality() -> None:
    equal = [4321.5] * 7

    assert gini(equal) == 0.0
    assert theil(equal) == 0.0
    assert mld(equal) == 0.0
    assert atkinson(equal, 1) == 0.0
    assert atkinson(equal, 2) == 0.0
    people, income = lorenz(equal)
    assert income.tolist() == pytest.approx(people.tolist(), abs=1e-15)


def test_theil_takes_zero_incomes_as_the_limit_zero() -> None:
    # (0, 2): μ = 1; T = (0 + 2·ln 2)/2 = ln 2.
    assert theil([0.0, 2.0]) == pytest.approx(math.log(2), rel=1e-15)
    # Atkinson ε = 0.5 accepts a zero: 1 − [(0 + √2)/2]² = 0.5.
    assert atkinson([0.0, 2.0], 0.5) == pytest.approx(0.5, rel=1e-15)


def test_gini_accepts_negative_incomes_and_can_exceed_one() -> None:
    # (−1, 0, 3): μ = 2/3; Σ_{i<j}|d| = 1 + 4 + 3 = 8; G = 16 / (2·9·2/3) = 4/3.
    assert gini([-1.0, 0.0, 3.0]) == pytest.approx(4 / 3, rel=1e-15)


@pytest.mark.parametrize(
    ("call", "code", "message"),
    [
        (lambda: gini([-1.0, 1.0]), "nonpositive_mean", "基尼系数要求平均收入大于零，实际为 0"),
        (
            lambda: gini([5.0], corrected=True),
            "too_few",
            "修正基尼系数要求总人数（权重之和）大于 1，实际为 1",
        ),
        (
            lambda: theil([1.0, -1.0, 5.0]),
            "negative_income",
            "泰尔指数要求收入不小于零，第 2 个收入为 -1",
        ),
        (lambda: theil([0.0, 0.0]), "nonpositive_mean", "泰尔指数要求平均收入大于零（收入全为零）"),
        (
            lambda: mld([3.0, 0.0]),
            "nonpositive_income",
            "平均对数偏差（MLD）要求收入大于零，第 2 个收入为 0",
        ),
        (
            lambda: atkinson([3.0, 0.0], 1),
            "nonpositive_income",
            "阿特金森指数（ε=1）要求收入大于零，第 2 个收入为 0",
        ),
        (
            lambda: atkinson([3.0, -2.0], 0.5),
            "negative_income",
            "阿特金森指数（ε=0.5）要求收入不小于零，第 2 个收入为 -2",
        ),
        (
            lambda: atkinson([3.0], -1),
            "parameter",
            "参数 ε（不平等厌恶系数） 应为不小于 0 的有限数，实际为 -1",
        ),
        (lambda: lorenz([0.0, 0.0]), "nonpositive_mean", "洛伦兹曲线要求平均收入大于零，实际为 0"),
    ],
)
def test_refuses_incomes_outside_each_measures_domain(
    call: object, code: str, message: str
) -> None:
    assert callable(call)
    with pytest.raises(MeasureError) as raised:
        call()

    assert (raised.value.code, raised.value.message) == (code, message)


def test_a_row_number_in_an_error_is_the_callers_row_after_zero_weights() -> None:
    with pytest.raises(MeasureError) as raised:
        mld(np.array([1.0, 0.0, 2.0, -1.0]), weights=[1, 0, 1, 1])

    assert raised.value.message == "平均对数偏差（MLD）要求收入大于零，第 4 个收入为 -1"
