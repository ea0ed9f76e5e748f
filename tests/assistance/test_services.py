"""Measures: create, edit, stop; refusals change nothing; scope and capability audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from fangpin.assistance.errors import AssistanceError
from fangpin.assistance.models import Measure, MeasureRevision, Plan
from fangpin.assistance.services import measure_stop, measure_update
from fangpin.core.models import AuditEvent
from fangpin.registry.models import Household, Monitoring
from tests.assistance.conftest import TODAY, add_measure, health_measure, snapshot
from tests.registry.conftest import member


def test_create_makes_the_plan_of_the_current_spell(monitored: Household, tudi_cadre: Any) -> None:
    measure = add_measure(monitored, tudi_cadre)

    plan = Plan.objects.get()
    assert plan.household_id == monitored.pk
    assert plan.monitoring == Monitoring.objects.get(household=monitored, is_current=True)
    assert (measure.plan_id, measure.category, measure.item, measure.amount, measure.status) == (
        plan.pk,
        "HEALTH",
        "大病保险倾斜报销",
        Decimal("5000.00"),
        "in_progress",
    )
    assert measure.risk_types == ["01"]
    assert measure.continues_after_elimination is False
    assert measure.version == 1
    revision = MeasureRevision.objects.get()
    assert (revision.seq, revision.valid_from, revision.valid_to, revision.change) == (
        1,
        TODAY,
        None,
        "create",
    )
    event = AuditEvent.objects.get(action="measure.create")
    assert event.actor_label == "cadre_tudi"
    assert event.changes["household"] == monitored.household_number
    assert event.changes["amount"] == "5000.00"
    assert event.changes["risk_types"] == ["01"]


def test_a_second_measure_joins_the_same_plan(monitored: Household, tudi_cadre: Any) -> None:
    add_measure(monitored, tudi_cadre)
    loan = add_measure(
        monitored,
        tudi_cadre,
        category="FINANCE",
        item="脱贫人口小额信贷",
        risk_types=(),
        amount="50000",
    )

    assert Plan.objects.count() == 1
    assert loan.continues_after_elimination is True
    assert Measure.objects.count() == 2


def test_a_per_person_measure(monitored: Household, tudi_cadre: Any) -> None:
    son = member(monitored, "张小明")

    measure = add_measure(
        monitored,
        tudi_cadre,
        category="COMPULSORY_EDUCATION",
        item="义务教育生活补助",
        risk_types=("09",),
        person_id=son.pk,
    )

    assert measure.person_id == son.pk


@pytest.mark.parametrize(
    ("overrides", "code", "message"),
    [
        ({"category": "LOTTERY"}, "category", "请选择帮扶措施类别"),
        ({"item": "  "}, "item", "请填写帮扶项目"),
        ({"responsible_person": ""}, "responsible_person", "请填写帮扶责任人"),
        ({"risk_types": ("03",)}, "risk_types", "所选风险不是该户当前的致贫返贫风险"),
        ({"amount": "-1"}, "amount", "金额不能为负数"),
        ({"amount": "1.005"}, "amount", "金额最多两位小数，且不超过99999999.99元"),
        ({"amount": "abc"}, "amount", "金额须为数字（元）"),
        ({"end_date": date(2026, 1, 31)}, "dates", "结束日期不能早于开始日期"),
        ({"status": "stopped"}, "status", "状态须为计划中、实施中或已完成（终止请用“终止措施”）"),
        (
            {"start_date": date(2027, 1, 1)},
            "status",
            "开始日期在今天之后的措施只能是“计划中”",
        ),
        ({"person_id": 999999}, "person", "受益成员须为该户在册成员"),
    ],
)
def test_create_refuses_invalid_values_and_stores_nothing(
    monitored: Household, tudi_cadre: Any, overrides: dict[str, Any], code: str, message: str
) -> None:
    before = snapshot()

    with pytest.raises(AssistanceError) as caught:
        add_measure(monitored, tudi_cadre, **overrides)

    assert (caught.value.code, caught.value.message) == (code, message)
    assert snapshot() == before


def test_a_household_that_is_not_monitored_has_no_plan(family: Household, tudi_cadre: Any) -> None:
    before = snapshot()

    with pytest.raises(AssistanceError) as caught:
        add_measure(family, tudi_cadre)

    assert (caught.value.code, caught.value.message) == (
        "not_monitored",
        "该户不是监测对象，没有帮扶计划",
    )
    assert snapshot() == before


def test_out_of_scope_answers_not_found_and_is_audited(
    monitored: Household, douwang_cadre: Any
) -> None:
    before = snapshot()

    with pytest.raises(AssistanceError) as caught:
        add_measure(monitored, douwang_cadre)

    assert (caught.value.code, caught.value.message) == ("not_found", "未找到该农户或帮扶措施")
    denied = AuditEvent.objects.get(action="authz.denied")
    assert denied.changes == {"attempted": "measure.create", "reason": "out_of_scope"}
    assert denied.actor_label == "cadre_douwang"
    assert snapshot()["measures"] == before["measures"]
    assert snapshot()["plans"] == before["plans"] == 0


def test_without_plan_edit_is_forbidden_and_audited(monitored: Household, inspector: Any) -> None:
    with pytest.raises(AssistanceError) as caught:
        add_measure(monitored, inspector)

    assert (caught.value.code, caught.value.message) == (
        "forbidden",
        "当前账号无权编辑帮扶计划和走访记录",
    )
    denied = AuditEvent.objects.get(action="authz.denied")
    assert denied.changes == {"attempted": "measure.create", "reason": "capability"}
    assert Measure.objects.count() == 0


def test_edit_keeps_the_previous_values_as_a_revision(
    monitored: Household, tudi_cadre: Any
) -> None:
    measure = add_measure(monitored, tudi_cadre, today=date(2026, 2, 1))

    edited = measure_update(
        actor=tudi_cadre,
        measure_id=measure.pk,
        expected_version=1,
        values=health_measure(amount="8000", status="done"),
        today=date(2026, 6, 1),
    )

    assert (edited.version, edited.amount, edited.status) == (2, Decimal("8000.00"), "done")
    revisions = list(
        MeasureRevision.objects.order_by("seq").values_list(
            "seq", "valid_from", "valid_to", "amount", "status", "change"
        )
    )
    assert revisions == [
        (1, date(2026, 2, 1), date(2026, 6, 1), Decimal("5000.00"), "in_progress", "create"),
        (2, date(2026, 6, 1), None, Decimal("8000.00"), "done", "update"),
    ]
    event = AuditEvent.objects.get(action="measure.update")
    assert event.changes == {
        "amount": ["5000.00", "8000.00"],
        "status": ["in_progress", "done"],
        "version": 2,
    }


def test_a_stale_edit_answers_409_and_changes_nothing(
    monitored: Household, tudi_cadre: Any, township_reviewer: Any
) -> None:
    measure = add_measure(monitored, tudi_cadre)
    measure_update(
        actor=township_reviewer,
        measure_id=measure.pk,
        expected_version=1,
        values=health_measure(amount="6000"),
        today=TODAY,
    )
    before = snapshot()

    with pytest.raises(AssistanceError) as caught:
        measure_update(
            actor=tudi_cadre,
            measure_id=measure.pk,
            expected_version=1,
            values=health_measure(amount="7000"),
            today=TODAY,
        )

    assert caught.value.code == "stale"
    assert caught.value.is_conflict is True
    assert caught.value.message == "该帮扶措施已被他人修改，请刷新后重试"
    assert snapshot() == before
    assert Measure.objects.get().amount == Decimal("6000.00")


def test_stop_keeps_the_measure_with_its_date_and_reason(
    monitored: Household, tudi_cadre: Any
) -> None:
    measure = add_measure(monitored, tudi_cadre, today=date(2026, 2, 1))

    stopped = measure_stop(
        actor=tudi_cadre,
        measure_id=measure.pk,
        expected_version=1,
        stopped_on=date(2026, 9, 30),
        reason="已纳入低保，报销改由医疗救助",
        today=date(2026, 10, 8),
    )

    assert (stopped.status, stopped.stopped_on, stopped.version) == (
        "stopped",
        date(2026, 9, 30),
        2,
    )
    assert Measure.objects.count() == 1
    latest = MeasureRevision.objects.get(seq=2)
    assert (latest.change, latest.reason, latest.valid_from) == (
        "stop",
        "已纳入低保，报销改由医疗救助",
        date(2026, 10, 8),
    )
    event = AuditEvent.objects.get(action="measure.stop")
    assert event.changes == {
        "status": ["in_progress", "stopped"],
        "stopped_on": [None, "2026-09-30"],
        "version": 2,
        "reason": "已纳入低保，报销改由医疗救助",
    }


def test_a_stopped_measure_cannot_be_stopped_or_edited_again(
    monitored: Household, tudi_cadre: Any
) -> None:
    measure = add_measure(monitored, tudi_cadre)
    measure_stop(
        actor=tudi_cadre,
        measure_id=measure.pk,
        expected_version=1,
        stopped_on=TODAY,
        reason="户已搬迁",
        today=TODAY,
    )
    before = snapshot()

    with pytest.raises(AssistanceError) as caught:
        measure_stop(
            actor=tudi_cadre,
            measure_id=measure.pk,
            expected_version=2,
            stopped_on=TODAY,
            reason="再次终止",
            today=TODAY,
        )

    assert (caught.value.code, caught.value.message) == ("stopped", "该帮扶措施已终止，不能再修改")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("stopped_on", "reason", "message"),
    [
        (date(2026, 12, 2), "提前终止", "终止日期不能晚于今天"),
        (date(2026, 1, 31), "提前终止", "终止日期不能早于开始日期"),
        (date(2026, 9, 30), " ", "请填写终止原因"),
    ],
)
def test_stop_refuses_bad_dates_and_an_empty_reason(
    monitored: Household, tudi_cadre: Any, stopped_on: date, reason: str, message: str
) -> None:
    measure = add_measure(monitored, tudi_cadre)
    before = snapshot()

    with pytest.raises(AssistanceError) as caught:
        measure_stop(
            actor=tudi_cadre,
            measure_id=measure.pk,
            expected_version=1,
            stopped_on=stopped_on,
            reason=reason,
            today=TODAY,
        )

    assert caught.value.message == message
    assert snapshot() == before


def test_editing_a_measure_out_of_scope_is_not_found(
    monitored: Household, tudi_cadre: Any, luxi_approver: Any
) -> None:
    measure = add_measure(monitored, tudi_cadre)
    before = snapshot()

    with pytest.raises(AssistanceError) as caught:
        measure_update(
            actor=luxi_approver,
            measure_id=measure.pk,
            expected_version=1,
            values=health_measure(amount="1"),
            today=TODAY,
        )

    assert caught.value.code == "not_found"
    after = snapshot()
    assert after["audit"] == sorted([*before["audit"], "authz.denied"])
    assert {k: v for k, v in after.items() if k != "audit"} == {
        k: v for k, v in before.items() if k != "audit"
    }
