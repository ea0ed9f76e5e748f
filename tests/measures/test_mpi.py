"""Alkire–Foster measures on their published worked example, hand calculations and edges."""

from __future__ import annotations

import numpy as np
import pytest

from fangpin.measures import MeasureError, deprivation_scores, mpi

# Alkire, S. and Foster, J. (2011), "Counting and multidimensional poverty measurement",
# Journal of Public Economics 95(7–8), 476–487, §2–3: four persons, four dimensions (income,
# years of schooling, a health index, membership of a health-insurance scheme as 0/1), the
# achievement matrix and cutoffs z = (13, 12, 3, 1) below, equal weights.
AF_MATRIX = [
    [13.1, 14, 4, 1],
    [15.2, 7, 5, 0],
    [12.5, 10, 1, 0],
    [20, 11, 3, 1],
]
AF_CUTOFFS = [13, 12, 3, 1]
NAMES = ["income", "schooling", "health", "insurance"]


def test_alkire_foster_example_with_k_two() -> None:
    # Deprived strictly below the cutoff: g⁰ rows (0,0,0,0), (0,1,0,1), (1,1,1,1), (0,1,0,0);
    # counts c = (0, 2, 4, 1). With k = 2 the poor are persons 2 and 3:
    # H = 2/4 = 1/2; A = (2 + 4)/(2·4) = 3/4; M0 = H·A = 3/8.
    result = mpi(AF_MATRIX, AF_CUTOFFS, [1, 1, 1, 1], 2, k_is_share=False, names=NAMES)

    assert (result.H, result.A, result.M0) == (0.5, 0.75, 0.375)
    assert (result.population, result.poor, result.k, result.k_share) == (4.0, 2.0, 2.0, 0.5)


def test_alkire_foster_example_m1_and_m2_by_hand() -> None:
    # Censored normalised gaps (z − x)/z of the poor: person 2: schooling 5/12, insurance 1;
    # person 3: income 0.5/13 = 1/26, schooling 2/12, health 2/3, insurance 1.
    # M1 = (5/12 + 1 + 1/26 + 1/6 + 2/3 + 1)/16 = 3.2884615/16 = 0.2055288.
    # M2 = (25/144 + 1 + 1/676 + 1/36 + 4/9 + 1)/16 = 2.6473126/16 = 0.1654570.
    result = mpi(AF_MATRIX, AF_CUTOFFS, [1, 1, 1, 1], 0.5, k_is_share=True)

    gaps = [5 / 12, 1, 1 / 26, 1 / 6, 2 / 3, 1]
    by_hand = (sum(gaps) / 16, sum(g * g for g in gaps) / 16)
    gap_measures = (result.M1, result.M2)
    assert gap_measures == pytest.approx(by_hand, rel=1e-15)
    assert gap_measures == pytest.approx((0.2055288, 0.1654570), abs=1e-7)


def test_alkire_foster_example_headcounts_and_contributions() -> None:
    result = mpi(AF_MATRIX, AF_CUTOFFS, [1, 1, 1, 1], 2, k_is_share=False, names=NAMES)

    # Uncensored: income 1/4 (person 3), schooling 3/4, health 1/4, insurance 2/4.
    assert result.uncensored_headcounts == {
        "income": 0.25,
        "schooling": 0.75,
        "health": 0.25,
        "insurance": 0.5,
    }
    # Censored (person 4's schooling deprivation no longer counts): 1/4, 2/4, 1/4, 2/4.
    assert result.censored_headcounts == {
        "income": 0.25,
        "schooling": 0.5,
        "health": 0.25,
        "insurance": 0.5,
    }
    # wⱼhⱼ/(W·M0): (1/4)/(4·3/8) = 1/6 → 16.67 %; (1/2)/(3/2) = 1/3 → 33.33 %.
    assert result.contributions == pytest.approx(
        {"income": 100 / 6, "schooling": 100 / 3, "health": 100 / 6, "insurance": 100 / 3},
        rel=1e-14,
    )


def test_k_as_a_share_and_in_weight_units_agree() -> None:
    as_share = mpi(AF_MATRIX, AF_CUTOFFS, [2, 2, 2, 2], 0.5, k_is_share=True)
    as_units = mpi(AF_MATRIX, AF_CUTOFFS, [2, 2, 2, 2], 4, k_is_share=False)

    assert (as_share.H, as_share.M0, as_share.k) == (as_units.H, as_units.M0, as_units.k)


def test_union_and_intersection_identification() -> None:
    # Union (k = smallest weight): persons 2, 3, 4 poor. Intersection (k = all): person 3.
    union = mpi(AF_MATRIX, AF_CUTOFFS, [1, 1, 1, 1], 1, k_is_share=False)
    intersection = mpi(AF_MATRIX, AF_CUTOFFS, [1, 1, 1, 1], 1.0, k_is_share=True)

    union_values = (union.H, union.A)
    assert union_values == pytest.approx((0.75, 7 / 12), rel=1e-15)  # A = (2 + 4 + 1)/(3·4)
    assert (intersection.H, intersection.A, intersection.M0) == (0.25, 1.0, 0.25)


def test_an_achievement_equal_to_the_cutoff_is_not_deprived() -> None:
    scores, poor = deprivation_scores([[3.0], [2.9]], [3.0], [1.0], 1.0, k_is_share=True)

    assert scores.tolist() == [0.0, 1.0]
    assert poor.tolist() == [False, True]


def test_three_ninths_reach_k_one_third_despite_float_rounding() -> None:
    # 1/9 + 1/9 + 1/9 may round below 1/3: the tolerance keeps the person poor.
    matrix = [[0, 0, 0, 1, 1, 1, 1, 1, 1]]
    scores, poor = deprivation_scores(matrix, [1] * 9, [1 / 9] * 9, 1 / 3, k_is_share=True)

    assert poor.tolist() == [True]
    assert scores[0] == pytest.approx(1 / 3, rel=1e-15)


def test_binary_indicators_give_m1_and_m2_equal_to_m0() -> None:
    # 0 = deprived: persons 1, 3, 4 are deprived in two of three, person 2 in none;
    # with k = 1/3 the three are poor and M0 = (2 + 2 + 2)/(4·3) = 1/2.
    matrix = np.array([[0, 1, 0], [1, 1, 1], [0, 0, 1], [1, 0, 0]], dtype=np.int8)

    result = mpi(matrix, [1, 1, 1], [1, 1, 1], 1 / 3, k_is_share=True)

    assert result.M0 == result.M1 == result.M2 == 0.5


def test_negative_achievements_count_as_zero_in_the_gaps() -> None:
    # Income −500 against a cutoff of 1000: the gap is capped at 1, so M1 ≤ M0.
    result = mpi([[-500.0], [2000.0]], [1000.0], [1.0], 1.0, k_is_share=True)

    assert (result.M0, result.M1, result.M2) == (0.5, 0.5, 0.5)


def test_float32_and_boolean_achievements_are_read_as_they_are() -> None:
    as_float = mpi(np.array(AF_MATRIX, dtype=np.float32), AF_CUTOFFS, [1] * 4, 2, k_is_share=False)
    flags = np.array([[True, False], [False, False], [True, True]])
    as_bool = mpi(flags, [1, 1], [1, 1], 0.5, k_is_share=True)

    assert as_float.M0 == 0.375
    assert (as_bool.H, as_bool.M0) == (2 / 3, 0.5)


def test_groups_break_m0_down_by_population_share() -> None:
    # Persons 1 and 3 in 甲, 2 and 4 in 乙 (k = 2): 甲 has person 3 (c = 4), 乙 person 2 (c = 2).
    result = mpi(
        AF_MATRIX, AF_CUTOFFS, [1] * 4, 2, k_is_share=False, groups=["甲", "乙", "甲", "乙"]
    )

    by_group = {g.group: g for g in result.groups}
    assert (by_group["甲"].H, by_group["甲"].A, by_group["甲"].M0) == (0.5, 1.0, 0.5)
    assert (by_group["乙"].H, by_group["乙"].A, by_group["乙"].M0) == (0.5, 0.5, 0.25)
    assert by_group["甲"].contribution == pytest.approx(200 / 3, rel=1e-15)  # 0.5·0.5/0.375
    assert by_group["乙"].contribution == pytest.approx(100 / 3, rel=1e-15)
    assert by_group["甲"].population_share == 0.5


def test_nobody_poor_gives_zeros_everywhere() -> None:
    result = mpi([[5.0, 5.0]], [1, 1], [1, 1], 0.5, k_is_share=True, groups=["a"])

    assert (result.H, result.A, result.M0, result.M1, result.M2) == (0.0, 0.0, 0.0, 0.0, 0.0)
    assert result.contributions == {"indicator_1": 0.0, "indicator_2": 0.0}
    assert result.groups[0].contribution == 0.0


def test_k_is_share_has_no_default() -> None:
    with pytest.raises(TypeError):
        mpi(AF_MATRIX, AF_CUTOFFS, [1] * 4, 2)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("kwargs", "code", "message"),
    [
        ({"achievements": [1, 2]}, "shape", "成就矩阵应为二维（人 × 指标），实际为 1 维"),
        ({"achievements": np.zeros((0, 4))}, "empty", "成就矩阵为空"),
        ({"achievements": [["a", "b", "c", "d"]]}, "not_numeric", "成就矩阵含有非数值"),
        (
            {"achievements": [[1.0, np.nan, 1, 1]]},
            "not_finite",
            "成就矩阵第 1 行第 2 列不是有限数（nan）",
        ),
        ({"cutoffs": [13, 0, 3, 1]}, "cutoff", "第 2 个指标的剥夺临界值应为正数，实际为 0"),
        (
            {"indicator_weights": [1, 1, -1, 1]},
            "indicator_weight",
            "第 3 个指标的权重应为正数，实际为 -1",
        ),
        (
            {"cutoffs": [13, 12, 3]},
            "shape",
            "临界值（3 个）、指标权重（4 个）与指标数（4）不一致",
        ),
        ({"k": 0}, "parameter", "k 按权重单位计时应在 (0, 4] 内（权重之和），实际为 0"),
        ({"k": 5}, "parameter", "k 按权重单位计时应在 (0, 4] 内（权重之和），实际为 5"),
        (
            {"k": 1.5, "k_is_share": True},
            "parameter",
            "k 按权重份额计时应在 (0, 1] 内，实际为 1.5",
        ),
        (
            {"person_weights": [1, 1, -2, 1]},
            "negative_weight",
            "人员权重第 3 个值为负数（-2.0）",
        ),
        ({"person_weights": [0, 0, 0, 0]}, "zero_population", "人员权重之和为零：没有可计算的人口"),
        ({"names": ["a"]}, "shape", "指标名称（1 个）与指标数（4）不一致"),
    ],
)
def test_refuses_bad_input(kwargs: dict[str, object], code: str, message: str) -> None:
    arguments: dict[str, object] = {
        "achievements": AF_MATRIX,
        "cutoffs": AF_CUTOFFS,
        "indicator_weights": [1, 1, 1, 1],
        "k": 2,
        "k_is_share": False,
        **kwargs,
    }

    with pytest.raises(MeasureError) as raised:
        mpi(**arguments)  # type: ignore[arg-type]

    assert (raised.value.code, raised.value.message) == (code, message)
