"""Test-suite wiring shared by every test package.

- FANGPIN_MODE=test unless already set (the Makefile sets it too).
- Tests marked ``postgres`` skip with a visible reason on SQLite; the pure cores' tests skip,
  with a visible reason, in the PostgreSQL pass (no database: they ran in the SQLite pass).
- Every test gets its own VAR_DIR, so nothing writes into ./var.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("FANGPIN_MODE", "test")

pytest_plugins = ["tests.conftest_regions", "tests.conftest_demo"]


def pytest_report_header(config: pytest.Config) -> str:
    from django.db import connection

    return f"fangpin database: {connection.vendor} ({connection.settings_dict['NAME']})"


#: Test packages of the pure cores: they never touch a database, so the PostgreSQL pass skips
#: them (they ran, identically, in the SQLite pass).
PURE_TEST_PACKAGES = (
    "idnumber",
    "regioncode",
    "fieldcrypto",
    "synth",
    "contract",
    "policy",
    "screening",
    "workdays",
    "sheets",
    "procedure",
    "integrity",
    "measures",
    "sampling",
    "ledger",
)

#: Test packages that drive the app end to end through a browser: they run in the SQLite pass
#: only. Their database work is the pages' and services', which the page and service tests
#: cover on PostgreSQL; running the browser twice would cost minutes and prove nothing more.
SQLITE_ONLY_PACKAGES = ("browser",)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        tests_dir = Path(__file__).parent / "tests"
        pure = pytest.mark.skip(reason="pure core, no database: runs in the SQLite pass")
        once = pytest.mark.skip(
            reason="runs in the SQLite pass only (browser journeys, tests marked sqlite_only)"
        )
        for item in items:
            path = Path(item.path)
            package = path.relative_to(tests_dir).parts[0] if path.is_relative_to(tests_dir) else ""
            if package in PURE_TEST_PACKAGES:
                item.add_marker(pure)
            elif package in SQLITE_ONLY_PACKAGES or "sqlite_only" in item.keywords:
                item.add_marker(once)
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL: runs in the PostgreSQL pass (FANGPIN_TEST_POSTGRES_URL)"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolated_var_dir(tmp_path: Path, settings: object) -> Path:
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    settings.VAR_DIR = var_dir  # type: ignore[attr-defined]
    return var_dir
