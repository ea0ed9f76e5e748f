"""The combined ratio estimator with a design-based (Taylor-linearised) standard error.

``R = Σ w·y / Σ w·x`` over every surveyed household; its variance is estimated by the
ultimate-cluster formula — villages treated as drawn with replacement within strata — applied
to the linearised values ``z = w·(y − R·x) / Σ w·x`` summed per village, times the first-stage
finite-population correction ``1 − n_h/N_h`` when N_h is known. Formulas, the single-village
rule and the caveats are in docs/sampling.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from fangpin.sampling.errors import SamplingError
from fangpin.sampling.size import z_value

__all__ = ["Estimate", "SinglePsu", "ratio_estimate"]


class SinglePsu(StrEnum):
    """What to do with a stratum where only one village was surveyed."""

    ERROR = "error"  # refuse (SamplingError "single_psu"): plan at least 2 villages a stratum
    COLLAPSE = "collapse"  # merge it with the next stratum in sorted order (conservative)


@dataclass(frozen=True, slots=True)
class Estimate:
    """A ratio estimate with its standard error and confidence interval.

    ``df`` is clusters − strata (for a t interval; the interval itself uses the normal
    quantile). ``deff`` is the variance over that of simple random sampling of as many
    households (None when the latter is 0). ``collapsed_strata`` lists the strata merged
    for the variance when ``single_psu`` is ``collapse``.
    """

    value: float
    se: float
    ci_low: float
    ci_high: float
    confidence: float
    n_households: int
    n_clusters: int
    n_strata: int
    df: int
    numerator_total: float
    denominator_total: float
    deff: float | None
    collapsed_strata: tuple[tuple[str, ...], ...] = ()


def _array(name: str, values: Sequence[float], size: int | None) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise SamplingError("bad_input", f"{name}应为数值序列") from exc
    if array.ndim != 1:
        raise SamplingError("bad_input", f"{name}应为一维数值序列")
    if size is not None and array.shape[0] != size:
        raise SamplingError("bad_input", f"{name}有 {array.shape[0]} 个值，应为 {size} 个")
    if not np.all(np.isfinite(array)):
        raise SamplingError("bad_input", f"{name}含有非有限值（NaN 或无穷）")
    return array


def _groups(strata: Sequence[str], counts: Mapping[str, int]) -> list[list[str]]:
    """Collapse strata with one village into the next (the last one into the previous)."""
    groups: list[list[str]] = []
    for stratum in strata:
        if groups and sum(counts[h] for h in groups[-1]) < 2:
            groups[-1].append(stratum)
        else:
            groups.append([stratum])
    if len(groups) > 1 and sum(counts[h] for h in groups[-1]) < 2:
        last = groups.pop()
        groups[-1] += last
    if sum(counts[h] for h in groups[-1]) < 2:
        raise SamplingError("single_psu", "全部样本只有 1 个村，无法估计方差")
    return groups


def ratio_estimate(
    *,
    numerator: Sequence[float],
    denominator: Sequence[float],
    weights: Sequence[float],
    strata: Sequence[str],
    clusters: Sequence[str],
    stratum_psu_counts: Mapping[str, int] | None = None,
    confidence: float = 0.95,
    single_psu: SinglePsu = SinglePsu.ERROR,
    is_rate: bool = True,
) -> Estimate:
    """Estimate ``Σ w·y / Σ w·x`` with a linearised, stratified ultimate-cluster variance.

    One entry per surveyed household: ``numerator`` y, ``denominator`` x, design ``weights``
    (1/π), ``strata`` and ``clusters`` (the village; clusters are nested in strata).
    ``stratum_psu_counts`` gives N_h, the villages of each stratum's frame, for the FPC; a
    stratum whose every village was taken (n_h = N_h) then contributes no variance. A rate
    (``is_rate``) must lie in [0, 1] and its interval is clipped to [0, 1]. Households outside
    the domain of a rate are passed with y = x = 0: they keep their village in the variance
    (domain estimation), which is what a rate over a sub-population needs.
    """
    y = _array("分子", numerator, None)
    size = y.shape[0]
    if size == 0:
        raise SamplingError("empty", "没有样本户，无法估计")
    x = _array("分母", denominator, size)
    w = _array("权数", weights, size)
    if len(strata) != size or len(clusters) != size:
        raise SamplingError("bad_input", f"层和村的个数应与样本户数 {size} 相同")
    if np.any(w <= 0):
        raise SamplingError("bad_input", "权数应大于 0")
    z_quantile = z_value(confidence)

    x_total = float(np.sum(w * x))
    y_total = float(np.sum(w * y))
    if x_total == 0:
        raise SamplingError("zero_denominator", "加权分母为 0（样本中没有属于该指标分母的人或户）")
    ratio = y_total / x_total
    if is_rate and not 0 <= ratio <= 1:
        raise SamplingError("bad_input", f"比率为 {ratio:g}，超出 0–1，不是比例")

    keys = [f"{s}\x00{c}" for s, c in zip(strata, clusters, strict=True)]
    unique, inverse = np.unique(np.asarray(keys), return_inverse=True)
    linearised = w * (y - ratio * x) / x_total
    cluster_totals = np.bincount(inverse, weights=linearised, minlength=unique.shape[0])
    by_stratum: dict[str, list[float]] = {}
    for key, total in zip(unique.tolist(), cluster_totals.tolist(), strict=True):
        by_stratum.setdefault(key.split("\x00", 1)[0], []).append(total)
    names = sorted(by_stratum)
    sampled = {h: len(by_stratum[h]) for h in names}

    population: dict[str, int] = {}
    if stratum_psu_counts is not None:
        for h in names:
            count = stratum_psu_counts.get(h)
            if isinstance(count, bool) or not isinstance(count, int) or count < sampled[h]:
                raise SamplingError(
                    "bad_input",
                    f"层“{h}”的村总数 N_h 应为不少于样本村数 {sampled[h]} 的整数，实为 {count!r}",
                )
            population[h] = count
    # A stratum taken whole (n_h = N_h) has no first-stage variance; it is never "lonely".
    varying = [h for h in names if not (population and population[h] == sampled[h])]
    lonely = [h for h in varying if sampled[h] == 1]
    collapsed: tuple[tuple[str, ...], ...] = ()
    if lonely and single_psu is SinglePsu.ERROR:
        raise SamplingError(
            "single_psu",
            f"层“{lonely[0]}”只有 1 个样本村，无法估计该层方差；请每层至少抽 2 个村，"
            "或选择与相邻层合并（single_psu='collapse'）",
        )
    groups = [[h] for h in varying]
    if lonely:
        groups = _groups(varying, sampled)
        collapsed = tuple(tuple(g) for g in groups if len(g) > 1)

    variance = 0.0
    for group in groups:
        totals = np.asarray([t for h in group for t in by_stratum[h]])
        n = totals.shape[0]
        fpc = 1.0
        if population:
            fpc = 1 - n / sum(population[h] for h in group)
        deviations = totals - totals.mean()
        variance += fpc * n / (n - 1) * float(np.sum(deviations * deviations))
    se = math.sqrt(max(variance, 0.0))

    residuals = y - ratio * x
    weight_total = float(np.sum(w))
    srs_variance = (float(np.sum(w * residuals * residuals)) / weight_total) / (
        size * (x_total / weight_total) ** 2
    )
    low, high = ratio - z_quantile * se, ratio + z_quantile * se
    if is_rate:
        low, high = max(low, 0.0), min(high, 1.0)
    n_clusters = int(unique.shape[0])
    return Estimate(
        value=ratio,
        se=se,
        ci_low=low,
        ci_high=high,
        confidence=confidence,
        n_households=size,
        n_clusters=n_clusters,
        n_strata=len(names),
        df=n_clusters - len(names),
        numerator_total=y_total,
        denominator_total=x_total,
        deff=variance / srs_variance if srs_variance > 0 else None,
        collapsed_strata=collapsed,
    )
