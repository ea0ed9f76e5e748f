"""Opening cases: a clue, an elimination proposal, and re-opening after a new warning."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from fangpin.policy import ResolvedEdition
from fangpin.procedure.errors import ProcedureError
from fangpin.procedure.model import (
    ActionKind,
    Actor,
    Case,
    CaseKind,
    EliminationStep,
    IdentificationStep,
    Transition,
)
from fangpin.procedure.paths import FIRST
from fangpin.procedure.rules import ProcedureRules, as_rules

__all__ = ["open_elimination", "open_identification", "reopen"]

_I = IdentificationStep
_E = EliminationStep


def _open(
    *,
    kind: CaseKind,
    case_id: str,
    household_id: str,
    actor: Actor,
    on: date,
    edition_id: str,
    summary: str,
    **fields: Any,
) -> Case:
    first = FIRST[kind]
    opening = Transition(1, None, first, ActionKind.OPEN, actor.id, actor.level, on, summary)
    case = Case(
        case_id=case_id,
        household_id=household_id,
        kind=kind,
        step=first,
        opened_on=on,
        edition_id=edition_id,
        history=(opening,),
    )
    return replace(case, **fields)


def open_identification(
    *,
    case_id: str,
    household_id: str,
    actor: Actor,
    on: date,
    edition: ResolvedEdition | ProcedureRules,
    summary: str = "",
    reopens: str = "",
) -> Case:
    """A new identification case at 线索已接收, from any channel (申报, 排查, 预警)."""
    return _open(
        kind=CaseKind.IDENTIFICATION,
        case_id=case_id,
        household_id=household_id,
        actor=actor,
        on=on,
        edition_id=as_rules(edition).edition_id,
        summary=summary,
        reopens=reopens,
    )


def open_elimination(
    *,
    case_id: str,
    identification: Case,
    actor: Actor,
    on: date,
    edition: ResolvedEdition | ProcedureRules,
    summary: str = "",
) -> Case:
    """A risk-elimination proposal for the monitoring object ``identification`` recorded."""
    if identification.kind is not CaseKind.IDENTIFICATION or identification.step != _I.RECORDED:
        raise ProcedureError("wrong_step", "只有已纳入监测的对象才能提出风险消除")
    if on < identification.last_at:
        raise ProcedureError("bad_date", f"日期{on}早于纳入监测日期{identification.last_at}")
    return _open(
        kind=CaseKind.ELIMINATION,
        case_id=case_id,
        household_id=identification.household_id,
        actor=actor,
        on=on,
        edition_id=as_rules(edition).edition_id,
        summary=summary,
        object_type=identification.object_type,
        risk_types=identification.risk_types,
        identified_month=identification.identified_month,
        reopens=identification.case_id,
    )


def reopen(
    eliminated: Case,
    *,
    case_id: str,
    actor: Actor,
    on: date,
    edition: ResolvedEdition | ProcedureRules,
    summary: str = "",
) -> Case:
    """A new warning on an eliminated household: a new identification case linked to it."""
    if eliminated.kind is not CaseKind.ELIMINATION or eliminated.step != _E.ELIMINATED:
        raise ProcedureError("not_eliminated", "只有已消除风险的监测对象出现新风险时才重新识别")
    if on < eliminated.last_at:
        raise ProcedureError("bad_date", f"日期{on}早于风险消除日期{eliminated.last_at}")
    return open_identification(
        case_id=case_id,
        household_id=eliminated.household_id,
        actor=actor,
        on=on,
        edition=edition,
        summary=summary,
        reopens=eliminated.case_id,
    )
