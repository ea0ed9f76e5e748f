"""Test-suite wiring shared by every test package.

- FANGPIN_MODE=test unless already set (the Makefile sets it too).
- Tests marked ``postgres`` skip with a visible reason on SQLite.
- Every test gets its own VAR_DIR, so nothing writes into ./var.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("FANGPIN_MODE", "test")

pytest_plugins = ["tests.conftest_regions"]


def pytest_report_header(config: pytest.Config) -> str:
    from django.db import connection

    return f"fangpin database: {connection.vendor} ({connection.settings_dict['NAME']})"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
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
