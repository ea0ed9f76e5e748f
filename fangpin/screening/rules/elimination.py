"""Elimination candidates and re-opening (DOMAIN.md §5).

A current, open spell whose household passes every elimination guard of the edition is a
candidate for the elimination procedure (§5.1); an eliminated household with a new trigger is
to be re-identified (§5.3). The guard ``elimination.min_measures_for_risk`` cannot be checked:
the contract has no measures yet, so every candidate says so.
"""

from __future__ import annotations

import ibis
from ibis.expr.types import Table

from fangpin.screening.context import Context
from fangpin.screening.registry import Family, Severity, rule
from fangpin.screening.rules.classification import risk_summary, trigger_hits
from fangpin.screening.rules.common import finding, latest
from fangpin.screening.text import (
    cat,
    integer,
    json_array,
    json_literal,
    json_object,
    json_text,
    money,
    number,
    sources,
)

E = Family.ELIMINATION


@rule(
    "elimination.candidate",
    family=E,
    name_zh="风险消除候选户",
    severity=Severity.MEDIUM,
    description="Open spell passing the edition's guards: months since identification, income "
    "at or above the line, three guarantees and water secured, no trigger this run, not a "
    "household without labour. Measures aimed at the risk are not in the contract: not checked.",
    edition_keys=(
        "elimination.min_months_since_identification",
        "elimination.require_income_above_line",
        "elimination.require_three_guarantees",
        "elimination.require_water",
        "elimination.require_no_new_risk",
        "elimination.block_whole_household_no_labour",
        "monitoring.income_line",
    ),
    inputs=("monitorings", "finances", "conditions", "persons", "all trigger inputs"),
    source="DOMAIN.md §5.1, §5.2",
)
def candidate(ctx: Context) -> Table:
    g = ctx.edition.elimination_guards
    line = ctx.edition.monitoring_line
    s = ctx.open_spells.select("household_id", "identified_month", "no_labour_backstop")
    s = s.mutate(months=ctx.months_to_as_of(s.identified_month))
    i = ctx.income.select(
        "household_id", "household_size", "effective_income", "effective_per_capita"
    )
    t = s.join(i, "household_id")
    t = t.filter(t.months >= g.min_months_since_identification)
    if g.require_income_above_line:
        t = t.filter(t.effective_income >= ibis.literal(line) * t.household_size.cast("int64"))
    hits = trigger_hits(ctx)
    if g.require_no_new_risk:
        t = t.anti_join(hits, "household_id")
    if g.require_three_guarantees:
        blocking = hits.filter(
            hits.code.isin(("trigger.housing_unsafe", "trigger.child_out_of_school"))
        )
        t = t.anti_join(blocking, "household_id")
        p = ctx.persons
        uninsured = p.filter(~(p.has_resident_medical | p.has_employee_medical))
        t = t.anti_join(uninsured, "household_id")
        c = latest(ctx.data["conditions"], "household_id", ["assessed_on"])
        t = t.anti_join(c.filter(~(c.food_secure & c.clothing_secure)), "household_id")
    if g.require_water:
        t = t.anti_join(hits.filter(hits.code == "trigger.water_unsafe"), "household_id")
    if g.block_whole_household_no_labour:
        labour = ctx.labour
        t = t.filter(~t.no_labour_backstop).semi_join(
            labour.filter(labour.with_labour > 0), "household_id"
        )
    return finding(
        t,
        observed=json_object(
            [
                ("identified_month", json_text(t.identified_month.cast("string").substr(0, 7))),
                ("months_monitored", integer(t.months)),
                ("effective_per_capita_income", number(t.effective_per_capita)),
                ("measures_checked", ibis.literal("false")),
            ]
        ),
        threshold=json_literal(
            {
                "elimination.min_months_since_identification": g.min_months_since_identification,
                "elimination.require_income_above_line": g.require_income_above_line,
                "elimination.require_three_guarantees": g.require_three_guarantees,
                "elimination.require_water": g.require_water,
                "elimination.require_no_new_risk": g.require_no_new_risk,
                "elimination.block_whole_household_no_labour": g.block_whole_household_no_labour,
                "monitoring.income_line": line,
            }
        ),
        sources=sources(
            [
                (
                    "registry/monitorings",
                    cat(
                        '["',
                        t.household_id.cast("string"),
                        "/",
                        t.identified_month.cast("string").substr(0, 7),
                        '"]',
                    ),
                )
            ]
        ),
        reason=cat(
            "已监测",
            t.months.cast("string"),
            f"个月；{ctx.year}年人均纯收入",
            money(t.effective_per_capita),
            f"元，不低于监测线{line:,}元；三保障和饮水安全无问题，本次未发现新风险，"
            "可启动风险消除程序（针对性帮扶措施须另行核实）",
        ),
    )


@rule(
    "elimination.reopen",
    family=E,
    name_zh="已消除风险户出现新风险",
    severity=Severity.HIGH,
    description="A household whose current spell is eliminated shows a trigger this run: "
    "re-identify it (风险消除回退 or a new spell).",
    edition_keys=("risks.max_per_household",),
    inputs=("monitorings", "all trigger inputs"),
    source="DOMAIN.md §5.3",
)
def reopen(ctx: Context) -> Table:
    summary = risk_summary(ctx)
    s = ctx.eliminated_spells.select("household_id", "eliminated_month")
    t = summary.join(s, "household_id")
    month = t.eliminated_month.cast("string").substr(0, 7)
    return finding(
        t,
        observed=json_object(
            [
                ("eliminated_month", json_text(month)),
                ("risk_types", json_array(t.risk_types)),
                ("triggers", json_array(t.codes)),
            ]
        ),
        threshold=json_literal({"risks.max_per_household": ctx.edition.max_risks_per_household}),
        sources=sources([("rules", json_array(t.codes))]),
        reason=cat(
            "风险已于",
            month,
            "消除，本次发现新风险：",
            t.risk_labels,
            "（依据：",
            t.names,
            "），建议重新识别",
        ),
    )
