"""Scenario 23: every acknowledged commit survives a crash (REL-DB-1).

A writer process commits rows one at a time and appends each id to a side file only after its
commit returned; the test SIGKILLs it mid-stream, reopens the database and finds every
acknowledged id, with ``integrity_check`` ok on SQLite. The SQLite writer applies the app's own
connection PRAGMAs (``fangpin.settings``: WAL, synchronous=FULL).

Limits: a killed process leaves the operating system's page cache intact, so this proves the
commit-then-acknowledge order and crash recovery, not survival of a power cut — that rests on
``synchronous=FULL`` / ``fsync=on``, which the system check (``fangpin.core.db_checks``) asserts
on the live connection. Killing the PostgreSQL postmaster is out of scope here (it needs a
server of its own, not the shared test server).
"""

from __future__ import annotations

import os
import secrets
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from fangpin.core.backup_db import live_settings, open_database, url_settings
from fangpin.core.db_checks import check_database_durability, durability_messages

ACKNOWLEDGED = 100  # commits the test waits for before the kill

SQLITE_WRITER = r"""
import sqlite3, sys

database, side_file, init_command = sys.argv[1:4]
db = sqlite3.connect(database, isolation_level=None, timeout=20)
for statement in init_command.split(";"):
    if statement.strip():
        db.execute(statement)
with open(side_file, "a", buffering=1) as side:
    n = 0
    while True:
        n += 1
        db.execute("BEGIN IMMEDIATE")
        row_id = db.execute("INSERT INTO scratch (payload) VALUES (?)", ("x" * n,)).lastrowid
        db.execute("COMMIT")
        side.write(f"{row_id}\n")  # acknowledged only after COMMIT returned
        side.flush()
        print(row_id, flush=True)
"""

POSTGRESQL_WRITER = r"""
import sys

import psycopg

conninfo, table, side_file = sys.argv[1:4]
with psycopg.connect(conninfo, autocommit=True) as db, open(side_file, "a", buffering=1) as side:
    n = 0
    while True:
        n += 1
        row_id = db.execute(
            f'INSERT INTO "{table}" (payload) VALUES (%s) RETURNING id', ("x" * n,)
        ).fetchone()[0]
        side.write(f"{row_id}\n")  # acknowledged only after the autocommit INSERT returned
        side.flush()
        print(row_id, flush=True)
"""


def kill_mid_stream(arguments: list[str]) -> None:
    """Run a writer until it has acknowledged ACKNOWLEDGED commits, then SIGKILL it."""
    writer = subprocess.Popen(  # our interpreter and our own script
        [sys.executable, "-c", *arguments], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout is not None
        for _ in range(ACKNOWLEDGED):
            assert writer.stdout.readline(), "the writer stopped before the kill"
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.kill()
        writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL


def acknowledged(side_file: Path) -> list[int]:
    """The ids in the side file; a line cut short by the kill was never acknowledged."""
    text = side_file.read_text()
    return [int(line) for line in text.split("\n")[:-1]]  # the part after the last \n: cut


def assert_every_acknowledged_commit_is_there(side_file: Path, stored: list[int]) -> None:
    acked = acknowledged(side_file)
    assert len(acked) >= ACKNOWLEDGED
    assert set(acked) <= set(stored)
    # At most one commit may have landed between COMMIT returning and the side-file write.
    assert len(stored) - len(acked) in (0, 1)
    assert sorted(stored) == list(range(stored[0], stored[0] + len(stored)))


# --- Crash: SQLite ----------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_sqlite_keeps_every_acknowledged_commit_after_kill_9(tmp_path: Path) -> None:
    database, side_file = tmp_path / "crash.sqlite3", tmp_path / "acknowledged.txt"
    init_command = url_settings(f"sqlite:///{database}")["OPTIONS"]["init_command"]
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE scratch (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)")
    db.close()

    kill_mid_stream([SQLITE_WRITER, str(database), str(side_file), init_command])

    with sqlite3.connect(database) as db:  # recovery replays or discards the WAL
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        stored = [row[0] for row in db.execute("SELECT id FROM scratch ORDER BY id")]
    db.close()
    assert_every_acknowledged_commit_is_there(side_file, stored)


# --- Crash: PostgreSQL ------------------------------------------------------------------------


@pytest.fixture
def scratch_table(db: None) -> Iterator[str]:
    """A table in the test database, created and dropped outside the test's transaction."""
    name = f"fangpin_crash_{secrets.token_hex(4)}"

    def execute(sql: str) -> None:
        with open_database(live_settings(), label="test_scratch") as own, own.cursor() as c:
            c.execute(sql)

    execute(f'CREATE TABLE "{name}" (id bigserial PRIMARY KEY, payload text NOT NULL)')
    yield name
    execute(f'DROP TABLE IF EXISTS "{name}"')


@pytest.mark.postgres
def test_postgresql_keeps_every_acknowledged_commit_after_kill_9(
    scratch_table: str, tmp_path: Path
) -> None:
    import psycopg.conninfo

    settings = connection.settings_dict
    conninfo = psycopg.conninfo.make_conninfo(
        dbname=settings["NAME"],
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    )
    side_file = tmp_path / "acknowledged.txt"

    kill_mid_stream([POSTGRESQL_WRITER, conninfo, scratch_table, str(side_file)])

    with open_database(live_settings(), label="test_reopen") as own, own.cursor() as cursor:
        cursor.execute(f'SELECT id FROM "{scratch_table}" ORDER BY id')
        stored = [row[0] for row in cursor.fetchall()]
    assert_every_acknowledged_commit_is_there(side_file, stored)


# --- The system check -------------------------------------------------------------------------


def test_the_durability_check_passes_on_the_test_database(db: None) -> None:
    assert check_database_durability(databases=["default"]) == []
    call_command("check", "--database", "default", "--tag", "database", "--fail-level", "WARNING")


def test_the_check_is_registered_as_a_database_check() -> None:
    from django.core.checks.registry import registry

    assert check_database_durability in registry.get_checks(include_deployment_checks=False)
    assert "database" in check_database_durability.tags  # type: ignore[attr-defined]


def _sqlite_file(tmp_path: Path, init_command: str | None = None) -> dict[str, Any]:
    settings = url_settings(f"sqlite:///{tmp_path / 'live.sqlite3'}")
    if init_command is not None:
        settings["OPTIONS"]["init_command"] = init_command
    return settings


@pytest.mark.django_db
def test_a_file_sqlite_database_opened_like_the_app_is_wal_and_full(tmp_path: Path) -> None:
    with open_database(_sqlite_file(tmp_path), label="test_live") as db:
        assert durability_messages(db) == []
        with db.cursor() as cursor:
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 2
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"


@pytest.mark.django_db
def test_sqlite_synchronous_normal_is_an_error(tmp_path: Path) -> None:
    init = "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL"

    with open_database(_sqlite_file(tmp_path, init), label="test_live") as db:
        messages = durability_messages(db)

    assert [(m.id, m.level >= 40) for m in messages] == [("fangpin.E011", True)]
    assert messages[0].msg.startswith(f"SQLite 数据库 {db.alias} 的 synchronous 为 NORMAL（1）")


@pytest.mark.django_db
def test_sqlite_rollback_journal_is_an_error(tmp_path: Path) -> None:
    init = "PRAGMA journal_mode=DELETE;PRAGMA synchronous=FULL"

    with open_database(_sqlite_file(tmp_path, init), label="test_live") as db:
        messages = durability_messages(db)

    assert [m.id for m in messages] == ["fangpin.E010"]
    assert messages[0].msg == f"SQLite 数据库 {db.alias} 的 journal_mode 为 delete，应为 wal"


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_synchronous_commit_off_is_an_error() -> None:
    settings = live_settings()
    settings["OPTIONS"] = {**settings["OPTIONS"], "options": "-c synchronous_commit=off"}

    with open_database(settings, label="test_live") as db:
        messages = durability_messages(db)

    assert [m.id for m in messages] == ["fangpin.E014"]
    assert messages[0].msg.startswith(
        f"PostgreSQL 数据库 {db.alias} 的 synchronous_commit 为 off，应为 local / on / "
        "remote_apply / remote_write"
    )


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_synchronous_commit_local_is_accepted() -> None:
    settings = live_settings()
    settings["OPTIONS"] = {**settings["OPTIONS"], "options": "-c synchronous_commit=local"}

    with open_database(settings, label="test_live") as db:
        assert durability_messages(db) == []
