"""The statistics behind the detectors, on the standard library and numpy only.

- ``chi2_sf``: the chi-square upper tail via the regularised upper incomplete gamma function
  Q(k/2, x/2) (series below a+1, Lentz's continued fraction above; Numerical Recipes §6.2).
- ``last_digit_test``: chi-square of ten digit counts against the uniform distribution.
- ``benford_first_digit``: first-digit proportions, Nigrini's mean absolute deviation (MAD) and
  his conformity band (Nigrini 2012, *Benford's Law*, table 7.1: 0.006 / 0.012 / 0.015).
- ``density_test``: a McCrary (2008) density discontinuity test at a cut-off.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

__all__ = [
    "BENFORD_BANDS",
    "BENFORD_EXPECTED",
    "BenfordResult",
    "DensityResult",
    "DigitResult",
    "benford_first_digit",
    "chi2_sf",
    "density_test",
    "first_digits",
    "last_digit_test",
    "upper_gamma_regularised",
]

_EPS = 1e-15
_TINY = 1e-300
_MAX_ITERATIONS = 10_000


def upper_gamma_regularised(a: float, x: float) -> float:
    """Q(a, x) = Γ(a, x) / Γ(a) for a > 0, x ≥ 0."""
    if a <= 0 or x < 0 or math.isnan(x):
        raise ValueError("need a > 0 and x >= 0")
    if x == 0:
        return 1.0
    log_prefix = -x + a * math.log(x) - math.lgamma(a)
    if x < a + 1:
        term = total = 1.0 / a
        n = a
        for _ in range(_MAX_ITERATIONS):
            n += 1
            term *= x / n
            total += term
            if abs(term) < abs(total) * _EPS:
                break
        return max(0.0, 1.0 - total * math.exp(log_prefix))
    # Lentz's method for the continued fraction of Γ(a, x).
    b = x + 1 - a
    c = 1 / _TINY
    d = 1 / b
    h = d
    for i in range(1, _MAX_ITERATIONS):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = _TINY if abs(d) < _TINY else d
        c = b + an / c
        c = _TINY if abs(c) < _TINY else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < _EPS:
            break
    return min(1.0, math.exp(log_prefix) * h)


def chi2_sf(statistic: float, df: int) -> float:
    """P(χ²_df ≥ statistic)."""
    return upper_gamma_regularised(df / 2, max(statistic, 0.0) / 2)


@dataclass(frozen=True, slots=True)
class DigitResult:
    counts: tuple[int, ...]
    n: int
    chi2: float
    df: int
    p: float


def last_digit_test(counts: Sequence[int]) -> DigitResult:
    """Chi-square of the ten last-digit counts against 10% each (df 9)."""
    n = int(sum(counts))
    expected = n / 10
    chi2 = sum((c - expected) ** 2 / expected for c in counts) if n else 0.0
    return DigitResult(tuple(int(c) for c in counts), n, chi2, 9, chi2_sf(chi2, 9) if n else 1.0)


#: P(first digit = d) = log10(1 + 1/d), d = 1…9.
BENFORD_EXPECTED: tuple[float, ...] = tuple(math.log10(1 + 1 / d) for d in range(1, 10))

#: Nigrini's first-digit MAD bands: upper bound → band (above the last: nonconformity).
BENFORD_BANDS: tuple[tuple[float, str], ...] = (
    (0.006, "close"),
    (0.012, "acceptable"),
    (0.015, "marginal"),
)
BAND_ZH = {
    "close": "高度符合",
    "acceptable": "可接受的符合",
    "marginal": "勉强符合",
    "nonconformity": "不符合",
}


@dataclass(frozen=True, slots=True)
class BenfordResult:
    counts: tuple[int, ...]  # digits 1…9
    n: int
    mad: float
    band: str
    chi2: float  # against Benford's proportions, df 8
    p: float


def first_digits(fen: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """First significant digit of each positive integer, exactly (no logarithms)."""
    powers = 10 ** np.arange(19, dtype=np.int64)
    digits = np.searchsorted(powers, fen, side="right")  # number of digits
    result: npt.NDArray[np.int64] = fen // powers[digits - 1]
    return result


def benford_first_digit(counts: Sequence[int]) -> BenfordResult:
    """MAD of the first-digit proportions from Benford's, its band, and the chi-square test.

    Nigrini's MAD bands do not depend on the sample size, which is why a small sample that
    truly follows Benford still shows a large MAD (about 0.03 at 50 figures): the detector
    therefore also asks the chi-square test (df 8) to reject Benford before it flags.
    """
    n = int(sum(counts))
    pairs = list(zip(counts, BENFORD_EXPECTED, strict=True))
    mad = sum(abs(c / n - e) for c, e in pairs) / 9 if n else 0.0
    chi2 = sum((c - n * e) ** 2 / (n * e) for c, e in pairs) if n else 0.0
    band = next((name for bound, name in BENFORD_BANDS if mad <= bound), "nonconformity")
    return BenfordResult(
        tuple(int(c) for c in counts), n, mad, band, chi2, chi2_sf(chi2, 8) if n else 1.0
    )


@dataclass(frozen=True, slots=True)
class DensityResult:
    """McCrary's estimate at the cut-off: log density jump θ, its standard error, z and p."""

    n: int
    bin_width: float
    bandwidth: float
    density_below: float
    density_above: float
    theta: float
    se: float
    z: float
    p: float  # one-sided: the chance of an excess this large above the line without bunching


def _intercept(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], w: npt.NDArray[np.float64]
) -> float:
    """Weighted least squares of y on x; the fitted value at x = 0."""
    sw = w.sum()
    mx = (w * x).sum() / sw
    my = (w * y).sum() / sw
    sxx = (w * (x - mx) ** 2).sum()
    slope = (w * (x - mx) * (y - my)).sum() / sxx if sxx > 0 else 0.0
    return float(my - slope * mx)


def density_test(
    values: npt.NDArray[np.int64], cutoff: int, *, bin_width: int, bins_per_side: int
) -> DensityResult | None:
    """McCrary's (2008) test for a jump in the density of ``values`` at ``cutoff``.

    Values and cut-off are integers (fen). The histogram has bins of ``bin_width`` starting at
    the cut-off; on each side a local linear regression of the normalised bin heights on the
    bin midpoints, with a triangular kernel of bandwidth h = bin_width × bins_per_side, gives
    the density at the cut-off from below (f−) and above (f+). θ = ln f+ − ln f− and
    se(θ) = √((1/(n·h)) · (24/5) · (1/f+ + 1/f−)) (McCrary's eq. 5). Returns None when either
    side's estimate is not positive (too few values near the cut-off to say anything).
    """
    n = len(values)
    h = bin_width * bins_per_side
    edges = cutoff + bin_width * np.arange(-bins_per_side, bins_per_side + 1, dtype=np.int64)
    counts, _ = np.histogram(values, bins=edges)
    # np.histogram closes the last bin on the right; the window is [cutoff - h, cutoff + h).
    counts[-1] -= int(np.count_nonzero(values == edges[-1]))
    heights = counts / (n * bin_width)
    mid = (edges[:-1] + edges[1:]) / 2 - cutoff
    weights = np.maximum(0.0, 1 - np.abs(mid) / h)
    below = slice(0, bins_per_side)
    above = slice(bins_per_side, 2 * bins_per_side)
    f_below = _intercept(mid[below], heights[below], weights[below])
    f_above = _intercept(mid[above], heights[above], weights[above])
    if f_below <= 0 or f_above <= 0:
        return None
    theta = math.log(f_above) - math.log(f_below)
    se = math.sqrt((1 / (n * h)) * (24 / 5) * (1 / f_above + 1 / f_below))
    z = theta / se
    return DensityResult(
        n=n,
        bin_width=bin_width / 100,
        bandwidth=h / 100,
        density_below=f_below,
        density_above=f_above,
        theta=theta,
        se=se,
        z=z,
        p=1 - NormalDist().cdf(z),
    )
