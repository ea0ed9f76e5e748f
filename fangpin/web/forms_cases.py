"""Forms of the case page: each posted decision becomes one procedure action.

The page shows only the forms the viewer's level may use (:func:`available_actions`); the
service (:func:`fangpin.casework.cases.case_decide`) and the procedure core decide again, so
a hand-made POST gains nothing. :func:`build_action` validates the posted fields with Chinese
messages and returns the action, the decision date and the details recorded with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangpin.procedure import (
    Action,
    Approve,
    EliminationMethod,
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
    Rollback,
    Step,
    Submit,
)
from fangpin.procedure.paths import REVIEW

__all__ = [
    "ACTION_LABELS",
    "STEP_DETAILS",
    "ActionForm",
    "available_actions",
    "build_action",
]

#: The details each dossier step records (field name → label), DOMAIN.md §3.2.
STEP_DETAILS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "verified": (("collection", "信息采集表（家庭成员、收入、支出、风险情况）"),),
    "authorised": (("authorisation", "承诺授权书（签字日期、编号及存放处）"),),
    "data_compared": (
        ("assets", "存款及金融资产"),
        ("vehicles", "车辆"),
        ("business", "工商登记"),
        ("housing", "商品房"),
        ("pensions", "养老金及财政供养"),
    ),
    "appraised": (("participants", "参加人员"), ("minutes", "评议意见（会议记录）")),
    "elimination_verified": (("collection", "入户核实情况（收入、三保障、饮水、风险）"),),
    "elimination_appraised": (("participants", "参加人员"), ("minutes", "评议意见（会议记录）")),
}

ACTION_LABELS: Final[dict[str, str]] = {
    "submit": "提交",
    "post_notice": "开始公示",
    "approve": "审核通过",
    "record_object": "登记监测对象",
    "return": "退回",
    "resubmit": "重新提交",
    "reject": "不予认定",
    "fast_track": "先帮后认",
    "record_objection": "登记异议",
    "resolve_objection": "登记复核结果",
    "rollback": "风险消除回退",
}

_TEXT_MAX: Final = 2000


@dataclass(frozen=True, slots=True)
class Available:
    """What the viewer may do on the case now (the page shows these forms)."""

    next_step: Step | None  # the main path's next step, if it is the viewer's level
    next_action: str  # submit / post_notice / approve / record_object, or ""
    can_return: bool
    can_resubmit: bool
    can_reject: bool
    can_fast_track: bool
    can_object: bool  # record and resolve objections (village, notice posted)
    can_rollback: bool = False  # 风险消除回退 of an eliminated case (county)


def available_actions(
    case: Any, procedure_case: Any, level: Level | None, pending: Any
) -> Available:
    """The forms for ``level`` on the case (None: a viewer who decides nothing)."""
    if level is None or not case.is_open:
        return Available(
            None,
            "",
            False,
            False,
            False,
            False,
            False,
            can_rollback=level == Level.COUNTY and str(case.step) == "eliminated",
        )
    returned = procedure_case.returned_to
    review = REVIEW.get(procedure_case.step)
    mine = pending is not None and pending.level == level and returned is None
    final = str(procedure_case.step) in ("county_approved", "eliminated")
    return Available(
        next_step=pending.step if mine else None,
        next_action=str(pending.action) if mine else "",
        can_return=review is not None and review[0] == level and returned is None,
        can_resubmit=returned == level,
        can_reject=not final
        and (returned == level or (pending is not None and pending.level == level)),
        can_fast_track=(
            level == Level.COUNTY
            and str(case.kind) == "identification"
            and procedure_case.fast_tracked_on is None
            and not final
        ),
        can_object=level == Level.VILLAGE
        and procedure_case.notice is not None
        and str(procedure_case.step) in ("notice_posted", "elimination_notice_posted"),
    )


class ActionForm(forms.Form):
    """Every field any decision may post; :func:`build_action` picks what the action needs."""

    action = forms.ChoiceField(choices=[(k, v) for k, v in ACTION_LABELS.items()])
    version = forms.IntegerField(min_value=1)
    on = forms.DateField(label=_("办理日期"), required=False)
    summary = forms.CharField(label=_("摘要或意见"), required=False, max_length=_TEXT_MAX)
    reason = forms.CharField(label=_("理由"), required=False, max_length=500)
    notice_start = forms.DateField(label=_("公示开始日期"), required=False)
    notice_end = forms.DateField(label=_("公示结束日期"), required=False)
    hotline = forms.CharField(label=_("监督电话"), required=False, max_length=40)
    objection_text = forms.CharField(label=_("异议内容"), required=False, max_length=_TEXT_MAX)
    objection_number = forms.IntegerField(label=_("异议序号"), required=False, min_value=1)
    objection_result = forms.CharField(label=_("复核结果"), required=False, max_length=_TEXT_MAX)
    object_type = forms.CharField(label=_("监测对象类别"), required=False, max_length=16)
    risk_types = forms.MultipleChoiceField(label=_("风险类型"), required=False)
    identified_month = forms.CharField(label=_("识别监测时间"), required=False, max_length=7)
    risk_type = forms.CharField(label=_("风险类型"), required=False, max_length=32)
    method = forms.ChoiceField(
        label=_("风险消除方式"),
        required=False,
        choices=[("assisted", _("帮扶消除")), ("natural", _("自然消除"))],
    )

    def __init__(self, *args: Any, rules: ProcedureRules, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        risks: Any = self.fields["risk_types"]
        risks.choices = list(rules.risk_types)
        for name, _label in {d for ds in STEP_DETAILS.values() for d in ds}:
            self.fields[f"detail_{name}"] = forms.CharField(required=False, max_length=_TEXT_MAX)


def _required(value: str, label: str) -> str:
    text = (value or "").strip()
    if not text:
        raise forms.ValidationError(f"请填写{label}")
    return text


def _month(text: str) -> date:
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise forms.ValidationError(f"识别监测时间“{text}”格式不对，应为 YYYY-MM") from None


def build_action(form: ActionForm, step: Step | None) -> tuple[Action, date, dict[str, str]]:
    """The action the valid ``form`` asks for, its date and details; ``ValidationError`` with
    a Chinese message for a missing or malformed field. ``step`` is the pending main step."""
    data = form.cleaned_data
    action = data["action"]
    on = data.get("on") or timezone.localdate()
    summary = (data.get("summary") or "").strip()
    details: dict[str, str] = {}
    built: Action
    if action in ("submit", "approve"):
        if step is None:
            raise forms.ValidationError("当前没有待您办理的环节")
        for name, label in STEP_DETAILS.get(str(step), ()) if action == "submit" else ():
            details[name] = _required(data.get(f"detail_{name}", ""), label)
        if action == "submit" and str(step) in ("appraised", "elimination_appraised"):
            if data.get("object_type"):
                details["proposed_type"] = str(data["object_type"])
            if data.get("risk_types"):
                details["proposed_risks"] = ",".join(data["risk_types"])
        if action == "submit":
            built = Submit(step, summary)
        elif str(step) == "eliminated":
            method = EliminationMethod(data.get("method") or "assisted")
            built = Approve(step, summary, method=method)
        else:
            built = Approve(step, summary)
    elif action == "post_notice":
        start = data.get("notice_start") or on
        built = PostNotice(start, data.get("notice_end"), summary)
        if (data.get("hotline") or "").strip():
            details["hotline"] = data["hotline"].strip()
    elif action == "record_object":
        built = RecordObject(
            _required(data.get("object_type", ""), "监测对象类别"),
            tuple(data.get("risk_types") or ()),
            _month(_required(data.get("identified_month", ""), "识别监测时间")),
        )
    elif action == "rollback":
        built = Rollback(_required(data.get("reason", ""), "回退原因"))
    elif action == "return":
        built = ReturnItem(_required(data.get("reason", ""), "退回理由"))
    elif action == "resubmit":
        built = Resubmit(summary)
    elif action == "reject":
        built = Reject(_required(data.get("reason", ""), "不予认定的理由（将告知农户）"))
    elif action == "fast_track":
        built = FastTrack(
            _required(data.get("risk_type", ""), "风险类型"), (data.get("reason") or "").strip()
        )
    elif action == "record_objection":
        built = RecordObjection(_required(data.get("objection_text", ""), "异议内容"))
    elif action == "resolve_objection":
        number = data.get("objection_number")
        if not number:
            raise forms.ValidationError("请选择要复核的异议")
        built = ResolveObjection(number, _required(data.get("objection_result", ""), "复核结果"))
    else:  # pragma: no cover - the choice field admits nothing else
        raise forms.ValidationError("未知的操作")
    return built, on, details
