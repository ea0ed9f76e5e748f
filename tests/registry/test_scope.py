"""Region scope in the selectors: out of scope is exactly like missing, for every role.

Each detail selector is probed for every viewer and every household: inside the viewer's scope
it answers what the system itself sees; outside, exactly what it answers for an id that does
not exist. List selectors return the rows of the households in scope and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

from fangpin.core.scope import SYSTEM
from fangpin.registry import selectors, services
from fangpin.registry.models import (
    Household,
    HouseholdCondition,
    HouseholdFinance,
    HouseholdStatusChange,
    MembershipEvent,
    Monitoring,
    Person,
)
from tests.module_world import (
    BuiltWorld,
    person_input_after,
    registry_module_world,
    world_for_test,
)
from tests.registry.conftest import (
    SYSTEM_ACTOR,
    VIEWERS,
    VISIBLE,
    PersonFactory,
    World,
    member,
    plain_id,
)
from tests.registry.monitoring_helpers import add_spell

MISSING = 999_999
UNHELD_ID = "433124199001010012"
ON = date(2024, 6, 1)


def _or_missing(call: Callable[[], Any], *errors: type[Exception]) -> Any:
    try:
        return call()
    except errors:
        return "DoesNotExist"


def _head_id(household_id: int) -> int:
    head = Person.objects.filter(household_id=household_id, relation="01").first()
    return head.pk if head else MISSING


def _head_id_number(household_id: int) -> str:
    head = Person.objects.filter(household_id=household_id, relation="01").first()
    return plain_id(head) if head else UNHELD_ID


#: selector → probe(viewer, household id) giving a plain, comparable value
DETAIL: dict[str, Callable[[Any, int], Any]] = {
    "household_get": lambda u, h: _or_missing(
        lambda: selectors.household_get(user=u, household_id=h).household_number,
        Household.DoesNotExist,
    ),
    "household_members": lambda u, h: [
        p.name for p in selectors.household_members(user=u, household_id=h, include_inactive=True)
    ],
    "household_head": lambda u, h: getattr(
        selectors.household_head(user=u, household_id=h), "name", None
    ),
    "household_finance": lambda u, h: getattr(
        selectors.household_finance(user=u, household_id=h, year=2023), "net_income", None
    ),
    "household_current_condition": lambda u, h: getattr(
        selectors.household_current_condition(user=u, household_id=h), "assessed_on", None
    ),
    "household_checklist": lambda u, h: _or_missing(
        lambda: selectors.household_checklist(user=u, household_id=h, on=ON),
        Household.DoesNotExist,
    ),
    "household_timeline": lambda u, h: [
        (e.kind, e.code, e.person_name)
        for e in selectors.household_timeline(user=u, household_id=h)
    ],
    "person_get": lambda u, h: _or_missing(
        lambda: selectors.person_get(user=u, person_id=_head_id(h)).name, Person.DoesNotExist
    ),
    "person_find_by_id_number": lambda u, h: getattr(
        selectors.person_find_by_id_number(user=u, id_number=_head_id_number(h)), "name", None
    ),
    "household_monitorings": lambda u, h: _or_missing(
        lambda: [m.object_type for m in selectors.household_monitorings(user=u, household_id=h)],
        Household.DoesNotExist,
    ),
}

#: list selector → the household numbers of the rows it returns for a viewer
LISTS: dict[str, Callable[[Any], set[str]]] = {
    "household_list": lambda u: {h.household_number for h in selectors.household_list(user=u)},
    "person_list": lambda u: {p.household.household_number for p in selectors.person_list(user=u)},
    "finance_list": lambda u: {
        f.household.household_number for f in selectors.finance_list(user=u)
    },
    "condition_list": lambda u: {
        c.household.household_number for c in selectors.condition_list(user=u)
    },
    "membership_event_list": lambda u: {
        e.household.household_number for e in selectors.membership_event_list(user=u)
    },
    "status_change_list": lambda u: {
        s.household.household_number for s in selectors.status_change_list(user=u)
    },
    "monitoring_list": lambda u: {
        m.household.household_number for m in selectors.monitoring_list(user=u)
    },
}

#: list selector → the model it lists (its rows must all be reachable by SYSTEM)
LIST_MODELS = {
    "household_list": Household,
    "person_list": Person,
    "finance_list": HouseholdFinance,
    "condition_list": HouseholdCondition,
    "membership_event_list": MembershipEvent,
    "status_change_list": HouseholdStatusChange,
    "monitoring_list": Monitoring,
}


@pytest.fixture(scope="module")
def built_world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BuiltWorld]:
    """The registry world, built once for the module (every test but the coverage check
    uses it: rebuilt per test it cost most of the module's time)."""
    with registry_module_world(
        django_db_blocker, tmp_path_factory.mktemp("registry_scope")
    ) as built:
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


@pytest.fixture(autouse=True)
def _one_spell_per_household(request: pytest.FixtureRequest) -> None:
    """Give every household of the world a monitoring spell, so the monitoring selectors'
    probes have rows to find (the world itself has none)."""
    if "world" not in request.fixturenames:
        return
    world: World = request.getfixturevalue("world")
    for household in world.households.values():
        add_spell(household, "UNSTABLE", date(2024, 3, 1))


# active_household_counts returns numbers, not rows: its scope test is the one below.
NOT_SELECTORS = {
    "Checklist",
    "TimelineEntry",
    "OUTSIDE_SCOPE",
    "related_household_label",
    "active_household_counts",
}


def test_every_selector_is_in_the_scope_matrix() -> None:
    assert set(selectors.__all__) - NOT_SELECTORS == set(DETAIL) | set(LISTS)


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("selector", DETAIL)
def test_detail_selector_outside_the_scope_is_exactly_like_missing(
    world: World, selector: str, viewer: str
) -> None:
    probe = DETAIL[selector]
    user = world.viewers[viewer]
    missing = probe(SYSTEM, MISSING)
    assert probe(user, MISSING) == missing
    for key, household in world.households.items():
        seen_by_system = probe(SYSTEM, household.pk)
        assert seen_by_system != missing, (selector, key)  # the probe has teeth
        expected = seen_by_system if key in VISIBLE[viewer] else missing
        assert probe(user, household.pk) == expected, (selector, viewer, key)


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("selector", LISTS)
def test_list_selector_returns_the_households_in_scope_only(
    world: World, selector: str, viewer: str
) -> None:
    assert LISTS[selector](SYSTEM) == world.numbers(set(world.households))
    assert LIST_MODELS[selector].objects.count() == len(
        list(getattr(selectors, selector)(user=SYSTEM))
    )
    assert LISTS[selector](world.viewers[viewer]) == world.numbers(VISIBLE[viewer])


@pytest.mark.parametrize("viewer", VIEWERS)
def test_household_list_search_and_prefix_never_widen_the_scope(world: World, viewer: str) -> None:
    user = world.viewers[viewer]
    by_number = {h.household_number for h in selectors.household_list(user=user, search="43312")}
    by_prefix = {
        h.household_number for h in selectors.household_list(user=user, village_prefix="43")
    }
    luxi_head = plain_id(member(world.households["luxi"], "向东"))
    by_id = {h.household_number for h in selectors.household_list(user=user, search=luxi_head)}
    assert by_number == by_prefix == world.numbers(VISIBLE[viewer])
    assert by_id == world.numbers(VISIBLE[viewer] & {"luxi"})


def test_none_is_not_a_viewer(world: World) -> None:
    """``user=None`` never means "everything": it is an account without capabilities."""
    assert list(selectors.household_list(user=None)) == []
    with pytest.raises(Household.DoesNotExist):
        selectors.household_get(user=None, household_id=world.households["tudi"].pk)


def test_an_inactive_account_sees_nothing(world: World) -> None:
    county = world.viewers["county_huayuan"]
    county.is_active = False
    assert list(selectors.household_list(user=county)) == []


def test_a_related_household_outside_the_scope_is_not_named(
    world: World, person_input: PersonFactory
) -> None:
    """A member who moved from 豆旺村 to 土地村: 土地村's cadre sees the move, not the number."""
    tudi, douwang = world.households["tudi"], world.households["douwang"]
    services.person_move_out(
        actor=SYSTEM_ACTOR,
        person_id=member(douwang, "王小虎").pk,
        event_type="move_out",
        event_date=date(2024, 5, 2),
        to_household_id=tudi.pk,
        new_relation="30",
    )

    def arrivals(viewer: str) -> list[str]:
        timeline = selectors.household_timeline(user=world.viewers[viewer], household_id=tudi.pk)
        return [e.related_household_number for e in timeline if e.code == "move_in"]

    assert arrivals("cadre_tudi") == [selectors.OUTSIDE_SCOPE]
    assert arrivals("township_longtan") == [douwang.household_number]
    assert [
        selectors.related_household_label(e)
        for e in selectors.membership_event_list(user=SYSTEM).filter(event_type="move_in")
    ] == [douwang.household_number]


def test_a_scoped_page_costs_one_query(world: World, django_assert_num_queries: Any) -> None:
    """The household page of a village cadre costs one query, like the system's."""
    user = world.viewers["cadre_tudi"]
    with django_assert_num_queries(1):
        rows = [(h.household_number, h.member_count) for h in selectors.household_list(user=user)]
    assert rows == [(world.households["tudi"].household_number, 3)]


@pytest.mark.parametrize("viewer", VIEWERS)
def test_active_household_counts_count_the_scope_only(world: World, viewer: str) -> None:
    counts = selectors.active_household_counts(user=world.viewers[viewer], width=9)

    expected: dict[str, int] = {}
    for key in VISIBLE[viewer]:
        child = world.households[key].village_id[:9]
        expected[child] = expected.get(child, 0) + 1
    assert counts == expected
