"""The vectorised ID numbers and the allocator that keeps them unique."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from fangpin.idnumber import build, parse
from fangpin.synth._arrow import day_number
from fangpin.synth.ids import SLOTS, IdAllocator, id_numbers

REGIONS = ("433124", "433101", "110105", "440524", "650102")
TODAY = date(2024, 12, 31)


@settings(max_examples=200, deadline=None)
@given(
    region=st.sampled_from(REGIONS),
    born=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    sequence=st.integers(min_value=0, max_value=999),
)
def test_vectorised_numbers_equal_idnumber_build(region: str, born: date, sequence: int) -> None:
    number = id_numbers(
        np.array([int(region)]), np.array([day_number(born)]), np.array([sequence])
    ).to_pylist()[0]
    assert number == build(region, born, sequence)


def test_a_full_day_moves_people_to_the_day_before_and_never_repeats_a_number() -> None:
    allocator = IdAllocator(("433124",), date(1900, 1, 1), TODAY, salt=7)
    born = date(1980, 5, 5)
    n = 2 * SLOTS + 10
    day, sequence = allocator.allocate(
        np.zeros(n, dtype=np.int64), np.full(n, day_number(born)), np.ones(n, dtype=bool)
    )
    numbers = id_numbers(np.full(n, 433124), day, sequence).to_pylist()
    assert len(set(numbers)) == n
    moved = {date(1970, 1, 1) + timedelta(days=int(d)) for d in day}
    assert moved == {born, born - timedelta(days=1), born - timedelta(days=2)}
    assert int((day == day_number(born)).sum()) == SLOTS
    for number, d in zip(numbers, day, strict=True):
        parsed = parse(number, today=TODAY)
        assert parsed.birth_date == date(1970, 1, 1) + timedelta(days=int(d))
        assert parsed.sex == "1"


def test_numbers_stay_unique_across_calls_and_sexes() -> None:
    allocator = IdAllocator(("433124", "433101"), date(1900, 1, 1), TODAY, salt=3)
    rng = np.random.default_rng(5)
    numbers: list[str] = []
    for _ in range(4):  # four "chunks"
        n = 5000
        region = rng.integers(0, 2, n)
        born = day_number(date(1990, 1, 1)) + rng.integers(0, 20, n)
        male = rng.random(n) < 0.5
        day, sequence = allocator.allocate(region, born, male)
        chunk = id_numbers(allocator.region_codes(region), day, sequence).to_pylist()
        for number, is_male in zip(chunk, male, strict=True):
            assert (int(number[16]) % 2 == 1) == bool(is_male)
        numbers.extend(chunk)
    assert len(set(numbers)) == len(numbers) == 20000
