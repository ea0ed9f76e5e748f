"""``decide``: the statutory state machines of identification and elimination.

Each accepted action returns a new :class:`Case` with exactly one transition appended; a
refused action raises :class:`ProcedureError` and the case passed in stays the current one.
The casework app writes one audit row per transition and serialises concurrent decisions by
passing ``expected_version`` (the version it read), so the second of two concurrent
approvals is ``stale`` or ``already_decided`` (409), never a second transition.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fangpin.policy import ResolvedEdition
from fangpin.procedure import side
from fangpin.procedure.errors import ProcedureError
from fangpin.procedure.guards import elimination_guards
from fangpin.procedure.model import (
    Action,
    Actor,
    Approve,
    Case,
    CaseKind,
    EliminationStep,
    FastTrack,
    IdentificationStep,
    Notice,
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
)
from fangpin.procedure.opening import open_elimination, open_identification, reopen
from fangpin.procedure.paths import (
    CLOSED,
    ELIMINATION_PATH,
    FINAL_APPROVAL,
    IDENTIFICATION_PATH,
    PATHS,
    SUBMISSIONS,
    PathStep,
    append,
    path_index,
    require_level,
    zh,
)
from fangpin.procedure.rules import ProcedureRules, as_rules, notice_end

__all__ = [
    "ELIMINATION_PATH",
    "IDENTIFICATION_PATH",
    "PathStep",
    "decide",
    "open_elimination",
    "open_identification",
    "reopen",
]

_I = IdentificationStep
_E = EliminationStep


def decide(
    case: Case,
    action: Action,
    actor: Actor,
    on: date,
    edition: ResolvedEdition | ProcedureRules,
    *,
    expected_version: int | None = None,
) -> Case:
    """Apply ``action`` by ``actor`` on ``on``: the new case, or ``ProcedureError``.

    ``expected_version`` is the ``case.version`` the caller read; a different one is
    ``stale`` (409). See docs/procedure.md for every refusal code.
    """
    if expected_version is not None and expected_version != case.version:
        raise ProcedureError("stale", "案件已被他人处理，请刷新后重试")
    if on < case.last_at:
        raise ProcedureError("bad_date", f"办理日期{on}早于上一步的日期{case.last_at}")
    rules = as_rules(edition)
    match action:
        case Submit() | PostNotice() | Approve() | RecordObject():
            return _advance(case, action, actor, on, rules)
        case ReturnItem():
            return side.return_item(case, action, actor, on)
        case Resubmit():
            return side.resubmit(case, action, actor, on)
        case Reject():
            return side.reject(case, action, actor, on)
        case FastTrack():
            return side.fast_track(case, action, actor, on, rules)
        case RecordObjection():
            return side.record_objection(case, action, actor, on)
        case ResolveObjection():
            return side.resolve_objection(case, action, actor, on)
        case Rollback():
            return side.rollback(case, action, actor, on)


def _advance(
    case: Case,
    action: Submit | PostNotice | Approve | RecordObject,
    actor: Actor,
    on: date,
    rules: ProcedureRules,
) -> Case:
    target: Step
    if isinstance(action, Submit | Approve):
        target = action.step
    elif isinstance(action, PostNotice):
        target = _I.NOTICE_POSTED if case.kind is CaseKind.IDENTIFICATION else _E.NOTICE_POSTED
    else:
        target = _I.RECORDED
    index = path_index(case, target)
    if index == -2:
        raise ProcedureError("wrong_step", f"{zh(target)}不是本类案件的办理步骤")
    current = path_index(case, case.step)
    if case.step in CLOSED or index <= current:
        raise ProcedureError(
            "already_decided", f"{zh(target)}已办理，案件当前为{zh(case.step)}，不能重复办理"
        )
    spec = PATHS[case.kind][index]
    if index > current + 1:
        expected = PATHS[case.kind][current + 1].step
        raise ProcedureError(
            "wrong_step",
            f"不能跳过步骤：案件当前为{zh(case.step)}，下一步应为{zh(expected)}，"
            f"不能直接办理{zh(target)}",
        )
    if spec.action is not action.kind:
        raise ProcedureError("wrong_step", f"{zh(target)}不能以此操作办理")
    if case.returned_to is not None:
        raise ProcedureError(
            "returned", f"该事项已退回{case.returned_to.zh}，须重新提交后才能办理{zh(target)}"
        )
    require_level(actor, spec.level, f"办理{zh(target)}")
    changes: dict[str, Any] = {}
    summary = ""
    if isinstance(action, Approve):
        summary = action.summary
        submitters = {t.actor_id for t in case.history if t.action in SUBMISSIONS}
        if actor.id in submitters:
            raise ProcedureError("own_submission", "不能审批本人提交或审核过的事项")
        if target in FINAL_APPROVAL:
            _check_notice(case, on, rules)
        if target == _E.ELIMINATED:
            changes.update(_check_guards(case, action, on, rules))
    elif isinstance(action, PostNotice):
        notice = _notice(case, action, rules)
        changes["notice"] = notice
        summary = action.summary or f"公示期{notice.start}至{notice.end}"
    elif isinstance(action, RecordObject):
        _check_object(action, on, rules)
        changes.update(
            object_type=action.object_type,
            risk_types=action.risk_types,
            identified_month=action.identified_month.replace(day=1),
        )
        summary = f"{action.object_type}；{'、'.join(action.risk_types)}"
    else:
        summary = action.summary
    return append(case, actor, on, action.kind, target, summary, **changes)


def _check_notice(case: Case, on: date, rules: ProcedureRules) -> None:
    if not rules.approval_after_notice or case.notice is None:
        return
    if on <= case.notice.end:
        raise ProcedureError(
            "notice_running", f"公示期至{case.notice.end}结束，公示期满前县级不能审定"
        )
    if case.open_objections:
        numbers = "、".join(f"第{o.number}项" for o in case.open_objections)
        raise ProcedureError("objection_open", f"公示异议{numbers}尚未复核，县级不能审定")


def _check_guards(case: Case, action: Approve, on: date, rules: ProcedureRules) -> dict[str, Any]:
    if action.facts is None:
        raise ProcedureError("facts_required", "县级审定风险消除须提供家庭核实情况")
    results = elimination_guards(action.facts, rules, on)
    failing = tuple(r for r in results if not r.passed)
    if failing:
        raise ProcedureError(
            "guard_failed",
            "风险消除条件未满足：" + "；".join(r.message for r in failing),
            guards=failing,
        )
    return {"method": action.method}


def _notice(case: Case, action: PostNotice, rules: ProcedureRules) -> Notice:
    if action.start < case.last_at:
        raise ProcedureError(
            "bad_date", f"公示开始日期{action.start}不能早于民主评议日期{case.last_at}"
        )
    shortest = notice_end(rules, action.start)
    end = action.end if action.end is not None else shortest
    if end < shortest:
        raise ProcedureError(
            "notice_too_short",
            f"公示期不少于{rules.notice_days}{rules.day_unit_zh}："
            f"自{action.start}起至少到{shortest}",
        )
    return Notice(action.start, end)


def _check_object(action: RecordObject, on: date, rules: ProcedureRules) -> None:
    if action.object_type not in dict(rules.object_types):
        raise ProcedureError(
            "unknown_object_type", f"监测对象类型“{action.object_type}”不在本政策版本中"
        )
    if not action.risk_types:
        raise ProcedureError("no_risk", "纳入监测须至少登记一项致贫/返贫风险")
    for code in action.risk_types:
        if rules.risk_zh(code) is None:
            raise ProcedureError("unknown_risk", f"风险类型“{code}”不在本政策版本中")
    if len(set(action.risk_types)) != len(action.risk_types):
        raise ProcedureError("too_many_risks", "同一风险类型不能重复登记")
    if len(action.risk_types) > rules.max_risks:
        raise ProcedureError(
            "too_many_risks",
            f"每户最多登记{rules.max_risks}项风险，本次为{len(action.risk_types)}项",
        )
    if action.identified_month.replace(day=1) > on:
        raise ProcedureError("bad_date", f"识别月份{action.identified_month:%Y-%m}晚于办理日期{on}")
