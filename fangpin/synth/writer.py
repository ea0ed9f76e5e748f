"""Write a generated county as Parquet, atomically: a killed run leaves no half dataset.

Layout::

    out_dir/registry/<table>.parquet       one per fangpin.contract.REGISTRY_TABLES
    out_dir/feeds/<feed>.parquet          one per fangpin.contract.feeds.FEED_TABLES
    out_dir/manifest.json

Everything is written into a temporary directory beside ``out_dir`` and renamed into place
at the end; a previous dataset at ``out_dir`` stays intact until then.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

import fangpin
from fangpin.contract import CONTRACT_VERSION, REGISTRY_TABLES
from fangpin.contract.feeds import FEED_TABLES
from fangpin.synth.config import SynthConfig, VillageSpec
from fangpin.synth.pipeline import generate

__all__ = ["SYNTH_VERSION", "write_parquet"]

#: Bumped whenever the same seed and inputs would produce different data.
SYNTH_VERSION = "2"  # 2: monitoring spells and risks


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return str(value)  # Decimal, date


def _swap_into_place(new: Path, target: Path) -> None:
    """Rename ``new`` to ``target``, replacing any existing directory there."""
    if not target.exists():
        os.replace(new, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    old.rmdir()
    os.replace(target, old)
    try:
        os.replace(new, target)
    except BaseException:
        os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def write_parquet(
    villages: Sequence[VillageSpec],
    county_code: str,
    config: SynthConfig,
    out_dir: Path,
    *,
    county_name: str = "",
    neighbour_county_codes: Sequence[str] = (),
    chunk_households: int = 50_000,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Generate and write the dataset (one Parquet row group per chunk, zstd); return row counts."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; the dataset is meant to be shared
        schemas = {
            **{name: ("registry", s) for name, s in REGISTRY_TABLES.items()},
            **{name: ("feeds", s) for name, s in FEED_TABLES.items()},
        }
        for folder in ("registry", "feeds"):
            (staging / folder).mkdir()
        counts = dict.fromkeys(schemas, 0)
        writers = {
            name: pq.ParquetWriter(staging / folder / f"{name}.parquet", schema, compression="zstd")
            for name, (folder, schema) in schemas.items()
        }
        try:
            for result in generate(
                villages,
                county_code,
                config,
                county_name=county_name,
                neighbour_county_codes=neighbour_county_codes,
                chunk_households=chunk_households,
                progress=progress,
            ):
                for name, table in {**result.registry, **result.feeds}.items():
                    if table.num_rows:
                        writers[name].write_table(table, row_group_size=table.num_rows)
                        counts[name] += table.num_rows
        finally:
            for writer in writers.values():
                writer.close()
        manifest = {
            "contract_version": CONTRACT_VERSION,
            "seed": config.seed,
            "county_code": county_code,
            "county_name": county_name,
            "year": config.year,
            "reference_date": config.reference_date.isoformat(),
            "chunk_households": chunk_households,
            "neighbour_county_codes": list(neighbour_county_codes),
            "counts": counts,
            "generator": {
                "name": "fangpin.synth",
                "version": SYNTH_VERSION,
                "fangpin_version": fangpin.__version__,
            },
            "config": _plain(dataclasses.asdict(config)),
        }
        (staging / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        _swap_into_place(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return counts
