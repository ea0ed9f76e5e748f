"""Risk triggers on income and spending (DOMAIN.md §1.1, §2.2–§2.4): the monitoring line,
medical out-of-pocket spending, single hospital bills, rigid spending, income drops.

A trigger is a reason to look, not a verdict: the village verifies it. Households already
monitored are flagged too (the verification outcome 已在监测 exists for that); classification
and elimination rules decide what the findings mean for each household.
"""

from __future__ import annotations

import ibis
from ibis.expr.types import Table

from fangpin.screening.context import Context, per_capita
from fangpin.screening.registry import Family, Severity, rule
from fangpin.screening.rules.common import dec, exact, finding, keys, sorted_keys
from fangpin.screening.text import (
    cat,
    integer,
    json_literal,
    json_object,
    money,
    number,
    percent,
    sources,
)

T = Family.TRIGGER


def _finance_source(table: Table, year: int) -> ibis.Value:
    key = cat(table.household_id, f"/{year}")
    return cat('"', key, '"')


@rule(
    "trigger.income_below_line",
    family=T,
    name_zh="人均纯收入低于监测线",
    severity=Severity.HIGH,
    description="Per-capita net income of the year (net of compliant out-of-pocket spending when "
    "the edition says so) strictly below the monitoring line.",
    edition_keys=("monitoring.income_line", "monitoring.net_of_compliant_oop"),
    inputs=("households", "finances"),
    source="DOMAIN.md §1.2, §2.2, §2.3",
)
def income_below_line(ctx: Context) -> Table:
    line = ctx.edition.monitoring_line
    net_of = ctx.edition.net_of_compliant_oop
    i = ctx.income
    size = i.household_size.cast("int64")
    hits = i.filter(i.effective_income < ibis.literal(line) * size)
    year = ctx.year
    oop_note = ibis.cases(
        (
            (hits.compliant_oop > 0) & (hits.net_income > 0),
            cat(
                "；合规自付支出",
                money(hits.compliant_oop),
                "元，占家庭纯收入",
                percent(hits.compliant_oop / hits.net_income),
            ),
        ),
        (hits.compliant_oop > 0, cat("；合规自付支出", money(hits.compliant_oop), "元")),
        else_="",
    )
    if net_of:
        reason = cat(
            f"{year}年人均纯收入",
            money(hits.per_capita),
            "元，扣除合规自付支出",
            money(hits.compliant_oop),
            "元后人均",
            money(hits.effective_per_capita),
            f"元，低于监测线{line:,}元",
        )
    else:
        reason = cat(
            f"{year}年人均纯收入", money(hits.per_capita), f"元，低于监测线{line:,}元", oop_note
        )
    observed = json_object(
        [
            ("year", ibis.literal(str(year))),
            ("household_size", integer(hits.household_size)),
            ("net_income", number(hits.net_income)),
            ("per_capita_net_income", number(hits.per_capita)),
            ("compliant_oop_spending", number(hits.compliant_oop)),
            ("effective_per_capita_income", number(hits.effective_per_capita)),
        ]
    )
    return finding(
        hits,
        observed=observed,
        threshold=json_literal(
            {"monitoring.income_line": line, "monitoring.net_of_compliant_oop": net_of}
        ),
        sources=sources([("registry/finances", cat("[", _finance_source(hits, year), "]"))]),
        reason=reason,
    )


@rule(
    "trigger.medical_oop_share",
    family=T,
    name_zh="医疗合规自付费用占家庭纯收入比例过高",
    severity=Severity.HIGH,
    description="Compliant out-of-pocket medical spending of the household's members in the feed "
    "window (医保 claims) at or above the edition's share of the year's household net income.",
    edition_keys=("triggers.medical_oop_share", "monitoring.income_window_months"),
    inputs=("persons", "finances", "medical_claims"),
    source="DOMAIN.md §2.4 (Luohe 40% [L], Jinkouhe 30% [L]); §1.1 刚性支出",
    risk_type="01",
)
def medical_oop_share(ctx: Context) -> Table:
    share = ctx.edition.medical_oop_share
    c = ctx.medical_claims
    per_household = c.group_by("household_id").aggregate(
        oop=c.compliant_oop.cast("decimal(18, 2)").sum(), claims=c.count()
    )
    i = ctx.income.select("household_id", "net_income")
    t = per_household.join(i, "household_id")
    hits = t.filter(
        (t.oop > 0) & ((t.net_income <= 0) | (exact(t.oop) >= exact(dec(share) * t.net_income)))
    )
    # The claim ids (the finding's sources) only for the households flagged: collecting and
    # sorting them for every household with a claim cost more than the rest of the rule.
    flagged = c.semi_join(hits, "household_id")
    ids = flagged.group_by("household_id").aggregate(claim_ids=sorted_keys(flagged.claim_id))
    hits = hits.join(ids, "household_id")
    months = ctx.edition.income_window_months
    reason = ibis.cases(
        (
            hits.net_income > 0,
            cat(
                f"近{months}个月医保合规自付医疗费用",
                money(hits.oop),
                f"元，占{ctx.year}年家庭纯收入",
                money(hits.net_income),
                "元的",
                percent(hits.oop / hits.net_income),
                f"，达到{share:.0%}的预警比例",
            ),
        ),
        else_=cat(
            f"近{months}个月医保合规自付医疗费用",
            money(hits.oop),
            f"元，而{ctx.year}年家庭纯收入为",
            money(hits.net_income),
            "元",
        ),
    )
    share_value = ibis.cases(
        (hits.net_income > 0, number(hits.oop / hits.net_income, 4)), else_="null"
    )
    return finding(
        hits,
        observed=json_object(
            [
                ("compliant_oop", number(hits.oop)),
                ("net_income", number(hits.net_income)),
                ("share", share_value),
                ("claims", integer(hits.claims)),
            ]
        ),
        threshold=json_literal({"triggers.medical_oop_share": share}),
        sources=sources([("feeds/medical_claims", keys(hits.claim_ids))]),
        reason=reason,
    )


@rule(
    "trigger.large_hospital_bill",
    family=T,
    name_zh="单次住院费用超过预警额",
    severity=Severity.MEDIUM,
    description="A member's single hospital stay in the window cost more than the edition's "
    "single-bill amount (total cost).",
    edition_keys=("triggers.single_hospital_bill", "monitoring.income_window_months"),
    inputs=("persons", "medical_claims"),
    source="DOMAIN.md §2.4 (Luohe: a single stay over 50,000 [L])",
    risk_type="01",
)
def large_hospital_bill(ctx: Context) -> Table:
    limit = ctx.edition.single_hospital_bill
    c = ctx.medical_claims
    big = c.filter(c.total_cost > limit)
    hits = big.group_by("household_id").aggregate(
        largest=big.total_cost.max(), stays=big.count(), claim_ids=sorted_keys(big.claim_id)
    )
    months = ctx.edition.income_window_months
    return finding(
        hits,
        observed=json_object(
            [("largest_bill", number(hits.largest)), ("stays_over_limit", integer(hits.stays))]
        ),
        threshold=json_literal({"triggers.single_hospital_bill": limit}),
        sources=sources([("feeds/medical_claims", keys(hits.claim_ids))]),
        reason=cat(
            f"近{months}个月家庭成员单次住院费用最高",
            money(hits.largest),
            f"元，超过{limit:,}元（共",
            hits.stays.cast("string"),
            "次）",
        ),
    )


@rule(
    "trigger.rigid_spending",
    family=T,
    name_zh="刚性支出超过上年家庭纯收入",
    severity=Severity.HIGH,
    description="The year's compliant out-of-pocket spending exceeds the edition's multiple of "
    "last year's household net income (刚性支出明显超过上年度收入). Education spending is not "
    "recorded in the contract, so only medical spending counts.",
    edition_keys=("triggers.rigid_spending_vs_last_year_income",),
    inputs=("finances",),
    source="DOMAIN.md §1.1 (国开发〔2020〕6号), §2.4",
    risk_type="01",
)
def rigid_spending(ctx: Context) -> Table:
    ratio = ctx.edition.rigid_spending_vs_last_year_income
    now = ctx.income.select("household_id", "compliant_oop")
    last = ctx.finance(ctx.year - 1).select("household_id", last_net=lambda t: t.net_income)
    t = now.join(last, "household_id")
    hits = t.filter(
        (t.compliant_oop > 0) & (exact(t.compliant_oop) > exact(dec(ratio) * t.last_net))
    )
    previous = ctx.year - 1
    return finding(
        hits,
        observed=json_object(
            [
                ("compliant_oop_spending", number(hits.compliant_oop)),
                ("last_year_net_income", number(hits.last_net)),
            ]
        ),
        threshold=json_literal({"triggers.rigid_spending_vs_last_year_income": ratio}),
        sources=sources(
            [
                (
                    "registry/finances",
                    cat(
                        "[",
                        _finance_source(hits, previous),
                        ",",
                        _finance_source(hits, ctx.year),
                        "]",
                    ),
                )
            ]
        ),
        reason=cat(
            f"{ctx.year}年合规自付支出",
            money(hits.compliant_oop),
            f"元，超过上年（{previous}年）家庭纯收入",
            money(hits.last_net),
            "元" if ratio == 1 else f"元的{ratio:g}倍",
        ),
    )


@rule(
    "trigger.income_drop",
    family=T,
    name_zh="人均纯收入大幅下降",
    severity=Severity.HIGH,
    description="Per-capita net income fell from last year by at least the edition's share.",
    edition_keys=("triggers.income_drop_share",),
    inputs=("finances",),
    source="DOMAIN.md §1.1 收入大幅缩减, §2.4 (Jinkouhe 20% [L])",
)
def income_drop(ctx: Context) -> Table:
    share = ctx.edition.income_drop_share
    now = ctx.income.select(
        "household_id",
        now_pc=lambda t: t.per_capita,
        now_net=lambda t: t.net_income,
        now_size=lambda t: t.household_size.cast("int64"),
    )
    last = ctx.finance(ctx.year - 1)
    last = last.select(
        "household_id",
        last_net=last.net_income,
        last_size=last.household_size.cast("int64"),
        last_pc=per_capita(last.net_income, last.household_size.cast("int64")),
    )
    t = now.join(last, "household_id")
    # Exact: now_net/now_size <= (1 - share) * last_net/last_size, without dividing.
    hits = t.filter(
        (t.last_net > 0)
        & (exact(t.now_net * t.last_size) <= exact((1 - dec(share)) * t.last_net * t.now_size))
    )
    drop = (hits.last_pc - hits.now_pc) / hits.last_pc
    return finding(
        hits,
        observed=json_object(
            [
                ("per_capita_net_income", number(hits.now_pc)),
                ("last_year_per_capita_net_income", number(hits.last_pc)),
                ("drop_share", number(drop, 4)),
            ]
        ),
        threshold=json_literal({"triggers.income_drop_share": share}),
        sources=sources(
            [
                (
                    "registry/finances",
                    cat(
                        "[",
                        _finance_source(hits, ctx.year - 1),
                        ",",
                        _finance_source(hits, ctx.year),
                        "]",
                    ),
                )
            ]
        ),
        reason=cat(
            f"{ctx.year}年人均纯收入",
            money(hits.now_pc),
            "元，比上年",
            money(hits.last_pc),
            "元下降",
            percent(drop),
            f"，达到{share:.0%}的预警幅度",
        ),
    )
