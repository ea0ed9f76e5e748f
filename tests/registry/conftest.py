"""Fixtures for the registry tests: a real region chain, valid people, an actor, row counts."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

from fangpin import idnumber
from fangpin.core.models import AuditEvent, Region
from fangpin.core.selectors import region_cache_clear
from fangpin.registry import services
from fangpin.registry.models import (
    Household,
    HouseholdCondition,
    HouseholdFinance,
    HouseholdStatusChange,
    MembershipEvent,
    Person,
)
from fangpin.registry.validation import PersonInput

TUDI = "433124102201"  # 土地村
DOUWANG = "433124102202"  # 豆旺村
REGISTERED_ON = date(2024, 3, 1)

PersonFactory = Callable[..., PersonInput]


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


@pytest.fixture
def actor(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(username="clerk", password=None)


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
