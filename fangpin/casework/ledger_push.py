"""From screening into the rectification ledger (整改台账, docs/ledger.md).

- :func:`ledger_push_quality` puts a month's data-quality and integrity warnings (family
  ``quality``) of the actor's scope into the ledger as problems, one per household and rule,
  keyed so that pushing the month again adds nothing.
- :func:`problem_replicate` is 举一反三: from one problem, the same screening rule's warnings
  over the rest of its county (the latest month screened) become linked problems, unless the
  household already has one for that rule and month.

Casework knows the warnings; the ledger app (:mod:`fangpin.supervision`) stores the problems
and checks the actor's rights and scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from fangpin.casework.models import Warning
from fangpin.casework.selectors import warning_list
from fangpin.core.selectors import region_names
from fangpin.ledger import region_at
from fangpin.regioncode import subtree_prefix
from fangpin.screening import RULES
from fangpin.supervision.errors import SupervisionError
from fangpin.supervision.models import Problem
from fangpin.supervision.selectors import problem_get
from fangpin.supervision.services import NewProblem, problems_bulk_create

__all__ = [
    "DEADLINE_DAYS",
    "PushResult",
    "dimension_for",
    "ledger_push_quality",
    "problem_replicate",
]

DEADLINE_DAYS: Final = 20
"""Days a pushed problem is given (the 20-day rectification deadline of DOMAIN.md §8.2)."""

#: The ledger dimension of each rule; a rule not listed is a procedure problem.
_DIMENSIONS: Final[dict[str, str]] = {
    "trigger.income_below_line": "income",
    "trigger.income_drop": "income",
    "trigger.rigid_spending": "income",
    "trigger.employment_loss": "income",
    "trigger.labour_loss": "income",
    "trigger.earner_death": "income",
    "trigger.medical_oop_share": "medical",
    "trigger.large_hospital_bill": "medical",
    "trigger.accident": "medical",
    "trigger.new_severe_disability": "medical",
    "trigger.child_out_of_school": "education",
    "trigger.housing_unsafe": "housing",
    "trigger.disaster_loss": "housing",
    "trigger.water_unsafe": "water",
    "quality.implausible_wage_at_identification": "income",
    "quality.dual_medical_insurance": "medical",
    "quality.eliminated_child_out_of_school": "education",
    "quality.housing_grade_mismatch": "housing",
    "quality.eliminated_without_contact": "measures",
    "quality.no_labour_not_backstop": "measures",
    "quality.benefit_not_recorded": "files",
    "quality.deceased_still_counted": "files",
    "quality.duplicate_id_number": "files",
    "quality.employment_risk_without_labour": "files",
    "quality.employment_risk_without_work": "files",
    "quality.household_size_mismatch": "files",
    "quality.illness_risk_without_oop": "files",
    "quality.lack_of_labour_with_labour": "files",
    "quality.migrant_without_employer": "files",
}


def dimension_for(rule_code: str) -> str:
    """The ledger dimension a screening rule's problems belong to."""
    return _DIMENSIONS.get(rule_code, "procedure")


@dataclass(frozen=True, slots=True)
class PushResult:
    found: int  # warnings considered
    created: int  # problems created
    skipped: int  # already in the ledger


def _key(warning: Warning) -> str:
    return f"screening:{warning.month:%Y-%m}:{warning.rule_code}:{warning.household_id}"


def _items(warnings: list[Warning]) -> list[NewProblem]:
    townships = {w.village_code[:9] + "000" for w in warnings}
    names = region_names(townships)
    items = []
    for w in warnings:
        rule = RULES.get(w.rule_code)
        name = rule.name_zh if rule is not None else w.rule_code
        township = names.get(w.village_code[:9] + "000", "乡镇")
        items.append(
            NewProblem(
                origin_key=_key(w),
                origin_rule=w.rule_code,
                region_code=w.village_code,
                household_id=w.household_id,
                description=f"{name}：{w.reason_zh}",
                dimension=dimension_for(w.rule_code),
                lead_unit=f"{township}人民政府",
            )
        )
    return items


def ledger_push_quality(
    *,
    actor: Any,
    month: date,
    region_code: str = "",
    today: date | None = None,
    request: HttpRequest | None = None,
) -> PushResult:
    """Put ``month``'s quality warnings of the actor's scope (or of ``region_code`` inside it)
    into the ledger; return what was found, created and skipped."""
    today = today or timezone.localdate()
    warnings = warning_list(actor).filter(family="quality", month=month.replace(day=1))
    if region_code:
        warnings = warnings.filter(village_code__startswith=subtree_prefix(region_code))
    rows = list(warnings.order_by("village_code", "rule_code", "household_id"))
    created = problems_bulk_create(
        actor=actor,
        items=_items(rows),
        source="data_comparison",
        source_batch=f"{month:%Y年%m月}筛查数据质量问题",
        found_on=today,
        deadline=today + timedelta(days=DEADLINE_DAYS),
        request=request,
    )
    return PushResult(found=len(rows), created=len(created), skipped=len(rows) - len(created))


def problem_replicate(
    *,
    actor: Any,
    public_id: Any,
    rule_code: str = "",
    today: date | None = None,
    request: HttpRequest | None = None,
) -> PushResult:
    """举一反三: the rule behind a problem (or ``rule_code``) over the rest of its county."""
    try:
        problem: Problem = problem_get(user=actor, public_id=public_id)
    except Problem.DoesNotExist:
        raise SupervisionError("not_found", "未找到该问题") from None
    rule = rule_code or problem.origin_rule
    if rule not in RULES:
        raise SupervisionError("rule", "请选择用于举一反三的筛查规则")
    county = subtree_prefix(region_at(problem.region_id, 3))
    warnings = warning_list(actor).filter(rule_code=rule, village_code__startswith=county)
    latest = warnings.aggregate(month=Max("month"))["month"]
    if latest is None:
        return PushResult(found=0, created=0, skipped=0)
    linked = set(problem.households.values_list("pk", flat=True))
    rows = [
        w
        for w in warnings.filter(month=latest).order_by("village_code", "household_id")
        if w.household_id not in linked
    ]
    today = today or timezone.localdate()
    created = problems_bulk_create(
        actor=actor,
        items=_items(rows),
        source="data_comparison",
        source_batch=f"举一反三：{problem.description[:40]}",
        found_on=today,
        deadline=today + timedelta(days=DEADLINE_DAYS),
        parent=problem,
        request=request,
    )
    return PushResult(found=len(rows), created=len(created), skipped=len(rows) - len(created))
