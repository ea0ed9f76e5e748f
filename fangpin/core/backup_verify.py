"""Checks of a restored database against its backup's manifest (the drill's steps 1–4).

``fangpin.core.backup.backup_verify_restore`` restores a backup and calls :func:`restored_check`,
which reads the restored database through its own connection and reports every difference:
``PRAGMA integrity_check`` (SQLite), each table against the manifest, a random sample of every
encrypted column decrypted with the given keyring, and the audit hash chain.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from fangpin.core.audit import audit_verify
from fangpin.core.backup_db import integrity_check, reading, table_summaries
from fangpin.core.backup_manifest import Manifest, manifest_compare
from fangpin.fieldcrypto import CryptoError, Keyring, decrypt

__all__ = [
    "DEFAULT_SAMPLE",
    "VENDOR_LABELS",
    "EncryptedColumn",
    "VerifyReport",
    "encrypted_columns",
    "restored_check",
]

VENDOR_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
DEFAULT_SAMPLE = 20
_AUDIT_TABLES = {"core_auditevent", "core_auditchain"}


# --- What is encrypted ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EncryptedColumn:
    """An encrypted column and its AEAD context (the associated data its tokens are bound to)."""

    table: str
    column: str
    pk: str
    context: str


def encrypted_columns() -> tuple[EncryptedColumn, ...]:
    """Every ``*_encrypted`` column of every installed model, with its context.

    The context follows the convention every encrypting app uses (docs/crypto.md):
    ``<app label>.<model name>.<field name without _encrypted>``, e.g.
    ``registry.person.id_number``; tests/core/test_backup_verify.py pins it to the apps'
    constants, so a column that broke the convention fails there, not in a drill.
    """
    found = []
    for model in apps.get_models():
        meta = model._meta
        for field in meta.concrete_fields:
            if field.name.endswith("_encrypted"):
                base = field.name.removesuffix("_encrypted")
                found.append(
                    EncryptedColumn(
                        table=meta.db_table,
                        column=field.column,
                        pk=meta.pk.column if meta.pk is not None else "id",
                        context=f"{meta.app_label}.{meta.model_name}.{base}",
                    )
                )
    return tuple(sorted(found, key=lambda c: (c.table, c.column)))


# --- Checking ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """What the drill found. ``problems`` lists every difference, in Chinese; empty: passed."""

    vendor: str
    tables: int
    rows: int
    integrity: str  # "ok", the findings of integrity_check, or "" on PostgreSQL
    encrypted_columns: int
    decrypted: int
    audit_checked: int | None  # None: no audit tables in the backup
    problems: tuple[str, ...]

    @property
    def is_ok(self) -> bool:
        return not self.problems

    @property
    def message(self) -> str:
        if self.problems:
            return f"恢复演练未通过：发现 {len(self.problems)} 处问题"
        parts = [
            f"恢复演练通过（{VENDOR_LABELS.get(self.vendor, self.vendor)}）：{self.tables} 张表的"
            f"行数和校验和与清单一致（共 {self.rows:,} 行）"
        ]
        if self.integrity:
            parts.append(f"完整性检查 {self.integrity}")
        parts.append(f"{self.encrypted_columns} 个加密字段抽样解密 {self.decrypted} 个密文")
        if self.audit_checked is not None:
            parts.append(f"审计链完整：{self.audit_checked} 条记录")
        return "；".join(parts)


def _decrypt_samples(
    db: BaseDatabaseWrapper, tables: set[str], ring: Keyring, sample: int
) -> tuple[int, int, list[str]]:
    """Decrypt up to ``sample`` random tokens of each encrypted column; (columns, ok, problems)."""
    q = db.ops.quote_name
    columns = decrypted = 0
    problems = []
    for col in encrypted_columns():
        if col.table not in tables:
            continue  # the table difference is reported already
        columns += 1
        # Names from the models' metadata, quoted; the limit is a parameter.
        sql = (
            f"SELECT {q(col.pk)}, {q(col.column)} FROM {q(col.table)} "  # nosec B608
            f"WHERE {q(col.column)} IS NOT NULL AND {q(col.column)} <> '' "
            "ORDER BY random() LIMIT %s"
        )
        with db.cursor() as cursor:
            cursor.execute(sql, [sample])
            rows = cursor.fetchall()
        failures = []
        for pk, token in rows:
            try:
                decrypt(ring, token, context=col.context)
            except CryptoError as exc:
                failures.append((pk, exc.message))
            else:
                decrypted += 1
        if failures:
            pk, message = min(failures)  # the lowest id: the same example on every run
            problems.append(
                f"表 {col.table} 字段 {col.column}：抽样 {len(rows)} 个密文中 {len(failures)} 个"
                f"无法解密（如 id={pk}：{message}）"
            )
    return columns, decrypted, problems


@contextmanager
def _as_default(db: BaseDatabaseWrapper) -> Iterator[None]:
    """Let the ORM's default connection be ``db`` for a moment (this thread only).

    ``audit_verify`` reads through the default connection; pointing it at the restored database
    runs the very verifier ``fangpin audit verify`` uses, not a copy of it.
    """
    original = connections[DEFAULT_DB_ALIAS]
    connections[DEFAULT_DB_ALIAS] = db
    try:
        yield
    finally:
        connections[DEFAULT_DB_ALIAS] = original


def restored_check(
    db: BaseDatabaseWrapper, manifest: Manifest, *, ring: Keyring, sample: int = DEFAULT_SAMPLE
) -> VerifyReport:
    """Check a restored database against its manifest (steps 1–4 of the module docstring)."""
    problems = []
    integrity = ""
    if db.vendor == "sqlite":
        integrity = integrity_check(db)
        if integrity != "ok":
            problems.append(f"完整性检查（PRAGMA integrity_check）未通过：{integrity}")
    with reading(db):
        got = table_summaries(db)
        columns, decrypted, crypto_problems = _decrypt_samples(db, set(got), ring, sample)
    problems += [difference.message for difference in manifest_compare(manifest.tables, got)]
    problems += crypto_problems
    audit_checked = None
    if set(got) >= _AUDIT_TABLES:
        with _as_default(db):
            chain = audit_verify()
        audit_checked = chain.checked
        if not chain.is_intact:
            problems.append(f"恢复后的{chain.message}")
    return VerifyReport(
        vendor=db.vendor,
        tables=len(got),
        rows=sum(summary.rows for summary in got.values()),
        integrity=integrity,
        encrypted_columns=columns,
        decrypted=decrypted,
        audit_checked=audit_checked,
        problems=tuple(problems),
    )
