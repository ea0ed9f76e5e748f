"""Properties: no resolution is ever looser than the national floor (monitoring line, 三率)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fangpin.policy import PolicyValidationError, default_editions, load_editions, resolve
from fangpin.regioncode import PROVINCE_CODES
from tests.policy.helpers import body, county_override, shipped_text, write

FLOOR_2024 = 7100
lines = st.none() | st.integers(min_value=0, max_value=20000)


@given(
    year=st.integers(min_value=2020, max_value=2035),
    province=st.sampled_from(sorted(PROVINCE_CODES)),
    rest=st.integers(min_value=101, max_value=9999),
)
def test_shipped_resolution_never_goes_below_the_floor(year: int, province: str, rest: int) -> None:
    floor = default_editions().select("national", year)
    assert floor is not None
    floor_line = floor.entries["monitoring.income_line"].value
    assert isinstance(floor_line, int)

    edition = resolve(year, f"{province}{rest:04d}")

    assert edition.monitoring_line >= floor_line


@settings(max_examples=40, deadline=None)
@given(province_line=lines, county_line=lines, year=st.integers(min_value=2024, max_value=2026))
def test_an_override_is_accepted_only_if_it_stays_at_or_above_the_level_above(
    province_line: int | None, county_line: int | None, year: int
) -> None:
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        write(directory, "2024-national.toml", shipped_text("2024-national.toml"))
        for region, line in (("43", province_line), ("433124", county_line)):
            if line is not None:
                text = county_override(2024, region, body("monitoring", "income_line", line))
                write(directory, f"2024-{region}.toml", text)
        above_county = FLOOR_2024
        if province_line is not None and province_line >= FLOOR_2024:
            above_county = province_line
        rejected = (province_line is not None and province_line < FLOOR_2024) or (
            county_line is not None and county_line < above_county
        )

        if rejected:
            with pytest.raises(PolicyValidationError) as caught:
                load_editions(directory)
            assert set(caught.value.codes) == {"loosening"}
        else:
            expected = county_line if county_line is not None else above_county
            assert load_editions(directory).resolve(year, "433124").monitoring_line == expected
            assert expected >= FLOOR_2024


@settings(max_examples=40, deadline=None)
@given(
    wrong_exit=st.none() | st.sampled_from([0.0, 0.005, 0.01, 0.015, 0.02, 0.025, 0.05, 1.0]),
    approval=st.none() | st.sampled_from([0.0, 0.5, 0.85, 0.9, 0.92, 0.95, 1.0]),
)
def test_an_evaluation_override_is_accepted_only_if_it_is_at_least_as_strict(
    wrong_exit: float | None, approval: float | None
) -> None:
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        write(directory, "2024-national.toml", shipped_text("2024-national.toml"))
        lines = ""
        if wrong_exit is not None:
            lines += body("evaluation", "wrong_exit_rate_max", wrong_exit)
        if approval is not None:
            lines += ("" if lines else "[evaluation]\n") + (
                f'approval_rate_min = {{ value = {approval}, confirmed = true, source = "x" }}\n'
            )
        write(directory, "2024-433124.toml", county_override(2024, "433124", lines))
        rejected = (wrong_exit is not None and wrong_exit > 0.02) or (
            approval is not None and approval < 0.9
        )

        if rejected:
            with pytest.raises(PolicyValidationError) as caught:
                load_editions(directory)
            assert set(caught.value.codes) == {"loosening"}
        else:
            evaluation = load_editions(directory).resolve(2024, "433124").evaluation
            assert evaluation.wrong_exit_rate_max <= 0.02
            assert evaluation.approval_rate_min >= 0.9
            assert evaluation.wrong_exit_rate_max == (0.02 if wrong_exit is None else wrong_exit)
            assert evaluation.approval_rate_min == (0.9 if approval is None else approval)
