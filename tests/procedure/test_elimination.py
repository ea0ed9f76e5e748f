"""Risk elimination (风险消除): path, guarded county approval, rollback, re-opening."""

from __future__ import annotations

from datetime import date

import pytest

from fangpin.procedure import (
    ActionKind,
    Approve,
    CaseKind,
    EliminationMethod,
    FastTrack,
    PostNotice,
    ProcedureError,
    Reject,
    Rollback,
    Submit,
    decide,
    open_elimination,
    reopen,
)
from tests.procedure.helpers import (
    COUNTY,
    ES,
    IS,
    TOWNSHIP,
    VILLAGE,
    clue,
    elimination_to_township,
    good_facts,
    national_2025,
    recorded,
    refused,
)

ED = national_2025()


def approve(
    facts_changes: dict[str, object] | None = None,
    method: EliminationMethod = EliminationMethod.ASSISTED,
) -> Approve:
    return Approve(ES.ELIMINATED, facts=good_facts(**(facts_changes or {})), method=method)


def test_elimination_path_and_method() -> None:
    case = decide(
        elimination_to_township(),
        approve(method=EliminationMethod.NATURAL),
        COUNTY,
        date(2025, 4, 15),
        ED,
    )
    assert case.kind is CaseKind.ELIMINATION
    assert case.step is ES.ELIMINATED
    assert case.method is EliminationMethod.NATURAL
    assert [(t.from_step, t.to_step) for t in case.history] == [
        (None, ES.PROPOSED),
        (ES.PROPOSED, ES.VERIFIED),
        (ES.VERIFIED, ES.APPRAISED),
        (ES.APPRAISED, ES.NOTICE_POSTED),
        (ES.NOTICE_POSTED, ES.TOWNSHIP_REVIEWED),
        (ES.TOWNSHIP_REVIEWED, ES.ELIMINATED),
    ]
    assert (case.reopens, case.household_id, case.risk_types) == ("K1", "H1", ("ILLNESS",))


def test_only_a_recorded_object_can_be_proposed_for_elimination() -> None:
    with pytest.raises(ProcedureError) as caught:
        open_elimination(
            case_id="X", identification=clue(), actor=VILLAGE, on=date(2025, 1, 2), edition=ED
        )
    assert (caught.value.code, caught.value.message) == (
        "wrong_step",
        "只有已纳入监测的对象才能提出风险消除",
    )


def test_county_approval_refuses_with_every_failing_guard() -> None:
    error = refused(
        elimination_to_township(),
        approve({"months_income_above_line": 3, "has_labour": False}),
        COUNTY,
        date(2025, 4, 15),
        "guard_failed",
        "风险消除条件未满足：收入稳定高于监测线仅3个月，未满6个月；整户无劳动能力，不得标注风险消除",
        edition=ED,
    )
    assert [g.code for g in error.guards] == ["income_stable", "labour"]


def test_guard_months_counted_from_the_approval_date() -> None:
    # Identified 2024-10; in March 2025 that is only five months.
    case = elimination_to_township(start=date(2025, 3, 3))
    refused(
        case,
        approve(),
        COUNTY,
        date(2025, 3, 31),
        "guard_failed",
        "风险消除条件未满足：纳入监测仅5个月，未满6个月",
        edition=ED,
    )


def test_county_approval_needs_the_facts() -> None:
    refused(
        elimination_to_township(),
        Approve(ES.ELIMINATED),
        COUNTY,
        date(2025, 4, 15),
        "facts_required",
        "县级审定风险消除须提供家庭核实情况",
        edition=ED,
    )


def test_elimination_notice_blocks_county_approval() -> None:
    refused(
        elimination_to_township(),
        approve(),
        COUNTY,
        date(2025, 4, 8),
        "notice_running",
        "公示期至2025-04-08结束，公示期满前县级不能审定",
        edition=ED,
    )


def test_elimination_refuses_skips_and_identification_steps() -> None:
    proposed = open_elimination(
        case_id="X", identification=recorded(), actor=VILLAGE, on=date(2025, 4, 1), edition=ED
    )
    refused(
        proposed,
        PostNotice(date(2025, 4, 1)),
        VILLAGE,
        date(2025, 4, 1),
        "wrong_step",
        "不能跳过步骤：案件当前为“提出风险消除”，下一步应为“入户核实”，不能直接办理“村级公示”",
        edition=ED,
    )
    refused(
        proposed,
        Submit(IS.VERIFIED),
        VILLAGE,
        date(2025, 4, 1),
        "wrong_step",
        "“入户核实”不是本类案件的办理步骤",
        edition=ED,
    )
    refused(
        proposed,
        FastTrack("NATURAL_DISASTER"),
        COUNTY,
        date(2025, 4, 1),
        "wrong_step",
        "先帮后认只适用于识别认定",
        edition=ED,
    )


def test_reject_an_elimination() -> None:
    case = decide(
        elimination_to_township(), Reject("收入不稳定，继续帮扶"), COUNTY, date(2025, 4, 15), ED
    )
    assert case.step is ES.REJECTED
    refused(
        case,
        Rollback("x"),
        COUNTY,
        date(2025, 4, 15),
        "wrong_step",
        "案件当前为“不予消除”，只有已消除风险的案件可以回退",
        edition=ED,
    )
    refused(
        elimination_to_township(),
        Reject("x"),
        TOWNSHIP,
        date(2025, 4, 15),
        "level",
        "乡镇级用户不能在“县级审定（风险消除）”前作出不予消除决定（须由县级办理）",
        edition=ED,
    )


def test_rollback_with_a_reason() -> None:
    eliminated = decide(elimination_to_township(), approve(), COUNTY, date(2025, 4, 15), ED)
    refused(
        eliminated,
        Rollback(""),
        COUNTY,
        date(2025, 5, 6),
        "reason_required",
        "风险消除回退须填写理由",
        edition=ED,
    )
    refused(
        eliminated,
        Rollback("收入不稳定"),
        TOWNSHIP,
        date(2025, 5, 6),
        "level",
        "乡镇级用户不能回退风险消除（须由县级办理）",
        edition=ED,
    )
    refused(
        eliminated,
        approve(),
        COUNTY,
        date(2025, 5, 6),
        "already_decided",
        "“县级审定（风险消除）”已办理，案件当前为“县级审定（风险消除）”，不能重复办理",
        edition=ED,
    )
    rolled = decide(eliminated, Rollback("收入不稳定，须继续帮扶"), COUNTY, date(2025, 5, 6), ED)
    assert (rolled.step, rolled.history[-1].action, rolled.history[-1].summary) == (
        ES.ROLLED_BACK,
        ActionKind.ROLLBACK,
        "收入不稳定，须继续帮扶",
    )
    refused(
        rolled,
        Rollback("再回退"),
        COUNTY,
        date(2025, 5, 6),
        "already_decided",
        "风险消除已回退",
        edition=ED,
    )
    refused(
        recorded(),
        Rollback("x"),
        COUNTY,
        date(2025, 5, 6),
        "wrong_step",
        "只有风险消除可以回退",
        edition=ED,
    )


def test_a_new_warning_reopens_an_eliminated_household() -> None:
    eliminated = decide(elimination_to_township(), approve(), COUNTY, date(2025, 4, 15), ED)
    again = reopen(
        eliminated,
        case_id="K2",
        actor=VILLAGE,
        on=date(2025, 6, 3),
        edition=ED,
        summary="大数据预警：住院费用",
    )
    assert (again.kind, again.step, again.reopens, again.household_id, again.version) == (
        CaseKind.IDENTIFICATION,
        IS.CLUE_RECEIVED,
        "X1",
        "H1",
        1,
    )
    # Re-identification runs the full procedure from the first step.
    refused(
        again,
        Approve(IS.COUNTY_APPROVED),
        COUNTY,
        date(2025, 6, 3),
        "wrong_step",
        "不能跳过步骤：案件当前为“线索接收”，下一步应为“入户核实”，不能直接办理“县级审定”",
        edition=ED,
    )


def test_only_an_eliminated_case_reopens() -> None:
    for case in (recorded(), elimination_to_township()):
        with pytest.raises(ProcedureError) as caught:
            reopen(case, case_id="K2", actor=VILLAGE, on=date(2025, 6, 3), edition=ED)
        assert (caught.value.code, caught.value.message) == (
            "not_eliminated",
            "只有已消除风险的监测对象出现新风险时才重新识别",
        )
