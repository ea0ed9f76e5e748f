"""The engine fixture: the rule suite runs once on DuckDB and once on Spark (local mode).

Rule tests take ``engine`` (via ``pytestmark = pytest.mark.usefixtures("engine")``), so each
test runs on both engines and must give the same exact findings. The Spark session is started
once per test process (``spark_session``); Spark tests carry the ``spark`` marker and the
``xdist_group("spark")`` marker so ``pytest -n 2 --dist loadgroup`` keeps them on one worker
(one JVM). Without PySpark or Java they are SKIPPED with the reason shown by ``-ra``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fangpin.screening.engines import connect, spark_available, spark_session
from fangpin.synth import SynthConfig, write_parquet
from tests.screening import builders
from tests.synth.conftest import COUNTY, COUNTY_NAME, NEIGHBOURS, load_villages

SPARK = pytest.param("spark", marks=[pytest.mark.spark, pytest.mark.xdist_group("spark")])


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local SparkSession (``local[2]``) for the whole run; skips when Spark cannot run."""
    reason = spark_available()
    if reason is not None:
        pytest.skip(f"Spark 测试已跳过：{reason}")
    session = spark_session()
    # Tiny test tables: adaptive re-planning and whole-stage code generation (a Java compile
    # per query) cost more than they save. Both choose how to execute, not what the answer
    # is; the production session keeps Spark's defaults.
    session.conf.set("spark.sql.adaptive.enabled", "false")
    session.conf.set("spark.sql.codegen.wholeStage", "false")
    yield session
    session.stop()


@pytest.fixture(params=["duckdb", SPARK])
def engine(request: pytest.FixtureRequest) -> Iterator[str]:
    """Point ``Builder.run`` at the engine under test."""
    name: str = request.param
    if name == "spark" and request.node.get_closest_marker("spark_via_county") is not None:
        pytest.skip(
            "Spark：这些规则已在合成县上逐字节比对（tests/screening/test_spark.py）；"
            "本地模式下每个场景约需一分钟，不再逐场景重复"
        )
    if name == "spark":
        session = request.getfixturevalue("spark")
        session.catalog.clearCache()  # views cached by the previous test
        builders.BACKEND = lambda: connect("spark", session=session)
    yield name
    builders.BACKEND = connect


@pytest.fixture(scope="session")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """花垣县, 300 synthetic households, seed 20241: the CLI baseline (test_cli.py) and the
    DuckDB-vs-Spark end-to-end comparison (test_spark.py) screen it."""
    out = tmp_path_factory.mktemp("synth") / "433124-20241"
    write_parquet(
        load_villages(),
        COUNTY,
        SynthConfig(households=300, seed=20241),
        out,
        county_name=COUNTY_NAME,
        neighbour_county_codes=NEIGHBOURS,
    )
    return out
