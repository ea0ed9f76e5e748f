"""Properties of the measures (Hypothesis): axioms the literature asks of them, and weights.

- Integer weights give the result of repeated rows, for every measure.
- Monotonicity: lowering a poor person's income never lowers FGT (α ≥ 1), Watts, Sen, SST.
- Focus: changing an income at or above the line leaves every poverty measure unchanged.
- Replication invariance: duplicating the population changes nothing.
- Scale invariance of Gini, Theil, MLD and Atkinson.
- Lorenz: starts at (0, 0), ends at (1, 1), non-decreasing and convex.
- MPI: group M0 weighted by population share sums to M0; contributions sum to 100.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fangpin.measures import (
    atkinson,
    fgt,
    gini,
    lorenz,
    mld,
    mpi,
    poverty_profile,
    sen,
    sst,
    theil,
    watts,
)

LINE = 1000.0
CLOSE = {"rel": 1e-9, "abs": 1e-12}
incomes = st.lists(st.integers(min_value=1, max_value=3000).map(float), min_size=1, max_size=25)
fast = settings(max_examples=60, deadline=None)

POVERTY: dict[str, Callable[[object, object], float]] = {
    "P0": lambda y, w: fgt(y, LINE, 0, w),  # type: ignore[arg-type]
    "P1": lambda y, w: fgt(y, LINE, 1, w),  # type: ignore[arg-type]
    "P2": lambda y, w: fgt(y, LINE, 2, w),  # type: ignore[arg-type]
    "P1.5": lambda y, w: fgt(y, LINE, 1.5, w),  # type: ignore[arg-type]
    "watts": lambda y, w: watts(y, LINE, w),  # type: ignore[arg-type]
    "sen": lambda y, w: sen(y, LINE, w),  # type: ignore[arg-type]
    "sst": lambda y, w: sst(y, LINE, w),  # type: ignore[arg-type]
}
INEQUALITY: dict[str, Callable[[object, object], float]] = {
    "gini": lambda y, w: gini(y, w),  # type: ignore[arg-type]
    "theil": lambda y, w: theil(y, w),  # type: ignore[arg-type]
    "mld": lambda y, w: mld(y, w),  # type: ignore[arg-type]
    "atkinson 0.5": lambda y, w: atkinson(y, 0.5, w),  # type: ignore[arg-type]
    "atkinson 1": lambda y, w: atkinson(y, 1, w),  # type: ignore[arg-type]
    "atkinson 2": lambda y, w: atkinson(y, 2, w),  # type: ignore[arg-type]
}
ALL = {
    **POVERTY,
    **INEQUALITY,
    "gini corrected": lambda y, w: gini(y, w, corrected=True),  # type: ignore[arg-type]
}


@st.composite
def weighted(draw: st.DrawFn) -> tuple[list[float], list[int]]:
    y = draw(incomes)
    w = draw(st.lists(st.integers(0, 4), min_size=len(y), max_size=len(y)))
    if sum(w) < 2:  # at least two persons (the corrected Gini needs N > 1)
        w[0] = 2
    return y, w


@fast
@given(data=weighted())
@pytest.mark.parametrize("name", sorted(ALL))
def test_integer_weights_equal_repeated_rows(
    name: str, data: tuple[list[float], list[int]]
) -> None:
    y, w = data
    measure = ALL[name]

    assert measure(y, w) == pytest.approx(measure(np.repeat(y, w), None), **CLOSE)


@fast
@given(data=weighted())
def test_lorenz_with_integer_weights_is_the_curve_of_repeated_rows(
    data: tuple[list[float], list[int]],
) -> None:
    y, w = data
    people, income = lorenz(y, w)
    repeated_people, repeated_income = lorenz(np.repeat(y, w))

    # Repeated rows add points on the same straight segments.
    between = np.interp(repeated_people, people, income)
    assert between == pytest.approx(repeated_income, **CLOSE)


@fast
@given(data=weighted(), groups=st.lists(st.sampled_from("abc"), min_size=25, max_size=25))
def test_profile_with_integer_weights_equals_repeated_rows(
    data: tuple[list[float], list[int]], groups: list[str]
) -> None:
    y, w = data
    labels = groups[: len(y)]

    weighted_rows = poverty_profile(y, LINE, w, labels)
    repeated_rows = poverty_profile(np.repeat(y, w), LINE, None, np.repeat(labels, w))

    assert len(weighted_rows) == len(repeated_rows)
    for a, b in zip(weighted_rows, repeated_rows, strict=True):
        assert a.group == b.group
        for value, other in zip(
            (a.population, a.poor, a.headcount, a.gap, a.severity, a.watts, a.gini, a.mean_income),
            (b.population, b.poor, b.headcount, b.gap, b.severity, b.watts, b.gini, b.mean_income),
            strict=True,
        ):
            assert value == pytest.approx(other, **CLOSE)


@fast
@given(y=incomes, pick=st.integers(0, 24), drop=st.integers(1, 999))
@pytest.mark.parametrize("name", ["P1", "P2", "P1.5", "watts", "sen", "sst"])
def test_lowering_a_poor_income_never_lowers_poverty(
    name: str, y: list[float], pick: int, drop: int
) -> None:
    poor = [i for i, v in enumerate(y) if v < LINE]
    if not poor:
        return
    i = poor[pick % len(poor)]
    lower = list(y)
    lower[i] = max(y[i] - drop, 0.5)  # stays above zero for Watts
    measure = POVERTY[name]

    assert measure(lower, None) >= measure(y, None) - 1e-12


@fast
@given(y=incomes, pick=st.integers(0, 24), new=st.integers(int(LINE), 10**6))
@pytest.mark.parametrize("name", sorted(POVERTY))
def test_changing_an_income_at_or_above_the_line_changes_no_poverty_measure(
    name: str, y: list[float], pick: int, new: int
) -> None:
    rich = [i for i, v in enumerate(y) if v >= LINE]
    if not rich:
        return
    changed = list(y)
    changed[rich[pick % len(rich)]] = float(new)
    measure = POVERTY[name]

    assert measure(changed, None) == pytest.approx(measure(y, None), rel=1e-12, abs=1e-15)


@fast
@given(data=weighted(), copies=st.integers(2, 4))
@pytest.mark.parametrize("name", sorted({**POVERTY, **INEQUALITY}))
def test_replicating_the_population_changes_nothing(
    name: str, data: tuple[list[float], list[int]], copies: int
) -> None:
    y, w = data
    measure = {**POVERTY, **INEQUALITY}[name]

    assert measure(np.tile(y, copies), np.tile(w, copies)) == pytest.approx(measure(y, w), **CLOSE)


@fast
@given(
    y=st.lists(st.floats(0.01, 1e6), min_size=1, max_size=25),
    scale=st.floats(1e-3, 1e3),
)
@pytest.mark.parametrize("name", sorted(INEQUALITY))
def test_inequality_does_not_change_when_every_income_is_scaled(
    name: str, y: list[float], scale: float
) -> None:
    measure = INEQUALITY[name]

    assert measure(np.array(y) * scale, None) == pytest.approx(
        measure(y, None), rel=1e-8, abs=1e-11
    )


@fast
@given(data=weighted())
def test_lorenz_runs_from_origin_to_one_non_decreasing_and_convex(
    data: tuple[list[float], list[int]],
) -> None:
    y, w = data
    people, income = lorenz(y, w)

    assert (people[0], income[0], people[-1], income[-1]) == (0.0, 0.0, 1.0, 1.0)
    assert (np.diff(people) > 0).all()
    assert (np.diff(income) >= 0).all()
    slopes = np.diff(income) / np.diff(people)
    assert (np.diff(slopes) >= -1e-9).all()
    assert (income <= people + 1e-12).all()  # never above the line of equality


@st.composite
def households(draw: st.DrawFn) -> tuple[np.ndarray, list[int], list[str]]:
    n = draw(st.integers(1, 20))
    binary = draw(
        st.lists(st.lists(st.integers(0, 1), min_size=3, max_size=3), min_size=n, max_size=n)
    )
    income = draw(st.lists(st.integers(0, 3000), min_size=n, max_size=n))
    matrix = np.column_stack([np.array(binary, dtype=float), np.array(income, dtype=float)])
    sizes = draw(st.lists(st.integers(0, 6), min_size=n, max_size=n))
    if sum(sizes) == 0:
        sizes[0] = 1
    groups = draw(st.lists(st.sampled_from(["村1", "村2", "村3"]), min_size=n, max_size=n))
    return matrix, sizes, groups


MPI_CUTOFFS = [1, 1, 1, 1000]
MPI_WEIGHTS = [1 / 6, 1 / 6, 1 / 6, 1 / 2]


@fast
@given(data=households(), k=st.sampled_from([1 / 6, 1 / 3, 1 / 2, 2 / 3, 1.0]))
def test_mpi_group_m0_weighted_by_population_share_sums_to_m0(
    data: tuple[np.ndarray, list[int], list[str]], k: float
) -> None:
    matrix, sizes, groups = data

    result = mpi(
        matrix, MPI_CUTOFFS, MPI_WEIGHTS, k, k_is_share=True, person_weights=sizes, groups=groups
    )

    assert sum(g.population_share * g.M0 for g in result.groups) == pytest.approx(
        result.M0, **CLOSE
    )
    assert sum(g.population_share for g in result.groups) == pytest.approx(1.0, **CLOSE)
    if result.M0 > 0:
        assert sum(result.contributions.values()) == pytest.approx(100.0, **CLOSE)
        assert sum(g.contribution for g in result.groups) == pytest.approx(100.0, **CLOSE)
    assert math.isclose(result.M0, result.H * result.A, rel_tol=1e-9, abs_tol=1e-12)
    assert result.M2 <= result.M1 + 1e-12 <= result.M0 + 2e-12


@fast
@given(data=households())
def test_mpi_with_integer_person_weights_equals_repeated_rows(
    data: tuple[np.ndarray, list[int], list[str]],
) -> None:
    matrix, sizes, groups = data

    weighted_result = mpi(
        matrix,
        MPI_CUTOFFS,
        MPI_WEIGHTS,
        1 / 3,
        k_is_share=True,
        person_weights=sizes,
        groups=groups,
    )
    repeated = mpi(
        np.repeat(matrix, sizes, axis=0),
        MPI_CUTOFFS,
        MPI_WEIGHTS,
        1 / 3,
        k_is_share=True,
        groups=np.repeat(groups, sizes),
    )

    for name in ("population", "poor", "H", "A", "M0", "M1", "M2"):
        assert getattr(weighted_result, name) == pytest.approx(getattr(repeated, name), **CLOSE)
    assert weighted_result.censored_headcounts == pytest.approx(repeated.censored_headcounts)
    assert [(g.group, g.M0) for g in weighted_result.groups] == [
        (g.group, pytest.approx(g.M0, **CLOSE)) for g in repeated.groups
    ]
