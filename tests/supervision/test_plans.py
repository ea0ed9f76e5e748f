"""Unannounced visit plans (plan_create): households drawn per village by the rules, never one
an earlier plan of the county visited, reproducible, inspectors only, in scope."""

from __future__ import annotations

import pytest

from fangpin.core.models import AuditEvent, User
from fangpin.registry.models import Household
from fangpin.supervision.errors import SupervisionError
from fangpin.supervision.models import InspectionPlan, PlanHousehold
from fangpin.supervision.selectors import plan_list, plan_stops
from fangpin.supervision.services import plan_create
from tests.registry.conftest import DOUWANG, TUDI, World

MINLE = "433124103201"


def test_a_plan_draws_each_village_and_a_second_plan_never_revisits(world: World) -> None:
    planner = _planner(world)

    first = plan_create(
        actor=planner,
        name="2026年第1轮暗访",
        village_codes=[TUDI, DOUWANG],
        seed="s1",
        registered_per_village=1,
        others_per_village=0,
    )
    second = plan_create(
        actor=planner,
        name="2026年第2轮暗访",
        village_codes=[TUDI, DOUWANG],
        seed="s2",
        registered_per_village=5,
        others_per_village=5,
    )

    first_ids = set(PlanHousehold.objects.filter(plan=first).values_list("household_id", flat=True))
    second_ids = set(
        PlanHousehold.objects.filter(plan=second).values_list("household_id", flat=True)
    )
    in_villages = set(
        Household.objects.filter(village_id__in=[TUDI, DOUWANG], status="active").values_list(
            "pk", flat=True
        )
    )
    assert len(first_ids) == 2  # one a village
    assert first_ids | second_ids == in_villages
    assert not first_ids & second_ids
    assert first.county_id == "433124000000"
    assert second.shortfall  # the villages have fewer households than asked: reported
    stops = plan_stops(first)
    assert [s.village_code for s in stops] == [TUDI, DOUWANG]
    assert all(s.head_name for s in stops)
    event = AuditEvent.objects.filter(action="inspection_plan.create").first()
    assert event is not None
    assert event.changes["households"] == 2


def test_the_same_seed_draws_the_same_households(world: World) -> None:
    planner = _planner(world)
    a = plan_create(
        actor=planner,
        name="甲",
        village_codes=[TUDI],
        seed="same",
        registered_per_village=1,
        others_per_village=0,
    )
    PlanHousehold.objects.filter(plan=a).delete()  # forget the visit: draw again
    b = plan_create(
        actor=planner,
        name="乙",
        village_codes=[TUDI],
        seed="same",
        registered_per_village=1,
        others_per_village=0,
    )

    assert a.seed == b.seed == "same"
    assert PlanHousehold.objects.filter(plan=b).count() == 1


def test_only_inspectors_in_scope_and_one_county(world: World) -> None:
    planner = _planner(world)
    refusals = []
    for actor, kwargs in [
        (world.viewers["county_huayuan"], {"village_codes": [TUDI]}),  # no findings.write
        (planner, {"village_codes": []}),
        (planner, {"village_codes": [TUDI], "name": " "}),
        (planner, {"village_codes": ["433122100201"]}),  # 泸溪县 (outside the scope)
        (planner, {"village_codes": ["433124102000"]}),  # a township, not a village
        (planner, {"village_codes": [TUDI], "registered_per_village": -1}),
    ]:
        with pytest.raises(SupervisionError) as caught:
            plan_create(actor=actor, **{"name": "暗访", **kwargs})
        refusals.append(caught.value.code)

    assert refusals == ["forbidden", "plan", "plan", "region", "region", "plan"]
    assert InspectionPlan.objects.count() == 0


def test_plans_are_visible_to_inspectors_only(world: World) -> None:
    planner = _planner(world)
    plan_create(
        actor=planner,
        name="暗访",
        village_codes=[TUDI],
        registered_per_village=1,
        others_per_village=1,
    )

    assert plan_list(user=planner).count() == 1
    assert plan_list(user=world.viewers["cadre_tudi"]).count() == 0
    assert plan_list(user=world.viewers["county_huayuan"]).count() == 0
    assert plan_list(user=world.viewers["inspector_luxi"]).count() == 0


def _planner(world: World) -> User:
    from fangpin.core.models import Role
    from tests.registry.conftest import HUAYUAN_COUNTY, make_user

    return make_user("inspector_huayuan", Role.INSPECTOR, HUAYUAN_COUNTY)


def test_a_county_planner_may_have_villages_drawn_too(world: World) -> None:
    import random

    from fangpin.core.models import Region

    planner = _planner(world)

    plan_create(actor=planner, name="随机抽村", village_codes=[], village_count=2, seed="v")

    pool = sorted(
        Region.objects.filter(code__startswith="433124", level=5).values_list("code", flat=True)
    )
    event = AuditEvent.objects.get(action="inspection_plan.create")
    assert len(pool) >= 3
    assert event.changes["villages"] == sorted(random.Random("v:villages").sample(pool, 2))
    with pytest.raises(SupervisionError) as caught:
        plan_create(actor="system:test", name="x", village_codes=[], village_count=2)
    assert caught.value.message == "随机抽村只适用于县级账号，请直接选择要暗访的村"
