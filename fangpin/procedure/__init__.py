"""The statutory procedures: identification (识别认定) and risk elimination (风险消除).

Pure state machines over immutable values: :func:`decide` takes a case, an action, the actor,
the date and the policy edition, and returns the new case with exactly one transition
appended, or raises :class:`ProcedureError` with a stable code and a Chinese message. Time
limits come from the edition (``procedure.*``) and are counted with :mod:`fangpin.workdays`;
elimination guards come from ``elimination.*``. The casework app stores cases and writes one
audit row per transition. See docs/procedure.md.

Pure core: standard library, :mod:`fangpin.policy` and :mod:`fangpin.workdays`; never Django.
"""

from __future__ import annotations

from fangpin.procedure.deadlines import StepDeadline, deadlines, overdue
from fangpin.procedure.errors import CONFLICT_CODES, ERROR_CODES, ProcedureError
from fangpin.procedure.guards import GUARD_CODES, GuardResult, elimination_guards, months_since
from fangpin.procedure.machine import (
    ELIMINATION_PATH,
    IDENTIFICATION_PATH,
    PathStep,
    decide,
    open_elimination,
    open_identification,
    reopen,
)
from fangpin.procedure.model import (
    STEP_ZH,
    Action,
    ActionKind,
    Actor,
    Approve,
    Case,
    CaseKind,
    EliminationMethod,
    EliminationStep,
    FastTrack,
    HouseholdFacts,
    IdentificationStep,
    Level,
    Notice,
    Objection,
    PostNotice,
    RecordObject,
    RecordObjection,
    Reject,
    ResolveObjection,
    Resubmit,
    ReturnItem,
    Rollback,
    Step,
    Submit,
    Transition,
)
from fangpin.procedure.rules import DEFAULT_FAST_TRACK_RISKS, ProcedureRules, notice_end

__all__ = [
    "CONFLICT_CODES",
    "DEFAULT_FAST_TRACK_RISKS",
    "ELIMINATION_PATH",
    "ERROR_CODES",
    "GUARD_CODES",
    "IDENTIFICATION_PATH",
    "STEP_ZH",
    "Action",
    "ActionKind",
    "Actor",
    "Approve",
    "Case",
    "CaseKind",
    "EliminationMethod",
    "EliminationStep",
    "FastTrack",
    "GuardResult",
    "HouseholdFacts",
    "IdentificationStep",
    "Level",
    "Notice",
    "Objection",
    "PathStep",
    "PostNotice",
    "ProcedureError",
    "ProcedureRules",
    "RecordObject",
    "RecordObjection",
    "Reject",
    "ResolveObjection",
    "Resubmit",
    "ReturnItem",
    "Rollback",
    "Step",
    "StepDeadline",
    "Submit",
    "Transition",
    "deadlines",
    "decide",
    "elimination_guards",
    "months_since",
    "notice_end",
    "open_elimination",
    "open_identification",
    "overdue",
    "reopen",
]
