"""FGT, Watts, Sen and SST on published worked examples and hand calculations, and their edges."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fangpin.measures import MeasureError, fgt, sen, sst, watts

# Haughton, J. and Khandker, S. R. (2009), *Handbook on Poverty and Inequality*, World Bank,
# ch. 4 "Measures of Poverty": "country C", expenditures 100, 110, 150, 160 with a poverty line
# of 125. Poverty gaps 25, 15, 0, 0; Gᵢ/z = 0.20, 0.12, 0, 0.
COUNTRY_C = [100.0, 110.0, 150.0, 160.0]
LINE_C = 125.0


def test_headcount_of_country_c_is_one_half() -> None:
    # Two of the four (100 and 110) are below 125: P0 = 2/4.
    assert fgt(COUNTRY_C, LINE_C, 0) == 0.5


def test_poverty_gap_of_country_c_matches_haughton_khandker_page_70() -> None:
    # H&K (2009) p. 70, "Calculating the Poverty Gap Index": P1 = 0.32/4 = 0.08.
    assert fgt(COUNTRY_C, LINE_C, 1) == pytest.approx(0.08, rel=1e-15)


def test_squared_poverty_gap_of_country_c_matches_haughton_khandker_page_72() -> None:
    # H&K (2009) p. 72: (Gᵢ/z)² = 0.04, 0.0144, 0, 0; P2 = 0.0544/4 = 0.0136.
    assert fgt(COUNTRY_C, LINE_C, 2) == pytest.approx(0.0136, rel=1e-14)


def test_watts_of_country_c_by_hand() -> None:
    # (ln(125/100) + ln(125/110)) / 4 = (0.2231436 + 0.1278334) / 4 = 0.0877442.
    expected = (math.log(1.25) + math.log(125 / 110)) / 4
    assert watts(COUNTRY_C, LINE_C) == pytest.approx(expected, rel=1e-15)
    assert expected == pytest.approx(0.0877442, abs=1e-7)


def test_sen_of_country_c_by_hand_with_the_haughton_khandker_formula() -> None:
    # H&K (2009) ch. 4 give P_S = P0·(1 − (1 − G_p)·μ_p/z). The poor: 100 and 110, μ_p = 105.
    # G_p (population form) = Σᵢⱼ|yᵢ − yⱼ| / (2q²μ_p) = (10 + 10) / (2·4·105) = 1/42.
    # P_S = 0.5·(1 − (41/42)·(105/125)) = 0.5·(1 − 0.82) = 0.09.
    # Cross-check, P0·G_p + P1·(1 − G_p) = 0.5/42 + 0.08·41/42 = 3.78/42 = 0.09.
    assert sen(COUNTRY_C, LINE_C) == pytest.approx(0.09, rel=1e-14)


def test_sst_of_country_c_by_hand_and_by_shorrocks_rank_formula() -> None:
    # Gaps over the whole population: 0.2, 0.12, 0, 0; P1 = 0.08.
    # Gini of the gaps: Σᵢⱼ|gᵢ − gⱼ| = 2·(0.08 + 0.2 + 0.2 + 0.12 + 0.12) = 1.44;
    # Ĝ = 1.44 / (2·4²·0.08) = 0.5625; SST = 0.08·1.5625 = 0.125.
    # Shorrocks (1995, "Revisiting the Sen poverty index", Econometrica 63(5)) rank form,
    # gaps in descending order: (1/n²) Σ (2n − 2i + 1)·gᵢ = (7·0.2 + 5·0.12) / 16 = 0.125.
    assert sst(COUNTRY_C, LINE_C) == pytest.approx(0.125, rel=1e-14)


def test_an_income_equal_to_the_line_is_not_poor() -> None:
    incomes = [125.0, 200.0]

    assert fgt(incomes, 125, 0) == 0.0
    assert fgt(incomes, 125, 2) == 0.0
    assert watts(incomes, 125) == 0.0
    assert sen(incomes, 125) == 0.0
    assert sst(incomes, 125) == 0.0


def test_one_yuan_below_the_line_is_poor() -> None:
    assert fgt([124.0, 200.0], 125, 0) == 0.5
    assert fgt([124.0, 200.0], 125, 1) == pytest.approx(0.5 / 125, rel=1e-15)


def test_fgt_with_weights_counts_persons() -> None:
    # 3 persons at 100 and 1 at 150, z = 125: H = 3/4, P1 = 3·0.2/4 = 0.15.
    assert fgt([100, 150], 125, 0, weights=[3, 1]) == 0.75
    assert fgt([100, 150], 125, 1, weights=[3, 1]) == pytest.approx(0.15, rel=1e-15)


def test_zero_weight_rows_count_nowhere() -> None:
    # The zero-weight income of 0 would make Watts undefined if it counted.
    assert watts([0.0, 100.0, 150.0], 125, weights=[0, 1, 1]) == pytest.approx(
        math.log(1.25) / 2, rel=1e-15
    )
    assert fgt([0.0, 100.0, 150.0], 125, 0, weights=[0, 1, 1]) == 0.5


def test_negative_incomes_give_gaps_above_one_in_fgt_sen_and_sst() -> None:
    # −25 against 125: gap 150/125 = 1.2. P1 = (1.2 + 0) / 2 = 0.6.
    assert fgt([-25.0, 200.0], 125, 1) == pytest.approx(0.6, rel=1e-15)
    # Sen with one poor person: H·I = 0.5·1.2 (no inequality among the poor).
    assert sen([-25.0, 200.0], 125) == pytest.approx(0.6, rel=1e-15)
    # SST: gaps 1.2 and 0; Ĝ = 1.2·2 / (2·4·0.6) = 0.5; 0.6·1.5 = 0.9.
    assert sst([-25.0, 200.0], 125) == pytest.approx(0.9, rel=1e-15)


def test_watts_refuses_a_zero_income_naming_its_row() -> None:
    with pytest.raises(MeasureError) as raised:
        watts([100.0, 0.0, 150.0], 125)

    assert raised.value.code == "nonpositive_income"
    assert raised.value.message == "Watts 指数要求收入大于零，第 2 个收入为 0"


def test_everyone_equal_and_above_the_line_has_no_poverty() -> None:
    equal = [500.0] * 5

    assert [fgt(equal, 125, a) for a in (0, 1, 2)] == [0.0, 0.0, 0.0]
    assert (watts(equal, 125), sen(equal, 125), sst(equal, 125)) == (0.0, 0.0, 0.0)


def test_everyone_equal_and_below_the_line_has_no_inequality_among_the_poor() -> None:
    equal = [100.0] * 4  # gap 0.2 each: Sen = H·I = 0.2; SST = 0.2·(1 + 0) = 0.2

    assert sen(equal, 125) == pytest.approx(0.2, rel=1e-15)
    assert sst(equal, 125) == pytest.approx(0.2, rel=1e-15)
    assert fgt(equal, 125, 2) == pytest.approx(0.04, rel=1e-14)


def test_numpy_and_tuple_inputs_give_the_same_values() -> None:
    assert fgt(np.array(COUNTRY_C), LINE_C, 1) == fgt(tuple(COUNTRY_C), LINE_C, 1)


@pytest.mark.parametrize(
    ("call", "code", "message"),
    [
        (lambda: fgt([], 125, 0), "empty", "没有数据：收入为空"),
        (lambda: fgt([1.0, math.nan], 125, 0), "not_finite", "收入第 2 个值不是有限数（nan）"),
        (lambda: fgt([1.0, math.inf], 125, 0), "not_finite", "收入第 2 个值不是有限数（inf）"),
        (lambda: fgt(["甲"], 125, 0), "not_numeric", "收入含有非数值"),
        (lambda: fgt([[1.0]], 125, 0), "shape", "收入应为一维数组，实际为 2 维"),
        (lambda: fgt([1.0], 0, 0), "line", "标准线应为正数，实际为 0"),
        (lambda: fgt([1.0], math.nan, 0), "line", "标准线应为正数，实际为 nan"),
        (lambda: fgt([1.0], 125, -1), "parameter", "参数 α 应为不小于 0 的有限数，实际为 -1"),
        (
            lambda: fgt([1.0, 2.0], 125, 0, weights=[1, -1]),
            "negative_weight",
            "权重第 2 个值为负数（-1.0）",
        ),
        (
            lambda: fgt([1.0, 2.0], 125, 0, weights=[0, 0]),
            "zero_population",
            "权重之和为零：没有可计算的人口",
        ),
        (
            lambda: fgt([1.0, 2.0], 125, 0, weights=[1]),
            "shape",
            "权重个数（1）与收入个数（2）不一致",
        ),
        (
            lambda: sen([1.0], 125, weights=[math.nan]),
            "not_finite",
            "权重第 1 个值不是有限数（nan）",
        ),
    ],
)
def test_refuses_bad_input_with_a_stable_code_and_a_chinese_message(
    call: object, code: str, message: str
) -> None:
    assert callable(call)
    with pytest.raises(MeasureError) as raised:
        call()

    assert (raised.value.code, raised.value.message) == (code, message)
