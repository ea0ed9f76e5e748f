"""feeds_snapshot and database_snapshot: the published feeds and the registry as screening input.

The strong test: a synthetic county goes into the database (bulk loader), its eight feeds
through the importer (published), and the database snapshot must make screening find exactly
what it finds on the generated dataset itself. On PostgreSQL the tests commit
(``transaction=True``): the registry part reads through its own ADBC connection.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.db import connection

from fangpin.contract import REGISTRY_TABLES
from fangpin.contract.feeds import FEED_TABLES
from fangpin.core.access import SYSTEM
from fangpin.core.models import AuditEvent
from fangpin.feeds import services, storage
from fangpin.feeds.headers import ID_COLUMNS
from fangpin.feeds.models import FeedBatch, FeedStatus
from fangpin.feeds.snapshot import database_snapshot, feeds_snapshot
from fangpin.policy import resolve
from fangpin.registry.bulk import registry_bulk_load
from fangpin.registry.models import Person, identity_index
from fangpin.registry.snapshot import SnapshotError
from fangpin.screening import load_input, screen
from fangpin.synth import MessinessRates, SynthConfig, VillageSpec, write_parquet
from tests.feeds.conftest import FULL_ID, write_csv
from tests.registry import test_snapshot as registry_snapshot_tests
from tests.registry.test_snapshot import (
    GRANDPA,
    LI,
    NAMES,
    PHONES,
    WANG,
    ZHANG,
)

#: The hand-built registry of tests/registry/test_snapshot.py (a fixture, found by name).
loaded = registry_snapshot_tests.loaded

pytestmark = pytest.mark.django_db(transaction=connection.vendor == "postgresql")

COUNTY = "433124"
AS_OF = date(2024, 12, 31)
UPPER_HEX = re.compile(r"^[0-9A-F]{64}$")


def _import(feed: str, path: Path, period: str, *, publish: bool = True) -> FeedBatch:
    return services.feed_import(
        actor=SYSTEM, feed=feed, period=period, source=path, publish=publish
    )


def _deaths(tmp_path: Path, name: str, *rows: list[Any]) -> Path:
    return write_csv(tmp_path / name, list(rows))


# --- exact rows on the hand-built registry -----------------------------------------------------


@pytest.fixture
def deaths_published(loaded: dict[str, int], tmp_path: Path) -> FeedBatch:
    """One published death feed for 2024-12: 张三 (花垣县), 王五 (泸溪县), a stranger."""
    path = _deaths(
        tmp_path,
        "deaths.csv",
        ["GASW0000000001", f" {ZHANG.lower()} ", "张三 ", "2024-11-02", "2024-11-20"],
        ["GASW0000000002", WANG, "王五", "2024-10-01", "2024-10-09"],
        ["GASW0000000003", "433124198001010012", "陌生人", "2024-10-03", "2024-10-22"],
    )
    return _import("death_records", path, "2024-12")


def test_feed_rows_of_the_region_with_blind_index_and_pseudonym(
    deaths_published: FeedBatch, tmp_path: Path
) -> None:
    counts = feeds_snapshot(tmp_path / "snap", region_prefix=COUNTY, as_of=AS_OF)
    assert counts == {feed: 1 if feed == "death_records" else 0 for feed in FEED_TABLES}
    zhang = Person.objects.get(id_number_index=identity_index("1", ZHANG))
    rows = pq.read_table(tmp_path / "snap" / "feeds" / "death_records.parquet").to_pylist()
    assert rows == [
        {
            "record_id": "GASW0000000001",
            "id_number": identity_index("1", ZHANG).upper(),
            "name": f"P{zhang.pk}",
            "death_date": date(2024, 11, 2),
            "reported_on": date(2024, 11, 20),
        }
    ]
    for feed, schema in FEED_TABLES.items():
        table = pq.read_table(tmp_path / "snap" / "feeds" / f"{feed}.parquet")
        assert table.schema.equals(schema), feed  # empty feeds too: the exact contract


def test_the_feed_id_joins_the_registry_id_in_one_database_snapshot(
    deaths_published: FeedBatch, tmp_path: Path
) -> None:
    counts = database_snapshot(tmp_path / "snap", region_prefix=COUNTY, as_of=AS_OF)
    assert counts["death_records"] == 1
    assert counts["persons"] == 4
    persons = pq.read_table(tmp_path / "snap" / "registry" / "persons.parquet").to_pylist()
    death = pq.read_table(tmp_path / "snap" / "feeds" / "death_records.parquet").to_pylist()[0]
    (person,) = [p for p in persons if p["id_number"] == death["id_number"]]
    assert person["name"] == death["name"]
    assert UPPER_HEX.match(death["id_number"])
    assert sorted(p.name for p in (tmp_path / "snap").iterdir()) == [
        "feeds",
        "manifest.json",
        "registry",
    ]


def test_only_published_batches_up_to_the_month_of_as_of(
    deaths_published: FeedBatch, tmp_path: Path
) -> None:
    later = _deaths(
        tmp_path, "later.csv", ["GASW0000000009", LI, "李梅", "2025-01-02", "2025-01-03"]
    )
    staged = _deaths(
        tmp_path, "staged.csv", ["GASW0000000008", GRANDPA, "张老汉", "2024-09-01", "2024-09-02"]
    )
    _import("death_records", later, "2025-01")
    _import("death_records", staged, "2024-11", publish=False)
    assert FeedBatch.objects.filter(status=FeedStatus.PUBLISHED).count() == 2

    def record_ids(as_of: date) -> list[str]:
        feeds_snapshot(tmp_path / "snap", region_prefix=COUNTY, as_of=as_of)
        deaths = pq.read_table(tmp_path / "snap" / "feeds" / "death_records.parquet")
        return sorted(deaths["record_id"].to_pylist())

    assert record_ids(AS_OF) == ["GASW0000000001"]
    assert record_ids(date(2025, 1, 1)) == ["GASW0000000001", "GASW0000000009"]
    assert record_ids(date(2024, 11, 30)) == []


def test_another_county_sees_only_its_own_rows(deaths_published: FeedBatch, tmp_path: Path) -> None:
    feeds_snapshot(tmp_path / "luxi", region_prefix="433122", as_of=AS_OF)
    rows = pq.read_table(tmp_path / "luxi" / "feeds" / "death_records.parquet").to_pylist()
    assert [r["record_id"] for r in rows] == ["GASW0000000002"]
    assert rows[0]["id_number"] == identity_index("1", WANG).upper()


def _plaintext_in(directory: Path, texts: tuple[str, ...]) -> list[str]:
    """Names, phones or full ID numbers in any file: raw bytes and every decoded value."""
    hits = []
    for path in sorted(directory.rglob("*")):
        if not path.is_file():
            continue
        raw = path.read_bytes()
        hits += [f"{path.name}: bytes {text}" for text in texts if text.encode() in raw]
        if path.suffix != ".parquet":
            continue
        table = pq.read_table(path)
        for name in table.column_names:
            values = [str(v) for v in table.column(name).to_pylist() if v is not None]
            hits += [f"{path.name}: {name}" for v in values for t in texts if t in v]
            if name not in {"id_number", "head_id_number", "phone"}:  # 64-hex blind indexes
                hits += [f"{path.name}: {name} full ID" for v in values if FULL_ID.search(v)]
    return hits


def test_no_plaintext_in_a_database_snapshot(deaths_published: FeedBatch, tmp_path: Path) -> None:
    database_snapshot(tmp_path / "snap", region_prefix=COUNTY, as_of=AS_OF)
    assert _plaintext_in(tmp_path / "snap", (ZHANG, ZHANG.lower(), LI, WANG, *PHONES, *NAMES)) == []


def test_a_feed_file_gone_midway_is_a_clear_error_and_writes_nothing(
    deaths_published: FeedBatch, tmp_path: Path
) -> None:
    storage.remove_batch_files("death_records", deaths_published.pk)
    before = AuditEvent.objects.count()
    with pytest.raises(SnapshotError) as caught:
        database_snapshot(tmp_path / "snap", region_prefix=COUNTY, as_of=AS_OF)
    assert caught.value.code == "feed_changed"
    assert not (tmp_path / "snap").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".snap")] == []
    assert AuditEvent.objects.count() == before


# --- the strong one: screening the snapshot = screening the generated dataset -----------------


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 synthetic households over the real villages of 龙潭镇 (433124102), seed 5.

    Every person is registered with a resident ID card (``disability_certificate_id_share``
    0): the database keys a disability card (type 2) by its holder's resident identity, the
    first 18 characters, so the snapshot matches a 残联 row to its holder where the raw
    dataset, comparing the 20-character card number as text, does not. And no near-duplicates
    (``near_duplicate`` 0): the importer refuses the same person and event under a new record
    id, which the raw dataset keeps (screening folds only hospital stays), so the raw dataset
    would count such a disaster twice. Every other kind of messiness stays in: typing noise in
    ID numbers, exact duplicates, unknown people, late records.
    """
    source = Path(__file__).parents[1] / "fixtures" / "regions" / "villages.csv"
    villages = [
        VillageSpec(
            code=code, name=name.strip('"'), township_code="433124102000", township_name="龙潭镇"
        )
        for code, name, *_ in (line.split(",") for line in source.read_text("utf-8").splitlines())
        if code.startswith("433124102")
    ]
    out = tmp_path_factory.mktemp("snapshot-e2e") / "dataset"
    config = SynthConfig(
        seed=5,
        households=300,
        year=2024,
        reference_date=AS_OF,
        disability_certificate_id_share=0.0,
        messiness=MessinessRates(near_duplicate=0.0),
    )
    write_parquet(
        villages, COUNTY, config, out, county_name="花垣县", neighbour_county_codes=["433122"]
    )
    return out


def _findings(directory: Path) -> set[tuple[str, str, str]]:
    result = screen(load_input(directory), resolve(2024, COUNTY), month=date(2024, 12, 1))
    findings = result.findings.select(["rule_code", "household_number", "reason_zh"])
    return {(r["rule_code"], r["household_number"], r["reason_zh"]) for r in findings.to_pylist()}


def test_screening_the_snapshot_finds_what_screening_the_dataset_finds(
    huayuan_regions: Any, dataset: Path, tmp_path: Path
) -> None:
    registry_bulk_load(actor="system:test", source_dir=dataset)
    for feed in FEED_TABLES:
        batch = _import(feed, dataset / "feeds" / f"{feed}.parquet", "2024-12")
        assert batch.status == FeedStatus.PUBLISHED
    target = tmp_path / "snapshot"

    counts = database_snapshot(target, region_prefix=COUNTY, as_of=AS_OF)

    for name in REGISTRY_TABLES:  # the whole county, row for row
        assert (
            counts[name]
            == pq.ParquetFile(dataset / "registry" / f"{name}.parquet").metadata.num_rows
        )
    from_database = _findings(target)
    from_dataset = _findings(dataset)
    assert from_database == from_dataset
    rules = {code for code, _, _ in from_dataset}
    assert len(from_dataset) > 100
    assert len(rules) >= 15, sorted(rules)
    # Rules that need a feed row matched to a person found something: the join on the blind
    # index works on both sides.
    assert {"quality.deceased_still_counted", "trigger.large_hospital_bill"} <= rules
    for feed in FEED_TABLES:
        ids = pq.read_table(target / "feeds" / f"{feed}.parquet")[ID_COLUMNS[feed]].to_pylist()
        assert all(UPPER_HEX.match(value) for value in ids), feed


@pytest.mark.parametrize("prefix", ["43", "4331", "433124\n", "４３３１２４"])
def test_the_region_must_be_a_county_or_below(db: None, tmp_path: Path, prefix: str) -> None:
    with pytest.raises(SnapshotError) as caught:
        database_snapshot(tmp_path / "snap", region_prefix=prefix, as_of=AS_OF)
    assert caught.value.code == "region"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["var"]
    assert AuditEvent.objects.count() == 0
