"""Backup manifests (pure): canonical values, table checksums, the JSON form, the comparison."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from ipaddress import ip_address
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangpin.core.backup_manifest import (
    Manifest,
    ManifestError,
    TableSummary,
    canonical_value,
    file_sha256,
    manifest_compare,
    manifest_path,
    table_summary,
)

EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def framed(data: bytes) -> bytes:
    return len(data).to_bytes(8, "big") + data


def summary(
    rows: int = 2, checksum: str = "a" * 64, columns: tuple[str, ...] = ("id", "name")
) -> TableSummary:
    return TableSummary(columns=columns, rows=rows, checksum=checksum)


def manifest(**tables: TableSummary) -> Manifest:
    return Manifest(
        vendor="sqlite",
        app_version="0.1.0",
        created_at="2025-03-01T02:00:00+08:00",
        backup_file="fangpin-20250301.sqlite3",
        backup_sha256="b" * 64,
        tables=tables,
    )


# --- Canonical values -------------------------------------------------------------------------


def test_values_of_different_types_never_encode_alike() -> None:
    values = [None, "", 0, False, 1, True, "1", 1.0, Decimal("1"), b"1", [1], {"1": 1}]

    encoded = [canonical_value(value) for value in values]

    assert len(set(encoded)) == len(values)


def test_exact_encodings_of_the_common_types() -> None:
    assert canonical_value(None) == b"N"
    assert canonical_value(True) == b"B1"
    assert canonical_value(-42) == b"I-42"
    assert canonical_value(0.5) == b"F0x1.0000000000000p-1"
    assert canonical_value(Decimal("1.50")) == b"D1.50"
    assert canonical_value("户主") == b"S" + "户主".encode()
    assert canonical_value(memoryview(b"\x00\xff")) == b"X\x00\xff"
    assert canonical_value(date(2024, 3, 1)) == b"d2024-03-01"
    assert canonical_value(datetime(2024, 3, 1, 8, 0, tzinfo=UTC)) == b"T2024-03-01T08:00:00+00:00"
    assert canonical_value(timedelta(days=1, microseconds=5)) == b"P1,0,5"
    assert canonical_value(UUID(int=1)) == b"U00000000-0000-0000-0000-000000000001"
    assert canonical_value(ip_address("10.0.0.1")) == b"A10.0.0.1"


def test_a_decimal_keeps_its_scale() -> None:
    assert canonical_value(Decimal("1.50")) != canonical_value(Decimal("1.5"))


def test_dict_keys_are_sorted() -> None:
    assert canonical_value({"b": 1, "a": 2}) == canonical_value({"a": 2, "b": 1})


def test_an_unknown_type_is_refused_rather_than_guessed() -> None:
    with pytest.raises(TypeError, match="cannot checksum a value of type object"):
        canonical_value(object())


# --- Table checksums --------------------------------------------------------------------------


def test_an_empty_table_has_the_checksum_of_nothing() -> None:
    assert table_summary(["id"], []) == TableSummary(("id",), 0, EMPTY_SHA256)


def test_the_checksum_is_sha256_over_framed_rows() -> None:
    expected = hashlib.sha256((2).to_bytes(4, "big") + framed(b"I1") + framed(b"Sa")).hexdigest()

    assert table_summary(["id", "name"], [(1, "a")]).checksum == expected


def test_value_boundaries_row_boundaries_and_order_all_count() -> None:
    base = table_summary(["a", "b"], [("ab", "c"), ("d", "e")]).checksum

    assert table_summary(["a", "b"], [("a", "bc"), ("d", "e")]).checksum != base
    assert table_summary(["a", "b"], [("d", "e"), ("ab", "c")]).checksum != base
    assert table_summary(["a", "b"], [("ab", "c"), ("d", "e")]).checksum == base


def test_rows_are_counted() -> None:
    assert table_summary(["id"], [(n,) for n in range(2500)]).rows == 2500


# --- The manifest file ------------------------------------------------------------------------


def test_the_manifest_sits_beside_its_backup() -> None:
    assert manifest_path(Path("/backups/fangpin.dump")) == Path(
        "/backups/fangpin.dump.manifest.json"
    )


def test_file_sha256(tmp_path: Path) -> None:
    path = tmp_path / "backup"
    path.write_bytes(b"fangpin")

    assert file_sha256(path) == hashlib.sha256(b"fangpin").hexdigest()


def test_json_round_trip_and_layout() -> None:
    original = manifest(core_region=summary(7), registry_person=summary(3, "c" * 64))

    text = original.to_json()

    assert Manifest.from_json(text) == original
    document = json.loads(text)
    assert document["format"] == 1
    assert document["tables"]["core_region"] == {
        "rows": 7,
        "checksum": "a" * 64,
        "columns": ["id", "name"],
    }
    assert original.total_rows == 10


@given(
    st.dictionaries(
        st.text(min_size=1, max_size=20),
        st.builds(
            TableSummary,
            columns=st.lists(st.text(max_size=10), max_size=5).map(tuple),
            rows=st.integers(min_value=0, max_value=10**12),
            checksum=st.text("0123456789abcdef", min_size=64, max_size=64),
        ),
        max_size=5,
    )
)
def test_any_manifest_survives_its_json(tables: dict[str, TableSummary]) -> None:
    original = replace(manifest(), tables=tables)

    assert Manifest.from_json(original.to_json()) == original


@pytest.mark.parametrize(
    ("mutate", "code", "message"),
    [
        (lambda d: "{", "malformed", None),
        (lambda d: {**d, "format": 2}, "format", "清单格式版本 2 不受支持（应为 1）"),
        (
            lambda d: {k: v for k, v in d.items() if k != "vendor"},
            "malformed",
            "清单文件格式不正确：缺少 vendor",
        ),
        (lambda d: {**d, "tables": []}, "malformed", "清单文件格式不正确：缺少 tables"),
        (
            lambda d: {**d, "tables": {"t": {"rows": -1, "checksum": "a" * 64, "columns": []}}},
            "malformed",
            "清单文件格式不正确：表 t 的行数 -1",
        ),
        (
            lambda d: {**d, "tables": {"t": {"rows": 1, "checksum": "XYZ", "columns": []}}},
            "malformed",
            "清单文件格式不正确：表 t 的校验和 'XYZ'",
        ),
    ],
)
def test_a_damaged_manifest_is_refused_with_a_chinese_message(
    mutate: Callable[[dict[str, Any]], object], code: str, message: str | None
) -> None:
    document = json.loads(manifest(t=summary()).to_json())
    mutated = mutate(document)
    text = mutated if isinstance(mutated, str) else json.dumps(mutated)

    with pytest.raises(ManifestError) as caught:
        Manifest.from_json(text)

    assert caught.value.code == code
    if message is not None:
        assert caught.value.message == message


# --- Comparing --------------------------------------------------------------------------------


def test_identical_tables_compare_equal() -> None:
    tables = {"a": summary(), "b": summary(0, EMPTY_SHA256)}

    assert manifest_compare(tables, dict(tables)) == []


def test_every_kind_of_difference_is_named_in_table_order() -> None:
    expected = {
        "core_region": summary(7),
        "registry_household": summary(1, "1" * 64),
        "registry_person": summary(3),
        "supervision_problem": summary(2),
        "z_columns": summary(1, columns=("id", "a")),
    }
    got = {
        "core_region": summary(6, "f" * 64),
        "registry_household": summary(1, "2" * 64),
        "registry_person": summary(3),
        "web_extra": summary(4),
        "z_columns": summary(1, columns=("id", "b")),
    }

    messages = [difference.message for difference in manifest_compare(expected, got)]

    assert messages == [
        "表 core_region 行数不一致：清单 7 行，恢复后 6 行",
        "表 registry_household 校验和不一致（同为 1 行，内容不同）："
        "清单 1111111111111111…，恢复后 2222222222222222…",
        "表 supervision_problem：清单中有 2 行，恢复的数据库中没有这张表",
        "表 web_extra：恢复的数据库中有这张表（4 行），清单中没有",
        "表 z_columns 的列不一致：仅清单中有 a；仅恢复后有 b",
    ]
