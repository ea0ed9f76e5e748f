"""Fixtures for the registry tests: a real region chain, valid people, an actor, row counts."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from fangpin import idnumber
from fangpin.conditions import WaterMeasurement
from fangpin.core.models import AuditEvent, Region, Role, User
from fangpin.core.pi import pi_decrypt
from fangpin.core.selectors import region_cache_clear
from fangpin.registry import services
from fangpin.registry.models import (
    HOUSEHOLD_PHONE_CONTEXT,
    ID_NUMBER_CONTEXT,
    PERSON_PHONE_CONTEXT,
    Household,
    HouseholdCondition,
    HouseholdFinance,
    HouseholdStatusChange,
    MembershipEvent,
    Person,
    identity_index,
)
from fangpin.registry.validation import PersonInput

TUDI = "433124102201"  # 土地村
DOUWANG = "433124102202"  # 豆旺村
REGISTERED_ON = date(2024, 3, 1)

PersonFactory = Callable[..., PersonInput]


def plain_id(person: Person) -> str:
    """A stored person's ID number, decrypted (tests only: the app shows ``id_number_masked``)."""
    return pi_decrypt(person.id_number_encrypted, context=ID_NUMBER_CONTEXT)


def plain_phone(obj: Household | Person) -> str:
    """A stored household's or person's phone number, decrypted (tests only)."""
    context = HOUSEHOLD_PHONE_CONTEXT if isinstance(obj, Household) else PERSON_PHONE_CONTEXT
    return pi_decrypt(obj.phone_encrypted, context=context)


def id_filter(id_type: str, number: str) -> dict[str, str]:
    """ORM filter kwargs for the people holding an identity (through the blind index)."""
    return {"id_number_index": identity_index(id_type, number)}


@pytest.fixture
def village(db: None) -> Iterator[Region]:
    """湖南省 › 湘西州 › 花垣县 › 龙潭镇 › 土地村 and 豆旺村, plus 泸溪县 (real 2023 codes)."""
    region_cache_clear()
    rows = [
        ("430000000000", "湖南省", 1, None, ""),
        ("433100000000", "湘西土家族苗族自治州", 2, "430000000000", ""),
        ("433124000000", "花垣县", 3, "433100000000", ""),
        ("433122000000", "泸溪县", 3, "433100000000", ""),
        ("433124102000", "龙潭镇", 4, "433124000000", ""),
        (TUDI, "土地村", 5, "433124102000", "220"),
        (DOUWANG, "豆旺村", 5, "433124102000", "220"),
    ]
    Region.objects.bulk_create(
        Region(code=code, name=name, level=level, parent_id=parent, urban_rural_class=urc)
        for code, name, level, parent, urc in rows
    )
    yield Region.objects.get(code=TUDI)
    region_cache_clear()


@pytest.fixture
def person_input() -> PersonFactory:
    """Build valid PersonInputs with real valid ID numbers from 433124 (花垣县).

    Every call gets a new sequence code, odd for men and even for women, so numbers never
    collide within a test.
    """
    counter = itertools.count(1)

    def make(
        *,
        name: str = "张三",
        relation: str = "01",
        birth_date: date = date(1980, 5, 1),
        female: bool = False,
        **overrides: Any,
    ) -> PersonInput:
        sequence = next(counter) * 2 + (0 if female else 1)
        number = idnumber.build("433124", birth_date, sequence)
        return PersonInput(name=name, id_number=number, relation=relation, **overrides)

    return make


HUAYUAN_COUNTY = "433124000000"  # 花垣县
LONGTAN_TOWNSHIP = "433124102000"  # 龙潭镇
LUXI_COUNTY = "433122000000"  # 泸溪县


def make_user(username: str, role: str, home_region: str | None) -> User:
    """An active staff account with ``role`` at ``home_region`` (a 12-digit code or None)."""
    user = User.objects.create_user(username=username, password=None, is_staff=True)
    user.role = role
    user.home_region_id = home_region
    user.save(update_fields=["role", "home_region"])
    return user


@pytest.fixture
def actor(village: Region) -> User:
    """The county approver of 花垣县: may edit every household of the test villages."""
    return make_user("clerk", Role.COUNTY_APPROVER, HUAYUAN_COUNTY)


@pytest.fixture
def tudi_cadre(village: Region) -> User:
    """The village cadre of 土地村 (not 豆旺村)."""
    return make_user("cadre_tudi", Role.VILLAGE_CADRE, TUDI)


@pytest.fixture
def douwang_cadre(village: Region) -> User:
    """The village cadre of 豆旺村: 土地村's households are outside their scope."""
    return make_user("cadre_douwang", Role.VILLAGE_CADRE, DOUWANG)


@pytest.fixture
def luxi_approver(village: Region) -> User:
    """The county approver of 泸溪县: no 花垣县 household is inside their scope."""
    return make_user("approver_luxi", Role.COUNTY_APPROVER, LUXI_COUNTY)


@pytest.fixture
def counts() -> Callable[[], dict[str, int]]:
    """Row counts of every table a registry write touches (for "nothing changed" checks)."""

    def take() -> dict[str, int]:
        return {
            "household": Household.objects.count(),
            "person": Person.objects.count(),
            "event": MembershipEvent.objects.count(),
            "status": HouseholdStatusChange.objects.count(),
            "finance": HouseholdFinance.objects.count(),
            "condition": HouseholdCondition.objects.count(),
            "audit": AuditEvent.objects.count(),
        }

    return take


@pytest.fixture
def family(village: Region, actor: Any, person_input: PersonFactory) -> Household:
    """A household of three in 土地村: head 张三 (1980), spouse 李梅 (1982), son 张小明 (2010)."""
    return services.household_create(
        actor=actor,
        village_code=TUDI,
        household_type="1",
        head=person_input(name="张三", has_resident_medical=True),
        members=[
            person_input(
                name="李梅",
                relation="10",
                birth_date=date(1982, 8, 9),
                female=True,
                has_resident_medical=True,
            ),
            person_input(
                name="张小明",
                relation="20",
                birth_date=date(2010, 9, 1),
                student_status="22",
                education="70",
                has_resident_medical=True,
            ),
        ],
        registered_on=REGISTERED_ON,
        natural_village="上寨",
        address="龙潭镇土地村上寨12号",
        phone="13812345678",
    )


def member(household: Household, name: str) -> Person:
    """The member of ``household`` called ``name`` (any status)."""
    return Person.objects.get(household=household, name=name)


# --- Two villages, another township, another county: the region-scope world -----------------

MINLE = "433124103201"  # 民乐镇 民乐村: another township of 花垣县
LUXI_VILLAGE = "433122100201"  # a village of 泸溪县 (illustrative code: only the prefix matters)
SYSTEM_ACTOR = "system:test"
GOOD_WATER = WaterMeasurement("rich", 60, True, False, True, None, None, None, 0)

#: household key → (village code, head, spouse, son, household phone)
HOUSEHOLDS = {
    "tudi": (TUDI, "张三", "李梅", "张小明", "13812345678"),
    "douwang": (DOUWANG, "王五", "赵兰", "王小虎", "13912345678"),
    "minle": (MINLE, "石大山", "龙秀英", "石小龙", "15012345678"),
    "luxi": (LUXI_VILLAGE, "向东", "田英", "向小北", "18612345678"),
}

#: viewer → (role, home region)
VIEWERS = {
    "cadre_tudi": (Role.VILLAGE_CADRE, TUDI),
    "township_longtan": (Role.TOWNSHIP_REVIEWER, LONGTAN_TOWNSHIP),
    "county_huayuan": (Role.COUNTY_APPROVER, HUAYUAN_COUNTY),
    "inspector_luxi": (Role.INSPECTOR, LUXI_COUNTY),
    "officer_xiangxi": (Role.DEPARTMENT_OFFICER, "433100000000"),
    "auditor": (Role.AUDITOR, HUAYUAN_COUNTY),
    "sysadmin": (Role.SYSTEM_ADMIN, None),
    "secadmin": (Role.SECURITY_ADMIN, None),
    "root": ("", None),  # a Django superuser without a role
}

#: viewer → the households inside their scope (written out, not computed)
VISIBLE: dict[str, set[str]] = {
    "cadre_tudi": {"tudi"},
    "township_longtan": {"tudi", "douwang"},
    "county_huayuan": {"tudi", "douwang", "minle"},
    "inspector_luxi": {"luxi"},
    "officer_xiangxi": {"tudi", "douwang", "minle", "luxi"},
    "auditor": set(),
    "sysadmin": set(),
    "secadmin": set(),
    "root": set(),
}


@dataclass(frozen=True, slots=True)
class World:
    households: dict[str, Household]
    viewers: dict[str, User]

    def numbers(self, keys: set[str]) -> set[str]:
        return {self.households[k].household_number for k in keys}


@pytest.fixture
def world(village: Region, person_input: PersonFactory) -> World:
    """Four households of three (each with a finance year and an assessment) in 土地村,
    豆旺村, 民乐村 (another township) and 泸溪县 (another county), and one account per
    viewer of :data:`VIEWERS`. Written by a system actor, so no scope applies to the setup."""
    Region.objects.bulk_create(
        Region(code=code, name=name, level=level, parent_id=parent, urban_rural_class=urc)
        for code, name, level, parent, urc in [
            ("433124103000", "民乐镇", 4, HUAYUAN_COUNTY, ""),
            (MINLE, "民乐村", 5, "433124103000", "220"),
            ("433122100000", "泸溪县某镇", 4, LUXI_COUNTY, ""),
            (LUXI_VILLAGE, "泸溪县某村", 5, "433122100000", "220"),
        ]
    )
    households = {}
    for key, (code, head, spouse, son, phone) in HOUSEHOLDS.items():
        household = services.household_create(
            actor=SYSTEM_ACTOR,
            village_code=code,
            household_type="1",
            head=person_input(name=head, has_resident_medical=True),
            members=[
                person_input(
                    name=spouse,
                    relation="10",
                    birth_date=date(1982, 8, 9),
                    female=True,
                    has_resident_medical=True,
                    phone=phone.replace("12345678", "87654321"),
                ),
                person_input(
                    name=son,
                    relation="20",
                    birth_date=date(2010, 9, 1),
                    student_status="22",
                    education="70",
                    has_resident_medical=True,
                ),
            ],
            registered_on=REGISTERED_ON,
            phone=phone,
        )
        services.finance_upsert(
            actor=SYSTEM_ACTOR, household_id=household.pk, year=2023, amounts={"wage_local": "9000"}
        )
        services.condition_record(
            actor=SYSTEM_ACTOR,
            household_id=household.pk,
            assessed_on=date(2024, 5, 1),
            food_secure=True,
            clothing_secure=True,
            housing_grade="A",
            housing_assessor="花垣县住房和城乡建设局",
            housing_assessed_on=date(2023, 10, 12),
            water=GOOD_WATER,
        )
        households[key] = household
    viewers = {name: make_user(name, role, home) for name, (role, home) in VIEWERS.items()}
    User.objects.filter(pk=viewers["root"].pk).update(is_superuser=True)
    viewers["root"].refresh_from_db()
    return World(households=households, viewers=viewers)
