"""The input contract: the dataset directory that ``fangpin.synth.write_parquet`` writes.

::

    <dataset>/registry/<table>.parquet   households persons finances conditions monitorings
                                         monitoring_risks (fangpin.contract.REGISTRY_TABLES)
    <dataset>/feeds/<feed>.parquet       the eight department feeds (FEED_TABLES)

Every file is required and is checked against its Arrow schema in :mod:`fangpin.contract`
(columns, types, nulls) before anything runs, so a rule never meets a missing column. A
``manifest.json`` is not needed. The checks read only each file's Parquet footer (schema and
row-group null counts), and the files are registered on an Ibis backend as views that the
backend reads itself when a query needs them (DuckDB ``read_parquet``, Spark
``spark.read.parquet``), never loaded whole; rules only see Ibis tables.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from ibis.backends import BaseBackend
from ibis.expr.types import Table

from fangpin.contract import REGISTRY_TABLES, ContractError, validate_table
from fangpin.contract.feeds import FEED_TABLES
from fangpin.screening.engines import connect, register_arrow, register_parquet
from fangpin.screening.errors import ScreeningError

__all__ = [
    "INPUT_FILES",
    "ScreeningInput",
    "check_file",
    "connect",
    "input_from_arrow",
    "load_input",
    "read_validated",
]

#: Relative path -> (table name, schema), registry first.
INPUT_FILES: dict[str, tuple[str, pa.Schema]] = {
    **{f"registry/{name}.parquet": (name, schema) for name, schema in REGISTRY_TABLES.items()},
    **{f"feeds/{name}.parquet": (name, schema) for name, schema in FEED_TABLES.items()},
}

_CHUNK = 1 << 20


@dataclass(frozen=True)
class ScreeningInput:
    """The validated tables on one backend, and the SHA-256 of each input file."""

    backend: BaseBackend
    tables: dict[str, Table]
    file_hashes: Mapping[str, str]  # relative path -> SHA-256 (may still be computing)

    def __getitem__(self, name: str) -> Table:
        return self.tables[name]


def _sha256(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB blocks (hashlib releases the GIL, so it runs beside
    the rules in a thread)."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


class _PendingHashes(Mapping[str, str]):
    """File hashes computed in a background thread; reading one waits for it."""

    def __init__(self, futures: dict[str, Future[str]]) -> None:
        self._futures = futures

    def __getitem__(self, key: str) -> str:
        return self._futures[key].result()

    def __iter__(self) -> Iterator[str]:
        return iter(self._futures)

    def __len__(self) -> int:
        return len(self._futures)


def _column_hint(exc: ContractError, schema: pa.Schema, columns: list[str]) -> str:
    if exc.code == "columns":
        missing = [f.name for f in schema if f.name not in columns]
        if missing:
            return f"缺少列 {'、'.join(missing)}"
        extra = [c for c in columns if c not in schema.names]
        return f"多出列 {'、'.join(extra)}"
    return exc.message


def _contract_error(
    relative: str, exc: ContractError, schema: pa.Schema, columns: list[str]
) -> ScreeningError:
    hint = _column_hint(exc, schema, columns)
    return ScreeningError("contract", f"文件 {relative}：{hint}（{exc.message}）")


def _require(path: Path, relative: str) -> None:
    if not path.is_file():
        name = INPUT_FILES[relative][0]
        raise ScreeningError("missing_table", f"输入目录缺少文件 {relative}（表 {name}）")


def _unreadable(relative: str, exc: Exception) -> ScreeningError:
    return ScreeningError("unreadable", f"文件 {relative} 不是可读的 Parquet 文件：{exc}")


def read_validated(path: Path, relative: str) -> pa.Table:
    """Read one contract file and return it cast to its schema, or raise ScreeningError."""
    schema = INPUT_FILES[relative][1]
    _require(path, relative)
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise _unreadable(relative, exc) from exc
    try:
        return validate_table(table, schema)
    except ContractError as exc:
        raise _contract_error(relative, exc, schema, table.column_names) from exc


def _null_counts(metadata: pq.FileMetaData, names: list[str]) -> dict[str, int | None]:
    """Nulls per column from the row groups' statistics; None where a row group has none."""
    index = {metadata.schema.column(i).path: i for i in range(metadata.num_columns)}
    counts: dict[str, int | None] = {}
    for name in names:
        total: int | None = 0
        for group in range(metadata.num_row_groups):
            stats = metadata.row_group(group).column(index[name]).statistics
            if stats is None or not stats.has_null_count or total is None:
                total = None
                break
            total += stats.null_count
        counts[name] = total
    return counts


def check_file(path: Path, relative: str) -> tuple[bool, list[str]]:
    """Validate one contract file from its Parquet footer, without reading the data.

    Same checks and messages as :func:`read_validated`, in the same order: the columns (from
    the schema), then nulls in non-null columns (from the row-group statistics; a column whose
    statistics lack a null count is returned, to be counted by one query), then the types.
    Returns whether every column already has its contract type, so the file can be read as it
    is (when one must be cast, only reading the values can check it: the caller then falls
    back to :func:`read_validated`), and the non-null columns without null counts.
    """
    name, schema = INPUT_FILES[relative]
    _require(path, relative)
    try:
        with pq.ParquetFile(path) as parquet:
            metadata, found = parquet.metadata, parquet.schema_arrow
    except (pa.ArrowException, OSError) as exc:
        raise _unreadable(relative, exc) from exc
    try:
        # columns (and that casts exist); from_batches: Schema.empty_table() imports pandas
        validate_table(pa.Table.from_batches([], schema=found), schema)
    except ContractError as exc:
        if exc.code == "columns":
            raise _contract_error(relative, exc, schema, found.names) from exc
        return False, []
    counts = _null_counts(metadata, [f.name for f in schema if not f.nullable])
    for column, nulls in counts.items():
        if nulls:
            raise _null_error(relative, name, column, nulls)
    exact = all(found.field(f.name).type == f.type for f in schema)
    return exact, [column for column, nulls in counts.items() if nulls is None]


def _null_error(relative: str, name: str, column: str, nulls: int) -> ScreeningError:
    message = f"表 {name} 的列 {column} 不允许为空，却有 {nulls} 个空值"  # as validate_table
    return ScreeningError("contract", f"文件 {relative}：{message}（{message}）")


def _count_nulls(table: Table, relative: str, columns: list[str]) -> None:
    """One aggregate over the columns whose statistics gave no null count."""
    if not columns:
        return
    name = INPUT_FILES[relative][0]
    counts = table.aggregate(**{c: table[c].isnull().cast("int64").sum() for c in columns})
    row = counts.to_pyarrow().to_pylist()[0]
    for column in columns:
        if row[column]:
            raise _null_error(relative, name, column, row[column])


def load_input(directory: Path, backend: BaseBackend | None = None) -> ScreeningInput:
    """Validate every contract file under ``directory`` and register it on ``backend``.

    The files are not read into memory: each is checked from its Parquet footer
    (:func:`check_file`) and registered as a view the backend reads when a query needs it
    (DuckDB ``read_parquet``, Spark ``spark.read.parquet``). A file with a column of another
    type than the contract's is read, validated and cast as a whole instead. The files are
    hashed (for the run id) in a background thread while the rules run. As the queries read
    the files, they must stay in place and unchanged until ``screen`` returns.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ScreeningError("no_input", f"输入目录不存在：{directory}")
    # Every footer first, in contract order: the first bad file stops the run before any work.
    checked = {relative: check_file(directory / relative, relative) for relative in INPUT_FILES}
    backend = backend or connect()
    tables: dict[str, Table] = {}
    for relative, (name, schema) in INPUT_FILES.items():
        path = directory / relative
        exact, uncounted = checked[relative]
        if exact:
            tables[name] = register_parquet(backend, name, path, schema)
            _count_nulls(tables[name], relative, uncounted)
        else:
            tables[name] = register_arrow(backend, name, read_validated(path, relative))
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fangpin-hash")
    futures = {relative: pool.submit(_sha256, directory / relative) for relative in INPUT_FILES}
    pool.shutdown(wait=False)
    return ScreeningInput(backend=backend, tables=tables, file_hashes=_PendingHashes(futures))


def input_from_arrow(
    arrow_tables: dict[str, pa.Table], backend: BaseBackend | None = None
) -> ScreeningInput:
    """Register in-memory tables (tests, the later database snapshot); validated the same way.

    ``file_hashes`` are then hashes of each table's IPC serialisation.
    """
    backend = backend or connect()
    tables: dict[str, Table] = {}
    hashes: dict[str, str] = {}
    for relative, (name, schema) in INPUT_FILES.items():
        if name not in arrow_tables:
            raise ScreeningError("missing_table", f"输入缺少表 {name}（{relative}）")
        raw = arrow_tables[name]
        try:
            arrow = validate_table(raw, schema)
        except ContractError as exc:
            raise _contract_error(relative, exc, schema, raw.column_names) from exc
        tables[name] = register_arrow(backend, name, arrow)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, arrow.schema) as writer:
            writer.write_table(arrow)
        hashes[relative] = hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()
    return ScreeningInput(backend=backend, tables=tables, file_hashes=hashes)
