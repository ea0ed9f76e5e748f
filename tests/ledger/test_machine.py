"""A problem's life (fangpin.ledger.machine): every transition, every refusal, and the
closure rules of 对账销号 as properties over random sequences of decisions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fangpin.ledger import (
    ERROR_CODES,
    Close,
    LedgerError,
    ReportFixed,
    Return,
    Start,
    Status,
    decide,
    new_problem,
)
from tests.ledger.helpers import FOUND, finding

FIXER, CHECKER = "cadre_tudi", "inspector_huayuan"
DAY = date(2026, 3, 10)


def refused(code: str, problem: object, action: object) -> LedgerError:
    with pytest.raises(LedgerError) as caught:
        decide(problem, action)  # type: ignore[arg-type]
    assert caught.value.code == code
    return caught.value


def test_start_fix_close_records_every_step() -> None:
    p = new_problem(finding())

    p = decide(p, Start(FIXER, DAY, "已联系住建局鉴定"))
    p = decide(p, ReportFixed(FIXER, DAY + timedelta(5), "已完成危房改造", ("验收单.pdf", " ")))
    p = decide(p, Close(CHECKER, DAY + timedelta(7), "入户核实，改造后为A级，与验收单一致"))

    assert p.status is Status.CLOSED
    assert (p.fixed_by, p.closure_evidence) == (FIXER, ("验收单.pdf",))
    assert (p.closed_by, p.closed_on) == (CHECKER, date(2026, 3, 17))
    assert [(e.action, e.actor, e.on, e.from_status, e.to_status, e.note) for e in p.history] == [
        ("start", FIXER, DAY, Status.OPEN, Status.IN_PROGRESS, "已联系住建局鉴定"),
        (
            "report_fixed",
            FIXER,
            date(2026, 3, 15),
            Status.IN_PROGRESS,
            Status.FIXED,
            "已完成危房改造",
        ),
        (
            "close",
            CHECKER,
            date(2026, 3, 17),
            Status.FIXED,
            Status.CLOSED,
            "入户核实，改造后为A级，与验收单一致",
        ),
    ]
    assert p.history[1].evidence == ("验收单.pdf",)


def test_a_returned_problem_goes_back_and_is_fixed_again() -> None:
    p = decide(new_problem(finding()), ReportFixed(FIXER, DAY, "已改造", ("照片1",)))

    p = decide(p, Return(CHECKER, DAY, "屋顶仍漏雨，未达安全标准"))
    assert (p.status, p.history[-1].note) == (Status.RETURNED, "屋顶仍漏雨，未达安全标准")
    p = decide(p, Start(FIXER, DAY))
    p = decide(p, ReportFixed("township_longtan", DAY, "屋顶已修缮", ("照片2",)))

    # The one who reported the first fix may now check the second: the rule is about the fix.
    p = decide(p, Close(FIXER, DAY, "复核屋顶已修缮"))
    assert p.status is Status.CLOSED
    assert [e.action for e in p.history] == [
        "report_fixed",
        "return",
        "start",
        "report_fixed",
        "close",
    ]


def test_no_self_closing_and_no_self_return() -> None:
    p = decide(new_problem(finding()), ReportFixed(FIXER, DAY, "已改造", ("照片1",)))

    close = refused("self_close", p, Close(FIXER, DAY, "本人核实"))
    refused("self_close", p, Return(FIXER, DAY, "再看看"))

    assert close.message == "整改完成由您报告，须由其他人员核实后销号或退回（对账销号）"
    assert p.status is Status.FIXED  # the value passed in is unchanged


def test_no_fix_without_evidence_and_no_step_without_its_text() -> None:
    p = new_problem(finding())

    missing = refused("evidence_required", p, ReportFixed(FIXER, DAY, "已改造", ("  ",)))
    refused("note_required", p, ReportFixed(FIXER, DAY, " ", ("照片",)))
    fixed = decide(p, ReportFixed(FIXER, DAY, "已改造", ("照片",)))
    refused("note_required", fixed, Close(CHECKER, DAY, ""))
    refused("note_required", fixed, Return(CHECKER, DAY, "\n"))
    refused("note_required", fixed, Close(CHECKER, DAY, "核" * 2001))

    assert missing.message == "报告整改完成须附整改佐证材料"


def test_wrong_status_closed_and_dates() -> None:
    p = new_problem(finding())

    wrong = refused("wrong_status", p, Close(CHECKER, DAY, "核实"))
    refused("wrong_status", p, Return(CHECKER, DAY, "退回"))
    started = decide(p, Start(FIXER, DAY))
    refused("wrong_status", started, Start(FIXER, DAY))
    early = refused("bad_date", started, ReportFixed(FIXER, DAY - timedelta(1), "改", ("照",)))
    refused("bad_date", p, Start(FIXER, FOUND - timedelta(1)))
    closed = decide(
        decide(started, ReportFixed(FIXER, DAY, "改", ("照",))), Close(CHECKER, DAY, "核")
    )
    late = refused("already_closed", closed, Return(CHECKER, DAY, "再查"))

    assert wrong.message == "问题当前为“待整改”，不能销号"
    assert early.message == "办理日期2026-03-09早于上一次办理或发现日期2026-03-10"
    assert (late.message, late.conflict, wrong.conflict) == (
        "该问题已销号，不能再办理",
        True,
        False,
    )


def test_new_problem_checks_the_finding_and_starts_it_clean() -> None:
    dirty = finding(description="  住房不安全  ", status=Status.CLOSED, closed_by="x", fixed_by="y")

    p = new_problem(dirty)

    assert (p.description, p.status, p.closed_by, p.fixed_by, p.history) == (
        "住房不安全",
        Status.OPEN,
        "",
        "",
        (),
    )
    cases = [
        (finding(region_code="4331241022"), "所在区划代码“4331241022”应为12位数字"),
        (finding(description=" "), "请填写问题描述"),
        (finding(lead_unit=""), "请填写牵头单位"),
        (finding(deadline=FOUND - timedelta(1)), "整改期限2026-03-01早于发现日期2026-03-02"),
    ]
    for bad, message in cases:
        with pytest.raises(LedgerError) as caught:
            new_problem(bad)
        assert (caught.value.code, caught.value.message) == ("bad_problem", message)


def test_every_error_code_is_reachable_in_these_tests() -> None:
    assert set(ERROR_CODES) == {
        "wrong_status",
        "already_closed",
        "self_close",
        "evidence_required",
        "note_required",
        "bad_date",
        "bad_problem",
    }
    with pytest.raises(AssertionError):
        LedgerError("made_up", "x")


ACTORS = st.sampled_from(["a", "b", "c"])
ACTIONS = st.one_of(
    st.builds(Start, ACTORS, st.just(DAY), st.just("")),
    st.builds(ReportFixed, ACTORS, st.just(DAY), st.just("改"), st.sampled_from([(), ("照片",)])),
    st.builds(Close, ACTORS, st.just(DAY), st.sampled_from(["", "核实"])),
    st.builds(Return, ACTORS, st.just(DAY), st.just("未改好")),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ACTIONS, max_size=12))
def test_random_decisions_never_close_without_evidence_or_by_the_fixer(actions: list) -> None:  # type: ignore[type-arg]
    p = new_problem(finding())
    for action in actions:
        before = p
        try:
            p = decide(p, action)
        except LedgerError:
            assert p is before
            continue
        assert len(p.history) == len(before.history) + 1
        assert p.history[: len(before.history)] == before.history  # insert-only
        if p.status is Status.CLOSED:
            assert p.closure_evidence
            assert p.closed_by != p.fixed_by
            assert before.status is Status.FIXED
    statuses = [Status.OPEN] + [e.to_status for e in p.history]
    assert statuses.count(Status.CLOSED) <= 1
