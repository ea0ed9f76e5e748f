"""Inputs of the generator: the villages to populate and every rate it uses.

Every rate here is documented in ``docs/synth.md`` with its source (a DOMAIN.md section) or its
reasoning; values marked there as guesses are guesses. The defaults describe a former national
poverty county in western Hunan (湘西, Miao and Tujia areas), e.g. 花垣县.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal

__all__ = ["MessinessRates", "SynthConfig", "VillageSpec"]

_CODE12 = re.compile(r"[0-9]{12}")
_COMMITTEE_SUFFIXES = ("村民委员会", "居民委员会", "村委会", "居委会")


@dataclass(frozen=True, slots=True)
class VillageSpec:
    """One village-level unit (村委会 or 居委会) to put households in.

    ``address_prefix`` is written in front of the township in every address, e.g.
    ``"湖南省湘西土家族苗族自治州花垣县"``; when empty the county name passed to
    :func:`fangpin.synth.generate` is used instead, so nothing about Hunan is hard-coded.
    """

    code: str  # 12-digit NBS village code
    name: str  # e.g. "土地村"
    township_code: str  # 12-digit township code, e.g. "433124102000"
    township_name: str  # e.g. "龙潭镇"
    address_prefix: str = ""

    def __post_init__(self) -> None:
        if not _CODE12.fullmatch(self.code):
            raise ValueError(f"village code must be 12 digits, got {self.code!r}")
        if not self.name:
            raise ValueError(f"village {self.code} has no name")

    @property
    def is_neighbourhood_committee(self) -> bool:
        """Village-part 001–199 is a neighbourhood committee (居委会, DOMAIN.md §10.1)."""
        return 1 <= int(self.code[9:]) <= 199

    @property
    def short_name(self) -> str:
        """The name as written in an address: without a 村委会/居委会 suffix."""
        for suffix in _COMMITTEE_SUFFIXES:
            if self.name.endswith(suffix) and len(self.name) > len(suffix):
                return self.name[: -len(suffix)]
        return self.name


@dataclass(frozen=True, slots=True)
class MessinessRates:
    """Share of department-feed rows made messy, per feed and per chunk (docs/feeds.md), and
    of monitoring spells that break an elimination rule (docs/synth.md, "Monitoring objects").

    Each rate picks exactly ``round(rate × rows)`` rows (at least one when the rate is positive
    and there are candidates), so the rates hold on small tests too.
    """

    unmatched_id: float = 0.005  # ID of someone not in the registry
    unmatched_wrong_check_share: float = 0.2  # of those, with a wrong check character
    exact_duplicate: float = 0.003  # a row repeated, same record id
    near_duplicate: float = 0.002  # same person and event, new record id
    late_record: float = 0.01  # event dated before the feed's 12-month period
    lowercase_x: float = 0.002  # check character "x" instead of "X" (rows whose ID ends in X)
    fullwidth_digits: float = 0.001  # ID typed with full-width digits ０-９
    padded_id: float = 0.002  # ID with surrounding spaces
    name_trailing_space: float = 0.002  # name with a trailing space
    # Registry monitoring spells (share of all spells of a chunk): accepted by the database,
    # caught by screening (DOMAIN.md §5.1, §5.2).
    monitoring_early_elimination: float = 0.01  # eliminated 1–5 months after identification
    monitoring_backstop_eliminated: float = 0.005  # backstop household marked eliminated

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"messiness {f.name} must be between 0 and 1, got {value}")


def _default_ethnicity_mix() -> tuple[tuple[str, float], ...]:
    # 花垣县: about 77% Miao; Tujia and Han make up most of the rest (guess from public
    # county profiles; codes GB/T 3304).
    return (("06", 0.77), ("15", 0.09), ("01", 0.13), ("12", 0.01))


def _default_surnames() -> tuple[tuple[str, float], ...]:
    # Miao (龙 石 吴 麻 杨 隆 滕 时 欧 施) and Tujia (彭 田 向 梁 符) surnames dominate western
    # Hunan; weights are a guess shaped by local name lists.
    return (
        ("龙", 10.0), ("石", 10.0), ("吴", 9.0), ("麻", 6.0), ("杨", 6.0), ("田", 5.0),
        ("彭", 4.0), ("向", 4.0), ("张", 4.0), ("王", 3.0), ("李", 3.0), ("梁", 2.0),
        ("滕", 2.0), ("隆", 2.0), ("刘", 2.0), ("陈", 2.0), ("时", 1.5), ("黄", 1.5),
        ("胡", 1.0), ("欧", 1.0), ("廖", 1.0), ("侯", 1.0), ("施", 1.0), ("谭", 1.0),
        ("唐", 1.0), ("周", 1.0), ("罗", 1.0), ("符", 0.5), ("邓", 0.5), ("姚", 0.5),
        ("宋", 0.5), ("余", 0.5), ("秦", 0.5), ("金", 0.5), ("贾", 0.3), ("舒", 0.3),
    )  # fmt: skip


def _default_tertiary_hospitals() -> tuple[str, ...]:
    return (
        "湘西土家族苗族自治州人民医院",
        "吉首大学第一附属医院",
        "湘西土家族苗族自治州民族中医院",
        "中南大学湘雅医院",
        "湖南省人民医院",
    )


@dataclass(frozen=True, slots=True)
class SynthConfig:
    """Size, dates and rates of one synthetic county. See docs/synth.md for every value."""

    seed: int = 20241
    households: int = 20000
    year: int = 2024  # finance year; finances are generated for year-1 and year
    reference_date: date = date(2024, 12, 31)  # ages, assessments and feed dates are relative
    monitoring_line: Decimal = Decimal("7100")  # shapes incomes near the line only
    poverty_line: Decimal = Decimal("4000")

    # Households
    formerly_poor_share: float = 0.27  # 脱贫户 share; per village varies (sd below)
    village_poor_share_sd: float = 0.08
    relocated_share_of_poor: float = 0.10  # 易地扶贫搬迁 among 脱贫户
    relocation_concentrated_share: float = 0.70  # 集中安置 among relocated
    household_without_phone: float = 0.04
    # Persons
    ethnicity_mix: tuple[tuple[str, float], ...] = field(default_factory=_default_ethnicity_mix)
    surnames: tuple[tuple[str, float], ...] = field(default_factory=_default_surnames)
    spouse_from_neighbour_share: float = 0.10  # married in from a neighbour county
    child_takes_father_surname: float = 0.95
    disability_certificate_id_share: float = 0.08  # of disabled: id_type 2 (残疾人证)
    preschool_enrolment: float = 0.85  # ages 3-5
    out_of_school_excused: float = 0.009  # of ages 6-15: physically unable / taught at home
    out_of_school_unexcused: float = 0.003  # of ages 6-15: what screening must catch
    migrant_share_target: float = 0.45  # of working-age labour (16-59, 普通/技能)
    monthly_migrant_wage_median: float = 4500.0
    no_medical_insurance: float = 0.004  # besides newborns (10% of age 0)
    both_medical_insurances: float = 0.0005  # data-quality case, rule 2_12_015
    resident_pension_share: float = 0.93  # of 16+ non-students without employee pension
    registry_deceased_share: float = 0.001  # already recorded deceased (never heads)
    # Finances
    income_growth_min: float = 0.03
    income_growth_max: float = 0.10
    # Per-capita net income is calibrated to these targets (per household type), keeping each
    # household's rank from its member-driven components; amounts scale with the line.
    income_median_ordinary: float = 16000.0
    income_median_poor: float = 12000.0
    income_sigma: float = 0.21
    low_income_share: float = 0.01  # households at 0.55–0.98 × the monitoring line
    sudden_drop_share: float = 0.02  # households whose per-capita net income falls >= 30%
    # Conditions
    food_secure_share: float = 0.995
    clothing_secure_share: float = 0.997
    housing_grade_c_share: float = 0.015
    housing_grade_d_share: float = 0.005
    water_piped_share: float = 0.90
    water_short_area_share: float = 0.15
    # Feeds
    feed_housing_disagreement: float = 0.003  # households 住建 grades C/D, registry A/B
    death_rate: float = 0.007  # deaths per person-year (death feed)
    new_severe_disability_rate: float = 0.001  # registry healthy, 残联 new grade 1-2
    new_serious_illness_rate: float = 0.003  # registry healthy, large hospital bills
    new_dropout_rate: float = 0.002  # of ages 6-15, registry says in school
    new_dibao_household_rate: float = 0.004  # households newly on 低保, registry not yet
    # Day cases and short stays settled per active person and year, on top of the stays above
    # (a Poisson draw per person). 0 (the default) adds none and leaves every table as before;
    # the screening benchmark sets it to ~3.3 for the "about four feed rows a person".
    routine_claims_per_person: float = 0.0
    # Monitoring objects (监测对象, DOMAIN.md §1, §5): who is identified, from which pool.
    monitoring_identify_below_line: float = 0.08  # below the line this year
    monitoring_identify_recovered: float = 0.70  # below last year only
    monitoring_near_line_factor: float = 1.5  # "near": lower year under this × the line
    monitoring_identify_near_line: float = 0.23  # near the line in both years
    monitoring_identify_event: float = 0.20  # this year's drop, damaged house or accident
    monitoring_identify_severe: float = 0.035  # serious illness or grade 1-2 disability
    monitoring_accident_share: float = 0.003  # households with an accident this year
    monitoring_eliminated_share: float = 0.95  # of spells that may be eliminated
    monitoring_natural_elimination_share: float = 0.15  # 自然消除 among eliminations
    monitoring_reidentified_share: float = 0.06  # spells with an earlier, eliminated spell
    tertiary_hospitals: tuple[str, ...] = field(default_factory=_default_tertiary_hospitals)
    messiness: MessinessRates = field(default_factory=MessinessRates)

    def __post_init__(self) -> None:
        if self.households < 1:
            raise ValueError("households must be at least 1")
        if self.reference_date.year < self.year:
            raise ValueError("reference_date must not be before the finance year")
        for f in fields(self):
            value = getattr(self, f.name)
            is_rate = isinstance(value, float) and f.name.endswith(("share", "rate", "sd"))
            if is_rate and not 0.0 <= value <= 1.0:
                raise ValueError(f"{f.name} must be between 0 and 1, got {value}")
        if not 0.0 <= self.routine_claims_per_person <= 50.0:
            raise ValueError(
                "routine_claims_per_person must be between 0 and 50, "
                f"got {self.routine_claims_per_person}"
            )
        total = sum(w for _, w in self.ethnicity_mix)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"ethnicity_mix weights must sum to 1, got {total}")
        if not self.surnames or not self.tertiary_hospitals:
            raise ValueError("surnames and tertiary_hospitals must not be empty")
