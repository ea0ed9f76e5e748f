"""Snapshot the published department feeds to the screening input contract (docs/snapshot.md).

``feeds_snapshot`` writes ``<target>/feeds/<feed>.parquet`` for all eight feeds with exactly
the schemas of :data:`fangpin.contract.feeds.FEED_TABLES`, from every **published** batch whose
period is not after the month of ``as_of``, keeping the rows matched to a person of the region
(``matched_village_code`` under ``region_prefix``). Unmatched rows are left out: screening
ignores them anyway (the importer reports them).

The published files are read as a pyarrow dataset, streamed batch by batch, never whole. They
hold no plaintext ID number, so the ID column (``headers.ID_COLUMNS``) becomes the keyed blind
index ``id_number_index``, upper-cased exactly as the registry snapshot upper-cases the
person's index (fangpin.registry.snapshot explains why); ``name`` becomes the matched person's
pseudonym ``P<person_id>``; ``certificate_number`` stays masked as published. A feed without a
published batch gives an empty file with the schema. Batches of the same rows published twice
(say by the county and by the 州) are left to screening, which drops exact duplicates.

``database_snapshot`` writes the registry and the feeds into one directory, atomically: the
input ``fangpin screen`` reads when it runs on the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
from django.db import connection

from fangpin.contract.feeds import FEED_TABLES
from fangpin.feeds import storage
from fangpin.feeds.headers import ID_COLUMNS
from fangpin.feeds.models import FeedBatch, FeedStatus
from fangpin.registry.snapshot import person_pseudonyms, write_registry
from fangpin.registry.snapshot_io import (
    BATCH_ROWS,
    SnapshotError,
    atomic_directory,
    audit_snapshot,
    check_region_prefix,
    manifest_base,
    snapshot_source,
    stream_to_parquet,
    write_manifest,
)

__all__ = ["database_snapshot", "feeds_snapshot", "write_feeds"]

_SYSTEM: Final = "system:snapshot"


def _batches_by_feed(region_prefix: str, as_of: date) -> dict[str, list[FeedBatch]]:
    """Published batches up to ``as_of``'s month that may hold rows of the region.

    A batch imported under another region's scope cannot (rows matched outside the importer's
    scope are never published), so only scopes containing or inside the region are read.
    """
    batches: dict[str, list[FeedBatch]] = {feed: [] for feed in FEED_TABLES}
    published = FeedBatch.objects.filter(
        status=FeedStatus.PUBLISHED, period__lte=f"{as_of:%Y-%m}"
    ).order_by("feed", "period", "created_at", "id")
    for batch in published.only("id", "feed", "period", "scope_prefix"):
        scope = batch.scope_prefix
        if batch.feed in batches and (
            scope.startswith(region_prefix) or region_prefix.startswith(scope)
        ):
            batches[batch.feed].append(batch)
    return batches


def _transform(feed: str) -> Callable[[pa.Table], pa.Table]:
    schema = FEED_TABLES[feed]
    id_column = ID_COLUMNS[feed]

    def to_contract(table: pa.Table) -> pa.Table:
        columns: dict[str, Any] = {}
        for name in schema.names:
            if name == id_column:
                columns[name] = pc.utf8_upper(table.column("id_number_index"))
            elif name == "name":
                columns[name] = person_pseudonyms(table.column("person_id"))
            else:
                columns[name] = table.column(name)
        return pa.table(columns)

    return to_contract


def _scan(feed: str, batches: list[FeedBatch], region_prefix: str) -> Iterator[pa.RecordBatch]:
    """Stream the rows of ``batches`` matched inside the region (pyarrow dataset scan)."""
    if not batches:
        return iter(())
    paths = []
    for batch in batches:
        path = storage.batch_dir(feed, batch.pk) / storage.PUBLISHED
        if not path.exists():
            raise _changed(feed, batch.pk)
        paths.append(str(path))
    published = storage.published_schema(feed)
    needed = sorted(
        {"id_number_index", "person_id", *FEED_TABLES[feed].names} - {ID_COLUMNS[feed]},
        key=published.names.index,
    )
    dataset = ds.dataset(paths, format="parquet", schema=published)
    scanner = dataset.scanner(
        columns=needed,
        filter=pc.starts_with(pc.field("matched_village_code"), pattern=region_prefix),
        batch_size=BATCH_ROWS,
        use_threads=False,  # files and batches in order: the same database, the same bytes
    )
    batches_out: Iterator[pa.RecordBatch] = scanner.to_batches()
    return batches_out


def _changed(feed: str, batch_id: object) -> SnapshotError:
    """A batch superseded (its file deleted) since the batch list was read: a retry reads the
    batch that replaced it."""
    return SnapshotError(
        "feed_changed", f"部门数据 {feed} 的批次 {batch_id} 在导出期间被替代，请重新导出"
    )


def write_feeds(
    directory: Path, *, region_prefix: str, as_of: date, batch_rows: int = BATCH_ROWS
) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Write ``directory/feeds/<feed>.parquet`` for every feed; rows and batch ids per feed."""
    check_region_prefix(region_prefix)
    counts: dict[str, int] = {}
    used: dict[str, list[str]] = {}
    for feed, batches in _batches_by_feed(region_prefix, as_of).items():
        try:
            counts[feed] = stream_to_parquet(
                _scan(feed, batches, region_prefix),
                directory / "feeds" / f"{feed}.parquet",
                FEED_TABLES[feed],
                _transform(feed),
                batch_rows=batch_rows,
            )
        except FileNotFoundError:  # deleted between the check and the scan
            raise _changed(feed, ", ".join(str(b.pk) for b in batches)) from None
        used[feed] = [str(batch.pk) for batch in batches]
    return counts, used


def _feeds_manifest(as_of: date, used: dict[str, list[str]]) -> dict[str, Any]:
    return {"as_of": as_of.isoformat(), "feed_batches": used}


def feeds_snapshot(
    target: Path,
    *,
    region_prefix: str,
    as_of: date,
    actor: object = _SYSTEM,
    batch_rows: int = BATCH_ROWS,
) -> dict[str, int]:
    """Write the published feeds of ``region_prefix`` up to ``as_of`` to ``target``.

    ``target/feeds/<feed>.parquet`` and ``target/manifest.json``, atomically; rows per feed.
    """
    check_region_prefix(region_prefix)
    target = Path(target)
    with atomic_directory(target) as staging:
        counts, used = write_feeds(
            staging, region_prefix=region_prefix, as_of=as_of, batch_rows=batch_rows
        )
        manifest = {
            **manifest_base(region_prefix, connection.vendor),
            **_feeds_manifest(as_of, used),
            "rows": counts,
        }
        write_manifest(staging, manifest)
    audit_snapshot(actor, "feeds", {**manifest, "target": str(target)})
    return counts


def database_snapshot(
    target: Path,
    *,
    region_prefix: str,
    as_of: date,
    actor: object = _SYSTEM,
    batch_rows: int = BATCH_ROWS,
) -> dict[str, int]:
    """Write the registry and the feeds of ``region_prefix`` into ``target``: a complete input
    of ``fangpin screen`` (docs/screening.md, Input contract), replaced atomically.

    Returns rows per table: the six registry tables and the eight feeds by name.
    """
    check_region_prefix(region_prefix)
    target = Path(target)
    with atomic_directory(target) as staging:
        with snapshot_source(staging) as source:
            registry = write_registry(
                source, staging, region_prefix=region_prefix, batch_rows=batch_rows
            )
            vendor = source.vendor
        feeds, used = write_feeds(
            staging, region_prefix=region_prefix, as_of=as_of, batch_rows=batch_rows
        )
        counts = {**registry, **feeds}
        manifest = {
            **manifest_base(region_prefix, vendor),
            **_feeds_manifest(as_of, used),
            "rows": counts,
        }
        write_manifest(staging, manifest)
    audit_snapshot(actor, "database", {**manifest, "target": str(target)})
    return counts
