"""demo_plans: every monitored household of the demo village gets a matched plan and visits."""

from __future__ import annotations

from datetime import date
from typing import Any

from fangpin.assistance.demo import demo_plans
from fangpin.assistance.models import Measure, MeasureRevision, Plan, Visit
from fangpin.assistance.selectors import plan_view
from fangpin.core.models import Role
from fangpin.registry import services
from fangpin.registry.models import Household
from tests.registry.conftest import REGISTERED_ON, TUDI, make_user
from tests.registry.monitoring_helpers import add_spell

TODAY = date(2026, 12, 1)
HEADS = ["石大山", "龙秀英", "麻建国", "吴志强", "杨光华"]
CHILDREN = ["石小龙", "龙小花", "麻小兵", "吴小燕", "杨小明"]
RISKS = [
    [("01", ""), ("09", "")],
    [("06", "")],
    [("02", "0201"), ("10", "")],
    [("04", ""), ("03", "")],
    [("07", "")],
    [("11", ""), ("99", "")],
]


def _village(family: Household, person_input: Any) -> list[Household]:
    households = [family]
    for i in range(len(RISKS) - 1):
        households.append(
            services.household_create(
                actor="system:test",
                village_code=TUDI,
                household_type="2",
                head=person_input(name=HEADS[i]),
                members=[
                    person_input(name=CHILDREN[i], relation="20", birth_date=date(2012, 3, 1))
                ],
                registered_on=REGISTERED_ON,
            )
        )
    for household, risks in zip(households, RISKS, strict=True):
        add_spell(household, "MARGINAL", date(2026, 3, 1), risks=risks)
    return households


def test_demo_plans_match_risks_and_leave_a_few_warnings(
    family: Household, person_input: Any
) -> None:
    households = _village(family, person_input)
    cadre = make_user(f"village_{TUDI}", Role.VILLAGE_CADRE, TUDI)
    unmonitored = services.household_create(
        actor="system:test",
        village_code=TUDI,
        household_type="2",
        head=person_input(name="彭非监"),
        registered_on=REGISTERED_ON,
    )

    counts = demo_plans(county="433124", seed=7, today=TODAY)

    assert counts == {"households": 6, "measures": 17, "visits": 6, "warnings": 2}
    assert Plan.objects.count() == 6
    assert not Plan.objects.filter(household=unmonitored).exists()
    assert Measure.objects.count() == 17
    assert Visit.objects.count() == 6
    assert set(Measure.objects.values_list("status", flat=True)) <= {"in_progress", "done"}
    for household in households:
        view = plan_view(user=cadre, household=household, on=TODAY)
        for measure in Measure.objects.filter(plan__household=household):
            for code in measure.risk_types:
                assert code in [c for c, _name in view.risks]
    warnings = [
        w.code for h in households for w in plan_view(user=cadre, household=h, on=TODAY).warnings
    ]
    assert sorted(warnings) == ["overdue", "risk_without_measure"]


def test_demo_plans_are_deterministic_by_seed(family: Household, person_input: Any) -> None:
    _village(family, person_input)
    make_user(f"village_{TUDI}", Role.VILLAGE_CADRE, TUDI)

    demo_plans(county="433124", seed=7, today=TODAY)
    first = sorted(Measure.objects.values_list("plan__household_id", "category", "item", "amount"))
    # Test only: the app never deletes these rows.
    MeasureRevision.objects.all().delete()
    Measure.objects.all().delete()
    Visit.objects.all().delete()
    Plan.objects.all().delete()
    demo_plans(county="433124", seed=7, today=TODAY)

    assert (
        sorted(Measure.objects.values_list("plan__household_id", "category", "item", "amount"))
        == first
    )


def test_without_the_village_account_nothing_happens(family: Household) -> None:
    add_spell(family, "MARGINAL", date(2026, 3, 1))

    assert demo_plans(county="433124", seed=7, today=TODAY) == {
        "households": 0,
        "measures": 0,
        "visits": 0,
        "warnings": 0,
    }
    assert Measure.objects.count() == 0
