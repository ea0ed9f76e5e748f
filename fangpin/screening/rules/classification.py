"""Classification (监测对象类型) and elimination (风险消除 / 回退) from the trigger findings.

DOMAIN.md §1.2: income within the monitoring range and a risk makes a 脱贫户 ``UNSTABLE`` and
an ordinary household ``MARGINAL``; large rigid spending or a large income fall with income
above the range makes either ``SUDDEN``. Risk types come from the triggers that fired (each
trigger names its code in table ``risk_type``), at most ``risks.max_per_household``, in code
order; ``99`` 其他 when only the income tests fired.
"""

from __future__ import annotations

import ibis
from ibis.expr.types import Table

from fangpin.codes import table as code_table
from fangpin.screening.context import Context
from fangpin.screening.registry import RULES, Family, Severity, rule
from fangpin.screening.rules.common import finding, sorted_keys
from fangpin.screening.text import cat, json_array, json_literal, json_object, json_text, sources

__all__ = ["SUDDEN_TRIGGERS", "risk_summary", "trigger_hits"]

#: Triggers of sudden severe difficulty (突发严重困难户): illness, disaster, accident, a large
#: income fall, and the events behind one.
SUDDEN_TRIGGERS = (
    "trigger.medical_oop_share",
    "trigger.large_hospital_bill",
    "trigger.rigid_spending",
    "trigger.income_drop",
    "trigger.disaster_loss",
    "trigger.accident",
    "trigger.new_severe_disability",
    "trigger.employment_loss",
    "trigger.labour_loss",
    "trigger.earner_death",
)
_OTHER = "99"


def _labels(codes: ibis.ArrayValue, labels: list[tuple[str, str]]) -> ibis.StringValue:
    """The labels of the codes present in ``codes``, in the given order, joined with 、.

    Built from ``contains`` per known code rather than an array ``map`` (lambda syntax differs
    between DuckDB versions) or ``collect(order_by=…)`` (does not compile for Spark).
    """
    listed = cat(
        *[ibis.cases((codes.contains(code), f"{label}、"), else_="") for code, label in labels]
    )
    result: ibis.StringValue = listed.re_replace("、$", "")
    return result


def trigger_hits(ctx: Context) -> Table:
    """household_id, code, name_zh, risk_type: one row per trigger finding of this run.

    The engine materialises this after the trigger family ran; without it (a rule run alone)
    the triggers are recomputed as one union.
    """
    if "trigger_hits" in ctx.materialised:
        return ctx.materialised["trigger_hits"]
    parts = [
        r.build(ctx).select(
            "household_id",
            code=ibis.literal(r.code),
            name_zh=ibis.literal(r.name_zh),
            risk_type=ibis.literal(r.risk_type),
        )
        for r in RULES.values()
        if r.family is Family.TRIGGER
    ]
    result = parts[0]
    for part in parts[1:]:
        result = result.union(part)
    return result


def risk_summary(ctx: Context) -> Table:
    """Per flagged household: triggers fired, in range, sudden, risk types and labels."""
    hits = trigger_hits(ctx)
    risk_table = code_table("risk_type")
    cap = ctx.edition.max_risks_per_household
    risk = hits.filter(hits.risk_type != "")
    per_risk = risk.group_by("household_id").aggregate(
        risk_types=risk.risk_type.collect(distinct=True).sort()
    )
    per_trigger = hits.group_by("household_id").aggregate(
        codes=sorted_keys(hits.code),
        in_range=(hits.code == "trigger.income_below_line").any(),
        sudden=hits.code.isin(SUDDEN_TRIGGERS).any(),
    )
    t = per_trigger.left_join(per_risk, "household_id").drop("household_id_right")
    empty = t.risk_types.isnull() | (t.risk_types.length() == 0)
    t = t.mutate(risk_types=ibis.cases((empty, ibis.literal([_OTHER])), else_=t.risk_types[:cap]))
    trigger_names = sorted(
        (r.code, r.name_zh) for r in RULES.values() if r.family is Family.TRIGGER
    )
    return t.mutate(
        risk_labels=_labels(t.risk_types, [(v.code, v.zh) for v in risk_table.values]),
        names=_labels(t.codes, trigger_names),
    )


@rule(
    "classification.new_object",
    family=Family.CLASSIFICATION,
    name_zh="建议识别为监测对象",
    severity=Severity.HIGH,
    description="A household with no current monitoring spell and at least one trigger: "
    "UNSTABLE (脱贫户 in range), MARGINAL (other household in range) or SUDDEN (above the range "
    "with a sudden trigger), with its risk types.",
    edition_keys=("objects.types", "risks.max_per_household", "monitoring.income_line"),
    inputs=("households", "monitorings", "all trigger inputs"),
    source="DOMAIN.md §1.2, §1.3, §2.4",
)
def new_object(ctx: Context) -> Table:
    summary = risk_summary(ctx)
    h = ctx.households.select("household_id", "household_type")
    t = summary.join(h, "household_id").anti_join(ctx.spells, "household_id")
    types = {item.code for item in ctx.edition.object_types}
    formerly_poor = t.household_type.isin(ctx.formerly_poor_types)
    cases = [
        (t.in_range & formerly_poor, "UNSTABLE"),
        (t.in_range & ~formerly_poor, "MARGINAL"),
    ]
    if "SUDDEN" in types:
        cases.append((t.sudden, "SUDDEN"))
    t = t.mutate(object_type=ibis.cases(*cases, else_=""))
    hits = t.filter(t.object_type != "")
    labels = {item.code: item.zh for item in ctx.edition.object_types}
    label = hits.object_type.cases(*labels.items(), else_=hits.object_type)
    return finding(
        hits,
        observed=json_object(
            [
                ("object_type", json_text(hits.object_type)),
                ("risk_types", json_array(hits.risk_types)),
                ("triggers", json_array(hits.codes)),
            ]
        ),
        threshold=json_literal(
            {
                "objects.types": sorted(types),
                "risks.max_per_household": ctx.edition.max_risks_per_household,
            }
        ),
        sources=sources([("rules", json_array(hits.codes))]),
        reason=cat(
            "建议识别为",
            label,
            "；风险类型：",
            hits.risk_labels,
            "（依据：",
            hits.names,
            "）",
        ),
    )
