"""Deadlines of a case in the edition's days, and the overdue list (DOMAIN.md §3.3)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from fangpin.policy import ResolvedEdition
from fangpin.procedure.model import Case, CaseKind, EliminationStep, IdentificationStep, Step
from fangpin.procedure.rules import ProcedureRules, add_days, as_rules
from fangpin.workdays import working_days_between

__all__ = ["StepDeadline", "deadlines", "overdue"]

_I = IdentificationStep
_E = EliminationStep


@dataclass(frozen=True, slots=True)
class StepDeadline:
    """A time limit: the step that must be reached by ``due`` (inclusive), counted from ``start``.

    ``done_on`` is when the step (or a closing side exit) was reached; ``overdue`` is True when
    it was reached after ``due``, or is still open after ``due`` on ``today``; ``days_late``
    counts in the edition's day kind. ``message`` is the Chinese line for lists and pages.
    """

    case_id: str
    code: str
    step: Step
    start: date
    due: date
    done_on: date | None
    overdue: bool
    days_late: int
    message: str


def _reached(case: Case, steps: frozenset[Step]) -> date | None:
    for t in case.history:
        if t.to_step in steps:
            return t.at
    return None


def deadlines(
    case: Case, edition: ResolvedEdition | ProcedureRules, today: date
) -> list[StepDeadline]:
    """The case's time limits, each with its due date and overdue flag as of ``today``.

    Identification: 入户核实 within ``verification_days`` of the clue, the whole procedure
    (纳入监测) within ``identification_days``. Elimination: county approval within
    ``elimination_days`` of the proposal. A rejection ends every limit still open.
    """
    rules = as_rules(edition)
    limits: tuple[tuple[str, Step, int, str], ...]
    if case.kind is CaseKind.IDENTIFICATION:
        closing: frozenset[Step] = frozenset({_I.REJECTED})
        limits = (
            ("verification", _I.VERIFIED, rules.verification_days, "入户核实"),
            ("identification", _I.RECORDED, rules.identification_days, "识别认定"),
        )
    else:
        closing = frozenset({_E.REJECTED})
        limits = (("elimination", _E.ELIMINATED, rules.elimination_days, "风险消除"),)
    result = []
    for code, step, days, label in limits:
        due = add_days(rules, case.opened_on, days)
        done = _reached(case, frozenset({step}) | closing)
        end = done if done is not None else today
        is_late = end > due
        late = _count(rules, due, end) if is_late else 0
        unit = rules.day_unit_zh
        head = f"{label}：自{case.opened_on}起{days}{unit}内，期限{due}"
        # A working-day limit passed only by rest days is late by 0 working days, but late.
        lateness = f"{late}{unit}" if late else "（期限后均为休息日）"
        if done is not None:
            tail = f"，已于{done}办结" + (f"，超期{lateness}" if is_late else "")
        else:
            tail = f"，已逾期{lateness}" if is_late else "，未逾期"
        result.append(
            StepDeadline(
                case.case_id, code, step, case.opened_on, due, done, is_late, late, head + tail
            )
        )
    return result


def _count(rules: ProcedureRules, due: date, end: date) -> int:
    if rules.is_working:
        return working_days_between(due, end, calendar=rules.calendar)
    return (end - due).days


def overdue(
    cases: Iterable[Case], edition: ResolvedEdition | ProcedureRules, today: date
) -> list[StepDeadline]:
    """The open limits past due on ``today`` (the 逾期 list), oldest due date first."""
    rules = as_rules(edition)
    found = [
        d
        for case in cases
        for d in deadlines(case, rules, today)
        if d.overdue and d.done_on is None
    ]
    return sorted(found, key=lambda d: (d.due, d.case_id, d.code))
