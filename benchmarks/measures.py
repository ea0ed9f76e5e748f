"""The measures benchmark (issue #8): the grouped poverty profile, Gini, Theil and the MPI at
10 million synthetic persons, side by side with naive baselines in the same run.

Data (numpy, seeded): lognormal per-capita incomes (median 12,000 yuan, σ = 0.8; about a quarter
below the 7,100 line), integer person weights 1–5 (household sizes), ``groups`` villages; for the
MPI a float32 matrix of six 0/1 indicators (deprivation rates of DOMAIN.md §6.3's census order:
1–5 %) and the income column.

Measured, each step in its own process so its peak RSS is its own
(``python -m benchmarks.measures <step> …`` prints one JSON line):

- ``profile``: :func:`fangpin.measures.poverty_profile` over every group and the total, then
  :func:`gini` and :func:`theil` of the whole population (each timed apart);
- ``group_loop``: the ungrouped way — for each group, select its rows with a boolean mask and
  call ``fgt`` (α = 0, 1, 2), ``watts`` and ``gini`` on them — on all rows, measured;
- ``python_loop``: a pure-Python row loop computing the same per-group profile on the first
  ``sample`` rows; its rate is extrapolated to the full size and labelled so;
- ``mpi``: :func:`fangpin.measures.mpi` on persons × 7 with person weights and groups;
- ``mpi_loop``: a pure-Python row loop computing H, A, M0 and group M0 on ``sample`` rows.

The baselines must agree with the fast path or the run fails: the per-group loop's sums of H,
P1, P2, Watts and Gini over the groups equal the profile's, and each Python loop equals the
fast path on its own sample.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
LINE = 7100.0
SEED = 20241
MEDIAN_INCOME = 12_000.0
SIGMA = 0.8
#: Deprivation rates of the six 0/1 indicators (food, clothing, water, education, medical,
#: housing), of the order of the 2020 census results (DOMAIN.md §6.3).
DEPRIVATION_RATES = (0.01, 0.01, 0.05, 0.01, 0.01, 0.03)
AGREE = 1e-9  # relative tolerance between the fast path and a baseline

Result = dict[str, Any]


def synthetic(persons: int, groups: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Incomes (float64), integer person weights (float64) and group codes (int64)."""
    rng = np.random.default_rng(seed)
    incomes = rng.lognormal(math.log(MEDIAN_INCOME), SIGMA, persons)
    weights = rng.integers(1, 6, persons).astype(np.float64)
    codes = rng.integers(0, groups, persons)
    return incomes, weights, codes


def achievements(persons: int, seed: int) -> np.ndarray:
    """persons × 7 float32: six 0/1 indicators (1 = secured) and per-capita income."""
    rng = np.random.default_rng(seed + 1)
    matrix = np.empty((persons, 7), dtype=np.float32)
    for j, rate in enumerate(DEPRIVATION_RATES):
        matrix[:, j] = rng.random(persons, dtype=np.float32) >= rate
    matrix[:, 6] = rng.lognormal(math.log(MEDIAN_INCOME), SIGMA, persons)
    return matrix


def _mpi_inputs() -> tuple[list[float], list[float], float]:
    from fangpin.measures import DEFAULT_INDICATOR_SET

    s = DEFAULT_INDICATOR_SET
    return s.cutoffs(LINE).tolist(), s.weights().tolist(), s.k


def _digest(rows: list[Any]) -> list[float]:
    """Σ over the groups (not the total) of H, P1, P2, Watts and Gini."""
    groups = [r for r in rows if r.group is not None]
    return [
        sum(r.headcount for r in groups),
        sum(r.gap for r in groups),
        sum(r.severity for r in groups),
        sum(r.watts for r in groups),
        sum(r.gini for r in groups),
    ]


def _peak_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# --- steps (one process each) ----------------------------------------------------------------


def step_profile(persons: int, groups: int, seed: int, sample: int) -> Result:
    from fangpin.measures import gini, poverty_profile, theil

    started = time.perf_counter()
    incomes, weights, codes = synthetic(persons, groups, seed)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    rows = poverty_profile(incomes, LINE, weights, codes)
    profile = time.perf_counter() - started
    started = time.perf_counter()
    total_gini = gini(incomes, weights)
    gini_seconds = time.perf_counter() - started
    started = time.perf_counter()
    total_theil = theil(incomes, weights)
    theil_seconds = time.perf_counter() - started
    return {
        "generate_seconds": generated,
        "seconds": profile,
        "gini_seconds": gini_seconds,
        "theil_seconds": theil_seconds,
        "groups": len(rows) - 1,
        "headcount": rows[-1].headcount,
        "gini": total_gini,
        "theil": total_theil,
        "digest": _digest(rows),
    }


def step_group_loop(persons: int, groups: int, seed: int, sample: int) -> Result:
    from fangpin.measures import fgt, gini, watts

    incomes, weights, codes = synthetic(persons, groups, seed)
    started = time.perf_counter()
    digest = [0.0] * 5
    for group in range(groups):
        mask = codes == group
        y, w = incomes[mask], weights[mask]
        if y.size == 0:
            continue
        for index, value in enumerate(
            (
                fgt(y, LINE, 0, w),
                fgt(y, LINE, 1, w),
                fgt(y, LINE, 2, w),
                watts(y, LINE, w),
                gini(y, w),
            )
        ):
            digest[index] += value
    return {"seconds": time.perf_counter() - started, "digest": digest}


def python_profile(
    incomes: list[float], weights: list[float], codes: list[int]
) -> dict[int, list[float]]:
    """The per-group profile row by row in plain Python: H, P1, P2, Watts, Gini per group."""
    sums: dict[int, list[float]] = {}
    members: dict[int, list[tuple[float, float]]] = {}
    for y, w, g in zip(incomes, weights, codes, strict=True):
        s = sums.setdefault(g, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
        s[0] += w
        s[5] += w * y
        if y < LINE:
            gap = (LINE - y) / LINE
            s[1] += w
            s[2] += w * gap
            s[3] += w * gap * gap
            s[4] += w * math.log(LINE / y)
        members.setdefault(g, []).append((y, w))
    out: dict[int, list[float]] = {}
    for g, s in sums.items():
        pairs = 0.0
        cumulative = 0.0
        for y, w in sorted(members[g]):
            cumulative += w
            pairs += w * y * (2 * cumulative - w - s[0])
        n = s[0]
        out[g] = [s[1] / n, s[2] / n, s[3] / n, s[4] / n, pairs / (n * s[5])]
    return out


def step_python_loop(persons: int, groups: int, seed: int, sample: int) -> Result:
    from fangpin.measures import poverty_profile

    incomes, weights, codes = synthetic(persons, groups, seed)
    y, w, g = incomes[:sample], weights[:sample], codes[:sample]
    as_lists = (y.tolist(), w.tolist(), g.tolist())
    started = time.perf_counter()
    slow = python_profile(*as_lists)
    seconds = time.perf_counter() - started
    fast = {int(r.group): r for r in poverty_profile(y, LINE, w, g) if r.group is not None}
    for group, values in slow.items():
        row = fast[group]
        expected = (row.headcount, row.gap, row.severity, row.watts or 0.0, row.gini or 0.0)
        if not all(
            math.isclose(a, b, rel_tol=AGREE, abs_tol=1e-12)
            for a, b in zip(values, expected, strict=True)
        ):
            raise SystemExit(f"python loop disagrees with poverty_profile in group {group}")
    return {"seconds": seconds, "rows": int(y.size)}


def step_mpi(persons: int, groups: int, seed: int, sample: int) -> Result:
    from fangpin.measures import mpi

    started = time.perf_counter()
    matrix = achievements(persons, seed)
    _, weights, codes = synthetic(persons, groups, seed)
    generated = time.perf_counter() - started
    cutoffs, indicator_weights, k = _mpi_inputs()
    started = time.perf_counter()
    result = mpi(
        matrix, cutoffs, indicator_weights, k, k_is_share=True, person_weights=weights, groups=codes
    )
    seconds = time.perf_counter() - started
    return {
        "generate_seconds": generated,
        "seconds": seconds,
        "H": result.H,
        "M0": result.M0,
        "groups": len(result.groups),
    }


def python_mpi(
    rows: list[list[float]], weights: list[float], codes: list[int],
    cutoffs: list[float], indicator_weights: list[float], k: float,
) -> tuple[float, float, dict[int, float]]:  # fmt: skip
    """H, M0 and each group's M0, person by person in plain Python."""
    total_weight = sum(indicator_weights)
    threshold = k * total_weight - 1e-9 * total_weight
    population = poor = scored = 0.0
    group_population: dict[int, float] = {}
    group_scored: dict[int, float] = {}
    for row, w, g in zip(rows, weights, codes, strict=True):
        score = 0.0
        for value, cutoff, weight in zip(row, cutoffs, indicator_weights, strict=True):
            if value < cutoff:
                score += weight
        population += w
        group_population[g] = group_population.get(g, 0.0) + w
        if score >= threshold:
            poor += w
            scored += w * score
            group_scored[g] = group_scored.get(g, 0.0) + w * score
    by_group = {
        g: group_scored.get(g, 0.0) / (n * total_weight) for g, n in group_population.items()
    }
    return poor / population, scored / (population * total_weight), by_group


def step_mpi_loop(persons: int, groups: int, seed: int, sample: int) -> Result:
    from fangpin.measures import mpi

    matrix = achievements(persons, seed)[:sample]
    _, weights, codes = synthetic(persons, groups, seed)
    weights, codes = weights[:sample], codes[:sample]
    cutoffs, indicator_weights, k = _mpi_inputs()
    as_lists = (matrix.astype(np.float64).tolist(), weights.tolist(), codes.tolist())
    started = time.perf_counter()
    h, m0, by_group = python_mpi(*as_lists, cutoffs, indicator_weights, k)
    seconds = time.perf_counter() - started
    fast = mpi(
        matrix, cutoffs, indicator_weights, k, k_is_share=True, person_weights=weights, groups=codes
    )
    checks = [(h, fast.H), (m0, fast.M0)] + [(by_group[int(g.group)], g.M0) for g in fast.groups]
    if not all(math.isclose(a, b, rel_tol=AGREE, abs_tol=1e-12) for a, b in checks):
        raise SystemExit("python MPI loop disagrees with mpi")
    return {"seconds": seconds, "rows": int(matrix.shape[0])}


STEPS: dict[str, Callable[[int, int, int, int], Result]] = {
    "profile": step_profile,
    "group_loop": step_group_loop,
    "python_loop": step_python_loop,
    "mpi": step_mpi,
    "mpi_loop": step_mpi_loop,
}


def run(step: str, persons: int, groups: int, seed: int, sample: int, *, isolate: bool) -> Result:
    """One step, in its own process (``isolate``) or in this one (tests: tiny sizes)."""
    if not isolate:
        result = STEPS[step](persons, groups, seed, sample)
        return {**result, "peak_rss_mib": _peak_mib()}
    command = [
        sys.executable, "-m", "benchmarks.measures", step, "--persons", str(persons),
        "--groups", str(groups), "--seed", str(seed), "--sample", str(sample),
    ]  # fmt: skip
    print("  $", " ".join(command[2:]), flush=True)
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=dict(os.environ))
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"measures benchmark step {step} failed")
    parsed: Result = json.loads(done.stdout.strip().splitlines()[-1])
    return parsed


def _rate(rows: float, seconds: float) -> str:
    return f"{rows / seconds:,.0f}" if seconds else "—"


def bench_measures(
    persons: int = 10_000_000,
    *,
    machine: str,
    groups: int = 1000,
    sample: int = 100_000,
    seed: int = SEED,
    isolate: bool = True,
) -> str:
    """Run every step and return the Markdown section for docs/benchmarks.md."""
    sample = min(sample, persons)
    results = {}
    for step in STEPS:
        print(f"measures: {step} ({persons:,} persons)", flush=True)
        results[step] = run(step, persons, groups, seed, sample, isolate=isolate)
    profile, loop = results["profile"], results["group_loop"]
    for fast_value, loop_value in zip(profile["digest"], loop["digest"], strict=True):
        if not math.isclose(fast_value, loop_value, rel_tol=AGREE, abs_tol=1e-12):
            raise SystemExit("the per-group fgt loop disagrees with poverty_profile")
    python_loop, mpi_step, mpi_loop = results["python_loop"], results["mpi"], results["mpi_loop"]
    python_rate = python_loop["rows"] / python_loop["seconds"]
    mpi_rate = mpi_loop["rows"] / mpi_loop["seconds"]
    python_full = persons / python_rate
    mpi_full = persons / mpi_rate
    rows = [
        "| Step | Persons | Seconds | Persons/s | Peak RSS (MiB) |",
        "|---|---:|---:|---:|---:|",
        f"| `poverty_profile`: H, P1, P2, Watts, Gini, mean for {profile['groups']:,} groups "
        f"+ total | {persons:,} | {profile['seconds']:.2f} | "
        f"{_rate(persons, profile['seconds'])} | {profile['peak_rss_mib']} |",
        f"| `gini`, whole population, weighted | {persons:,} | {profile['gini_seconds']:.2f} | "
        f"{_rate(persons, profile['gini_seconds'])} | (same process) |",
        f"| `theil`, whole population, weighted | {persons:,} | {profile['theil_seconds']:.2f} | "
        f"{_rate(persons, profile['theil_seconds'])} | (same process) |",
        f"| `mpi`: 7 indicators (float32), person weights, {mpi_step['groups']:,} groups | "
        f"{persons:,} | {mpi_step['seconds']:.2f} | {_rate(persons, mpi_step['seconds'])} | "
        f"{mpi_step['peak_rss_mib']} |",
    ]
    ratios = [
        "| Work | Fast path s | Baseline | Baseline s | Baseline persons/s | Ratio |",
        "|---|---:|---|---:|---:|---:|",
        f"| grouped profile | {profile['seconds']:.2f} | per-group loop: mask each group, "
        f"`fgt` α=0,1,2 + `watts` + `gini` (measured, all rows; peak {loop['peak_rss_mib']} MiB) "
        f"| {loop['seconds']:.2f} | {_rate(persons, loop['seconds'])} | "
        f"{loop['seconds'] / profile['seconds']:.1f}× |",
        f"| grouped profile | {profile['seconds']:.2f} | pure-Python row loop, measured on "
        f"{python_loop['rows']:,} rows, **extrapolated** | {python_full:,.1f} | "
        f"{python_rate:,.0f} | {python_full / profile['seconds']:.0f}× |",
        f"| MPI | {mpi_step['seconds']:.2f} | pure-Python row loop, measured on "
        f"{mpi_loop['rows']:,} rows, **extrapolated** | {mpi_full:,.1f} | {mpi_rate:,.0f} | "
        f"{mpi_full / mpi_step['seconds']:.0f}× |",
    ]
    return "\n".join(
        [
            f"Run {datetime.now():%Y-%m-%d %H:%M}, {machine}; "
            f"load average {os.getloadavg()[0]:.2f} at the end (shared machine).",
            "",
            f"{persons:,} synthetic persons (numpy, seed {seed}): lognormal per-capita incomes "
            f"(median {MEDIAN_INCOME:,.0f} yuan, σ = {SIGMA}), integer person weights 1–5, "
            f"{groups:,} groups; line {LINE:,.0f} (headcount {profile['headcount']:.1%}, "
            f"Gini {profile['gini']:.4f}). MPI: the default indicator set (six 0/1 checks "
            f"deprived at 1–5 %, income against the line, k = 1/3): H {mpi_step['H']:.1%}, "
            f"M0 {mpi_step['M0']:.4f}. Each step in its own process; data generation "
            f"({profile['generate_seconds']:.1f} s) is not timed.",
            "",
            *rows,
            "",
            "Side by side, same run, same data; a baseline must give the same numbers (the "
            "per-group loop's sums of H, P1, P2, Watts and Gini over the groups; each Python "
            "loop on its sample) or the run fails. Ratio = baseline seconds ÷ fast-path seconds.",
            "",
            *ratios,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="one step of the measures benchmark")
    parser.add_argument("step", choices=sorted(STEPS))
    parser.add_argument("--persons", type=int, required=True)
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--sample", type=int, default=100_000)
    args = parser.parse_args()
    result = STEPS[args.step](args.persons, args.groups, args.seed, args.sample)
    result["peak_rss_mib"] = _peak_mib()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
