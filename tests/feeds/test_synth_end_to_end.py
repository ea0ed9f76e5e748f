"""End to end: a seeded synthetic county, its registry loaded, its eight feeds imported.

The generator's messiness (docs/feeds.md) is what the importer must handle: typing noise in ID
numbers (matched after normalisation), unknown people (unmatched), wrong check characters
(invalid), exact and near duplicates. One feed also goes through the CLI as a GBK CSV with
Chinese headers and must give the same counts as its Parquet file.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from fangpin.cli import app
from fangpin.contract.feeds import FEED_TABLES
from fangpin.core.access import SYSTEM
from fangpin.feeds import services, storage
from fangpin.feeds.headers import CHINESE_HEADERS
from fangpin.feeds.models import FeedBatch, FeedStatus
from fangpin.registry.bulk import registry_bulk_load
from fangpin.synth import SynthConfig, VillageSpec, write_parquet
from tests.feeds.conftest import FULL_ID, full_ids_in_parquet

COUNTY = "433124"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """150 synthetic households over the real villages of 龙潭镇 (433124102), seed 11."""
    source = Path(__file__).parents[1] / "fixtures" / "regions" / "villages.csv"
    villages = [
        VillageSpec(
            code=code, name=name.strip('"'), township_code="433124102000", township_name="龙潭镇"
        )
        for code, name, *_ in (line.split(",") for line in source.read_text("utf-8").splitlines())
        if code.startswith("433124102")
    ]
    out = tmp_path_factory.mktemp("feeds-e2e") / "dataset"
    config = SynthConfig(seed=11, households=150, year=2024, reference_date=date(2024, 12, 31))
    write_parquet(
        villages, COUNTY, config, out, county_name="花垣县", neighbour_county_codes=["433122"]
    )
    return out


def test_every_synthetic_feed_imports_and_publishes(huayuan_regions: Any, dataset: Path) -> None:
    registry_bulk_load(actor="system:test", source_dir=dataset)
    summary = {}
    for feed in FEED_TABLES:
        path = dataset / "feeds" / f"{feed}.parquet"
        rows = pq.ParquetFile(path).metadata.num_rows
        batch = services.feed_import(
            actor=SYSTEM, feed=feed, period="2024-12", source=path, publish=True
        )
        assert batch.status == FeedStatus.PUBLISHED
        assert batch.rows_total == rows
        assert batch.rows_publishable == batch.rows_matched + batch.rows_unmatched
        assert (
            batch.rows_publishable
            + batch.rows_invalid
            + batch.rows_duplicate
            + batch.rows_out_of_scope
            == rows
        )
        invalid_reasons = {
            i["reason"].split("：")[0] for i in batch.report["issues"] if i["kind"] == "invalid"
        }
        # Every invalid row is a wrong check character the generator put in: the value lists
        # (hospital levels, events, codes …) agree with what departments send.
        assert invalid_reasons <= {"身份证号码校验位错误"}, (feed, invalid_reasons)
        published = storage.batch_dir(feed, batch.pk) / storage.PUBLISHED
        assert full_ids_in_parquet(published) == []
        assert FULL_ID.search(str(batch.report)) is None
        summary[feed] = (rows, batch.rows_matched, batch.rows_unmatched, batch.rows_invalid,
                         batch.rows_duplicate)  # fmt: skip
    assert FeedBatch.objects.filter(status=FeedStatus.PUBLISHED).count() == 8
    # (rows, matched, unmatched, invalid, duplicate) for seed 11: typing noise (lower-case x,
    # full-width digits, spaces) never stops a match; the one unknown person per feed has a
    # wrong check character here, so it is invalid rather than unmatched.
    assert summary == {
        "medical_claims": (108, 105, 0, 1, 2),
        "civil_affairs": (85, 82, 0, 1, 2),
        "education_dropouts": (5, 2, 0, 1, 2),
        "housing_assessments": (68, 65, 0, 1, 2),
        "disability_registrations": (4, 1, 0, 3, 0),
        "disaster_losses": (113, 110, 0, 1, 2),
        "employment_insurance": (14, 11, 0, 1, 2),
        "death_records": (7, 4, 0, 2, 1),
    }


def test_a_gbk_csv_with_chinese_headers_gives_the_parquet_counts_through_the_cli(
    huayuan_regions: Any, dataset: Path, tmp_path: Path
) -> None:
    registry_bulk_load(actor="system:test", source_dir=dataset)
    feed = "medical_claims"
    table = pq.read_table(dataset / "feeds" / f"{feed}.parquet")
    path = tmp_path / "医保结算.csv"
    with path.open("w", encoding="gbk", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([CHINESE_HEADERS[feed][name][0] for name in table.column_names])
        for row in table.to_pylist():
            writer.writerow(["" if v is None else str(v) for v in row.values()])
    runner = CliRunner()

    from_csv = runner.invoke(app, ["feeds", "import", feed, str(path), "--period", "2024-11"])
    from_parquet = runner.invoke(
        app,
        [
            "feeds",
            "import",
            feed,
            str(dataset / "feeds" / f"{feed}.parquet"),
            "--period",
            "2024-12",
        ],
    )

    assert from_csv.exit_code == 0, from_csv.output
    assert from_parquet.exit_code == 0, from_parquet.output
    csv_batch = FeedBatch.objects.get(period="2024-11")
    parquet_batch = FeedBatch.objects.get(period="2024-12")
    assert csv_batch.source_encoding == "gbk"
    fields = ("rows_total", "rows_matched", "rows_unmatched", "rows_invalid", "rows_duplicate")
    assert [getattr(csv_batch, f) for f in fields] == [getattr(parquet_batch, f) for f in fields]
    assert csv_batch.report["issues"] == parquet_batch.report["issues"]
