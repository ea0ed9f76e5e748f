"""The two engines the rules run on: an in-memory DuckDB (default) and Spark (PySpark).

The rules are backend-neutral Ibis expressions; what differs between engines is only how
tables get onto the backend, how a derived view is materialised and how a result comes back
as Arrow. Those four operations live here, so the rest of the engine never asks which backend
it is on:

- :func:`register_arrow` — an in-memory Arrow table (tests, the database snapshot);
- :func:`register_parquet` — a contract file, read by the backend itself (Spark reads the
  Parquet file directly, never through pandas, so NULLs stay NULLs);
- :func:`materialise` — a derived view computed once per run (DuckDB: a table; Spark: a
  cached temporary view);
- :func:`collect` — a finished expression as an Arrow table (Spark: ``DataFrame.toArrow``).

Spark is optional (``pip install 'fangpin[spark]'`` and a Java runtime). :func:`spark_session`
builds a local-mode session (``local[2]``) unless a master is given or the process already
runs inside Spark (``spark-submit`` or Spark Connect via ``SPARK_REMOTE``); see
docs/screening.md "Running on Spark".
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
import weakref
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
from ibis.backends import BaseBackend
from ibis.expr.types import Table

from fangpin.screening.errors import ScreeningError

__all__ = [
    "DUCKDB_MEMORY_LIMIT",
    "ENGINES",
    "SPARK_CONF",
    "collect",
    "connect",
    "engine_name",
    "materialise",
    "register_arrow",
    "register_parquet",
    "spark_available",
    "spark_session",
]

ENGINES = ("duckdb", "spark")

#: DuckDB's buffer-memory ceiling by default (its own default is 80% of the machine's RAM),
#: so a county's size changes the run's disk use and time, not its memory. Measured
#: (docs/benchmarks.md): peak RSS 1.2 GB at 1M persons, 3.9 GB at 10M (Python, Ibis and the
#: findings as Arrow come on top of the buffers; about 7 GB spilled to disk at 10M).
DUCKDB_MEMORY_LIMIT = "2GB"

#: Session settings that keep Spark's answers identical to DuckDB's (and cheap on one machine).
#: ANSI mode is Spark 4's default and is pinned so a cluster's defaults cannot change it: an
#: overflowing decimal or a bad cast is an error (as on DuckDB), never a silent NULL. UTC, so
#: dates never shift with the machine's time zone.
SPARK_CONF: dict[str, str] = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "true",
    "spark.sql.storeAssignmentPolicy": "ANSI",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}

#: Only for the local session this module builds (a cluster brings its own).
LOCAL_CONF: dict[str, str] = {
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.memory": "2g",
}


def engine_name(backend: BaseBackend) -> str:
    """``duckdb`` or ``spark`` for a backend made by :func:`connect`."""
    return "spark" if backend.name == "pyspark" else str(backend.name)


def spark_available() -> str | None:
    """``None`` when Spark can run here, else the reason in Chinese (no PySpark, no Java)."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "未安装 PySpark：请运行 pip install 'fangpin[spark]'（或 make install）"
    if os.environ.get("SPARK_REMOTE"):
        return None  # Spark Connect: the JVM runs on the server
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and Path(java_home, "bin", "java").exists()) and not shutil.which("java"):
        return (
            "未找到 Java 运行环境：Spark 需要 Java 17 或更高版本"
            "（如 apt-get install default-jre-headless，或设置 JAVA_HOME）"
        )
    return None


def _inside_spark() -> bool:
    """Started by ``spark-submit`` (its PythonRunner sets the gateway port) or Spark Connect."""
    return bool(os.environ.get("PYSPARK_GATEWAY_PORT") or os.environ.get("SPARK_REMOTE"))


def spark_session(master: str | None = None) -> Any:
    """A SparkSession with :data:`SPARK_CONF`.

    ``master`` given (``local[4]``, ``spark://host:7077``, ``yarn``, ``k8s://…``): a session
    on that master. Otherwise, inside ``spark-submit`` or with ``SPARK_REMOTE`` set: the session
    of the environment (master, executors and memory come from ``spark-submit``). Otherwise a
    local-mode session ``local[2]`` with small shuffle partitions and no UI.
    """
    reason = spark_available()
    if reason is not None:
        raise ScreeningError("engine", reason)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("fangpin-screening")
    if master is not None:
        builder = builder.master(master)
    elif not _inside_spark():
        builder = builder.master("local[2]")
        for key, value in LOCAL_CONF.items():
            builder = builder.config(key, value)
    for key, value in SPARK_CONF.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # py4j/JVM start-up errors have no common base class
        raise ScreeningError("engine", f"无法启动 Spark：{exc}") from exc
    for key, value in SPARK_CONF.items():  # an existing session keeps its old settings
        session.conf.set(key, value)
    return session


def _duckdb(memory_limit: str, temp_directory: Path | None) -> BaseBackend:
    # A directory of its own per connection (DuckDB names its spill files the same in every
    # process), created by DuckDB only when it spills and removed with the connection.
    own = temp_directory is None
    spill = temp_directory or Path(tempfile.gettempdir()) / f"fangpin-duckdb-{uuid.uuid4().hex}"
    # preserve_insertion_order off: DuckDB may then stream joins, aggregates and the stored
    # views without keeping (and buffering for) the input's row order. Nothing depends on
    # it: the engine sorts the findings itself (engine.screen), as Spark has no order either.
    backend = ibis.duckdb.connect(
        memory_limit=memory_limit, temp_directory=str(spill), preserve_insertion_order=False
    )
    if own:
        weakref.finalize(backend, shutil.rmtree, spill, True)
    return backend


def connect(
    engine: str = "duckdb",
    *,
    session: Any = None,
    master: str | None = None,
    memory_limit: str = DUCKDB_MEMORY_LIMIT,
    temp_directory: Path | None = None,
) -> BaseBackend:
    """An empty backend: ``duckdb`` (in memory) or ``spark`` (``session`` or a new one).

    DuckDB keeps at most ``memory_limit`` (DuckDB syntax, e.g. ``2GB``) of buffers in memory
    and spills the rest — large joins and aggregates, and the materialised views — to files
    under ``temp_directory`` (default: a fresh directory under the system temp directory,
    removed when the backend is). The input itself is never loaded: rules read the Parquet
    files (see ``load_input``).
    """
    if engine == "duckdb":
        return _duckdb(memory_limit, temp_directory)
    if engine == "spark":
        spark = session if session is not None else spark_session(master)
        return ibis.pyspark.connect(spark)
    raise ScreeningError("engine", f"不支持计算引擎“{engine}”，可选 {' 或 '.join(ENGINES)}")


def _spark(backend: BaseBackend) -> Any:
    # Ibis's PySpark backend keeps the session here (no public accessor in Ibis 12).
    return backend._session


def register_arrow(backend: BaseBackend, name: str, table: pa.Table) -> Table:
    """Put an Arrow table on the backend under ``name`` (replacing an earlier one)."""
    if engine_name(backend) != "spark":
        return backend.create_table(name, table, overwrite=True)
    spark = _spark(backend)
    # PySpark >= 4 takes Arrow directly: decimals, dates and NULLs arrive as they are. (Ibis's
    # own create_table goes through pandas, where a NULL can become NaN.)
    # One chunk: PySpark 4.0 reads only the first record batch of a chunked table.
    whole = table.combine_chunks()
    frame = spark.createDataFrame(whole) if whole.num_rows else _empty_frame(spark, table.schema)
    frame.createOrReplaceTempView(name)
    return backend.table(name)


def _empty_frame(spark: Any, schema: pa.Schema) -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    return spark.createDataFrame([], from_arrow_schema(schema))


def register_parquet(backend: BaseBackend, name: str, path: Path, schema: pa.Schema) -> Table:
    """Register a contract file (already validated) as ``name``, typed as ``schema``.

    The backend reads the file itself whenever a query needs it; nothing is loaded here.
    DuckDB: a view over ``read_parquet`` with the contract's columns in order (the caller
    checked that every column already has the contract's type). Spark: read on the
    executors, each column cast to the contract's type.
    """
    if engine_name(backend) != "spark":
        raw = backend.read_parquet(path, table_name=f"{name}__parquet")
        return backend.create_view(name, raw.select(*schema.names), overwrite=True)
    spark = _spark(backend)
    raw = f"{name}__parquet"
    spark.read.parquet(str(path)).createOrReplaceTempView(raw)
    source = backend.table(raw)
    target = ibis.schema(schema)
    typed = source.select(*[source[c].cast(dtype).name(c) for c, dtype in target.items()])
    return backend.create_view(name, typed, overwrite=True)


def materialise(backend: BaseBackend, name: str, expr: Table) -> Table:
    """Compute ``expr`` once and keep it as ``name`` for the rest of the run."""
    if engine_name(backend) != "spark":
        # A temporary table: gone with the connection, spilled to the temp directory when
        # DuckDB's memory limit is reached.
        return backend.create_table(name, expr, temp=True, overwrite=True)
    # Spark's create_table writes a managed table into the warehouse directory; a cached
    # temporary view stays in memory (spilling to the executors' disks when large).
    from ibis.backends.pyspark.datatypes import PySparkSchema
    from pyspark.sql.functions import col

    backend._run_pre_execute_hooks(expr)  # registers in-memory tables the expression uses
    frame = _spark(backend).sql(backend.compile(expr))
    # Spark widens decimal sums (18,2 + 18,2 + … becomes 31,2); DuckDB keeps the types Ibis
    # inferred. Cast back to Ibis's schema so every rule sees the same column types on both.
    typed = PySparkSchema.from_ibis(expr.schema())
    frame = frame.select(*[col(f"`{f.name}`").cast(f.dataType).alias(f.name) for f in typed])
    frame.cache().createOrReplaceTempView(name)
    return backend.table(name)


def collect(backend: BaseBackend, expr: Table) -> pa.Table:
    """Execute ``expr`` and return its rows as Arrow (Spark: ``toArrow``, not via pandas)."""
    if engine_name(backend) != "spark":
        return expr.to_pyarrow()
    backend._run_pre_execute_hooks(expr)
    table: pa.Table = _spark(backend).sql(backend.compile(expr)).toArrow()
    return table
