"""The chunk loop: plan once, then build each chunk of households stage by stage."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from fangpin.synth.chunk import Chunk
from fangpin.synth.conditions import conditions_table, make_conditions
from fangpin.synth.config import SynthConfig, VillageSpec
from fangpin.synth.events import disaster_hits, year_events
from fangpin.synth.feeds_health import death_records, disability_registrations, medical_claims
from fangpin.synth.feeds_households import disaster_losses, housing_assessments
from fangpin.synth.feeds_social import civil_affairs, education_dropouts, employment_insurance
from fangpin.synth.finances import finances_table, make_finances
from fangpin.synth.households import build_members
from fangpin.synth.messy import finish_feed
from fangpin.synth.monitoring import make_monitoring, monitoring_risks_table, monitorings_table
from fangpin.synth.persons import assign_attributes
from fangpin.synth.plan import Plan, make_plan
from fangpin.synth.register import households_table, init_households, persons_table

__all__ = ["SynthResult", "generate"]

_FEEDS = (
    medical_claims,
    civil_affairs,
    education_dropouts,
    housing_assessments,
    disability_registrations,
    disaster_losses,
    employment_insurance,
    death_records,
)


@dataclass(frozen=True)
class SynthResult:
    """One chunk: the registry tables and every department feed, contract-valid."""

    registry: dict[str, pa.Table]  # one per table of fangpin.contract.REGISTRY_TABLES
    feeds: dict[str, pa.Table]  # one per feed of fangpin.contract.feeds.FEED_TABLES


def _chunk(plan: Plan, index: int, start: int, stop: int) -> SynthResult:
    # One generator per chunk: the same seed and chunk size give the same output.
    rng = np.random.default_rng([plan.config.seed, 1, index])
    chunk = Chunk()
    init_households(chunk, plan, rng, start, stop)
    build_members(chunk, plan, rng)
    assign_attributes(chunk, plan, rng)
    registry: dict[str, Any] = {
        "households": households_table(chunk, plan, rng),
        "persons": persons_table(chunk, plan),
    }
    disaster_hits(chunk, plan, rng)
    make_finances(chunk, plan, rng)
    make_conditions(chunk, plan, rng)
    registry["finances"] = finances_table(chunk, plan)
    registry["conditions"] = conditions_table(chunk, plan)
    # A generator of its own, so adding monitoring left every earlier table and feed unchanged.
    make_monitoring(chunk, plan, np.random.default_rng([plan.config.seed, 2, index]))
    registry["monitorings"] = monitorings_table(chunk, plan)
    registry["monitoring_risks"] = monitoring_risks_table(chunk, plan)
    year_events(chunk, plan, rng)
    feeds = {}
    for build in _FEEDS:
        raw = build(chunk, plan, rng)
        feeds[raw.name] = finish_feed(raw, chunk, plan, rng)
    return SynthResult(registry=registry, feeds=feeds)


def generate(
    villages: Sequence[VillageSpec],
    county_code: str,
    config: SynthConfig,
    *,
    county_name: str = "",
    neighbour_county_codes: Sequence[str] = (),
    chunk_households: int = 50_000,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[SynthResult]:
    """Yield the synthetic county chunk by chunk (see docs/synth.md).

    Household ids run 1..N and person ids 1..M across chunks; ID numbers are unique across the
    whole run. ``county_name`` (e.g. "花垣县") names the county's hospitals, schools,
    relocation site and housing assessor, and starts addresses when a village has no
    ``address_prefix``. ``progress(done, total)`` is called after each chunk.
    """
    if chunk_households < 1:
        raise ValueError("chunk_households must be at least 1")
    plan = make_plan(villages, county_code, county_name, config, neighbour_county_codes)
    total = config.households
    for index, start in enumerate(range(0, total, chunk_households)):
        stop = min(start + chunk_households, total)
        yield _chunk(plan, index, start, stop)
        if progress is not None:
            progress(stop, total)
