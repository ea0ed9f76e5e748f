"""The input contract: the dataset directory that ``fangpin.synth.write_parquet`` writes.

::

    <dataset>/registry/<table>.parquet   households persons finances conditions monitorings
                                         monitoring_risks (fangpin.contract.REGISTRY_TABLES)
    <dataset>/feeds/<feed>.parquet       the eight department feeds (FEED_TABLES)

Every file is required and is checked against its Arrow schema in :mod:`fangpin.contract`
(columns, types, nulls) before anything runs, so a rule never meets a missing column. A
``manifest.json`` is not needed. The validated tables are registered on an Ibis backend
(an in-memory DuckDB by default, or Spark, which reads the files itself); rules only see Ibis
tables.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from ibis.backends import BaseBackend
from ibis.expr.types import Table

from fangpin.contract import REGISTRY_TABLES, ContractError, validate_table
from fangpin.contract.feeds import FEED_TABLES
from fangpin.screening.engines import connect, engine_name, register_arrow, register_parquet
from fangpin.screening.errors import ScreeningError

__all__ = [
    "INPUT_FILES",
    "ScreeningInput",
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
    file_hashes: dict[str, str]

    def __getitem__(self, name: str) -> Table:
        return self.tables[name]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _column_hint(exc: ContractError, schema: pa.Schema, table: pa.Table) -> str:
    if exc.code == "columns":
        missing = [f.name for f in schema if f.name not in table.column_names]
        if missing:
            return f"缺少列 {'、'.join(missing)}"
        extra = [c for c in table.column_names if c not in schema.names]
        return f"多出列 {'、'.join(extra)}"
    return exc.message


def read_validated(path: Path, relative: str) -> pa.Table:
    """Read one contract file and return it cast to its schema, or raise ScreeningError."""
    name, schema = INPUT_FILES[relative]
    if not path.is_file():
        raise ScreeningError("missing_table", f"输入目录缺少文件 {relative}（表 {name}）")
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise ScreeningError(
            "unreadable", f"文件 {relative} 不是可读的 Parquet 文件：{exc}"
        ) from exc
    try:
        return validate_table(table, schema)
    except ContractError as exc:
        raise ScreeningError(
            "contract", f"文件 {relative}：{_column_hint(exc, schema, table)}（{exc.message}）"
        ) from exc


def load_input(directory: Path, backend: BaseBackend | None = None) -> ScreeningInput:
    """Validate every contract file under ``directory`` and register it on ``backend``."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ScreeningError("no_input", f"输入目录不存在：{directory}")
    backend = backend or connect()
    on_spark = engine_name(backend) == "spark"
    tables: dict[str, Table] = {}
    hashes: dict[str, str] = {}
    for relative in INPUT_FILES:
        path = directory / relative
        arrow = read_validated(path, relative)
        name, schema = INPUT_FILES[relative]
        if on_spark:
            # Validated here (same checks and messages on every engine), then read by Spark
            # from the file itself, typed as the contract says.
            del arrow
            tables[name] = register_parquet(backend, name, path, schema)
        else:
            tables[name] = backend.create_table(name, arrow, overwrite=True)
        hashes[relative] = _sha256(path)
    return ScreeningInput(backend=backend, tables=tables, file_hashes=hashes)


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
            raise ScreeningError(
                "contract", f"文件 {relative}：{_column_hint(exc, schema, raw)}（{exc.message}）"
            ) from exc
        tables[name] = register_arrow(backend, name, arrow)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, arrow.schema) as writer:
            writer.write_table(arrow)
        hashes[relative] = hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()
    return ScreeningInput(backend=backend, tables=tables, file_hashes=hashes)
