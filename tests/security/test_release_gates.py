"""Scenario 30, release gates: no default account, no deploy warning, no debug in production.

The other gates of the scenario run outside pytest (docs/security-gates.md): bandit and the
deploy check in ``make check``, pip-audit in ``.ci/run``. The data-dictionary gate (SEC-MIN-1) is
``tests/core/test_pi_dictionary.py``. The deploy check is run here too, with the very
environment the Makefile gives it, so a settings change that adds a warning fails a test.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from fangpin.cli import app
from fangpin.core.models import AuditEvent, User
from fangpin.settings import BASE_DIR
from tests.conftest_regions import REGION_FIXTURE_DIR

runner = CliRunner()

#: Passwords a default or careless install would use: never usable on an account.
DEFAULT_PASSWORDS = (
    "admin",
    "administrator",
    "123456",
    "12345678",
    "123456789012",
    "password",
    "password1234",
    "admin123",
    "admin1234567",
    "Passw0rd",
    "fangpin",
    "fangpin12345",
    "demo",
)


def _accounts_with_a_default_password() -> list[str]:
    return [
        user.username
        for user in User.objects.all()
        if user.has_usable_password() and any(user.check_password(p) for p in DEFAULT_PASSWORDS)
    ]


def test_a_fresh_install_without_the_demo_has_no_account_with_a_default_password(
    db: Any,
) -> None:
    # The test database was built by every migration, like a fresh install; then the two
    # commands a production install runs before its first account (docs/access.md).
    migrated = runner.invoke(app, ["migrate"])
    regions = runner.invoke(
        app, ["regions", "load", "--under", "433124", "--source", str(REGION_FIXTURE_DIR)]
    )

    assert (migrated.exit_code, regions.exit_code) == (0, 0), migrated.output + regions.output
    assert User.objects.count() == 0
    assert _accounts_with_a_default_password() == []


def test_the_check_itself_finds_an_account_with_a_default_password(db: Any) -> None:
    User.objects.create_user("admin", password="admin")
    User.objects.create_user("clerk", password="一个不常见的长密码-7f3c")

    assert _accounts_with_a_default_password() == ["admin"]


@pytest.mark.parametrize("password", DEFAULT_PASSWORDS)
def test_the_first_administrator_cannot_get_a_default_password(db: Any, password: str) -> None:
    # `fangpin user create` is how production gets its first account: the one-time password
    # typed at its prompt goes through the password validators (SEC-AUTH-2).
    events = AuditEvent.objects.count()

    result = runner.invoke(
        app,
        ["user", "create", "admin01", "--full-name", "张三", "--role", "system_admin"],
        input=f"{password}\n{password}\n",
    )

    assert result.exit_code == 1
    assert (User.objects.count(), AuditEvent.objects.count()) == (0, events)


# --- The production settings ------------------------------------------------------------------


def _makefile_deploy_env() -> dict[str, str]:
    """The environment ``make check`` gives ``manage.py check --deploy`` (DEPLOY_CHECK_ENV)."""
    text = (BASE_DIR / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    line = re.search(r"^DEPLOY_CHECK_ENV := (.+)$", text, flags=re.MULTILINE)
    assert line is not None
    return dict(item.split("=", 1) for item in shlex.split(line[1]))


def _production(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FANGPIN_", "DATABASE_URL"))}
    env.update(_makefile_deploy_env(), FANGPIN_VAR_DIR=str(tmp_path), **extra)
    return subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=BASE_DIR,
        check=False,
    )


@pytest.mark.sqlite_only  # a subprocess that loads the settings: nothing database-specific
def test_the_production_deploy_check_has_no_warnings(tmp_path: Path) -> None:
    done = _production(tmp_path, "check", "--deploy", "--fail-level", "WARNING")

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "System check identified no issues (2 silenced)."
    assert done.stderr == ""


@pytest.mark.sqlite_only
def test_production_settings_are_https_only(tmp_path: Path) -> None:
    names = [
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "DEBUG",
        "SILENCED_SYSTEM_CHECKS",
    ]
    code = f"from django.conf import settings as s; print([getattr(s, n) for n in {names!r}])"
    done = _production(tmp_path, "shell", "-c", code)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == str(
        [
            ("HTTP_X_FORWARDED_PROTO", "https"),
            31_536_000,
            True,
            False,  # the TLS-terminating proxy redirects (settings.py says why)
            True,
            True,
            False,
            ["security.W008", "security.W021"],
        ]
    )


@pytest.mark.sqlite_only
def test_production_refuses_debug(tmp_path: Path) -> None:
    done = _production(tmp_path, "check", FANGPIN_DEBUG="true")

    assert done.returncode == 1
    assert "FANGPIN_DEBUG must be false when FANGPIN_MODE=production" in done.stderr


@pytest.mark.sqlite_only
def test_the_demo_refuses_production_before_touching_the_database(tmp_path: Path) -> None:
    database = tmp_path / "fangpin.sqlite3"
    database.write_bytes(b"the production register")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FANGPIN_", "DATABASE_URL"))}
    env.update(
        FANGPIN_MODE="production",
        FANGPIN_SECRET_KEY=_makefile_deploy_env()["FANGPIN_SECRET_KEY"],
        FANGPIN_VAR_DIR=str(tmp_path),
    )
    # A directory where the demo expects the WAL file stops it right after it removed the
    # database itself, so the test costs a second, not a demo build. A demo that checks the
    # mode first never gets that far.
    (tmp_path / "fangpin.sqlite3-wal").mkdir()

    done = subprocess.run(
        [sys.executable, "-c", "from fangpin.cli import main; main()", "demo", "--no-serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=BASE_DIR,
        check=False,
    )

    assert done.returncode == 1
    assert "不能在生产模式" in done.stderr
    assert database.read_bytes() == b"the production register"
