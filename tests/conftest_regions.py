"""Region fixtures for every test package (wired in through the root conftest's pytest_plugins).

``huayuan_regions`` loads the real 2023 codes of the whole country down to county level, plus
the 12 townships and 228 villages of 433124 花垣县, from the committed subset in
``tests/fixtures/regions`` (about a second on SQLite).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REGION_FIXTURE_DIR = Path(__file__).parent / "fixtures" / "regions"
HUAYUAN = "433124"


@pytest.fixture
def huayuan_regions(db: Any) -> Iterator[Any]:
    """Load regions under 433124 花垣县 from the fixture subset; yield the RegionLoadReport."""
    from fangpin.core.regions import regions_load
    from fangpin.core.selectors import region_cache_clear

    report = regions_load(source_dir=REGION_FIXTURE_DIR, under=HUAYUAN, actor="system:test")
    # The test's transaction never commits, so the on-commit cache clear never runs.
    region_cache_clear()
    yield report
    region_cache_clear()
