"""One real ``fangpin demo`` run shared by the tests that need a demo database on disk.

The demo builds a fresh SQLite registry in a subprocess (about half a minute): the end-to-end
tests (tests/e2e) and the bytes-at-rest check (tests/registry/test_pi_at_rest.py) share one
run. Tests using it carry ``xdist_group("demo")`` so ``--dist loadgroup`` keeps them on one
worker (one run); a test that changes the database works on a copy (:func:`demo_copy`).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest_regions import REGION_FIXTURE_DIR

FANGPIN = Path(sys.executable).parent / "fangpin"
DEMO_HOUSEHOLDS = 300
DEMO_SEED = 5


def demo_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        FANGPIN_MODE="demo",
        FANGPIN_VAR_DIR=str(var_dir),
        FANGPIN_REGIONS_DIR=str(REGION_FIXTURE_DIR),
    )
    return env


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """``fangpin demo --households 300 --seed 5 --no-serve``: its VAR_DIR and its output."""
    var_dir = tmp_path_factory.mktemp("demo-var")
    done = subprocess.run(
        [
            str(FANGPIN),
            "demo",
            "--households",
            str(DEMO_HOUSEHOLDS),
            "--seed",
            str(DEMO_SEED),
            "--no-serve",
        ],
        env=demo_env(var_dir),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return var_dir, done.stdout


def demo_copy(demo_run: tuple[Path, str], target: Path) -> Path:
    """A private copy of the demo's VAR_DIR (database checkpointed first, keys included)."""
    source, _ = demo_run
    with sqlite3.connect(source / "fangpin.sqlite3") as db:
        db.execute("pragma wal_checkpoint(truncate)")
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*-wal", "*-shm"))
    return target
