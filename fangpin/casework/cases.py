"""Identification and elimination cases, stored: the procedure core's decisions, persisted.

:mod:`fangpin.procedure` decides (pure, no database); this module loads a :class:`Case` row
as a procedure case (:func:`as_procedure_case`), asks :func:`fangpin.procedure.decide` for
the next one, and stores the difference in one transaction: the case row updated **on the
version it was read at** (a conditional update, so of two concurrent decisions exactly one
lands and the other is ``stale``, 409), exactly one :class:`CaseTransition` row, the
objections, the registry's monitoring spell when the decision records or ends one, and one
audit row (``case.<action>``).

Who: ``case.decide`` (village cadre, township reviewer, county approver) with the case's
village inside the actor's scope; the level of each step (village, township, county) is the
level of the actor's role, checked by the core. Dates: the day of the decision (today by
default; never in the future, never before the last step).

Risk types: the procedure speaks the edition's codes (``ILLNESS``); the registry stores the
national code table's (``01``). :func:`table_risk_code` maps one to the other by their
Chinese names, which are the same in both.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from fangpin.casework._common import audit_denied
from fangpin.casework.access import case_decide_prefix
from fangpin.casework.documents import DocumentUpload, check_documents, documents_stored
from fangpin.casework.errors import CaseworkError
from fangpin.casework.models import Case, CaseKind, CaseObjection, CaseTransition, Clue
from fangpin.codes import table as code_table
from fangpin.core.access import ROLE_LEVELS, is_system_actor
from fangpin.core.audit import actor_label, audit_record, user_or_none
from fangpin.policy import resolve
from fangpin.procedure import (
    Action,
    ActionKind,
    Actor,
    Approve,
    EliminationMethod,
    EliminationStep,
    IdentificationStep,
    Level,
    Notice,
    Objection,
    ProcedureError,
    ProcedureRules,
    Step,
    Submit,
    Transition,
    decide,
    open_identification,
    reopen,
)
from fangpin.procedure import Case as ProcedureCase
from fangpin.procedure import CaseKind as ProcedureKind
from fangpin.procedure.paths import CLOSED, pending
from fangpin.procedure.rules import add_days
from fangpin.registry.errors import RegistryError
from fangpin.registry.models import Household
from fangpin.registry.services import monitoring_eliminate, monitoring_record, monitoring_rollback
from fangpin.workdays import WorkdaysError

__all__ = [
    "actor_for",
    "as_procedure_case",
    "audit_transition",
    "case_decide",
    "case_open",
    "case_rules",
    "edition_risk_code",
    "not_future",
    "open_for_clue",
    "require_case_scope",
    "rules_for",
    "store_transition",
    "table_risk_code",
]

_STEPS: Final[dict[str, Step]] = {
    **{s.value: s for s in IdentificationStep},
    **{s.value: s for s in EliminationStep},
}
_DETAIL_TEXT_MAX: Final = 2000


# --- codes and rules ----------------------------------------------------------------------------


@functools.cache
def _rules(year: int, county: str) -> ProcedureRules:
    return ProcedureRules.from_edition(resolve(year, county))


def case_rules(case: Case) -> ProcedureRules:
    """The procedure rules of the edition in force for ``case`` (its year, its county)."""
    return _rules(case.opened_on.year, case.village_code[:6])


def rules_for(village_code: str, on: date) -> ProcedureRules:
    return _rules(on.year, village_code[:6])


@functools.cache
def _table_codes_by_zh() -> dict[str, str]:
    return {value.zh: value.code for value in code_table("risk_type").values}


def table_risk_code(rules: ProcedureRules, edition_code: str) -> str:
    """``ILLNESS`` → ``01``: the code-table code of one of the edition's risk types."""
    zh = dict(rules.risk_types)[edition_code]
    return _table_codes_by_zh()[zh]


def edition_risk_code(rules: ProcedureRules, table_code: str) -> str | None:
    """``01`` → ``ILLNESS`` (None when the edition has no risk type of that name)."""
    zh = code_table("risk_type").label(table_code) if table_code in code_table("risk_type") else ""
    return next((code for code, name in rules.risk_types if name == zh), None)


# --- actors ------------------------------------------------------------------------------------


def actor_for(user: Any) -> Actor:
    """The procedure actor of ``user``: their id and the level of their role's post."""
    if is_system_actor(user):
        raise CaseworkError("forbidden", "认定和消除程序的每一步须由具体人员办理")
    levels = ROLE_LEVELS.get(str(getattr(user, "role", "") or ""), frozenset())
    usable = sorted(level for level in levels if level in (3, 4, 5))
    if len(usable) != 1:
        raise CaseworkError("forbidden", "当前账号的角色不能办理认定和消除程序")
    return Actor(str(user.pk), Level(usable[0]))


# --- row ↔ procedure case ------------------------------------------------------------------------


def _transition(row: CaseTransition) -> Transition:
    return Transition(
        seq=row.seq,
        from_step=_STEPS[row.from_step] if row.from_step else None,
        to_step=_STEPS[row.to_step],
        action=ActionKind(row.action),
        actor_id=str(row.actor_id) if row.actor_id is not None else row.actor_label,
        actor_level=Level(row.actor_level),
        at=row.on,
        summary=row.summary,
    )


def as_procedure_case(case: Case) -> ProcedureCase:
    """The stored case as the procedure core's immutable value (reads its transitions)."""
    history = tuple(_transition(t) for t in case.transitions.order_by("seq"))
    objections = tuple(
        Objection(
            number=o.number,
            text=o.text,
            raised_on=o.raised_on,
            result=o.result,
            resolved_on=o.resolved_on,
        )
        for o in case.objections.order_by("number")
    )
    linked = case.reopens if case.kind == CaseKind.IDENTIFICATION else case.identification
    return ProcedureCase(
        case_id=str(case.public_id),
        household_id=str(case.household_id),
        kind=ProcedureKind(case.kind),
        step=_STEPS[case.step],
        opened_on=case.opened_on,
        edition_id=case.edition_id,
        history=history,
        notice=Notice(case.notice_start, case.notice_end)
        if case.notice_start and case.notice_end
        else None,
        objections=objections,
        returned_to=Level(case.returned_to) if case.returned_to else None,
        fast_tracked_on=case.fast_tracked_on,
        object_type=case.object_type,
        risk_types=tuple(case.risk_types),
        identified_month=case.identified_month,
        method=EliminationMethod(case.method) if case.method else None,
        reopens=str(linked.public_id) if linked is not None else "",
    )


def _pending_level(case: ProcedureCase) -> int | None:
    if case.returned_to is not None:
        return int(case.returned_to)
    next_step = pending(case)
    return int(next_step.level) if next_step is not None else None


def _state_fields(after: ProcedureCase) -> dict[str, Any]:
    return {
        "pending_level": _pending_level(after),
        "step": after.step.value,
        "is_open": after.step not in CLOSED,
        "version": after.version,
        "notice_start": after.notice.start if after.notice else None,
        "notice_end": after.notice.end if after.notice else None,
        "returned_to": int(after.returned_to) if after.returned_to else None,
        "fast_tracked_on": after.fast_tracked_on,
        "object_type": after.object_type,
        "risk_types": list(after.risk_types),
        "identified_month": after.identified_month,
        "method": after.method.value if after.method else "",
    }


def _clean_details(details: Mapping[str, Any] | None) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in (details or {}).items():
        text = value if not isinstance(value, str) else value.strip()
        if isinstance(text, str) and len(text) > _DETAIL_TEXT_MAX:
            raise CaseworkError("details", f"登记内容“{key}”不能超过 {_DETAIL_TEXT_MAX} 字")
        clean[str(key)] = text
    return clean


def store_transition(
    case: Case, transition: Transition, user: Any, label: str, details: dict[str, Any]
) -> None:
    CaseTransition.objects.create(
        case=case,
        seq=transition.seq,
        from_step=transition.from_step.value if transition.from_step else "",
        to_step=transition.to_step.value,
        action=transition.action.value,
        actor=user,
        actor_label=label,
        actor_level=int(transition.actor_level),
        on=transition.at,
        summary=transition.summary,
        details=details,
    )


def _store_objections(case: Case, before: ProcedureCase, after: ProcedureCase) -> None:
    old = {o.number: o for o in before.objections}
    for objection in after.objections:
        previous = old.get(objection.number)
        if previous is None:
            CaseObjection.objects.create(
                case=case,
                number=objection.number,
                text=objection.text,
                raised_on=objection.raised_on,
            )
        elif previous != objection:
            CaseObjection.objects.filter(case=case, number=objection.number).update(
                result=objection.result, resolved_on=objection.resolved_on
            )


def audit_transition(
    actor: Any,
    case: Case,
    transition: Transition,
    version: tuple[int, int],
    details: dict[str, Any],
    request: HttpRequest | None,
) -> None:
    audit_record(
        actor=actor,
        action=f"case.{transition.action.value}",
        object_type="case",
        object_id=case.public_id,
        changes={
            "step": [
                transition.from_step.value if transition.from_step else None,
                transition.to_step.value,
            ],
            "version": list(version),
            "on": transition.at.isoformat(),
            "summary": transition.summary,
            **({"details": details} if details else {}),
        },
        request=request,
    )


# --- opening -------------------------------------------------------------------------------------


def _last_elimination(household: Household) -> Case | None:
    return (
        Case.objects.filter(household=household, kind=CaseKind.ELIMINATION)
        .order_by("-opened_on", "-id")
        .first()
    )


def _open(
    *, actor: Any, household: Household, on: date, summary: str, request: HttpRequest | None
) -> Case:
    """A new identification case (re-opening an eliminated one when there is one). Must run
    inside the caller's transaction."""
    procedure_actor = actor_for(actor)
    rules = rules_for(household.village_id, on)
    try:
        verify_due = add_days(rules, on, rules.verification_days)
        due_on = add_days(rules, on, rules.identification_days)
    except WorkdaysError as error:
        raise CaseworkError("deadline", f"无法计算办理期限：{error.message}") from None
    row = Case(
        household=household,
        village_code=household.village_id,
        kind=CaseKind.IDENTIFICATION,
        step=IdentificationStep.CLUE_RECEIVED.value,
        opened_on=on,
        edition_id=rules.edition_id,
        opened_by=user_or_none(actor),
        pending_level=int(Level.VILLAGE),
        verify_due=verify_due,
        due_on=due_on,
    )
    eliminated = _last_elimination(household)
    try:
        if eliminated is not None and eliminated.step == EliminationStep.ELIMINATED:
            opened = reopen(
                as_procedure_case(eliminated),
                case_id=str(row.public_id),
                actor=procedure_actor,
                on=on,
                edition=rules,
                summary=summary,
            )
            row.reopens = eliminated
        else:
            opened = open_identification(
                case_id=str(row.public_id),
                household_id=str(household.pk),
                actor=procedure_actor,
                on=on,
                edition=rules,
                summary=summary,
            )
    except ProcedureError as error:
        raise CaseworkError(error.code, error.message) from None
    row.version = opened.version
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise CaseworkError("already_open", "该户已有办理中的识别认定案件") from None
    transition = opened.history[-1]
    store_transition(row, transition, user_or_none(actor), actor_label(actor), {})
    audit_transition(actor, row, transition, (0, opened.version), {}, request)
    return row


def open_for_clue(
    *, actor: Any, clue: Clue, on: date, request: HttpRequest | None = None
) -> Case | None:
    """Merge a confirmed clue into its household's open identification case, or open one.

    Called by clue verification inside its transaction. A household already monitored
    (an open spell) gets no new case: its new risk goes to its plan. Returns the case.
    """
    household = Household.objects.select_for_update(of=("self",)).get(pk=clue.household_id)
    if household.monitoring_status == "open":
        return None
    case = Case.objects.filter(
        household=household, kind=CaseKind.IDENTIFICATION, is_open=True
    ).first()
    if case is None:
        case = _open(
            actor=actor,
            household=household,
            on=on,
            summary=f"线索（{clue.get_channel_display()}）核实属实",
            request=request,
        )
    else:
        audit_record(
            actor=actor,
            action="case.merge_clue",
            object_type="case",
            object_id=case.public_id,
            changes={"clue": str(clue.public_id)},
            request=request,
        )
    Clue.objects.filter(pk=clue.pk).update(case=case)
    return case


def case_open(
    *,
    actor: Any,
    household: Household,
    on: date | None = None,
    summary: str = "",
    request: HttpRequest | None = None,
) -> Case:
    """Open an identification case for ``household`` directly (hotline, sweep, county
    assignment). Refuses ``forbidden`` outside scope, ``already_open``, ``monitored``."""
    require_case_scope(actor, household.village_id, "case.open", request)
    on = on or timezone.localdate()
    not_future(on)
    if household.monitoring_status == "open":
        raise CaseworkError("monitored", "该户已是监测对象，新风险请在帮扶计划中处理")
    with transaction.atomic():
        return _open(
            actor=actor, household=household, on=on, summary=summary.strip(), request=request
        )


# --- deciding ------------------------------------------------------------------------------------


def require_case_scope(
    actor: Any, village_code: str, what: str, request: HttpRequest | None
) -> None:
    prefix = case_decide_prefix(actor)
    if prefix is None or not village_code.startswith(prefix):
        audit_denied(actor, what, request, "forbidden")
        raise CaseworkError("forbidden", "没有办理该案件的权限（案件不在您的辖区内）")


def not_future(on: date) -> None:
    if on > timezone.localdate():
        raise CaseworkError("bad_date", f"办理日期{on.isoformat()}不能晚于今天")


def _side_effects(
    actor: Any, case: Case, before: ProcedureCase, after: ProcedureCase, on: date
) -> None:
    """The registry's monitoring spell follows the procedure: recorded, eliminated, rolled back."""
    try:
        if after.step == IdentificationStep.RECORDED and before.step != after.step:
            assert after.identified_month is not None
            rules = case_rules(case)
            risks = [table_risk_code(rules, code) for code in after.risk_types]
            spell = monitoring_record(
                actor=actor,
                household_id=case.household_id,
                object_type=after.object_type,
                risk_types=risks,
                identified_month=after.identified_month,
            )
            Case.objects.filter(pk=case.pk).update(monitoring=spell)
        elif after.step == EliminationStep.ELIMINATED and before.step != after.step:
            assert after.method is not None
            monitoring_eliminate(
                actor=actor,
                household_id=case.household_id,
                eliminated_month=on,
                mode=after.method.value,
            )
        elif after.step == EliminationStep.ROLLED_BACK and before.step != after.step:
            monitoring_rollback(
                actor=actor, household_id=case.household_id, reason=after.history[-1].summary
            )
    except RegistryError as error:
        raise CaseworkError("registry", error.message) from None


def case_decide(
    *,
    actor: Any,
    case: Case,
    action: Action,
    expected_version: int,
    on: date | None = None,
    details: Mapping[str, Any] | None = None,
    documents: Sequence[DocumentUpload] = (),
    request: HttpRequest | None = None,
) -> Case:
    """Apply one decision to ``case``: exactly one transition, stored and audited, or nothing.

    ``documents`` are files uploaded with the step (:mod:`fangpin.casework.documents`); the
    commitment and authorisation step (承诺授权) needs at least one — the signed document.

    ``expected_version`` is the version the actor's page showed. Refuses with the procedure's
    codes (``wrong_step``, ``level``, ``own_submission``, ``notice_running``, …; ``stale``,
    ``already_decided`` and ``returned`` are 409 conflicts), ``forbidden`` outside the scope,
    ``bad_date`` for a future date, ``registry`` when the monitoring spell cannot be written.
    Nothing changes when it refuses.
    """
    require_case_scope(actor, case.village_code, "case.decide", request)
    procedure_actor = actor_for(actor)
    on = on or timezone.localdate()
    not_future(on)
    clean = _clean_details(details)
    check_documents(documents)
    if (
        isinstance(action, Submit)
        and action.step == IdentificationStep.AUTHORISED
        and not documents
    ):
        raise CaseworkError("documents", "请上传签字的承诺授权书（PDF或照片）")
    with transaction.atomic():
        current = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
        if current.version != expected_version:
            raise CaseworkError("stale", "该案件已被他人办理，请刷新后重试")
        before = as_procedure_case(current)
        if isinstance(action, Approve) and action.step == EliminationStep.ELIMINATED:
            # The guards' facts are read from the database on the decision's day, never typed.
            from fangpin.casework.elimination import household_facts  # imports this module

            action = replace(
                action, facts=household_facts(current.household, on, case_rules(current))
            )
        try:
            after = decide(
                before,
                action,
                procedure_actor,
                on,
                case_rules(current),
                expected_version=expected_version,
            )
        except ProcedureError as error:
            raise CaseworkError(error.code, error.message) from None
        except WorkdaysError as error:
            raise CaseworkError("deadline", f"无法计算公示期：{error.message}") from None
        new = after.history[before.version :]
        if len(new) != 1:  # the core's promise; never store anything else
            raise AssertionError(f"decide appended {len(new)} transitions")
        moved = Case.objects.filter(pk=current.pk, version=expected_version).update(
            **_state_fields(after), updated_at=timezone.now()
        )
        if not moved:
            raise CaseworkError("stale", "该案件已被他人办理，请刷新后重试")
        try:
            with transaction.atomic():
                store_transition(current, new[0], user_or_none(actor), actor_label(actor), clean)
        except IntegrityError:
            raise CaseworkError("stale", "该案件已被他人办理，请刷新后重试") from None
        user = user_or_none(actor)
        with documents_stored(current, new[0].seq, documents, user, actor_label(actor)) as stored:
            _store_objections(current, before, after)
            _side_effects(actor, current, before, after, on)
            recorded = {**clean, **({"documents": [d.name for d in stored]} if stored else {})}
            audit_transition(
                actor, current, new[0], (before.version, after.version), recorded, request
            )
    current.refresh_from_db()
    return current
