"""Risk elimination: proposal → verification → appraisal → notice → township review → county
approval guarded by facts read from the database on the approval's day; rollback; re-opening.

The household (土地村, 张三's, three members with labour) has a spell identified in March 2026
for 因病 (01). Dates are in November 2026: notice posted Wednesday 11-04 ends Tuesday 11-10.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from fangpin.assistance.services import MeasureInput, measure_create
from fangpin.casework.cases import case_decide, rules_for
from fangpin.casework.elimination import elimination_check, elimination_open, household_facts
from fangpin.casework.errors import CaseworkError
from fangpin.casework.models import Case, Clue
from fangpin.casework.services import clue_record, clue_verify
from fangpin.core.models import AuditEvent, Role, User
from fangpin.procedure import Approve, EliminationStep, PostNotice, Rollback, Submit
from fangpin.registry import services as registry
from fangpin.registry.models import Household, Monitoring
from tests.casework.conftest import World
from tests.registry.conftest import LONGTAN_TOWNSHIP, make_user

_E = EliminationStep
SYSTEM = "system:test"


@pytest.fixture
def monitored(world: World) -> Household:
    household = world.households["tudi"]
    registry.monitoring_record(
        actor=SYSTEM,
        household_id=household.pk,
        object_type="MARGINAL",
        risk_types=["01"],
        identified_month=date(2026, 3, 1),
    )
    registry.finance_upsert(
        actor=SYSTEM, household_id=household.pk, year=2026, amounts={"wage_local": "30000"}
    )
    household.refresh_from_db()
    return household


def _measure(household: Household, status: str = "in_progress") -> None:
    measure_create(
        actor=SYSTEM,
        household_id=household.pk,
        values=MeasureInput(
            category="HEALTH",
            item="大病专项救治、医疗救助",
            responsible_department="花垣县医疗保障局",
            responsible_person="石支书",
            start_date=date(2026, 4, 1),
            status=status,
            risk_types=["01"],
        ),
        today=date(2026, 4, 1),
    )


@pytest.fixture
def people(world: World) -> dict[str, User]:
    return {
        **world.viewers,
        "township_longtan2": make_user(
            "township_longtan2", Role.TOWNSHIP_REVIEWER, LONGTAN_TOWNSHIP
        ),
    }


def _to_review(case: Case, people: dict[str, User]) -> Case:
    cadre = people["cadre_tudi"]
    for action, on in [
        (Submit(_E.VERIFIED, "入户核实"), date(2026, 11, 3)),
        (Submit(_E.APPRAISED, "评议同意"), date(2026, 11, 3)),
        (PostNotice(date(2026, 11, 4)), date(2026, 11, 4)),
    ]:
        case = case_decide(
            actor=cadre, case=case, action=action, expected_version=case.version, on=on
        )
    return case_decide(
        actor=people["township_longtan2"],
        case=case,
        action=Approve(_E.TOWNSHIP_REVIEWED),
        expected_version=case.version,
        on=date(2026, 11, 11),
    )


def state() -> dict[str, Any]:
    return {
        "cases": sorted(Case.objects.values_list("id", "step", "version", "is_open")),
        "spells": sorted(
            Monitoring.objects.values_list("id", "eliminated_month", "elimination_mode")
        ),
        "households": sorted(Household.objects.values_list("id", "monitoring_status")),
        "audit": AuditEvent.objects.count(),
    }


def test_the_facts_are_read_from_the_database(monitored: Household) -> None:
    _measure(monitored)
    rules = rules_for(monitored.village_id, date(2026, 11, 12))

    facts = household_facts(monitored, date(2026, 11, 12), rules)

    assert facts.identified_month == date(2026, 3, 1)
    assert facts.risk_types == ("ILLNESS",)
    assert dict(facts.measures) == {"ILLNESS": ("HEALTH",)}
    assert facts.months_income_above_line == 12  # 2026: 10,000 a person ≥ 7,600
    assert (facts.three_guarantees_secured, facts.water_secured) == (True, True)
    assert (facts.has_new_risk, facts.has_labour) == (False, True)


def test_a_pending_clue_is_a_new_risk(world: World, monitored: Household) -> None:
    clue_record(
        actor=world.viewers["cadre_tudi"], household=monitored, channel="sweep", note="又住院"
    )
    rules = rules_for(monitored.village_id, date(2026, 11, 12))
    assert household_facts(monitored, date(2026, 11, 12), rules).has_new_risk is True


def test_the_whole_elimination_ends_the_spell_and_a_rollback_reopens_it(
    people: dict[str, User], monitored: Household
) -> None:
    _measure(monitored)
    case = elimination_open(
        actor=people["cadre_tudi"], household=monitored, on=date(2026, 11, 2), summary="收入稳定"
    )
    assert (case.kind, case.step, case.pending_level, case.risk_types) == (
        "elimination",
        "elimination_proposed",
        5,
        ["ILLNESS"],
    )
    case = _to_review(case, people)
    county = people["county_huayuan"]

    case = case_decide(
        actor=county,
        case=case,
        action=Approve(_E.ELIMINATED, "稳定消除"),
        expected_version=case.version,
        on=date(2026, 11, 12),
    )

    assert (case.step, case.method, case.is_open, case.version) == (
        "eliminated",
        "assisted",
        False,
        6,
    )
    spell = Monitoring.objects.get(household=monitored)
    assert (spell.eliminated_month, spell.elimination_mode) == (date(2026, 11, 1), "assisted")
    monitored.refresh_from_db()
    assert monitored.monitoring_status == "eliminated"

    case = case_decide(
        actor=county,
        case=case,
        action=Rollback("复核发现医疗费用仍较高，风险未稳定消除"),
        expected_version=case.version,
        on=date(2026, 11, 20),
    )

    assert case.step == "elimination_rolled_back"
    spell.refresh_from_db()
    assert (spell.eliminated_month, spell.elimination_mode) == (None, "")
    monitored.refresh_from_db()
    assert monitored.monitoring_status == "open"


def test_a_guard_that_fails_refuses_the_approval_in_chinese(
    people: dict[str, User], monitored: Household
) -> None:
    _measure(monitored, status="planned")  # planned, not yet in place
    case = _to_review(
        elimination_open(actor=people["cadre_tudi"], household=monitored, on=date(2026, 11, 2)),
        people,
    )
    before = state()

    with pytest.raises(CaseworkError) as refused:
        case_decide(
            actor=people["county_huayuan"],
            case=case,
            action=Approve(_E.ELIMINATED),
            expected_version=case.version,
            on=date(2026, 11, 12),
        )

    assert refused.value.code == "guard_failed"
    assert refused.value.message == "风险消除条件未满足：因病风险尚无对应帮扶措施"
    assert state() == before


def test_the_check_explains_every_guard(monitored: Household) -> None:
    _measure(monitored)
    results = elimination_check(monitored, date(2026, 11, 12))
    assert all(r.passed for r in results)
    assert [r.code for r in results][:2] == ["months_since_identification", "measures_for_risk"]


def test_only_a_monitored_household_can_be_proposed(world: World) -> None:
    before = state()
    with pytest.raises(CaseworkError) as refused:
        elimination_open(actor=world.viewers["cadre_tudi"], household=world.households["tudi"])
    assert (refused.value.code, refused.value.message) == (
        "not_monitored",
        "该户不是在监测中的监测对象，不能提出风险消除",
    )
    assert state() == before


def test_a_new_risk_after_elimination_reopens_identification(
    people: dict[str, User], monitored: Household
) -> None:
    _measure(monitored)
    case = _to_review(
        elimination_open(actor=people["cadre_tudi"], household=monitored, on=date(2026, 11, 2)),
        people,
    )
    eliminated = case_decide(
        actor=people["county_huayuan"],
        case=case,
        action=Approve(_E.ELIMINATED),
        expected_version=case.version,
        on=date(2026, 11, 12),
    )
    cadre = people["cadre_tudi"]
    clue = clue_record(
        actor=cadre,
        household=monitored,
        channel="hotline",
        note="户主突发重病",
        received_on=date(2026, 11, 23),
    )

    clue_verify(
        actor=cadre, clue=clue, outcomes={}, outcome="confirmed", note="", expected_version=1
    )

    reopened = Case.objects.get(household=monitored, kind="identification")
    assert (reopened.step, reopened.reopens_id, reopened.opened_on) == (
        "clue_received",
        eliminated.pk,
        date(2026, 11, 23),
    )
    assert Clue.objects.get(pk=clue.pk).case_id == reopened.pk


def test_a_measure_recorded_today_counts_for_a_decision_entered_for_an_earlier_day(
    monitored: Household,
) -> None:
    measure_create(
        actor=SYSTEM,
        household_id=monitored.pk,
        values=MeasureInput(
            category="HEALTH",
            item="医疗救助",
            responsible_department="花垣县医疗保障局",
            responsible_person="石支书",
            start_date=date(2026, 4, 1),
            status="in_progress",
            risk_types=["01"],
        ),
    )  # recorded today, started in April
    rules = rules_for(monitored.village_id, date(2026, 11, 12))
    assert dict(household_facts(monitored, date(2026, 11, 12), rules).measures) == {
        "ILLNESS": ("HEALTH",)
    }
    # One that starts only after the decision's day does not count on it.
    assert dict(household_facts(monitored, date(2026, 3, 31), rules).measures) == {"ILLNESS": ()}
