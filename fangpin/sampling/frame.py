"""The sampling frame and design options: villages, domains, selection methods, per-village
household rules."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

from fangpin.sampling.errors import SamplingError

__all__ = [
    "ANHUI_OUTSIDE",
    "ANHUI_REGISTER",
    "Domain",
    "SecondStageRule",
    "SelectionMethod",
    "SizeMeasure",
    "Village",
]


class Domain(StrEnum):
    """Which side of the register a household is on; each side is sampled separately."""

    REGISTER = "register"  # registered poor and exited households: the domain of 错退率
    OUTSIDE = "outside"  # ordinary rural households: the domain of 漏评率

    @property
    def zh(self) -> str:
        return _DOMAIN_ZH[self]


_DOMAIN_ZH = {Domain.REGISTER: "建档立卡户（含已退出户）", Domain.OUTSIDE: "非建档立卡农户"}


class SelectionMethod(StrEnum):
    """How villages (the first stage) are drawn within a stratum."""

    SRS = "srs"  # simple random sampling without replacement: π = n_h / N_h
    PPS = "pps"  # systematic probability proportional to size: π = n_h · x_i / X_h


class SizeMeasure(StrEnum):
    """The size of a village for PPS selection."""

    TOTAL = "total"  # all rural households
    REGISTER = "register"  # registered and exited households only
    OUTSIDE = "outside"  # ordinary households only


@dataclass(frozen=True, slots=True)
class Village:
    """One village of the frame (a primary sampling unit) with its household counts.

    ``code`` is any stable identifier (normally the 12-digit village code), ``stratum`` the
    township it is stratified by. The counts must equal the lengths of the household lists
    given to ``draw_sample`` for the village if it is selected.
    """

    code: str
    stratum: str
    households_in_register: int
    households_outside: int

    def __post_init__(self) -> None:
        if not (isinstance(self.code, str) and self.code.strip()):
            raise SamplingError("bad_frame", f"村代码不能为空：{self.code!r}")
        if not (isinstance(self.stratum, str) and self.stratum.strip()):
            raise SamplingError("bad_frame", f"村“{self.code}”的层（乡镇）不能为空")
        for count in (self.households_in_register, self.households_outside):
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise SamplingError(
                    "bad_frame", f"村“{self.code}”的户数应为非负整数，实为 {count!r}"
                )

    def size(self, measure: SizeMeasure) -> int:
        """The village's size under ``measure``."""
        if measure is SizeMeasure.REGISTER:
            return self.households_in_register
        if measure is SizeMeasure.OUTSIDE:
            return self.households_outside
        return self.households_in_register + self.households_outside

    def households(self, domain: Domain) -> int:
        """Households of the village in ``domain``."""
        if domain is Domain.REGISTER:
            return self.households_in_register
        return self.households_outside


@dataclass(frozen=True, slots=True)
class SecondStageRule:
    """How many of a selected village's households of one domain to survey.

    ``ceil(fraction × M)`` households, at most ``cap`` (None: no cap) and at most M; a
    fraction never rounds a non-empty village down to zero households. The fraction is used
    as the decimal it is written as (0.2 × 15 = 3 exactly, not 3.0000000000000004).
    """

    fraction: float
    cap: int | None = None

    def __post_init__(self) -> None:
        if not (isinstance(self.fraction, int | float) and math.isfinite(self.fraction)):
            raise SamplingError("bad_parameter", f"抽样比例应为数值，实为 {self.fraction!r}")
        if not 0 < self.fraction <= 1:
            raise SamplingError(
                "bad_parameter", f"抽样比例应在 0（不含）和 1（含）之间，实为 {self.fraction}"
            )
        if self.cap is not None and (
            isinstance(self.cap, bool) or not isinstance(self.cap, int) or self.cap < 1
        ):
            raise SamplingError("bad_parameter", f"每村上限应为正整数，实为 {self.cap!r}")

    def count(self, households: int) -> int:
        """Households to draw from a village with ``households`` in the domain."""
        wanted = math.ceil(Fraction(repr(float(self.fraction))) * households)
        if self.cap is not None:
            wanted = min(wanted, self.cap)
        return min(wanted, households)

    def as_dict(self) -> dict[str, Any]:
        return {"fraction": self.fraction, "cap": self.cap}


# Anhui 2017 third-party practice (DOMAIN.md §6.2 [L]): every exited and poor household of a
# sampled village; ordinary households at 20%, at most 200 a village.
ANHUI_REGISTER = SecondStageRule(fraction=1.0)
ANHUI_OUTSIDE = SecondStageRule(fraction=0.2, cap=200)
