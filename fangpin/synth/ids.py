"""Resident ID numbers for synthetic people, vectorised and unique across a whole run.

:func:`fangpin.idnumber.build` makes one number at a time; here the same GB 11643 layout and
ISO 7064 MOD 11-2 check character are computed with numpy for millions of people (a test
compares the two). :class:`IdAllocator` hands out sequence codes per (region, birth date,
sex) so that no number is issued twice, across chunks as well as within one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pyarrow as pa

from fangpin.synth._arrow import BoolArray, IntArray, day_number, ymd

__all__ = ["SLOTS", "IdAllocator", "id_numbers"]

_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
_ASCII_ZERO = 48

#: Sequence codes per (region, birth date, sex): men 001, 003 … 997; women 002, 004 … 998.
SLOTS = 499


def _digits(values: IntArray, width: int) -> IntArray:
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    result: IntArray = (values[:, None] // powers[None, :]) % 10
    return result


def id_numbers(region: IntArray, birth_day: IntArray, sequence: IntArray) -> pa.Array:
    """18-character ID numbers from 6-digit region codes, day numbers and sequence codes."""
    year, month, day = ymd(birth_day)
    first17 = np.concatenate(
        [
            _digits(np.asarray(region, dtype=np.int64), 6),
            _digits(year * 10000 + month * 100 + day, 8),
            _digits(np.asarray(sequence, dtype=np.int64), 3),
        ],
        axis=1,
    )
    check = _CHECK[(first17 @ _WEIGHTS) % 11]
    chars = np.empty((first17.shape[0], 18), dtype=np.uint8)
    chars[:, :17] = first17 + _ASCII_ZERO
    chars[:, 17] = check
    return pa.array(chars.view("S18").ravel(), pa.binary()).cast(pa.string())


class IdAllocator:
    """Hands out unique (birth date, sequence code) pairs per region and sex.

    State lives in one counter per (region, day, sex); when a bucket is full the person is
    moved to the previous day (and the birth date returned changes accordingly), so the
    caller must take the returned birth dates. The order of codes inside a day is permuted
    with a per-day offset so numbers do not all start at 001.
    """

    def __init__(self, regions: Sequence[str], first_day: date, last_day: date, salt: int) -> None:
        if not regions:
            raise ValueError("at least one region is needed")
        self.regions = tuple(regions)
        self.region_values = np.array([int(r) for r in regions], dtype=np.int64)
        self.first = day_number(first_day)
        self.last = day_number(last_day)
        self.days = self.last - self.first + 1
        self.salt = salt % SLOTS
        self.used = np.zeros(len(regions) * self.days * 2, dtype=np.int16)

    def allocate(
        self, region_index: IntArray, birth_day: IntArray, is_male: BoolArray
    ) -> tuple[IntArray, IntArray]:
        """Return (birth day, sequence code) for each person, in input order."""
        day = np.clip(np.asarray(birth_day, dtype=np.int64), self.first, self.last)
        region_index = np.asarray(region_index, dtype=np.int64)
        male = np.asarray(is_male, dtype=np.int64)
        slot = np.full(day.size, -1, dtype=np.int64)
        pending = np.arange(day.size)
        while pending.size:
            offset = day[pending] - self.first
            if int(offset.min()) < 0:
                raise ValueError("ID sequence codes exhausted for a region and sex")
            key = (region_index[pending] * self.days + offset) * 2 + male[pending]
            order = np.argsort(key, kind="stable")
            sorted_key = key[order]
            n = sorted_key.size
            starts = np.ones(n, dtype=bool)
            starts[1:] = sorted_key[1:] != sorted_key[:-1]
            start_at = np.flatnonzero(starts)
            group_start = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
            rank = np.arange(n) - group_start
            taken = self.used[sorted_key].astype(np.int64) + rank
            sizes = np.diff(np.append(start_at, n))
            keys = sorted_key[start_at]
            self.used[keys] = np.minimum(self.used[keys].astype(np.int64) + sizes, SLOTS)
            fits = taken < SLOTS
            placed = pending[order[fits]]
            slot[placed] = taken[fits]
            pending = np.sort(pending[order[~fits]])
            day[pending] -= 1
        shuffle = (day * 7919 + region_index * 104729 + self.salt) % SLOTS
        k = (slot + shuffle) % SLOTS
        sequence = 2 * k + np.where(male == 1, 1, 2)
        return day, sequence

    def region_codes(self, region_index: IntArray) -> IntArray:
        result: IntArray = self.region_values[region_index]
        return result
