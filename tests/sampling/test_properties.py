"""Properties: sample size is monotone; the interval contains the estimate; the FPC shrinks
the standard error; weights and probabilities agree for any frame."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fangpin.sampling import (
    SelectionMethod,
    Village,
    first_stage_probabilities,
    ratio_estimate,
    sample_size_proportion,
)

expected = st.floats(min_value=0.01, max_value=0.99)
margins = st.floats(min_value=0.005, max_value=0.2)
confidences = st.floats(min_value=0.5, max_value=0.995)


@given(p=expected, d1=margins, d2=margins, confidence=confidences)
def test_a_smaller_margin_never_needs_fewer_households(
    p: float, d1: float, d2: float, confidence: float
) -> None:
    small, large = min(d1, d2), max(d1, d2)

    assert sample_size_proportion(
        expected=p, margin=small, confidence=confidence
    ) >= sample_size_proportion(expected=p, margin=large, confidence=confidence)


@given(
    p=expected,
    d=margins,
    c1=confidences,
    c2=confidences,
    population=st.none() | st.integers(1, 10**6),
)
def test_a_higher_confidence_never_needs_fewer_households(
    p: float, d: float, c1: float, c2: float, population: int | None
) -> None:
    low, high = min(c1, c2), max(c1, c2)

    n_low = sample_size_proportion(expected=p, margin=d, confidence=low, population=population)
    n_high = sample_size_proportion(expected=p, margin=d, confidence=high, population=population)

    assert n_low <= n_high
    if population is not None:
        assert n_high <= population


@st.composite
def samples(draw: Any) -> dict[str, Any]:
    """1–3 strata of 2–4 villages of 1–4 households, y ≤ x, positive weights."""
    rows: dict[str, list[Any]] = {k: [] for k in ("numerator", "denominator", "weights",
                                                 "strata", "clusters")}  # fmt: skip
    for h in range(draw(st.integers(1, 3))):
        for c in range(draw(st.integers(2, 4))):
            weight = draw(st.floats(min_value=0.5, max_value=50))
            for _ in range(draw(st.integers(1, 4))):
                x = draw(st.integers(0, 8))
                rows["numerator"].append(draw(st.integers(0, x)))
                rows["denominator"].append(x)
                rows["weights"].append(weight)
                rows["strata"].append(f"s{h}")
                rows["clusters"].append(f"c{c}")
    if sum(rows["denominator"]) == 0:
        rows["denominator"][0] = 1
    return rows


@settings(max_examples=60, deadline=None)
@given(sample=samples(), confidence=confidences)
def test_the_interval_contains_the_estimate(sample: dict[str, Any], confidence: float) -> None:
    estimate = ratio_estimate(**sample, confidence=confidence)

    assert 0 <= estimate.ci_low <= estimate.value <= estimate.ci_high <= 1
    assert estimate.se >= 0


@settings(max_examples=60, deadline=None)
@given(sample=samples(), extra=st.lists(st.integers(0, 50), min_size=3, max_size=3))
def test_the_finite_population_correction_never_widens_the_interval(
    sample: dict[str, Any], extra: list[int]
) -> None:
    sampled = {h: len({c for s, c in zip(sample["strata"], sample["clusters"], strict=True)
                       if s == h}) for h in set(sample["strata"])}  # fmt: skip
    counts = {h: n + extra[int(h[1:])] for h, n in sampled.items()}

    without = ratio_estimate(**sample)
    with_fpc = ratio_estimate(**sample, stratum_psu_counts=counts)

    assert with_fpc.se <= without.se + 1e-15
    assert with_fpc.value == without.value
    if all(extra[int(h[1:])] == 0 for h in sampled):  # every village taken: no variance
        assert with_fpc.se == 0


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 500), min_size=2, max_size=12),
    data=st.data(),
    method=st.sampled_from(list(SelectionMethod)),
)
def test_first_stage_probabilities_are_at_most_one_and_sum_to_n(
    sizes: list[int], data: Any, method: SelectionMethod
) -> None:
    villages = [Village(f"v{i:02d}", "镇", size, 0) for i, size in enumerate(sizes)]
    n = data.draw(st.integers(1, len(sizes)))

    probabilities = first_stage_probabilities(
        villages, villages_per_stratum={"镇": n}, method=method
    )

    assert all(0 < p <= 1 for p in probabilities.values())
    assert sum(probabilities.values()) == pytest.approx(n, abs=1e-9)
