"""The demo's step ⑫ on the small test county: every status, an overdue problem, audited."""

from __future__ import annotations

from fangpin.core.models import AuditEvent, Role, User
from fangpin.supervision.demo import demo_problems
from fangpin.supervision.models import Problem
from tests.registry.conftest import HUAYUAN_COUNTY, TUDI, make_user


def test_the_demo_problems_show_every_status(tudi_cadre: User, family: object) -> None:
    make_user("inspector_433124", Role.INSPECTOR, HUAYUAN_COUNTY)

    counts = demo_problems(county="433124")

    assert counts == {
        "recorded": 4,
        "closed": 1,
        "returned": 1,
        "in_progress": 1,
        "open": 1,
        "plan_households": 1,  # the one household of 土地村 here: drawn, the shortfall noted
        "listing_targets": 3,
        "listing_done": 1,
    }
    assert sorted(Problem.objects.values_list("dimension", "status")) == [
        ("files", "in_progress"),
        ("housing", "closed"),
        ("measures", "open"),
        ("water", "returned"),
    ]
    assert set(Problem.objects.values_list("region_id", flat=True)) == {TUDI}
    housing = Problem.objects.get(dimension="housing")
    assert (housing.fixed_by, housing.closed_by) == ("cadre_tudi", "inspector_433124")
    assert list(housing.households.values_list("pk", flat=True)) == [family.pk]  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(action__startswith="problem.").count() == 4 + 6
    assert AuditEvent.objects.filter(action__startswith="listing.").count() == 2


def test_without_an_inspector_the_step_is_skipped(tudi_cadre: User) -> None:
    assert demo_problems(county="433124") == {}
    assert Problem.objects.count() == 0
