"""Data-quality and consistency rules (DOMAIN.md §9.3 national rules, §9.4, §11).

Each rule names its national rule id (the export checks of the national system) in
``source``. Rules the contract cannot express are listed in docs/screening.md with the reason.
"""

from __future__ import annotations

import ibis
from ibis.expr.types import Table

from fangpin.screening.context import Context
from fangpin.screening.registry import Family, Severity, rule
from fangpin.screening.rules.common import finding, keys, sorted_keys
from fangpin.screening.rules.triggers_checklist import current_housing, deaths_of_counted
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


def person_finding(
    hits: Table, reason_tail: str, threshold: dict[str, object] | None = None
) -> Table:
    """Per household: ``persons`` count and sorted person ids; reason '<n>名成员…'."""
    return finding(
        hits,
        observed=json_object(
            [("persons", integer(hits.persons)), ("person_ids", keys(hits.person_ids))]
        ),
        threshold=json_literal(threshold or {}),
        sources=sources([("registry/persons", keys(hits.person_ids))]),
        reason=cat(hits.persons.cast("string"), reason_tail),
    )


def per_household(p: Table) -> Table:
    return p.group_by("household_id").aggregate(
        persons=p.person_id.nunique(), person_ids=sorted_keys(p.person_id)
    )


def spell_key(t: Table) -> ibis.Value:
    return cat(
        '["',
        t.household_id.cast("string"),
        "/",
        t.identified_month.cast("string").substr(0, 7),
        '"]',
    )


@rule(
    "quality.duplicate_id_number",
    family=Q,
    name_zh="监测对象身份证号重复",
    severity=Severity.HIGH,
    description="An ID number held by more than one registered person among the members of "
    "monitored households (current spell).",
    inputs=("persons", "monitorings"),
    source="DOMAIN.md §9.3 rule 1_01_002",
)
def duplicate_id_number(ctx: Context) -> Table:
    p = ctx.persons.semi_join(ctx.spells, "household_id")
    p = p.mutate(id_key=p.id_number.upper())
    p = p.mutate(copies=p.person_id.count().over(group_by=p.id_key))
    hits = per_household(p.filter(p.copies > 1))
    return person_finding(hits, "名成员的身份证号与其他监测对象成员重复")


@rule(
    "quality.dual_medical_insurance",
    family=Q,
    name_zh="同时参加居民医保和职工医保",
    severity=Severity.MEDIUM,
    description="A member enrolled in both resident and employee basic medical insurance.",
    inputs=("persons",),
    source="DOMAIN.md §9.3 rule 2_12_015",
)
def dual_medical_insurance(ctx: Context) -> Table:
    p = ctx.persons
    hits = per_household(p.filter(p.has_resident_medical & p.has_employee_medical))
    return person_finding(hits, "名成员同时参加城乡居民基本医疗保险和职工基本医疗保险")


@rule(
    "quality.migrant_without_employer",
    family=Q,
    name_zh="务工人员缺务工单位",
    severity=Severity.LOW,
    description="A member with migrant-work months but no employer recorded (the wage, industry, "
    "channel and point-to-point fields of the national rule are not in the contract).",
    inputs=("persons",),
    source="DOMAIN.md §9.3 rule 5_12_006 (employer part only)",
)
def migrant_without_employer(ctx: Context) -> Table:
    p = ctx.persons
    hits = per_household(p.filter((p.migrant_work_months > 0) & (p.migrant_employer.strip() == "")))
    return person_finding(hits, "名外出务工成员未登记务工单位")


def _with_risk(ctx: Context, risk_type: str) -> Table:
    r = ctx.spell_risks
    return ctx.spells.semi_join(r.filter(r.risk_type == risk_type), "household_id")


@rule(
    "quality.lack_of_labour_with_labour",
    family=Q,
    name_zh="风险为缺劳动力但劳动力充足",
    severity=Severity.MEDIUM,
    description="Risk 04 缺劳动力 on the current spell while more than a quarter of the active "
    "members are ordinary or skilled labour.",
    inputs=("monitorings", "monitoring_risks", "persons"),
    source="DOMAIN.md §9.3 rules 4_11_009 / 2_11_006",
)
def lack_of_labour_with_labour(ctx: Context) -> Table:
    s = _with_risk(ctx, "04").select("household_id", "identified_month")
    t = s.join(ctx.labour, "household_id")
    hits = t.filter(t.full_labour * 4 > t.members)
    return finding(
        hits,
        observed=json_object(
            [("members", integer(hits.members)), ("ordinary_or_skilled", integer(hits.full_labour))]
        ),
        threshold=json_literal({"max_labour_share": 0.25}),
        sources=sources([("registry/monitoring_risks", spell_key(hits))]),
        reason=cat(
            "风险类型为缺劳动力，但",
            hits.members.cast("string"),
            "名成员中有",
            hits.full_labour.cast("string"),
            "名普通或技能劳动力（超过四分之一）",
        ),
    )


@rule(
    "quality.employment_risk_without_labour",
    family=Q,
    name_zh="风险为务工就业不稳但无劳动力",
    severity=Severity.MEDIUM,
    description="Risk 07 因务工就业不稳 while every active member has no or lost labour ability.",
    inputs=("monitorings", "monitoring_risks", "persons"),
    source="DOMAIN.md §9.3 rule 5_15_013",
)
def employment_risk_without_labour(ctx: Context) -> Table:
    s = _with_risk(ctx, "07").select("household_id", "identified_month")
    t = s.join(ctx.labour, "household_id")
    hits = t.filter(t.with_labour == 0)
    return finding(
        hits,
        observed=json_object(
            [("members", integer(hits.members)), ("with_labour", integer(hits.with_labour))]
        ),
        threshold=json_literal({}),
        sources=sources([("registry/monitoring_risks", spell_key(hits))]),
        reason=cat(
            "风险类型为因务工就业不稳，但",
            hits.members.cast("string"),
            "名成员均无劳动能力或丧失劳动能力",
        ),
    )


@rule(
    "quality.employment_risk_without_work",
    family=Q,
    name_zh="风险为务工就业不稳但无务工记录",
    severity=Severity.MEDIUM,
    description="Risk 07 while no member has migrant-work months and the year's wage income is 0.",
    inputs=("monitorings", "monitoring_risks", "persons", "finances"),
    source="DOMAIN.md §9.3 rule 5_15_014",
)
def employment_risk_without_work(ctx: Context) -> Table:
    s = _with_risk(ctx, "07").select("household_id", "identified_month")
    t = s.join(ctx.labour, "household_id").join(
        ctx.income.select("household_id", "wage_income"), "household_id"
    )
    hits = t.filter((t.migrant_workers == 0) & (t.wage_income == 0))
    return finding(
        hits,
        observed=json_object(
            [
                ("migrant_workers", integer(hits.migrant_workers)),
                ("wage_income", number(hits.wage_income)),
            ]
        ),
        threshold=json_literal({}),
        sources=sources([("registry/monitoring_risks", spell_key(hits))]),
        reason=ibis.literal(
            f"风险类型为因务工就业不稳，但无成员外出务工，{ctx.year}年工资性收入为0"
        ),
    )


@rule(
    "quality.illness_risk_without_oop",
    family=Q,
    name_zh="风险为因病但合规自付支出为0",
    severity=Severity.MEDIUM,
    description="Risk 01 因病 while the year's compliant out-of-pocket spending is 0 or missing.",
    inputs=("monitorings", "monitoring_risks", "finances"),
    source="DOMAIN.md §9.3 rule 5_15_020",
)
def illness_risk_without_oop(ctx: Context) -> Table:
    s = _with_risk(ctx, "01").select("household_id", "identified_month")
    i = ctx.income.select("household_id", "compliant_oop")
    t = s.left_join(i, "household_id").drop("household_id_right")
    hits = t.filter(t.compliant_oop.fill_null(0) == 0)
    return finding(
        hits,
        observed=json_object([("compliant_oop_spending", number(hits.compliant_oop))]),
        threshold=json_literal({}),
        sources=sources([("registry/monitoring_risks", spell_key(hits))]),
        reason=ibis.literal(f"风险类型为因病，但{ctx.year}年合规自付支出为0或未填"),
    )


@rule(
    "quality.implausible_wage_at_identification",
    family=Q,
    name_zh="识别当年工资性收入在0至100元之间",
    severity=Severity.LOW,
    description="Wage income of the identification year strictly between 0 and 100 yuan (only "
    "spells identified in a year the finances cover).",
    inputs=("monitorings", "finances"),
    source="DOMAIN.md §9.3 rule 5_15_023",
)
def implausible_wage(ctx: Context) -> Table:
    s = ctx.spells.select("household_id", "identified_month")
    parts = []
    for year in (ctx.year - 1, ctx.year):
        f = ctx.finance(year).select("household_id", "wage_income")
        sy = s.filter(s.identified_month.year() == year)
        parts.append(sy.join(f, "household_id").mutate(finance_year=ibis.literal(year)))
    t = parts[0].union(parts[1])
    hits = t.filter((t.wage_income > 0) & (t.wage_income < 100))
    return finding(
        hits,
        observed=json_object(
            [("year", hits.finance_year.cast("string")), ("wage_income", number(hits.wage_income))]
        ),
        threshold=json_literal({"wage_income_range": [0, 100]}),
        sources=sources(
            [
                (
                    "registry/finances",
                    cat(
                        '["',
                        hits.household_id.cast("string"),
                        "/",
                        hits.finance_year.cast("string"),
                        '"]',
                    ),
                )
            ]
        ),
        reason=cat(
            "识别当年（",
            hits.finance_year.cast("string"),
            "年）工资性收入为",
            money(hits.wage_income),
            "元，在0至100元之间，不合常理",
        ),
    )


@rule(
    "quality.deceased_still_counted",
    family=Q,
    name_zh="已死亡人员仍在册",
    severity=Severity.HIGH,
    description="A person the registry still counts (active) who has a death record (公安) or a "
    "recorded death date.",
    inputs=("persons", "death_records"),
    source="DOMAIN.md §11 signal 6; §9.4",
)
def deceased_still_counted(ctx: Context) -> Table:
    d = deaths_of_counted(ctx).select("household_id", "person_id", key=lambda t: t.record_id)
    p = ctx.persons
    r = p.filter(p.death_date.notnull()).select(
        "household_id", "person_id", key=ibis.literal(None, type="string")
    )
    rows = d.union(r)
    hits = rows.group_by("household_id").aggregate(
        persons=rows.person_id.nunique(),
        person_ids=sorted_keys(rows.person_id),
        record_ids=rows.key.collect(distinct=True).sort(),
    )
    return finding(
        hits,
        observed=json_object(
            [("persons", integer(hits.persons)), ("person_ids", keys(hits.person_ids))]
        ),
        threshold=json_literal({}),
        sources=sources(
            [
                ("feeds/death_records", keys(hits.record_ids)),
                ("registry/persons", keys(hits.person_ids)),
            ]
        ),
        reason=cat(
            hits.persons.cast("string"), "名已死亡人员仍记为在册（公安死亡记录或登记的死亡日期）"
        ),
    )


@rule(
    "quality.household_size_mismatch",
    family=Q,
    name_zh="收支表家庭人口数与在册人数不符",
    severity=Severity.MEDIUM,
    description="The year's finance household_size differs from the number of active members "
    "(per-capita income is then wrong).",
    inputs=("persons", "finances"),
    source="DOMAIN.md §2.3 (per-capita = net ÷ size); §11",
)
def household_size_mismatch(ctx: Context) -> Table:
    t = ctx.income.select("household_id", "household_size").join(
        ctx.labour.select("household_id", "members"), "household_id"
    )
    hits = t.filter(t.household_size.cast("int64") != t.members)
    return finding(
        hits,
        observed=json_object(
            [
                ("household_size", integer(hits.household_size)),
                ("active_members", integer(hits.members)),
            ]
        ),
        threshold=json_literal({}),
        sources=sources(
            [("registry/finances", cat('["', hits.household_id.cast("string"), f'/{ctx.year}"]'))]
        ),
        reason=cat(
            f"{ctx.year}年收支表家庭人口",
            hits.household_size.cast("string"),
            "人，在册成员",
            hits.members.cast("string"),
            "人",
        ),
    )


@rule(
    "quality.housing_grade_mismatch",
    family=Q,
    name_zh="住建鉴定为危房而登记库为安全住房",
    severity=Severity.HIGH,
    description="住建's latest assessment, newer than the registry's, grades the house C or D "
    "while the registry records A or B.",
    inputs=("conditions", "persons", "housing_assessments"),
    source="DOMAIN.md §9.4; §11 signal 6",
)
def housing_grade_mismatch(ctx: Context) -> Table:
    t = current_housing(ctx)
    hits = t.filter(
        t.by_feed & t.feed_grade.isin(ctx.unsafe_grades) & ~t.registry_grade.isin(ctx.unsafe_grades)
    )
    return finding(
        hits,
        observed=json_object(
            [
                ("feed_grade", json_text(hits.feed_grade)),
                ("feed_assessed_on", json_text(hits.feed_on)),
                ("registry_grade", json_text(hits.registry_grade)),
            ]
        ),
        threshold=json_literal({"safe_grades": ["A", "B"]}),
        sources=sources([("feeds/housing_assessments", cat('["', hits.feed_record, '"]'))]),
        reason=cat(
            "住建部门",
            hits.feed_on.cast("string"),
            "鉴定为",
            hits.feed_grade,
            "级，登记库仍为",
            hits.registry_grade,
            "级",
        ),
    )


_BENEFIT_FLAG = {"低保": "is_dibao", "特困": "is_tekun"}


@rule(
    "quality.benefit_not_recorded",
    family=Q,
    name_zh="民政新增低保特困登记库未标注",
    severity=Severity.MEDIUM,
    description="Civil affairs started 低保 or 特困 for a member in the window (and did not stop "
    "it later) while the registry does not flag the member.",
    edition_keys=("monitoring.income_window_months",),
    inputs=("persons", "civil_affairs"),
    source="DOMAIN.md §9.4 (民政)",
)
def benefit_not_recorded(ctx: Context) -> Table:
    c = ctx.feed_persons("civil_affairs")
    c = c.filter(c.benefit_type.isin(tuple(_BENEFIT_FLAG)) & (c.person_status == "active"))
    starts = c.filter((c.event == "start") & ctx.in_window(c.effective_date))
    stops = c.filter(c.event == "stop").select(
        s_key=c.id_key, s_type=c.benefit_type, s_date=c.effective_date
    )
    starts = starts.anti_join(
        stops,
        [
            starts.id_key == stops.s_key,
            starts.benefit_type == stops.s_type,
            stops.s_date >= starts.effective_date,
        ],
    )
    p = ctx.persons.select("person_id", "is_dibao", "is_tekun")
    t = starts.join(p, "person_id")
    flagged = ibis.cases((t.benefit_type == "低保", t.is_dibao), else_=t.is_tekun)
    rows = t.filter(~flagged)
    hits = rows.group_by("household_id").aggregate(
        persons=rows.person_id.nunique(),
        first_start=rows.effective_date.min(),
        benefits=rows.benefit_type.collect(distinct=True).sort(),
        record_ids=sorted_keys(rows.record_id),
    )
    return finding(
        hits,
        observed=json_object(
            [
                ("persons", integer(hits.persons)),
                ("first_start", json_text(hits.first_start)),
                ("benefits", keys(hits.benefits)),
            ]
        ),
        threshold=json_literal({}),
        sources=sources([("feeds/civil_affairs", keys(hits.record_ids))]),
        reason=cat(
            "民政部门自",
            hits.first_start.cast("string"),
            "起为",
            hits.persons.cast("string"),
            "名成员发放",
            hits.benefits.join("、"),
            "，登记库未标注",
        ),
    )
