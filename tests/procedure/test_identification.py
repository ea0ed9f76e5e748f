"""Identification (识别认定): every step, who may take it, and every refusal with its message."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest

from fangpin.procedure import (
    Action,
    ActionKind,
    Actor,
    Approve,
    Case,
    FastTrack,
    Level,
    PostNotice,
    ProcedureRules,
    RecordObject,
    RecordObjection,
    Reject,
    ResolveObjection,
    Resubmit,
    ReturnItem,
    Submit,
    Transition,
    decide,
)
from tests.procedure.helpers import (
    COUNTY,
    COUNTY2,
    IS,
    TOWNSHIP,
    TOWNSHIP2,
    VILLAGE,
    VILLAGE2,
    clue,
    national_2024,
    recorded,
    refused,
    to_appraised,
    to_noticed,
    to_township_reviewed,
)

ED = national_2024()


def test_opening_a_clue_records_one_transition() -> None:
    case = clue()
    assert case.step is IS.CLUE_RECEIVED
    assert case.version == 1
    assert case.edition_id == ED.edition_id
    assert case.history == (
        Transition(
            1, None, IS.CLUE_RECEIVED, ActionKind.OPEN, "v1", Level.VILLAGE, date(2024, 9, 27)
        ),
    )


def test_full_path_appends_one_transition_per_step() -> None:
    case = recorded()
    assert [(t.from_step, t.to_step, t.action, t.actor_id) for t in case.history] == [
        (None, IS.CLUE_RECEIVED, ActionKind.OPEN, "v1"),
        (IS.CLUE_RECEIVED, IS.VERIFIED, ActionKind.SUBMIT, "v1"),
        (IS.VERIFIED, IS.AUTHORISED, ActionKind.SUBMIT, "v1"),
        (IS.AUTHORISED, IS.DATA_COMPARED, ActionKind.SUBMIT, "t1"),
        (IS.DATA_COMPARED, IS.APPRAISED, ActionKind.SUBMIT, "v1"),
        (IS.APPRAISED, IS.NOTICE_POSTED, ActionKind.POST_NOTICE, "v1"),
        (IS.NOTICE_POSTED, IS.TOWNSHIP_REVIEWED, ActionKind.APPROVE, "t2"),
        (IS.TOWNSHIP_REVIEWED, IS.COUNTY_APPROVED, ActionKind.APPROVE, "c1"),
        (IS.COUNTY_APPROVED, IS.RECORDED, ActionKind.RECORD_OBJECT, "c1"),
    ]
    assert [t.seq for t in case.history] == list(range(1, 10))
    assert case.step is IS.RECORDED
    assert (case.object_type, case.risk_types, case.identified_month) == (
        "MARGINAL",
        ("ILLNESS",),
        date(2024, 10, 1),
    )
    assert case.history[5].summary == "公示期2024-09-30至2024-10-11"
    assert case.history[8].summary == "MARGINAL；ILLNESS"


def test_notice_of_five_working_days_spans_national_day() -> None:
    notice = to_noticed().notice
    assert notice is not None
    assert (notice.start, notice.end) == (date(2024, 9, 30), date(2024, 10, 11))


def test_notice_may_run_longer_than_the_minimum() -> None:
    case = decide(
        to_appraised(),
        PostNotice(date(2024, 9, 30), date(2024, 10, 20)),
        VILLAGE,
        date(2024, 9, 30),
        ED,
    )
    assert case.notice is not None
    assert case.notice.end == date(2024, 10, 20)


def test_calendar_day_edition_counts_notice_in_calendar_days() -> None:
    rules = ProcedureRules.from_edition(ED)
    calendar_rules = replace(rules, day_kind="calendar")
    case = decide(
        to_appraised(), PostNotice(date(2024, 9, 30)), VILLAGE, date(2024, 9, 30), calendar_rules
    )
    assert case.notice is not None
    assert case.notice.end == date(2024, 10, 4)


def test_refuses_a_notice_shorter_than_the_edition() -> None:
    refused(
        to_appraised(),
        PostNotice(date(2024, 9, 30), date(2024, 10, 10)),
        VILLAGE,
        date(2024, 9, 30),
        "notice_too_short",
        "公示期不少于5个工作日：自2024-09-30起至少到2024-10-11",
    )


def test_refuses_a_notice_starting_before_the_appraisal() -> None:
    refused(
        to_appraised(),
        PostNotice(date(2024, 9, 29)),
        VILLAGE,
        date(2024, 9, 30),
        "bad_date",
        "公示开始日期2024-09-29不能早于民主评议日期2024-09-30",
    )


def test_refuses_a_date_before_the_last_transition() -> None:
    refused(
        to_appraised(),
        PostNotice(date(2024, 9, 30)),
        VILLAGE,
        date(2024, 9, 29),
        "bad_date",
        "办理日期2024-09-29早于上一步的日期2024-09-30",
    )


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (
            Submit(IS.AUTHORISED),
            "不能跳过步骤：案件当前为“线索接收”，下一步应为“入户核实”，不能直接办理“承诺授权”",
        ),
        (
            Submit(IS.APPRAISED),
            "不能跳过步骤：案件当前为“线索接收”，下一步应为“入户核实”，不能直接办理“民主评议”",
        ),
        (
            Approve(IS.COUNTY_APPROVED),
            "不能跳过步骤：案件当前为“线索接收”，下一步应为“入户核实”，不能直接办理“县级审定”",
        ),
        (
            PostNotice(date(2024, 9, 27)),
            "不能跳过步骤：案件当前为“线索接收”，下一步应为“入户核实”，不能直接办理“村级公示”",
        ),
    ],
)
def test_refuses_skipping_a_step(action: Submit | Approve | PostNotice, message: str) -> None:
    refused(clue(), action, COUNTY, date(2024, 9, 27), "wrong_step", message)


def test_refuses_the_wrong_action_for_a_step() -> None:
    refused(
        to_noticed(),
        Submit(IS.TOWNSHIP_REVIEWED),
        TOWNSHIP2,
        date(2024, 10, 8),
        "wrong_step",
        "“乡镇审核”不能以此操作办理",
    )
    refused(
        clue(),
        Approve(IS.VERIFIED),
        VILLAGE,
        date(2024, 9, 27),
        "wrong_step",
        "“入户核实”不能以此操作办理",
    )


def test_refuses_a_step_of_the_other_procedure() -> None:
    from fangpin.procedure import EliminationStep

    refused(
        clue(),
        Submit(EliminationStep.VERIFIED),
        VILLAGE,
        date(2024, 9, 27),
        "wrong_step",
        "“入户核实”不是本类案件的办理步骤",
    )


@pytest.mark.parametrize(
    ("case_builder", "action", "actor", "message"),
    [
        (clue, Submit(IS.VERIFIED), TOWNSHIP, "乡镇级用户不能办理“入户核实”（须由村级办理）"),
        (clue, Submit(IS.VERIFIED), COUNTY, "县级用户不能办理“入户核实”（须由村级办理）"),
        (
            to_noticed,
            Approve(IS.TOWNSHIP_REVIEWED),
            VILLAGE,
            "村级用户不能办理“乡镇审核”（须由乡镇级办理）",
        ),
        (
            to_township_reviewed,
            Approve(IS.COUNTY_APPROVED),
            VILLAGE,
            "村级用户不能办理“县级审定”（须由县级办理）",
        ),
        (
            to_township_reviewed,
            Approve(IS.COUNTY_APPROVED),
            TOWNSHIP,
            "乡镇级用户不能办理“县级审定”（须由县级办理）",
        ),
    ],
)
def test_refuses_a_level_that_may_not_take_the_step(
    case_builder: Callable[[], Case], action: Action, actor: Actor, message: str
) -> None:
    refused(case_builder(), action, actor, date(2024, 10, 14), "level", message)


def test_refuses_approving_your_own_submission() -> None:
    # t1 recorded the data comparison, so t1 may not review the dossier.
    refused(
        to_noticed(),
        Approve(IS.TOWNSHIP_REVIEWED),
        TOWNSHIP,
        date(2024, 10, 8),
        "own_submission",
        "不能审批本人提交或审核过的事项",
    )


def test_refuses_a_county_approver_who_reviewed_it_at_township() -> None:
    same_person_as_county = Actor("t2", Level.COUNTY)
    refused(
        to_township_reviewed(),
        Approve(IS.COUNTY_APPROVED),
        same_person_as_county,
        date(2024, 10, 14),
        "own_submission",
        "不能审批本人提交或审核过的事项",
    )


def test_refuses_a_second_approval_with_409() -> None:
    error = refused(
        to_township_reviewed(),
        Approve(IS.TOWNSHIP_REVIEWED),
        TOWNSHIP2,
        date(2024, 10, 8),
        "already_decided",
        "“乡镇审核”已办理，案件当前为“乡镇审核”，不能重复办理",
    )
    assert error.conflict is True
    approved = decide(
        to_township_reviewed(), Approve(IS.COUNTY_APPROVED), COUNTY, date(2024, 10, 12), ED
    )
    error = refused(
        approved,
        Approve(IS.COUNTY_APPROVED),
        COUNTY2,
        date(2024, 10, 12),
        "already_decided",
        "“县级审定”已办理，案件当前为“县级审定”，不能重复办理",
    )
    assert error.conflict is True


def test_two_concurrent_approvals_produce_exactly_one_transition() -> None:
    read = to_township_reviewed()
    first = decide(
        read,
        Approve(IS.COUNTY_APPROVED),
        COUNTY,
        date(2024, 10, 12),
        ED,
        expected_version=read.version,
    )
    # The second approver read the same version; the store hands it the current case.
    error = refused(
        first,
        Approve(IS.COUNTY_APPROVED),
        COUNTY2,
        date(2024, 10, 12),
        "stale",
        "案件已被他人处理，请刷新后重试",
        expected_version=read.version,
    )
    assert error.conflict is True
    assert first.version == read.version + 1


def test_county_cannot_approve_before_the_notice_ends() -> None:
    error = refused(
        to_township_reviewed(),
        Approve(IS.COUNTY_APPROVED),
        COUNTY,
        date(2024, 10, 11),
        "notice_running",
        "公示期至2024-10-11结束，公示期满前县级不能审定",
    )
    assert error.conflict is False
    case = decide(
        to_township_reviewed(), Approve(IS.COUNTY_APPROVED), COUNTY, date(2024, 10, 12), ED
    )
    assert case.step is IS.COUNTY_APPROVED


def test_edition_without_the_notice_rule_lets_county_approve_during_notice() -> None:
    rules = ProcedureRules.from_edition(ED, approval_after_notice=False)
    case = decide(
        to_township_reviewed(), Approve(IS.COUNTY_APPROVED), COUNTY, date(2024, 10, 8), rules
    )
    assert case.step is IS.COUNTY_APPROVED


def test_objections_block_county_approval_until_rechecked() -> None:
    case = decide(
        to_noticed(), RecordObjection("群众反映家中有车辆"), VILLAGE2, date(2024, 10, 8), ED
    )
    case = decide(case, RecordObjection("收入有误"), VILLAGE2, date(2024, 10, 11), ED)
    case = decide(case, Approve(IS.TOWNSHIP_REVIEWED), TOWNSHIP2, date(2024, 10, 11), ED)
    refused(
        case,
        Approve(IS.COUNTY_APPROVED),
        COUNTY,
        date(2024, 10, 14),
        "objection_open",
        "公示异议第1项、第2项尚未复核，县级不能审定",
    )
    case = decide(
        case, ResolveObjection(1, "复核：车辆为亲属所有"), VILLAGE, date(2024, 10, 14), ED
    )
    refused(
        case,
        Approve(IS.COUNTY_APPROVED),
        COUNTY,
        date(2024, 10, 14),
        "objection_open",
        "公示异议第2项尚未复核，县级不能审定",
    )
    case = decide(case, ResolveObjection(2, "复核：收入无误"), VILLAGE, date(2024, 10, 14), ED)
    case = decide(case, Approve(IS.COUNTY_APPROVED), COUNTY, date(2024, 10, 14), ED)
    assert [(o.number, o.raised_on, o.resolved_on) for o in case.objections] == [
        (1, date(2024, 10, 8), date(2024, 10, 14)),
        (2, date(2024, 10, 11), date(2024, 10, 14)),
    ]
    assert case.step is IS.COUNTY_APPROVED


def test_refuses_an_objection_outside_the_notice() -> None:
    refused(
        to_noticed(),
        RecordObjection("晚到的异议"),
        VILLAGE,
        date(2024, 10, 12),
        "notice_closed",
        "不在公示期内（2024-09-30至2024-10-11），不能登记公示异议",
    )
    refused(
        to_appraised(),
        RecordObjection("早到的异议"),
        VILLAGE,
        date(2024, 9, 30),
        "notice_closed",
        "不在公示期内，不能登记公示异议",
    )


def test_refuses_unknown_and_twice_resolved_objections() -> None:
    case = decide(to_noticed(), RecordObjection("异议"), VILLAGE, date(2024, 10, 8), ED)
    refused(
        case,
        ResolveObjection(2, "复核"),
        VILLAGE,
        date(2024, 10, 8),
        "unknown_objection",
        "没有第2项公示异议",
    )
    case = decide(case, ResolveObjection(1, "复核"), VILLAGE, date(2024, 10, 9), ED)
    error = refused(
        case,
        ResolveObjection(1, "再复核"),
        VILLAGE,
        date(2024, 10, 9),
        "already_decided",
        "第1项公示异议已于2024-10-09复核",
    )
    assert error.conflict is True
    refused(
        case,
        ResolveObjection(1, ""),
        VILLAGE,
        date(2024, 10, 9),
        "already_decided",
        "第1项公示异议已于2024-10-09复核",
    )
    refused(
        decide(case, RecordObjection("又一项"), VILLAGE, date(2024, 10, 9), ED),
        ResolveObjection(2, " "),
        VILLAGE,
        date(2024, 10, 9),
        "reason_required",
        "异议复核结果须填写理由",
    )


def test_return_then_resubmit_then_approve() -> None:
    case = decide(to_noticed(), ReturnItem("授权书未签字"), TOWNSHIP2, date(2024, 10, 8), ED)
    assert (case.step, case.returned_to) == (IS.NOTICE_POSTED, Level.VILLAGE)
    error = refused(
        case,
        Approve(IS.TOWNSHIP_REVIEWED),
        TOWNSHIP2,
        date(2024, 10, 8),
        "returned",
        "该事项已退回村级，须重新提交后才能办理“乡镇审核”",
    )
    assert error.conflict is True
    refused(
        case,
        ReturnItem("再退"),
        TOWNSHIP2,
        date(2024, 10, 8),
        "returned",
        "该事项已退回村级，尚未重新提交",
    )
    refused(
        case,
        Resubmit("补签"),
        TOWNSHIP2,
        date(2024, 10, 8),
        "level",
        "乡镇级用户不能重新提交退回村级的事项",
    )
    case = decide(case, Resubmit("已补签"), VILLAGE, date(2024, 10, 9), ED)
    assert case.returned_to is None
    case = decide(case, Approve(IS.TOWNSHIP_REVIEWED), TOWNSHIP2, date(2024, 10, 9), ED)
    assert [t.action for t in case.history[-3:]] == [
        ActionKind.RETURN,
        ActionKind.RESUBMIT,
        ActionKind.APPROVE,
    ]


def test_county_returns_to_township() -> None:
    case = decide(
        to_township_reviewed(), ReturnItem("审核意见不完整"), COUNTY, date(2024, 10, 12), ED
    )
    assert case.returned_to is Level.TOWNSHIP
    refused(
        case,
        Approve(IS.COUNTY_APPROVED),
        COUNTY,
        date(2024, 10, 12),
        "returned",
        "该事项已退回乡镇级，须重新提交后才能办理“县级审定”",
    )
    case = decide(case, Resubmit("已补充"), TOWNSHIP2, date(2024, 10, 12), ED)
    # The township user who resubmitted may not be the county approver under another post.
    refused(
        case,
        Approve(IS.COUNTY_APPROVED),
        Actor("t2", Level.COUNTY),
        date(2024, 10, 12),
        "own_submission",
        "不能审批本人提交或审核过的事项",
    )
    assert (
        decide(case, Approve(IS.COUNTY_APPROVED), COUNTY, date(2024, 10, 12), ED).step
        is IS.COUNTY_APPROVED
    )


def test_return_refusals() -> None:
    refused(
        to_appraised(),
        ReturnItem("x"),
        TOWNSHIP,
        date(2024, 9, 30),
        "wrong_step",
        "案件当前为“民主评议”，没有待审核的事项可退回",
    )
    refused(
        to_noticed(),
        ReturnItem("x"),
        COUNTY,
        date(2024, 10, 8),
        "level",
        "县级用户不能退回待“乡镇审核”的事项（须由乡镇级办理）",
    )
    refused(
        to_noticed(),
        ReturnItem("  "),
        TOWNSHIP2,
        date(2024, 10, 8),
        "reason_required",
        "退回须填写理由",
    )
    refused(
        to_noticed(),
        Resubmit(),
        VILLAGE,
        date(2024, 10, 8),
        "not_returned",
        "该事项未被退回，无需重新提交",
    )


def test_reject_tells_the_household_the_reason() -> None:
    case = decide(clue(), Reject("入户核实收入高于监测线"), VILLAGE, date(2024, 9, 29), ED)
    assert case.step is IS.REJECTED
    assert case.history[-1].summary == "入户核实收入高于监测线"
    assert case.history[-1].action is ActionKind.REJECT
    refused(
        case,
        Submit(IS.VERIFIED),
        VILLAGE,
        date(2024, 9, 29),
        "already_decided",
        "“入户核实”已办理，案件当前为“不予认定”，不能重复办理",
    )
    refused(
        case,
        Reject("再次"),
        VILLAGE,
        date(2024, 9, 29),
        "already_decided",
        "案件已“不予认定”，不能再办理此操作",
    )


def test_reject_refusals() -> None:
    refused(
        clue(),
        Reject("x"),
        COUNTY,
        date(2024, 9, 29),
        "level",
        "县级用户不能在“入户核实”前作出不予认定决定（须由村级办理）",
    )
    refused(
        to_township_reviewed(),
        Reject(""),
        COUNTY,
        date(2024, 10, 12),
        "reason_required",
        "不予认定须填写理由",
    )
    approved = decide(
        to_township_reviewed(), Approve(IS.COUNTY_APPROVED), COUNTY, date(2024, 10, 12), ED
    )
    refused(
        approved,
        Reject("x"),
        COUNTY,
        date(2024, 10, 12),
        "already_decided",
        "案件已“县级审定”，不能再办理此操作",
    )
    assert (
        decide(to_township_reviewed(), Reject("资产比对不符"), COUNTY, date(2024, 10, 12), ED).step
        is IS.REJECTED
    )


def test_fast_track_for_a_natural_disaster() -> None:
    case = decide(clue(), FastTrack("NATURAL_DISASTER"), COUNTY, date(2024, 9, 27), ED)
    assert (case.step, case.fast_tracked_on) == (IS.CLUE_RECEIVED, date(2024, 9, 27))
    assert case.history[-1].summary == "先帮后认：因自然灾害"
    refused(
        case,
        FastTrack("NATURAL_DISASTER"),
        COUNTY,
        date(2024, 9, 28),
        "already_decided",
        "已于2024-09-27先行落实帮扶",
    )
    # The procedure still runs in full afterwards.
    assert decide(case, Submit(IS.VERIFIED), VILLAGE, date(2024, 9, 28), ED).step is IS.VERIFIED


def test_fast_track_refusals() -> None:
    refused(
        clue(),
        FastTrack("ILLNESS"),
        COUNTY,
        date(2024, 9, 27),
        "fast_track_not_allowed",
        "“因病”风险不适用先帮后认（仅适用于：因自然灾害）",
    )
    refused(
        clue(),
        FastTrack("FLOOD"),
        COUNTY,
        date(2024, 9, 27),
        "unknown_risk",
        "风险类型“FLOOD”不在本政策版本中",
    )
    refused(
        clue(),
        FastTrack("NATURAL_DISASTER"),
        TOWNSHIP,
        date(2024, 9, 27),
        "level",
        "乡镇级用户不能决定先帮后认（须由县级办理）",
    )
    off = ProcedureRules.from_edition(ED, fast_track_allowed=False)
    with pytest.raises(Exception) as caught:
        decide(clue(), FastTrack("NATURAL_DISASTER"), COUNTY, date(2024, 9, 27), off)
    assert str(caught.value) == "fast_track_not_allowed: 本政策版本不允许先帮后认"


@pytest.mark.parametrize(
    ("action", "code", "message"),
    [
        (
            RecordObject("POOR", ("ILLNESS",), date(2024, 10, 1)),
            "unknown_object_type",
            "监测对象类型“POOR”不在本政策版本中",
        ),
        (
            RecordObject("MARGINAL", (), date(2024, 10, 1)),
            "no_risk",
            "纳入监测须至少登记一项致贫/返贫风险",
        ),
        (
            RecordObject("MARGINAL", ("ILLNESS", "FLOOD"), date(2024, 10, 1)),
            "unknown_risk",
            "风险类型“FLOOD”不在本政策版本中",
        ),
        (
            RecordObject("MARGINAL", ("ILLNESS", "ILLNESS"), date(2024, 10, 1)),
            "too_many_risks",
            "同一风险类型不能重复登记",
        ),
        (
            RecordObject(
                "MARGINAL",
                ("ILLNESS", "SCHOOLING", "DISABILITY", "ACCIDENT", "OTHER", "LACK_OF_LABOUR"),
                date(2024, 10, 1),
            ),
            "too_many_risks",
            "每户最多登记5项风险，本次为6项",
        ),
        (
            RecordObject("MARGINAL", ("ILLNESS",), date(2024, 11, 1)),
            "bad_date",
            "识别月份2024-11晚于办理日期2024-10-14",
        ),
    ],
)
def test_recording_the_object_checks_the_edition(
    action: RecordObject, code: str, message: str
) -> None:
    approved = decide(
        to_township_reviewed(), Approve(IS.COUNTY_APPROVED), COUNTY, date(2024, 10, 12), ED
    )
    refused(approved, action, COUNTY, date(2024, 10, 14), code, message)


def test_records_five_risks() -> None:
    approved = decide(
        to_township_reviewed(), Approve(IS.COUNTY_APPROVED), COUNTY, date(2024, 10, 12), ED
    )
    risks = ("ILLNESS", "SCHOOLING", "DISABILITY", "ACCIDENT", "OTHER")
    case = decide(
        approved, RecordObject("SUDDEN", risks, date(2024, 10, 20)), COUNTY, date(2024, 10, 20), ED
    )
    assert (case.risk_types, case.identified_month) == (risks, date(2024, 10, 1))


def test_objection_levels_and_objections_during_township_review() -> None:
    refused(
        to_noticed(),
        RecordObjection("异议"),
        TOWNSHIP,
        date(2024, 10, 8),
        "level",
        "乡镇级用户不能登记公示异议（须由村级办理）",
    )
    case = decide(to_township_reviewed(), RecordObjection("异议"), VILLAGE, date(2024, 10, 10), ED)
    assert (case.step, len(case.objections)) == (IS.TOWNSHIP_REVIEWED, 1)
    refused(
        case,
        ResolveObjection(1, "复核"),
        COUNTY,
        date(2024, 10, 10),
        "level",
        "县级用户不能复核公示异议（须由村级办理）",
    )
    refused(
        case,
        RecordObjection(""),
        VILLAGE,
        date(2024, 10, 10),
        "reason_required",
        "公示异议须填写理由",
    )


def test_error_codes_are_closed() -> None:
    from fangpin.procedure import ERROR_CODES, ProcedureError

    assert len(ERROR_CODES) == len(set(ERROR_CODES))
    with pytest.raises(AssertionError):
        ProcedureError("made_up", "x")


def test_the_opening_step_cannot_be_submitted_again() -> None:
    refused(
        to_appraised(),
        Submit(IS.CLUE_RECEIVED),
        VILLAGE,
        date(2024, 9, 30),
        "already_decided",
        "“线索接收”已办理，案件当前为“民主评议”，不能重复办理",
    )
