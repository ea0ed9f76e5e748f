"""The registry of a region as Arrow tables, for the measures and the integrity detectors.

The data leaves the database the one way it always does: the registry snapshot (ADBC → Parquet,
:mod:`fangpin.registry.snapshot`, pseudonymised: no names, ID numbers or phones in clear), into a
private temporary directory that is removed afterwards. Each snapshot is audited as a bulk read.
Extra tables the integrity detectors read (eliminations with their decision dates, visit notes,
public-welfare posts) come from the apps that own them, as Arrow tables built from value lists.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings

from fangpin.registry.snapshot import registry_snapshot

__all__ = ["registry_tables"]


@contextmanager
def registry_tables(region_prefix: str, *, actor: object) -> Iterator[dict[str, pa.Table]]:
    """The six registry tables of ``region_prefix`` (contract schemas), read into memory."""
    scratch = Path(settings.VAR_DIR) / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch, prefix="measures-") as tmp:
        target = Path(tmp) / "snapshot"
        registry_snapshot(target, region_prefix=region_prefix, actor=actor)
        yield {
            path.stem: pq.read_table(path)
            for path in sorted((target / "registry").glob("*.parquet"))
        }
