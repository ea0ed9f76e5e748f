"""The engine: input validation, run id, determinism, atomic publish, text helpers."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import ibis
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import fangpin.screening.engine as engine
from fangpin.policy import resolve
from fangpin.screening import (
    FINDINGS_FILE,
    RESULT_SCHEMA,
    RULES,
    RUN_FILE,
    Context,
    ScreeningError,
    load_input,
    parse_month,
    publish,
    result_json_schema,
    screen,
)
from fangpin.screening.inputs import INPUT_FILES
from fangpin.screening.text import money, percent
from tests.screening.builders import EDITION, MONTH, YEAR, Builder


def _dataset(tmp_path: Path) -> Path:
    b = Builder()
    b.clean(1)
    b.household(2, household_type="1")
    b.person(2, 20)
    b.finance(2, YEAR - 1, 1, wage_local=6000)
    b.finance(2, YEAR, 1, wage_local=5000)
    b.conditions(2, housing_grade="D")
    b.spell(2, identified=date(2022, 3, 1), eliminated=date(2022, 4, 1), mode="assisted")
    directory = tmp_path / "data"
    for relative, (name, _) in INPUT_FILES.items():
        (directory / relative).parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(b.tables()[name], directory / relative)
    return directory


def test_missing_file_is_a_chinese_error_naming_it(tmp_path: Path) -> None:
    directory = _dataset(tmp_path)
    (directory / "feeds" / "death_records.parquet").unlink()
    with pytest.raises(ScreeningError) as caught:
        load_input(directory)
    assert caught.value.code == "missing_table"
    assert (
        caught.value.message == "输入目录缺少文件 feeds/death_records.parquet（表 death_records）"
    )


def test_missing_column_is_a_chinese_error_naming_file_and_column(tmp_path: Path) -> None:
    directory = _dataset(tmp_path)
    path = directory / "registry" / "finances.parquet"
    pq.write_table(pq.read_table(path).drop_columns(["compliant_oop_spending"]), path)
    with pytest.raises(ScreeningError) as caught:
        load_input(directory)
    assert caught.value.code == "contract"
    assert caught.value.message.startswith(
        "文件 registry/finances.parquet：缺少列 compliant_oop_spending（"
    )


def test_null_in_a_required_column_is_refused(tmp_path: Path) -> None:
    directory = _dataset(tmp_path)
    path = directory / "registry" / "households.parquet"
    table = pq.read_table(path)
    phones = pa.array([None] * table.num_rows, pa.string())
    pq.write_table(table.set_column(table.schema.get_field_index("phone"), "phone", phones), path)
    with pytest.raises(ScreeningError) as caught:
        load_input(directory)
    assert caught.value.message == (
        "文件 registry/households.parquet：表 households 的列 phone 不允许为空，却有 2 个空值"
        "（表 households 的列 phone 不允许为空，却有 2 个空值）"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [(None, date(2024, 12, 1)), ("2024-03", date(2024, 3, 1)), ("2025-01", date(2025, 1, 1))],
)
def test_parse_month(text: str | None, expected: date) -> None:
    assert parse_month(text, 2024) == expected


@pytest.mark.parametrize("text", ["2024-13", "202412", "2023-12", "2024-1"])
def test_parse_month_refuses_bad_months(text: str) -> None:
    with pytest.raises(ScreeningError) as caught:
        parse_month(text, 2024)
    assert caught.value.code == "bad_month"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, engine.ScreeningResult]:
    """One full run over the small dataset, published to ``<tmp>/out``."""
    root = tmp_path_factory.mktemp("screen")
    result = screen(load_input(_dataset(root)), EDITION, month=MONTH)
    publish(result, root / "out")
    return root, result


def test_same_inputs_give_the_same_run_id_and_identical_files(
    published: tuple[Path, engine.ScreeningResult],
) -> None:
    root, first = published
    second = screen(load_input(root / "data"), EDITION, month=MONTH)
    publish(second, root / "again")
    assert first.run_id == second.run_id
    assert first.run_id.startswith("202412-110101-")
    for name in (FINDINGS_FILE, RUN_FILE):
        assert (root / "out" / name).read_bytes() == (root / "again" / name).read_bytes()


def test_run_id_changes_with_month_edition_inputs_and_rules(
    published: tuple[Path, engine.ScreeningResult],
) -> None:
    _, result = published
    hashes, codes = result.file_hashes, list(result.counts)
    same = engine.compute_run_id(EDITION, MONTH, hashes, reversed(codes))
    assert same == result.run_id
    changed_file = {**hashes, "feeds/death_records.parquet": "0" * 64}
    others = {
        engine.compute_run_id(EDITION, date(2024, 11, 1), hashes, codes),
        engine.compute_run_id(resolve(2024, "433124"), MONTH, hashes, codes),
        engine.compute_run_id(EDITION, MONTH, changed_file, codes),
        engine.compute_run_id(EDITION, MONTH, hashes, codes[:-1]),
    }
    assert result.run_id not in others
    assert len(others) == 4


def test_findings_follow_the_result_schema_and_order(
    published: tuple[Path, engine.ScreeningResult],
) -> None:
    root, result = published
    table = pq.read_table(root / "out" / FINDINGS_FILE)
    assert table.schema.equals(RESULT_SCHEMA, check_metadata=True)
    keys = list(
        zip(table["rule_code"].to_pylist(), table["household_number"].to_pylist(), strict=True)
    )
    assert keys == sorted(keys)
    assert sorted(set(table["rule_code"].to_pylist())) == [
        "elimination.reopen",
        "quality.assisted_elimination_below_line",
        "quality.early_elimination",
        "quality.illness_risk_without_oop",
        "quality.quick_assisted_elimination",
        "trigger.housing_unsafe",
        "trigger.income_below_line",
    ]
    manifest = json.loads((root / "out" / RUN_FILE).read_text("utf-8"))
    assert manifest["run_id"] == result.run_id
    assert manifest["edition"]["edition_id"] == EDITION.edition_id
    assert [r["code"] for r in manifest["rules"]] == list(result.counts)
    assert sorted(result.counts) == sorted(RULES)
    assert manifest["total_findings"] == table.num_rows == 7
    assert manifest["findings_schema"] == result_json_schema()
    for row in table.to_pylist():
        for column in ("observed", "threshold", "sources"):
            json.loads(row[column])


def test_a_failed_publish_leaves_the_previous_result(
    published: tuple[Path, engine.ScreeningResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, result = published
    out = root / "out"
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def crash(result: engine.ScreeningResult, target: Path) -> None:
        pq.write_table(result.findings.slice(0, 1), target / FINDINGS_FILE)  # half written
        raise OSError("disk full")

    monkeypatch.setattr(engine, "_write", crash)
    with pytest.raises(OSError, match="disk full"):
        publish(result, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not [p for p in root.iterdir() if p.name.startswith(".out.")]  # no staging left


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0", "0"),
        ("5", "5"),
        ("999.5", "999.50"),
        ("1000", "1,000"),
        ("5812", "5,812"),
        ("23400.05", "23,400.05"),
        ("1234567.89", "1,234,567.89"),
        ("-3.25", "-3.25"),
        ("-12345", "-12,345"),
        ("1000000000", "1,000,000,000"),
    ],
)
def test_money_is_written_as_people_write_it(amount: str, expected: str) -> None:
    expr = money(ibis.literal(Decimal(amount), type="decimal(12, 2)"))
    assert ibis.duckdb.connect().execute(expr) == expected


@pytest.mark.parametrize(
    ("share", "expected"), [("0.6149", "61%"), ("0.605", "61%"), ("0.4", "40%")]
)
def test_percent_rounds_half_away_from_zero(share: str, expected: str) -> None:
    expr = percent(ibis.literal(Decimal(share), type="decimal(12, 6)"))
    assert ibis.duckdb.connect().execute(expr) == expected


def test_every_rule_compiles_to_spark_sql(published: tuple[Path, engine.ScreeningResult]) -> None:
    """No DuckDB-only SQL in a rule: each expression also compiles with Ibis's PySpark compiler
    (compile only; running on Spark is later work, see docs/screening.md)."""
    root, _ = published
    context = Context(data=load_input(root / "data"), edition=EDITION, month=MONTH)
    # As in a run: later families read the materialised trigger findings (here: none).
    empty = pa.table(
        {"household_id": pa.array([], pa.int64())}
        | {name: pa.array([], pa.string()) for name in ("code", "name_zh", "risk_type")}
    )
    context.materialised["trigger_hits"] = context.data.backend.create_table("trigger_hits", empty)
    for code, rule in RULES.items():
        assert "SELECT" in ibis.to_sql(rule.build(context), dialect="pyspark"), code


def test_every_rule_is_documented() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "screening.md").read_text("utf-8")
    assert [code for code in RULES if f"| `{code}` |" not in text] == []


def test_unknown_rule_code_is_refused() -> None:
    with pytest.raises(ScreeningError) as caught:
        Builder().run("trigger.nonsense")
    assert caught.value.code == "unknown_rule"
    assert caught.value.message == "没有代码为“trigger.nonsense”的筛查规则"
