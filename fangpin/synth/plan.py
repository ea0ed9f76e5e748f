"""The run-wide plan: decisions made once per run, before any chunk is generated.

Which village each household is in, the natural villages of each village, the employers,
the relocation sites, the year's disasters, the ID allocator and the feed record counters all
live here, so chunks share them and IDs stay unique and consecutive across chunks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from fangpin.synth._arrow import FloatArray, IntArray, day_number
from fangpin.synth.config import SynthConfig, VillageSpec
from fangpin.synth.ids import IdAllocator
from fangpin.synth.names import employer_pool, natural_village_names

__all__ = ["DisasterEvent", "Plan", "make_plan"]

#: Disaster subtypes (DOMAIN.md §2.4, table 100A271 of a local system): code, name, months,
#: share of households hit in an affected village, chance of a partly damaged / collapsed
#: house, median loss (yuan), share of hit households with crop losses.
DISASTER_KINDS: dict[str, tuple[str, tuple[int, ...], float, float, float, float, float]] = {
    "0201": ("洪涝", (6, 7), 0.30, 0.12, 0.02, 3000.0, 0.8),
    "0202": ("地质", (5, 6, 7, 8), 0.08, 0.45, 0.15, 12000.0, 0.3),
    "0203": ("旱灾", (8, 9), 0.40, 0.0, 0.0, 1500.0, 1.0),
    "0204": ("生物", (5, 6, 7), 0.20, 0.0, 0.0, 1200.0, 1.0),
    "0205": ("气象", (4, 5), 0.25, 0.08, 0.0, 1800.0, 0.9),
    "0206": ("地震", (1, 2, 3, 10, 11), 0.05, 0.30, 0.02, 6000.0, 0.0),
    "0299": ("其他", (1, 2, 3, 10, 11, 12), 0.02, 0.50, 0.20, 20000.0, 0.0),
}


@dataclass(frozen=True, slots=True)
class DisasterEvent:
    code: str
    day: int  # day number of occurrence
    villages: tuple[int, ...]  # village indices hit


@dataclass(eq=False)
class Plan:
    config: SynthConfig
    villages: tuple[VillageSpec, ...]
    county_code: str
    county_name: str
    neighbours: tuple[str, ...]
    household_village: IntArray  # village index per household, non-decreasing
    household_sequence: IntArray  # 1-based number within the village
    number_width: int
    village_poor_share: FloatArray
    village_groups: list[list[str]]  # natural villages (自然村/组) per village
    employers: list[str]
    employer_weights: IntArray
    county_site: str
    township_order: IntArray  # village indices grouped by township
    township_first: IntArray  # per village: where its township starts in township_order
    township_count: IntArray  # per village: number of villages in its township
    disasters: tuple[DisasterEvent, ...]
    allocator: IdAllocator
    reference_day: int
    period_start: int  # first day of the feeds' 12-month period
    record_counters: dict[str, int] = field(default_factory=dict)
    next_person_id: int = 1

    def next_record_ids(self, feed: str, count: int) -> IntArray:
        """Reserve ``count`` consecutive record numbers of ``feed`` (global across chunks)."""
        start = self.record_counters.get(feed, 1)
        self.record_counters[feed] = start + count
        return np.arange(start, start + count, dtype=np.int64)

    def address_prefix(self, village: int) -> str:
        spec = self.villages[village]
        return spec.address_prefix or self.county_name

    @property
    def housing_assessor(self) -> str:
        return f"{self.county_name}住房和城乡建设局"


def _village_weights(rng: np.random.Generator, villages: Sequence[VillageSpec]) -> FloatArray:
    weights = np.empty(len(villages))
    for i, village in enumerate(villages):
        low, high = (5, 40) if village.is_neighbourhood_committee else (40, 250)
        weights[i] = rng.uniform(low, high)
    return weights


def _disasters(
    rng: np.random.Generator, villages: Sequence[VillageSpec], reference: date
) -> tuple[DisasterEvent, ...]:
    """A year's disasters, each clustered on a township or a few villages on one date."""
    by_township: dict[str, list[int]] = {}
    for i, v in enumerate(villages):
        by_township.setdefault(v.township_code, []).append(i)
    townships = sorted(by_township)
    period = [reference - timedelta(days=d) for d in range(365)]
    plan = ["0201", "0201", "0202", "0203", "0205", "0204"]
    events = []
    for code in plan:
        months = DISASTER_KINDS[code][1]
        days = [d for d in period if d.month in months]
        day = days[int(rng.integers(len(days)))]
        if code in ("0201", "0203"):  # a flood or a drought hits a whole township
            hit = by_township[townships[int(rng.integers(len(townships)))]]
        else:  # landslides, hail and pests hit a few villages
            size = min(len(villages), int(rng.integers(2, 6)))
            hit = sorted(int(x) for x in rng.choice(len(villages), size=size, replace=False))
        events.append(DisasterEvent(code, day_number(day), tuple(hit)))
    return tuple(events)


def make_plan(
    villages: Sequence[VillageSpec],
    county_code: str,
    county_name: str,
    config: SynthConfig,
    neighbour_county_codes: Sequence[str],
) -> Plan:
    if not villages:
        raise ValueError("at least one village is needed")
    if len(county_code) != 6 or not county_code.isdigit():
        raise ValueError(f"county code must be 6 digits, got {county_code!r}")
    villages = tuple(sorted(villages, key=lambda v: v.code))
    if len({v.code for v in villages}) != len(villages):
        raise ValueError("village codes must be unique")
    rng = np.random.default_rng([config.seed, 0])
    weights = _village_weights(rng, villages)
    per_village = rng.multinomial(config.households, weights / weights.sum())
    household_village = np.repeat(np.arange(len(villages)), per_village).astype(np.int64)
    starts = np.cumsum(per_village) - per_village
    sequence = np.arange(config.households) - starts[household_village] + 1
    width = max(4, len(str(int(per_village.max()))))
    poor = np.clip(
        rng.normal(config.formerly_poor_share, config.village_poor_share_sd, len(villages)),
        0.02,
        0.75,
    )
    # Neighbourhood committees have few formerly poor households.
    committee = np.array([v.is_neighbourhood_committee for v in villages])
    poor = np.where(committee, poor * 0.5, poor)
    groups = [
        natural_village_names(rng, int(rng.integers(4, 11)))
        for _ in villages  # 4–10 组 per village
    ]
    employers, employer_weights = employer_pool(rng, 400)
    neighbours = tuple(c for c in dict.fromkeys(neighbour_county_codes) if c != county_code)
    reference = config.reference_date
    allocator = IdAllocator(
        (county_code, *neighbours), date(1900, 1, 1), reference, salt=config.seed
    )
    name = county_name or "本县"
    township_codes = np.array([v.township_code for v in villages])
    order = np.argsort(township_codes, kind="stable")
    unique, first, count = np.unique(township_codes[order], return_index=True, return_counts=True)
    group = np.searchsorted(unique, township_codes)
    return Plan(
        config=config,
        villages=villages,
        county_code=county_code,
        county_name=name,
        neighbours=neighbours,
        household_village=household_village,
        household_sequence=sequence.astype(np.int64),
        number_width=width,
        village_poor_share=poor,
        village_groups=groups,
        employers=employers,
        employer_weights=employer_weights,
        county_site=f"{name}城区易地扶贫搬迁集中安置区",
        township_order=order.astype(np.int64),
        township_first=first[group].astype(np.int64),
        township_count=count[group].astype(np.int64),
        disasters=_disasters(rng, villages, reference),
        allocator=allocator,
        reference_day=day_number(reference),
        period_start=day_number(reference) - 364,
    )
