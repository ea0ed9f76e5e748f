"""The elimination guards of DOMAIN.md §5.1–§5.2, each explained in Chinese with its numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fangpin.policy import ResolvedEdition
from fangpin.procedure.model import HouseholdFacts
from fangpin.procedure.rules import ProcedureRules, as_rules

__all__ = ["GUARD_CODES", "GuardResult", "elimination_guards", "months_since"]

GUARD_CODES = (
    "months_since_identification",
    "measures_for_risk",  # one result per registered risk type
    "income_stable",
    "three_guarantees",
    "water",
    "no_new_risk",
    "labour",
)


@dataclass(frozen=True, slots=True)
class GuardResult:
    """One clause: ``passed`` and a Chinese ``message`` with the numbers behind it.

    ``required`` is False when the edition switches the clause off (it then passes);
    ``risk_type`` is set for ``measures_for_risk``.
    """

    code: str
    passed: bool
    message: str
    required: bool = True
    risk_type: str = ""


def months_since(identified_month: date, on: date) -> int:
    """Whole calendar months from the identification month to the month of ``on``.

    Identified in 2024-03, checked on any day of 2024-09: 6 months. Days are ignored, as the
    national system records the identification as a month (识别月份).
    """
    return (on.year - identified_month.year) * 12 + on.month - identified_month.month


def elimination_guards(
    facts: HouseholdFacts, edition: ResolvedEdition | ProcedureRules, on: date
) -> list[GuardResult]:
    """Every guard of the edition for ``facts`` on ``on``, in GUARD_CODES order."""
    rules = as_rules(edition)
    g = rules.guards
    results: list[GuardResult] = []

    months = months_since(facts.identified_month, on)
    need = g.min_months_since_identification
    if months >= need:
        results.append(
            GuardResult(
                "months_since_identification",
                True,
                f"纳入监测已{months}个月，满{need}个月",
                need > 0,
            )
        )
    else:
        results.append(
            GuardResult(
                "months_since_identification", False, f"纳入监测仅{months}个月，未满{need}个月"
            )
        )

    need = g.min_measures_for_risk
    if not facts.risk_types:
        results.append(
            GuardResult("measures_for_risk", need == 0, "未登记致贫/返贫风险，无法核对帮扶措施")
        )
    for code in facts.risk_types:
        risk = rules.risk_zh(code) or code
        count = len(facts.measures.get(code, ()))
        if count >= need:
            message = f"{risk}风险已有{count}项对应帮扶措施"
            results.append(GuardResult("measures_for_risk", True, message, need > 0, code))
        elif count == 0:
            message = f"{risk}风险尚无对应帮扶措施"
            results.append(GuardResult("measures_for_risk", False, message, True, code))
        else:
            message = f"{risk}风险仅有{count}项对应帮扶措施，少于{need}项"
            results.append(GuardResult("measures_for_risk", False, message, True, code))

    stable = facts.months_income_above_line
    need = g.min_income_stable_months
    required = g.require_income_above_line or need > 0
    if g.require_income_above_line and stable <= 0:
        results.append(GuardResult("income_stable", False, "收入尚未高于监测线"))
    elif stable < need:
        results.append(
            GuardResult("income_stable", False, f"收入稳定高于监测线仅{stable}个月，未满{need}个月")
        )
    elif required:
        results.append(
            GuardResult("income_stable", True, f"收入已稳定高于监测线{stable}个月", True)
        )
    else:
        results.append(GuardResult("income_stable", True, "本政策版本不要求收入稳定", False))

    results.append(
        _flag(
            "three_guarantees",
            g.require_three_guarantees,
            facts.three_guarantees_secured,
            "“三保障”已巩固",
            "“三保障”尚未巩固",
        )
    )
    results.append(
        _flag("water", g.require_water, facts.water_secured, "饮水安全已巩固", "饮水安全尚未巩固")
    )
    results.append(
        _flag(
            "no_new_risk",
            g.require_no_new_risk,
            not facts.has_new_risk,
            "无新的致贫/返贫风险",
            "存在新的致贫/返贫风险",
        )
    )
    results.append(
        _flag(
            "labour",
            g.block_whole_household_no_labour,
            facts.has_labour,
            "家庭有劳动能力",
            "整户无劳动能力，不得标注风险消除",
        )
    )
    return results


def _flag(code: str, required: bool, holds: bool, ok: str, failing: str) -> GuardResult:
    if holds:
        return GuardResult(code, True, ok, required)
    if not required:
        return GuardResult(code, True, f"{failing}（本政策版本不作要求）", False)
    return GuardResult(code, False, failing)
