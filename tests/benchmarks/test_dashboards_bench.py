"""The dashboards benchmark's pure helpers (the benchmark itself runs in `make bench` only)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from benchmarks.dashboards import (
    format_section,
    median_region,
    mismatches,
    month_bounds,
    worst_page,
)


def test_month_bounds_give_the_first_day_and_the_next_month() -> None:
    assert month_bounds(date(2024, 12, 31)) == (date(2024, 12, 1), date(2025, 1, 1))
    assert month_bounds(date(2024, 2, 1)) == (date(2024, 2, 1), date(2024, 3, 1))
    assert month_bounds(date(2024, 1, 31)) == (date(2024, 1, 1), date(2024, 2, 1))


def test_median_region_is_the_middle_size_ties_broken_by_code() -> None:
    counts = {"v5": 50, "v1": 10, "v3": 30, "v2": 30, "v9": 90}
    assert median_region(counts) == "v3"  # sizes 10, 30 (v2), 30 (v3), 50, 90
    assert median_region({"only": 7}) == "only"


def test_median_region_refuses_no_regions() -> None:
    with pytest.raises(ValueError, match="no regions"):
        median_region({})


def test_mismatches_name_every_figure_that_differs() -> None:
    tallied = {"hh": 10, "mon": 2, "coverage": 0.5, "planned_share": None, "extra": 1}
    live = {"hh": 10, "mon": 3, "coverage": 0.5 + 1e-12, "planned_share": None, "visited": 0}
    assert mismatches(tallied, live) == [
        "mon: tallies 2, live 3",
        "visited: tallies missing, live 0",
    ]


def test_mismatches_of_equal_figures_are_none() -> None:
    figures = {"hh": 1_000_000, "coverage": None, "clue_late": 0}
    assert mismatches(dict(figures), figures) == []


def _timing(p95: float) -> dict[str, float]:
    return {"p50": p95 / 2, "p95": p95, "max": p95 + 10, "runs": 30.0}


def _region(label: str, code: str, pages: list[float], live: float = 900.0) -> dict[str, Any]:
    names = ("总览", "工作进展", "成效评估")
    return {
        "label": label,
        "code": code,
        "households": 1_000_000 if label == "county" else 4_000,
        "pages": [
            {"page": name, "queries": 12, "timing": _timing(p95)}
            for name, p95 in zip(names, pages, strict=True)
        ],
        "selector": _timing(9.0),
        "selector_queries": 6,
        "live": _timing(live),
        "live_queries": 12,
        "mismatches": [],
    }


def test_worst_page_is_the_highest_p95_of_every_region() -> None:
    regions = [
        _region("county", "433124000000", [120.0, 310.0, 90.0]),
        _region("village", "433124200214", [40.0, 50.0, 60.0]),
    ]
    assert worst_page(regions) == ("county, 工作进展", 310.0)


def _result(pages: list[float]) -> dict[str, Any]:
    return {
        "county": "433124000000",
        "as_of": "2024-12-31",
        "counts": {
            "households": 1_000_000,
            "persons": 3_559_194,
            "spells": 40_000,
            "mon": 13_585,
            "elim": 25_527,
            "clues": 0,
            "cases": 3,
            "measures": 0,
            "visits": 0,
            "problems": 0,
        },
        "refresh": [{"seconds": 21.04, "rows": 31_000}, {"seconds": 19.5, "rows": 31_000}],
        "regions": [
            _region("county", "433124000000", pages),
            _region("village", "433124200214", [40.0, 50.0, 60.0], live=30.0),
        ],
        "single_county": True,
        "load_average": [1.25, 2.0, 3.0],
    }


def test_section_has_refresh_pages_side_by_side_and_the_verdict() -> None:
    section = format_section(_result([120.0, 250.0, 90.0]), machine="test machine", notes=["n1"])
    lines = section.splitlines()

    assert lines[0].startswith("Run ")
    assert "test machine; load average (1/5/15 min) 1.2 / 2.0 / 3.0" in lines[0]
    assert lines[2] == "- n1"
    assert "1,000,000 active households, 3,559,194 active persons" in section
    assert "no clues, measures, visits, problems: those figures are 0" in section  # cases: 3
    assert "| 1 | 21.0 | 31,000 |" in lines
    county = "county 433124000000 (1,000,000 households)"
    assert f"| {county} | page 工作进展 | 125 / 250 / 260 | 12 | yes |" in lines
    assert f"| {county} | selectors alone | 4.5 / 9 / 19 | 6 | — |" in lines
    assert "| county 433124000000 | 4.5 / 9 | 450 / 900 | 12 | 100× | yes |" in lines
    assert "| village 433124200214 | 4.5 / 9 | 15 / 30 | 12 | 3.3× | yes |" in lines
    assert "— **met**: the slowest page is county, 工作进展, p95 250 ms." in section
    assert "The data covers one county" in section
    assert section.splitlines()[-1].startswith(
        "Reproduce: `python -m benchmarks --only dashboards`"
    )


def test_section_marks_a_page_over_the_target_and_says_not_met() -> None:
    section = format_section(_result([120.0, 310.0, 90.0]), machine="m", notes=[])

    assert "| page 工作进展 | 155 / 310 / 320 | 12 | **no** |" in section
    assert "— **not met**: the slowest page is county, 工作进展, p95 310 ms." in section


def test_section_compares_the_province_rows_with_the_county_alone() -> None:
    result = _result([120.0, 250.0, 90.0])
    result["province"] = {
        "copies": 99,
        "rows": 3_329_500,
        "regions": [_region("county", "433124000000", [480.0, 500.0, 125.0])],
    }
    section = format_section(result, machine="m", notes=[])

    assert "also holds 99 other counties' tallies (3,329,500 rows in all;" in section
    assert "| county 433124000000 | page 总览 | 240 / 480 / 490 | 120 | 4.0× | **no** |" in section
    assert "| county 433124000000 | page 成效评估 | 62.5 / 125 / 135 | 90 | 1.4× | yes |" in section
    assert "| county 433124000000 | selectors alone | 4.5 / 9 / 19 | 9 | 1.0× | — |" in section
    assert (
        "With a province's tallies: **not met** — the slowest page is county, 工作进展" in section
    )
    assert "— **met**: the slowest page is county, 工作进展, p95 250 ms." in section


def test_section_without_province_rows_has_no_province_table() -> None:
    result = _result([120.0, 250.0, 90.0])
    result["province"] = {"copies": 0, "regions": []}

    assert "province's tallies" not in format_section(result, machine="m", notes=[])
