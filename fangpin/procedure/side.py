"""The actions beside the main path: return, resubmit, reject, 先帮后认, objections, rollback."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from fangpin.procedure.errors import ProcedureError
from fangpin.procedure.model import (
    Actor,
    Case,
    CaseKind,
    EliminationStep,
    FastTrack,
    IdentificationStep,
    Level,
    Objection,
    RecordObjection,
    Reject,
    ResolveObjection,
    Resubmit,
    ReturnItem,
    Rollback,
)
from fangpin.procedure.paths import (
    REVIEW,
    append,
    pending,
    refuse_if_closed,
    require_level,
    require_reason,
    zh,
)
from fangpin.procedure.rules import ProcedureRules

__all__ = [
    "fast_track",
    "record_objection",
    "reject",
    "resolve_objection",
    "resubmit",
    "return_item",
    "rollback",
]

_I = IdentificationStep
_E = EliminationStep


def return_item(case: Case, action: ReturnItem, actor: Actor, on: date) -> Case:
    refuse_if_closed(case)
    if case.returned_to is not None:
        raise ProcedureError("returned", f"该事项已退回{case.returned_to.zh}，尚未重新提交")
    review = REVIEW.get(case.step)
    if review is None:
        raise ProcedureError("wrong_step", f"案件当前为{zh(case.step)}，没有待审核的事项可退回")
    reviewer, back_to = review
    next_step = pending(case)
    assert next_step is not None  # a review state always has a next step
    require_level(actor, reviewer, f"退回待{zh(next_step.step)}的事项")
    require_reason(action.reason, "退回")
    return append(case, actor, on, action.kind, case.step, action.reason, returned_to=back_to)


def resubmit(case: Case, action: Resubmit, actor: Actor, on: date) -> Case:
    refuse_if_closed(case)
    if case.returned_to is None:
        raise ProcedureError("not_returned", "该事项未被退回，无需重新提交")
    if actor.level != case.returned_to:
        raise ProcedureError(
            "level", f"{actor.level.zh}用户不能重新提交退回{case.returned_to.zh}的事项"
        )
    return append(case, actor, on, action.kind, case.step, action.summary, returned_to=None)


def reject(case: Case, action: Reject, actor: Actor, on: date) -> Case:
    refuse_if_closed(case)
    next_step = pending(case)
    assert next_step is not None  # only closed or finally approved cases have none
    level = case.returned_to if case.returned_to is not None else next_step.level
    identification = case.kind is CaseKind.IDENTIFICATION
    what = "不予认定" if identification else "不予消除"
    if actor.level != level:
        raise ProcedureError(
            "level",
            f"{actor.level.zh}用户不能在{zh(next_step.step)}前作出{what}决定（须由{level.zh}办理）",
        )
    require_reason(action.reason, what)
    rejected = _I.REJECTED if identification else _E.REJECTED
    return append(case, actor, on, action.kind, rejected, action.reason, returned_to=None)


def fast_track(
    case: Case, action: FastTrack, actor: Actor, on: date, rules: ProcedureRules
) -> Case:
    if case.kind is not CaseKind.IDENTIFICATION:
        raise ProcedureError("wrong_step", "先帮后认只适用于识别认定")
    refuse_if_closed(case)
    if case.fast_tracked_on is not None:
        raise ProcedureError("already_decided", f"已于{case.fast_tracked_on}先行落实帮扶")
    require_level(actor, Level.COUNTY, "决定先帮后认")
    risk = rules.risk_zh(action.risk_type)
    if risk is None:
        raise ProcedureError("unknown_risk", f"风险类型“{action.risk_type}”不在本政策版本中")
    if not rules.fast_track_allowed:
        raise ProcedureError("fast_track_not_allowed", "本政策版本不允许先帮后认")
    if action.risk_type not in rules.fast_track_risks:
        allowed = "、".join(zh for code, zh in rules.risk_types if code in rules.fast_track_risks)
        raise ProcedureError(
            "fast_track_not_allowed", f"“{risk}”风险不适用先帮后认（仅适用于：{allowed}）"
        )
    summary = action.reason or f"先帮后认：{risk}"
    return append(case, actor, on, action.kind, case.step, summary, fast_tracked_on=on)


def record_objection(case: Case, action: RecordObjection, actor: Actor, on: date) -> Case:
    refuse_if_closed(case)
    notice = case.notice
    if notice is None or not notice.start <= on <= notice.end:
        period = f"（{notice.start}至{notice.end}）" if notice else ""
        raise ProcedureError("notice_closed", f"不在公示期内{period}，不能登记公示异议")
    require_level(actor, Level.VILLAGE, "登记公示异议")
    require_reason(action.text, "公示异议")
    objection = Objection(len(case.objections) + 1, action.text, on)
    return append(
        case,
        actor,
        on,
        action.kind,
        case.step,
        action.text,
        objections=(*case.objections, objection),
    )


def resolve_objection(case: Case, action: ResolveObjection, actor: Actor, on: date) -> Case:
    refuse_if_closed(case)
    if not 1 <= action.number <= len(case.objections):
        raise ProcedureError("unknown_objection", f"没有第{action.number}项公示异议")
    objection = case.objections[action.number - 1]
    if objection.is_resolved:
        raise ProcedureError(
            "already_decided", f"第{action.number}项公示异议已于{objection.resolved_on}复核"
        )
    require_level(actor, Level.VILLAGE, "复核公示异议")
    require_reason(action.result, "异议复核结果")
    resolved = replace(objection, result=action.result, resolved_on=on)
    objections = tuple(resolved if o.number == action.number else o for o in case.objections)
    return append(case, actor, on, action.kind, case.step, action.result, objections=objections)


def rollback(case: Case, action: Rollback, actor: Actor, on: date) -> Case:
    if case.kind is not CaseKind.ELIMINATION:
        raise ProcedureError("wrong_step", "只有风险消除可以回退")
    if case.step == _E.ROLLED_BACK:
        raise ProcedureError("already_decided", "风险消除已回退")
    if case.step != _E.ELIMINATED:
        raise ProcedureError(
            "wrong_step", f"案件当前为{zh(case.step)}，只有已消除风险的案件可以回退"
        )
    require_level(actor, Level.COUNTY, "回退风险消除")
    require_reason(action.reason, "风险消除回退")
    return append(case, actor, on, action.kind, _E.ROLLED_BACK, action.reason)
