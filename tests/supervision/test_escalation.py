"""Overdue problems raised to a higher 督办级别 by housekeeping (problems_escalate)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from fangpin.core.models import AuditEvent, User
from fangpin.supervision.errors import SupervisionError
from fangpin.supervision.models import Problem
from fangpin.supervision.services import problems_escalate
from tests.supervision.test_services import decide, record

DEADLINE = date(2026, 3, 22)
SYSTEM = "system:housekeeping"


def test_levels_rise_with_lateness_once_each_and_never_fall(
    inspector: User, tudi_cadre: User
) -> None:
    late = record(inspector)
    fixed = record(inspector, description="另一户住房问题")
    decide(tudi_cadre, fixed, "report_fixed", note="改", evidence=["照"])

    assert problems_escalate(actor=SYSTEM, today=DEADLINE) == {
        "township": 0,
        "county": 0,
        "discipline": 0,
    }
    assert problems_escalate(actor=SYSTEM, today=DEADLINE + timedelta(1)) == {
        "township": 1,
        "county": 0,
        "discipline": 0,
    }
    assert problems_escalate(actor=SYSTEM, today=DEADLINE + timedelta(1)) == {
        "township": 0,
        "county": 0,
        "discipline": 0,
    }
    problems_escalate(actor=SYSTEM, today=DEADLINE + timedelta(10))
    problems_escalate(actor=SYSTEM, today=DEADLINE + timedelta(31))

    late.refresh_from_db()
    fixed.refresh_from_db()
    assert (late.escalation, fixed.escalation) == ("discipline", "")  # a reported fix waits
    events = AuditEvent.objects.filter(action="problem.escalate").order_by("id")
    assert [(e.changes["escalation"], e.changes["days_overdue"]) for e in events] == [
        (["", "township"], 1),
        (["township", "county"], 10),
        (["county", "discipline"], 31),
    ]


def test_a_closed_problem_keeps_its_level_and_only_the_system_escalates(
    inspector: User, tudi_cadre: User
) -> None:
    problem = record(inspector)
    problems_escalate(actor=SYSTEM, today=DEADLINE + timedelta(12))
    decide(
        tudi_cadre, problem, "report_fixed", on=DEADLINE + timedelta(13), note="改", evidence=["照"]
    )
    decide(inspector, problem, "close", on=DEADLINE + timedelta(14), note="核")

    problems_escalate(actor=SYSTEM, today=DEADLINE + timedelta(60))
    with pytest.raises(SupervisionError) as caught:
        problems_escalate(actor=inspector, today=DEADLINE + timedelta(60))

    assert Problem.objects.get().escalation == "county"
    assert caught.value.code == "forbidden"
