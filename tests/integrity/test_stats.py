"""The statistics: chi-square tail, digit tests, Benford's MAD and McCrary's density test."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fangpin.integrity.stats import (
    benford_first_digit,
    chi2_sf,
    density_test,
    first_digits,
    last_digit_test,
    upper_gamma_regularised,
)


@pytest.mark.parametrize(
    ("statistic", "df", "p"),
    [
        (16.919, 9, 0.05),  # the chi-square table's critical values
        (21.666, 9, 0.01),
        (27.877, 9, 0.001),
        (3.325, 9, 0.95),
        (15.507, 8, 0.05),
        (20.090, 8, 0.01),
        (3.841, 1, 0.05),
        (6.635, 1, 0.01),
        (50.892, 30, 0.01),
    ],
)
def test_chi_square_tail_matches_the_table(statistic: float, df: int, p: float) -> None:
    assert chi2_sf(statistic, df) == pytest.approx(p, abs=2e-5)


@pytest.mark.parametrize("x", [0.0, 0.3, 1.0, 2.5, 7.0, 40.0])
def test_two_degrees_of_freedom_is_an_exponential_tail(x: float) -> None:
    assert chi2_sf(x, 2) == pytest.approx(math.exp(-x / 2), rel=1e-12)
    assert upper_gamma_regularised(1.0, x) == pytest.approx(math.exp(-x), rel=1e-12)


def test_the_incomplete_gamma_refuses_bad_arguments() -> None:
    with pytest.raises(ValueError):
        upper_gamma_regularised(0, 1.0)
    with pytest.raises(ValueError):
        upper_gamma_regularised(1, -1.0)


def test_last_digits_spread_evenly_give_zero_chi_square() -> None:
    result = last_digit_test([5] * 10)

    assert (result.n, result.chi2, result.df, result.p) == (50, 0.0, 9, 1.0)


def test_first_digits_are_exact_at_powers_of_ten() -> None:
    values = np.array([1, 9, 10, 99, 100, 999, 1000, 123456, 10**17, 9 * 10**17], dtype=np.int64)

    assert first_digits(values).tolist() == [1, 9, 1, 9, 1, 9, 1, 1, 1, 9]


def test_a_sample_drawn_from_benford_conforms() -> None:
    rng = np.random.default_rng(2012)
    amounts = np.floor(10 ** rng.uniform(2, 7, 3000)).astype(np.int64)
    counts = np.bincount(first_digits(amounts), minlength=10)[1:]

    result = benford_first_digit(counts.tolist())

    assert result.band in {"close", "acceptable"}
    assert result.mad <= 0.012
    assert result.p > 0.01


def test_a_uniform_sample_does_not_conform() -> None:
    rng = np.random.default_rng(2012)
    amounts = rng.integers(1, 10000, 3000)
    counts = np.bincount(first_digits(amounts), minlength=10)[1:]

    result = benford_first_digit(counts.tolist())

    assert result.band == "nonconformity"
    assert result.mad > 0.015
    assert result.p < 1e-10


def test_nigrini_bands_by_mad() -> None:
    assert benford_first_digit([301, 176, 125, 97, 79, 67, 58, 51, 46]).band == "close"
    assert benford_first_digit([10] * 9).band == "nonconformity"
    assert benford_first_digit([10] * 9).mad == pytest.approx(0.0597170351, abs=1e-9)


def _incomes(bump: int, seed: int = 11, n: int = 4000) -> np.ndarray:
    rng = np.random.default_rng(seed)
    fen = np.rint(np.exp(rng.normal(np.log(9000), 0.5, n)) * 100).astype(np.int64)
    if bump:
        moved = np.flatnonzero((fen >= 600000) & (fen < 710000))[:bump]
        fen[moved] = rng.integers(710000, 745500, len(moved))
    return fen


def test_the_density_test_finds_an_injected_bump() -> None:
    result = density_test(_incomes(bump=150), 710000, bin_width=8875, bins_per_side=16)

    assert result is not None
    assert result.theta > 0.5
    assert result.p < 0.001
    assert result.z == pytest.approx(result.theta / result.se)


def test_the_density_test_is_quiet_on_a_smooth_distribution() -> None:
    result = density_test(_incomes(bump=0), 710000, bin_width=8875, bins_per_side=16)

    assert result is not None
    assert result.p > 0.05
    assert abs(result.theta) < 0.3


def test_the_density_test_gives_up_with_nothing_below_the_line() -> None:
    values = np.arange(710000, 760000, 1000, dtype=np.int64)

    assert density_test(values, 710000, bin_width=8875, bins_per_side=16) is None
