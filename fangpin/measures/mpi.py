"""The Alkire–Foster multidimensional poverty measures (Alkire and Foster 2011).

Identification uses two cutoffs. A person is **deprived** in an indicator when the achievement
is strictly below that indicator's cutoff; the deprivation score cᵢ is the sum of the weights
of the indicators the person is deprived in; the person is **multidimensionally poor** when
cᵢ ≥ k. ``k`` is a share of the total indicator weight (``k_is_share=True``, 0 < k ≤ 1) or in
weight units (``k_is_share=False``, 0 < k ≤ Σw) — the keyword has no default, so a caller
always says which. A tolerance of 10⁻⁹ of the total weight absorbs float rounding of
fractional weights (three weights of 1/9 reach k = 1/3).

Aggregation (N the weighted population, W the total indicator weight, censored = counted only
for the poor):

- H = poor ÷ N; A = average censored score of the poor ÷ W; M0 = H·A.
- M1, M2: the censored normalised gaps (z − x)/z, and their squares, weighted like M0. An
  achievement below zero counts as zero in the gaps (Alkire–Foster assume achievements ≥ 0),
  so M2 ≤ M1 ≤ M0. For 0/1 indicators (cutoff 1, achievement 0 or 1) every gap is 0 or 1 and
  M1 = M2 = M0; they are meaningful for cardinal indicators such as income.
- Censored headcount hⱼ = share of persons poor and deprived in j; contribution of j to M0 =
  wⱼhⱼ ÷ (W·M0) × 100, summing to 100 (all zero when nobody is poor).
- Groups: each group's H, A, M0 and population share; its contribution share·M0_g ÷ M0 × 100.
  M0 is subgroup decomposable: Σ share·M0_g = M0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from fangpin.measures.errors import MeasureError
from fangpin.measures.inputs import FloatArray, group_codes, real_vector

__all__ = ["GroupMpi", "MpiResult", "deprivation_scores", "mpi"]

_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class GroupMpi:
    """One group's share of the population, its H, A and M0, and its contribution (%)."""

    group: str
    population: float
    population_share: float
    poor: float
    H: float
    A: float
    M0: float
    contribution: float


@dataclass(frozen=True, slots=True)
class MpiResult:
    """The Alkire–Foster measures; per-indicator values are keyed by indicator name."""

    names: tuple[str, ...]
    indicator_weights: tuple[float, ...]
    k: float  # the poverty cutoff in weight units
    k_share: float  # the same as a share of the total weight
    population: float
    poor: float
    H: float
    A: float
    M0: float
    M1: float
    M2: float
    uncensored_headcounts: Mapping[str, float]
    censored_headcounts: Mapping[str, float]
    contributions: Mapping[str, float]  # percent of M0, summing to 100
    groups: tuple[GroupMpi, ...] = field(default=())

    def group_rows(self) -> list[dict[str, object]]:
        """The groups as dicts, then the total (``group`` None, share 1, contribution 100)."""
        rows: list[dict[str, object]] = [asdict(g) for g in self.groups]
        rows.append(
            {
                "group": None,
                "population": self.population,
                "population_share": 1.0,
                "poor": self.poor,
                "H": self.H,
                "A": self.A,
                "M0": self.M0,
                "contribution": 100.0 if self.M0 > 0 else 0.0,
            }
        )
        return rows

    def indicator_rows(self, cutoffs: Sequence[float]) -> list[dict[str, object]]:
        """One dict per indicator: name, cutoff, weight, headcounts and contribution (%)."""
        return [
            {
                "indicator": name,
                "cutoff": float(cutoffs[j]),
                "weight": self.indicator_weights[j],
                "uncensored_headcount": self.uncensored_headcounts[name],
                "censored_headcount": self.censored_headcounts[name],
                "contribution": self.contributions[name],
            }
            for j, name in enumerate(self.names)
        ]


@dataclass(frozen=True, slots=True)
class _Setup:
    matrix: NDArray[np.generic]
    cutoffs: FloatArray
    weights: FloatArray
    threshold: float
    person_weights: FloatArray


def _setup(
    achievements: ArrayLike,
    cutoffs: ArrayLike,
    indicator_weights: ArrayLike,
    k: float,
    k_is_share: bool,
    person_weights: ArrayLike | None,
) -> _Setup:
    matrix = np.asarray(achievements)
    if matrix.dtype.kind not in "biuf":
        try:
            matrix = matrix.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise MeasureError("not_numeric", "成就矩阵含有非数值") from exc
    if matrix.ndim != 2:
        raise MeasureError("shape", f"成就矩阵应为二维（人 × 指标），实际为 {matrix.ndim} 维")
    rows, columns = matrix.shape
    if rows == 0 or columns == 0:
        raise MeasureError("empty", "成就矩阵为空")
    z = real_vector(cutoffs, "剥夺临界值")
    w = real_vector(indicator_weights, "指标权重")
    if z.size != columns or w.size != columns:
        raise MeasureError(
            "shape", f"临界值（{z.size} 个）、指标权重（{w.size} 个）与指标数（{columns}）不一致"
        )
    if (z <= 0).any():
        j = int(np.flatnonzero(z <= 0)[0])
        raise MeasureError("cutoff", f"第 {j + 1} 个指标的剥夺临界值应为正数，实际为 {z[j]:g}")
    if (w <= 0).any():
        j = int(np.flatnonzero(w <= 0)[0])
        raise MeasureError("indicator_weight", f"第 {j + 1} 个指标的权重应为正数，实际为 {w[j]:g}")
    total = float(w.sum())
    try:
        cut = float(k)
    except (TypeError, ValueError) as exc:
        raise MeasureError("parameter", f"贫困临界值 k 不是数值：{k!r}") from exc
    if k_is_share:
        if not (math.isfinite(cut) and 0 < cut <= 1):
            raise MeasureError("parameter", f"k 按权重份额计时应在 (0, 1] 内，实际为 {k!r}")
        threshold = cut * total
    else:
        if not (math.isfinite(cut) and 0 < cut <= total * (1 + _TOLERANCE)):
            raise MeasureError(
                "parameter", f"k 按权重单位计时应在 (0, {total:g}] 内（权重之和），实际为 {k!r}"
            )
        threshold = cut
    if person_weights is None:
        persons = np.ones(rows)
    else:
        persons = real_vector(person_weights, "人员权重")
        if persons.size != rows:
            raise MeasureError("shape", f"人员权重个数（{persons.size}）与人数（{rows}）不一致")
        if (persons < 0).any():
            i = int(np.flatnonzero(persons < 0)[0])
            raise MeasureError("negative_weight", f"人员权重第 {i + 1} 个值为负数（{persons[i]}）")
    if not persons.sum() > 0:
        raise MeasureError("zero_population", "人员权重之和为零：没有可计算的人口")
    return _Setup(matrix, z, w, threshold, persons)


_CHUNK = 1 << 15  # rows per block: a block of the matrix stays in the CPU cache


def _check_finite(block: NDArray[np.generic], first_row: int) -> None:
    if block.dtype.kind == "f" and not np.isfinite(block).all():
        i, j = (int(v[0]) for v in np.nonzero(~np.isfinite(block)))
        raise MeasureError(
            "not_finite",
            f"成就矩阵第 {first_row + i + 1} 行第 {j + 1} 列不是有限数（{block[i, j]}）",
        )


def _scores(setup: _Setup) -> tuple[FloatArray, FloatArray]:
    """Deprivation scores, and each indicator's weighted count of deprived persons.

    Block by block of rows (the matrix is row-major: a column pass over ten million rows
    would read the whole matrix once per indicator); the matrix is read once here, and only
    the poor rows ever again.
    """
    rows = setup.matrix.shape[0]
    scores = np.empty(rows)
    deprived_counts = np.zeros(setup.matrix.shape[1])
    for start in range(0, rows, _CHUNK):
        block = setup.matrix[start : start + _CHUNK]
        _check_finite(block, start)
        deprived = np.less(block, setup.cutoffs)
        scores[start : start + _CHUNK] = deprived @ setup.weights
        deprived_counts += setup.person_weights[start : start + _CHUNK] @ deprived
    return scores, deprived_counts


def deprivation_scores(
    achievements: ArrayLike,
    cutoffs: ArrayLike,
    indicator_weights: ArrayLike,
    k: float,
    *,
    k_is_share: bool,
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Return each person's deprivation score (weight units) and whether they are poor."""
    setup = _setup(achievements, cutoffs, indicator_weights, k, k_is_share, None)
    scores, _ = _scores(setup)
    total = float(setup.weights.sum())
    return scores, scores >= setup.threshold - _TOLERANCE * total


def mpi(
    achievements: ArrayLike,
    cutoffs: ArrayLike,
    indicator_weights: ArrayLike,
    k: float,
    *,
    k_is_share: bool,
    person_weights: ArrayLike | None = None,
    groups: ArrayLike | None = None,
    names: Sequence[str] | None = None,
) -> MpiResult:
    """Return the Alkire–Foster H, A, M0, M1, M2, indicator and group breakdowns.

    ``achievements`` is persons × indicators (any real dtype; float32 and booleans are read
    as they are, not copied). ``names`` default to ``indicator_1`` … in column order.
    """
    setup = _setup(achievements, cutoffs, indicator_weights, k, k_is_share, person_weights)
    rows, columns = setup.matrix.shape
    labels = (
        tuple(names) if names is not None else tuple(f"indicator_{j + 1}" for j in range(columns))
    )
    if len(labels) != columns:
        raise MeasureError("shape", f"指标名称（{len(labels)} 个）与指标数（{columns}）不一致")
    total_weight = float(setup.weights.sum())
    scores, deprived_counts = _scores(setup)
    persons = setup.person_weights
    population = float(persons.sum())
    # Everything censored is about the poor only: take their rows once.
    poor_rows = np.flatnonzero(scores >= setup.threshold - _TOLERANCE * total_weight)
    poor_persons = persons[poor_rows]
    poor_scores = scores[poor_rows]
    poor_matrix = setup.matrix[poor_rows]
    poor = float(poor_persons.sum())
    normaliser = population * total_weight
    m0 = float(np.dot(poor_persons, poor_scores)) / normaliser
    gap_sum = squared_sum = 0.0
    censored_counts = np.zeros(columns)
    for start in range(0, poor_rows.size, _CHUNK):
        block = poor_matrix[start : start + _CHUNK].astype(np.float64)
        block_persons = poor_persons[start : start + _CHUNK]
        deprived = np.less(block, setup.cutoffs)
        gaps = np.where(deprived, np.clip((setup.cutoffs - block) / setup.cutoffs, 0.0, 1.0), 0.0)
        gap_sum += float(block_persons @ (gaps @ setup.weights))
        squared_sum += float(block_persons @ ((gaps * gaps) @ setup.weights))
        censored_counts += block_persons @ deprived
    censored = [float(c) / population for c in censored_counts]
    m1 = gap_sum / normaliser
    m2 = squared_sum / normaliser
    contributions = [
        (setup.weights[j] * censored[j] / (total_weight * m0) * 100.0 if m0 > 0 else 0.0)
        for j in range(columns)
    ]
    breakdown: tuple[GroupMpi, ...] = ()
    if groups is not None:
        breakdown = _groups(
            groups, rows, persons, poor_rows, poor_persons * poor_scores, total_weight, m0
        )
    return MpiResult(
        names=labels,
        indicator_weights=tuple(float(w) for w in setup.weights),
        k=setup.threshold,
        k_share=setup.threshold / total_weight,
        population=population,
        poor=poor,
        H=poor / population,
        A=m0 * population / poor if poor > 0 else 0.0,
        M0=m0,
        M1=m1,
        M2=m2,
        uncensored_headcounts=dict(
            zip(labels, (float(c) / population for c in deprived_counts), strict=True)
        ),
        censored_headcounts=dict(zip(labels, censored, strict=True)),
        contributions=dict(zip(labels, (float(c) for c in contributions), strict=True)),
        groups=breakdown,
    )


def _groups(
    groups: ArrayLike,
    rows: int,
    persons: FloatArray,
    poor_rows: NDArray[np.intp],
    poor_scored: FloatArray,
    total_weight: float,
    m0: float,
) -> tuple[GroupMpi, ...]:
    labels, codes = group_codes(groups, rows)
    size = len(labels)
    population = np.bincount(codes, weights=persons, minlength=size)
    poor_codes = codes[poor_rows]
    poor = np.bincount(poor_codes, weights=persons[poor_rows], minlength=size)
    scored = np.bincount(poor_codes, weights=poor_scored, minlength=size)
    total = float(persons.sum())
    out: list[GroupMpi] = []
    for index, label in enumerate(labels):
        n = float(population[index])
        if n <= 0:
            continue  # only zero-weight persons: no population to report
        group_m0 = float(scored[index]) / (n * total_weight)
        group_poor = float(poor[index])
        share = n / total
        out.append(
            GroupMpi(
                group=label,
                population=n,
                population_share=share,
                poor=group_poor,
                H=group_poor / n,
                A=group_m0 * n / group_poor if group_poor > 0 else 0.0,
                M0=group_m0,
                contribution=share * group_m0 / m0 * 100.0 if m0 > 0 else 0.0,
            )
        )
    return tuple(out)
