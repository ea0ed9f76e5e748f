"""The Spark engine: same findings as DuckDB end to end, and clear errors when it cannot run."""

from __future__ import annotations

import shutil
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from fangpin.cli import app
from fangpin.screening import FINDINGS_FILE, RUN_FILE, ScreeningError, connect
from fangpin.screening.context import per_capita
from fangpin.screening.engines import collect, register_arrow, spark_available, spark_session
from tests.screening import builders
from tests.screening.test_cli import BASELINE


def _screen(county_dir: Path, out: Path, *extra: str) -> Any:
    args = ["screen", "--input", str(county_dir), "--out", str(out), "--year", "2024"]
    return CliRunner().invoke(app, [*args, "--region", "433124", "--month", "2024-12", *extra])


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
def test_spark_gives_byte_identical_findings_on_the_synthetic_county(
    county: Path,
    tmp_path: Path,
    spark: Any,
) -> None:
    on_duckdb = _screen(county, tmp_path / "duckdb")
    on_spark = _screen(county, tmp_path / "spark", "--engine", "spark")
    assert on_duckdb.exit_code == 0, on_duckdb.output
    assert on_spark.exit_code == 0, on_spark.output
    assert "计算引擎 spark；" in on_spark.output
    assert "共 127 条发现" in on_spark.output
    findings = pq.read_table(tmp_path / "spark" / FINDINGS_FILE)
    assert findings.num_rows == sum(BASELINE.values()) == 127
    # Same rows, same order, same schema, same run id: the files are byte for byte the same.
    for name in (FINDINGS_FILE, RUN_FILE):
        duckdb_bytes = (tmp_path / "duckdb" / name).read_bytes()
        assert (tmp_path / "spark" / name).read_bytes() == duckdb_bytes, name


def test_missing_java_is_a_chinese_error(
    county: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("pyspark", reason="PySpark 未安装：Java 检查只在装有 PySpark 时才走到")
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.delenv("SPARK_REMOTE", raising=False)
    expected = (
        "未找到 Java 运行环境：Spark 需要 Java 17 或更高版本"
        "（如 apt-get install default-jre-headless，或设置 JAVA_HOME）"
    )
    assert spark_available() == expected
    with pytest.raises(ScreeningError) as caught:
        spark_session()
    assert caught.value.code == "engine"
    result = _screen(county, tmp_path / "out", "--engine", "spark")
    assert result.exit_code == 2
    assert "未找到 Java 运行环境" in result.output
    assert not (tmp_path / "out").exists()


def test_missing_pyspark_is_a_chinese_error(
    county: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark -> ImportError
    assert spark_available() == (
        "未安装 PySpark：请运行 pip install 'fangpin[spark]'（或 make install）"
    )
    result = _screen(county, tmp_path / "out", "--engine", "spark")
    assert result.exit_code == 2
    assert "未安装 PySpark" in result.output
    assert not (tmp_path / "out").exists()


def test_unknown_engine_and_a_master_without_spark_are_refused(
    county: Path,
    tmp_path: Path,
) -> None:
    with pytest.raises(ScreeningError) as caught:
        connect("flink")
    assert caught.value.message == "不支持计算引擎“flink”，可选 duckdb 或 spark"
    result = _screen(county, tmp_path / "out", "--spark-master", "local[4]")
    assert result.exit_code == 2
    assert "--spark-master 只能与 --engine spark 一起使用" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize(
    ("amount", "size", "expected"),
    [
        ("9668.39", 2, "4834.20"),  # 4,834.195: DuckDB's double division gave 4,834.19
        ("15701.98", 4, "3925.50"),  # 3,925.495
        ("-9668.39", 2, "-4834.20"),  # half away from zero
        ("100.00", 3, "33.33"),
        ("7.01", 3, "2.34"),
        ("0.00", 5, "0.00"),
    ],
)
def test_per_capita_is_exact_and_rounds_half_away_from_zero(
    amount: str, size: int, expected: str
) -> None:
    backend = builders.BACKEND()
    table = pa.table(
        {
            "amount": pa.array([Decimal(amount)], pa.decimal128(18, 2)),
            "size": pa.array([size], pa.int64()),
        }
    )
    t = register_arrow(backend, "per_capita_case", table)
    result = collect(backend, t.select(value=per_capita(t.amount, t.size)))
    assert result["value"].to_pylist() == [Decimal(expected)]
