"""Fixtures for the dashboard tests: the evaluation tests' small 花垣县 (two townships, five
villages, twenty households; 土地村 and 豆旺村 each have one monitored household, 豆旺村 one
whose risk is eliminated) plus the work around it — clues, cases, a plan with measures, visits
and ledger problems — written straight into the tables (the services have their own tests).

Figures are counted as of :data:`AS_OF`, 2025-01-20.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from fangpin.assistance.models import Measure, Plan, Visit
from fangpin.casework.models import Case, Clue
from fangpin.core.models import Region
from fangpin.registry.models import Monitoring
from fangpin.supervision.models import Problem
from tests.evaluation import conftest as evaluation
from tests.evaluation.conftest import (
    DOUWANG,
    HUAYUAN,
    LONGMEN,
    LONGTAN,
    MINLE,
    MINLE_TOWN,
    TUDI,
    World,
)

regions = evaluation.regions  # the evaluation tests' fixtures, shared
world = evaluation.world
__all__ = ["DOUWANG", "HUAYUAN", "LONGMEN", "LONGTAN", "MINLE", "MINLE_TOWN", "TUDI", "World"]

AS_OF = date(2025, 1, 20)


def _clue(world: World, key: str, *, status: str, deadline: date) -> Clue:
    household = world.households[key]
    return Clue.objects.create(
        household=household,
        village_code=household.village_id,
        channel="sweep",
        received_on=date(2025, 1, 2),
        verify_deadline=deadline,
        status=status,
        outcome="confirmed" if status == "verified" else "",
    )


def _case(world: World, key: str, *, kind: str, step: str, due: date, is_open: bool = True) -> Case:
    household = world.households[key]
    return Case.objects.create(
        household=household,
        village_code=household.village_id,
        kind=kind,
        step=step,
        is_open=is_open,
        opened_on=date(2025, 1, 3),
        edition_id="cn-2024",
        due_on=due,
    )


def _problem(region: str, *, status: str, deadline: date) -> Problem:
    return Problem.objects.create(
        source="inspection",
        found_on=date(2024, 12, 1),
        region=Region.objects.get(code=region),
        dimension="measures",
        description="帮扶措施未落实",
        lead_unit="花垣县乡村振兴局",
        deadline=deadline,
        status=status,
        created_by_label="system:test",
        **(
            {"fixed_by": "cadre", "closed_by": "inspector", "closed_on": date(2024, 12, 20)}
            if status == "closed"
            else {}
        ),
    )


@pytest.fixture
def work(world: World) -> dict[str, Any]:
    """The world plus its work in progress (see the module docstring for the figures)."""
    # Clues: 土地村 two pending (one past its deadline), 龙门村 one verified.
    _clue(world, "tudi_b", status="pending", deadline=date(2025, 1, 10))
    _clue(world, "tudi_c", status="pending", deadline=date(2025, 2, 10))
    _clue(world, "longmen_a", status="verified", deadline=date(2025, 1, 10))
    # Cases: an identification at the township review, overdue; an open elimination in time;
    # a closed one (not counted).
    _case(world, "tudi_b", kind="identification", step="notice_posted", due=date(2025, 1, 15))
    _case(
        world, "douwang_d", kind="elimination", step="elimination_appraised", due=date(2025, 2, 28)
    )
    _case(
        world,
        "minle_a",
        kind="identification",
        step="recorded",
        due=date(2025, 1, 1),
        is_open=False,
    )
    # A plan for 土地村's monitored household: two running measures (education, employment)
    # and a stopped one; visited on 2025-01-05 (within 30 days of AS_OF).
    tudi = world.households["tudi_a"]
    plan = Plan.objects.create(household=tudi, monitoring=Monitoring.objects.get(household=tudi))
    for category, status in (
        ("COMPULSORY_EDUCATION", "in_progress"),
        ("EMPLOYMENT", "planned"),
        ("INDUSTRY", "stopped"),
    ):
        Measure.objects.create(
            plan=plan,
            category=category,
            item="帮扶",
            responsible_department="花垣县教育局",
            responsible_person="龙干部",
            start_date=date(2024, 3, 1),
            status=status,
            stopped_on=date(2024, 9, 1) if status == "stopped" else None,
        )
    Visit.objects.create(household=tudi, visited_on=date(2025, 1, 5), visitor_label="cadre_tudi")
    Visit.objects.create(household=tudi, visited_on=date(2024, 11, 5), visitor_label="cadre_tudi")
    # 豆旺村's monitored household was last visited long ago.
    Visit.objects.create(
        household=world.households["douwang_d"], visited_on=date(2024, 10, 1), visitor_label="x"
    )
    # Ledger: one open problem of 龙潭镇 past its deadline, one closed of 民乐村, one open of
    # the county itself in time.
    _problem(LONGTAN, status="open", deadline=date(2025, 1, 1))
    _problem(MINLE, status="closed", deadline=date(2025, 1, 1))
    _problem(HUAYUAN, status="open", deadline=date(2025, 3, 1))
    return {"world": world}
