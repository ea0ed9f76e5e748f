"""Small numpy → Arrow helpers: the vectorised way to build string, date and money columns."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "BoolArray",
    "FloatArray",
    "IntArray",
    "choice_index",
    "concat",
    "date_array",
    "day_number",
    "exact_pick",
    "from_pool",
    "money_array",
    "padded",
    "ymd",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_EPOCH = date(1970, 1, 1)


def day_number(day: date) -> int:
    """Days since 1970-01-01 (the Arrow date32 value)."""
    return (day - _EPOCH).days


def from_pool(pool: Sequence[str], index: npt.NDArray[Any]) -> Any:
    """The strings ``pool[index]`` as an Arrow string array, without a Python loop."""
    return pa.array(list(pool), pa.string()).take(pa.array(np.asarray(index, dtype=np.int64)))


def concat(*parts: Any) -> Any:
    """Element-wise concatenation of Arrow string arrays and/or Python strings."""
    return pc.binary_join_element_wise(*parts, "")


def padded(values: npt.NDArray[Any], width: int) -> Any:
    """Non-negative integers as zero-padded decimal strings."""
    text = pa.array(np.asarray(values, dtype=np.int64)).cast(pa.string())
    return pc.utf8_lpad(text, width=width, padding="0")


def date_array(days: npt.NDArray[Any], valid: BoolArray | None = None) -> Any:
    """date32 from day numbers; rows where ``valid`` is false become null."""
    values = pa.array(np.asarray(days, dtype=np.int32), pa.int32())
    if valid is not None:
        values = pc.if_else(pa.array(valid), values, pa.scalar(None, pa.int32()))
    return values.cast(pa.date32())


def money_array(cents: npt.NDArray[Any], valid: BoolArray | None = None) -> Any:
    """Decimal128(12, 2) from non-negative integer fen, exactly (no float rounding)."""
    cents = np.ascontiguousarray(cents, dtype=np.int64)
    if cents.size and int(cents.min()) < 0:
        raise ValueError("money amounts must not be negative")
    words = np.zeros((cents.size, 2), dtype=np.int64)
    words[:, 0] = cents
    mask = None
    null_count = 0
    if valid is not None:
        mask = pa.py_buffer(np.packbits(np.asarray(valid, dtype=bool), bitorder="little"))
        null_count = int(cents.size - np.count_nonzero(valid))
    return pa.Array.from_buffers(
        pa.decimal128(12, 2), cents.size, [mask, pa.py_buffer(words.tobytes())], null_count
    )


def ymd(days: npt.NDArray[Any]) -> tuple[IntArray, IntArray, IntArray]:
    """Year, month and day of day numbers."""
    d = np.asarray(days, dtype="datetime64[D]")
    months = d.astype("datetime64[M]")
    year = d.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (d - months).astype(np.int64) + 1
    return year, month, day


def choice_index(
    rng: np.random.Generator, weights: Sequence[float] | npt.NDArray[Any], size: int
) -> IntArray:
    """Indices drawn with the given (unnormalised) weights."""
    p = np.asarray(weights, dtype=np.float64)
    return rng.choice(len(p), size=size, p=p / p.sum()).astype(np.int64)


def exact_pick(rng: np.random.Generator, candidates: IntArray, rate: float, total: int) -> IntArray:
    """Exactly ``round(rate × total)`` of ``candidates`` (at least one if the rate is positive).

    Injected cases use exact counts rather than coin flips so their rates hold on small data.
    """
    if rate <= 0 or total <= 0 or candidates.size == 0:
        return np.zeros(0, dtype=np.int64)
    k = min(candidates.size, max(1, round(rate * total)))
    return np.sort(rng.choice(candidates, size=k, replace=False)).astype(np.int64)
