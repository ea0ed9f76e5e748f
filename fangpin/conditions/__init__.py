"""The household checklist (两不愁三保障 and safe drinking water), as pure functions.

DOMAIN.md §7. The drinking-water test follows the 2018 rural drinking-water evaluation
criteria (《农村饮水安全评价准则》): quantity, quality, convenience and reliability must all
pass. The criteria are a dated value object so a policy edition can carry another set; the
2018 values are the default.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

__all__ = [
    "WATER_CRITERIA_2018",
    "ChildSchooling",
    "WaterAssessment",
    "WaterCriteria",
    "WaterMeasurement",
    "assess_water",
    "compulsory_education_secured",
    "housing_safe",
    "medical_insurance_secured",
]


@dataclass(frozen=True, slots=True)
class WaterCriteria:
    edition: str
    min_litres_rich_area: int
    min_litres_short_area: int
    max_trip_minutes: int
    max_horizontal_m: int
    max_vertical_m: int
    max_cut_days_per_year: int


WATER_CRITERIA_2018 = WaterCriteria(
    edition="农村饮水安全评价准则（2018）",
    min_litres_rich_area=35,
    min_litres_short_area=20,
    max_trip_minutes=20,
    max_horizontal_m=800,
    max_vertical_m=80,
    max_cut_days_per_year=36,
)


@dataclass(frozen=True, slots=True)
class WaterMeasurement:
    area_type: str  # "rich" (丰水地区) or "short" (缺水地区)
    litres_per_person_day: int
    quality_tested: bool  # test report from a county-or-higher or CMA-accredited lab
    quality_simple_check_ok: bool  # dispersed supply: look, smell, ask, taste
    is_piped: bool
    trip_minutes: int | None
    horizontal_m: int | None
    vertical_m: int | None
    cut_days_per_year: int


@dataclass(frozen=True, slots=True)
class WaterAssessment:
    quantity_ok: bool
    quality_ok: bool
    convenience_ok: bool
    reliability_ok: bool

    @property
    def safe(self) -> bool:
        return self.quantity_ok and self.quality_ok and self.convenience_ok and self.reliability_ok

    def failures(self) -> list[str]:
        """The failed dimensions, in Chinese, for messages."""
        names = [
            (self.quantity_ok, "水量"),
            (self.quality_ok, "水质"),
            (self.convenience_ok, "用水方便程度"),
            (self.reliability_ok, "供水保证率"),
        ]
        return [name for ok, name in names if not ok]


def assess_water(
    m: WaterMeasurement, criteria: WaterCriteria = WATER_CRITERIA_2018
) -> WaterAssessment:
    """Apply the four tests. Convenience passes when piped to the home, or any one distance
    or time test passes (one trip under the limit, horizontal or vertical distance within it).
    """
    if m.area_type not in ("rich", "short"):
        raise ValueError(f"unknown water area type {m.area_type!r}")
    minimum = (
        criteria.min_litres_rich_area if m.area_type == "rich" else criteria.min_litres_short_area
    )
    convenience = (
        m.is_piped
        or (m.trip_minutes is not None and m.trip_minutes <= criteria.max_trip_minutes)
        or (m.horizontal_m is not None and m.horizontal_m <= criteria.max_horizontal_m)
        or (m.vertical_m is not None and m.vertical_m <= criteria.max_vertical_m)
    )
    return WaterAssessment(
        quantity_ok=m.litres_per_person_day >= minimum,
        quality_ok=m.quality_tested or m.quality_simple_check_ok,
        convenience_ok=convenience,
        reliability_ok=m.cut_days_per_year <= criteria.max_cut_days_per_year,
    )


def housing_safe(grade: str) -> bool:
    """Only grades A and B count as safe (DOMAIN.md §7)."""
    if grade not in ("A", "B", "C", "D"):
        raise ValueError(f"unknown housing grade {grade!r}")
    return grade in ("A", "B")


@dataclass(frozen=True, slots=True)
class ChildSchooling:
    birth_date: date
    in_school: bool
    excused_reason: bool  # a recorded reason that counts as secured (physical, taught at home)


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def compulsory_education_secured(
    members: Iterable[ChildSchooling], on: date, *, min_age: int = 6, max_age: int = 15
) -> bool:
    """Every child aged ``min_age``–``max_age`` on ``on`` is in school or has an excused reason.

    Some provinces use 6–16; the bounds are parameters so an edition can change them.
    """
    for child in members:
        if min_age <= _age_on(child.birth_date, on) <= max_age and not (
            child.in_school or child.excused_reason
        ):
            return False
    return True


def medical_insurance_secured(insured_flags: Iterable[bool]) -> bool:
    """Everyone is in resident or employee basic medical insurance."""
    return all(insured_flags)
