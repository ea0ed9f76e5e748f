"""Households for an unannounced visit (暗访, DOMAIN.md §8.2): drawn per village by the
county's rules, never a household visited before, reproducible from the plan's seed.

The Fengqing practice: at least 20 registered or exited households (建档立卡/已脱贫/监测户) and
at least 5 others (一般农户) a village. A village with fewer candidates gives all it has, and
the shortfall is reported, not hidden.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["Candidate", "SamplingRules", "VillageSample", "sample_visits"]


@dataclass(frozen=True, slots=True)
class Candidate:
    household_id: int
    registered: bool  # registered, exited or monitored; False: an ordinary household


@dataclass(frozen=True, slots=True)
class SamplingRules:
    registered_per_village: int = 20
    others_per_village: int = 5

    def __post_init__(self) -> None:
        if self.registered_per_village < 0 or self.others_per_village < 0:
            raise ValueError("每村抽取户数不能为负数")


@dataclass(frozen=True, slots=True)
class VillageSample:
    village_code: str
    household_ids: tuple[int, ...]  # registered ones first, each group in draw order
    registered_short: int  # how many registered households the village lacked
    others_short: int


def _draw(rng: random.Random, pool: Sequence[int], count: int) -> tuple[list[int], int]:
    if len(pool) <= count:
        return list(pool), count - len(pool)
    return rng.sample(list(pool), count), 0


def sample_visits(
    candidates: Mapping[str, Iterable[Candidate]],
    *,
    seed: str,
    rules: SamplingRules | None = None,
    visited: Iterable[int] = (),
) -> list[VillageSample]:
    """Draw each village's households; villages in code order, the draw seeded per village
    (``seed`` and the village code), so adding a village changes no other village's list."""
    rules = rules or SamplingRules()
    seen = set(visited)
    out: list[VillageSample] = []
    for village in sorted(candidates):
        fresh = sorted(
            {c.household_id: c for c in candidates[village] if c.household_id not in seen}.values(),
            key=lambda c: c.household_id,
        )
        rng = random.Random(f"{seed}:{village}")
        registered, short_r = _draw(
            rng, [c.household_id for c in fresh if c.registered], rules.registered_per_village
        )
        others, short_o = _draw(
            rng, [c.household_id for c in fresh if not c.registered], rules.others_per_village
        )
        out.append(
            VillageSample(
                village_code=village,
                household_ids=(*registered, *others),
                registered_short=short_r,
                others_short=short_o,
            )
        )
    return out
