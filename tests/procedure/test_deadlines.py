"""Deadlines in working days across 国庆 2024 and 春节 2025, and the overdue list."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from fangpin.procedure import (
    Approve,
    EliminationStep,
    ProcedureRules,
    Reject,
    StepDeadline,
    Submit,
    deadlines,
    decide,
    open_identification,
    overdue,
)
from fangpin.workdays import WorkdaysError
from tests.procedure.helpers import (
    COUNTY,
    IS,
    VILLAGE,
    clue,
    elimination_to_township,
    good_facts,
    huayuan_2024,
    national_2024,
    national_2025,
)

ED = national_2024()


def by_code(case_deadlines: list[StepDeadline]) -> dict[str, StepDeadline]:
    return {d.code: d for d in case_deadlines}


def test_national_day_2024_fifteen_working_days() -> None:
    # Clue on Friday 2024-09-27: 09-29 (调休) and 09-30, then 10-08 … 10-23; 10-01–07 are rest.
    found = by_code(deadlines(clue(), ED, date(2024, 10, 23)))
    assert found["identification"] == StepDeadline(
        "K1",
        "identification",
        IS.RECORDED,
        date(2024, 9, 27),
        date(2024, 10, 23),
        None,
        False,
        0,
        "识别认定：自2024-09-27起15个工作日内，期限2024-10-23，未逾期",
    )
    late = by_code(deadlines(clue(), ED, date(2024, 10, 24)))["identification"]
    assert (late.overdue, late.days_late, late.message) == (
        True,
        1,
        "识别认定：自2024-09-27起15个工作日内，期限2024-10-23，已逾期1个工作日",
    )


def test_county_edition_deadline_on_an_adjusted_saturday() -> None:
    # Huayuan example: verification 7 working days → Saturday 2024-10-12 (调休上班).
    ed = huayuan_2024()
    case = open_identification(
        case_id="K9", household_id="H9", actor=VILLAGE, on=date(2024, 9, 27), edition=ed
    )
    on_sunday = by_code(deadlines(case, ed, date(2024, 10, 13)))
    assert (on_sunday["verification"].due, on_sunday["verification"].overdue) == (
        date(2024, 10, 12),
        True,
    )
    assert on_sunday["verification"].days_late == 0
    assert on_sunday["verification"].message == (
        "入户核实：自2024-09-27起7个工作日内，期限2024-10-12，已逾期（期限后均为休息日）"
    )
    assert (on_sunday["identification"].due, on_sunday["identification"].overdue) == (
        date(2024, 10, 16),
        False,
    )
    monday = by_code(deadlines(case, ed, date(2024, 10, 14)))["verification"]
    assert (monday.days_late, monday.message) == (
        1,
        "入户核实：自2024-09-27起7个工作日内，期限2024-10-12，已逾期1个工作日",
    )


def test_done_steps_are_not_overdue_and_late_ones_say_so() -> None:
    ed = huayuan_2024()
    case = open_identification(
        case_id="K9", household_id="H9", actor=VILLAGE, on=date(2024, 9, 27), edition=ed
    )
    on_time = decide(case, Submit(IS.VERIFIED), VILLAGE, date(2024, 10, 12), ed)
    assert by_code(deadlines(on_time, ed, date(2024, 12, 1)))["verification"].message == (
        "入户核实：自2024-09-27起7个工作日内，期限2024-10-12，已于2024-10-12办结"
    )
    late = decide(case, Submit(IS.VERIFIED), VILLAGE, date(2024, 10, 15), ed)
    found = by_code(deadlines(late, ed, date(2024, 12, 1)))["verification"]
    assert (found.done_on, found.overdue, found.days_late, found.message) == (
        date(2024, 10, 15),
        True,
        2,
        "入户核实：自2024-09-27起7个工作日内，期限2024-10-12，已于2024-10-15办结，超期2个工作日",
    )


@pytest.mark.parametrize(
    ("clue_on", "due"),
    [
        (date(2025, 1, 20), date(2025, 2, 14)),
        # Friday before 春节: 01-26 (调休) and 01-27, rest 01-28–02-04, 02-08 (调休) counts.
        (date(2025, 1, 24), date(2025, 2, 20)),
        (date(2025, 1, 27), date(2025, 2, 24)),
    ],
)
def test_spring_festival_2025(clue_on: date, due: date) -> None:
    ed = national_2025()
    case = open_identification(
        case_id="K5", household_id="H5", actor=VILLAGE, on=clue_on, edition=ed
    )
    found = by_code(deadlines(case, ed, due))
    assert (found["identification"].due, found["verification"].due) == (due, due)
    assert not found["identification"].overdue


def test_calendar_day_edition_counts_calendar_days() -> None:
    rules = replace(ProcedureRules.from_edition(ED), day_kind="calendar")
    found = by_code(deadlines(clue(), rules, date(2024, 10, 14)))["identification"]
    assert (found.due, found.days_late, found.message) == (
        date(2024, 10, 12),
        2,
        "识别认定：自2024-09-27起15天内，期限2024-10-12，已逾期2天",
    )


def test_a_deadline_outside_the_calendar_is_refused_not_guessed() -> None:
    case = open_identification(
        case_id="K7", household_id="H7", actor=VILLAGE, on=date(2026, 12, 21), edition=ED
    )
    with pytest.raises(WorkdaysError) as caught:
        deadlines(case, ED, date(2026, 12, 31))
    assert caught.value.code == "year_not_covered"


def test_elimination_deadline() -> None:
    ed = national_2025()
    case = elimination_to_township()
    assert [(d.code, d.due, d.overdue) for d in deadlines(case, ed, date(2025, 4, 23))] == [
        ("elimination", date(2025, 4, 23), False)
    ]
    done = decide(
        case, Approve(EliminationStep.ELIMINATED, facts=good_facts()), COUNTY, date(2025, 4, 24), ed
    )
    assert deadlines(done, ed, date(2025, 5, 1))[0].message == (
        "风险消除：自2025-04-01起15个工作日内，期限2025-04-23，已于2025-04-24办结，超期1个工作日"
    )


def test_overdue_list_across_national_day() -> None:
    open_early = clue(on=date(2024, 9, 20), case_id="A")  # due 2024-10-16
    open_late = clue(on=date(2024, 9, 27), case_id="B")  # due 2024-10-23
    verified = decide(
        clue(on=date(2024, 9, 20), case_id="C"), Submit(IS.VERIFIED), VILLAGE, date(2024, 9, 23), ED
    )
    rejected = decide(
        clue(on=date(2024, 9, 20), case_id="D"),
        Reject("不符合条件"),
        VILLAGE,
        date(2024, 9, 23),
        ED,
    )
    cases = [open_late, rejected, verified, open_early]
    # Sunday 10-20: A and C are 2 working days late (10-17 and 10-18; the weekend adds none).
    assert [
        (d.case_id, d.code, d.due, d.days_late) for d in overdue(cases, ED, date(2024, 10, 20))
    ] == [
        ("A", "identification", date(2024, 10, 16), 2),
        ("A", "verification", date(2024, 10, 16), 2),
        ("C", "identification", date(2024, 10, 16), 2),
    ]
    assert overdue(cases, ED, date(2024, 10, 16)) == []
    assert [(d.case_id, d.code) for d in overdue(cases, ED, date(2024, 10, 24))] == [
        ("A", "identification"),
        ("A", "verification"),
        ("C", "identification"),
        ("B", "identification"),
        ("B", "verification"),
    ]
