"""Backup manifests: per-table row counts and checksums, compared after a restore (pure).

SECURITY.md REL-BAK-1 and §5 scenario 22. ``fangpin backup create`` writes a manifest beside each
backup (``<backup>.manifest.json``); ``fangpin backup verify-restore`` restores the backup and
compares every table with it. This module is the part that needs no database: the canonical
encoding of a row, the checksum of a table's rows, the manifest's JSON form and the comparison.
Standard library only, no Django (``fangpin.core.backup`` reads the tables).

A table's checksum is SHA-256 over its rows in primary-key order, each row framed as its value
count followed by each value's canonical bytes, length-prefixed — so ``("ab", "c")`` and
``("a", "bc")`` differ, and so do ``1`` and ``"1"`` (every value carries a type tag). The
checksum only has to agree between a database and its own restore (same vendor, same driver),
not across vendors: SQLite hands back dates as text, PostgreSQL as ``datetime``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from ipaddress import (
    IPv4Address,
    IPv4Interface,
    IPv4Network,
    IPv6Address,
    IPv6Interface,
    IPv6Network,
)
from pathlib import Path
from typing import Any
from uuid import UUID

__all__ = [
    "FORMAT",
    "Manifest",
    "ManifestError",
    "TableDifference",
    "TableDigest",
    "TableSummary",
    "canonical_value",
    "file_sha256",
    "manifest_compare",
    "manifest_path",
    "table_summary",
]

FORMAT = 1
MANIFEST_SUFFIX = ".manifest.json"
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_ADDRESSES = (IPv4Address, IPv6Address, IPv4Interface, IPv6Interface, IPv4Network, IPv6Network)


class ManifestError(ValueError):
    """A manifest that cannot be read. ``code`` is stable, ``message`` Chinese.

    Codes: ``malformed`` (not JSON, or a field missing or of the wrong type), ``format`` (a
    manifest format this version does not read).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _framed(data: bytes) -> bytes:
    return len(data).to_bytes(8, "big") + data


def canonical_value(value: object) -> bytes:
    """One column value as tagged bytes: equal values give equal bytes, different types differ.

    Raises TypeError for a type it does not know, rather than guess at an unstable ``repr``.
    """
    if value is None:
        return b"N"
    if isinstance(value, bool):  # before int: bool is an int
        return b"B1" if value else b"B0"
    if isinstance(value, int):
        return b"I" + str(value).encode()
    if isinstance(value, float):
        return b"F" + value.hex().encode()  # exact, unlike repr rounding rules
    if isinstance(value, Decimal):
        return b"D" + str(value).encode()  # keeps the scale: 1.50 and 1.5 differ
    if isinstance(value, str):
        return b"S" + value.encode("utf-8", "surrogatepass")
    if isinstance(value, bytes | bytearray | memoryview):
        return b"X" + bytes(value)
    if isinstance(value, datetime):  # before date: datetime is a date
        return b"T" + value.isoformat().encode()
    if isinstance(value, date):
        return b"d" + value.isoformat().encode()
    if isinstance(value, time):
        return b"t" + value.isoformat().encode()
    if isinstance(value, timedelta):
        return b"P" + f"{value.days},{value.seconds},{value.microseconds}".encode()
    if isinstance(value, UUID):
        return b"U" + str(value).encode()
    if isinstance(value, _ADDRESSES):
        return b"A" + str(value).encode()
    if isinstance(value, list | tuple):
        return b"L" + b"".join(_framed(canonical_value(item)) for item in value)
    if isinstance(value, dict):
        items = sorted((str(key), item) for key, item in value.items())
        return b"M" + b"".join(
            _framed(canonical_value(key)) + _framed(canonical_value(item)) for key, item in items
        )
    raise TypeError(f"cannot checksum a value of type {type(value).__name__}")


class TableDigest:
    """SHA-256 over rows fed in order; counts them too."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.rows = 0

    def add(self, row: Sequence[object]) -> None:
        self._hash.update(len(row).to_bytes(4, "big"))
        for value in row:
            self._hash.update(_framed(canonical_value(value)))
        self.rows += 1

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


@dataclass(frozen=True, slots=True)
class TableSummary:
    """What a manifest records of one table: its columns (sorted), row count and checksum."""

    columns: tuple[str, ...]
    rows: int
    checksum: str


def table_summary(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> TableSummary:
    """Summarise a table from its rows, already in the deterministic (primary-key) order."""
    digest = TableDigest()
    for row in rows:
        digest.add(row)
    return TableSummary(columns=tuple(columns), rows=digest.rows, checksum=digest.hexdigest())


def manifest_path(backup: Path) -> Path:
    """Where the manifest of ``backup`` lives: beside it, ``<name>.manifest.json``."""
    return backup.with_name(backup.name + MANIFEST_SUFFIX)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Manifest:
    """The manifest of one backup. ``created_at`` is ISO 8601 with the offset."""

    vendor: str  # "sqlite" or "postgresql" (Django's connection.vendor)
    app_version: str
    created_at: str
    backup_file: str  # the backup's file name (the manifest sits beside it)
    backup_sha256: str
    tables: Mapping[str, TableSummary] = field(default_factory=dict)
    format: int = FORMAT

    @property
    def total_rows(self) -> int:
        return sum(summary.rows for summary in self.tables.values())

    def to_json(self) -> str:
        document = {
            "format": self.format,
            "vendor": self.vendor,
            "app_version": self.app_version,
            "created_at": self.created_at,
            "backup_file": self.backup_file,
            "backup_sha256": self.backup_sha256,
            "tables": {
                name: {"rows": s.rows, "checksum": s.checksum, "columns": list(s.columns)}
                for name, s in sorted(self.tables.items())
            },
        }
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Parse and check a manifest; anything missing or mistyped raises ManifestError."""
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise ManifestError("malformed", f"清单文件不是有效的 JSON：{exc}") from exc
        if not isinstance(document, dict):
            raise ManifestError("malformed", "清单文件格式不正确：顶层应为对象")
        version = document.get("format")
        if version != FORMAT:
            raise ManifestError("format", f"清单格式版本 {version!r} 不受支持（应为 {FORMAT}）")
        raw_tables = document.get("tables")
        if not isinstance(raw_tables, dict):
            raise ManifestError("malformed", "清单文件格式不正确：缺少 tables")
        return cls(
            vendor=_string(document, "vendor"),
            app_version=_string(document, "app_version"),
            created_at=_string(document, "created_at"),
            backup_file=_string(document, "backup_file"),
            backup_sha256=_string(document, "backup_sha256"),
            tables={str(name): _summary(str(name), entry) for name, entry in raw_tables.items()},
        )


def _string(document: dict[str, Any], key: str) -> str:
    value = document.get(key)
    if not isinstance(value, str) or not value:
        raise ManifestError("malformed", f"清单文件格式不正确：缺少 {key}")
    return value


def _summary(name: str, entry: object) -> TableSummary:
    if not isinstance(entry, dict):
        raise ManifestError("malformed", f"清单文件格式不正确：表 {name} 的记录应为对象")
    rows, checksum, columns = entry.get("rows"), entry.get("checksum"), entry.get("columns")
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
        raise ManifestError("malformed", f"清单文件格式不正确：表 {name} 的行数 {rows!r}")
    if not isinstance(checksum, str) or not _SHA256_HEX.fullmatch(checksum):
        raise ManifestError("malformed", f"清单文件格式不正确：表 {name} 的校验和 {checksum!r}")
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        raise ManifestError("malformed", f"清单文件格式不正确：表 {name} 的列")
    return TableSummary(columns=tuple(columns), rows=rows, checksum=checksum)


@dataclass(frozen=True, slots=True)
class TableDifference:
    """One table that differs between the manifest and the restored database.

    ``kind``: ``missing`` (in the manifest only), ``extra`` (in the restore only), ``columns``,
    ``rows`` (row counts differ; the checksum then differs too and is not reported again) or
    ``checksum`` (same count, different content).
    """

    table: str
    kind: str
    expected: TableSummary | None
    got: TableSummary | None

    @property
    def message(self) -> str:
        e, g = self.expected, self.got
        if g is None:
            return f"表 {self.table}：清单中有 {e.rows if e else 0} 行，恢复的数据库中没有这张表"
        if e is None:
            return f"表 {self.table}：恢复的数据库中有这张表（{g.rows} 行），清单中没有"
        if self.kind == "columns":
            only_e = ", ".join(c for c in e.columns if c not in g.columns) or "无"
            only_g = ", ".join(c for c in g.columns if c not in e.columns) or "无"
            return f"表 {self.table} 的列不一致：仅清单中有 {only_e}；仅恢复后有 {only_g}"
        if self.kind == "rows":
            return f"表 {self.table} 行数不一致：清单 {e.rows} 行，恢复后 {g.rows} 行"
        return (
            f"表 {self.table} 校验和不一致（同为 {e.rows} 行，内容不同）："
            f"清单 {e.checksum[:16]}…，恢复后 {g.checksum[:16]}…"
        )


def manifest_compare(
    expected: Mapping[str, TableSummary], got: Mapping[str, TableSummary]
) -> list[TableDifference]:
    """Every table that differs, in table-name order; empty when all agree."""
    differences = []
    for table in sorted(set(expected) | set(got)):
        e, g = expected.get(table), got.get(table)
        if g is None:
            kind = "missing"
        elif e is None:
            kind = "extra"
        elif e.columns != g.columns:
            kind = "columns"
        elif e.rows != g.rows:
            kind = "rows"
        elif e.checksum != g.checksum:
            kind = "checksum"
        else:
            continue
        differences.append(TableDifference(table=table, kind=kind, expected=e, got=g))
    return differences
