"""The checks of one household's assistance plan (一户一策, DOMAIN.md §4.2), as pure functions.

No Django here (import-linter's pure-core contract lists this module): the app reads the plan,
the household's risks and its members' labour ability into the plain dataclasses below and
gets back a list of :class:`PlanWarning` to show at the top of the plan page.

The checks, in the order they are reported (DOMAIN.md §4.2, "checks used in sweeps"):

1. ``risk_without_measure`` — every risk of the monitoring spell has a measure that names
   it and whose category matches it (「措施与致贫原因是否匹配」): 因病风险尚无对应帮扶措施.
2. ``category_mismatch`` — a measure names a risk its category does not address
   (措施“…”（产业帮扶）与因病风险不对应).
3. ``no_development`` — a household with labour has a development-type measure
   (「有劳动能力、有意愿的是否落实开发式帮扶措施」).
4. ``no_backstop`` — a household without labour has the social-security backstop 综合保障
   (「无劳动能力的是否落实兜底保障」).
5. ``overdue`` — a measure past its end date is still in progress.

Only measures that are planned, in progress or done count; stopped measures never do.

The policy editions list the 14 measure categories (``measures.categories``) but say nothing
about which category answers which risk, which are development-type, or which run on after
elimination. The three tables below are **the project's reading** of DOMAIN.md §4.1–§4.2 and
§5.3, kept here and nowhere else; when an edition gains such keys, read them from it instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Final

__all__ = [
    "ACTIVE_STATUSES",
    "BACKSTOP_CATEGORIES",
    "CONTINUES_AFTER_ELIMINATION",
    "DEVELOPMENT_CATEGORIES",
    "RISK_MEASURE_CATEGORIES",
    "MeasureFacts",
    "PlanFacts",
    "PlanWarning",
    "RiskFacts",
    "category_matches_risk",
    "check_plan",
    "continues_after_elimination",
]

# --- The project's reading (DOMAIN.md §4.2) -----------------------------------------------------

#: Risk type (national code table ``risk_type``, 100A27) → the measure categories that answer
#: it. The project's reading of DOMAIN.md §4.2 「措施与致贫原因是否匹配」: health and the
#: backstop for illness; schooling guarantees for schooling costs; housing and relocation for
#: unsafe housing; and so on. An empty tuple (``99`` 其他) means any category matches.
RISK_MEASURE_CATEGORIES: Final[Mapping[str, tuple[str, ...]]] = {
    "01": ("HEALTH", "SOCIAL_SECURITY", "SOCIAL"),  # 因病
    "02": (  # 因自然灾害: rebuilding, temporary assistance, production recovery
        "HOUSING_SAFETY",
        "SOCIAL_SECURITY",
        "SOCIAL",
        "INDUSTRY",
        "LIVING_CONDITIONS",
        "INFRASTRUCTURE",
        "RELOCATION",
    ),
    "03": ("HEALTH", "SOCIAL_SECURITY", "EMPLOYMENT", "PUBLIC_WELFARE_POST", "SOCIAL"),  # 因残
    "04": ("SOCIAL_SECURITY", "PUBLIC_WELFARE_POST", "SOCIAL"),  # 缺劳动力
    "05": ("HEALTH", "SOCIAL_SECURITY", "SOCIAL"),  # 因意外事故
    "06": ("INDUSTRY", "FINANCE", "EMPLOYMENT"),  # 因产业项目失败
    "07": ("EMPLOYMENT", "PUBLIC_WELFARE_POST", "INDUSTRY", "OTHER_EDUCATION"),  # 因务工就业不稳
    "09": ("COMPULSORY_EDUCATION", "OTHER_EDUCATION", "SOCIAL"),  # 因学
    "10": ("HOUSING_SAFETY", "RELOCATION"),  # 因安全住房
    "11": ("WATER_SAFETY", "INFRASTRUCTURE"),  # 因安全饮水
    "99": (),  # 其他: any measure named for it counts
}

#: Development-type measures (开发式帮扶, DOMAIN.md §4.2: industry, employment, skills
#: training; the issue adds finance and public-welfare posts). Skills training of adults is
#: recorded under employment; 雨露计划 (other education) supports students, so it is not here.
DEVELOPMENT_CATEGORIES: Final = frozenset(
    {"INDUSTRY", "EMPLOYMENT", "FINANCE", "PUBLIC_WELFARE_POST"}
)

#: The social-security backstop (兜底保障: 低保、特困供养、临时救助), DOMAIN.md §4.1 综合保障.
BACKSTOP_CATEGORIES: Final = frozenset({"SOCIAL_SECURITY"})

#: Measures that keep running after the risk is eliminated (DOMAIN.md §4.2, last list): small
#: loans and asset income until the contract ends, public-welfare posts until the agreement
#: ends, education aid and 雨露计划 until the school stage is finished.
CONTINUES_AFTER_ELIMINATION: Final = frozenset(
    {"FINANCE", "PUBLIC_WELFARE_POST", "COMPULSORY_EDUCATION", "OTHER_EDUCATION"}
)

#: Measure statuses that count in the checks (a stopped measure never does).
ACTIVE_STATUSES: Final = frozenset({"planned", "in_progress", "done"})


def category_matches_risk(category: str, risk_code: str) -> bool:
    """Whether a measure of ``category`` answers the risk ``risk_code`` (table above)."""
    matching = RISK_MEASURE_CATEGORIES.get(risk_code, ())
    return not matching or category in matching


def continues_after_elimination(category: str) -> bool:
    """Whether measures of ``category`` keep running after the risk is eliminated."""
    return category in CONTINUES_AFTER_ELIMINATION


# --- Inputs and output ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RiskFacts:
    """One risk of the monitoring spell: its code-table code and Chinese name (因病)."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class MeasureFacts:
    """One measure as the checks see it."""

    category: str
    category_name: str
    item: str
    status: str
    start_date: date
    end_date: date | None = None
    risk_codes: tuple[str, ...] = ()
    person_id: int | None = None


@dataclass(frozen=True, slots=True)
class PlanFacts:
    """What the checks need: the risks, the measures, whether anyone can work, and the day."""

    risks: Sequence[RiskFacts]
    measures: Sequence[MeasureFacts]
    has_labour: bool
    on: date
    risk_names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PlanWarning:
    """A failed check: a stable ``code`` and the Chinese message shown on the plan."""

    code: str
    message_zh: str


# --- The checks -------------------------------------------------------------------------------


def _active(measures: Iterable[MeasureFacts]) -> list[MeasureFacts]:
    return [m for m in measures if m.status in ACTIVE_STATUSES]


def check_plan(facts: PlanFacts) -> list[PlanWarning]:
    """Run every check of DOMAIN.md §4.2 on one plan; an empty list means the plan passes."""
    measures = _active(facts.measures)
    names = {r.code: r.name for r in facts.risks} | dict(facts.risk_names)
    warnings: list[PlanWarning] = []
    for risk in facts.risks:
        if not any(
            risk.code in m.risk_codes and category_matches_risk(m.category, risk.code)
            for m in measures
        ):
            warnings.append(PlanWarning("risk_without_measure", f"{risk.name}风险尚无对应帮扶措施"))
    for m in measures:
        for code in m.risk_codes:
            if not category_matches_risk(m.category, code):
                name = names.get(code, code)
                warnings.append(
                    PlanWarning(
                        "category_mismatch",
                        f"措施“{m.item}”（{m.category_name}）与{name}风险不对应",
                    )
                )
    categories = {m.category for m in measures}
    if facts.has_labour and not categories & DEVELOPMENT_CATEGORIES:
        warnings.append(
            PlanWarning(
                "no_development",
                "家庭有劳动能力，尚无开发式帮扶措施（产业、就业、金融或公益岗位帮扶）",
            )
        )
    if not facts.has_labour and not categories & BACKSTOP_CATEGORIES:
        warnings.append(
            PlanWarning("no_backstop", "家庭无劳动能力，尚未落实综合保障（兜底保障）措施")
        )
    for m in measures:
        if m.status == "in_progress" and m.end_date is not None and m.end_date < facts.on:
            warnings.append(
                PlanWarning(
                    "overdue",
                    f"措施“{m.item}”已于{m.end_date.isoformat()}到期，仍为实施中",
                )
            )
    return warnings
