"""Database plumbing of backups: copies, dumps, restores, and reading every table's checksum.

``fangpin.core.backup`` orchestrates; this module talks to the databases. Each backup, restore
or check opens its **own connection** (a Django ``DatabaseWrapper`` built from the live
connection's settings with another name), never the request connection, so a snapshot
transaction or a temporary database never leaks into the app's transaction state:

- SQLite: ``VACUUM INTO`` writes a consistent copy (it refuses to run inside a transaction);
  copies are read through read-only connections (``mode=ro``), so checking never changes them.
- PostgreSQL: one REPEATABLE READ transaction exports its snapshot, ``pg_dump --snapshot`` dumps
  exactly that snapshot, and the manifest is read in the same transaction — the manifest and the
  dump describe the same instant even while the app keeps writing. Restores go through
  ``pg_restore`` into an empty database. The client tools are found on ``PATH``.
"""

from __future__ import annotations

import copy
import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend

from fangpin.core.backup_manifest import TableDigest, TableSummary
from fangpin.core.errors import FangpinError

__all__ = [
    "BackupError",
    "fsync_path",
    "integrity_check",
    "live_settings",
    "open_database",
    "pg_dump_snapshot",
    "reading",
    "restored_database",
    "sqlite_vacuum_into",
    "table_summaries",
]

_FETCH = 2000
_TEXT_FIELDS = {"CharField", "TextField"}
#: libpq environment variables for OPTIONS keys a DATABASE_URL may carry (?sslmode=…)
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
}


class BackupError(FangpinError):
    """A backup or restore that cannot proceed. ``str(exc)`` is the Chinese message.

    Codes: ``exists`` (the output file is there already), ``directory`` (no such directory),
    ``transaction`` (called inside a transaction), ``vendor`` (an unsupported or mismatched
    database), ``tool`` (pg_dump / pg_restore not found), ``dump`` / ``restore`` (the tool
    failed), ``integrity`` (the fresh copy fails ``PRAGMA integrity_check``), ``manifest``
    (missing or unreadable), ``target`` (the restore target is not empty or cannot be made),
    ``keys`` (the configured encryption keys cannot be read).
    """


# --- Connections ------------------------------------------------------------------------------


def live_settings() -> dict[str, Any]:
    """A deep copy of the app's database settings (the test database's, under tests)."""
    return copy.deepcopy(connections[DEFAULT_DB_ALIAS].settings_dict)


def url_settings(url: str) -> dict[str, Any]:
    """Database settings for a ``DATABASE_URL``-style address, parsed like the app's own."""
    from fangpin.settings import SettingsError, parse_database_url

    try:
        parsed = parse_database_url(url, var_dir=Path.cwd())
    except SettingsError as exc:
        raise BackupError("target", f"无法识别的数据库地址：{exc}") from exc
    settings = live_settings()  # the defaults Django fills in (TIME_ZONE, AUTOCOMMIT, …)
    settings.update(parsed)
    settings.setdefault("OPTIONS", {})
    return settings


def vendor_of(settings: dict[str, Any]) -> str:
    engine = str(settings["ENGINE"])
    return "postgresql" if "postgresql" in engine else "sqlite" if "sqlite" in engine else engine


@contextmanager
def open_database(settings: dict[str, Any], *, label: str) -> Iterator[BaseDatabaseWrapper]:
    """A connection of its own to ``settings``' database, closed and forgotten afterwards.

    It is registered under a fresh alias for the time being (Django's internals look
    connections up by alias) but never added to ``DATABASES``, so nothing else iterates it.
    """
    alias = f"fangpin_{label}_{secrets.token_hex(3)}"
    backend = load_backend(settings["ENGINE"])
    db: BaseDatabaseWrapper = backend.DatabaseWrapper(settings, alias=alias)
    connections[alias] = db
    try:
        yield db
    finally:
        db.close()
        del connections[alias]


def sqlite_read_only(path: Path) -> dict[str, Any]:
    """Settings opening an SQLite file read-only (no WAL switch, no writes at all)."""
    settings = live_settings()
    settings["ENGINE"] = "django.db.backends.sqlite3"
    settings["NAME"] = f"file:{quote(str(path.absolute()))}?mode=ro"
    settings["OPTIONS"] = {}
    return settings


@contextmanager
def reading(db: BaseDatabaseWrapper) -> Iterator[None]:
    """Read in one REPEATABLE READ transaction on PostgreSQL (server-side cursors stream)."""
    if db.vendor != "postgresql":
        yield
        return
    db.set_autocommit(False)
    try:
        with db.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield
    finally:
        db.rollback()
        db.set_autocommit(True)


def fsync_path(path: Path) -> None:
    """Flush a file, then its directory entry, to disk (a backup must survive power loss)."""
    with path.open("rb") as handle:
        os.fsync(handle.fileno())
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


# --- Reading every table ----------------------------------------------------------------------


def _plan(db: BaseDatabaseWrapper, cursor: Any, table: str) -> tuple[list[str], str]:
    """A table's columns (sorted by name) and its ORDER BY: the primary key, else every column.

    On PostgreSQL text keys are compared bytewise (``COLLATE "C"``), so the order does not
    depend on the collation of the database restored into. SQLite is read with ``PRAGMA
    table_xinfo`` (Django's introspection parses each table's SQL: 40 ms a table).
    """
    q = db.ops.quote_name
    if db.vendor == "sqlite":
        cursor.execute(f"PRAGMA table_xinfo({q(table)})")  # xinfo: generated columns too
        # (cid, name, type, notnull, default, pk position or 0, hidden: 1 virtual, 2/3 generated)
        info = [row for row in cursor.fetchall() if row[6] != 1]
        columns = sorted(str(row[1]) for row in info)
        keys = [str(row[1]) for row in sorted(info, key=lambda row: row[5]) if row[5]]
        return columns, ", ".join(q(column) for column in keys or columns)
    description = {
        info.name: info for info in db.introspection.get_table_description(cursor, table)
    }
    columns = sorted(description)
    parts = []
    for column in db.introspection.get_primary_key_columns(cursor, table) or columns:
        info = description[column]
        try:
            field_type = db.introspection.get_field_type(info.type_code, info)
        except KeyError:  # a type Django does not map: not one of the text types
            field_type = ""
        parts.append(q(column) + (' COLLATE "C"' if field_type in _TEXT_FIELDS else ""))
    return columns, ", ".join(parts)


def table_summaries(db: BaseDatabaseWrapper) -> dict[str, TableSummary]:
    """Row count and checksum of every table, rows in primary-key order, columns sorted."""
    with db.cursor() as cursor:
        tables = sorted(db.introspection.table_names(cursor))
        plans = [(table, *_plan(db, cursor, table)) for table in tables]
    summaries = {}
    for table, columns, order in plans:
        select = ", ".join(db.ops.quote_name(column) for column in columns)
        # Table and column names come from the database's own catalogue, quoted.
        sql = f"SELECT {select} FROM {db.ops.quote_name(table)} ORDER BY {order}"  # nosec B608
        digest = TableDigest()
        with db.chunked_cursor() as cursor:
            cursor.execute(sql)
            while rows := cursor.fetchmany(_FETCH):
                for row in rows:
                    digest.add(row)
        summaries[table] = TableSummary(tuple(columns), digest.rows, digest.hexdigest())
    return summaries


def integrity_check(db: BaseDatabaseWrapper) -> str:
    """``PRAGMA integrity_check`` of an SQLite database: ``"ok"`` or its first findings."""
    with db.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        lines = [str(row[0]) for row in cursor.fetchmany(5)]
    return "; ".join(lines)


# --- SQLite -----------------------------------------------------------------------------------


def sqlite_vacuum_into(target: Path) -> None:
    """Write a consistent copy of the live SQLite database to ``target`` (must not exist)."""
    live = connections[DEFAULT_DB_ALIAS]
    if live.in_atomic_block:
        raise BackupError(
            "transaction", "备份须在事务之外进行（SQLite 的 VACUUM INTO 不能在事务中运行）"
        )
    with live.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(target)])


# --- PostgreSQL -------------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """The path of a PostgreSQL client tool, or a BackupError saying how to get it."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            "tool",
            f"找不到 PostgreSQL 客户端工具 {name}：请安装与数据库服务器同一大版本的"
            f" PostgreSQL 客户端（Debian/Ubuntu：apt install postgresql-client），"
            f"或把 {name} 所在目录加入 PATH",
        )
    return path


def _pg_env(settings: dict[str, Any]) -> dict[str, str]:
    """The environment for pg_dump / pg_restore: the connection as libpq variables.

    The password goes through PGPASSWORD, never the command line (other users see that).
    """
    env = dict(os.environ)
    values = {
        "PGHOST": settings.get("HOST"),
        "PGPORT": settings.get("PORT"),
        "PGUSER": settings.get("USER"),
        "PGPASSWORD": settings.get("PASSWORD"),
        "PGDATABASE": settings.get("NAME"),
    }
    options = settings.get("OPTIONS") or {}
    for option, variable in _LIBPQ_OPTIONS.items():
        values[variable] = options.get(option)
    env.update({key: str(value) for key, value in values.items() if value})
    return env


def _run(tool: str, arguments: list[str], settings: dict[str, Any], *, code: str) -> None:
    done = subprocess.run(  # the tool's resolved path and our own arguments, no shell
        [pg_tool(tool), "--no-password", *arguments],
        env=_pg_env(settings),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip()[-800:]
        raise BackupError(code, f"{tool} 失败（退出码 {done.returncode}）：{detail}")


@contextmanager
def pg_snapshot() -> Iterator[tuple[BaseDatabaseWrapper, str]]:
    """A connection holding a REPEATABLE READ snapshot of the live database, and its id."""
    with open_database(live_settings(), label="backup_snapshot") as db, reading(db):
        with db.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot_id,) = cursor.fetchone()
        yield db, str(snapshot_id)


def pg_dump_snapshot(target: Path, snapshot_id: str) -> None:
    """``pg_dump -Fc`` of the live database as of an exported snapshot."""
    pg_dump_args = ["--format=custom", f"--snapshot={snapshot_id}", f"--file={target}"]
    _run("pg_dump", pg_dump_args, live_settings(), code="dump")


def _pg_server_execute(sql: str) -> None:
    """Run one statement outside any transaction on the live server (CREATE/DROP DATABASE)."""
    with open_database(live_settings(), label="backup_server") as server, server.cursor() as c:
        c.execute(sql)


@contextmanager
def _pg_restored(backup: Path, into: dict[str, Any] | None) -> Iterator[BaseDatabaseWrapper]:
    """Restore into ``into`` (an existing, empty database) or a temporary one, dropped after."""
    pg_tool("pg_restore")  # fail before creating anything
    temporary = None
    if into is None:
        temporary = f"fangpin_drill_{secrets.token_hex(4)}"
        into = live_settings()
        into["NAME"] = temporary
        quoted = connections[DEFAULT_DB_ALIAS].ops.quote_name(temporary)
        try:
            _pg_server_execute(f"CREATE DATABASE {quoted} TEMPLATE template0")
        except DatabaseError as exc:
            raise BackupError(
                "target",
                f"无法创建临时数据库 {temporary}（数据库账号需要 CREATEDB 权限）：{exc}；"
                "也可以用 --into 指定一个已建好的空数据库",
            ) from exc
    try:
        with open_database(into, label="backup_restored") as target:
            with target.cursor() as cursor:
                existing = len(target.introspection.table_names(cursor))
            if existing:
                raise BackupError(
                    "target",
                    f"目标数据库 {into['NAME']} 不是空库（已有 {existing} 张表）："
                    "恢复只写入空数据库，以免覆盖数据",
                )
            target.close()  # pg_restore works alone
            # One transaction: a failed restore leaves the target empty (and commits once).
            restore_args = ["--single-transaction", "--exit-on-error", "--no-owner", "--no-acl"]
            restore_args += [f"--dbname={into['NAME']}", str(backup)]  # pg_restore needs -d
            _run("pg_restore", restore_args, into, code="restore")
            yield target
    finally:
        if temporary is not None:
            _pg_server_execute(f"DROP DATABASE IF EXISTS {quoted}")


@contextmanager
def _sqlite_restored(backup: Path, into: dict[str, Any] | None) -> Iterator[BaseDatabaseWrapper]:
    """Copy the backup to ``into``'s file (must not exist) or a temporary file, read it there."""
    with tempfile.TemporaryDirectory(prefix="fangpin-drill-") as scratch:
        path = Path(scratch) / "restored.sqlite3" if into is None else Path(str(into["NAME"]))
        if path.exists():
            raise BackupError("target", f"目标文件 {path} 已存在：恢复不覆盖已有数据库文件")
        if not path.parent.is_dir():
            raise BackupError("directory", f"目录 {path.parent} 不存在")
        shutil.copyfile(backup, path)
        fsync_path(path)
        with open_database(sqlite_read_only(path), label="backup_restored") as target:
            yield target


@contextmanager
def restored_database(
    *, backup: Path, vendor: str, into: str | None
) -> Iterator[BaseDatabaseWrapper]:
    """Restore ``backup`` (of ``vendor``) and yield a connection to the restored database.

    Without ``into`` the restore is temporary (a file in a scratch directory, or a database
    created on the live PostgreSQL server) and removed afterwards; with it, it stays there.
    """
    target = None if into is None else url_settings(into)
    target_vendor = connections[DEFAULT_DB_ALIAS].vendor if target is None else vendor_of(target)
    if target_vendor != vendor:
        raise BackupError(
            "vendor",
            f"这是 {vendor} 数据库的备份，不能恢复到 {target_vendor} 数据库"
            + ("；请用 --into 指定同类数据库" if target is None else ""),
        )
    restore = _sqlite_restored if vendor == "sqlite" else _pg_restored
    with restore(backup, target) as db:
        yield db
