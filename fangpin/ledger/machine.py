"""The life of a problem: open → in progress → fixed, awaiting check → closed, or returned.

:func:`new_problem` checks a finding before it enters the ledger; :func:`decide` takes a
problem and an action and returns the new problem with exactly one :class:`Entry` appended,
or raises :class:`LedgerError` and changes nothing. The rules (DOMAIN.md §8.3, 对账销号):

- a fix is reported with what was done and its evidence (整改佐证);
- only a fix awaiting check can be closed (销号) or returned (退回), and only by someone other
  than whoever reported the fix, who writes what they matched the evidence against;
- a returned problem goes back to work with its reason and is reported fixed again;
- a closed problem is final (409 for a late second decision).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from fangpin.ledger.errors import LedgerError
from fangpin.ledger.model import STATUS_ZH, Entry, Problem, Status

__all__ = ["Action", "Close", "ReportFixed", "Return", "Start", "decide", "new_problem"]

_NOTE_MAX = 2000


@dataclass(frozen=True, slots=True)
class Start:
    """整改中: the responsible unit has started (also after a return)."""

    actor: str
    on: date
    note: str = ""


@dataclass(frozen=True, slots=True)
class ReportFixed:
    """已整改待核: what was done, with the evidence (photos, documents: their references)."""

    actor: str
    on: date
    note: str
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Close:
    """销号: an independent verifier matched the evidence against the finding."""

    actor: str
    on: date
    note: str


@dataclass(frozen=True, slots=True)
class Return:
    """退回: the check found the problem not fixed; it goes back with the reason."""

    actor: str
    on: date
    reason: str


Action = Start | ReportFixed | Close | Return

_ALLOWED: dict[type, frozenset[Status]] = {
    Start: frozenset({Status.OPEN, Status.RETURNED}),
    ReportFixed: frozenset({Status.OPEN, Status.IN_PROGRESS, Status.RETURNED}),
    Close: frozenset({Status.FIXED}),
    Return: frozenset({Status.FIXED}),
}
_ACTION_ZH = {Start: "开始整改", ReportFixed: "报告整改完成", Close: "销号", Return: "退回"}
_NAMES = {Start: "start", ReportFixed: "report_fixed", Close: "close", Return: "return"}


def _text(value: str, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise LedgerError("note_required", f"请填写{what}")
    if len(text) > _NOTE_MAX:
        raise LedgerError("note_required", f"{what}不能超过{_NOTE_MAX}字")
    return text


def new_problem(problem: Problem) -> Problem:
    """Check a finding before it enters the ledger; return it as stored (status open, no
    history). Refuses what the ledger cannot track: no region, no description, no lead unit,
    a deadline before the finding."""
    if len(problem.region_code) != 12 or not problem.region_code.isdigit():
        raise LedgerError("bad_problem", f"所在区划代码“{problem.region_code}”应为12位数字")
    if not problem.description.strip():
        raise LedgerError("bad_problem", "请填写问题描述")
    if not problem.lead_unit.strip():
        raise LedgerError("bad_problem", "请填写牵头单位")
    if problem.deadline < problem.found_on:
        raise LedgerError(
            "bad_problem",
            f"整改期限{problem.deadline.isoformat()}早于发现日期{problem.found_on.isoformat()}",
        )
    return replace(
        problem,
        description=problem.description.strip(),
        lead_unit=problem.lead_unit.strip(),
        status=Status.OPEN,
        fixed_by="",
        closure_evidence=(),
        closed_by="",
        closed_on=None,
        history=(),
    )


def decide(problem: Problem, action: Action) -> Problem:
    """Apply ``action``; return the new problem with one history entry appended."""
    kind = type(action)
    if problem.status is Status.CLOSED:
        raise LedgerError("already_closed", "该问题已销号，不能再办理")
    if problem.status not in _ALLOWED[kind]:
        raise LedgerError(
            "wrong_status",
            f"问题当前为“{STATUS_ZH[problem.status]}”，不能{_ACTION_ZH[kind]}",
        )
    last = problem.history[-1].on if problem.history else problem.found_on
    if action.on < last:
        raise LedgerError(
            "bad_date", f"办理日期{action.on.isoformat()}早于上一次办理或发现日期{last.isoformat()}"
        )
    evidence: tuple[str, ...] = ()
    fixed_by, closure_evidence = problem.fixed_by, problem.closure_evidence
    closed_by, closed_on = problem.closed_by, problem.closed_on
    if isinstance(action, Start):
        note, to = (action.note or "").strip(), Status.IN_PROGRESS
    elif isinstance(action, ReportFixed):
        note = _text(action.note, "整改情况")
        evidence = tuple(e.strip() for e in action.evidence if e.strip())
        if not evidence:
            raise LedgerError("evidence_required", "报告整改完成须附整改佐证材料")
        to, fixed_by, closure_evidence = Status.FIXED, action.actor, evidence
    else:
        if action.actor == problem.fixed_by:
            raise LedgerError(
                "self_close", "整改完成由您报告，须由其他人员核实后销号或退回（对账销号）"
            )
        if isinstance(action, Close):
            note = _text(action.note, "核实情况")
            to, closed_by, closed_on = Status.CLOSED, action.actor, action.on
        else:
            note = _text(action.reason, "退回原因")
            to = Status.RETURNED
    entry = Entry(
        action=_NAMES[kind],
        actor=action.actor,
        on=action.on,
        from_status=problem.status,
        to_status=to,
        note=note,
        evidence=evidence,
    )
    return replace(
        problem,
        status=to,
        fixed_by=fixed_by,
        closure_evidence=closure_evidence,
        closed_by=closed_by,
        closed_on=closed_on,
        history=(*problem.history, entry),
    )
