"""Data-quality rules about monitoring spells and elimination (DOMAIN.md §5, §9.3 rules
4_11_010, 4_11_013, 1_11_005, 1_11_011, 1111_07, the Guizhou rule; §11 signal 4)."""

from __future__ import annotations

import ibis
from ibis.expr.types import Table

from fangpin.screening.context import Context
from fangpin.screening.registry import Family, Severity, rule
from fangpin.screening.rules.common import finding
from fangpin.screening.rules.quality import per_household, person_finding, spell_key
from fangpin.screening.text import (
    cat,
    integer,
    json_literal,
    json_object,
    json_text,
    money,
    number,
    sources,
)

Q = Family.QUALITY


@rule(
    "quality.assisted_elimination_below_line",
    family=Q,
    name_zh="帮扶消除但收入低于监测线",
    severity=Severity.HIGH,
    description="Current spell eliminated through assistance while the year's per-capita net "
    "income (as the line test computes it) is below the monitoring line.",
    edition_keys=("monitoring.income_line", "monitoring.net_of_compliant_oop"),
    inputs=("monitorings", "finances"),
    source="DOMAIN.md §9.3 rule 4_11_010",
)
def assisted_elimination_below_line(ctx: Context) -> Table:
    line = ctx.edition.monitoring_line
    s = ctx.eliminated_spells
    s = s.filter(s.elimination_mode == "assisted").select("household_id", "identified_month")
    i = ctx.income
    t = s.join(
        i.select("household_id", "household_size", "effective_income", "effective_per_capita"),
        "household_id",
    )
    hits = t.filter(t.effective_income < ibis.literal(line) * t.household_size.cast("int64"))
    return finding(
        hits,
        observed=json_object([("effective_per_capita_income", number(hits.effective_per_capita))]),
        threshold=json_literal({"monitoring.income_line": line}),
        sources=sources([("registry/monitorings", spell_key(hits))]),
        reason=cat(
            f"已帮扶消除风险，但{ctx.year}年人均纯收入",
            money(hits.effective_per_capita),
            f"元，低于监测线{line:,}元",
        ),
    )


@rule(
    "quality.eliminated_benefits_without_transfer",
    family=Q,
    name_zh="消除户享受低保特困但转移性收入为0",
    severity=Severity.MEDIUM,
    description="Eliminated household with a member on 低保 or 特困 while the year's transfer "
    "income is 0 (disability allowance receipt is not in the contract).",
    inputs=("monitorings", "persons", "finances"),
    source="DOMAIN.md §9.3 rule 4_11_013",
)
def eliminated_benefits_without_transfer(ctx: Context) -> Table:
    p = ctx.persons
    s = ctx.eliminated_spells.select("household_id", "identified_month")
    s = s.semi_join(p.filter(p.is_dibao | p.is_tekun), "household_id")
    t = s.join(ctx.income.select("household_id", "transfer_income"), "household_id")
    hits = t.filter(t.transfer_income == 0)
    return finding(
        hits,
        observed=json_object([("transfer_income", number(hits.transfer_income))]),
        threshold=json_literal({}),
        sources=sources([("registry/monitorings", spell_key(hits))]),
        reason=ibis.literal(f"风险已消除，家庭有低保或特困供养人员，但{ctx.year}年转移性收入为0"),
    )


@rule(
    "quality.eliminated_child_out_of_school",
    family=Q,
    name_zh="消除户有义务教育阶段儿童失学辍学",
    severity=Severity.HIGH,
    description="Eliminated household where the registry records a child aged 6–15 out of school "
    "without an excused reason.",
    inputs=("monitorings", "persons"),
    source="DOMAIN.md §9.3 rule 1_11_005",
)
def eliminated_child_out_of_school(ctx: Context) -> Table:
    c = ctx.children_out_of_school.semi_join(ctx.eliminated_spells, "household_id")
    hits = per_household(c)
    return person_finding(hits, "名6–15岁儿童失学辍学，但家庭已标注风险消除")


@rule(
    "quality.eliminated_without_contact",
    family=Q,
    name_zh="消除户无联系电话",
    severity=Severity.LOW,
    description="Eliminated household without a phone (the monitoring contact person is not in "
    "the contract, so only the phone is checked).",
    inputs=("monitorings", "households"),
    source="DOMAIN.md §9.3 rule 1_11_011 (phone only)",
)
def eliminated_without_contact(ctx: Context) -> Table:
    s = ctx.eliminated_spells.select("household_id", "identified_month")
    h = ctx.households.select("household_id", "phone")
    t = s.join(h, "household_id")
    hits = t.filter(t.phone.strip() == "")
    return finding(
        hits,
        observed=json_object([("phone", json_text(hits.phone))]),
        threshold=json_literal({}),
        sources=sources(
            [("registry/households", cat('["', hits.household_id.cast("string"), '"]'))]
        ),
        reason=ibis.literal("风险已消除，但未登记联系电话"),
    )


@rule(
    "quality.no_labour_not_backstop",
    family=Q,
    name_zh="整户无劳动能力未标注兜底保障",
    severity=Severity.MEDIUM,
    description="Monitored household (current spell) where no active member has labour ability, "
    "not flagged as a backstop household.",
    inputs=("monitorings", "persons"),
    source="DOMAIN.md §9.3 rule 1111_07",
)
def no_labour_not_backstop(ctx: Context) -> Table:
    s = ctx.spells
    s = s.filter(~s.no_labour_backstop).select("household_id", "identified_month")
    t = s.join(ctx.labour, "household_id")
    hits = t.filter(t.with_labour == 0)
    return finding(
        hits,
        observed=json_object(
            [("members", integer(hits.members)), ("with_labour", integer(hits.with_labour))]
        ),
        threshold=json_literal({}),
        sources=sources([("registry/monitorings", spell_key(hits))]),
        reason=cat(
            hits.members.cast("string"), "名成员均无劳动能力，但未标注为整户无劳动能力兜底保障户"
        ),
    )


def _elimination_gap(ctx: Context) -> Table:
    s = ctx.eliminated_spells
    return s.mutate(gap=ctx.months_between(s.identified_month, s.eliminated_month))


def _gap_observed(t: Table) -> ibis.Value:
    return json_object(
        [
            ("identified_month", json_text(t.identified_month.cast("string").substr(0, 7))),
            ("eliminated_month", json_text(t.eliminated_month.cast("string").substr(0, 7))),
            ("months", integer(t.gap)),
            ("elimination_mode", json_text(t.elimination_mode)),
        ]
    )


@rule(
    "quality.quick_assisted_elimination",
    family=Q,
    name_zh="识别当月或次月即帮扶消除",
    severity=Severity.HIGH,
    description="Eliminated through assistance in the month of identification or the next.",
    inputs=("monitorings",),
    source="DOMAIN.md §9.3 Guizhou rule; §11 signal 4",
)
def quick_assisted_elimination(ctx: Context) -> Table:
    t = _elimination_gap(ctx)
    hits = t.filter((t.elimination_mode == "assisted") & (t.gap <= 1))
    return finding(
        hits,
        observed=_gap_observed(hits),
        threshold=json_literal({"max_months": 1}),
        sources=sources([("registry/monitorings", spell_key(hits))]),
        reason=cat(
            hits.identified_month.cast("string").substr(0, 7),
            "识别，",
            hits.eliminated_month.cast("string").substr(0, 7),
            "即帮扶消除（识别当月或次月）",
        ),
    )


@rule(
    "quality.early_elimination",
    family=Q,
    name_zh="识别不满规定月数即消除",
    severity=Severity.HIGH,
    description="Eliminated fewer months after identification than the edition's minimum.",
    edition_keys=("elimination.min_months_since_identification",),
    inputs=("monitorings",),
    source="DOMAIN.md §5.1 (Anhui/Wuhu six months [L]); §11 signal 4",
)
def early_elimination(ctx: Context) -> Table:
    minimum = ctx.edition.elimination_guards.min_months_since_identification
    t = _elimination_gap(ctx)
    hits = t.filter(t.gap < minimum)
    return finding(
        hits,
        observed=_gap_observed(hits),
        threshold=json_literal({"elimination.min_months_since_identification": minimum}),
        sources=sources([("registry/monitorings", spell_key(hits))]),
        reason=cat("识别后", hits.gap.cast("string"), f"个月即消除风险，少于{minimum}个月"),
    )


@rule(
    "quality.backstop_eliminated",
    family=Q,
    name_zh="兜底保障户被标注风险消除",
    severity=Severity.HIGH,
    description="A backstop household (whole household unable to work) marked eliminated, while "
    "the edition blocks that.",
    edition_keys=("elimination.block_whole_household_no_labour",),
    inputs=("monitorings",),
    source="DOMAIN.md §5.2",
)
def backstop_eliminated(ctx: Context) -> Table:
    block = ctx.edition.elimination_guards.block_whole_household_no_labour
    s = ctx.eliminated_spells
    hits = s.filter(s.no_labour_backstop & ibis.literal(block))
    return finding(
        hits,
        observed=json_object(
            [
                ("no_labour_backstop", ibis.literal("true")),
                ("eliminated_month", json_text(hits.eliminated_month.cast("string").substr(0, 7))),
            ]
        ),
        threshold=json_literal({"elimination.block_whole_household_no_labour": block}),
        sources=sources([("registry/monitorings", spell_key(hits))]),
        reason=cat(
            "整户无劳动能力兜底保障户于",
            hits.eliminated_month.cast("string").substr(0, 7),
            "被标注风险消除",
        ),
    )
