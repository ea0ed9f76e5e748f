"""The error codes of the sampling core are a fixed, documented list."""

from __future__ import annotations

import pytest

from fangpin.sampling import ERROR_CODES, SamplingError


def test_error_codes_are_the_documented_list() -> None:
    assert ERROR_CODES == (
        "bad_parameter", "bad_frame", "zero_size", "bad_input", "empty", "zero_denominator",
        "single_psu", "bad_record", "bad_region",
    )  # fmt: skip


def test_an_unknown_code_is_a_programming_error() -> None:
    with pytest.raises(AssertionError):
        SamplingError("oops", "x")


def test_the_error_shows_its_code_and_chinese_message() -> None:
    error = SamplingError("empty", "没有样本户，无法估计")

    assert (str(error), error.code, error.message) == (
        "empty: 没有样本户，无法估计", "empty", "没有样本户，无法估计",
    )  # fmt: skip
