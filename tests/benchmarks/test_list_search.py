"""The list_search benchmark's pure helpers (the benchmark itself runs in `make bench` only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.list_search import (
    dataset_name,
    format_section,
    generator_version,
    ms,
    percentile,
    ratio,
    summarise,
    timed,
)


def test_percentile_interpolates_between_closest_ranks() -> None:
    values = [4.0, 1.0, 3.0, 2.0]  # unsorted on purpose
    assert percentile(values, 0) == 1.0
    assert percentile(values, 50) == 2.5
    assert percentile(values, 100) == 4.0
    assert percentile(values, 95) == pytest.approx(3.85)


def test_percentile_of_one_value_is_that_value() -> None:
    assert percentile([7.0], 95) == 7.0


def test_percentile_matches_numpy_linear() -> None:
    numpy = pytest.importorskip("numpy")
    values = [0.013, 0.011, 0.5, 0.012, 0.02, 0.018, 0.016, 0.015, 0.014, 0.019]
    for q in (50, 90, 95, 99):
        assert percentile(values, q) == pytest.approx(float(numpy.percentile(values, q)))


def test_percentile_refuses_no_values_and_out_of_range() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)
    with pytest.raises(ValueError, match="outside"):
        percentile([1.0], 101)


def test_summarise_gives_milliseconds_and_runs() -> None:
    summary = summarise([0.010, 0.020, 0.030])
    assert summary == {
        "p50": pytest.approx(20.0),
        "p95": pytest.approx(29.0),
        "max": pytest.approx(30.0),
        "runs": 3.0,
    }


def test_ms_and_ratio_format_table_cells() -> None:
    assert ms(None) == "—"
    assert ms(3.14159) == "3.14"
    assert ms(42.42) == "42.4"
    assert ms(1234.5) == "1,234"
    assert ratio(300.0, 10.0) == "30×"
    assert ratio(15.0, 10.0) == "1.5×"
    assert ratio(None, 10.0) == "—"
    assert ratio(10.0, 0.0) == "—"


def test_dataset_name_is_keyed_by_size_seed_and_generator() -> None:
    assert dataset_name(1_000_000, 20241, "0badcafe") == "list-search-1000000-20241-0badcafe"


def test_generator_version_changes_with_the_generator_source(tmp_path: Path) -> None:
    synth = tmp_path / "fangpin" / "synth"
    synth.mkdir(parents=True)
    (synth / "a.py").write_text("x = 1\n", "utf-8")
    first = generator_version(tmp_path)
    assert first == generator_version(tmp_path)
    assert len(first) == 8
    (synth / "a.py").write_text("x = 2\n", "utf-8")
    assert generator_version(tmp_path) != first


def test_timed_runs_warmup_then_the_measured_runs() -> None:
    calls: list[int] = []
    samples = timed(lambda: calls.append(1), runs=5, warmup=2)
    assert len(calls) == 7
    assert len(samples) == 5
    assert all(sample >= 0 for sample in samples)


def _result(view_p95: float, load: list[float] | None = None) -> dict[str, object]:
    timing = {"p50": view_p95 / 2, "p95": view_p95, "max": view_p95 * 2, "runs": 30.0}
    return {
        "load_average": load or [1.0, 2.0, 3.0],
        "values": {
            "village_households": 4468,
            "village": "433124200214",
            "township": "433124200",
            "name": "华辉",
        },
        "monitoring_filters": False,
        "rows": [
            {"label": "county list, page 1", "queries": 8, "view": timing, "selector": timing}
        ],
    }


def test_format_section_puts_before_and_after_side_by_side() -> None:
    text = format_section(
        {"PostgreSQL, 1,000,000 households": {"after": _result(20.0), "before": _result(300.0)}},
        machine="2 cores",
        households=1_000_000,
        notes=["Parquet reused."],
    )

    assert "- Parquet reused." in text
    assert "| county list, page 1 | 10 | 20 | 40 | 8 | 20 | 300 | 300 | 15× |" in text
    assert "Load average (1/5/15 min) when measuring: 1.0 / 2.0 / 3.0" in text
    assert "Monitoring-status and risk-type filters: not in the list yet" in text


def test_format_section_marks_a_p95_over_200_ms() -> None:
    text = format_section(
        {"PostgreSQL": {"after": _result(250.0)}}, machine="m", households=1, notes=[]
    )

    assert "| county list, page 1 | 125 | 250 ✗ | 500 | 8 | 250 | — | — | — |" in text
