"""Risk triggers on the checklist and the household's labour (DOMAIN.md §2.4, §7, §9.4):
children out of school, unsafe housing, unsafe water, loss of labour, death of an earner.
"""

from __future__ import annotations

import ibis
from ibis.expr.types import Table

from fangpin.screening.context import Context
from fangpin.screening.registry import Family, Severity, rule
from fangpin.screening.rules.common import finding, keys, latest, sorted_keys
from fangpin.screening.rules.triggers_events import new_severe_disabilities_rows
from fangpin.screening.text import (
    cat,
    integer,
    json_literal,
    json_object,
    json_text,
    sources,
)

T = Family.TRIGGER


_EXCUSED_FEED_REASONS = ("因身体原因不具备学习条件", "重度残疾，送教上门")


@rule(
    "trigger.child_out_of_school",
    family=T,
    name_zh="义务教育阶段儿童失学辍学",
    severity=Severity.HIGH,
    description="A child aged 6–15 out of school without an excused reason, reported by the "
    "education feed (辍学, or 失学/休学 without a physical reason) or recorded in the registry.",
    edition_keys=("monitoring.income_window_months",),
    inputs=("persons", "education_dropouts"),
    source="DOMAIN.md §7 义务教育有保障; §9.4 (教育)",
    risk_type="09",
)
def child_out_of_school(ctx: Context) -> Table:
    f = ctx.feed_persons("education_dropouts")
    f = f.mutate(age=ctx.age(f.birth_date))
    unexcused = (f.status == "辍学") | (
        f.status.isin(("失学", "休学")) & ~f.reason.fill_null("").isin(_EXCUSED_FEED_REASONS)
    )
    f = f.filter(unexcused & f.age.between(6, 15) & ctx.in_window(f.reported_on))
    f = f.semi_join(ctx.persons.select("person_id"), "person_id")
    feed_rows = f.select("household_id", "person_id", key=f.record_id, origin=ibis.literal("feed"))
    r = ctx.children_out_of_school
    registry_rows = r.select(
        "household_id", "person_id", key=r.person_id.cast("string"), origin=ibis.literal("registry")
    )
    rows = feed_rows.union(registry_rows)
    hits = rows.group_by("household_id").aggregate(
        children=rows.person_id.nunique(),
        feed_children=rows.person_id.nunique(where=rows.origin == "feed"),
        registry_children=rows.person_id.nunique(where=rows.origin == "registry"),
        record_ids=rows.key.collect(where=rows.origin == "feed", distinct=True).sort(),
        person_ids=rows.person_id.cast("string")
        .collect(where=rows.origin == "registry", distinct=True)
        .sort(),
    )
    return finding(
        hits,
        observed=json_object(
            [
                ("children", integer(hits.children)),
                ("reported_by_education", integer(hits.feed_children)),
                ("recorded_in_registry", integer(hits.registry_children)),
            ]
        ),
        threshold=json_literal({"compulsory_age": [6, 15]}),
        sources=sources(
            [
                ("feeds/education_dropouts", keys(hits.record_ids)),
                ("registry/persons", keys(hits.person_ids)),
            ]
        ),
        reason=cat(
            "家庭有",
            hits.children.cast("string"),
            "名6–15岁义务教育阶段儿童失学辍学（教育部门报告",
            hits.feed_children.cast("string"),
            "人，登记库记录",
            hits.registry_children.cast("string"),
            "人）",
        ),
    )


def current_housing(ctx: Context) -> Table:
    """Per household: the registry's latest grade and 住建's latest, and which one is newer."""
    c = latest(ctx.data["conditions"], "household_id", ["assessed_on"])
    registry = c.select(
        "household_id", registry_grade=c.housing_grade, registry_on=c.housing_assessed_on
    ).semi_join(ctx.households, "household_id")
    f = ctx.feed_households("housing_assessments")
    f = latest(f, "household_id", ["assessed_on", "record_id"])
    feed = f.select(
        "household_id", feed_grade=f.grade, feed_on=f.assessed_on, feed_record=f.record_id
    )
    t = registry.left_join(feed, "household_id").drop("household_id_right")
    feed_newer = t.feed_on.notnull() & (t.feed_on > t.registry_on)
    return t.mutate(
        grade=ibis.cases((feed_newer, t.feed_grade), else_=t.registry_grade),
        graded_on=ibis.cases((feed_newer, t.feed_on), else_=t.registry_on),
        by_feed=feed_newer,
    )


_GRADE_LABELS = {"C": "C级（局部危房）", "D": "D级（整幢危房）"}


@rule(
    "trigger.housing_unsafe",
    family=T,
    name_zh="住房安全等级为C/D级",
    severity=Severity.HIGH,
    description="The most recent housing-safety grade (registry or 住建 feed, whichever is newer) "
    "is C or D: only A and B count as safe.",
    inputs=("conditions", "persons", "housing_assessments"),
    source="DOMAIN.md §7 住房安全有保障; §11 signal 6",
    risk_type="10",
)
def housing_unsafe(ctx: Context) -> Table:
    t = current_housing(ctx)
    hits = t.filter(t.grade.isin(ctx.unsafe_grades))
    label = hits.grade.cases(*_GRADE_LABELS.items(), else_=hits.grade)
    who = ibis.cases((hits.by_feed, "住建部门"), else_="登记库")
    registry_key = cat('"', hits.household_id.cast("string"), '"')
    return finding(
        hits,
        observed=json_object(
            [
                ("grade", json_text(hits.grade)),
                ("graded_on", json_text(hits.graded_on)),
                ("registry_grade", json_text(hits.registry_grade)),
                ("feed_grade", json_text(hits.feed_grade)),
            ]
        ),
        threshold=json_literal({"safe_grades": ["A", "B"]}),
        sources=sources(
            [
                ("registry/conditions", cat("[", registry_key, "]")),
                (
                    "feeds/housing_assessments",
                    ibis.cases((hits.by_feed, cat('["', hits.feed_record, '"]')), else_="[]"),
                ),
            ]
        ),
        reason=cat("住房安全等级为", label, "（", who, hits.graded_on.cast("string"), "鉴定）"),
    )


_WATER = (
    ("water_quantity_ok", "水量"),
    ("water_quality_ok", "水质"),
    ("water_convenience_ok", "用水方便程度"),
    ("water_reliability_ok", "供水保证率"),
)


@rule(
    "trigger.water_unsafe",
    family=T,
    name_zh="饮水安全不达标",
    severity=Severity.HIGH,
    description="The latest checklist fails at least one of the four drinking-water criteria "
    "(quantity, quality, convenience, reliability; 《农村饮水安全评价准则》2018).",
    inputs=("conditions",),
    source="DOMAIN.md §7 饮水安全有保障",
    risk_type="11",
)
def water_unsafe(ctx: Context) -> Table:
    c = latest(ctx.data["conditions"], "household_id", ["assessed_on"]).semi_join(
        ctx.households, "household_id"
    )
    failed = (
        ~c.water_quantity_ok
        | ~c.water_quality_ok
        | ~c.water_convenience_ok
        | ~c.water_reliability_ok
    )
    hits = c.filter(failed)
    listed = cat(*[ibis.cases((~hits[col], f"{label}、"), else_="") for col, label in _WATER])
    listed = listed.re_replace("、$", "")
    return finding(
        hits,
        observed=json_object(
            [
                (col.removeprefix("water_"), ibis.cases((hits[col], "true"), else_="false"))
                for col, _ in _WATER
            ]
            + [("assessed_on", json_text(hits.assessed_on))]
        ),
        threshold=json_literal({"criteria": "农村饮水安全评价准则（2018）"}),
        sources=sources(
            [
                (
                    "registry/conditions",
                    cat(
                        '["',
                        hits.household_id.cast("string"),
                        "/",
                        hits.assessed_on.cast("string"),
                        '"]',
                    ),
                )
            ]
        ),
        reason=cat("饮水安全不达标：", listed, "（", hits.assessed_on.cast("string"), "评价）"),
    )


def deaths_of_counted(ctx: Context) -> Table:
    """Death records (公安) of persons the registry still counts (status active)."""
    d = ctx.feed_persons("death_records")
    return d.filter(d.person_status == "active").semi_join(ctx.households, "household_id")


@rule(
    "trigger.labour_loss",
    family=T,
    name_zh="家庭失去劳动力",
    severity=Severity.HIGH,
    description="Every member the registry records with labour ability has died (公安) or got a "
    "new grade 1–2 disability certificate (残联): the household has no labour left.",
    edition_keys=("monitoring.income_window_months",),
    inputs=("persons", "death_records", "disability_registrations"),
    source="DOMAIN.md §2.4 缺劳动力; §5.2",
    risk_type="04",
)
def labour_loss(ctx: Context) -> Table:
    p = ctx.persons
    workers = p.filter(p.labour_ability.isin(ctx.labour_codes)).select("household_id", "person_id")
    dead = deaths_of_counted(ctx).select("person_id", record_id=lambda t: t.record_id)
    disabled = new_severe_disabilities_rows(ctx).select("person_id", "record_id")
    lost = dead.union(disabled)
    # Only households with a lost worker can have lost them all: their workers alone are
    # joined and counted, not every worker of the county.
    candidates = workers.semi_join(lost, "person_id").select("household_id")
    workers = workers.semi_join(candidates, "household_id")
    w = workers.left_join(lost, "person_id").drop("person_id_right")
    per_household = w.group_by("household_id").aggregate(
        workers=w.person_id.nunique(),
        lost=w.person_id.nunique(where=w.record_id.notnull()),
        record_ids=w.record_id.collect(distinct=True).sort(),
    )
    hits = per_household.filter(per_household.lost == per_household.workers)
    return finding(
        hits,
        observed=json_object([("workers", integer(hits.workers)), ("lost", integer(hits.lost))]),
        threshold=json_literal({}),
        sources=sources([("feeds/death_records+disability_registrations", keys(hits.record_ids))]),
        reason=cat(
            "家庭原有劳动力",
            hits.workers.cast("string"),
            "人，均已死亡或新增重度残疾，家庭已无劳动力",
        ),
    )


@rule(
    "trigger.earner_death",
    family=T,
    name_zh="户主或主要劳动力死亡",
    severity=Severity.HIGH,
    description="A member with labour ability who is the head or of working age (16–59) died "
    "(公安 death record) while the registry still counts them. The contract has no per-person "
    "income, so 'main earner' is read as a head or working-age member able to work.",
    inputs=("persons", "death_records"),
    source="DOMAIN.md §2.4, §9.4 (公安 deaths [U])",
    risk_type="04",
)
def earner_death(ctx: Context) -> Table:
    d = deaths_of_counted(ctx)
    d = d.mutate(age=ctx.age(d.birth_date))
    earner = d.labour_ability.isin(ctx.labour_codes) & (
        (d.relation == "01") | d.age.between(16, 59)
    )
    d = d.filter(earner)
    hits = d.group_by("household_id").aggregate(
        deaths=d.person_id.nunique(),
        head=(d.relation == "01").any(),
        first_death=d.death_date.min(),
        record_ids=sorted_keys(d.record_id),
    )
    who = ibis.cases((hits.head, "户主"), else_="家庭劳动力")
    return finding(
        hits,
        observed=json_object(
            [
                ("deaths", integer(hits.deaths)),
                ("head_died", ibis.cases((hits.head, "true"), else_="false")),
                ("first_death_date", json_text(hits.first_death)),
            ]
        ),
        threshold=json_literal({}),
        sources=sources([("feeds/death_records", keys(hits.record_ids))]),
        reason=cat(
            who, "于", hits.first_death.cast("string"), "死亡（公安部门记录），登记库仍记为在册"
        ),
    )
