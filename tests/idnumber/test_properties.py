"""Property-based tests for fangpin.idnumber."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fangpin.idnumber import (
    PROVINCE_PREFIXES,
    IdNumberError,
    Sex,
    build,
    check_character,
    is_valid,
    normalise,
    parse,
    upgrade15,
)

TODAY = date(2021, 1, 1)
CHECK_ALPHABET = "0123456789X"

regions = st.builds(
    lambda prefix, rest: f"{prefix}{rest:04d}",
    st.sampled_from(sorted(PROVINCE_PREFIXES)),
    st.integers(min_value=0, max_value=9999),
)
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31))
sequences = st.integers(min_value=0, max_value=999)
valid_numbers = st.builds(build, regions, birth_dates, sequences)

# Characters that normalise() handles specially, plus ones that interact with NFKC.
_TRICKY = (
    "0123456789xX-"
    "０１２３４５６７８９ｘＸ"  # full-width forms
    " \t\n\r\u00a0\u3000\u2003\u200b\u200c\u200d\u2060\ufeff"  # whitespace and zero-width
    "e\u0301\u0308\u00a8\u00b4\u02dc\ufb01\u2460\u00bd"  # combining marks, compatibility forms
)
tricky_text = st.text(alphabet=_TRICKY) | st.text()
_BLANKS = st.sampled_from([" ", "\t", "\u3000", "\u00a0", "\u200b", "\ufeff", "\n"])


@settings(max_examples=300, deadline=None)
@given(regions, birth_dates, sequences)
def test_build_then_parse_round_trips(region: str, born: date, sequence: int) -> None:
    number = build(region, born, sequence)
    assert len(number) == 18
    assert number[-1] == check_character(number[:17])
    rid = parse(number, today=TODAY)
    assert rid.number == number
    assert rid.region_code == region
    assert rid.birth_date == born
    assert rid.sex is (Sex.MALE if sequence % 2 == 1 else Sex.FEMALE)
    assert rid.was_upgraded is False
    assert rid.masked() == f"{number[:6]}********{number[14:]}"


@settings(max_examples=300, deadline=None)
@given(valid_numbers, st.data())
def test_any_single_substitution_is_rejected(number: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(min_value=0, max_value=17), label="position")
    replacement = data.draw(
        st.sampled_from([ch for ch in CHECK_ALPHABET if ch != number[position]]),
        label="replacement",
    )
    changed = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(IdNumberError) as info:
        parse(changed, today=TODAY)
    assert isinstance(info.value, ValueError)
    assert info.value.code in {"format", "checksum", "region", "birth_date"}
    assert is_valid(changed, today=TODAY) is False


@settings(max_examples=300, deadline=None)
@given(tricky_text)
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert not any(ch.isspace() for ch in once)
    assert "x" not in once


@settings(max_examples=300, deadline=None)
@given(valid_numbers, st.lists(st.tuples(st.integers(0, 18), _BLANKS), max_size=6), st.booleans())
def test_decorated_numbers_parse_to_the_same_number(
    number: str, insertions: list[tuple[int, str]], fullwidth: bool
) -> None:
    text = number.lower()
    if fullwidth:
        text = "".join(chr(ord(ch) + 0xFEE0) for ch in text)
    for index, blank in insertions:
        text = text[:index] + blank + text[index:]
    assert normalise(text) == number
    assert parse(text, today=TODAY).number == number


@settings(max_examples=300, deadline=None)
@given(
    regions,
    st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)),
    sequences,
)
def test_upgrade15_of_a_valid_legacy_number_parses(region: str, born: date, sequence: int) -> None:
    legacy = f"{region}{born:%y%m%d}{sequence:03d}"
    upgraded = upgrade15(legacy)
    assert upgraded == build(region, born, sequence)
    rid = parse(upgraded, today=TODAY)
    assert (rid.region_code, rid.birth_date, rid.was_upgraded) == (region, born, False)
    direct = parse(legacy, today=TODAY)
    assert direct.number == upgraded
    assert direct.birth_date == born
    assert direct.was_upgraded is True
    assert direct.sex is rid.sex
