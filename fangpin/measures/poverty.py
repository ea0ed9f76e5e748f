"""Income poverty: the FGT class, Watts, Sen and Sen–Shorrocks–Thon.

Conventions shared by every function here (docs/measures.md):

- A person is poor when income is **strictly below** the line z (z itself is not poor). Sen
  (1976) counts incomes "no higher than" the line; the national exit test asks income to be
  *above* the line, and the registry's screening flags incomes below it, so below it is.
- Weights count persons: integer weights give exactly the result of repeated rows; zero-weight
  rows are dropped; negative weights, NaN and infinities are errors.
- The normalised gap of a poor person is (z − y)/z. Negative incomes (net income after
  production expenses can be negative) are allowed in FGT, Sen and SST and give a gap above 1;
  Watts needs every income of the poor above zero, so any income ≤ 0 is an error there.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from fangpin.measures.inequality import half_mean_difference, refuse_nonpositive
from fangpin.measures.inputs import check_line, check_parameter, observations

__all__ = ["fgt", "sen", "sst", "watts"]


def fgt(y: ArrayLike, z: float, alpha: float, weights: ArrayLike | None = None) -> float:
    """Return the Foster–Greer–Thorbecke index P_α = (1/N) Σ_{yᵢ<z} wᵢ ((z − yᵢ)/z)^α.

    α = 0 is the headcount ratio H, α = 1 the poverty gap index, α = 2 the severity index.
    """
    line = check_line(z)
    a = check_parameter(alpha, "α")
    obs = observations(y, weights)
    poor = obs.incomes < line
    if a == 0:
        return float(np.sum(obs.weights[poor])) / obs.population
    gaps = (line - obs.incomes[poor]) / line
    return float(np.sum(obs.weights[poor] * gaps**a)) / obs.population


def watts(y: ArrayLike, z: float, weights: ArrayLike | None = None) -> float:
    """Return the Watts index (1/N) Σ_{yᵢ<z} wᵢ ln(z/yᵢ).

    Defined over the poor only; an income of zero or below is poor (z > 0) and has no
    logarithm, so it is the error ``nonpositive_income`` naming its row.
    """
    line = check_line(z)
    obs = observations(y, weights)
    refuse_nonpositive(obs, "Watts 指数")
    poor = obs.incomes < line
    return float(np.sum(obs.weights[poor] * np.log(line / obs.incomes[poor]))) / obs.population


def sen(y: ArrayLike, z: float, weights: ArrayLike | None = None) -> float:
    """Return the Sen index S = H·[I + (1 − I)·G_p].

    H is the headcount ratio, I = 1 − μ_p/z the income-gap ratio of the poor and G_p the
    population-form Gini of the incomes of the poor — Sen's (1976) index in the form he gives
    for a large number of poor, equivalently P₀·(1 − (1 − G_p)·μ_p/z) as in Haughton and
    Khandker (2009, ch. 4). It is replication invariant (Sen's finite-q form, with the factor
    q/(q + 1) on G_p, is not), so integer weights equal repeated rows. Computed as
    H·(I + A_p/z) with A_p = G_p·μ_p the half mean difference among the poor, which stays
    defined when negative incomes make μ_p ≤ 0. No poor: 0.
    """
    line = check_line(z)
    obs = observations(y, weights)
    poor = obs.incomes < line
    if not poor.any():
        return 0.0
    incomes = obs.incomes[poor]
    w = obs.weights[poor]
    poor_population = float(np.sum(w))
    headcount = poor_population / obs.population
    mean_poor = float(np.sum(w * incomes)) / poor_population
    gap_ratio = 1.0 - mean_poor / line
    return headcount * (gap_ratio + half_mean_difference(incomes, w) / line)


def sst(y: ArrayLike, z: float, weights: ArrayLike | None = None) -> float:
    """Return the Sen–Shorrocks–Thon index P₁·(1 + Ĝ), Ĝ the Gini of the normalised gaps.

    The gaps (z − yᵢ)/z, zero for the non-poor, are taken over the whole population
    (Shorrocks 1995); equivalently H·(gap ratio among the poor)·(1 + Ĝ). Computed as P₁ plus
    the half mean difference of the gaps (Ĝ times their mean, P₁), so no division by a zero
    mean when nobody is poor (then 0).
    """
    line = check_line(z)
    obs = observations(y, weights)
    gaps = np.where(obs.incomes < line, (line - obs.incomes) / line, 0.0)
    p1 = float(np.sum(obs.weights * gaps)) / obs.population
    if p1 == 0:
        return 0.0
    return p1 + half_mean_difference(gaps, obs.weights)
