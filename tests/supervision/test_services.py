"""The ledger stored (fangpin.supervision.services): record, start, fix, close or return;
对账销号 enforced in the service and the database; scope, capability, concurrency, audit."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from fangpin.core.models import AuditEvent, Role, User
from fangpin.registry.models import Household
from fangpin.supervision.errors import SupervisionError
from fangpin.supervision.models import Problem, ProblemEntry
from fangpin.supervision.services import problem_create, problem_decide
from tests.registry.conftest import DOUWANG, TUDI, make_user

FOUND = date(2026, 3, 2)


def record(actor: Any, household: Household | None = None, **changes: Any) -> Problem:
    values: dict[str, Any] = {
        "source": "unannounced_visit",
        "source_batch": "2026年第1轮暗访",
        "found_on": FOUND,
        "region_code": TUDI,
        "dimension": "housing",
        "description": "龙再田户住房为C级危房，仍在居住",
        "lead_unit": "花垣县住房和城乡建设局",
        "deadline": date(2026, 3, 22),
        "responsible_units": ["龙潭镇人民政府", " "],
        "responsible_person": "石建国",
        "evidence": ["暗访照片 IMG_0312.jpg"],
        "household_ids": [household.pk] if household else [],
    }
    values.update(changes)
    return problem_create(actor=actor, **values)


def state() -> dict[str, Any]:
    return {
        "problems": sorted(
            Problem.objects.values_list("pk", "status", "version", "fixed_by", "closed_by")
        ),
        "entries": ProblemEntry.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def decide(actor: Any, problem: Problem, action: str, **kwargs: Any) -> Problem:
    problem.refresh_from_db()
    values: dict[str, Any] = {"on": date(2026, 3, 10), "note": "", "evidence": ()}
    values.update(kwargs)
    return problem_decide(
        actor=actor,
        public_id=problem.public_id,
        action=action,
        expected_version=problem.version,
        **values,
    )


def test_an_inspector_records_a_problem_about_a_household(
    inspector: User, family: Household
) -> None:
    problem = record(inspector, family)

    assert (problem.status, problem.version, problem.region_id, problem.created_by_label) == (
        "open",
        1,
        TUDI,
        "inspector_huayuan",
    )
    assert problem.responsible_units == ["龙潭镇人民政府"]
    assert list(problem.households.all()) == [family]
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.object_id, event.changes["households"]) == (
        "problem.create",
        str(problem.public_id),
        [family.pk],
    )


def test_fix_then_an_independent_check_closes_it(
    inspector: User, tudi_cadre: User, family: Household
) -> None:
    problem = record(inspector, family)

    decide(tudi_cadre, problem, "start", note="已联系住建局")
    decide(tudi_cadre, problem, "report_fixed", note="已完成危房改造", evidence=["验收单.pdf"])
    closed = decide(inspector, problem, "close", on=date(2026, 3, 15), note="入户核实为A级")

    assert (closed.status, closed.version, closed.fixed_by, closed.closed_by) == (
        "closed",
        4,
        "cadre_tudi",
        "inspector_huayuan",
    )
    assert (closed.closure_evidence, closed.closed_on) == (["验收单.pdf"], date(2026, 3, 15))
    assert list(
        ProblemEntry.objects.filter(problem=closed).values_list(
            "seq", "action", "actor_label", "from_status", "to_status"
        )
    ) == [
        (1, "start", "cadre_tudi", "open", "in_progress"),
        (2, "report_fixed", "cadre_tudi", "in_progress", "fixed"),
        (3, "close", "inspector_huayuan", "fixed", "closed"),
    ]
    actions = list(
        AuditEvent.objects.filter(object_type="problem")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["problem.create", "problem.start", "problem.report_fixed", "problem.close"]


def test_the_fixer_cannot_close_or_return_and_nothing_changes(
    inspector: User, tudi_cadre: User, actor: User
) -> None:
    problem = record(inspector)
    decide(tudi_cadre, problem, "report_fixed", note="已改造", evidence=["照片"])
    before = state()

    with pytest.raises(SupervisionError) as caught:
        decide(tudi_cadre, problem, "close", note="本人核实")

    assert (caught.value.code, caught.value.message) == (
        "self_close",
        "整改完成由您报告，须由其他人员核实后销号或退回（对账销号）",
    )
    assert state() == before
    returned = decide(actor, problem, "return", note="屋顶仍漏雨")  # the county checks instead
    assert returned.status == "returned"


def test_the_database_refuses_a_closure_by_the_fixer(inspector: User) -> None:
    problem = record(inspector)

    with pytest.raises(IntegrityError), transaction.atomic():
        Problem.objects.filter(pk=problem.pk).update(
            status="closed", fixed_by="a", closed_by="a", closed_on=date(2026, 3, 9)
        )


def test_no_fix_without_evidence(inspector: User, tudi_cadre: User) -> None:
    problem = record(inspector)
    before = state()

    with pytest.raises(SupervisionError) as caught:
        decide(tudi_cadre, problem, "report_fixed", note="已改造", evidence=[])

    assert caught.value.code == "evidence_required"
    assert state() == before


def test_scope_and_capability(
    inspector: User, tudi_cadre: User, douwang_cadre: User, luxi_approver: User, village: Any
) -> None:
    problem = record(inspector)
    auditor = make_user("auditor_huayuan", Role.AUDITOR, "433124000000")
    before = state()

    refusals = []
    for who, call in [
        (douwang_cadre, lambda u: decide(u, problem, "start")),  # another village: missing
        (inspector, lambda u: decide(u, problem, "start")),  # inspectors check, not fix
        (auditor, lambda u: record(u)),
        (luxi_approver, lambda u: record(u)),  # 泸溪县 is outside its scope
        (tudi_cadre, lambda u: record(u, region_code=DOUWANG)),
    ]:
        with pytest.raises(SupervisionError) as caught:
            call(who)
        refusals.append(caught.value.code)

    assert refusals == ["not_found", "forbidden", "forbidden", "region", "region"]
    assert state() == before


def test_a_stale_page_and_a_closed_problem_are_409(inspector: User, tudi_cadre: User) -> None:
    problem = record(inspector)
    decide(tudi_cadre, problem, "start")
    before = state()

    with pytest.raises(SupervisionError) as stale:
        problem_decide(
            actor=tudi_cadre,
            public_id=problem.public_id,
            action="report_fixed",
            on=date(2026, 3, 10),
            note="改",
            evidence=["照"],
            expected_version=1,
        )
    assert (stale.value.code, stale.value.conflict) == ("stale", True)
    assert state() == before

    decide(tudi_cadre, problem, "report_fixed", note="改", evidence=["照"])
    decide(inspector, problem, "close", note="核")
    with pytest.raises(SupervisionError) as late:
        decide(inspector, problem, "return", note="再查")
    assert (late.value.code, late.value.conflict) == ("already_closed", True)


def test_households_must_lie_in_the_problems_region(
    inspector: User, family: Household, village: Any
) -> None:
    with pytest.raises(SupervisionError) as caught:
        record(inspector, family, region_code=DOUWANG)

    assert caught.value.code == "household"
    assert Problem.objects.count() == 0
    township = record(inspector, family, region_code="433124102000")  # the township holds it
    assert list(township.households.all()) == [family]


def test_bad_findings_are_refused_with_the_cores_message(inspector: User) -> None:
    with pytest.raises(SupervisionError) as early:
        record(inspector, deadline=date(2026, 3, 1))
    with pytest.raises(SupervisionError) as unknown:
        record(inspector, dimension="weather")

    assert (early.value.code, early.value.message) == (
        "bad_problem",
        "整改期限2026-03-01早于发现日期2026-03-02",
    )
    assert (unknown.value.code, unknown.value.message) == (
        "bad_problem",
        "问题来源或问题类别不在码表中",
    )
    assert Problem.objects.count() == 0


def test_persons_must_be_members_of_the_linked_households(
    inspector: User, family: Household
) -> None:
    from fangpin.registry.models import Person

    member = Person.objects.filter(household=family).order_by("id").first()
    assert member is not None

    problem = record(inspector, family, person_ids=[member.pk])
    assert list(problem.persons.all()) == [member]
    with pytest.raises(SupervisionError) as caught:
        record(inspector, person_ids=[member.pk])  # no household listed
    assert (caught.value.code, caught.value.message) == ("person", "涉及的人员须是所列农户的成员")
    assert Problem.objects.count() == 1
