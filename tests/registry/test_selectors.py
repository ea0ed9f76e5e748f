"""Selectors: lists without N+1, members, finance, conditions, checklist, timeline, ID lookup."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from fangpin.conditions import WaterMeasurement
from fangpin.core.models import Region
from fangpin.registry import selectors, services
from fangpin.registry.models import Household
from tests.registry.conftest import DOUWANG, REGISTERED_ON, TUDI, PersonFactory, member, plain_id
from tests.registry.monitoring_helpers import add_spell

GOOD_WATER = WaterMeasurement("rich", 60, True, False, True, None, None, None, 0)
ON = date(2024, 6, 1)


def _annotated(household: Household, name: str) -> Any:
    """A value household_list annotates (member_count, head_name)."""
    return getattr(household, name)


def _household(actor: Any, person_input: PersonFactory, name: str, **kwargs: Any) -> Household:
    fields: dict[str, Any] = {
        "actor": actor,
        "village_code": TUDI,
        "household_type": "2",
        "head": person_input(name=name, has_resident_medical=True),
        "registered_on": REGISTERED_ON,
    }
    fields.update(kwargs)
    return services.household_create(**fields)


def _assess(actor: Any, household: Household, **overrides: Any) -> None:
    fields: dict[str, Any] = {
        "actor": actor,
        "household_id": household.pk,
        "assessed_on": date(2024, 5, 1),
        "food_secure": True,
        "clothing_secure": True,
        "housing_grade": "A",
        "housing_assessor": "花垣县住房和城乡建设局",
        "housing_assessed_on": date(2023, 10, 12),
        "water": GOOD_WATER,
    }
    fields.update(overrides)
    services.condition_record(**fields)


# --- households -------------------------------------------------------------------------------


def test_household_get_selects_the_village(
    family: Household, actor: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        household = selectors.household_get(user=actor, household_id=family.pk)
        assert household.village.name == "土地村"


def test_household_list_annotates_member_count_and_head_name(
    family: Household, actor: Any, person_input: PersonFactory
) -> None:
    _household(actor, person_input, "王五", village_code=DOUWANG, household_type="1")
    services.person_record_death(actor=actor, person_id=member(family, "张小明").pk, death_date=ON)
    rows = [
        (
            h.household_number,
            _annotated(h, "member_count"),
            _annotated(h, "head_name"),
            h.village.name,
        )
        for h in selectors.household_list(user=actor)
    ]
    assert rows == [
        ("4331241022010001", 2, "张三", "土地村"),
        ("4331241022020001", 1, "王五", "豆旺村"),
    ]


def test_household_list_filters(family: Household, actor: Any, person_input: PersonFactory) -> None:
    _household(actor, person_input, "王五", village_code=DOUWANG, household_type="2")

    def numbers(**kwargs: Any) -> list[str]:
        return [h.household_number for h in selectors.household_list(user=actor, **kwargs)]

    assert numbers(village_prefix="433124102202") == ["4331241022020001"]
    assert numbers(village_prefix="433124") == ["4331241022010001", "4331241022020001"]
    assert numbers(village_prefix="433122") == []
    assert numbers(household_type="1") == ["4331241022010001"]


def test_household_list_search(family: Household, actor: Any, person_input: PersonFactory) -> None:
    _household(actor, person_input, "王五", village_code=DOUWANG)
    wife_number = plain_id(member(family, "李梅"))
    fullwidth = "".join(chr(ord(ch) + 0xFEE0) for ch in wife_number)

    def numbers(search: str) -> list[str]:
        return [h.household_number for h in selectors.household_list(user=actor, search=search)]

    assert numbers("43312410220200") == ["4331241022020001"]
    assert numbers("张三") == ["4331241022010001"]
    assert numbers("王") == ["4331241022020001"]
    assert numbers("李梅") == []  # names match the head only
    assert numbers(wife_number) == ["4331241022010001"]  # any active member's ID, exactly
    assert numbers(f" {fullwidth} ") == ["4331241022010001"]
    assert numbers(wife_number[:17]) == []
    assert numbers("  ") == ["4331241022010001", "4331241022020001"]


def _bulk_households(actor: Any, person_input: PersonFactory, count: int) -> None:
    for i in range(count):
        _household(
            actor,
            person_input,
            "户主",
            members=[person_input(name="成员", relation="10", female=True)],
            household_number=f"X{i:04d}",
        )


@pytest.mark.parametrize("size", [5, 25])
def test_household_list_page_costs_one_query_whatever_the_size(
    village: Region,
    actor: Any,
    person_input: PersonFactory,
    django_assert_num_queries: Any,
    size: int,
) -> None:
    _bulk_households(actor, person_input, size)
    with django_assert_num_queries(1):
        page = [
            (
                h.household_number,
                _annotated(h, "member_count"),
                _annotated(h, "head_name"),
                h.village.name,
            )
            for h in selectors.household_list(user=actor, search="户主")[:20]
        ]
    assert len(page) == min(size, 20)
    assert page[0] == ("X0000", 2, "户主", "土地村")


def test_household_members_head_first_and_inactive_on_request(
    family: Household, actor: Any
) -> None:
    services.person_record_death(actor=actor, person_id=member(family, "张小明").pk, death_date=ON)
    active = selectors.household_members(user=actor, household_id=family.pk)
    assert [p.name for p in active] == ["张三", "李梅"]
    everyone = selectors.household_members(
        user=actor, household_id=family.pk, include_inactive=True
    )
    assert [p.name for p in everyone] == ["张三", "李梅", "张小明"]


def test_household_head(family: Household, actor: Any) -> None:
    head = selectors.household_head(user=actor, household_id=family.pk)
    assert head is not None
    assert head.name == "张三"
    assert selectors.household_head(user=actor, household_id=999_999) is None


def test_household_finance(family: Household, actor: Any) -> None:
    services.finance_upsert(
        actor=actor, household_id=family.pk, year=2023, amounts={"wage_local": "9000"}
    )
    finance = selectors.household_finance(user=actor, household_id=family.pk, year=2023)
    assert finance is not None
    assert finance.net_income == 9000
    assert selectors.household_finance(user=actor, household_id=family.pk, year=2024) is None


def test_household_current_condition_is_the_latest(family: Household, actor: Any) -> None:
    assert selectors.household_current_condition(user=actor, household_id=family.pk) is None
    _assess(actor, family, assessed_on=date(2024, 5, 1), housing_grade="C")
    _assess(actor, family, assessed_on=date(2024, 8, 1), housing_grade="A")
    current = selectors.household_current_condition(user=actor, household_id=family.pk)
    assert current is not None
    assert current.housing_grade == "A"
    earlier = selectors.household_current_condition(
        user=actor, household_id=family.pk, on=date(2024, 7, 1)
    )
    assert earlier is not None
    assert earlier.housing_grade == "C"


# --- checklist --------------------------------------------------------------------------------


def test_checklist_all_secured(family: Household, actor: Any) -> None:
    _assess(actor, family)
    checklist = selectors.household_checklist(user=actor, household_id=family.pk, on=ON)
    assert checklist == selectors.Checklist(
        food=True,
        clothing=True,
        compulsory_education=True,
        medical_insurance=True,
        housing=True,
        water=True,
        failures=[],
    )
    assert checklist.all_secured is True


def test_checklist_without_an_assessment(family: Household, actor: Any) -> None:
    checklist = selectors.household_checklist(user=actor, household_id=family.pk, on=ON)
    assert (checklist.food, checklist.clothing, checklist.housing, checklist.water) == (
        False,
        False,
        False,
        False,
    )
    assert checklist.failures == ["尚未核查吃、穿、住房和饮水情况"]


def _add_child(
    actor: Any, person_input: PersonFactory, household: Household, **overrides: Any
) -> None:
    child = person_input(
        name="张小花",
        relation="30",
        birth_date=date(2014, 3, 1),  # 10 on 2024-06-01
        female=True,
        has_resident_medical=True,
        **overrides,
    )
    services.person_add(
        actor=actor,
        household_id=household.pk,
        person=child,
        event_type="birth",
        event_date=date(2014, 3, 1),
    )


def test_checklist_ten_year_old_out_of_school_without_reason_fails_education(
    family: Household, actor: Any, person_input: PersonFactory
) -> None:
    _assess(actor, family)
    _add_child(actor, person_input, family, student_status="00")
    checklist = selectors.household_checklist(user=actor, household_id=family.pk, on=ON)
    assert checklist.compulsory_education is False
    assert checklist.failures == ["义务教育有保障：适龄儿童张小花失学辍学"]


def test_checklist_ten_year_old_with_an_excused_reason_passes(
    family: Household, actor: Any, person_input: PersonFactory
) -> None:
    _assess(actor, family)
    _add_child(actor, person_input, family, student_status="00", out_of_school_reason="01")
    checklist = selectors.household_checklist(user=actor, household_id=family.pk, on=ON)
    assert checklist.compulsory_education is True
    assert checklist.failures == []


def test_checklist_unexcused_reason_still_fails(
    family: Household, actor: Any, person_input: PersonFactory
) -> None:
    _assess(actor, family)
    _add_child(actor, person_input, family, student_status="00", out_of_school_reason="12")
    assert (
        selectors.household_checklist(
            user=actor, household_id=family.pk, on=ON
        ).compulsory_education
        is False
    )


def test_checklist_age_is_taken_on_the_given_day(
    family: Household, actor: Any, person_input: PersonFactory
) -> None:
    _assess(actor, family)
    _add_child(actor, person_input, family, student_status="00")
    # Five years old the day before the sixth birthday: not yet of compulsory-school age.
    early = selectors.household_checklist(user=actor, household_id=family.pk, on=date(2020, 2, 29))
    assert early.compulsory_education is True


def test_checklist_medical_insurance_and_failing_conditions(
    family: Household, actor: Any, person_input: PersonFactory
) -> None:
    _assess(
        actor,
        family,
        housing_grade="D",
        food_secure=False,
        water=WaterMeasurement("rich", 30, True, False, False, 40, 1000, 100, 40),
    )
    services.person_update(
        actor=actor,
        person_id=member(family, "李梅").pk,
        expected_version=1,
        changes={"has_resident_medical": False, "has_employee_medical": False},
    )
    checklist = selectors.household_checklist(user=actor, household_id=family.pk, on=ON)
    assert (
        checklist.food,
        checklist.clothing,
        checklist.compulsory_education,
        checklist.medical_insurance,
        checklist.housing,
        checklist.water,
    ) == (False, True, True, False, False, False)
    assert checklist.failures == [
        "不愁吃：未达标",
        "住房安全有保障：住房鉴定为D级（整幢危房）",
        "饮水安全有保障：水量、用水方便程度、供水保证率不达标",
        "基本医疗有保障：李梅未参加基本医疗保险",
    ]


def test_checklist_employee_medical_insurance_counts(family: Household, actor: Any) -> None:
    _assess(actor, family)
    services.person_update(
        actor=actor,
        person_id=member(family, "李梅").pk,
        expected_version=1,
        changes={"has_resident_medical": False, "has_employee_medical": True},
    )
    assert (
        selectors.household_checklist(user=actor, household_id=family.pk, on=ON).medical_insurance
        is True
    )


# --- timeline ---------------------------------------------------------------------------------


def test_household_timeline_newest_first_with_labels(family: Household, actor: Any) -> None:
    head, wife = member(family, "张三"), member(family, "李梅")
    services.person_record_death(actor=actor, person_id=head.pk, death_date=ON, new_head_id=wife.pk)
    timeline = selectors.household_timeline(user=actor, household_id=family.pk)
    assert [(e.on, e.kind, e.label, e.person_name) for e in timeline] == [
        (ON, "membership", "户主变更", "李梅"),
        (ON, "membership", "死亡", "张三"),
        (REGISTERED_ON, "membership", "初始登记", "张小明"),
        (REGISTERED_ON, "membership", "初始登记", "李梅"),
        (REGISTERED_ON, "membership", "初始登记", "张三"),
        (REGISTERED_ON, "status", "正常", ""),
    ]
    assert (timeline[0].relation_before, timeline[0].relation_after) == ("10", "01")
    assert timeline[-1].note == "新建户"


# --- ID lookup --------------------------------------------------------------------------------


def test_person_find_by_id_number_normalises_input(family: Household, actor: Any) -> None:
    wife = member(family, "李梅")
    typed = " " + plain_id(wife)[:9] + " " + plain_id(wife)[9:].lower() + "\u3000"
    found = selectors.person_find_by_id_number(user=actor, id_number=typed)
    assert found is not None
    assert found.pk == wife.pk
    assert selectors.person_find_by_id_number(user=actor, id_number="") is None
    assert selectors.person_find_by_id_number(user=actor, id_number="433124198001010000") is None


def test_person_find_prefers_the_registered_holder(
    family: Household, actor: Any, person_input: PersonFactory
) -> None:
    son = member(family, "张小明")
    services.person_move_out(actor=actor, person_id=son.pk, event_type="move_out", event_date=ON)
    former = selectors.person_find_by_id_number(user=actor, id_number=plain_id(son))
    assert former is not None
    assert (former.pk, former.status) == (son.pk, "moved_out")
    from dataclasses import replace

    again = replace(person_input(name="张小明", relation="20"), id_number=plain_id(son))
    added = services.person_add(
        actor=actor,
        household_id=family.pk,
        person=again,
        event_type="move_in",
        event_date=timezone.localdate(),
    )
    found = selectors.person_find_by_id_number(user=actor, id_number=plain_id(son))
    assert found is not None
    assert found.pk == added.pk


def test_person_find_by_id_number_finds_a_disability_card_holder(
    village: Region, actor: Any, person_input: PersonFactory
) -> None:
    from dataclasses import replace

    card_holder = person_input(name="王五")
    number = card_holder.id_number
    services.household_create(
        actor=actor,
        village_code=TUDI,
        household_type="2",
        head=replace(
            card_holder,
            id_type="2",
            id_number=number + "41",
            health="40",
            disability_grade="1",
            disability_category="4",
        ),
        registered_on=REGISTERED_ON,
    )
    found = selectors.person_find_by_id_number(user=actor, id_number=number)
    assert found is not None
    assert (found.name, plain_id(found)) == ("王五", number + "41")
    exact = selectors.person_find_by_id_number(user=actor, id_number=number + "41")
    assert exact is not None
    assert exact.pk == found.pk
    assert selectors.person_find_by_id_number(user=actor, id_number=number + "42") is None


# --- monitoring -------------------------------------------------------------------------------


@pytest.fixture
def monitored(family: Household, actor: Any, person_input: PersonFactory) -> list[Household]:
    """张三 (土地村, 脱贫户): UNSTABLE, open, 因病 + 因自然灾害/洪涝; 王五 (豆旺村): SUDDEN,
    eliminated, 因残, with an earlier eliminated MARGINAL spell that had 因学; 赵六: never."""
    wang = _household(actor, person_input, "王五", village_code=DOUWANG)
    zhao = _household(actor, person_input, "赵六", village_code=DOUWANG)
    add_spell(family, "UNSTABLE", date(2023, 4, 1), risks=[("01", ""), ("02", "0201")])
    add_spell(
        wang,
        "MARGINAL",
        date(2021, 5, 1),
        eliminated=date(2022, 1, 1),
        is_current=False,
        risks=[("09", "")],
    )
    add_spell(
        wang, "SUDDEN", date(2023, 9, 1), eliminated=date(2024, 6, 1), mode="natural",
        risks=[("03", "")],
    )  # fmt: skip
    return [family, wang, zhao]


def test_household_list_monitoring_filters(monitored: list[Household], actor: Any) -> None:
    def numbers(**kwargs: Any) -> list[str]:
        return [h.household_number for h in selectors.household_list(user=actor, **kwargs)]

    zhang, wang, zhao = (h.household_number for h in monitored)
    assert numbers(monitoring_status="open") == [zhang]
    assert numbers(monitoring_status="eliminated") == [wang]
    assert numbers(monitoring_status="none") == [zhao]
    assert numbers(monitoring_type="UNSTABLE") == [zhang]
    assert numbers(monitoring_type="SUDDEN") == [wang]
    assert numbers(monitoring_type="MARGINAL") == []  # 王五's MARGINAL spell is not current
    assert numbers(risk_type="01") == [zhang]
    assert numbers(risk_type="02") == [zhang]
    assert numbers(risk_type="03") == [wang]
    assert numbers(risk_type="09") == []  # an earlier spell's risk does not count
    assert numbers(monitoring_status="open", risk_type="03") == []
    assert numbers(village_prefix=DOUWANG, monitoring_status="eliminated", risk_type="03") == [wang]
    rows = [
        (h.household_number, h.monitoring_status, h.monitoring_type)
        for h in selectors.household_list(user=actor)
    ]
    assert rows == [(zhang, "open", "UNSTABLE"), (wang, "eliminated", "SUDDEN"), (zhao, "none", "")]


def test_household_list_month_filters_match_any_spell(
    monitored: list[Household], actor: Any, douwang_cadre: Any
) -> None:
    def numbers(user: Any = actor, **kwargs: Any) -> list[str]:
        return [h.household_number for h in selectors.household_list(user=user, **kwargs)]

    zhang, wang, _ = (h.household_number for h in monitored)
    assert numbers(identified_month=date(2023, 4, 1)) == [zhang]
    assert numbers(identified_month=date(2021, 5, 1)) == [wang]  # 王五's earlier spell
    assert numbers(identified_month=date(2023, 9, 1)) == [wang]  # and his current one
    assert numbers(eliminated_month=date(2022, 1, 1)) == [wang]
    assert numbers(eliminated_month=date(2024, 6, 1)) == [wang]
    assert numbers(identified_month=date(2023, 5, 1)) == []
    assert numbers(eliminated_month=date(2023, 4, 1)) == []  # 张三's spell is still open
    # Both conditions may hold on different spells of one household.
    assert numbers(identified_month=date(2021, 5, 1), eliminated_month=date(2024, 6, 1)) == [wang]
    assert numbers(douwang_cadre, identified_month=date(2023, 4, 1)) == []  # 张三 is 土地村's


def test_household_list_monitoring_filters_keep_the_scope(
    monitored: list[Household], tudi_cadre: Any, douwang_cadre: Any, luxi_approver: Any
) -> None:
    def numbers(user: Any, **kwargs: Any) -> list[str]:
        return [h.household_number for h in selectors.household_list(user=user, **kwargs)]

    zhang, wang, _ = (h.household_number for h in monitored)
    assert numbers(tudi_cadre, risk_type="01") == [zhang]
    assert numbers(tudi_cadre, risk_type="03") == []
    assert numbers(douwang_cadre, risk_type="03") == [wang]
    assert numbers(douwang_cadre, monitoring_status="open") == []
    assert numbers(luxi_approver, monitoring_status="open") == []


def test_household_monitorings_newest_first_with_risks(
    monitored: list[Household], actor: Any, django_assert_num_queries: Any
) -> None:
    _, wang, zhao = monitored
    with django_assert_num_queries(2):
        spells = selectors.household_monitorings(user=actor, household_id=wang.pk)
        rows = [
            (
                s.object_type,
                s.identified_month,
                s.eliminated_month,
                s.elimination_mode,
                s.is_current,
                [(r.position, r.risk_type, r.disaster_subtype) for r in s.risks.all()],
            )
            for s in spells
        ]
    assert rows == [
        ("SUDDEN", date(2023, 9, 1), date(2024, 6, 1), "natural", True, [(1, "03", "")]),
        ("MARGINAL", date(2021, 5, 1), date(2022, 1, 1), "assisted", False, [(1, "09", "")]),
    ]
    with django_assert_num_queries(2):
        assert selectors.household_monitorings(user=actor, household_id=zhao.pk) == []


def test_household_monitorings_out_of_scope_is_missing(
    monitored: list[Household], tudi_cadre: Any, douwang_cadre: Any
) -> None:
    zhang, wang, _ = monitored
    spells = selectors.household_monitorings(user=tudi_cadre, household_id=zhang.pk)
    assert [(s.object_type, [r.risk_type for r in s.risks.all()]) for s in spells] == [
        ("UNSTABLE", ["01", "02"])
    ]
    with pytest.raises(Household.DoesNotExist):
        selectors.household_monitorings(user=tudi_cadre, household_id=wang.pk)
    with pytest.raises(Household.DoesNotExist):
        selectors.household_monitorings(user=douwang_cadre, household_id=zhang.pk)
    with pytest.raises(Household.DoesNotExist):
        selectors.household_monitorings(user=douwang_cadre, household_id=999_999)
