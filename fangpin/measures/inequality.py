"""Inequality: Gini, Theil T, mean log deviation, Atkinson, and the Lorenz curve.

All are population measures over weighted persons (a weight is a number of identical persons,
so integer weights give exactly the result of repeated rows). Incomes of every person equal
give exactly 0 for every index. Domain rules, each an error with a stable code:

- Gini and Lorenz: any real incomes, but a mean above zero (``nonpositive_mean``); negative
  incomes (net income can be negative after production expenses) push the Gini above 1.
- Theil T: incomes of at least zero (``0·ln 0`` is its limit 0) and a positive mean.
- MLD: incomes above zero (``nonpositive_income``).
- Atkinson: ε ≥ 0; incomes of at least zero when ε < 1, above zero when ε ≥ 1.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from fangpin.measures.errors import MeasureError
from fangpin.measures.inputs import FloatArray, Observations, check_parameter, observations

__all__ = [
    "atkinson",
    "gini",
    "half_mean_difference",
    "lorenz",
    "mld",
    "refuse_nonpositive",
    "theil",
]


def half_mean_difference(values: FloatArray, weights: FloatArray) -> float:
    """Σᵢⱼ wᵢwⱼ|xᵢ − xⱼ| / (2N²): the Gini times the mean (the "absolute Gini").

    Sorted once: Σᵢⱼ wᵢwⱼ|xᵢ − xⱼ| = 2 Σᵢ wᵢxᵢ(2Cᵢ − wᵢ − N) with Cᵢ the cumulative weight
    through i in ascending order (ties contribute 0 whichever way they are ordered).
    """
    order = np.argsort(values)  # ties in any order: their pairs add |x − x| = 0
    x = values[order]
    w = weights[order]
    if x[0] == x[-1]:
        return 0.0
    cumulative = np.cumsum(w)
    total = float(cumulative[-1])
    return float(np.sum(w * x * (2.0 * cumulative - w - total))) / (total * total)


def gini(y: ArrayLike, weights: ArrayLike | None = None, corrected: bool = False) -> float:
    """Return the Gini coefficient, Σᵢⱼ wᵢwⱼ|yᵢ − yⱼ| / (2N²μ), N the sum of the weights.

    The population form. ``corrected=True`` multiplies by N/(N − 1) with N = Σw, so integer
    weights give exactly the sample-corrected Gini of the repeated rows; it needs N > 1.
    """
    obs = observations(y, weights)
    mean = float(np.sum(obs.weights * obs.incomes)) / obs.population
    if mean <= 0:
        raise MeasureError("nonpositive_mean", f"基尼系数要求平均收入大于零，实际为 {mean:g}")
    value = half_mean_difference(obs.incomes, obs.weights) / mean
    if corrected:
        n = obs.population
        if n <= 1:
            raise MeasureError("too_few", f"修正基尼系数要求总人数（权重之和）大于 1，实际为 {n:g}")
        value *= n / (n - 1)
    return value


def _mean_of(obs_incomes: FloatArray, obs_weights: FloatArray, population: float) -> float:
    return float(np.sum(obs_weights * obs_incomes)) / population


def theil(y: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Return Theil's T, (1/N) Σ wᵢ (yᵢ/μ) ln(yᵢ/μ); zero incomes add 0 (the limit)."""
    obs = observations(y, weights)
    _refuse_negative(obs, "泰尔指数")
    mean = _mean_of(obs.incomes, obs.weights, obs.population)
    if mean <= 0:
        raise MeasureError("nonpositive_mean", "泰尔指数要求平均收入大于零（收入全为零）")
    if obs.incomes.min() == obs.incomes.max():
        return 0.0
    share = obs.incomes / mean
    positive = share > 0
    terms = share[positive] * np.log(share[positive])
    return float(np.sum(obs.weights[positive] * terms)) / obs.population


def mld(y: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Return the mean log deviation (Theil L), (1/N) Σ wᵢ ln(μ/yᵢ); incomes must be > 0."""
    obs = observations(y, weights)
    refuse_nonpositive(obs, "平均对数偏差（MLD）")
    if obs.incomes.min() == obs.incomes.max():
        return 0.0
    mean = _mean_of(obs.incomes, obs.weights, obs.population)
    return float(np.sum(obs.weights * np.log(mean / obs.incomes))) / obs.population


def atkinson(y: ArrayLike, epsilon: float, weights: ArrayLike | None = None) -> float:
    """Return Atkinson's index: 1 − (equally distributed equivalent income) ÷ mean.

    ε ≠ 1: 1 − [(1/N) Σ wᵢ (yᵢ/μ)^(1−ε)]^(1/(1−ε)); ε = 1: 1 − exp((1/N) Σ wᵢ ln yᵢ)/μ.
    ε = 0 is 0 (no aversion to inequality).
    """
    e = check_parameter(epsilon, "ε（不平等厌恶系数）")
    obs = observations(y, weights)
    name = f"阿特金森指数（ε={e:g}）"
    if e >= 1:
        refuse_nonpositive(obs, name)
    else:
        _refuse_negative(obs, name)
    mean = _mean_of(obs.incomes, obs.weights, obs.population)
    if mean <= 0:
        raise MeasureError("nonpositive_mean", f"{name}要求平均收入大于零（收入全为零）")
    if e == 0 or obs.incomes.min() == obs.incomes.max():
        return 0.0
    share = obs.incomes / mean
    if e == 1:
        log_mean = float(np.sum(obs.weights * np.log(share))) / obs.population
        return 1.0 - math.exp(log_mean)
    power = float(np.sum(obs.weights * share ** (1.0 - e))) / obs.population
    return 1.0 - float(power ** (1.0 / (1.0 - e)))


def lorenz(y: ArrayLike, weights: ArrayLike | None = None) -> tuple[FloatArray, FloatArray]:
    """Return the Lorenz curve: cumulative population shares and cumulative income shares.

    Both arrays start at 0 and end at exactly 1, one point per (non-zero-weight) row in
    ascending income order; the curve between points is the straight line (so repeated rows
    add points on the same segments). Negative incomes make it dip below zero.
    """
    obs = observations(y, weights)
    mean = _mean_of(obs.incomes, obs.weights, obs.population)
    if mean <= 0:
        raise MeasureError("nonpositive_mean", f"洛伦兹曲线要求平均收入大于零，实际为 {mean:g}")
    order = np.argsort(obs.incomes, kind="stable")
    w = obs.weights[order]
    people = np.concatenate(([0.0], np.cumsum(w)))
    income = np.concatenate(([0.0], np.cumsum(w * obs.incomes[order])))
    return people / people[-1], income / income[-1]


def _refuse_negative(obs: Observations, name: str) -> None:
    bad = obs.incomes < 0
    if bad.any():
        index = int(np.flatnonzero(bad)[0])
        raise MeasureError(
            "negative_income",
            f"{name}要求收入不小于零，第 {obs.row_number(index)} 个收入为 {obs.incomes[index]:g}",
        )


def refuse_nonpositive(obs: Observations, name: str) -> None:
    """Raise ``nonpositive_income`` naming the first row whose income is zero or below."""
    bad = obs.incomes <= 0
    if bad.any():
        index = int(np.flatnonzero(bad)[0])
        raise MeasureError(
            "nonpositive_income",
            f"{name}要求收入大于零，第 {obs.row_number(index)} 个收入为 {obs.incomes[index]:g}",
        )
