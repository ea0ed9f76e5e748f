"""A drawn sample: the selected villages and households with their inclusion probabilities,
design weights and the population counts needed to estimate from them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fangpin.sampling.frame import Domain, SecondStageRule, SelectionMethod, SizeMeasure

__all__ = [
    "Sample",
    "SampleParameters",
    "SampledHousehold",
    "SampledVillage",
    "SelectedVillage",
    "StratumCount",
]


@dataclass(frozen=True, slots=True)
class StratumCount:
    """Population counts of one stratum, for weights and the first-stage FPC (N_h)."""

    stratum: str
    villages_total: int
    villages_sampled: int
    households_in_register: int
    households_outside: int


@dataclass(frozen=True, slots=True)
class SelectedVillage:
    """A village drawn at the first stage, with its inclusion probability π_i."""

    code: str
    stratum: str
    first_stage_probability: float
    is_certainty: bool  # π_i = 1: the whole stratum was taken, or PPS took it for its size


@dataclass(frozen=True, slots=True)
class SampledVillage:
    """A selected village with its household counts and how many were drawn in each domain."""

    code: str
    stratum: str
    first_stage_probability: float
    is_certainty: bool
    households_in_register: int
    households_outside: int
    register_sampled: int
    outside_sampled: int


@dataclass(frozen=True, slots=True)
class SampledHousehold:
    """A household to visit, with its probabilities and design weight ``1 / (π_i · π_j|i)``."""

    household_id: int | str
    village: str
    stratum: str
    domain: Domain
    first_stage_probability: float
    second_stage_probability: float
    inclusion_probability: float
    weight: float


@dataclass(frozen=True, slots=True)
class SampleParameters:
    """Everything besides the frame and the seed that decides the sample."""

    method: SelectionMethod
    size_measure: SizeMeasure
    villages_per_stratum: tuple[tuple[str, int], ...]
    register_rule: SecondStageRule
    outside_rule: SecondStageRule

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": str(self.method),
            "size_measure": str(self.size_measure),
            "villages_per_stratum": dict(self.villages_per_stratum),
            "register_rule": self.register_rule.as_dict(),
            "outside_rule": self.outside_rule.as_dict(),
        }


@dataclass(frozen=True, slots=True)
class Sample:
    """A drawn sample: enough to store, to print a visit list and to weight the results."""

    seed: int | str
    parameters: SampleParameters
    strata: tuple[StratumCount, ...]
    villages: tuple[SampledVillage, ...]
    households: tuple[SampledHousehold, ...]

    @property
    def stratum_psu_counts(self) -> dict[str, int]:
        """N_h, villages in each stratum's frame: the ``stratum_psu_counts`` of estimation."""
        return {s.stratum: s.villages_total for s in self.strata}

    def households_of(self, village: str, domain: Domain | None = None) -> tuple[int | str, ...]:
        """Household ids to visit in ``village`` (one domain, or both: register first)."""
        return tuple(
            h.household_id
            for h in self.households
            if h.village == village and (domain is None or h.domain is domain)
        )

    def as_dict(self) -> dict[str, Any]:
        """A JSON-able dict of the whole sample (floats as computed)."""
        return {
            "seed": self.seed,
            "parameters": self.parameters.as_dict(),
            "strata": [
                {
                    "stratum": s.stratum,
                    "villages_total": s.villages_total,
                    "villages_sampled": s.villages_sampled,
                    "households_in_register": s.households_in_register,
                    "households_outside": s.households_outside,
                }
                for s in self.strata
            ],
            "villages": [
                {
                    "code": v.code,
                    "stratum": v.stratum,
                    "first_stage_probability": v.first_stage_probability,
                    "is_certainty": v.is_certainty,
                    "households_in_register": v.households_in_register,
                    "households_outside": v.households_outside,
                    "register_sampled": v.register_sampled,
                    "outside_sampled": v.outside_sampled,
                }
                for v in self.villages
            ],
            "households": [
                {
                    "household_id": h.household_id,
                    "village": h.village,
                    "stratum": h.stratum,
                    "domain": str(h.domain),
                    "first_stage_probability": h.first_stage_probability,
                    "second_stage_probability": h.second_stage_probability,
                    "inclusion_probability": h.inclusion_probability,
                    "weight": h.weight,
                }
                for h in self.households
            ],
        }
