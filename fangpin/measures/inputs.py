"""Checking and normalising the inputs every measure shares: incomes, weights, the line.

A weight is a number of identical persons: integer weights give exactly the result of repeating
rows, so a row of weight zero is a row that is not there. :func:`observations` therefore drops
zero-weight rows *after* checking every row, and the measures never see them (a zero-weight
row with a zero income does not make Watts undefined).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from fangpin.measures.errors import MeasureError

__all__ = [
    "FloatArray",
    "Observations",
    "check_line",
    "check_parameter",
    "group_codes",
    "observations",
    "real_vector",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


class Observations:
    """Incomes and weights with zero-weight rows dropped; ``population`` is the weight sum."""

    __slots__ = ("incomes", "kept", "population", "rows", "weights")

    def __init__(
        self, incomes: FloatArray, weights: FloatArray, kept: NDArray[np.bool_] | None
    ) -> None:
        self.incomes = incomes
        self.weights = weights
        self.kept = kept  # None: every row kept
        self.rows = incomes.size if kept is None else kept.size  # rows the caller passed
        self.population = float(weights.sum())

    def row_number(self, index: int) -> int:
        """The 1-based row of the caller's input behind ``incomes[index]``."""
        if self.kept is None:
            return index + 1
        return int(np.flatnonzero(self.kept)[index]) + 1


def real_vector(values: ArrayLike, what: str) -> FloatArray:
    """A one-dimensional float64 array of finite numbers, or a MeasureError naming ``what``."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise MeasureError("not_numeric", f"{what}含有非数值") from exc
    if array.ndim != 1:
        raise MeasureError("shape", f"{what}应为一维数组，实际为 {array.ndim} 维")
    finite = np.isfinite(array)
    if not finite.all():
        index = int(np.flatnonzero(~finite)[0])
        raise MeasureError("not_finite", f"{what}第 {index + 1} 个值不是有限数（{array[index]}）")
    return array


def observations(incomes: ArrayLike, weights: ArrayLike | None) -> Observations:
    """Check incomes and weights; drop zero-weight rows; refuse an empty population."""
    y = real_vector(incomes, "收入")
    if weights is None:
        if y.size == 0:
            raise MeasureError("empty", "没有数据：收入为空")
        return Observations(y, np.ones(y.size), None)
    w = real_vector(weights, "权重")
    if w.size != y.size:
        raise MeasureError("shape", f"权重个数（{w.size}）与收入个数（{y.size}）不一致")
    if y.size == 0:
        raise MeasureError("empty", "没有数据：收入为空")
    negative = w < 0
    if negative.any():
        index = int(np.flatnonzero(negative)[0])
        raise MeasureError("negative_weight", f"权重第 {index + 1} 个值为负数（{w[index]}）")
    kept = w > 0
    if not kept.any():
        raise MeasureError("zero_population", "权重之和为零：没有可计算的人口")
    if kept.all():
        return Observations(y, w, None)
    return Observations(y[kept], w[kept], kept)


def check_line(line: float) -> float:
    """The poverty line as a float: positive and finite."""
    try:
        z = float(line)
    except (TypeError, ValueError) as exc:
        raise MeasureError("line", f"标准线不是数值：{line!r}") from exc
    if not math.isfinite(z) or z <= 0:
        raise MeasureError("line", f"标准线应为正数，实际为 {line!r}")
    return z


def check_parameter(value: float, name: str) -> float:
    """A sensitivity parameter (alpha, epsilon): finite and at least zero."""
    try:
        parameter = float(value)
    except (TypeError, ValueError) as exc:
        raise MeasureError("parameter", f"参数 {name} 不是数值：{value!r}") from exc
    if not math.isfinite(parameter) or parameter < 0:
        raise MeasureError("parameter", f"参数 {name} 应为不小于 0 的有限数，实际为 {value!r}")
    return parameter


def group_codes(groups: ArrayLike, size: int) -> tuple[list[str], IntArray]:
    """Distinct group labels (as text, in sorted order) and each row's index into them.

    Numeric labels sort as numbers (2 before 10); labels of an object array are compared as
    text. A missing label (None, NaN) is an error: a row silently put in a group of its own
    would change that group's share.
    """
    labels = np.asarray(groups)
    if labels.ndim != 1 or labels.size != size:
        raise MeasureError("shape", f"分组个数（{labels.size}）与数据行数（{size}）不一致")
    if labels.dtype.kind == "f" and np.isnan(labels).any():
        index = int(np.flatnonzero(np.isnan(labels))[0])
        raise MeasureError("group", f"分组第 {index + 1} 个值为空")
    if labels.dtype.kind in "iu" and labels.size:
        dense = _dense_codes(labels)
        if dense is not None:
            return dense
    if labels.dtype.kind == "O":
        for index, label in enumerate(labels):
            if label is None or (isinstance(label, float) and math.isnan(label)):
                raise MeasureError("group", f"分组第 {index + 1} 个值为空")
        labels = labels.astype(str)
    distinct, inverse = np.unique(labels, return_inverse=True)
    return [str(label) for label in distinct.tolist()], inverse.astype(np.intp).reshape(-1)


def _dense_codes(labels: NDArray[np.integer]) -> tuple[list[str], IntArray] | None:
    """Integer labels over a range not much wider than the rows: codes by counting, no sort."""
    low, high = int(labels.min()), int(labels.max())
    if high - low > 4 * labels.size + 1024:
        return None
    shifted = (labels - low).astype(np.intp)
    present = np.bincount(shifted) > 0
    index = np.cumsum(present) - 1
    distinct = np.flatnonzero(present) + low
    return [str(label) for label in distinct.tolist()], index[shifted].astype(np.intp)
