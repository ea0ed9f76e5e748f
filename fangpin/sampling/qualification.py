"""Exit qualification of a village or county by its poverty incidence (DOMAIN.md §6.1–§6.2).

These are counts from the register, not sample estimates, so the comparison is exact:
incidence = poor people ÷ rural population, compared as exact fractions with the line as
written in the edition (60 ÷ 2,000 is 3%, not below 3%).

- **Incidence rule** (§6.1): below 2%, or below 3% in the west. A region is western when a
  prefix of its code is in the edition's ``western_region_prefixes`` (the 西部大开发 provinces
  and, unconfirmed, the prefectures 比照西部).
- **Registry rule** (§6.2): a county whose incidence in the register in the exit year is above
  3% cannot exit (3% itself does not block).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from fangpin.policy import CatalogueItem, EvaluationThresholds
from fangpin.regioncode import RegionCodeError, parse_code
from fangpin.sampling.errors import SamplingError
from fangpin.sampling.text import digits_apart, percent

__all__ = [
    "ExitQualification",
    "ExitRule",
    "RegionCount",
    "exit_qualification",
    "exit_qualifications",
    "registry_qualification",
]


class ExitRule(StrEnum):
    INCIDENCE = "incidence"  # below 2% (3% in the west): village and county exit, §6.1
    REGISTRY = "registry"  # not above 3% in the register in the exit year: county, §6.2


@dataclass(frozen=True, slots=True)
class RegionCount:
    """One region's poor people and rural population (one row of a batch)."""

    region_code: str
    poor_people: int
    rural_population: int


@dataclass(frozen=True, slots=True)
class ExitQualification:
    """Whether a region meets an incidence rule, and why, in Chinese.

    ``western_region`` is the listed prefix that made the western line apply (None: the
    general line). ``is_threshold_confirmed`` is False when the line, or the region's place on
    the western list, is not confirmed in the edition; the text then says so.
    """

    rule: ExitRule
    region_code: str
    poor_people: int
    rural_population: int
    incidence: float
    threshold: float
    western_region: CatalogueItem | None
    is_threshold_confirmed: bool
    is_qualified: bool
    text_zh: str

    @property
    def is_western(self) -> bool:
        return self.western_region is not None


def _check(region_code: str, poor_people: int, rural_population: int) -> None:
    code = region_code if isinstance(region_code, str) else ""
    if not (code.isascii() and code.isdigit() and len(code) in {6, 12}):
        raise SamplingError("bad_region", f"区划代码“{region_code}”应为 6 位或 12 位数字")
    try:
        parse_code(code)
    except RegionCodeError as exc:
        raise SamplingError("bad_region", exc.message) from exc
    for label, count in (("贫困人口", poor_people), ("农村人口", rural_population)):
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise SamplingError("bad_input", f"{label}应为非负整数，实为 {count!r}")
    if rural_population == 0:
        raise SamplingError("zero_denominator", f"“{region_code}”的农村人口为 0，无法计算发生率")
    if poor_people > rural_population:
        raise SamplingError("bad_input", f"“{region_code}”的贫困人口多于农村人口")


def _exact(threshold: float) -> Fraction:
    """The line as the decimal written in the edition (0.03 is 3/100, not the binary float)."""
    return Fraction(repr(float(threshold)))


def _rate(
    label: str, poor_label: str, poor_people: int, rural_population: int, threshold: float
) -> str:
    rate = poor_people / rural_population
    shown = percent(rate, digits_apart([rate], threshold, start=2))
    return f"{label}为{shown}（{poor_label}{poor_people:,}人÷农村人口{rural_population:,}人）"


def exit_qualification(
    *, poor_people: int, rural_population: int, region_code: str, thresholds: EvaluationThresholds
) -> ExitQualification:
    """Apply the incidence rule: incidence strictly below the (western or general) line."""
    _check(region_code, poor_people, rural_population)
    western = thresholds.western_region(region_code)
    if western is None:
        threshold, key, area = thresholds.incidence_max, "incidence_max", "一般地区"
    else:
        threshold, key, area = thresholds.incidence_max_west, "incidence_max_west", "西部地区"
    qualified = Fraction(poor_people, rural_population) < _exact(threshold)
    text = _rate("贫困发生率", "贫困人口", poor_people, rural_population, threshold)
    if qualified:
        text += f"，低于{area}标准{percent(threshold)}，达到退出标准"
    else:
        text += f"，不低于{area}标准{percent(threshold)}，未达到退出标准"
    confirmed = thresholds.is_confirmed(key)
    if western is not None:
        text += f"；{region_code}属{western.zh}，适用西部标准"
        if not western.confirmed:
            text += "（此项未证实）"
        confirmed = confirmed and western.confirmed
    if not thresholds.is_confirmed(key):
        text += f"；注：{percent(threshold)}的标准线在所用政策版本中未证实"
    return ExitQualification(
        rule=ExitRule.INCIDENCE,
        region_code=region_code,
        poor_people=poor_people,
        rural_population=rural_population,
        incidence=poor_people / rural_population,
        threshold=threshold,
        western_region=western,
        is_threshold_confirmed=confirmed,
        is_qualified=qualified,
        text_zh=text,
    )


def registry_qualification(
    *,
    registered_poor: int,
    rural_population: int,
    region_code: str,
    thresholds: EvaluationThresholds,
) -> ExitQualification:
    """Apply the registry rule: the register's incidence in the exit year not above the line."""
    _check(region_code, registered_poor, rural_population)
    threshold = thresholds.registry_incidence_max
    qualified = Fraction(registered_poor, rural_population) <= _exact(threshold)
    text = _rate(
        "退出年度系统内贫困发生率", "系统内贫困人口", registered_poor, rural_population, threshold
    )
    if qualified:
        text += f"，未高于{percent(threshold)}，不因此项影响退出"
    else:
        text += f"，高于{percent(threshold)}，不得退出"
    confirmed = thresholds.is_confirmed("registry_incidence_max")
    if not confirmed:
        text += f"；注：{percent(threshold)}的标准线在所用政策版本中未证实"
    return ExitQualification(
        rule=ExitRule.REGISTRY,
        region_code=region_code,
        poor_people=registered_poor,
        rural_population=rural_population,
        incidence=registered_poor / rural_population,
        threshold=threshold,
        western_region=None,
        is_threshold_confirmed=confirmed,
        is_qualified=qualified,
        text_zh=text,
    )


def exit_qualifications(
    rows: Iterable[RegionCount], thresholds: EvaluationThresholds
) -> tuple[ExitQualification, ...]:
    """:func:`exit_qualification` for each region row, in the order given (regions are few)."""
    return tuple(
        exit_qualification(
            poor_people=row.poor_people,
            rural_population=row.rural_population,
            region_code=row.region_code,
            thresholds=thresholds,
        )
        for row in rows
    )
