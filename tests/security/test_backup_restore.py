"""Scenario 22: back up, restore, and prove the restore is the database (REL-BAK-1).

The drill runs on the live vendor: in the SQLite pass ``VACUUM INTO`` + ``integrity_check``,
in the PostgreSQL pass ``pg_dump -Fc`` → ``pg_restore`` into a fresh database. Backups read
committed data through their own connections, so the drills commit (``transaction=True``); on
SQLite the audit log is emptied through the purge guard before Django's flush (its DELETE would
meet the append-only trigger; PostgreSQL flushes with TRUNCATE).
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from typer.testing import CliRunner

from fangpin.cli import app
from fangpin.core.audit import _set_purge_guard
from fangpin.core.backup import backup_create, backup_verify_restore
from fangpin.core.backup_db import BackupError, open_database, pg_tool, url_settings
from fangpin.core.backup_manifest import Manifest, file_sha256, manifest_path
from fangpin.core.backup_verify import restored_check
from fangpin.core.models import AuditChain, AuditEvent, Region
from fangpin.core.pi import keyring, keyring_reset
from fangpin.registry.models import Household, Person
from tests.registry.conftest import (  # noqa: F401  (fixtures: a village, an approver, a family)
    DOUWANG,
    actor,
    family,
    person_input,
    village,
)

runner = CliRunner()
drill = pytest.mark.django_db(transaction=True)
OTHER_VENDOR = {"sqlite": "postgresql", "postgresql": "sqlite"}


@pytest.fixture
def audit_log_emptied_after(transactional_db: None) -> Iterator[None]:
    """Empty the audit log through the purge guard before the flush (see the module doc)."""
    yield
    with transaction.atomic():
        chain, _created = AuditChain.objects.get_or_create(pk=1)
        _set_purge_guard(chain, on=True)
        AuditEvent.objects.all().delete()
        _set_purge_guard(chain, on=False)


@pytest.fixture
def world(audit_log_emptied_after: None, family: Household) -> Household:  # noqa: F811
    """A committed family of three (encrypted ID numbers, phone, health) and its audit events."""
    return family


@pytest.fixture
def backup(world: Household, tmp_path: Path) -> Path:
    path = tmp_path / ("fangpin.sqlite3" if connection.vendor == "sqlite" else "fangpin.dump")
    backup_create(actor="system:test", out=path)
    return path


@pytest.fixture
def restore_target(tmp_path: Path) -> Iterator[str]:
    """An address to restore into and keep: a new SQLite file, or an empty PostgreSQL database."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"fangpin_test_restore_{secrets.token_hex(4)}"
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{name}"
    _server(f'CREATE DATABASE "{name}" TEMPLATE template0')
    yield url
    _server(f'DROP DATABASE IF EXISTS "{name}"')


def _server(sql: str) -> None:
    from fangpin.core.backup_db import live_settings

    with open_database(live_settings(), label="test_server") as db, db.cursor() as cursor:
        cursor.execute(sql)


def _execute(url: str, sql: str, params: list[Any]) -> None:
    """Write straight into a restored database, as someone with file or superuser access."""
    with open_database(url_settings(url), label="test_tamper") as db, db.cursor() as cursor:
        cursor.execute(sql, params)


def _check(url: str, backup: Path) -> tuple[str, ...]:
    manifest = Manifest.from_json(manifest_path(backup).read_text(encoding="utf-8"))
    with open_database(url_settings(url), label="test_check") as db:
        return restored_check(db, manifest, ring=keyring()).problems


def _drill_databases() -> int:
    """Temporary drill databases on the PostgreSQL server (0 on SQLite)."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname LIKE 'fangpin_drill_%%'")
        return int(cursor.fetchone()[0])


def unwrapped(output: str) -> str:
    """CLI output without the line breaks rich adds at 80 columns."""
    return output.replace("\n", "")


# --- The drill passes -------------------------------------------------------------------------


@drill
def test_backup_and_drill_through_the_cli_pass_with_exact_counts(
    world: Household, tmp_path: Path
) -> None:
    out = tmp_path / "nightly.backup"
    events_before = AuditEvent.objects.count()

    created = runner.invoke(app, ["backup", "create", "--out", str(out)])

    assert created.exit_code == 0, created.output
    assert f"备份完成：{out}" in created.output
    manifest = Manifest.from_json(manifest_path(out).read_text(encoding="utf-8"))
    assert manifest.vendor == connection.vendor
    assert manifest.backup_file == "nightly.backup"
    assert manifest.backup_sha256 == file_sha256(out)
    assert manifest.tables["registry_person"].rows == 3
    assert manifest.tables["registry_household"].rows == 1
    assert manifest.tables["core_region"].rows == 7
    assert manifest.tables["core_auditevent"].rows == events_before

    drill_databases = _drill_databases()

    verified = runner.invoke(app, ["backup", "verify-restore", str(out)])

    assert verified.exit_code == 0, verified.output
    assert _drill_databases() == drill_databases  # PostgreSQL: the temporary database is gone
    integrity = "完整性检查 ok；" if connection.vendor == "sqlite" else ""
    # 3 ID numbers, 3 health records, 1 household phone: every token, each column < 20
    assert f"{integrity}8 个加密字段抽样解密 7 个密文" in verified.output
    assert f"审计链完整：{events_before} 条记录" in verified.output
    events = list(AuditEvent.objects.filter(action__startswith="backup.").order_by("id"))
    assert [(e.action, e.result, e.actor_label) for e in events] == [
        ("backup.create", "success", "system:cli"),
        ("backup.verify", "success", "system:cli"),
    ]
    assert events[0].changes["rows"] == manifest.total_rows
    assert events[0].changes["sha256"] == manifest.backup_sha256
    assert events[1].changes["problems"] == []
    assert events[1].changes["audit_checked"] == events_before


# --- The drill finds differences --------------------------------------------------------------


@drill
def test_a_row_changed_in_the_restored_copy_is_named_by_table(
    world: Household, backup: Path, restore_target: str
) -> None:
    report = backup_verify_restore(actor="system:test", backup=backup, into=restore_target)
    assert report.is_ok, report.problems
    assert _check(restore_target, backup) == ()  # the restore stayed, equal to the backup
    expected = Manifest.from_json(manifest_path(backup).read_text()).tables["registry_household"]

    _execute(restore_target, "UPDATE registry_household SET address = %s", ["篡改的地址"])
    _execute(restore_target, "DELETE FROM core_region WHERE code = %s", [DOUWANG])

    problems = _check(restore_target, backup)
    assert len(problems) == 2
    assert problems[0] == "表 core_region 行数不一致：清单 7 行，恢复后 6 行"
    assert problems[1].startswith(
        f"表 registry_household 校验和不一致（同为 1 行，内容不同）：清单 {expected.checksum[:16]}…"
    )
    world.refresh_from_db()  # the live database is untouched
    assert world.address == "龙潭镇土地村上寨12号"
    assert Region.objects.count() == 7


@pytest.mark.sqlite_only
@drill
def test_verify_restore_exits_1_naming_the_table_changed_in_the_backup_file(
    backup: Path,
) -> None:
    import sqlite3

    with sqlite3.connect(backup) as raw:
        raw.execute("UPDATE registry_household SET address = '篡改的地址'")
    raw.close()

    result = runner.invoke(app, ["backup", "verify-restore", str(backup)])

    assert result.exit_code == 1
    output = unwrapped(result.output)
    assert "- 备份文件 fangpin.sqlite3 与清单记录的 SHA-256 不符" in output
    assert "- 表 registry_household 校验和不一致（同为 1 行，内容不同）" in output
    assert "错误：恢复演练未通过：发现 2 处问题" in output
    event = AuditEvent.objects.get(action="backup.verify")
    assert event.result == "failure"
    assert len(event.changes["problems"]) == 2


@pytest.fixture
def other_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A configured keyring without the key that encrypted the data (``dev``)."""
    monkeypatch.setenv("FANGPIN_FIELD_KEYS", "k2026:" + base64.b64encode(b"2" * 32).decode())
    monkeypatch.setenv("FANGPIN_INDEX_KEY", base64.b64encode(b"i" * 32).decode())
    keyring_reset()
    yield
    keyring_reset()


@drill
def test_the_drill_fails_clearly_without_the_key_that_encrypted_the_data(
    backup: Path, other_keys: None
) -> None:
    first_person = Person.objects.order_by("id").first()
    assert first_person is not None

    result = runner.invoke(app, ["backup", "verify-restore", str(backup)])

    assert result.exit_code == 1
    problems = [line for line in result.output.splitlines() if line.startswith("- ")]
    assert (
        f"- 表 registry_person 字段 id_number_encrypted：抽样 3 个密文中 3 个无法解密"
        f"（如 id={first_person.pk}：缺少解密所需的密钥 'dev'）"
    ) in problems
    assert all("无法解密" in problem for problem in problems)
    event = AuditEvent.objects.get(action="backup.verify")
    assert (event.result, event.changes["decrypted"]) == ("failure", 0)
    assert event.changes["problems"] == [problem.removeprefix("- ") for problem in problems]


# --- Refusals change nothing ------------------------------------------------------------------


def test_backup_refuses_to_overwrite_a_file(db: None, tmp_path: Path) -> None:
    out = tmp_path / "kept.backup"
    out.write_bytes(b"yesterday")

    with pytest.raises(BackupError) as caught:
        backup_create(actor="system:test", out=out)

    assert caught.value.code == "exists"
    assert caught.value.message == f"{out} 已存在：备份不覆盖已有文件，请换一个文件名"
    assert out.read_bytes() == b"yesterday"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.backup", "var"]
    event = AuditEvent.objects.get(action="backup.create")
    assert (event.result, event.changes["error"]) == ("failure", "exists")


@pytest.mark.sqlite_only
def test_sqlite_backup_refuses_to_run_inside_a_transaction(db: None, tmp_path: Path) -> None:
    with pytest.raises(BackupError) as caught:
        backup_create(actor="system:test", out=tmp_path / "b.sqlite3")

    assert caught.value.code == "transaction"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["var"]  # no copy, no partial file


def test_verify_restore_without_a_manifest_fails_clearly(db: None, tmp_path: Path) -> None:
    orphan = tmp_path / "orphan.backup"
    orphan.write_bytes(b"not a backup")

    result = runner.invoke(app, ["backup", "verify-restore", str(orphan)])

    assert result.exit_code == 1
    assert f"找不到清单文件 {orphan}.manifest.json" in unwrapped(result.output)
    assert AuditEvent.objects.get(action="backup.verify").changes["error"] == "manifest"


def fake_backup(tmp_path: Path, vendor: str) -> Path:
    """A file with a matching manifest of ``vendor`` (for refusals before any restore)."""
    path = tmp_path / "fake.backup"
    path.write_bytes(b"x")
    manifest = Manifest(
        vendor=vendor,
        app_version="0.1.0",
        created_at="2025-03-01T02:00:00+08:00",
        backup_file=path.name,
        backup_sha256=file_sha256(path),
    )
    manifest_path(path).write_text(manifest.to_json(), encoding="utf-8")
    return path


def test_a_backup_of_the_other_vendor_is_refused(db: None, tmp_path: Path) -> None:
    other = OTHER_VENDOR[connection.vendor]
    path = fake_backup(tmp_path, other)

    with pytest.raises(BackupError) as caught:
        backup_verify_restore(actor="system:test", backup=path)

    assert caught.value.message == (
        f"这是 {other} 数据库的备份，不能恢复到 {connection.vendor} 数据库；"
        "请用 --into 指定同类数据库"
    )


def test_unreadable_keys_stop_the_drill_before_any_restore(
    db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = fake_backup(tmp_path, connection.vendor)
    monkeypatch.setenv("FANGPIN_FIELD_KEYS", "no-colon-here")
    monkeypatch.setenv("FANGPIN_INDEX_KEY", base64.b64encode(b"i" * 32).decode())
    keyring_reset()
    try:
        with pytest.raises(BackupError) as caught:
            backup_verify_restore(actor="system:test", backup=path)
    finally:
        monkeypatch.undo()
        keyring_reset()

    assert caught.value.code == "keys"
    assert caught.value.message == (
        "无法读取加密密钥（docs/crypto.md）：FANGPIN_FIELD_KEYS 的格式应为 “编号:base64密钥,…”"
    )
    event = AuditEvent.objects.get(action="backup.verify")
    assert (event.result, event.changes["error"]) == ("failure", "keys")


def test_a_missing_postgresql_tool_is_named_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")

    with pytest.raises(BackupError) as caught:
        pg_tool("pg_dump")

    assert caught.value.code == "tool"
    assert caught.value.message.startswith("找不到 PostgreSQL 客户端工具 pg_dump：")


# --- PostgreSQL -------------------------------------------------------------------------------


@pytest.mark.postgres
@drill
def test_pg_backup_without_pg_dump_writes_nothing(
    world: Household, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "")

    with pytest.raises(BackupError) as caught:
        backup_create(actor="system:test", out=tmp_path / "b.dump")

    assert caught.value.code == "tool"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["var"]


@pytest.mark.postgres
@drill
def test_pg_restore_refuses_a_database_that_is_not_empty(backup: Path) -> None:
    settings = connection.settings_dict
    live = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    households = Household.objects.count()

    with pytest.raises(BackupError) as caught:
        backup_verify_restore(actor="system:test", backup=backup, into=live)

    assert caught.value.code == "target"
    assert f"目标数据库 {settings['NAME']} 不是空库" in caught.value.message
    assert Household.objects.count() == households
