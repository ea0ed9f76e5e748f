"""Region scope in the write services: outside the scope is refused exactly like missing.

Every service × every writer (village cadre, township reviewer, county approver) × a target
inside and outside their scope, and every service × every role without ``registry.edit``.
A refusal changes nothing and leaves exactly one ``authz.denied`` audit event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from fangpin import idnumber
from fangpin.core.models import AuditEvent, Role
from fangpin.registry import services
from fangpin.registry.errors import RegistryError
from fangpin.registry.models import (
    Household,
    HouseholdCondition,
    HouseholdFinance,
    HouseholdStatusChange,
    MembershipEvent,
    Monitoring,
    Person,
)
from fangpin.registry.validation import PersonInput
from tests.module_world import (
    BuiltWorld,
    person_input_after,
    registry_module_world,
    world_for_test,
)
from tests.registry.conftest import (
    DOUWANG,
    GOOD_WATER,
    REGISTERED_ON,
    VIEWERS,
    VISIBLE,
    PersonFactory,
    World,
    make_user,
    member,
    plain_id,
)

MISSING = 999_999
ON = date(2024, 6, 1)


@dataclass(frozen=True, slots=True)
class Target:
    household_id: int
    village_code: str
    head_id: int
    spouse_id: int
    son_id: int


def _target(household: Household) -> Target:
    people = {p.relation: p.pk for p in Person.objects.filter(household=household)}
    return Target(household.pk, household.village_id, people["01"], people["10"], people["20"])


MISSING_TARGET = Target(MISSING, "433124102299", MISSING, MISSING, MISSING)


def _version(model: type[Household] | type[Person], pk: int) -> int:
    row = model.objects.filter(pk=pk).values_list("version", flat=True).first()
    return row or 1


#: service → call(actor, target, person_input)
WRITES: dict[str, Callable[[Any, Target, PersonFactory], Any]] = {
    "household_create": lambda a, t, p: services.household_create(
        actor=a,
        village_code=t.village_code,
        household_type="1",
        head=p(name="新户主"),
        registered_on=REGISTERED_ON,
    ),
    "household_update": lambda a, t, p: services.household_update(
        actor=a,
        household_id=t.household_id,
        expected_version=_version(Household, t.household_id),
        changes={"address": "新址1号"},
    ),
    "household_cancel": lambda a, t, p: services.household_cancel(
        actor=a, household_id=t.household_id, reason="核查注销", effective_date=ON
    ),
    "household_change_head": lambda a, t, p: services.household_change_head(
        actor=a,
        household_id=t.household_id,
        new_head_id=t.spouse_id,
        old_head_relation="10",
        event_date=ON,
    ),
    "household_split": lambda a, t, p: services.household_split(
        actor=a,
        household_id=t.household_id,
        member_ids=[t.spouse_id],
        new_head_id=t.spouse_id,
        relations={},
        event_date=ON,
    ),
    "person_add": lambda a, t, p: services.person_add(
        actor=a,
        household_id=t.household_id,
        person=p(name="新生儿", relation="20", birth_date=date(2024, 1, 1)),
        event_type="birth",
        event_date=date(2024, 1, 2),
    ),
    "person_update": lambda a, t, p: services.person_update(
        actor=a,
        person_id=t.spouse_id,
        expected_version=_version(Person, t.spouse_id),
        changes={"migrant_work_months": 3, "migrant_employer": "浙江某厂"},
    ),
    "person_correct_id": lambda a, t, p: services.person_correct_id(
        actor=a,
        person_id=t.son_id,
        expected_version=_version(Person, t.son_id),
        new_id_number=idnumber.build("433124", date(2010, 9, 1), 991),
        reason="录入错误",
    ),
    "person_record_death": lambda a, t, p: services.person_record_death(
        actor=a, person_id=t.son_id, death_date=ON
    ),
    "person_move_out": lambda a, t, p: services.person_move_out(
        actor=a, person_id=t.son_id, event_type="move_out", event_date=ON
    ),
    "finance_upsert": lambda a, t, p: services.finance_upsert(
        actor=a, household_id=t.household_id, year=2024, amounts={"wage_local": "100"}
    ),
    "condition_record": lambda a, t, p: services.condition_record(
        actor=a,
        household_id=t.household_id,
        assessed_on=ON,
        food_secure=True,
        clothing_secure=True,
        housing_grade="A",
        housing_assessor="花垣县住房和城乡建设局",
        housing_assessed_on=date(2023, 10, 12),
        water=GOOD_WATER,
    ),
    # The monitoring spell, written by casework's procedures (docs/cases.md).
    "monitoring_record": lambda a, t, p: services.monitoring_record(
        actor=a,
        household_id=t.household_id,
        object_type="MARGINAL",
        risk_types=["01"],
        identified_month=date(2024, 6, 1),
    ),
    "monitoring_eliminate": lambda a, t, p: services.monitoring_eliminate(
        actor=a, household_id=t.household_id, eliminated_month=date(2024, 12, 1), mode="assisted"
    ),
    "monitoring_rollback": lambda a, t, p: services.monitoring_rollback(
        actor=a, household_id=t.household_id, reason="复核发现风险未消除"
    ),
}

#: A business rule that still refuses a write inside the scope (the access check passed).
REFUSED_INSIDE = {
    "household_cancel": "has_members",  # a household with members cannot be cancelled
    "monitoring_eliminate": "not_monitored",  # the world's households are not monitored
    "monitoring_rollback": "not_eliminated",
}

HOUSEHOLD_TARGETED = {
    s for s in WRITES if s.startswith(("household_", "finance_", "condition_", "monitoring_"))
}
HOUSEHOLD_TARGETED.add("person_add")

#: writer → (a household inside their scope, one outside)
WRITERS = {
    "cadre_tudi": ("tudi", "douwang"),
    "township_longtan": ("douwang", "minle"),
    "county_huayuan": ("minle", "luxi"),
}
NON_WRITERS = [v for v in VIEWERS if v not in WRITERS]


def _snapshot() -> dict[str, Any]:
    """Every registry row that a write could touch, and the audit events other than denials."""
    return {
        "households": sorted(Household.objects.values_list("pk", "status", "version", "address")),
        "persons": sorted(
            Person.objects.values_list("pk", "household_id", "status", "relation", "version")
        ),
        "events": MembershipEvent.objects.count(),
        "status_changes": HouseholdStatusChange.objects.count(),
        "finances": sorted(HouseholdFinance.objects.values_list("pk", "version")),
        "conditions": HouseholdCondition.objects.count(),
        "monitorings": sorted(Monitoring.objects.values_list("pk", "eliminated_month")),
        "audit": AuditEvent.objects.exclude(action="authz.denied").count(),
    }


def _denials() -> list[tuple[Any, ...]]:
    return list(
        AuditEvent.objects.filter(action="authz.denied").values_list(
            "actor_label", "result", "object_type", "changes"
        )
    )


def _refusal(call: Callable[[], Any]) -> tuple[type, str, str, str | None]:
    with pytest.raises(RegistryError) as refused:
        call()
    error = refused.value
    return type(error), error.code, error.message, error.field


#: Services that write no registry row: the audited reveals (tests/registry/test_pi_at_rest.py).
REVEALS = {"person_reveal", "household_reveal_phone"}


@pytest.fixture(scope="module")
def built_world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BuiltWorld]:
    """The registry world, built once for the module (every test but the coverage check
    uses it: rebuilt per test it cost most of the module's time)."""
    with registry_module_world(django_db_blocker, tmp_path_factory.mktemp("scope_writes")) as built:
        yield built


@pytest.fixture
def world(db: None, built_world: BuiltWorld) -> Iterator[World]:
    """The module's world, fetched anew for this test (its writes roll back after it)."""
    with world_for_test(built_world) as fresh:
        yield fresh


@pytest.fixture
def person_input(built_world: BuiltWorld) -> PersonFactory:
    """New ID numbers go on past the world's, as when the world shared the test's factory."""
    return person_input_after(built_world)


def test_every_write_service_is_in_the_scope_matrix() -> None:
    assert set(services.__all__) - REVEALS == set(WRITES)


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("service", WRITES)
def test_write_inside_the_scope_passes_the_access_check(
    world: World, person_input: PersonFactory, writer: str, service: str
) -> None:
    actor = world.viewers[writer]
    target = _target(world.households[WRITERS[writer][0]])
    try:
        WRITES[service](actor, target, person_input)
        outcome = "done"
    except RegistryError as error:
        outcome = error.code
    assert outcome == REFUSED_INSIDE.get(service, "done")
    assert _denials() == []


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("service", WRITES)
def test_write_outside_the_scope_is_refused_like_missing(
    world: World, person_input: PersonFactory, writer: str, service: str
) -> None:
    actor = world.viewers[writer]
    outside = _target(world.households[WRITERS[writer][1]])
    before = _snapshot()
    refusal = _refusal(lambda: WRITES[service](actor, outside, person_input))
    if service == "household_create":
        message = f"行政区划代码“{outside.village_code}”不存在"
        assert refusal == (RegistryError, "village", message, "village_code")
        object_type = "region"
    else:
        assert refusal == _refusal(lambda: WRITES[service](actor, MISSING_TARGET, person_input))
        assert refusal[1] == "not_found"
        object_type = "household" if service in HOUSEHOLD_TARGETED else "person"
    assert _snapshot() == before
    assert _denials() == [
        (
            writer,
            "denied",
            object_type,
            {"attempted": service, "reason": "out_of_scope"},
        )
    ]


@pytest.mark.parametrize("viewer", NON_WRITERS)
@pytest.mark.parametrize("service", WRITES)
def test_write_without_registry_edit_is_forbidden(
    world: World, person_input: PersonFactory, viewer: str, service: str
) -> None:
    actor = world.viewers[viewer]
    target = _target(world.households[min(VISIBLE[viewer] or {"tudi"})])
    before = _snapshot()
    refusal = _refusal(lambda: WRITES[service](actor, target, person_input))
    assert refusal == (RegistryError, "forbidden", "当前账号无权修改农户登记信息", None)
    assert _snapshot() == before
    assert _denials() == [
        (viewer, "denied", "registry", {"attempted": service, "reason": "capability"})
    ]


def test_none_is_not_an_actor(world: World, person_input: PersonFactory) -> None:
    before = _snapshot()
    target = _target(world.households["tudi"])
    refusal = _refusal(lambda: WRITES["household_update"](None, target, person_input))
    assert refusal[1] == "forbidden"
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("service", "call"),
    [
        (
            "person_move_out",
            lambda a, w: services.person_move_out(
                actor=a,
                person_id=member(w.households["tudi"], "张小明").pk,
                event_type="move_out",
                event_date=ON,
                to_household_id=w.households["douwang"].pk,
                new_relation="30",
            ),
        ),
        (
            "person_add",
            lambda a, w: services.person_add(
                actor=a,
                household_id=w.households["tudi"].pk,
                person=PersonInput(
                    name="迁入者",
                    id_number=idnumber.build("433124", date(1990, 1, 1), 993),
                    relation="10",
                ),
                event_type="move_in",
                event_date=ON,
                from_household_id=w.households["douwang"].pk,
            ),
        ),
    ],
)
def test_a_second_household_outside_the_scope_is_refused_too(
    world: World, service: str, call: Callable[[Any, World], Any]
) -> None:
    before = _snapshot()
    refusal = _refusal(lambda: call(world.viewers["cadre_tudi"], world))
    assert refusal == (RegistryError, "not_found", "未找到该农户", None)
    assert _snapshot() == before
    assert _denials() == [
        ("cadre_tudi", "denied", "household", {"attempted": service, "reason": "out_of_scope"})
    ]


def test_a_split_into_a_village_outside_the_scope_is_refused(world: World) -> None:
    tudi = world.households["tudi"]
    before = _snapshot()
    refusal = _refusal(
        lambda: services.household_split(
            actor=world.viewers["cadre_tudi"],
            household_id=tudi.pk,
            member_ids=[member(tudi, "李梅").pk],
            new_head_id=member(tudi, "李梅").pk,
            relations={},
            event_date=ON,
            village_code=DOUWANG,
        )
    )
    assert refusal == (RegistryError, "village", f"行政区划代码“{DOUWANG}”不存在", "village_code")
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("writer", "holder_named"), [("cadre_douwang", False), ("township_longtan", True)]
)
def test_an_id_in_use_names_the_holder_only_inside_the_scope(
    world: World, writer: str, holder_named: bool
) -> None:
    actor = make_user(writer, Role.VILLAGE_CADRE, DOUWANG) if writer == "cadre_douwang" else None
    actor = actor or world.viewers[writer]
    wife = member(world.households["tudi"], "李梅")
    refusal = _refusal(
        lambda: services.person_add(
            actor=actor,
            household_id=world.households["douwang"].pk,
            person=PersonInput(name="李梅", id_number=plain_id(wife), relation="10"),
            event_type="move_in",
            event_date=ON,
        )
    )
    masked = f"{plain_id(wife)[:6]}********{plain_id(wife)[-4:]}"
    who = (
        f"在册人员李梅（户编号{world.households['tudi'].household_number}）"
        if holder_named
        else "其他地区的在册人员"
    )
    assert refusal == (RegistryError, "id_in_use", f"证件号码{masked}已被{who}使用", "id_number")
