"""Sample sizes: households for a target precision, and villages per stratum (township).

A third-party evaluation (DOMAIN.md §6.2) samples villages first and households inside them,
so the household count from Cochran's formula is inflated by the design effect of that
clustering and then turned into villages, allocated to the strata in proportion to their
number of villages, with at least two per stratum so that each stratum's variance can be
estimated. Formulas and the allocation rule are in docs/sampling.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from statistics import NormalDist

from fangpin.sampling.errors import SamplingError

__all__ = [
    "DesignPlan",
    "StratumPlan",
    "allocate_villages",
    "design_effect",
    "plan_two_stage",
    "sample_size_proportion",
    "z_value",
]


def _check_share(name: str, value: float, *, low_open: bool = True) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value)):
        raise SamplingError("bad_parameter", f"{name}应为数值，实为 {value!r}")
    above_low = value > 0 if low_open else value >= 0
    if not (above_low and value < 1):
        bounds = "0 和 1 之间（不含 0 和 1）" if low_open else "0（含）和 1 之间"
        raise SamplingError("bad_parameter", f"{name}应在{bounds}，实为 {value}")


def z_value(confidence: float) -> float:
    """The two-sided standard normal quantile for ``confidence`` (1.959964 for 0.95)."""
    _check_share("置信水平", confidence)
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def design_effect(cluster_size: float, icc: float) -> float:
    """Kish's design effect of cluster sampling, ``1 + (m − 1)·ρ``.

    ``cluster_size`` is the (average) number of households surveyed per village and ``icc``
    the intra-village correlation of the indicator (0 ≤ ρ < 1). Negative correlations are
    refused: they are implausible for poverty status within a village and would shrink the
    sample below simple random sampling.
    """
    if not (isinstance(cluster_size, int | float) and math.isfinite(cluster_size)):
        raise SamplingError("bad_parameter", f"每村户数应为数值，实为 {cluster_size!r}")
    if cluster_size < 1:
        raise SamplingError("bad_parameter", f"每村户数应不少于 1，实为 {cluster_size}")
    _check_share("组内相关系数", icc, low_open=False)
    return 1 + (cluster_size - 1) * icc


def sample_size_proportion(
    *,
    expected: float,
    margin: float,
    confidence: float = 0.95,
    design_effect: float = 1.0,
    population: int | None = None,
) -> int:
    """Households needed to estimate a proportion within ± ``margin`` at ``confidence``.

    Cochran's ``n0 = z²·p(1−p)/d²``, times the design effect, then the finite-population
    correction ``n = n0 / (1 + (n0 − 1)/N)`` when ``population`` (N) is given, rounded up.
    ``expected`` is the proportion guessed in advance (use 0.5 when nothing is known: it
    gives the largest sample). The result is at least 1 and never above N.
    """
    _check_share("预期比例", expected)
    _check_share("允许误差", margin)
    if not (isinstance(design_effect, int | float) and math.isfinite(design_effect)):
        raise SamplingError("bad_parameter", f"设计效应应为数值，实为 {design_effect!r}")
    if design_effect <= 0:
        raise SamplingError("bad_parameter", f"设计效应应大于 0，实为 {design_effect}")
    z = z_value(confidence)
    n = z * z * expected * (1 - expected) / (margin * margin) * design_effect
    if population is not None:
        if isinstance(population, bool) or not isinstance(population, int) or population < 1:
            raise SamplingError("bad_parameter", f"总体户数应为正整数，实为 {population!r}")
        n = n / (1 + (n - 1) / population)
    # round() first so that 323.0000000001 from floating-point noise does not become 324
    return max(1, math.ceil(round(n, 9)))


@dataclass(frozen=True, slots=True)
class StratumPlan:
    """Villages available in one stratum and how many of them to sample."""

    stratum: str
    villages_available: int
    villages_to_sample: int


@dataclass(frozen=True, slots=True)
class DesignPlan:
    """A two-stage design: households and villages needed, and villages per stratum.

    ``villages_required`` is what the precision needs; ``villages_planned`` is what the
    allocation gives — more when the two-per-stratum minimum adds villages, fewer when there
    are not enough villages (``is_capped``: the precision target cannot be met).
    """

    expected: float
    margin: float
    confidence: float
    icc: float
    households_per_village: int
    design_effect: float
    households_required: int
    villages_required: int
    villages_planned: int
    is_capped: bool
    strata: tuple[StratumPlan, ...]

    @property
    def households_planned(self) -> int:
        """Nominal households: planned villages × households per village."""
        return self.villages_planned * self.households_per_village

    @property
    def villages_per_stratum(self) -> dict[str, int]:
        """The allocation as ``draw_sample`` takes it."""
        return {s.stratum: s.villages_to_sample for s in self.strata}


def allocate_villages(strata: Mapping[str, int], total: int, *, minimum: int = 2) -> dict[str, int]:
    """Allocate ``total`` villages to strata in proportion to their villages, within bounds.

    Every stratum gets at least ``min(minimum, N_h)`` and at most ``N_h``; ``total`` is raised
    to the sum of the minimums and lowered to the sum of ``N_h`` when it falls outside. Strata
    whose proportional share falls below their minimum are fixed at it and the rest is shared
    again in proportion (repeated until no share falls short); the shares are then rounded by
    the largest-remainder method, ties going to the stratum that sorts first. Exact fractions
    throughout, so the result does not depend on floating-point noise or on input order.
    """
    if not strata:
        raise SamplingError("bad_frame", "没有任何层（乡镇）")
    for stratum, count in strata.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise SamplingError("bad_frame", f"层“{stratum}”的村数应为正整数，实为 {count!r}")
    if minimum < 1:
        raise SamplingError("bad_parameter", f"每层最少村数应不少于 1，实为 {minimum}")
    names = sorted(strata)
    floors = {h: min(minimum, strata[h]) for h in names}
    total = max(total, sum(floors.values()))
    total = min(total, sum(strata.values()))

    fixed: dict[str, int] = {}
    shares: dict[str, Fraction] = {}
    while True:
        free = [h for h in names if h not in fixed]
        remaining = total - sum(fixed.values())
        size = sum(strata[h] for h in free)
        shares = {h: Fraction(remaining * strata[h], size) for h in free}
        short = [h for h in free if shares[h] < floors[h]]
        if not short:
            break
        for h in short:
            fixed[h] = floors[h]
    # remaining ≤ size of the free strata (see docs/sampling.md), so no share exceeds N_h.
    result = dict(fixed)
    for h, share in shares.items():
        result[h] = math.floor(share)
    left = total - sum(result.values())
    by_remainder = sorted(shares, key=lambda h: (-(shares[h] - math.floor(shares[h])), h))
    for h in by_remainder[:left]:
        result[h] += 1
    return {h: result[h] for h in names}


def plan_two_stage(
    *,
    strata: Mapping[str, int],
    expected: float,
    margin: float,
    confidence: float = 0.95,
    icc: float,
    households_per_village: int,
    population: int | None = None,
    min_villages_per_stratum: int = 2,
) -> DesignPlan:
    """Plan a stratified two-stage sample for a proportion (e.g. the wrong-exit rate).

    ``strata`` maps each stratum (township) to its number of villages. Households needed:
    :func:`sample_size_proportion` with the design effect ``1 + (m − 1)·icc`` for
    ``households_per_village`` = m (and the FPC for ``population`` households, if given).
    Villages needed: households ÷ m, rounded up; allocated by :func:`allocate_villages`.
    """
    if (
        isinstance(households_per_village, bool)
        or not isinstance(households_per_village, int)
        or households_per_village < 1
    ):
        raise SamplingError(
            "bad_parameter", f"每村调查户数应为正整数，实为 {households_per_village!r}"
        )
    deff = design_effect(households_per_village, icc)
    households = sample_size_proportion(
        expected=expected,
        margin=margin,
        confidence=confidence,
        design_effect=deff,
        population=population,
    )
    villages = math.ceil(households / households_per_village)
    allocation = allocate_villages(strata, villages, minimum=min_villages_per_stratum)
    planned = sum(allocation.values())
    return DesignPlan(
        expected=expected,
        margin=margin,
        confidence=confidence,
        icc=icc,
        households_per_village=households_per_village,
        design_effect=deff,
        households_required=households,
        villages_required=villages,
        villages_planned=planned,
        is_capped=villages > sum(strata.values()),
        strata=tuple(
            StratumPlan(stratum=h, villages_available=strata[h], villages_to_sample=n)
            for h, n in allocation.items()
        ),
    )
