"""The grouped fast path: a poverty profile for every group and the total in one pass.

For a county of ten million persons in a thousand villages, calling :func:`fgt` once per
village filters the whole population a thousand times. :func:`poverty_profile` sorts once by
income, then orders the rows by group with a stable radix sort of the small group codes (so
each group is a contiguous run in ascending income) and sums each quantity per group with
:func:`numpy.bincount`; the Gini of each group comes from the cumulative weights within its run.
The total row adds the group sums up; only its Gini needs the income order of the whole
population, which the first sort gave. Every value equals the single-group functions up to
float rounding in the last digits (tested).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from fangpin.measures.inputs import FloatArray, check_line, group_codes, observations

__all__ = ["ProfileRow", "poverty_profile"]


@dataclass(frozen=True, slots=True)
class ProfileRow:
    """One group's poverty profile; ``group`` None is the total row (always last).

    ``population`` and ``poor`` are weighted counts. ``watts`` is None when the group has an
    income of zero or below (the Watts index is undefined there, :func:`watts` raises);
    ``gini`` is None when the group's mean income is not above zero.
    """

    group: str | None
    population: float
    poor: float
    headcount: float
    gap: float
    severity: float
    watts: float | None
    gini: float | None
    mean_income: float


@dataclass(frozen=True, slots=True)
class _Sums:
    """Per-group sums (arrays indexed by group code) of one pass."""

    population: FloatArray
    poor: FloatArray
    gaps: FloatArray  # Σ w·gap
    squared_gaps: FloatArray  # Σ w·gap²
    logs: FloatArray  # Σ w·ln(z/y) over the poor with y > 0
    nonpositive: FloatArray  # rows with y ≤ 0 (Watts undefined where > 0)
    income: FloatArray  # Σ w·y
    pairs: FloatArray  # Σ w·y·(2C − w − N): the Gini numerator

    def row(self, index: int, label: str | None, gini_is_zero: bool) -> ProfileRow:
        population = float(self.population[index])
        income = float(self.income[index])
        pairs = float(self.pairs[index])
        gini = None if income <= 0 else (0.0 if gini_is_zero else pairs / (population * income))
        return ProfileRow(
            group=label,
            population=population,
            poor=float(self.poor[index]),
            headcount=float(self.poor[index]) / population,
            gap=float(self.gaps[index]) / population,
            severity=float(self.squared_gaps[index]) / population,
            watts=None if self.nonpositive[index] else float(self.logs[index]) / population,
            gini=gini,
            mean_income=income / population,
        )


def _sums(
    incomes: FloatArray, weights: FloatArray, codes: NDArray[np.integer], groups: int, line: float
) -> _Sums:
    """Sums per group of rows sorted by group, then by income within the group.

    The poverty sums read only the poor rows (a quarter of a county, typically), taken once.
    """
    index = codes.astype(np.intp)

    def per_group(values: FloatArray, at: NDArray[np.intp] = index) -> FloatArray:
        summed: FloatArray = np.bincount(at, weights=values, minlength=groups).astype(np.float64)
        return summed

    population = per_group(weights)
    poor_rows = np.flatnonzero(incomes < line)
    poor_at = index[poor_rows]
    poor_incomes = incomes[poor_rows]
    poor_weights = weights[poor_rows]
    gaps = (line - poor_incomes) / line
    weighted_gaps = poor_weights * gaps
    nonpositive = np.zeros(groups)
    if poor_incomes.size and poor_incomes.min() <= 0:  # an income ≤ 0 is poor (z > 0)
        nonpositive = per_group((poor_incomes <= 0).astype(np.float64), poor_at)
    logs = np.log(line / np.where(poor_incomes > 0, poor_incomes, line))
    counts = np.bincount(index, minlength=groups)
    weighted_incomes = weights * incomes
    # The Gini numerator Σ w·y·(2C − w − N), C the cumulative weight within the group's run;
    # in place, as each temporary of a ten-million-row county is 80 MB of fresh pages.
    pairs = np.cumsum(weights)
    starts = np.cumsum(counts) - counts
    before = np.concatenate(([0.0], pairs))[starts]
    pairs -= np.repeat(before, counts)
    pairs *= 2.0
    pairs -= weights
    pairs -= np.repeat(population, counts)
    pairs *= weighted_incomes
    return _Sums(
        population=population,
        poor=per_group(poor_weights, poor_at),
        gaps=per_group(weighted_gaps, poor_at),
        squared_gaps=per_group(weighted_gaps * gaps, poor_at),
        logs=per_group(poor_weights * logs, poor_at),
        nonpositive=nonpositive,
        income=per_group(weighted_incomes),
        pairs=per_group(pairs),
    )


def _small_codes(codes: NDArray[np.intp], groups: int) -> NDArray[np.integer]:
    """Codes in the narrowest unsigned type: numpy's stable sort is a radix sort up to 16 bits."""
    for dtype in (np.uint8, np.uint16, np.uint32):
        if groups <= np.iinfo(dtype).max + 1:
            narrow: NDArray[np.integer] = codes.astype(dtype)
            return narrow
    return codes


def poverty_profile(
    y: ArrayLike,
    z: float,
    weights: ArrayLike | None = None,
    groups: ArrayLike | None = None,
) -> list[ProfileRow]:
    """Return one :class:`ProfileRow` per group (labels sorted) and a total row.

    Without ``groups`` only the total row. A group whose rows all have weight zero has no
    row (it has no population); its rows count nowhere, as in the single-group functions.
    """
    line = check_line(z)
    obs = observations(y, weights)
    order = np.argsort(obs.incomes)  # ties in any order: they add nothing to a Gini
    by_income, weights_by_income = obs.incomes[order], obs.weights[order]
    incomes, weights_sorted = by_income, weights_by_income
    labels: list[str] = []
    if groups is None:
        codes: NDArray[np.integer] = np.zeros(incomes.size, dtype=np.uint8)
        count = 1
    else:
        labels, all_codes = group_codes(groups, obs.rows)
        if obs.kept is not None:
            all_codes = all_codes[obs.kept]
        count = len(labels)
        codes = _small_codes(all_codes, count)[order]
        by_group = np.argsort(codes, kind="stable")
        incomes, weights_sorted, codes = (
            incomes[by_group],
            weights_sorted[by_group],
            codes[by_group],
        )
    sums = _sums(incomes, weights_sorted, codes, count, line)
    if groups is None:
        return [sums.row(0, None, gini_is_zero=bool(incomes[0] == incomes[-1]))]
    counts = np.bincount(codes, minlength=count)
    ends = np.cumsum(counts)
    rows: list[ProfileRow] = []
    for index, label in enumerate(labels):
        if sums.population[index] > 0:
            first, last = incomes[ends[index] - counts[index]], incomes[ends[index] - 1]
            rows.append(sums.row(index, label, gini_is_zero=bool(first == last)))
    rows.append(_total(sums, by_income, weights_by_income))
    return rows


def _total(sums: _Sums, incomes: FloatArray, weights: FloatArray) -> ProfileRow:
    """The total row: the group sums added up, and the Gini of the whole income order."""
    cumulative = np.cumsum(weights)
    population = float(cumulative[-1])
    weighted = weights * incomes
    pairs = float(np.dot(weighted, 2.0 * cumulative - weights - population))
    total = _Sums(
        population=np.array([population]),
        poor=np.array([sums.poor.sum()]),
        gaps=np.array([sums.gaps.sum()]),
        squared_gaps=np.array([sums.squared_gaps.sum()]),
        logs=np.array([sums.logs.sum()]),
        nonpositive=np.array([sums.nonpositive.sum()]),
        income=np.array([weighted.sum()]),
        pairs=np.array([pairs]),
    )
    return total.row(0, None, gini_is_zero=bool(incomes[0] == incomes[-1]))
