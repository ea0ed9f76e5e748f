"""Fixtures for the core tests: a writable copy of the real region subset, a fresh cache."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import axes.attempts
import axes.handlers.proxy
import pytest
from django.utils import timezone

from fangpin.core.models import User
from fangpin.core.selectors import region_cache_clear
from tests.conftest_regions import REGION_FIXTURE_DIR

PASSWORD = "correct-horse-battery-9"


class Clock:
    """Moves ``timezone.now`` (and axes' imported copies) forward by ``advance``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = timedelta(0)
        real_now = timezone.now

        def now() -> datetime:
            return real_now() + self.offset

        for module in (timezone, axes.handlers.proxy, axes.attempts):
            monkeypatch.setattr(module, "now", now)

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def official(db: Any) -> User:
    return User.objects.create_user(
        username="county_433124", password=PASSWORD, is_staff=True, is_superuser=True
    )


@pytest.fixture(autouse=True)
def _fresh_region_cache() -> Iterator[None]:
    # Test transactions never commit, so the on-commit clear of regions_load never runs.
    region_cache_clear()
    yield
    region_cache_clear()


@pytest.fixture
def region_source(tmp_path: Path) -> Path:
    """A copy of tests/fixtures/regions (real NBS 2023 rows) that a test may edit."""
    target = tmp_path / "regions"
    shutil.copytree(REGION_FIXTURE_DIR, target)
    (target / "README.md").unlink()
    return target


def drop_rows(path: Path, *codes: str) -> None:
    """Remove the rows whose code is one of ``codes`` from a source CSV."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if line.split(",", 1)[0] not in codes]
    assert len(kept) == len(lines) - len(codes)
    path.write_text("".join(kept), encoding="utf-8")


def add_rows(path: Path, *rows: str) -> None:
    """Append raw CSV lines to a source file."""
    with path.open("a", encoding="utf-8") as handle:
        handle.writelines(f"{row}\n" for row in rows)


def replace_line(path: Path, number: int, text: str) -> None:
    """Replace line ``number`` (1-based, the header is line 1) of a source file."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[number - 1] = f"{text}\n"
    path.write_text("".join(lines), encoding="utf-8")
