"""The "three rates and one degree" (三率一度, DOMAIN.md §6.2) from surveyed households.

Each function takes one :class:`HouseholdRecord` per surveyed household — both domains may be
passed together — and returns a ratio :class:`~fangpin.sampling.estimate.Estimate`:

- 错退率 (wrong-exit rate) = wrongly exited people ÷ exited people, register households;
- 漏评率 (omission rate) = omitted people ÷ people of households outside the register;
- 群众认可度 (approval) = approving households ÷ households that answered;
- 综合贫困发生率 (composite incidence) = (remaining registered poor + omitted + wrongly
  exited) ÷ rural population (people of every surveyed household).

Households outside an indicator's domain enter with 0 ÷ 0 so that their village still counts
in the variance (domain estimation).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from fangpin.sampling.errors import SamplingError
from fangpin.sampling.estimate import Estimate, SinglePsu, ratio_estimate

__all__ = [
    "HouseholdRecord",
    "approval_rate",
    "composite_incidence",
    "omission_rate",
    "wrong_exit_rate",
]


@dataclass(frozen=True, slots=True)
class HouseholdRecord:
    """What the evaluation found in one surveyed household, with its design weight.

    ``in_register``: a registered (poor or exited) household, else an ordinary one.
    ``people``: its members (the rural population it stands for). Register households carry
    ``exited_people`` (of whom ``wrongly_exited_people`` should not have exited) and
    ``remaining_poor_people`` (registered, not yet exited); ordinary households carry
    ``omitted_people`` (meet the criteria, never registered). ``approves`` is the answer to
    the approval question, None when the household was not asked or did not answer.
    """

    household_id: str
    village: str
    stratum: str
    weight: float
    in_register: bool
    people: int
    exited_people: int = 0
    wrongly_exited_people: int = 0
    remaining_poor_people: int = 0
    omitted_people: int = 0
    approves: bool | None = None

    def __post_init__(self) -> None:
        where = f"样本户“{self.household_id}”"
        if not (isinstance(self.weight, int | float) and math.isfinite(self.weight)):
            raise SamplingError("bad_record", f"{where}的权数应为数值，实为 {self.weight!r}")
        if self.weight <= 0:
            raise SamplingError("bad_record", f"{where}的权数应大于 0，实为 {self.weight}")
        counts = {
            "人口": self.people,
            "退出人口": self.exited_people,
            "错退人口": self.wrongly_exited_people,
            "未脱贫人口": self.remaining_poor_people,
            "漏评人口": self.omitted_people,
        }
        for label, count in counts.items():
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise SamplingError("bad_record", f"{where}的{label}应为非负整数，实为 {count!r}")
        if self.wrongly_exited_people > self.exited_people:
            raise SamplingError("bad_record", f"{where}的错退人口多于退出人口")
        if self.exited_people + self.remaining_poor_people > self.people:
            raise SamplingError("bad_record", f"{where}的退出人口与未脱贫人口之和多于家庭人口")
        if self.omitted_people > self.people:
            raise SamplingError("bad_record", f"{where}的漏评人口多于家庭人口")
        if self.in_register and self.omitted_people:
            raise SamplingError("bad_record", f"{where}是建档立卡户，不能有漏评人口")
        if not self.in_register and (self.exited_people or self.remaining_poor_people):
            raise SamplingError("bad_record", f"{where}不是建档立卡户，不能有退出或未脱贫人口")


Part = Callable[[HouseholdRecord], float]


def _estimate(
    records: Iterable[HouseholdRecord],
    numerator: Part,
    denominator: Part,
    *,
    stratum_psu_counts: Mapping[str, int] | None,
    confidence: float,
    single_psu: SinglePsu,
) -> Estimate:
    rows = sorted(records, key=lambda r: (r.stratum, r.village, r.household_id))
    if not rows:
        raise SamplingError("empty", "没有样本户记录，无法估计")
    return ratio_estimate(
        numerator=[numerator(r) for r in rows],
        denominator=[denominator(r) for r in rows],
        weights=[r.weight for r in rows],
        strata=[r.stratum for r in rows],
        clusters=[r.village for r in rows],
        stratum_psu_counts=stratum_psu_counts,
        confidence=confidence,
        single_psu=single_psu,
    )


def wrong_exit_rate(
    records: Iterable[HouseholdRecord],
    *,
    stratum_psu_counts: Mapping[str, int] | None = None,
    confidence: float = 0.95,
    single_psu: SinglePsu = SinglePsu.ERROR,
) -> Estimate:
    """错退率: wrongly exited people ÷ exited people, over register households."""
    return _estimate(
        records,
        lambda r: r.wrongly_exited_people if r.in_register else 0,
        lambda r: r.exited_people if r.in_register else 0,
        stratum_psu_counts=stratum_psu_counts,
        confidence=confidence,
        single_psu=single_psu,
    )


def omission_rate(
    records: Iterable[HouseholdRecord],
    *,
    stratum_psu_counts: Mapping[str, int] | None = None,
    confidence: float = 0.95,
    single_psu: SinglePsu = SinglePsu.ERROR,
) -> Estimate:
    """漏评率: omitted people ÷ people of households outside the register."""
    return _estimate(
        records,
        lambda r: 0 if r.in_register else r.omitted_people,
        lambda r: 0 if r.in_register else r.people,
        stratum_psu_counts=stratum_psu_counts,
        confidence=confidence,
        single_psu=single_psu,
    )


def approval_rate(
    records: Iterable[HouseholdRecord],
    *,
    stratum_psu_counts: Mapping[str, int] | None = None,
    confidence: float = 0.95,
    single_psu: SinglePsu = SinglePsu.ERROR,
) -> Estimate:
    """群众认可度: approving households ÷ households that answered (weighted households)."""
    return _estimate(
        records,
        lambda r: 1 if r.approves is True else 0,
        lambda r: 0 if r.approves is None else 1,
        stratum_psu_counts=stratum_psu_counts,
        confidence=confidence,
        single_psu=single_psu,
    )


def composite_incidence(
    records: Iterable[HouseholdRecord],
    *,
    stratum_psu_counts: Mapping[str, int] | None = None,
    confidence: float = 0.95,
    single_psu: SinglePsu = SinglePsu.ERROR,
) -> Estimate:
    """综合贫困发生率: (remaining registered poor + omitted + wrongly exited) ÷ rural people."""
    return _estimate(
        records,
        lambda r: r.remaining_poor_people + r.omitted_people + r.wrongly_exited_people,
        lambda r: r.people,
        stratum_psu_counts=stratum_psu_counts,
        confidence=confidence,
        single_psu=single_psu,
    )
