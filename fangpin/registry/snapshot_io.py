"""The plumbing of a database snapshot: ADBC source, atomic directory, streamed Parquet.

Shared by the registry snapshot (``fangpin.registry.snapshot``) and the feed snapshot
(``fangpin.feeds.snapshot``); docs/snapshot.md describes the whole.

- :func:`snapshot_source` opens the Django database through ADBC so that every query sees
  one consistent state (PostgreSQL: one ``REPEATABLE READ READ ONLY`` transaction; SQLite: a
  private copy, see :func:`_sqlite_copy`).
- :func:`stream_to_parquet` regroups record batches into row groups of ``batch_rows`` rows,
  checks each against the contract (``fangpin.contract.validate_table``) and writes it: memory
  is bounded by one row group, whatever the size of the region.
- :func:`atomic_directory` stages everything beside the target and renames it into place.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote, urlencode

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.db import connections, transaction

from fangpin.contract import CONTRACT_VERSION, validate_table
from fangpin.core.audit import audit_record

__all__ = [
    "BATCH_ROWS",
    "SnapshotError",
    "SnapshotSource",
    "atomic_directory",
    "audit_snapshot",
    "check_region_prefix",
    "conform",
    "manifest_base",
    "snapshot_source",
    "stream_to_parquet",
    "write_manifest",
]

#: Rows per Parquet row group (and the most rows held at once per table).
BATCH_ROWS: Final = 65_536
_REGION_PREFIX = re.compile(r"[0-9]{6,12}")
_DJANGO_ONLY_OPTIONS: Final = frozenset(
    {"pool", "server_side_binding", "isolation_level", "assume_role", "cursor_factory", "context"}
)


class SnapshotError(Exception):
    """The snapshot cannot be made; ``message`` is Chinese and names no personal data."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def check_region_prefix(region_prefix: str) -> str:
    """The region prefix, checked: 6 to 12 digits (a county or anything below it)."""
    if not isinstance(region_prefix, str) or not _REGION_PREFIX.fullmatch(region_prefix):
        raise SnapshotError(
            "region",
            f"区划代码前缀“{region_prefix}”无效：应为6至12位数字（县级或以下，如 433124）",
        )
    return region_prefix


# --- atomic output ---------------------------------------------------------------------------


@contextmanager
def atomic_directory(target: Path) -> Iterator[Path]:
    """Yield an empty staging directory beside ``target``; on success it becomes ``target``.

    An existing ``target`` is moved aside first and deleted after the rename, so a reader
    finds the old snapshot, the new one or (for the instant between two renames) none, never
    a mixture; on any error the staging directory is deleted and ``target`` is left as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        yield staging
        old: Path | None = None
        if target.exists():
            old = target.parent / f".{target.name}.old-{uuid.uuid4().hex}"
            os.replace(target, old)
        os.replace(staging, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_manifest(directory: Path, manifest: Mapping[str, Any]) -> None:
    (directory / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n", "utf-8"
    )


def manifest_base(region_prefix: str, vendor: str) -> dict[str, Any]:
    return {
        "source": "database",
        "database": vendor,
        "region_prefix": region_prefix,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "contract_version": CONTRACT_VERSION,
    }


# --- the ADBC source -------------------------------------------------------------------------


class SnapshotSource:
    """One ADBC connection reading one consistent state, and the SQL dialect it speaks."""

    def __init__(self, connection: Any, vendor: str) -> None:
        self.connection = connection
        self.vendor = vendor

    def money(self, expr: str) -> str:
        # SQLite keeps a Django DecimalField as REAL/INTEGER: "%.2f" gives the exact cents
        # text; PostgreSQL's numeric arrives as an opaque extension type, text is portable.
        if self.vendor == "sqlite":
            return f"printf('%.2f', {expr})"
        return f"CAST({expr} AS TEXT)"

    def nullable(self, expr: str) -> str:
        # The SQLite driver infers a column's type from its first batch and falls back to
        # int64 when that batch is all NULL, then fails on the first date; text with "" for
        # NULL has one type whatever the data (turned back into nulls by ``conform``).
        if self.vendor == "sqlite":
            return f"COALESCE(CAST({expr} AS TEXT), '')"
        return expr

    def batches(self, sql: str) -> Iterator[pa.RecordBatch]:
        cursor = self.connection.cursor()
        try:
            if self.vendor == "sqlite":
                cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": "8192"})
            cursor.execute(sql)
            yield from cursor.fetch_record_batch()
        finally:
            cursor.close()


def _execute(connection: Any, sql: str) -> None:
    cursor = connection.cursor()
    try:
        cursor.execute(sql)
    finally:
        cursor.close()


def _postgres_uri(settings: Mapping[str, Any]) -> str:
    user = quote(str(settings.get("USER") or ""), safe="")
    password = quote(str(settings.get("PASSWORD") or ""), safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = str(settings.get("HOST") or "")
    host = f"[{host}]" if ":" in host else quote(host, safe="")
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    name = quote(str(settings.get("NAME") or ""), safe="")
    # libpq parameters (sslmode, options, …) pass through; Django's own OPTIONS do not.
    options = {
        key: str(value)
        for key, value in (settings.get("OPTIONS") or {}).items()
        if isinstance(value, str | int) and key not in _DJANGO_ONLY_OPTIONS
    }
    query = f"?{urlencode(options, quote_via=quote)}" if options else ""
    return f"postgresql://{auth}{host}{port}/{name}{query}"


def _is_in_memory(name: object) -> bool:
    text = str(name)
    return text in {"", ":memory:"} or "mode=memory" in text


def _sqlite_copy(wrapper: Any, copy: Path) -> None:
    """A private, consistent copy of the SQLite database, made by the sqlite3 module.

    The ADBC driver carries its own copy of the SQLite library. Two copies of SQLite in one
    process must not open the same database file: POSIX locks are per process, so neither
    sees the other's locks and closing one's file releases the other's (sqlite.org/
    howtocorrupt.html §2.2.1) — measured here as a write committed by the sqlite3 module
    during an ADBC read transaction showing up in it. So the live file is only ever opened
    by the sqlite3 module (Django's copy of SQLite): the online-backup API copies it in one
    step, one read transaction (WAL keeps writers going meanwhile), and ADBC reads the copy,
    which nobody else touches. An in-memory database (tests) is serialised from Django's own
    connection instead, which includes what that connection sees, uncommitted rows too.
    """
    if _is_in_memory(wrapper.settings_dict["NAME"]):
        wrapper.ensure_connection()
        copy.write_bytes(wrapper.connection.serialize())
        return
    live = Path(str(wrapper.settings_dict["NAME"])).resolve()
    source = sqlite3.connect(f"file:{quote(str(live))}?mode=ro", uri=True, timeout=20)
    target = sqlite3.connect(copy)
    try:
        source.backup(target)  # pages=-1: everything in one step
        target.execute("PRAGMA journal_mode=DELETE")  # the copy needs no -wal/-shm files
    finally:
        target.close()
        source.close()


@contextmanager
def snapshot_source(scratch: Path, alias: str = "default") -> Iterator[SnapshotSource]:
    """Open the Django database ``alias`` through ADBC, all reads from one consistent state.

    PostgreSQL: one ``REPEATABLE READ READ ONLY`` transaction. SQLite: a private copy made
    in ``scratch`` (the staging directory; see :func:`_sqlite_copy`), opened read-only and
    deleted when the source closes — it needs free disk space the size of the database.
    """
    wrapper = connections[alias]
    if wrapper.vendor == "sqlite":
        import adbc_driver_sqlite.dbapi as adbc_sqlite

        copy = scratch / f".source-{uuid.uuid4().hex}.sqlite3"
        try:
            _sqlite_copy(wrapper, copy)
            connection = adbc_sqlite.connect(f"file:{quote(str(copy))}?mode=ro", autocommit=True)
            try:
                yield SnapshotSource(connection, "sqlite")
            finally:
                connection.close()
        finally:
            for leftover in scratch.glob(f"{copy.name}*"):
                leftover.unlink(missing_ok=True)
        return
    if wrapper.vendor == "postgresql":
        import adbc_driver_postgresql.dbapi as adbc_postgresql

        connection = adbc_postgresql.connect(_postgres_uri(wrapper.settings_dict), autocommit=True)
        try:
            # The snapshot is taken at the first statement and holds for all six queries.
            _execute(connection, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield SnapshotSource(connection, "postgresql")
            _execute(connection, "ROLLBACK")
        finally:
            connection.close()
        return
    raise SnapshotError("database", f"不支持从 {wrapper.vendor} 数据库导出快照")


# --- conforming batches ----------------------------------------------------------------------


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Turn the text stand-ins of nullable columns back into nulls, then validate and cast.

    ``fangpin.contract.validate_table`` does the checking (columns, nulls, types): a snapshot
    that would not load in screening is never written.
    """
    for field in schema:
        if field.name not in table.column_names:
            continue
        column = table.column(field.name)
        if (
            field.nullable
            and pa.types.is_string(column.type)
            and not pa.types.is_string(field.type)
        ):
            blank = pc.equal(column, "")
            column = pc.if_else(blank, pa.scalar(None, column.type), column)
            table = table.set_column(table.schema.get_field_index(field.name), field.name, column)
    return validate_table(table, schema)


def stream_to_parquet(
    batches: Iterator[pa.RecordBatch],
    path: Path,
    schema: pa.Schema,
    transform: Callable[[pa.Table], pa.Table],
    *,
    batch_rows: int = BATCH_ROWS,
) -> int:
    """Write ``batches`` (transformed, validated) to ``path``, ``batch_rows`` per row group.

    Returns the number of rows. An empty source gives a valid Parquet file with the schema.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    total = 0
    pending: list[pa.RecordBatch] = []
    held = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:

        def flush() -> None:
            nonlocal pending, held, total
            if not held:
                return
            table = conform(transform(pa.Table.from_batches(pending)), schema)
            writer.write_table(table)
            total += table.num_rows
            pending, held = [], 0

        for batch in batches:
            start = 0
            while start < batch.num_rows:  # fill row groups of exactly batch_rows rows
                take = min(batch_rows - held, batch.num_rows - start)
                pending.append(batch.slice(start, take))
                held += take
                start += take
                if held == batch_rows:
                    flush()
        flush()
    return total


def audit_snapshot(actor: object, kind: str, manifest: Mapping[str, Any]) -> None:
    """One audit event per snapshot: personal data (pseudonymised) left the database."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=f"snapshot.{kind}",
            object_type="snapshot",
            object_id=manifest["region_prefix"],
            changes=dict(manifest),
        )
