"""Risk triggers from department events (DOMAIN.md §2.4, §9.4): disasters (应急管理),
accidents (民政 临时救助), new severe disabilities (残联), unemployment and stopped social
insurance (人社).
"""

from __future__ import annotations

import ibis
from ibis.expr.types import Table

from fangpin.screening.context import Context
from fangpin.screening.registry import Family, Severity, rule
from fangpin.screening.rules.common import dec, exact, finding, keys, sorted_keys
from fangpin.screening.text import (
    cat,
    integer,
    json_literal,
    json_object,
    json_text,
    money,
    number,
    percent,
    sources,
)

T = Family.TRIGGER


_DAMAGE_RANK = {"无": 0, "部分损坏": 1, "倒塌": 2}


@rule(
    "trigger.disaster_loss",
    family=T,
    name_zh="自然灾害损失",
    severity=Severity.HIGH,
    description="Disaster reports (应急管理) in the window: the house damaged or collapsed, or "
    "direct losses at least the edition's income-drop share of last year's net income.",
    edition_keys=("triggers.income_drop_share", "monitoring.income_window_months"),
    inputs=("persons", "finances", "disaster_losses"),
    source="DOMAIN.md §1.2 (large-scale risk), §2.4 因自然灾害, §9.4",
    risk_type="02",
)
def disaster_loss(ctx: Context) -> Table:
    share = ctx.edition.income_drop_share
    d = ctx.feed_households("disaster_losses")
    d = d.filter(ctx.in_window(d.occurred_on))
    rank = d.house_damage.cases(*_DAMAGE_RANK.items(), else_=0)
    per_household = (
        d.mutate(rank=rank)
        .group_by("household_id")
        .aggregate(
            loss=lambda t: t.loss_amount.cast("decimal(18, 2)").sum(),
            events=lambda t: t.count(),
            damage=lambda t: t["rank"].max(),
            record_ids=lambda t: sorted_keys(t.record_id),
        )
    )
    last = ctx.finance(ctx.year - 1).select("household_id", last_net=lambda t: t.net_income)
    t = per_household.left_join(last, "household_id").drop("household_id_right")
    big_loss = (t.loss > 0) & (exact(t.loss) >= exact(dec(share) * t.last_net.fill_null(0)))
    hits = t.filter((t.damage > 0) | big_loss)
    damage_text = hits.damage.cases((2, "；房屋倒塌"), (1, "；房屋部分损坏"), else_="")
    share_text = ibis.cases(
        (hits.last_net > 0, cat("，占上年家庭纯收入的", percent(hits.loss / hits.last_net))),
        else_="",
    )
    months = ctx.edition.income_window_months
    return finding(
        hits,
        observed=json_object(
            [
                ("loss_amount", number(hits.loss)),
                ("events", integer(hits.events)),
                (
                    "house_damage",
                    json_text(hits.damage.cases((2, "倒塌"), (1, "部分损坏"), else_="无")),
                ),
                ("last_year_net_income", number(hits.last_net)),
            ]
        ),
        threshold=json_literal({"triggers.income_drop_share": share}),
        sources=sources([("feeds/disaster_losses", keys(hits.record_ids))]),
        reason=cat(
            f"近{months}个月应急管理部门报告灾害损失",
            hits.events.cast("string"),
            "次，直接经济损失合计",
            money(hits.loss),
            "元",
            share_text,
            damage_text,
        ),
    )


@rule(
    "trigger.accident",
    family=T,
    name_zh="意外事故",
    severity=Severity.HIGH,
    description="Temporary assistance (临时救助) for an accident paid by civil affairs in the "
    "window.",
    edition_keys=("monitoring.income_window_months",),
    inputs=("persons", "civil_affairs"),
    source="DOMAIN.md §2.4 因意外事故, §9.4 (民政)",
    risk_type="05",
)
def accident(ctx: Context) -> Table:
    c = ctx.feed_persons("civil_affairs")
    c = c.filter(
        (c.benefit_type == "临时救助")
        & (c.reason == "因意外事故")
        & ctx.in_window(c.effective_date)
    ).semi_join(ctx.households, "household_id")
    hits = c.group_by("household_id").aggregate(
        payments=c.count(),
        amount=c.amount.cast("decimal(18, 2)").sum(),
        record_ids=sorted_keys(c.record_id),
    )
    months = ctx.edition.income_window_months
    return finding(
        hits,
        observed=json_object(
            [("payments", integer(hits.payments)), ("amount", number(hits.amount))]
        ),
        threshold=json_literal({}),
        sources=sources([("feeds/civil_affairs", keys(hits.record_ids))]),
        reason=cat(
            f"近{months}个月民政部门因意外事故给予临时救助",
            hits.payments.cast("string"),
            "次，合计",
            money(hits.amount.fill_null(0)),
            "元",
        ),
    )


def new_severe_disabilities_rows(ctx: Context) -> Table:
    """New grade 1–2 certificates (新办) in the window for members the registry does not record
    as severely disabled."""
    d = ctx.feed_persons("disability_registrations")
    registry_severe = (d.health == "40") & d.disability_grade.isin(("1", "2"))
    return d.filter(
        (d.event == "新办")
        & d.grade.isin(("一级", "二级"))
        & ctx.in_window(d.issued_on)
        & (d.person_status == "active")
        & ~registry_severe
    ).semi_join(ctx.households, "household_id")


@rule(
    "trigger.new_severe_disability",
    family=T,
    name_zh="新增重度残疾",
    severity=Severity.HIGH,
    description="A member got a new grade 1–2 disability certificate (残联) in the window while "
    "the registry does not record a severe disability.",
    edition_keys=("monitoring.income_window_months",),
    inputs=("persons", "disability_registrations"),
    source="DOMAIN.md §2.4 (Luohe: new severe disability [L]), §9.4 (残联)",
    risk_type="03",
)
def new_severe_disability(ctx: Context) -> Table:
    d = new_severe_disabilities_rows(ctx)
    hits = d.group_by("household_id").aggregate(
        persons=d.person_id.nunique(),
        record_ids=sorted_keys(d.record_id),
        person_ids=sorted_keys(d.person_id),
    )
    return finding(
        hits,
        observed=json_object(
            [("persons", integer(hits.persons)), ("person_ids", keys(hits.person_ids))]
        ),
        threshold=json_literal({"disability_grades": ["一级", "二级"]}),
        sources=sources([("feeds/disability_registrations", keys(hits.record_ids))]),
        reason=cat(
            hits.persons.cast("string"), "名家庭成员新办一、二级残疾人证，登记库未记为重度残疾"
        ),
    )


@rule(
    "trigger.employment_loss",
    family=T,
    name_zh="失业或社保断缴",
    severity=Severity.MEDIUM,
    description="A member registered as unemployed in the window, or stopped social-insurance "
    "contributions at least the edition's months ago without resuming.",
    edition_keys=("triggers.social_insurance_stop_months", "monitoring.income_window_months"),
    inputs=("persons", "employment_insurance"),
    source="DOMAIN.md §2.4 因务工就业不稳; Luohe 3 months without contributions [L]; §9.4 (人社)",
    risk_type="07",
)
def employment_loss(ctx: Context) -> Table:
    limit = ctx.edition.social_insurance_stop_months
    e = ctx.feed_persons("employment_insurance")
    e = e.filter(e.person_status == "active").semi_join(ctx.households, "household_id")
    resumed = e.filter(e.event == "恢复缴费").select(r_key=e.id_key, r_date=e.effective_date)
    stops = e.filter((e.event == "断缴") & ctx.in_window(e.effective_date))
    stops = stops.anti_join(
        resumed, [stops.id_key == resumed.r_key, resumed.r_date > stops.effective_date]
    )
    last_paid = stops.last_contribution_month
    paid_index = ibis.cases(
        (
            last_paid.notnull() & last_paid.re_search("^[0-9]{6}$"),
            last_paid.substr(0, 4).cast("int64") * 12 + last_paid.substr(4, 2).cast("int64"),
        ),
        else_=stops.effective_date.year().cast("int64") * 12
        + stops.effective_date.month().cast("int64")
        - 1,
    )
    as_of_index = ctx.as_of.year * 12 + ctx.as_of.month
    stops = stops.mutate(months=as_of_index - paid_index)
    stops = stops.filter(stops.months >= limit)
    unemployed = e.filter((e.event == "失业登记") & ctx.in_window(e.effective_date))
    rows = stops.select(
        "household_id", "person_id", "record_id", "months", kind=ibis.literal("stop")
    ).union(
        unemployed.select(
            "household_id",
            "person_id",
            "record_id",
            months=ibis.literal(None, type="int64"),
            kind=ibis.literal("unemployed"),
        )
    )
    hits = rows.group_by("household_id").aggregate(
        stopped=rows.person_id.nunique(where=rows.kind == "stop"),
        longest=rows.months.max(),
        unemployed=rows.person_id.nunique(where=rows.kind == "unemployed"),
        record_ids=sorted_keys(rows.record_id),
    )
    stop_text = ibis.cases(
        (
            hits.stopped > 0,
            cat(hits.stopped.cast("string"), "人社保断缴已达", hits.longest.cast("string"), "个月"),
        ),
        else_="",
    )
    unemployed_text = ibis.cases(
        (hits.unemployed > 0, cat(hits.unemployed.cast("string"), "人登记失业")), else_=""
    )
    sep = ibis.cases(((hits.stopped > 0) & (hits.unemployed > 0), "，"), else_="")
    return finding(
        hits,
        observed=json_object(
            [
                ("stopped_persons", integer(hits.stopped)),
                ("longest_stop_months", integer(hits.longest)),
                ("unemployed_persons", integer(hits.unemployed)),
            ]
        ),
        threshold=json_literal({"triggers.social_insurance_stop_months": limit}),
        sources=sources([("feeds/employment_insurance", keys(hits.record_ids))]),
        reason=cat("人社部门：家庭成员", stop_text, sep, unemployed_text),
    )
