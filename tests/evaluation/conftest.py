"""Fixtures for the evaluation tests: a small 花垣县 registry (two townships, five villages,
twenty households with a finance year and a checklist), a household of 泸溪县, and one account
per role that matters here.

Region codes are the real 2023 codes (tests/fixtures/regions). Households are written by a
system actor, so no scope applies to the setup; their incomes are all different (the integrity
tests add the look-alikes they need).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from fangpin import idnumber
from fangpin.conditions import WaterMeasurement
from fangpin.core.models import AuditEvent, Region, Role, User
from fangpin.core.selectors import region_cache_clear
from fangpin.evaluation.campaigns import SurveyAnswers
from fangpin.evaluation.models import (
    Campaign,
    IntegrityFinding,
    IntegrityRun,
    MeasureResult,
    SampledHousehold,
    SampledVillage,
)
from fangpin.registry import services
from fangpin.registry.models import Household
from fangpin.registry.validation import PersonInput
from fangpin.supervision.models import Problem
from tests.registry.conftest import make_user
from tests.registry.monitoring_helpers import add_spell

SYSTEM_ACTOR = "system:test"
YEAR = 2024

HUAYUAN = "433124000000"  # 花垣县
LUXI = "433122000000"  # 泸溪县
LONGTAN = "433124102000"  # 龙潭镇
MINLE_TOWN = "433124103000"  # 民乐镇
LONGMEN = "433124102200"  # 龙门村
TUDI = "433124102201"  # 土地村
DOUWANG = "433124102202"  # 豆旺村
MINLE = "433124103201"  # 民乐村
XIANGSHUI = "433124103204"  # 响水村
DALAN = "433122102000"  # 泸溪县 达岚镇
LONGXIKOU = "433122102200"  # 泸溪县 龙溪口村

REGIONS = [
    ("430000000000", "湖南省", 1, None),
    ("433100000000", "湘西土家族苗族自治州", 2, "430000000000"),
    (HUAYUAN, "花垣县", 3, "433100000000"),
    (LUXI, "泸溪县", 3, "433100000000"),
    (LONGTAN, "龙潭镇", 4, HUAYUAN),
    (MINLE_TOWN, "民乐镇", 4, HUAYUAN),
    (DALAN, "达岚镇", 4, LUXI),
    (LONGMEN, "龙门村", 5, LONGTAN),
    (TUDI, "土地村", 5, LONGTAN),
    (DOUWANG, "豆旺村", 5, LONGTAN),
    (MINLE, "民乐村", 5, MINLE_TOWN),
    (XIANGSHUI, "响水村", 5, MINLE_TOWN),
    (LONGXIKOU, "龙溪口村", 5, DALAN),
]

#: key → (village, household type, yearly net wage of the two-person household, monitoring).
#: "1" 脱贫户 and any monitored household are in the register; "2" 一般农户 outside it.
HOUSEHOLDS: dict[str, tuple[str, str, int, str]] = {
    "longmen_a": (LONGMEN, "1", 21000, ""),
    "longmen_b": (LONGMEN, "1", 13000, ""),
    "longmen_c": (LONGMEN, "2", 31000, ""),
    "longmen_d": (LONGMEN, "2", 26000, ""),
    "tudi_a": (TUDI, "1", 9000, "open"),  # 监测户, risk not eliminated
    "tudi_b": (TUDI, "1", 17000, ""),
    "tudi_c": (TUDI, "2", 33000, ""),
    "tudi_d": (TUDI, "2", 7000, ""),  # 一般农户 below the poverty line: 漏评 material
    "douwang_a": (DOUWANG, "1", 19000, "eliminated"),
    "douwang_b": (DOUWANG, "1", 15000, ""),
    "douwang_c": (DOUWANG, "2", 29000, ""),
    "douwang_d": (DOUWANG, "2", 24000, "open"),  # 一般农户 under monitoring: in the register
    "minle_a": (MINLE, "1", 18000, ""),
    "minle_b": (MINLE, "1", 14000, ""),
    "minle_c": (MINLE, "2", 35000, ""),
    "minle_d": (MINLE, "2", 27000, ""),
    "xiangshui_a": (XIANGSHUI, "1", 16000, ""),
    "xiangshui_b": (XIANGSHUI, "1", 12000, ""),
    "xiangshui_c": (XIANGSHUI, "2", 37000, ""),
    "xiangshui_d": (XIANGSHUI, "2", 23000, ""),
    "luxi_a": (LONGXIKOU, "1", 20000, ""),
}

#: account → (role, home region)
ACCOUNTS = {
    "inspector_huayuan": (Role.INSPECTOR, HUAYUAN),
    "inspector_luxi": (Role.INSPECTOR, LUXI),
    "inspector_xiangxi": (Role.INSPECTOR, "433100000000"),
    "county_huayuan": (Role.COUNTY_APPROVER, HUAYUAN),
    "township_longtan": (Role.TOWNSHIP_REVIEWER, LONGTAN),
    "cadre_tudi": (Role.VILLAGE_CADRE, TUDI),
    "auditor": (Role.AUDITOR, HUAYUAN),
}

GOOD_WATER = WaterMeasurement("rich", 60, True, False, True, None, None, None, 0)


@dataclass(frozen=True, slots=True)
class World:
    households: dict[str, Household]
    users: dict[str, User]

    def key_of(self, household_id: int) -> str:
        return next(k for k, h in self.households.items() if h.pk == household_id)


_counter = itertools.count(1)


def _reset_ids() -> None:
    global _counter
    _counter = itertools.count(1)


def person(name: str, relation: str = "01", *, born: date = date(1975, 3, 1)) -> PersonInput:
    """A valid person of 花垣县 with a new ID number each call."""
    number = idnumber.build("433124", born, next(_counter) * 2 + 1)
    return PersonInput(name=name, id_number=number, relation=relation, has_resident_medical=True)


def add_household(
    village: str,
    kind: str,
    wage: int | None,
    *,
    year: int = YEAR,
    name: str = "龙大",
    with_condition: bool = True,
) -> Household:
    """A two-person household with a finance row for ``year`` (none when ``wage`` is None)
    and, by default, a checklist (all secured, house graded A)."""
    household = services.household_create(
        actor=SYSTEM_ACTOR,
        village_code=village,
        household_type=kind,
        head=person(name),
        members=[person("石二", "10", born=date(1977, 6, 2))],
        registered_on=date(2023, 3, 1),
        natural_village="上寨",
    )
    if wage is not None:
        add_finances(household, wage, year=year, with_condition=with_condition)
    return household


def add_finances(
    household: Household, wage: int, *, year: int = YEAR, with_condition: bool = True
) -> None:
    services.finance_upsert(
        actor=SYSTEM_ACTOR, household_id=household.pk, year=year, amounts={"wage_local": wage}
    )
    if with_condition:
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


@pytest.fixture
def regions(db: None) -> Iterator[None]:
    _reset_ids()
    region_cache_clear()
    Region.objects.bulk_create(
        Region(
            code=code,
            name=name,
            level=level,
            parent_id=parent,
            urban_rural_class="220" if level == 5 else "",
        )
        for code, name, level, parent in REGIONS
    )
    yield
    region_cache_clear()


@pytest.fixture
def world(regions: None) -> World:
    """The twenty households of 花垣县 and one of 泸溪县, and the accounts of :data:`ACCOUNTS`.

    No finances or checklists (the sample and the surveys need none): :func:`finances` adds
    them for the measures and the integrity detectors."""
    households = {}
    for key, (village, kind, _wage, monitoring) in HOUSEHOLDS.items():
        household = add_household(village, kind, None)
        if monitoring == "open":
            add_spell(household, "UNSTABLE", date(2024, 2, 1))
        elif monitoring == "eliminated":
            add_spell(household, "UNSTABLE", date(2023, 2, 1), eliminated=date(2024, 3, 1))
        household.refresh_from_db()
        households[key] = household
    users = {name: make_user(name, role, home) for name, (role, home) in ACCOUNTS.items()}
    return World(households=households, users=users)


@pytest.fixture
def finances(world: World) -> World:
    """The world with each household's 2024 finance row (the wage of :data:`HOUSEHOLDS`, two
    people) and a checklist where everything is secured."""
    for key, (_village, _kind, wage, _monitoring) in HOUSEHOLDS.items():
        add_finances(world.households[key], wage)
    return world


def answers(**changes: Any) -> SurveyAnswers:
    """A survey that finds everything in order (income well above the line)."""
    values: dict[str, Any] = {
        "surveyed_on": date(2025, 1, 10),
        "people": 2,
        "per_capita_income": Decimal("9000.00"),
        "food_ok": True,
        "clothing_ok": True,
        "education_ok": True,
        "medical_ok": True,
        "housing_ok": True,
        "water_ok": True,
        "adjudication": "correct",
        "is_satisfied": True,
        "notes": "",
    }
    values.update(changes)
    return SurveyAnswers(**values)


def table_state() -> dict[str, Any]:
    """Everything an evaluation write may change, for "nothing changed" checks."""
    return {
        "campaigns": sorted(Campaign.objects.values_list("pk", "status", "version", "pushed_on")),
        "villages": SampledVillage.objects.count(),
        "households": sorted(
            SampledHousehold.objects.values_list(
                "pk", "version", "surveyed_on", "adjudication", "per_capita_income", "notes"
            )
        ),
        "runs": IntegrityRun.objects.count(),
        "findings": sorted(IntegrityFinding.objects.values_list("pk", "problem_key")),
        "measures": MeasureResult.objects.count(),
        "problems": Problem.objects.count(),
        "audit": AuditEvent.objects.count(),
    }
