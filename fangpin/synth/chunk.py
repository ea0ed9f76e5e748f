"""The arrays of one chunk of households and their members, filled in stage by stage.

Codes are kept as numpy unicode arrays (``StrArray``) and names and ID numbers as Arrow string
arrays; the tables are assembled from these at the end. Household-level arrays have one entry
per household of the chunk, person-level arrays one per member, and ``household`` maps a member
to the household's position in the chunk.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from fangpin.codes import table as code_table
from fangpin.synth._arrow import BoolArray, FloatArray, IntArray

__all__ = [
    "HAS_LABOUR",
    "SEVERE_GRADES",
    "UNEXCUSED_REASONS",
    "Chunk",
    "StrArray",
    "per_household_any",
    "per_household_sum",
]

StrArray = npt.NDArray[np.str_]

#: Codes read from fangpin.codes rather than repeated here.
HAS_LABOUR = list(code_table("labour_ability").codes_where("has_labour"))  # 10, 20, 30
SEVERE_GRADES = list(code_table("disability_grade").codes_where("severe"))  # 1, 2
UNEXCUSED_REASONS = list(code_table("out_of_school_reason").codes_where("excused", False))


class Chunk:
    # Households
    household_id: IntArray
    village: IntArray
    sequence: IntArray
    group: IntArray
    is_poor: BoolArray
    template: IntArray
    is_relocated: BoolArray
    relocation_mode: StrArray
    relocation_site: Any  # Arrow strings
    household_phone: Any
    size: IntArray  # active members
    # Persons
    person_id: IntArray
    household: IntArray
    slot: IntArray
    relation: StrArray
    is_male: BoolArray
    birth_day: IntArray
    age: IntArray
    region: IntArray  # allocator region index
    sequence_code: IntArray
    ethnicity: StrArray
    surname: Any
    name: Any
    id_number: Any  # 18-digit resident ID (the registry may show the disability-card form)
    id_type: StrArray
    education: StrArray
    student_status: StrArray
    out_of_school_reason: StrArray
    health: StrArray
    disability_grade: StrArray
    disability_category: StrArray
    labour_ability: StrArray
    migrant_months: IntArray
    employer: IntArray  # index into plan.employers, -1 for none
    has_phone: BoolArray
    phone_number: IntArray
    has_resident_medical: BoolArray
    has_employee_medical: BoolArray
    has_resident_pension: BoolArray
    has_employee_pension: BoolArray
    is_dibao: BoolArray
    is_tekun: BoolArray
    is_deceased: BoolArray
    death_day: IntArray
    public_welfare_post: BoolArray
    # Scratch for later stages
    extra: dict[str, Any]

    def __init__(self) -> None:
        self.extra = {}

    @property
    def households(self) -> int:
        return int(self.household_id.size)

    @property
    def persons(self) -> int:
        return int(self.person_id.size)

    @property
    def is_student(self) -> BoolArray:
        result: BoolArray = self.student_status != "00"
        return result

    @property
    def severely_ill_or_disabled(self) -> BoolArray:
        """Serious illness, or a grade 1–2 disability."""
        severe_disability = (self.health == "40") & np.isin(self.disability_grade, SEVERE_GRADES)
        result: BoolArray = (self.health == "30") | severe_disability
        return result

    @property
    def active(self) -> BoolArray:
        result: BoolArray = ~self.is_deceased
        return result


def per_household_sum(chunk: Chunk, values: npt.NDArray[Any]) -> FloatArray:
    """Sum a person-level array per household."""
    sums = np.bincount(
        chunk.household, weights=np.asarray(values, dtype=np.float64), minlength=chunk.households
    )
    result: FloatArray = sums.astype(np.float64)
    return result


def per_household_any(chunk: Chunk, flags: BoolArray) -> BoolArray:
    result: BoolArray = per_household_sum(chunk, flags) > 0
    return result
