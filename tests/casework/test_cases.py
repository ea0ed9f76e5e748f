"""Stored cases: the identification procedure from a clue to a monitoring object.

Dates are fixed in November 2026 (the calendar covers 2026): the notice posted on Monday
2026-11-09 runs five working days, to Friday 11-13; the county approves on Monday 11-16.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from fangpin.casework import cases
from fangpin.casework.cases import case_decide, case_open, table_risk_code
from fangpin.casework.errors import CaseworkError
from fangpin.casework.models import Case, CaseObjection, CaseTransition, Clue, ClueStatus
from fangpin.casework.services import clue_verify
from fangpin.core.models import AuditEvent, Role, User
from fangpin.policy import resolve
from fangpin.procedure import (
    Approve,
    IdentificationStep,
    PostNotice,
    ProcedureRules,
    RecordObject,
    RecordObjection,
    Reject,
    ResolveObjection,
    Submit,
)
from fangpin.registry.models import Household, Monitoring
from tests.casework.conftest import World, make_clue, make_run, make_warning, signed
from tests.registry.conftest import DOUWANG, LONGTAN_TOWNSHIP, make_user

_I = IdentificationStep
OPENED = date(2026, 11, 2)


def state() -> dict[str, Any]:
    """Everything a decision may change, for "nothing changed" checks."""
    return {
        "cases": sorted(Case.objects.values_list("id", "step", "version", "is_open", "notice_end")),
        "transitions": CaseTransition.objects.count(),
        "objections": sorted(CaseObjection.objects.values_list("id", "result")),
        "audit": AuditEvent.objects.filter(action__startswith="case.").count(),
        "spells": Monitoring.objects.count(),
        "households": sorted(Household.objects.values_list("id", "monitoring_status", "version")),
    }


@pytest.fixture
def people(world: World) -> dict[str, User]:
    """The world's viewers plus a second township reviewer of 龙潭镇 (the one who records the
    data comparison may not also review the dossier) and the cadre of 豆旺村."""
    return {
        **world.viewers,
        "township_longtan2": make_user(
            "township_longtan2", Role.TOWNSHIP_REVIEWER, LONGTAN_TOWNSHIP
        ),
        "cadre_douwang": make_user("cadre_douwang", Role.VILLAGE_CADRE, DOUWANG),
    }


@pytest.fixture
def opened(world: World, people: dict[str, User]) -> Case:
    return case_open(
        actor=people["cadre_tudi"],
        household=world.households["tudi"],
        on=OPENED,
        summary="走访发现",
    )


def step(case: Case, user: User, action: Any, on: date, **kwargs: Any) -> Case:
    return case_decide(
        actor=user, case=case, action=action, expected_version=case.version, on=on, **kwargs
    )


def to_notice(case: Case, people: dict[str, User]) -> Case:
    """verified → authorised → data compared → appraised → notice 11-09…11-13."""
    cadre, township = people["cadre_tudi"], people["township_longtan"]
    case = step(case, cadre, Submit(_I.VERIFIED, "信息采集表已填"), date(2026, 11, 3))
    case = step(
        case,
        cadre,
        Submit(_I.AUTHORISED, "承诺授权书已签字"),
        date(2026, 11, 4),
        documents=signed(),
    )
    case = step(case, township, Submit(_I.DATA_COMPARED, "无车辆、无工商登记"), date(2026, 11, 5))
    case = step(
        case,
        cadre,
        Submit(_I.APPRAISED, "评议通过"),
        date(2026, 11, 6),
        details={
            "participants": "村两委、党员代表、村民代表共15人",
            "minutes": "同意纳入",
            "proposed_type": "MARGINAL",
            "proposed_risks": "ILLNESS",
        },
    )
    return step(case, cadre, PostNotice(date(2026, 11, 9)), date(2026, 11, 9))


def test_an_opened_case_waits_for_the_village_with_its_time_limits(opened: Case) -> None:
    # 7 and 10 working days (the example county's edition) after Monday 2026-11-02.
    assert (
        opened.step,
        opened.version,
        opened.pending_level,
        opened.verify_due,
        opened.due_on,
        opened.is_open,
    ) == ("clue_received", 1, 5, date(2026, 11, 11), date(2026, 11, 16), True)


def test_the_whole_identification_records_a_monitoring_object(
    world: World, people: dict[str, User], opened: Case
) -> None:
    case = to_notice(opened, people)
    assert case.pending_level == 4  # the township reviews the village's dossier
    assert (case.step, case.notice_start, case.notice_end) == (
        "notice_posted",
        date(2026, 11, 9),
        date(2026, 11, 13),
    )
    case = step(
        case, people["township_longtan2"], Approve(_I.TOWNSHIP_REVIEWED), date(2026, 11, 16)
    )
    county = people["county_huayuan"]
    case = step(case, county, Approve(_I.COUNTY_APPROVED), date(2026, 11, 16))
    case = step(
        case,
        county,
        RecordObject("MARGINAL", ("ILLNESS", "LACK_OF_LABOUR"), date(2026, 11, 1)),
        date(2026, 11, 16),
    )

    assert (
        case.step,
        case.is_open,
        case.pending_level,
        case.version,
        case.object_type,
        case.risk_types,
    ) == (
        "recorded",
        False,
        None,
        9,
        "MARGINAL",
        ["ILLNESS", "LACK_OF_LABOUR"],
    )
    assert list(case.transitions.values_list("seq", "to_step", "action", "actor__username")) == [
        (1, "clue_received", "open", "cadre_tudi"),
        (2, "verified", "submit", "cadre_tudi"),
        (3, "authorised", "submit", "cadre_tudi"),
        (4, "data_compared", "submit", "township_longtan"),
        (5, "appraised", "submit", "cadre_tudi"),
        (6, "notice_posted", "post_notice", "cadre_tudi"),
        (7, "township_reviewed", "approve", "township_longtan2"),
        (8, "county_approved", "approve", "county_huayuan"),
        (9, "recorded", "record_object", "county_huayuan"),
    ]
    assert case.transitions.get(seq=5).details == {
        "participants": "村两委、党员代表、村民代表共15人",
        "minutes": "同意纳入",
        "proposed_type": "MARGINAL",
        "proposed_risks": "ILLNESS",
    }
    events = AuditEvent.objects.filter(object_type="case", object_id=str(case.public_id))
    assert list(events.order_by("id").values_list("action", flat=True)) == [
        "case.open",
        "case.submit",
        "case.submit",
        "case.submit",
        "case.submit",
        "case.post_notice",
        "case.approve",
        "case.approve",
        "case.record_object",
    ]
    spell = Monitoring.objects.get(household=world.households["tudi"])
    assert (spell.object_type, spell.identified_month, spell.eliminated_month) == (
        "MARGINAL",
        date(2026, 11, 1),
        None,
    )
    assert list(spell.risks.values_list("position", "risk_type")) == [(1, "01"), (2, "04")]
    assert case.monitoring_id == spell.pk
    household = Household.objects.get(pk=world.households["tudi"].pk)
    assert (household.monitoring_status, household.monitoring_type) == ("open", "MARGINAL")


def test_a_village_cadre_cannot_decide_at_county_level(
    people: dict[str, User], opened: Case
) -> None:
    case = to_notice(opened, people)
    case = step(
        case, people["township_longtan2"], Approve(_I.TOWNSHIP_REVIEWED), date(2026, 11, 16)
    )
    before = state()

    with pytest.raises(CaseworkError) as refused:
        step(case, people["cadre_tudi"], Approve(_I.COUNTY_APPROVED), date(2026, 11, 16))

    assert refused.value.code == "level"
    assert state() == before


def test_the_data_comparer_may_not_review_the_dossier(
    people: dict[str, User], opened: Case
) -> None:
    case = to_notice(opened, people)
    before = state()

    with pytest.raises(CaseworkError) as refused:
        step(case, people["township_longtan"], Approve(_I.TOWNSHIP_REVIEWED), date(2026, 11, 16))

    assert refused.value.code == "own_submission"
    assert state() == before


def test_the_county_cannot_approve_while_the_notice_runs(
    people: dict[str, User], opened: Case
) -> None:
    case = to_notice(opened, people)
    case = step(
        case, people["township_longtan2"], Approve(_I.TOWNSHIP_REVIEWED), date(2026, 11, 12)
    )
    before = state()

    with pytest.raises(CaseworkError) as refused:
        step(case, people["county_huayuan"], Approve(_I.COUNTY_APPROVED), date(2026, 11, 13))

    assert refused.value.code == "notice_running"
    assert "2026-11-13" in refused.value.message
    assert state() == before


def test_an_objection_is_stored_and_must_be_rechecked_before_approval(
    people: dict[str, User], opened: Case
) -> None:
    cadre = people["cadre_tudi"]
    case = to_notice(opened, people)
    case = step(case, cadre, RecordObjection("邻居反映其子在外务工收入较高"), date(2026, 11, 10))
    case = step(
        case, people["township_longtan2"], Approve(_I.TOWNSHIP_REVIEWED), date(2026, 11, 16)
    )
    with pytest.raises(CaseworkError) as refused:
        step(case, people["county_huayuan"], Approve(_I.COUNTY_APPROVED), date(2026, 11, 16))
    assert refused.value.code == "objection_open"

    case = step(
        case,
        cadre,
        ResolveObjection(1, "复核：其子务工收入每月约1500元，异议不成立"),
        date(2026, 11, 16),
    )
    case = step(case, people["county_huayuan"], Approve(_I.COUNTY_APPROVED), date(2026, 11, 16))

    assert case.step == "county_approved"
    assert list(
        case.objections.values_list("number", "text", "raised_on", "result", "resolved_on")
    ) == [
        (
            1,
            "邻居反映其子在外务工收入较高",
            date(2026, 11, 10),
            "复核：其子务工收入每月约1500元，异议不成立",
            date(2026, 11, 16),
        )
    ]


def test_a_decision_on_an_old_version_is_a_conflict_and_changes_nothing(
    people: dict[str, User], opened: Case
) -> None:
    cadre = people["cadre_tudi"]
    first = case_decide(
        actor=cadre,
        case=opened,
        action=Submit(_I.VERIFIED),
        expected_version=1,
        on=date(2026, 11, 3),
    )
    assert first.version == 2
    before = state()

    with pytest.raises(CaseworkError) as refused:  # a second page still showing version 1
        case_decide(
            actor=cadre,
            case=opened,
            action=Submit(_I.VERIFIED),
            expected_version=1,
            on=date(2026, 11, 3),
        )

    assert (refused.value.code, refused.value.is_conflict) == ("stale", True)
    assert refused.value.message == "该案件已被他人办理，请刷新后重试"
    assert state() == before


def test_a_second_approval_is_a_conflict(people: dict[str, User], opened: Case) -> None:
    case = to_notice(opened, people)
    reviewer = people["township_longtan2"]
    case = step(case, reviewer, Approve(_I.TOWNSHIP_REVIEWED), date(2026, 11, 16))
    before = state()

    with pytest.raises(CaseworkError) as refused:
        step(case, reviewer, Approve(_I.TOWNSHIP_REVIEWED), date(2026, 11, 16))

    assert (refused.value.code, refused.value.is_conflict) == ("already_decided", True)
    assert state() == before


def test_a_cadre_of_another_village_is_refused_and_the_refusal_audited(
    people: dict[str, User], opened: Case
) -> None:
    before = state()
    denied = AuditEvent.objects.filter(action="authz.denied").count()

    with pytest.raises(CaseworkError) as refused:
        step(opened, people["cadre_douwang"], Submit(_I.VERIFIED), date(2026, 11, 3))

    assert (refused.value.code, refused.value.message) == (
        "forbidden",
        "没有办理该案件的权限（案件不在您的辖区内）",
    )
    assert state() == before
    assert AuditEvent.objects.filter(action="authz.denied").count() == denied + 1


def test_a_future_date_is_refused(people: dict[str, User], opened: Case) -> None:
    before = state()
    with pytest.raises(CaseworkError) as refused:
        step(opened, people["cadre_tudi"], Submit(_I.VERIFIED), date(2099, 1, 5))
    assert (refused.value.code, refused.value.message) == (
        "bad_date",
        "办理日期2099-01-05不能晚于今天",
    )
    assert state() == before


def test_a_rejected_case_closes_and_the_household_may_be_opened_again(
    world: World, people: dict[str, User], opened: Case
) -> None:
    cadre = people["cadre_tudi"]
    case = step(opened, cadre, Submit(_I.VERIFIED), date(2026, 11, 3))
    case = step(case, cadre, Reject("人均纯收入高于监测范围，不予认定"), date(2026, 11, 4))
    assert (case.step, case.is_open) == ("rejected", False)

    again = case_open(actor=cadre, household=world.households["tudi"], on=date(2026, 11, 20))

    assert (again.step, again.version, again.is_open) == ("clue_received", 1, True)
    assert again.pk != case.pk


def test_a_second_open_case_for_the_household_is_a_conflict(
    world: World, people: dict[str, User], opened: Case
) -> None:
    before = state()
    with pytest.raises(CaseworkError) as refused:
        case_open(actor=people["cadre_tudi"], household=world.households["tudi"], on=OPENED)
    assert (refused.value.code, refused.value.is_conflict) == ("already_open", True)
    assert state() == before


def test_a_confirmed_clue_opens_a_case_and_the_next_one_merges_into_it(
    world: World, people: dict[str, User]
) -> None:
    household = world.households["tudi"]
    run = make_run()
    cadre = people["cadre_tudi"]
    first = make_clue(household)
    warning = make_warning(run, household, "trigger.income_below_line", clue=first)
    clue_verify(
        actor=cadre,
        clue=first,
        outcomes={str(warning.public_id): "confirmed"},
        note="",
        expected_version=1,
    )
    case = Case.objects.get(household=household)
    assert (case.step, case.opened_on, case.version) == ("clue_received", first.received_on, 1)
    assert Clue.objects.get(pk=first.pk).case_id == case.pk

    second = make_clue(household)  # e.g. the next month's warning
    other = make_warning(run, household, "trigger.medical_oop_share", clue=second)
    clue_verify(
        actor=cadre,
        clue=second,
        outcomes={str(other.public_id): "confirmed"},
        note="",
        expected_version=1,
    )

    assert Case.objects.filter(household=household).count() == 1
    assert Clue.objects.get(pk=second.pk).case_id == case.pk
    assert AuditEvent.objects.filter(action="case.merge_clue").count() == 1


def test_an_unfounded_clue_opens_no_case(world: World, people: dict[str, User]) -> None:
    household = world.households["tudi"]
    clue = make_clue(household)
    warning = make_warning(make_run(), household, "trigger.income_below_line", clue=clue)
    clue_verify(
        actor=people["cadre_tudi"],
        clue=clue,
        outcomes={str(warning.public_id): "unfounded"},
        note="",
        expected_version=1,
    )
    assert Clue.objects.get(pk=clue.pk).status == ClueStatus.VERIFIED
    assert Case.objects.count() == 0


@pytest.mark.parametrize("year", [2020, 2021, 2022, 2023, 2024, 2025, 2026])
def test_every_edition_risk_type_has_a_code_table_code(year: int) -> None:
    rules = ProcedureRules.from_edition(resolve(year, "433124"))
    mapped = {code: table_risk_code(rules, code) for code, _ in rules.risk_types}
    assert mapped["ILLNESS"] == "01"
    assert mapped["NATURAL_DISASTER"] == "02"
    assert len(set(mapped.values())) == len(mapped)
    assert {cases.edition_risk_code(rules, v) for v in mapped.values()} == set(mapped)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_store_exactly_one_transition(
    people: dict[str, User], opened: Case
) -> None:
    """Two connections approve the same version at once: one transition, the other 409."""
    import threading

    from django.db import connections

    case = to_notice(opened, people)
    reviewer, other = (
        people["township_longtan2"],
        make_user("township_longtan3", Role.TOWNSHIP_REVIEWER, LONGTAN_TOWNSHIP),
    )
    barrier = threading.Barrier(2)
    results: list[str] = []

    def approve(user: User) -> None:
        try:
            barrier.wait(timeout=10)
            case_decide(
                actor=user,
                case=case,
                action=Approve(_I.TOWNSHIP_REVIEWED),
                expected_version=case.version,
                on=date(2026, 11, 16),
            )
            results.append("ok")
        except CaseworkError as error:
            results.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (reviewer, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results) == ["ok", "stale"]
    stored = Case.objects.get(pk=case.pk)
    assert (stored.step, stored.version) == ("township_reviewed", 7)
    assert CaseTransition.objects.filter(case=stored, to_step="township_reviewed").count() == 1
    assert (
        AuditEvent.objects.filter(object_id=str(stored.public_id), action="case.approve").count()
        == 1
    )


def test_time_limits_skip_the_national_day_holiday_and_the_overdue_list_follows(
    world: World, people: dict[str, User]
) -> None:
    from fangpin.casework.selectors import case_list

    cadre = people["cadre_tudi"]
    # Tuesday 2026-09-29: 10-01…10-07 are rest days, Saturday 10-10 is a working day.
    before_holiday = case_open(
        actor=cadre, household=world.households["tudi"], on=date(2026, 9, 29)
    )
    assert (before_holiday.verify_due, before_holiday.due_on) == (
        date(2026, 10, 14),  # 09-30, 10-08, 10-09, 10-10, 10-12, 10-13, 10-14
        date(2026, 10, 19),  # then 10-15, 10-16, 10-19
    )
    recent = case_open(
        actor=people["county_huayuan"],
        household=world.households["minle"],
        on=date(2026, 11, 30),
    )

    overdue = case_list(people["county_huayuan"], overdue=True)
    on_time = case_list(people["county_huayuan"], overdue=False)

    assert [c.pk for c in overdue] == [before_holiday.pk]
    assert [c.pk for c in on_time] == [recent.pk]
