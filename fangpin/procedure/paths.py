"""The main paths of both procedures, who takes each step, and the helpers every action uses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from types import MappingProxyType
from typing import Any

from fangpin.procedure.errors import ProcedureError
from fangpin.procedure.model import (
    STEP_ZH,
    ActionKind,
    Actor,
    Case,
    CaseKind,
    EliminationStep,
    IdentificationStep,
    Level,
    Step,
    Transition,
)

__all__ = [
    "CLOSED",
    "ELIMINATION_PATH",
    "FINAL_APPROVAL",
    "FIRST",
    "IDENTIFICATION_PATH",
    "PATHS",
    "REVIEW",
    "SUBMISSIONS",
    "PathStep",
    "append",
    "path_index",
    "pending",
    "refuse_if_closed",
    "require_level",
    "require_reason",
    "zh",
]

_I = IdentificationStep
_E = EliminationStep
_V, _T, _C = Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY


@dataclass(frozen=True, slots=True)
class PathStep:
    """One step of the main path: the state it reaches, who takes it, with which action."""

    step: Step
    level: Level
    action: ActionKind


# Who does what (docs/procedure.md has the same table). Data comparison is recorded by the
# township: the village reports up and the departments answer the township (DOMAIN.md §3.2).
IDENTIFICATION_PATH: tuple[PathStep, ...] = (
    PathStep(_I.VERIFIED, _V, ActionKind.SUBMIT),
    PathStep(_I.AUTHORISED, _V, ActionKind.SUBMIT),
    PathStep(_I.DATA_COMPARED, _T, ActionKind.SUBMIT),
    PathStep(_I.APPRAISED, _V, ActionKind.SUBMIT),
    PathStep(_I.NOTICE_POSTED, _V, ActionKind.POST_NOTICE),
    PathStep(_I.TOWNSHIP_REVIEWED, _T, ActionKind.APPROVE),
    PathStep(_I.COUNTY_APPROVED, _C, ActionKind.APPROVE),
    PathStep(_I.RECORDED, _C, ActionKind.RECORD_OBJECT),
)
ELIMINATION_PATH: tuple[PathStep, ...] = (
    PathStep(_E.VERIFIED, _V, ActionKind.SUBMIT),
    PathStep(_E.APPRAISED, _V, ActionKind.SUBMIT),
    PathStep(_E.NOTICE_POSTED, _V, ActionKind.POST_NOTICE),
    PathStep(_E.TOWNSHIP_REVIEWED, _T, ActionKind.APPROVE),
    PathStep(_E.ELIMINATED, _C, ActionKind.APPROVE),
)
PATHS: Mapping[CaseKind, tuple[PathStep, ...]] = MappingProxyType(
    {CaseKind.IDENTIFICATION: IDENTIFICATION_PATH, CaseKind.ELIMINATION: ELIMINATION_PATH}
)
FIRST: Mapping[CaseKind, Step] = MappingProxyType(
    {CaseKind.IDENTIFICATION: _I.CLUE_RECEIVED, CaseKind.ELIMINATION: _E.PROPOSED}
)
# Closed states: nothing but (for ELIMINATED) a rollback moves them.
CLOSED = frozenset({_I.RECORDED, _I.REJECTED, _E.ELIMINATED, _E.REJECTED, _E.ROLLED_BACK})
# Decisions after which the case can no longer be rejected or fast-tracked.
FINAL_APPROVAL = frozenset({_I.COUNTY_APPROVED, _E.ELIMINATED})
# Review states: the item under review, the level reviewing it and the level it returns to.
REVIEW: Mapping[Step, tuple[Level, Level]] = MappingProxyType(
    {
        _I.NOTICE_POSTED: (_T, _V),
        _E.NOTICE_POSTED: (_T, _V),
        _I.TOWNSHIP_REVIEWED: (_C, _T),
        _E.TOWNSHIP_REVIEWED: (_C, _T),
    }
)
SUBMISSIONS = frozenset(
    {ActionKind.SUBMIT, ActionKind.POST_NOTICE, ActionKind.APPROVE, ActionKind.RESUBMIT}
)


def zh(step: Step) -> str:
    return f"“{STEP_ZH[step]}”"


def path_index(case: Case, step: Step) -> int:
    """Position of ``step`` on the case's path: -1 for the opening step, -2 when not on it."""
    if step == FIRST[case.kind]:
        return -1
    for i, spec in enumerate(PATHS[case.kind]):
        if spec.step == step:
            return i
    return -2


def pending(case: Case) -> PathStep | None:
    """The next step of the main path, or None when the case is closed or approved."""
    if case.step in CLOSED:
        return None
    path = PATHS[case.kind]
    i = path_index(case, case.step) + 1
    return path[i] if 0 <= i < len(path) else None


def append(
    case: Case,
    actor: Actor,
    on: date,
    action: ActionKind,
    to: Step,
    summary: str,
    **changes: Any,
) -> Case:
    transition = Transition(
        seq=case.version + 1,
        from_step=case.step,
        to_step=to,
        action=action,
        actor_id=actor.id,
        actor_level=actor.level,
        at=on,
        summary=summary,
    )
    return replace(case, step=to, history=(*case.history, transition), **changes)


def require_reason(reason: str, what: str) -> None:
    if not reason.strip():
        raise ProcedureError("reason_required", f"{what}须填写理由")


def require_level(actor: Actor, level: Level, what: str) -> None:
    """Refuse with ``level`` unless ``actor`` acts at ``level``; ``what`` names the act."""
    if actor.level != level:
        raise ProcedureError("level", f"{actor.level.zh}用户不能{what}（须由{level.zh}办理）")


def refuse_if_closed(case: Case) -> None:
    if case.step in CLOSED or case.step in FINAL_APPROVAL:
        raise ProcedureError("already_decided", f"案件已{zh(case.step)}，不能再办理此操作")
