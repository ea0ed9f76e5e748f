"""The measures benchmark at tiny sizes (the real run is `make bench` only): every step runs,
the baselines agree with the fast path, and the section has its two tables."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.measures import LINE, bench_measures, python_mpi, python_profile
from fangpin.measures import mpi, poverty_profile


def test_section_has_the_step_table_and_the_side_by_side_ratios() -> None:
    section = bench_measures(2_000, machine="test machine", groups=7, sample=300, isolate=False)

    lines = section.splitlines()
    assert lines[0].startswith("Run ")
    assert "test machine" in lines[0]
    assert "2,000 synthetic persons" in lines[2]
    assert "7 groups" in lines[2]
    assert lines[4] == "| Step | Persons | Seconds | Persons/s | Peak RSS (MiB) |"
    steps = [line for line in lines if line.startswith("| `")]
    assert [s.split("|")[1].strip().split(":")[0].split(",")[0] for s in steps] == [
        "`poverty_profile`",
        "`gini`",
        "`theil`",
        "`mpi`",
    ]
    assert "| Work | Fast path s | Baseline | Baseline s | Baseline persons/s | Ratio |" in lines
    ratios = [line for line in lines if line.startswith(("| grouped profile", "| MPI"))]
    assert len(ratios) == 3
    assert all(line.rstrip(" |").endswith("×") for line in ratios)
    assert sum("**extrapolated**" in line for line in ratios) == 2


def test_the_python_baselines_compute_the_same_numbers_as_the_fast_path() -> None:
    rng = np.random.default_rng(3)
    incomes = rng.lognormal(9, 0.8, 200)
    weights = rng.integers(1, 4, 200).astype(float)
    codes = rng.integers(0, 3, 200)

    slow = python_profile(incomes.tolist(), weights.tolist(), codes.tolist())
    for row in poverty_profile(incomes, LINE, weights, codes)[:-1]:
        assert slow[int(row.group or 0)] == pytest.approx(
            [row.headcount, row.gap, row.severity, row.watts, row.gini], rel=1e-9
        )

    matrix = np.column_stack([rng.integers(0, 2, (200, 2)), incomes]).astype(float)
    fast = mpi(matrix, [1, 1, LINE], [1, 1, 2], 0.5, k_is_share=True, person_weights=weights,
               groups=codes)  # fmt: skip
    h, m0, by_group = python_mpi(matrix.tolist(), weights.tolist(), codes.tolist(),
                                 [1, 1, LINE], [1, 1, 2], 0.5)  # fmt: skip
    assert (h, m0) == (pytest.approx(fast.H), pytest.approx(fast.M0))
    assert {g: pytest.approx(v) for g, v in by_group.items()} == {
        int(g.group): g.M0 for g in fast.groups
    }
