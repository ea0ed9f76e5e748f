"""Bunching just above a line: households, and the county/township density test."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from fangpin.integrity import DENSITY_ALPHA, IntegritySettings, bunching, bunching_density
from tests.integrity.builders import (
    COUNTY,
    OTHER_VILLAGE,
    SETTINGS,
    TOWNSHIP,
    VILLAGE,
    YEAR,
    concat,
    finance,
    finance_columns,
    finances,
    households,
)


def test_a_household_just_above_the_monitoring_line_is_flagged_with_its_figures() -> None:
    found = bunching(
        households([1]),
        finances([finance(1, size=2, wage_local=14360)]),
        settings=SETTINGS,
        year=YEAR,
    )

    assert len(found) == 1
    f = found[0]
    assert (f.code, f.subject_kind, f.subject_id, f.region_code, f.year, f.severity) == (
        "BUNCHING",
        "household",
        "1",
        VILLAGE,
        2024,
        "info",
    )
    assert f.threshold == 0.05
    assert f.figures() == {
        "household_size": 2,
        "line": "monitoring",
        "line_amount": 7100.0,
        "net_income": 14360.0,
        "per_capita_net_income": 7180.0,
        "share_above": 0.011268,
    }
    assert f.explanation == "2024年人均纯收入7,180元，仅高于监测线7,100元1.1%（在5%以内）"


def test_the_poverty_line_and_a_figure_exactly_on_the_line_are_flagged_too() -> None:
    found = bunching(
        households([1, 2]),
        finances([finance(1, wage_local=4100), finance(2, wage_local=7100)]),
        settings=SETTINGS,
        year=YEAR,
    )

    assert [(f.subject_id, f.figures()["line"]) for f in found] == [
        ("1", "poverty"),
        ("2", "monitoring"),
    ]
    assert found[0].explanation == "2024年人均纯收入4,100元，仅高于贫困线4,000元2.5%（在5%以内）"
    assert found[1].explanation == "2024年人均纯收入7,100元，恰好等于监测线7,100元（在5%以内）"


@pytest.mark.parametrize(
    ("income", "flagged"),
    [
        (7099.99, False),  # below the line
        (7454.99, True),
        (7455.00, False),  # exactly 5% above: the band is half-open
        (7462.10, False),  # 5.1% above
    ],
)
def test_the_band_is_line_to_line_times_one_point_zero_five(income: float, flagged: bool) -> None:
    found = bunching(
        households([1]), finances([finance(1, wage_local=income)]), settings=SETTINGS, year=YEAR
    )

    assert bool(found) is flagged


def test_other_years_and_cancelled_households_are_not_read() -> None:
    found = bunching(
        concat(households([1]), households([2], status="cancelled")),
        finances([finance(1, year=2023, wage_local=7180), finance(2, wage_local=7180)]),
        settings=SETTINGS,
        year=YEAR,
    )

    assert found == []


def test_without_lines_nothing_is_flagged() -> None:
    found = bunching(
        households([1]),
        finances([finance(1, wage_local=7180)]),
        settings=IntegritySettings(),
        year=YEAR,
    )

    assert found == []


# --- density test ------------------------------------------------------------------------------


def _county(bump: int, seed: int = 7, n: int = 3000) -> tuple[pa.Table, pa.Table, np.ndarray]:
    """n households over two villages of one township; incomes log-normal around 9,000 yuan.

    ``bump`` households from [6,000, 7,100) are moved into [7,100, 7,455): a worksheet nudge.
    """
    rng = np.random.default_rng(seed)
    fen = np.rint(np.exp(rng.normal(np.log(9000), 0.5, n)) * 100).astype(np.int64)
    if bump:
        moved = np.flatnonzero((fen >= 600000) & (fen < 710000))[:bump]
        fen[moved] = rng.integers(710000, 745500, len(moved))
    ids = np.arange(1, n + 1)
    homes = concat(households(ids[: n // 2]), households(ids[n // 2 :], village=OTHER_VILLAGE))
    money = finance_columns(ids, wage_local=fen / 100)
    return homes, money, fen


def test_an_injected_bump_above_the_line_is_significant_for_county_and_township() -> None:
    homes, money, fen = _county(bump=200)

    found = bunching_density(homes, money, settings=SETTINGS, year=YEAR)

    assert [(f.subject_kind, f.subject_id, f.figures()["line"]) for f in found] == [
        ("county", COUNTY, "monitoring"),
        ("township", TOWNSHIP, "monitoring"),
    ]
    below = int(np.count_nonzero((fen >= 674500) & (fen < 710000)))
    above = int(np.count_nonzero((fen >= 710000) & (fen < 745500)))
    county = found[0]
    figures = county.figures()
    assert (figures["households"], figures["count_below"], figures["count_above"]) == (
        3000,
        below,
        above,
    )
    assert figures["p"] < DENSITY_ALPHA
    assert figures["z"] > 5
    assert (figures["bin_width"], figures["bandwidth"]) == (88.75, 1420.0)
    assert (county.severity, county.threshold, county.region_code) == ("warning", 0.01, COUNTY)
    assert county.explanation.startswith(
        f"县（{COUNTY}）2024年有收入记录的3000户中，人均纯收入在监测线7,100元以下5%"
        f"（6,745元–7,100元）的有{below}户，以上5%（7,100元–7,455元）的有{above}户；"
        "线上密度约为线下的"
    )
    assert "McCrary密度检验" in county.explanation


def test_a_smooth_distribution_is_not_significant() -> None:
    homes, money, _ = _county(bump=0)

    assert bunching_density(homes, money, settings=SETTINGS, year=YEAR) == []


def test_regions_below_the_minimum_households_are_not_tested() -> None:
    homes, money, _ = _county(bump=200)
    settings = IntegritySettings(lines=SETTINGS.lines, bunching_min_households=3001)

    assert bunching_density(homes, money, settings=settings, year=YEAR) == []
