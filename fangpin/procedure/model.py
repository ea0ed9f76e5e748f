"""Immutable values of the procedure: steps, levels, actors, actions, transitions, cases."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum, StrEnum
from types import MappingProxyType

__all__ = [
    "Action",
    "ActionKind",
    "Actor",
    "Approve",
    "Case",
    "CaseKind",
    "EliminationMethod",
    "EliminationStep",
    "FastTrack",
    "HouseholdFacts",
    "IdentificationStep",
    "Level",
    "Notice",
    "Objection",
    "PostNotice",
    "RecordObject",
    "RecordObjection",
    "Reject",
    "ResolveObjection",
    "Resubmit",
    "ReturnItem",
    "Rollback",
    "Step",
    "Submit",
    "Transition",
]


class Level(IntEnum):
    """Administrative level of an actor, numbered like the region levels (county 3 … village 5)."""

    COUNTY = 3
    TOWNSHIP = 4
    VILLAGE = 5

    @property
    def zh(self) -> str:
        return {3: "县级", 4: "乡镇级", 5: "村级"}[self.value]


class CaseKind(StrEnum):
    IDENTIFICATION = "identification"  # 识别认定
    ELIMINATION = "elimination"  # 风险消除


class IdentificationStep(StrEnum):
    """The state after the last accepted step of an identification case (DOMAIN.md §3.2)."""

    # Keep the values distinct from EliminationStep's (see there).

    CLUE_RECEIVED = "clue_received"  # 线索已接收
    VERIFIED = "verified"  # 入户核实（信息采集表）
    AUTHORISED = "authorised"  # 承诺授权（签字文书已上传）
    DATA_COMPARED = "data_compared"  # 部门数据比对
    APPRAISED = "appraised"  # 民主评议
    NOTICE_POSTED = "notice_posted"  # 村级公示
    TOWNSHIP_REVIEWED = "township_reviewed"  # 乡镇审核
    COUNTY_APPROVED = "county_approved"  # 县级审定
    RECORDED = "recorded"  # 纳入监测（类型、风险、识别月份）
    REJECTED = "rejected"  # 不予认定（理由已告知农户）


class EliminationStep(StrEnum):
    """The state after the last accepted step of an elimination case (DOMAIN.md §5.3).

    Values differ from every :class:`IdentificationStep` value (a StrEnum member equals its
    value), so a step of one kind can never pass for a step of the other.
    """

    PROPOSED = "elimination_proposed"  # 提出风险消除
    VERIFIED = "elimination_verified"  # 入户核实
    APPRAISED = "elimination_appraised"  # 村级民主评议
    NOTICE_POSTED = "elimination_notice_posted"  # 村级公示
    TOWNSHIP_REVIEWED = "elimination_township_reviewed"  # 乡镇审核
    ELIMINATED = "eliminated"  # 县级审定：风险已消除
    REJECTED = "elimination_rejected"  # 不予消除（继续帮扶）
    ROLLED_BACK = "elimination_rolled_back"  # 风险消除回退


Step = IdentificationStep | EliminationStep

STEP_ZH: Mapping[Step, str] = MappingProxyType(
    {
        IdentificationStep.CLUE_RECEIVED: "线索接收",
        IdentificationStep.VERIFIED: "入户核实",
        IdentificationStep.AUTHORISED: "承诺授权",
        IdentificationStep.DATA_COMPARED: "部门数据比对",
        IdentificationStep.APPRAISED: "民主评议",
        IdentificationStep.NOTICE_POSTED: "村级公示",
        IdentificationStep.TOWNSHIP_REVIEWED: "乡镇审核",
        IdentificationStep.COUNTY_APPROVED: "县级审定",
        IdentificationStep.RECORDED: "纳入监测",
        IdentificationStep.REJECTED: "不予认定",
        EliminationStep.PROPOSED: "提出风险消除",
        EliminationStep.VERIFIED: "入户核实",
        EliminationStep.APPRAISED: "民主评议",
        EliminationStep.NOTICE_POSTED: "村级公示",
        EliminationStep.TOWNSHIP_REVIEWED: "乡镇审核",
        EliminationStep.ELIMINATED: "县级审定（风险消除）",
        EliminationStep.REJECTED: "不予消除",
        EliminationStep.ROLLED_BACK: "风险消除回退",
    }
)


class EliminationMethod(StrEnum):
    ASSISTED = "assisted"  # 帮扶消除（稳定消除）
    NATURAL = "natural"  # 自然消除


class ActionKind(StrEnum):
    OPEN = "open"
    SUBMIT = "submit"
    POST_NOTICE = "post_notice"
    APPROVE = "approve"
    RETURN = "return"  # 退回
    RESUBMIT = "resubmit"
    REJECT = "reject"
    FAST_TRACK = "fast_track"  # 先帮后认
    RECORD_OBJECTION = "record_objection"
    RESOLVE_OBJECTION = "resolve_objection"
    RECORD_OBJECT = "record_object"
    ROLLBACK = "rollback"  # 回退


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a user id and the level of the post they act in."""

    id: str
    level: Level


@dataclass(frozen=True, slots=True)
class HouseholdFacts:
    """What the elimination guards look at, as of the decision date (DOMAIN.md §5.1–§5.2).

    ``identified_month`` is the month of identification (its day is ignored);
    ``measures`` maps a risk-type code to the measure-category codes in place for it.
    """

    identified_month: date
    risk_types: tuple[str, ...]
    measures: Mapping[str, tuple[str, ...]]
    months_income_above_line: int
    three_guarantees_secured: bool
    water_secured: bool
    has_new_risk: bool
    has_labour: bool


# ---- actions: what a user asks for. Each accepted action appends exactly one transition.


@dataclass(frozen=True, slots=True)
class Submit:
    """Complete a dossier step (verification, authorisation, comparison, appraisal)."""

    step: Step
    summary: str = ""
    kind: ActionKind = field(default=ActionKind.SUBMIT, init=False)


@dataclass(frozen=True, slots=True)
class PostNotice:
    """Post the village notice (公示) from ``start``; ``end`` defaults to the shortest notice."""

    start: date
    end: date | None = None
    summary: str = ""
    kind: ActionKind = field(default=ActionKind.POST_NOTICE, init=False)


@dataclass(frozen=True, slots=True)
class Approve:
    """Township review or county approval; ``step`` is the state it moves the case to.

    An elimination's county approval carries the household ``facts`` and the ``method``.
    """

    step: Step
    summary: str = ""
    facts: HouseholdFacts | None = None
    method: EliminationMethod = EliminationMethod.ASSISTED
    kind: ActionKind = field(default=ActionKind.APPROVE, init=False)


@dataclass(frozen=True, slots=True)
class ReturnItem:
    """Return (退回) the item under review to the level below, with a reason."""

    reason: str
    kind: ActionKind = field(default=ActionKind.RETURN, init=False)


@dataclass(frozen=True, slots=True)
class Resubmit:
    """Send a returned item up again after correcting it."""

    summary: str = ""
    kind: ActionKind = field(default=ActionKind.RESUBMIT, init=False)


@dataclass(frozen=True, slots=True)
class Reject:
    """Close the case as not identified / not eliminated; ``reason`` is told to the household."""

    reason: str
    kind: ActionKind = field(default=ActionKind.REJECT, init=False)


@dataclass(frozen=True, slots=True)
class FastTrack:
    """先帮后认: start assistance before approval, for a risk the rules allow."""

    risk_type: str
    reason: str = ""
    kind: ActionKind = field(default=ActionKind.FAST_TRACK, init=False)


@dataclass(frozen=True, slots=True)
class RecordObjection:
    """Log an objection raised during the notice period."""

    text: str
    kind: ActionKind = field(default=ActionKind.RECORD_OBJECTION, init=False)


@dataclass(frozen=True, slots=True)
class ResolveObjection:
    """Record the re-check (复核) of objection ``number`` (1-based)."""

    number: int
    result: str
    kind: ActionKind = field(default=ActionKind.RESOLVE_OBJECTION, init=False)


@dataclass(frozen=True, slots=True)
class RecordObject:
    """Record the monitoring object: its type, up to ``max_per_household`` risks, the month."""

    object_type: str
    risk_types: tuple[str, ...]
    identified_month: date
    kind: ActionKind = field(default=ActionKind.RECORD_OBJECT, init=False)


@dataclass(frozen=True, slots=True)
class Rollback:
    """风险消除回退: undo an elimination that was wrong or where assistance must go on."""

    reason: str
    kind: ActionKind = field(default=ActionKind.ROLLBACK, init=False)


Action = (
    Submit
    | PostNotice
    | Approve
    | ReturnItem
    | Resubmit
    | Reject
    | FastTrack
    | RecordObjection
    | ResolveObjection
    | RecordObject
    | Rollback
)


# ---- state


@dataclass(frozen=True, slots=True)
class Transition:
    """One accepted action: the audit row the casework app writes for it."""

    seq: int
    from_step: Step | None
    to_step: Step
    action: ActionKind
    actor_id: str
    actor_level: Level
    at: date
    summary: str = ""


@dataclass(frozen=True, slots=True)
class Notice:
    """The village notice: first and last day, both inclusive."""

    start: date
    end: date


@dataclass(frozen=True, slots=True)
class Objection:
    number: int
    text: str
    raised_on: date
    result: str = ""
    resolved_on: date | None = None

    @property
    def is_resolved(self) -> bool:
        return self.resolved_on is not None


@dataclass(frozen=True, slots=True)
class Case:
    """An identification or elimination case. Never mutated: ``decide`` returns a new one.

    ``returned_to`` is the level an item was returned (退回) to and must resubmit from.
    ``reopens`` names the eliminated case a new identification re-opens (DOMAIN.md §5.3).
    """

    case_id: str
    household_id: str
    kind: CaseKind
    step: Step
    opened_on: date
    edition_id: str
    history: tuple[Transition, ...]
    notice: Notice | None = None
    objections: tuple[Objection, ...] = ()
    returned_to: Level | None = None
    fast_tracked_on: date | None = None
    object_type: str = ""
    risk_types: tuple[str, ...] = ()
    identified_month: date | None = None
    method: EliminationMethod | None = None
    reopens: str = ""

    @property
    def version(self) -> int:
        """The number of transitions; a decision made on an older version is ``stale``."""
        return len(self.history)

    @property
    def open_objections(self) -> tuple[Objection, ...]:
        return tuple(o for o in self.objections if not o.is_resolved)

    @property
    def last_at(self) -> date:
        return self.history[-1].at
