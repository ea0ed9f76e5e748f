"""The rule registry: each rule is a pure function ``Context -> Ibis table`` plus metadata.

A rule returns one row per household it flags, with exactly the columns of
:data:`FINDING_COLUMNS` (household_id, observed, threshold, sources, reason_zh). The engine adds
the run id, edition, rule code, family, severity, household number and village code. Rules do
no I/O and never execute their expression.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from ibis.expr.types import Table

from fangpin.screening.context import Context
from fangpin.screening.errors import ScreeningError

__all__ = [
    "FAMILY_LABELS",
    "FINDING_COLUMNS",
    "RULES",
    "Family",
    "Rule",
    "Severity",
    "get_rule",
    "rule",
]

FINDING_COLUMNS = ("household_id", "observed", "threshold", "sources", "reason_zh")


class Family(StrEnum):
    TRIGGER = "trigger"
    CLASSIFICATION = "classification"
    ELIMINATION = "elimination"
    QUALITY = "quality"


FAMILY_LABELS: dict[Family, str] = {
    Family.TRIGGER: "风险触发",
    Family.CLASSIFICATION: "对象类型识别",
    Family.ELIMINATION: "风险消除与回退",
    Family.QUALITY: "数据质量与一致性",
}


class Severity(StrEnum):
    HIGH = "high"  # a household probably at risk, or a record that breaks a national rule
    MEDIUM = "medium"  # likely a problem; verify
    LOW = "low"  # a data gap to fill


RuleFunction = Callable[[Context], Table]


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    family: Family
    name_zh: str
    severity: Severity
    description: str
    edition_keys: tuple[str, ...]
    inputs: tuple[str, ...]
    source: str  # where in DOMAIN.md (and the national rule id, if any)
    function: RuleFunction
    risk_type: str = ""  # code table risk_type, for triggers that map to a risk

    def build(self, context: Context) -> Table:
        return self.function(context).select(*FINDING_COLUMNS)


RULES: dict[str, Rule] = {}


def rule(
    code: str,
    *,
    family: Family,
    name_zh: str,
    severity: Severity,
    description: str,
    edition_keys: tuple[str, ...] = (),
    inputs: tuple[str, ...],
    source: str,
    risk_type: str = "",
) -> Callable[[RuleFunction], RuleFunction]:
    """Register ``function`` under ``code`` (codes are unique and stable)."""

    def register(function: RuleFunction) -> RuleFunction:
        if code in RULES:
            raise ValueError(f"duplicate rule code {code}")
        RULES[code] = Rule(
            code=code,
            family=family,
            name_zh=name_zh,
            severity=severity,
            description=description,
            edition_keys=edition_keys,
            inputs=inputs,
            source=source,
            function=function,
            risk_type=risk_type,
        )
        return function

    return register


def get_rule(code: str) -> Rule:
    try:
        return RULES[code]
    except KeyError:
        raise ScreeningError("unknown_rule", f"没有代码为“{code}”的筛查规则") from None
