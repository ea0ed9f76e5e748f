"""花垣县's regions and the synthetic county, loaded once for a test module (tests/casework/
test_runs.py), not once per test.

``huayuan_regions`` (tests/conftest_regions.py) and ``loaded`` (tests/casework/conftest.py)
load them for every test that asks, about a second each time on PostgreSQL. A module that
imports these fixtures gets the same rows loaded once, as tests/security/seeded_world.py's
``module_world`` builds its world: inside an outer transaction rolled back when the module's
tests are done, in which each test's own ``db`` transaction nests as a savepoint.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import override_settings

from fangpin.core.regions import RegionLoadReport, regions_load
from fangpin.core.selectors import region_cache_clear
from fangpin.registry.bulk import registry_bulk_load
from tests.conftest_regions import HUAYUAN, REGION_FIXTURE_DIR


@pytest.fixture(scope="module")
def module_regions(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RegionLoadReport]:
    """花垣县's regions, loaded as ``huayuan_regions`` loads them, in an outer transaction that
    is rolled back when the module's tests are done."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            region_cache_clear()
            with override_settings(VAR_DIR=tmp_path_factory.mktemp("casework_runs")):
                report = regions_load(
                    source_dir=REGION_FIXTURE_DIR, under=HUAYUAN, actor="system:test"
                )
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield report
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            assert not connection.in_atomic_block
        region_cache_clear()


@pytest.fixture(scope="module")
def module_loaded(
    module_regions: RegionLoadReport,
    dataset: Path,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """The synthetic county loaded into the registry, as ``loaded`` loads it, in the module's
    outer transaction (from the first test that asks for it on). The registry is empty before
    the load, so the households keep the dataset's ids, which the stand-in snapshot needs."""
    with (
        django_db_blocker.unblock(),
        override_settings(VAR_DIR=tmp_path_factory.mktemp("casework_runs_load")),
    ):
        registry_bulk_load(actor="system:test", source_dir=dataset)
    region_cache_clear()
    return dataset


@pytest.fixture
def huayuan_regions(db: None, module_regions: RegionLoadReport) -> Iterator[RegionLoadReport]:
    """tests/conftest_regions.py's fixture, served from the module's load."""
    region_cache_clear()
    yield module_regions
    region_cache_clear()


@pytest.fixture
def loaded(module_loaded: Path, huayuan_regions: RegionLoadReport) -> Path:
    """tests/casework/conftest.py's fixture, served from the module's load."""
    return module_loaded
