"""DATABASE_URL and environment parsing in fangpin.settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from fangpin.settings import BASE_DIR, SettingsError, _env_bool, parse_database_url


def test_sqlite_absolute_path_gets_wal_full_sync_immediate_and_busy_timeout() -> None:
    db = parse_database_url("sqlite:////srv/fangpin/db.sqlite3", var_dir=Path("/tmp"))
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == Path("/srv/fangpin/db.sqlite3")
    options = db["OPTIONS"]
    assert isinstance(options, dict)
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 20
    assert "PRAGMA journal_mode=WAL;" in options["init_command"]
    assert "PRAGMA synchronous=FULL;" in options["init_command"]
    assert "PRAGMA foreign_keys=ON;" in options["init_command"]


def test_sqlite_relative_path_is_relative_to_the_project() -> None:
    db = parse_database_url("sqlite:///var/x.sqlite3", var_dir=Path("/tmp"))
    assert db["NAME"] == BASE_DIR / "var" / "x.sqlite3"


def test_postgres_url_is_split_into_parts() -> None:
    db = parse_database_url(
        "postgres://fp:s%40cret@db.internal:5433/fangpin?sslmode=require", var_dir=Path("/tmp")
    )
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "fangpin",
        "fp",
        "s@cret",
        "db.internal",
        "5433",
    )
    assert db["OPTIONS"] == {"options": "-c jit=off", "sslmode": "require"}


def test_postgres_options_in_the_url_override_the_default() -> None:
    db = parse_database_url("postgres://fp@db/fangpin?options=-c%20jit%3Don", var_dir=Path("/tmp"))
    assert db["OPTIONS"] == {"options": "-c jit=on"}


@pytest.mark.parametrize(
    ("url", "fragment"),
    [("mysql://root@localhost/x", "mysql"), ("postgres://u@h:5432/", "must name a database")],
)
def test_unsupported_or_incomplete_urls_are_refused(url: str, fragment: str) -> None:
    with pytest.raises(SettingsError) as caught:
        parse_database_url(url, var_dir=Path("/tmp"))
    assert fragment in str(caught.value)


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("off", False), ("", True)])
def test_booleans_parse_strictly(monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("FANGPIN_X", raw)
    assert _env_bool("FANGPIN_X", True) is expected


def test_a_malformed_boolean_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FANGPIN_DEBUG", "maybe")
    with pytest.raises(SettingsError) as caught:
        _env_bool("FANGPIN_DEBUG", False)
    assert "FANGPIN_DEBUG" in str(caught.value)


def test_production_refuses_to_start_without_a_secret_key() -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "FANGPIN_SECRET_KEY"}
    env["FANGPIN_MODE"] = "production"
    done = subprocess.run(
        [sys.executable, "-c", "import fangpin.settings"],
        env=env,
        capture_output=True,
        text=True,
        cwd=BASE_DIR,
    )
    assert done.returncode == 1
    assert "FANGPIN_SECRET_KEY is required when FANGPIN_MODE=production" in done.stderr


@pytest.mark.parametrize(
    ("mode", "first"),
    [
        ("test", "fangpin.core.hashers.TestArgon2PasswordHasher"),
        ("demo", "django.contrib.auth.hashers.Argon2PasswordHasher"),
    ],
)
def test_only_the_test_mode_hashes_passwords_cheaply(mode: str, first: str) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "FANGPIN_MODE": mode}
    done = subprocess.run(
        [sys.executable, "-c", "import fangpin.settings as s; print(s.PASSWORD_HASHERS[0])"],
        env=env,
        capture_output=True,
        text=True,
        cwd=BASE_DIR,
        check=True,
    )
    assert done.stdout.strip() == first


def test_the_test_hasher_is_argon2id_and_verifies_a_production_hash() -> None:
    from django.contrib.auth.hashers import Argon2PasswordHasher, check_password

    from fangpin.core.hashers import TestArgon2PasswordHasher

    production = Argon2PasswordHasher().encode("正确的长密码abc123", "saltsaltsalt")
    cheap = TestArgon2PasswordHasher().encode("正确的长密码abc123", "saltsaltsalt")

    assert production.startswith("argon2$argon2id$v=19$m=102400,t=2,p=8$")
    assert cheap.startswith("argon2$argon2id$v=19$m=1024,t=1,p=1$")
    assert check_password("正确的长密码abc123", production)
    assert not check_password("错误的密码abc1234", production)
