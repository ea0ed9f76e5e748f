"""Random actors and actions through identification, elimination and re-opening.

Invariants held after every accepted or refused decision: no skipped step; no county
approval before the notice has ended or while an objection is open; exactly one transition
per accepted decision and none for a refused one; the history is append-only; a closing state
is reached only through the full path or a documented side exit (reject, rollback).
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from fangpin.procedure import (
    ELIMINATION_PATH,
    ERROR_CODES,
    IDENTIFICATION_PATH,
    Action,
    ActionKind,
    Actor,
    Approve,
    Case,
    CaseKind,
    EliminationMethod,
    EliminationStep,
    FastTrack,
    IdentificationStep,
    Level,
    PostNotice,
    ProcedureError,
    RecordObject,
    RecordObjection,
    Reject,
    ResolveObjection,
    Resubmit,
    ReturnItem,
    Rollback,
    Step,
    Submit,
    decide,
    months_since,
    open_elimination,
    open_identification,
    reopen,
)
from tests.procedure.helpers import good_facts, national_2024

ED = national_2024()
IS = IdentificationStep
ES = EliminationStep
PATHS = {CaseKind.IDENTIFICATION: IDENTIFICATION_PATH, CaseKind.ELIMINATION: ELIMINATION_PATH}
FIRST = {CaseKind.IDENTIFICATION: IS.CLUE_RECEIVED, CaseKind.ELIMINATION: ES.PROPOSED}
SIDE_EXITS = {
    (ActionKind.REJECT, IS.REJECTED),
    (ActionKind.REJECT, ES.REJECTED),
    (ActionKind.ROLLBACK, ES.ROLLED_BACK),
}
FINAL_APPROVALS = {IS.COUNTY_APPROVED, ES.ELIMINATED}
LAST_DAY = date(2025, 12, 31)  # waits stop here
HORIZON = date(2026, 11, 30)  # the path's own jumps stop here: the calendar ends with 2026

ALL_STEPS: list[Step] = [*IdentificationStep, *EliminationStep]
actors = st.builds(Actor, st.sampled_from(["a", "b", "c", "d"]), st.sampled_from(list(Level)))
reasons = st.sampled_from(["", "理由"])
facts = st.builds(
    good_facts,
    months_income_above_line=st.sampled_from([0, 3, 6, 12]),
    has_labour=st.booleans(),
    has_new_risk=st.booleans(),
)


def actions(today: date) -> st.SearchStrategy[Action]:
    return st.one_of(
        st.builds(Submit, st.sampled_from(ALL_STEPS)),
        st.builds(
            PostNotice,
            st.integers(-3, 3).map(lambda d: today + timedelta(days=d)),
            st.none() | st.integers(0, 20).map(lambda d: today + timedelta(days=d)),
        ),
        st.builds(
            Approve,
            st.sampled_from(ALL_STEPS),
            facts=st.none() | facts,
            method=st.sampled_from(list(EliminationMethod)),
        ),
        st.builds(ReturnItem, reasons),
        st.builds(Resubmit),
        st.builds(Reject, reasons),
        st.builds(FastTrack, st.sampled_from(["NATURAL_DISASTER", "ILLNESS"])),
        st.builds(RecordObjection, reasons),
        st.builds(ResolveObjection, st.integers(0, 3), reasons),
        st.builds(
            RecordObject,
            st.sampled_from(["MARGINAL", "POOR"]),
            st.sampled_from([(), ("ILLNESS",), ("ILLNESS", "ILLNESS")]),
            st.just(date(2024, 9, 1)),
        ),
        st.builds(Rollback, reasons),
    )


def path_index(kind: CaseKind, step: Step) -> int:
    if step == FIRST[kind]:
        return -1
    return [p.step for p in PATHS[kind]].index(step)


def check_history(case: Case) -> None:
    """Replay the history: every move is the next path step or a documented side exit."""
    history = case.history
    assert [t.seq for t in history] == list(range(1, len(history) + 1))
    assert history[0].from_step is None
    assert history[0].to_step == FIRST[case.kind]
    assert history[0].action is ActionKind.OPEN
    approvals: dict[Step, int] = {}
    for before, t in itertools.pairwise(history):
        assert t.from_step == before.to_step
        assert t.at >= before.at
        if t.to_step == t.from_step:
            continue
        if (t.action, t.to_step) in SIDE_EXITS:
            continue
        spec = PATHS[case.kind][path_index(case.kind, t.from_step) + 1]
        assert (t.to_step, t.action, t.actor_level) == (spec.step, spec.action, spec.level)
        if t.action is ActionKind.APPROVE:
            approvals[t.to_step] = approvals.get(t.to_step, 0) + 1
            earlier = {
                h.actor_id
                for h in history[: t.seq - 1]
                if h.action
                in {
                    ActionKind.SUBMIT,
                    ActionKind.POST_NOTICE,
                    ActionKind.APPROVE,
                    ActionKind.RESUBMIT,
                }
            }
            assert t.actor_id not in earlier
        if t.to_step in FINAL_APPROVALS:
            assert case.notice is not None
            assert t.at > case.notice.end
            for objection in case.objections:
                assert objection.raised_on <= case.notice.end
                assert objection.resolved_on is not None
                assert objection.resolved_on <= t.at
    assert all(count == 1 for count in approvals.values())
    assert case.step == history[-1].to_step


class Procedures(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.today = date(2024, 9, 2)
        self.serial = 0
        self.case = self._new_identification()

    def _new_identification(self) -> Case:
        self.serial += 1
        return open_identification(
            case_id=f"K{self.serial}",
            household_id="H",
            actor=Actor("a", Level.VILLAGE),
            on=self.today,
            edition=ED,
        )

    def _apply(self, action: Action, actor: Actor, expected: int | None = None) -> bool:
        before = self.case
        refusal: ProcedureError | None = None
        try:
            after = decide(before, action, actor, self.today, ED, expected_version=expected)
        except ProcedureError as caught:
            refusal = caught
        if refusal is not None:
            assert refusal.code in ERROR_CODES
            assert refusal.conflict == (refusal.code in {"already_decided", "returned", "stale"})
            assert self.case is before  # nothing changed
            event(f"refused {refusal.code}")
            return False
        event(f"reached {after.step}")
        assert after.history[:-1] == before.history  # append-only
        assert after.version == before.version + 1  # exactly one transition
        last = after.history[-1]
        assert (last.actor_id, last.actor_level, last.at, last.action) == (
            actor.id,
            actor.level,
            self.today,
            action.kind,
        )
        assert (last.from_step, last.to_step) == (before.step, after.step)
        self.case = after
        return True

    @rule(days=st.integers(0, 4))
    def wait(self, days: int) -> None:
        self.today = max(self.today, min(self.today + timedelta(days=days), LAST_DAY))

    @rule(days=st.integers(20, 200))
    def wait_months(self, days: int) -> None:
        self.today = max(self.today, min(self.today + timedelta(days=days), LAST_DAY))

    @rule(data=st.data(), actor=actors, version_skew=st.sampled_from([None, 0, -1]))
    def random_action(self, data: st.DataObject, actor: Actor, version_skew: int | None) -> None:
        action = data.draw(actions(self.today))
        expected = None if version_skew is None else self.case.version + version_skew
        accepted = self._apply(action, actor, expected)
        if version_skew == -1:
            assert not accepted  # a decision on an older version never lands

    @rule()
    def next_correct_step(self) -> None:
        """Take the right next step with a fresh actor: the full path must stay open."""
        case = self.case
        if case.returned_to is not None:
            assert self._apply(Resubmit("改正"), Actor("fix", case.returned_to))
            return
        if case.open_objections and case.notice is not None:
            number = case.open_objections[0].number
            assert self._apply(ResolveObjection(number, "复核"), Actor("v", Level.VILLAGE))
            return
        path = PATHS[case.kind]
        try:
            spec = path[path_index(case.kind, case.step) + 1]
        except (ValueError, IndexError):
            return  # closed: the transition rules below move on
        self.serial += 1
        actor = Actor(f"x{self.serial}", spec.level)
        today = self.today
        if spec.step in FINAL_APPROVALS and case.notice and today <= case.notice.end:
            today = case.notice.end + timedelta(days=1)
        if spec.step is ES.ELIMINATED:
            assert case.identified_month is not None
            if months_since(case.identified_month, today) < 6:
                today += timedelta(days=190)
        if today > HORIZON:
            return
        self.today = today
        action: Action
        if spec.action is ActionKind.POST_NOTICE:
            action = PostNotice(self.today)
        elif spec.action is ActionKind.RECORD_OBJECT:
            action = RecordObject("MARGINAL", ("ILLNESS",), self.today)
        elif spec.step is ES.ELIMINATED:
            assert case.identified_month is not None
            action = Approve(spec.step, facts=good_facts(identified_month=case.identified_month))
        elif spec.action is ActionKind.APPROVE:
            action = Approve(spec.step)
        else:
            action = Submit(spec.step)
        assert self._apply(action, actor)

    @rule()
    def finish_path(self) -> None:
        """Run the main path to its end, so elimination, rollback and re-opening get reached."""
        closed = {IS.RECORDED, IS.REJECTED, ES.ELIMINATED, ES.REJECTED, ES.ROLLED_BACK}
        for _ in range(20):
            if self.case.step in closed:
                return
            version = self.case.version
            self.next_correct_step()
            if self.case.version == version:
                return  # the calendar horizon is reached
            check_history(self.case)

    @precondition(lambda self: self.case.step is IS.RECORDED)
    @rule()
    def propose_elimination(self) -> None:
        self.serial += 1
        self.case = open_elimination(
            case_id=f"X{self.serial}",
            identification=self.case,
            actor=Actor("a", Level.VILLAGE),
            on=self.today,
            edition=ED,
        )

    @precondition(lambda self: self.case.step is ES.ELIMINATED)
    @rule()
    def new_warning(self) -> None:
        old = self.case
        self.serial += 1
        self.case = reopen(
            old,
            case_id=f"K{self.serial}",
            actor=Actor("a", Level.VILLAGE),
            on=self.today,
            edition=ED,
        )
        assert (self.case.reopens, self.case.step, self.case.version) == (
            old.case_id,
            IS.CLUE_RECEIVED,
            1,
        )
        event("re-opened")

    @precondition(lambda self: self.case.step is ES.ELIMINATED)
    @rule(same_day=st.booleans())
    def roll_back(self, same_day: bool) -> None:
        if not same_day:
            self.today = max(self.today, min(self.today + timedelta(days=30), LAST_DAY))
        assert self._apply(Rollback("收入不稳定"), Actor("r", Level.COUNTY))

    @precondition(lambda self: self.case.step in {IS.REJECTED, ES.REJECTED, ES.ROLLED_BACK})
    @rule()
    def start_over(self) -> None:
        self.case = self._new_identification()

    @invariant()
    def history_is_valid(self) -> None:
        check_history(self.case)


Procedures.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestProcedures = Procedures.TestCase
