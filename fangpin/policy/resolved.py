"""The edition in force for one year and region, with the provenance of every value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fangpin.policy.errors import PolicyError
from fangpin.policy.format import format_value
from fangpin.policy.model import CatalogueItem, Edition, Level, Value
from fangpin.policy.schema import FIELDS, FIELDS_BY_KEY, FieldSpec
from fangpin.policy.sections import (
    EliminationGuards,
    EvaluationThresholds,
    ForceThresholds,
    IntegrityThresholds,
)

__all__ = ["ExplainRow", "ResolvedEdition", "ResolvedValue"]


@dataclass(frozen=True, slots=True)
class ResolvedValue:
    """A value in force and where it came from (level, file, that file's year and source)."""

    key: str
    value: Value
    confirmed: bool
    source: str
    level: Level
    file: str
    edition_year: int

    @property
    def spec(self) -> FieldSpec:
        return FIELDS_BY_KEY[self.key]

    @property
    def display(self) -> str:
        return format_value(self.spec, self.value)

    def as_dict(self) -> dict[str, Any]:
        value: Any = self.value
        if isinstance(value, tuple):
            value = [item.as_dict() if isinstance(item, CatalogueItem) else item for item in value]
        return {
            "value": value,
            "confirmed": self.confirmed,
            "source": self.source,
            "level": str(self.level),
            "file": self.file,
            "edition_year": self.edition_year,
        }


@dataclass(frozen=True, slots=True)
class ExplainRow:
    """One row of :meth:`ResolvedEdition.explain`: key, value, confirmed, source, level, file."""

    key: str
    label: str
    value: Value
    display: str
    confirmed: bool
    source: str
    level: Level
    file: str


@dataclass(frozen=True, slots=True)
class ResolvedEdition:
    """Every schema key's value in force for ``year`` in ``region_code``.

    ``edition_id`` is ``"<year>/<region_code>@<12 hex>"``: the hex is the start of a SHA-256
    over the SHA-256 of each file's bytes in the chain (national first), so a screening result
    that records it names the exact files that ran.
    """

    year: int
    region_code: str
    edition_id: str
    chain: tuple[Edition, ...]
    values: Mapping[str, ResolvedValue]

    def get(self, key: str) -> ResolvedValue:
        """The value of ``key`` (e.g. ``monitoring.income_line``) with its provenance."""
        try:
            return self.values[key]
        except KeyError:
            raise PolicyError("unknown_key", f"政策版本中没有“{key}”这一项", key=key) from None

    def __getitem__(self, key: str) -> ResolvedValue:
        return self.get(key)

    @property
    def is_example(self) -> bool:
        """True when any file in the chain is a marked example, not real policy."""
        return any(e.is_example for e in self.chain)

    @property
    def unconfirmed_keys(self) -> tuple[str, ...]:
        return tuple(spec.key for spec in FIELDS if not self.values[spec.key].confirmed)

    def explain(self) -> tuple[ExplainRow, ...]:
        """One row per schema key, in schema order."""
        return tuple(
            ExplainRow(
                key=spec.key,
                label=spec.label,
                value=(v := self.values[spec.key]).value,
                display=v.display,
                confirmed=v.confirmed,
                source=v.source,
                level=v.level,
                file=v.file,
            )
            for spec in FIELDS
        )

    def as_dict(self) -> dict[str, Any]:
        """A JSON-able dict: the id, the files of the chain and every value with provenance."""
        return {
            "edition_id": self.edition_id,
            "year": self.year,
            "region_code": self.region_code,
            "is_example": self.is_example,
            "files": [
                {
                    "file": e.file,
                    "level": str(e.level),
                    "region": e.region,
                    "year": e.year,
                    "title": e.title,
                    "basis": e.basis,
                    "is_example": e.is_example,
                    "sha256": e.sha256,
                }
                for e in self.chain
            ],
            "values": {spec.key: self.values[spec.key].as_dict() for spec in FIELDS},
        }

    # Typed accessors (the value only; use ``get`` for provenance).

    def _int(self, key: str) -> int:
        value = self.get(key).value
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{key} is not an int")  # the schema makes this unreachable
        return value

    def _float(self, key: str) -> float:
        value = self.get(key).value
        if not isinstance(value, float):
            raise TypeError(f"{key} is not a number")
        return value

    def _bool(self, key: str) -> bool:
        value = self.get(key).value
        if not isinstance(value, bool):
            raise TypeError(f"{key} is not a bool")
        return value

    def _str(self, key: str) -> str:
        value = self.get(key).value
        if not isinstance(value, str):
            raise TypeError(f"{key} is not text")
        return value

    def _items(self, key: str) -> tuple[CatalogueItem, ...]:
        value = self.get(key).value
        if not isinstance(value, tuple):
            raise TypeError(f"{key} is not a list")
        return tuple(item for item in value if isinstance(item, CatalogueItem))

    def _confirmed_in(self, section: str) -> frozenset[str]:
        """The keys of ``section`` that a source confirmed."""
        return frozenset(
            spec.key
            for spec in FIELDS
            if spec.section == section and self.values[spec.key].confirmed
        )

    def _shares(self, key: str) -> tuple[float, ...]:
        value = self.get(key).value
        if not isinstance(value, tuple):
            raise TypeError(f"{key} is not a list")
        return tuple(item for item in value if isinstance(item, float))

    @property
    def poverty_line(self) -> int:
        return self._int("poverty_line.amount")

    @property
    def monitoring_line(self) -> int:
        return self._int("monitoring.income_line")

    @property
    def income_window_months(self) -> int:
        return self._int("monitoring.income_window_months")

    @property
    def income_window_rule(self) -> str:
        return self._str("monitoring.income_window_rule")

    @property
    def net_of_compliant_oop(self) -> bool:
        return self._bool("monitoring.net_of_compliant_oop")

    @property
    def medical_oop_share(self) -> float:
        return self._float("triggers.medical_oop_share")

    @property
    def income_drop_share(self) -> float:
        return self._float("triggers.income_drop_share")

    @property
    def single_hospital_bill(self) -> int:
        return self._int("triggers.single_hospital_bill")

    @property
    def rigid_spending_vs_last_year_income(self) -> float:
        return self._float("triggers.rigid_spending_vs_last_year_income")

    @property
    def social_insurance_stop_months(self) -> int:
        return self._int("triggers.social_insurance_stop_months")

    @property
    def object_types(self) -> tuple[CatalogueItem, ...]:
        return self._items("objects.types")

    @property
    def risk_types(self) -> tuple[CatalogueItem, ...]:
        return self._items("risks.types")

    @property
    def max_risks_per_household(self) -> int:
        return self._int("risks.max_per_household")

    @property
    def disaster_subtypes(self) -> tuple[CatalogueItem, ...]:
        return self._items("risks.disaster_subtypes")

    @property
    def measure_categories(self) -> tuple[CatalogueItem, ...]:
        return self._items("measures.categories")

    @property
    def day_kind(self) -> str:
        return self._str("procedure.day_kind")

    @property
    def identification_days(self) -> int:
        return self._int("procedure.identification_days")

    @property
    def verification_days(self) -> int:
        return self._int("procedure.verification_days")

    @property
    def elimination_days(self) -> int:
        return self._int("procedure.elimination_days")

    @property
    def notice_days(self) -> int:
        return self._int("procedure.notice_days")

    @property
    def elimination_guards(self) -> EliminationGuards:
        return EliminationGuards(
            min_months_since_identification=self._int(
                "elimination.min_months_since_identification"
            ),
            min_measures_for_risk=self._int("elimination.min_measures_for_risk"),
            min_income_stable_months=self._int("elimination.min_income_stable_months"),
            require_income_above_line=self._bool("elimination.require_income_above_line"),
            require_three_guarantees=self._bool("elimination.require_three_guarantees"),
            require_water=self._bool("elimination.require_water"),
            require_no_new_risk=self._bool("elimination.require_no_new_risk"),
            block_whole_household_no_labour=self._bool(
                "elimination.block_whole_household_no_labour"
            ),
        )

    @property
    def evaluation(self) -> EvaluationThresholds:
        """The ``evaluation`` section: exit standards and the 三率一度 lines."""
        return EvaluationThresholds(
            wrong_exit_rate_max=self._float("evaluation.wrong_exit_rate_max"),
            omission_rate_max=self._float("evaluation.omission_rate_max"),
            approval_rate_min=self._float("evaluation.approval_rate_min"),
            incidence_max=self._float("evaluation.incidence_max"),
            incidence_max_west=self._float("evaluation.incidence_max_west"),
            registry_incidence_max=self._float("evaluation.registry_incidence_max"),
            western_regions=self._items("evaluation.western_region_prefixes"),
            confidence_level=self._float("evaluation.confidence_level"),
            confirmed_keys=self._confirmed_in("evaluation"),
        )

    @property
    def integrity(self) -> IntegrityThresholds:
        """The ``integrity`` section: parameters of the §11 integrity signals."""
        return IntegrityThresholds(
            bunching_band_share=self._float("integrity.bunching_band_share"),
            bunching_min_households=self._int("integrity.bunching_min_households"),
            transfer_share_max=self._float("integrity.transfer_share_max"),
            fast_elimination_months=self._int("integrity.fast_elimination_months"),
            same_day_eliminations_min=self._int("integrity.same_day_eliminations_min"),
            identical_income_min_households=self._int("integrity.identical_income_min_households"),
            quota_shares=self._shares("integrity.quota_shares"),
            quota_tolerance=self._float("integrity.quota_tolerance"),
            benford_min_records=self._int("integrity.benford_min_records"),
            copied_note_similarity=self._float("integrity.copied_note_similarity"),
        )

    @property
    def force(self) -> ForceThresholds:
        """The ``force`` section: the assisting cadres' load and visits (帮扶责任人)."""
        return ForceThresholds(
            max_households_per_cadre=self._int("force.max_households_per_cadre"),
            visits_per_month=self._int("force.visits_per_month"),
            confirmed_keys=self._confirmed_in("force"),
        )
