"""Typed records of the sections a caller reads as a whole (``ResolvedEdition.evaluation`` …).

Values only; the provenance of each stays on :meth:`ResolvedEdition.get`. A record that carries
``confirmed_keys`` lets its reader say when a verdict or a warning rests on an unconfirmed value.
"""

from __future__ import annotations

from dataclasses import dataclass

from fangpin.policy.model import CatalogueItem

__all__ = ["EliminationGuards", "EvaluationThresholds", "ForceThresholds", "IntegrityThresholds"]


@dataclass(frozen=True, slots=True)
class EliminationGuards:
    """The elimination guard of DOMAIN.md §5, one configurable clause per field."""

    min_months_since_identification: int
    min_measures_for_risk: int
    min_income_stable_months: int
    require_income_above_line: bool
    require_three_guarantees: bool
    require_water: bool
    require_no_new_risk: bool
    block_whole_household_no_labour: bool


@dataclass(frozen=True, slots=True)
class EvaluationThresholds:
    """The exit standards and 三率一度 lines of DOMAIN.md §6 (the ``evaluation`` section).

    Rates must be *below* their max; approval must be *at least* its min; the registry
    incidence may not be *above* its max. ``confirmed_keys`` lists the keys a source confirmed,
    so a verdict can say when it rests on an unconfirmed line.
    """

    wrong_exit_rate_max: float
    omission_rate_max: float
    approval_rate_min: float
    incidence_max: float
    incidence_max_west: float
    registry_incidence_max: float
    western_regions: tuple[CatalogueItem, ...]
    confidence_level: float
    confirmed_keys: frozenset[str] = frozenset()

    def western_region(self, region_code: str) -> CatalogueItem | None:
        """The longest listed prefix of ``region_code`` (None: the general line applies)."""
        matches = [item for item in self.western_regions if region_code.startswith(item.code)]
        return max(matches, key=lambda item: len(item.code)) if matches else None

    def is_confirmed(self, key: str) -> bool:
        """Whether ``evaluation.<key>`` (e.g. ``incidence_max_west``) was confirmed."""
        return f"evaluation.{key}" in self.confirmed_keys


@dataclass(frozen=True, slots=True)
class IntegrityThresholds:
    """The parameters of the automated integrity signals, DOMAIN.md §11 [D]."""

    bunching_band_share: float
    bunching_min_households: int
    transfer_share_max: float
    fast_elimination_months: int
    same_day_eliminations_min: int
    identical_income_min_households: int
    quota_shares: tuple[float, ...]
    quota_tolerance: float
    benford_min_records: int
    copied_note_similarity: float


@dataclass(frozen=True, slots=True)
class ForceThresholds:
    """The assisting cadres' duty of care (帮扶力量, the ``force`` section).

    ``max_households_per_cadre``: households one assisting cadre (帮扶责任人) may be responsible
    for at once; ``visits_per_month``: visits a cadre owes each of them a month, at least (0: no
    monthly minimum). No national source gives either number; provinces set them, so the
    national floors ship placeholders marked unconfirmed.
    """

    max_households_per_cadre: int
    visits_per_month: int
    confirmed_keys: frozenset[str] = frozenset()

    def is_confirmed(self, key: str) -> bool:
        """Whether ``force.<key>`` (e.g. ``visits_per_month``) was confirmed."""
        return f"force.{key}" in self.confirmed_keys
