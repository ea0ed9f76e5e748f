"""Reading the ledger (fangpin.supervision.selectors): scope, filters, overdue and 清零."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from fangpin.core.access import SYSTEM
from fangpin.core.models import User
from fangpin.supervision.models import Problem
from fangpin.supervision.selectors import problem_get, problem_list, problem_tally
from tests.registry.conftest import DOUWANG, TUDI
from tests.supervision.test_services import decide, record

TODAY = date(2026, 4, 15)
LONGTAN = "433124102000"


def world(inspector: User, cadre: User) -> dict[str, Any]:
    late = record(inspector)  # 土地村 housing, deadline 2026-03-22: overdue
    water = record(inspector, dimension="water", deadline=date(2026, 5, 1))
    douwang = record(inspector, region_code=DOUWANG, source="complaint")
    closed = record(inspector, dimension="water", source="self_check")
    decide(cadre, closed, "report_fixed", note="已接通自来水", evidence=["照片"])
    decide(inspector, closed, "close", on=date(2026, 4, 2), note="入户核实")
    return {"late": late, "water": water, "douwang": douwang, "closed": closed}


def numbers(rows: Any) -> list[Any]:
    return [r.public_id for r in rows]


def test_scope_filters_and_overdue(inspector: User, tudi_cadre: User, douwang_cadre: User) -> None:
    p = world(inspector, tudi_cadre)

    assert numbers(problem_list(user=tudi_cadre, today=TODAY)) == [
        p["late"].public_id,
        p["closed"].public_id,
        p["water"].public_id,
    ]
    assert numbers(problem_list(user=douwang_cadre, today=TODAY)) == [p["douwang"].public_id]
    assert len(problem_list(user=inspector, today=TODAY)) == 4
    assert numbers(problem_list(user=inspector, today=TODAY, overdue=True)) == [
        p["late"].public_id,
        p["douwang"].public_id,
    ]
    assert numbers(problem_list(user=inspector, today=TODAY, dimension="water", status="open")) == [
        p["water"].public_id
    ]
    assert numbers(problem_list(user=inspector, today=TODAY, source="complaint")) == [
        p["douwang"].public_id
    ]
    assert len(problem_list(user=SYSTEM, today=TODAY, region_prefix=TUDI)) == 3


def test_another_villages_problem_looks_missing(
    inspector: User, tudi_cadre: User, douwang_cadre: User
) -> None:
    p = world(inspector, tudi_cadre)

    assert problem_get(user=tudi_cadre, public_id=p["late"].public_id) == p["late"]
    for user, key in ((douwang_cadre, p["late"].public_id), (tudi_cadre, "not-a-uuid")):
        with pytest.raises(Problem.DoesNotExist):
            problem_get(user=user, public_id=key)


def test_the_zeroing_tally_by_village_dimension_and_source(
    inspector: User, tudi_cadre: User
) -> None:
    world(inspector, tudi_cadre)

    by_village = problem_tally(user=inspector, today=TODAY, level=5, by_source=False)
    cells = {
        key: (t.total, t.open, t.overdue, t.closed, t.closed_this_month, t.zeroed)
        for key, t in by_village.items()
    }
    assert cells == {
        (TUDI, "housing"): (1, 1, 1, 0, 0, False),
        (TUDI, "water"): (2, 1, 0, 1, 1, False),
        (DOUWANG, "housing"): (1, 1, 1, 0, 0, False),
    }
    township = problem_tally(
        user=inspector, today=TODAY, level=4, by_dimension=False, by_source=False
    )
    t = township[(LONGTAN,)]
    assert (t.total, t.open, t.overdue, t.closed) == (4, 3, 2, 1)


def test_the_list_filters_by_the_recorded_escalation(inspector: User, tudi_cadre: User) -> None:
    from fangpin.supervision.services import problems_escalate

    p = world(inspector, tudi_cadre)
    problems_escalate(actor="system:housekeeping", today=TODAY)  # 24 days late: 县级督办

    county = problem_list(user=inspector, today=TODAY, escalation="county")

    assert sorted(numbers(county)) == sorted([p["late"].public_id, p["douwang"].public_id])
    assert numbers(problem_list(user=inspector, today=TODAY, escalation="discipline")) == []
