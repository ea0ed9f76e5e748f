"""Backups and the restore drill (SECURITY.md REL-BAK-1, §5 scenario 22; docs/backup.md).

``backup_create`` copies the live database — SQLite: ``VACUUM INTO`` and ``PRAGMA
integrity_check`` on the copy; PostgreSQL: ``pg_dump -Fc`` of an exported snapshot — and writes
the manifest beside it (per-table row counts and checksums, ``fangpin.core.backup_manifest``).

``backup_verify_restore`` is the drill: it checks the backup file against the manifest's SHA-256,
restores the backup (a temporary database or file, or the empty target given) and checks
(``fangpin.core.backup_verify.restored_check``) that

1. the SQLite copy passes ``PRAGMA integrity_check``;
2. every table's columns, row count and checksum equal the manifest;
3. a random sample of every encrypted personal-information column decrypts with the configured
   keyring (the production key path: ``fangpin.core.pi.keyring``, from the environment);
4. the audit hash chain verifies (``fangpin.core.audit.audit_verify``) on the restored rows.

Both record an audit event on the live database (``backup.create``, ``backup.verify``), with
result ``failure`` when the backup could not be made or the drill found a difference.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from fangpin import __version__
from fangpin.core.audit import audit_record
from fangpin.core.backup_db import (
    BackupError,
    fsync_path,
    integrity_check,
    open_database,
    pg_dump_snapshot,
    pg_snapshot,
    pg_tool,
    restored_database,
    sqlite_read_only,
    sqlite_vacuum_into,
    table_summaries,
)
from fangpin.core.backup_manifest import (
    Manifest,
    ManifestError,
    TableSummary,
    file_sha256,
    manifest_path,
)
from fangpin.core.backup_verify import DEFAULT_SAMPLE, VENDOR_LABELS, VerifyReport, restored_check
from fangpin.core.models import AuditResult
from fangpin.core.pi import keyring as configured_keyring
from fangpin.fieldcrypto import CryptoError, Keyring

__all__ = ["BackupError", "BackupReport", "backup_create", "backup_verify_restore", "manifest_read"]


# --- Reports ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BackupReport:
    path: Path
    manifest_path: Path
    manifest: Manifest
    elapsed_seconds: float

    @property
    def message(self) -> str:
        m = self.manifest
        checked = "，完整性检查 ok" if m.vendor == "sqlite" else ""
        vendor = VENDOR_LABELS.get(m.vendor, m.vendor)
        return (
            f"备份完成：{self.path}（{vendor}，{len(m.tables)} 张表，"
            f"{m.total_rows:,} 行{checked}，用时 {self.elapsed_seconds:.1f} 秒）\n"
            f"清单：{self.manifest_path}"
        )


# --- Audit ------------------------------------------------------------------------------------


def _audit(actor: Any, action: str, path: Path, changes: dict[str, Any], *, ok: bool) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=action,
            object_type="backup",
            object_id=path.name[:64],
            changes=changes,
            result=AuditResult.SUCCESS if ok else AuditResult.FAILURE,
        )


# --- Creating ---------------------------------------------------------------------------------


def _sqlite_copy(target: Path) -> dict[str, TableSummary]:
    sqlite_vacuum_into(target)
    with open_database(sqlite_read_only(target), label="backup_copy") as db:
        result = integrity_check(db)
        if result != "ok":
            raise BackupError(
                "integrity", f"备份副本未通过完整性检查（PRAGMA integrity_check）：{result}"
            )
        return table_summaries(db)


def _postgresql_dump(target: Path) -> dict[str, TableSummary]:
    pg_tool("pg_dump")  # before opening the snapshot
    with pg_snapshot() as (db, snapshot_id):
        pg_dump_snapshot(target, snapshot_id)
        return table_summaries(db)  # the same snapshot the dump holds


def _write_durably(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    fsync_path(partial)
    os.replace(partial, path)
    fsync_path(path)


def _create(out: Path) -> BackupReport:
    started = time.monotonic()
    manifest_file = manifest_path(out)
    for path in (out, manifest_file):
        if path.exists():
            raise BackupError("exists", f"{path} 已存在：备份不覆盖已有文件，请换一个文件名")
    if not out.parent.is_dir():
        raise BackupError("directory", f"目录 {out.parent} 不存在")
    vendor = connections[DEFAULT_DB_ALIAS].vendor
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if vendor == "sqlite":
            tables = _sqlite_copy(partial)
        elif vendor == "postgresql":
            tables = _postgresql_dump(partial)
        else:
            raise BackupError("vendor", f"不支持备份 {vendor} 数据库")
        fsync_path(partial)
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    manifest = Manifest(
        vendor=vendor,
        app_version=__version__,
        created_at=timezone.localtime().isoformat(timespec="seconds"),
        backup_file=out.name,
        backup_sha256=file_sha256(out),
        tables=tables,
    )
    _write_durably(manifest_file, manifest.to_json())
    return BackupReport(out, manifest_file, manifest, time.monotonic() - started)


def backup_create(*, actor: Any, out: Path) -> BackupReport:
    """Back up the live database to ``out`` (which must not exist) and write its manifest.

    The copy is written as ``<out>.partial`` and renamed when complete, then the manifest is
    written: a backup without its manifest is an unfinished one. Audited as ``backup.create``.
    """
    out = Path(out).absolute()
    try:
        report = _create(out)
    except BackupError as exc:
        _audit(actor, "backup.create", out, {"file": str(out), "error": exc.code}, ok=False)
        raise
    manifest = report.manifest
    changes = {
        "file": str(out),
        "vendor": manifest.vendor,
        "tables": len(manifest.tables),
        "rows": manifest.total_rows,
        "sha256": manifest.backup_sha256,
    }
    _audit(actor, "backup.create", out, changes, ok=True)
    return report


# --- Verifying --------------------------------------------------------------------------------


def manifest_read(backup: Path) -> Manifest:
    """The manifest beside ``backup``; BackupError when the backup or manifest is missing."""
    if not backup.is_file():
        raise BackupError("manifest", f"找不到备份文件 {backup}")
    path = manifest_path(backup)
    if not path.is_file():
        raise BackupError(
            "manifest",
            f"找不到清单文件 {path}：备份不完整，或不是由 fangpin backup create 生成的",
        )
    try:
        return Manifest.from_json(path.read_text(encoding="utf-8"))
    except ManifestError as exc:
        raise BackupError("manifest", f"{path}：{exc.message}") from exc


def backup_verify_restore(
    *,
    actor: Any,
    backup: Path,
    into: str | None = None,
    sample: int = DEFAULT_SAMPLE,
    ring: Keyring | None = None,
) -> VerifyReport:
    """Restore ``backup`` and check it (the drill); the report lists every difference found.

    ``into``: a database address (``postgres://…`` of an existing empty database, or
    ``sqlite:///path`` of a file that does not exist yet) to restore into and keep; without it
    the restore is temporary. ``ring`` defaults to the configured keyring. Raises BackupError
    when the drill cannot run (no manifest, tool missing, restore failed); either way one
    ``backup.verify`` audit event records the outcome.
    """
    backup = Path(backup).absolute()
    base = {"file": str(backup), "into": "" if into is None else _database_name(into)}
    try:
        manifest = manifest_read(backup)
        file_problems = []
        if file_sha256(backup) != manifest.backup_sha256:
            file_problems.append(
                f"备份文件 {backup.name} 与清单记录的 SHA-256 不符：文件在备份后被改动或损坏"
            )
        try:
            ring = ring or _keyring()
            with restored_database(backup=backup, vendor=manifest.vendor, into=into) as db:
                report = restored_check(db, manifest, ring=ring, sample=sample)
        except BackupError as exc:
            if file_problems:
                raise BackupError(exc.code, f"{file_problems[0]}；{exc.message}") from exc
            raise
    except BackupError as exc:
        _audit(actor, "backup.verify", backup, {**base, "error": exc.code}, ok=False)
        raise
    if file_problems:
        report = replace(report, problems=(*file_problems, *report.problems))
    changes = {
        **base,
        "vendor": report.vendor,
        "tables": report.tables,
        "rows": report.rows,
        "decrypted": report.decrypted,
        "audit_checked": report.audit_checked,
        "problems": list(report.problems[:10]),
    }
    _audit(actor, "backup.verify", backup, changes, ok=report.is_ok)
    return report


def _keyring() -> Keyring:
    try:
        return configured_keyring()
    except CryptoError as exc:
        raise BackupError("keys", f"无法读取加密密钥（docs/crypto.md）：{exc.message}") from exc


def _database_name(url: str) -> str:
    """The database named by an address, without user or password (for the audit record)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{parts.path}"
