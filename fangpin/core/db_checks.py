"""System check: the live database is configured to keep every acknowledged commit (REL-DB-1).

A commit the app has acknowledged must survive a crash of the app, the database server or the
machine (SECURITY.md §5 scenario 23). That depends on settings a deployment can get wrong, so
this check reads them from the live connection, not from ``settings.py``:

- SQLite: ``journal_mode`` is ``wal`` and ``synchronous`` is ``FULL`` (2) or ``EXTRA`` (3). Under
  WAL, ``NORMAL`` may lose the last transactions on power loss. ``fangpin.settings`` sets both
  in the connection's ``init_command``; an in-memory database (the test runner's) has nothing
  to keep and is skipped.
- PostgreSQL: ``fsync`` and ``full_page_writes`` are ``on``, and ``synchronous_commit`` is not
  ``off`` (``on``, ``local``, ``remote_write`` and ``remote_apply`` all flush the local WAL
  before a commit returns).

It is a ``database`` check, so Django runs it where a database is meant to be used: ``migrate``
(``fangpin migrate``) and ``manage.py check --database default``.
"""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

__all__ = ["check_database_durability", "durability_messages"]

_SYNCHRONOUS = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
_POSTGRESQL_SETTINGS = (
    ("fsync", {"on"}, "fangpin.E012"),
    ("full_page_writes", {"on"}, "fangpin.E013"),
    ("synchronous_commit", {"on", "local", "remote_write", "remote_apply"}, "fangpin.E014"),
)


def _sqlite_messages(db: BaseDatabaseWrapper) -> list[checks.CheckMessage]:
    name = str(db.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:  # the test runner's: nothing on disk
        return []
    with db.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal_mode = str(cursor.fetchone()[0]).lower()
        cursor.execute("PRAGMA synchronous")
        synchronous = int(cursor.fetchone()[0])
    messages: list[checks.CheckMessage] = []
    if journal_mode != "wal":
        messages.append(
            checks.Error(
                f"SQLite 数据库 {db.alias} 的 journal_mode 为 {journal_mode}，应为 wal",
                hint="连接初始化须执行 PRAGMA journal_mode=WAL（见 fangpin/settings.py）",
                id="fangpin.E010",
            )
        )
    if synchronous < 2:
        name = _SYNCHRONOUS.get(synchronous, str(synchronous))
        messages.append(
            checks.Error(
                f"SQLite 数据库 {db.alias} 的 synchronous 为 {name}（{synchronous}），"
                "应为 FULL（2）：否则断电时可能丢失已确认提交的数据",
                hint="连接初始化须执行 PRAGMA synchronous=FULL（见 fangpin/settings.py）",
                id="fangpin.E011",
            )
        )
    return messages


def _postgresql_messages(db: BaseDatabaseWrapper) -> list[checks.CheckMessage]:
    messages: list[checks.CheckMessage] = []
    with db.cursor() as cursor:
        for setting, accepted, error_id in _POSTGRESQL_SETTINGS:
            cursor.execute(f"SHOW {setting}")  # a fixed setting name from the table above
            value = str(cursor.fetchone()[0]).lower()
            if value not in accepted:
                messages.append(
                    checks.Error(
                        f"PostgreSQL 数据库 {db.alias} 的 {setting} 为 {value}，"
                        f"应为 {' / '.join(sorted(accepted))}：否则崩溃或断电时可能丢失已确认提交的"
                        "数据或损坏数据",
                        hint=f"在 postgresql.conf 中设置 {setting} = on 并重新加载配置",
                        id=error_id,
                    )
                )
    return messages


def durability_messages(db: BaseDatabaseWrapper) -> list[checks.CheckMessage]:
    """The durability errors of one connection's live settings (empty when all is well)."""
    if db.vendor == "sqlite":
        return _sqlite_messages(db)
    if db.vendor == "postgresql":
        return _postgresql_messages(db)
    return []


@checks.register(checks.Tags.database)
def check_database_durability(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Refuse a database that could lose acknowledged commits (fangpin.E010–E014)."""
    messages: list[checks.CheckMessage] = []
    for alias in databases or ():
        messages += durability_messages(connections[alias])
    return messages
