"""Members, finances and conditions: rows equal to what the services write; upsert; errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from fangpin.conditions import WaterMeasurement
from fangpin.core.models import AuditEvent, User
from fangpin.imports.errors import ImportError_
from fangpin.imports.services import import_apply, import_check
from fangpin.registry import services
from fangpin.registry.models import (
    Household,
    HouseholdCondition,
    HouseholdFinance,
    MembershipEvent,
    Person,
    person_health,
)
from tests.imports.conftest import DOUWANG, headers_of

FINANCE_KEYS = ["household_number", "year", "household_size", "wage_migrant", "production_expenses"]
CONDITION_KEYS = [
    "household_number",
    "assessed_on",
    "food_secure",
    "clothing_secure",
    "housing_grade",
    "housing_assessor",
    "housing_assessed_on",
    "water_area_type",
    "water_litres_per_person_day",
    "water_quality_tested",
    "water_is_piped",
    "water_trip_minutes",
]
MEMBER_KEYS = [
    "household_number",
    "event_type",
    "event_date",
    "name",
    "id_number",
    "relation",
    "health",
    "disability_grade",
    "disability_category",
]


def check_and_apply(actor: Any, entity: str, path: Path, mode: str = "create") -> Any:
    batch = import_check(actor=actor, entity=entity, path=path, file_name="f.xlsx", mode=mode)
    assert batch.report["issues"] == []
    return import_apply(actor=actor, batch_id=batch.pk)


def test_members_join_as_person_add_would_write_them(
    family: Household, actor: User, xlsx: Callable[..., Path], ids: Callable[..., str]
) -> None:
    baby, spouse = ids(date(2024, 4, 30), female=True), ids(date(1990, 1, 2), female=True)
    path = xlsx(
        headers_of("members", MEMBER_KEYS),
        [
            [family.household_number, "出生", "2024-05-01", "张小花", baby, "30", "", "", ""],
            [
                family.household_number,
                "marriage_in",
                "2024-06-01",
                "王芳",
                spouse,
                "99",
                "40",
                "2",
                "1",
            ],
        ],
    )
    applied = check_and_apply(actor, "members", path)
    assert applied.counts == {"persons": 2}
    people = list(Person.objects.filter(pk__in=applied.object_ids["persons"]).order_by("pk"))
    assert [(p.name, p.relation, p.sex, p.birth_date, p.household_id) for p in people] == [
        ("张小花", "30", "2", date(2024, 4, 30), family.pk),
        ("王芳", "99", "2", date(1990, 1, 2), family.pk),
    ]
    assert [tuple(person_health(p)) for p in people] == [("10", "", ""), ("40", "2", "1")]
    events = MembershipEvent.objects.filter(person__in=people).order_by("pk")
    assert [
        (
            e.event_type,
            e.event_date,
            e.relation_before,
            e.relation_after,
            e.actor_id,
            e.related_household_id,
        )
        for e in events
    ] == [
        ("birth", date(2024, 5, 1), "", "30", actor.pk, None),
        ("marriage_in", date(2024, 6, 1), "", "99", actor.pk, None),
    ]


def test_member_rows_refused_like_person_add_refuses(
    family: Household,
    actor: User,
    douwang_cadre: User,
    xlsx: Callable[..., Path],
    ids: Callable[..., str],
    counts: Callable[[], dict[str, int]],
) -> None:
    adult = ids(date(1990, 1, 2))
    rows = [
        [family.household_number, "出生", "2024-05-01", "张大", adult, "20", "", "", ""],
        [
            family.household_number,
            "迁入",
            "2024-05-01",
            "张二",
            ids(date(1991, 1, 1)),
            "01",
            "",
            "",
            "",
        ],
        ["4331241022019999", "迁入", "2024-05-01", "张三", ids(date(1992, 1, 1)), "20", "", "", ""],
        [
            family.household_number,
            "死亡",
            "2024-05-01",
            "张四",
            ids(date(1993, 1, 1)),
            "20",
            "",
            "",
            "",
        ],
        [
            family.household_number,
            "迁入",
            "2024-05-01",
            "张五",
            ids(date(1994, 1, 1)),
            "20",
            "40",
            "",
            "",
        ],
    ]
    before = counts()
    batch = import_check(
        actor=actor,
        entity="members",
        path=xlsx(headers_of("members", MEMBER_KEYS), rows),
        file_name="m",
    )
    assert [(i["row"], i["column"], i["reason"]) for i in batch.report["issues"]] == [
        (2, "event_type", "张大在变动日期已满18周岁，不能按出生登记，请按迁入或婚入登记"),
        (3, "relation", "新增成员不能为户主：一户只能有一名户主，请使用户主变更"),
        (4, "household_number", "未找到该农户（户编号“4331241022019999”）"),
        (5, "event_type", "新增成员的变动类型不能为“death”"),
        (6, "disability_grade", "健康状况为残疾时必须填写残疾等级"),
    ]
    # Out of scope reads exactly like missing.
    other = import_check(
        actor=douwang_cadre,
        entity="members",
        path=xlsx(
            headers_of("members", MEMBER_KEYS),
            [[*rows[0][:2], "2024-05-01", "张大", ids(date(2020, 1, 1)), "20", "", "", ""]],
        ),
        file_name="m",
    )
    assert [i["reason"] for i in other.report["issues"]] == [
        f"未找到该农户（户编号“{family.household_number}”）"
    ]
    assert counts() == {**before, "audit": before["audit"] + 2}


def test_finances_create_equals_finance_upsert(
    family: Household, actor: User, xlsx: Callable[..., Path]
) -> None:
    path = xlsx(
        headers_of("finances", FINANCE_KEYS),
        [[family.household_number, "2024", "", "36,000.50", "1200"]],
    )
    applied = check_and_apply(actor, "finances", path)
    assert applied.counts == {"finances_created": 1, "finances_updated": 0}
    imported = HouseholdFinance.objects.get(pk=applied.object_ids["finances_created"][0])
    expected = services.finance_upsert(
        actor=actor,
        household_id=family.pk,
        year=2023,
        amounts={"wage_migrant": "36000.50", "production_expenses": "1200"},
    )
    skip = {"id", "year", "recorded_at", "updated_at"}
    fields = [f.attname for f in HouseholdFinance._meta.concrete_fields if f.attname not in skip]
    assert {f: getattr(imported, f) for f in fields} == {f: getattr(expected, f) for f in fields}
    assert imported.household_size == 3
    assert imported.net_income == Decimal("34800.50")
    assert imported.per_capita_net_income == Decimal("11600.17")


def test_finances_upsert_updates_given_cells_only_and_audits_the_change(
    family: Household, actor: User, xlsx: Callable[..., Path], counts: Callable[[], dict[str, int]]
) -> None:
    existing = services.finance_upsert(
        actor=actor,
        household_id=family.pk,
        year=2024,
        amounts={"wage_migrant": "30000", "wage_local": "500", "production_expenses": "100"},
    )
    path = xlsx(
        headers_of("finances", FINANCE_KEYS),
        [
            [family.household_number, 2024, 4, "31000", ""],
            [family.household_number, 2023, "", "100", ""],
        ],
    )
    created_only = import_check(
        actor=actor, entity="finances", path=path, file_name="f", mode="create"
    )
    assert [(i["row"], i["column"], i["reason"]) for i in created_only.report["issues"]] == [
        (
            2,
            "year",
            f"农户{family.household_number}的2024年度收支已存在；要修改请选择“新增或更新”方式导入",
        )
    ]
    applied = check_and_apply(actor, "finances", path, mode="upsert")
    assert applied.counts == {"finances_created": 1, "finances_updated": 1}
    existing.refresh_from_db()
    assert (existing.wage_migrant, existing.wage_local, existing.production_expenses) == (
        Decimal("31000.00"),
        Decimal("500.00"),
        Decimal("100.00"),
    )
    assert (existing.household_size, existing.version) == (4, 2)
    assert applied.object_ids["finances_updated"] == [existing.pk]
    change = {"household_size": [3, 4], "wage_migrant": ["30000.00", "31000.00"]}
    assert applied.object_ids["changes"] == {str(existing.pk): change}
    event = AuditEvent.objects.get(action="registry.import")
    assert event.changes["updated"] == {str(existing.pk): change}
    assert event.changes["counts"] == {"finances_created": 1, "finances_updated": 1}


def test_finance_amounts_refused_as_finance_upsert_refuses(
    family: Household, actor: User, xlsx: Callable[..., Path], counts: Callable[[], dict[str, int]]
) -> None:
    rows = [
        [family.household_number, "2024", "", "-5", ""],
        [family.household_number, "2023", "", "20000000", ""],
        [family.household_number, "2009", "", "1", ""],
        [family.household_number, "2022", "120", "1.005", ""],
        [family.household_number, "2021", "", "abc", ""],
        [family.household_number, "2024", "", "1", ""],
    ]
    before = counts()
    batch = import_check(
        actor=actor,
        entity="finances",
        path=xlsx(headers_of("finances", FINANCE_KEYS), rows),
        file_name="f",
    )
    this_year = date.today().year
    assert [(i["row"], i["column"], i["value"], i["reason"]) for i in batch.report["issues"]] == [
        (2, "wage_migrant", "-5", "金额不能为负数"),
        (3, "wage_migrant", "20000000", "外出务工工资应在0至10,000,000元之间，实为20000000.00元"),
        (4, "year", "2009", f"年度应在2010至{this_year}之间，实为2009"),
        (5, "household_size", "120", "家庭人口应在1至99之间，实为120"),
        (5, "wage_migrant", "1.005", "金额最多保留两位小数"),
        (6, "wage_migrant", "abc", "金额“abc”不是数字"),
    ]
    assert counts() == {**before, "audit": before["audit"] + 1}


GOOD_WATER = WaterMeasurement("rich", 60, True, False, True, None, None, None, 0)


def test_conditions_create_and_upsert_as_condition_record_computes_water(
    family: Household, actor: User, xlsx: Callable[..., Path]
) -> None:
    expected = services.condition_record(
        actor=actor,
        household_id=family.pk,
        assessed_on=date(2024, 1, 5),
        food_secure=True,
        clothing_secure=True,
        housing_grade="A",
        housing_assessor="花垣县住建局",
        housing_assessed_on=date(2024, 1, 1),
        water=GOOD_WATER,
    )
    headers = headers_of("conditions", CONDITION_KEYS)
    rows = [
        [
            family.household_number,
            "2024-06-01",
            "是",
            "是",
            "A",
            "花垣县住建局",
            "2024-01-01",
            "丰水地区",
            60,
            "是",
            "是",
            "",
        ],
        [
            family.household_number,
            "2024-01-05",
            "是",
            "否",
            "C C级（局部危房）",
            "花垣县住建局",
            "2024-01-01",
            "rich",
            30,
            "否",
            "否",
            25,
        ],
    ]
    create = import_check(actor=actor, entity="conditions", path=xlsx(headers, rows), file_name="c")
    assert [(i["row"], i["column"], i["reason"]) for i in create.report["issues"]] == [
        (3, "assessed_on", f"农户{family.household_number}在2024-01-05已有核查记录")
    ]
    applied = check_and_apply(actor, "conditions", xlsx(headers, rows), mode="upsert")
    assert applied.counts == {"conditions_created": 1, "conditions_updated": 1}
    created = HouseholdCondition.objects.get(pk=applied.object_ids["conditions_created"][0])
    skip = {"id", "assessed_on", "recorded_at"}
    fields = [f.attname for f in HouseholdCondition._meta.concrete_fields if f.attname not in skip]
    assert {f: getattr(created, f) for f in fields} == {f: getattr(expected, f) for f in fields}
    expected.refresh_from_db()
    assert (
        expected.clothing_secure,
        expected.housing_grade,
        expected.water_litres_per_person_day,
        expected.water_quality_tested,
        expected.water_is_piped,
        expected.water_trip_minutes,
        expected.water_quantity_ok,
        expected.water_quality_ok,
        expected.water_convenience_ok,
    ) == (False, "C", 30, False, False, 25, False, False, False)
    assert applied.object_ids["changes"][str(expected.pk)] == {
        "clothing_secure": [True, False],
        "housing_grade": ["A", "C"],
        "water_litres_per_person_day": [60, 30],
        "water_quality_tested": [True, False],
        "water_is_piped": [True, False],
        "water_trip_minutes": [None, 25],
        "water_quantity_ok": [True, False],
        "water_quality_ok": [True, False],
        "water_convenience_ok": [True, False],
    }


def test_people_imports_have_no_upsert_mode(actor: User, xlsx: Callable[..., Path]) -> None:
    with pytest.raises(ImportError_) as caught:
        import_check(
            actor=actor,
            entity="members",
            path=xlsx(["户编号"], [["1"]]),
            file_name="m",
            mode="upsert",
        )
    assert (caught.value.code, caught.value.message) == (
        "mode",
        "新增家庭成员只能新增，不能按“新增或更新”导入",
    )


def test_out_of_scope_household_in_finances_reads_like_a_missing_one(
    family: Household, douwang_cadre: User, xlsx: Callable[..., Path]
) -> None:
    batch = import_check(
        actor=douwang_cadre,
        entity="finances",
        path=xlsx(
            headers_of("finances", FINANCE_KEYS), [[family.household_number, "2024", "", "1", ""]]
        ),
        file_name="f",
    )
    assert [i["reason"] for i in batch.report["issues"]] == [
        f"未找到该农户（户编号“{family.household_number}”）"
    ]
    assert family.village_id != DOUWANG
