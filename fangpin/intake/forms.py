"""Forms of intake: the public declaration form and the staff decision forms.

Each field of the declaration form is checked by the same functions the service uses
(:mod:`fangpin.intake.validation`), so the household sees one Chinese message per field at
once; the service checks everything again before storing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from fangpin import codes
from fangpin.intake import validation
from fangpin.intake.consent import CONSENT_VERSION
from fangpin.intake.errors import IntakeError
from fangpin.intake.humancheck import challenge_check
from fangpin.intake.models import DIFFICULTY_MAX, NOTE_MAX, DeclarationStatus

__all__ = ["DecisionForm", "DeclarationFilterForm", "DeclarationForm"]


def _field_check(check: Any, value: Any, **kwargs: Any) -> Any:
    try:
        return check(value, **kwargs)
    except IntakeError as exc:
        raise forms.ValidationError(exc.message, code=exc.code) from None


class DeclarationForm(forms.Form):
    name = forms.CharField(label="姓名", required=False, max_length=50)
    phone = forms.CharField(label="联系电话", required=False, max_length=20)
    id_number = forms.CharField(label="身份证号码", required=False, max_length=30)
    village = forms.CharField(label="所在村", required=False, max_length=12)
    risk_type = forms.ChoiceField(label="风险类型", required=False)
    difficulty = forms.CharField(
        label="困难情况",
        required=False,
        max_length=DIFFICULTY_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": DIFFICULTY_MAX}),
    )
    consent = forms.BooleanField(label="我已阅读并同意上述告知", required=False)
    consent_version = forms.CharField(required=False, widget=forms.HiddenInput)
    human_token = forms.CharField(required=False, widget=forms.HiddenInput)
    human_answer = forms.CharField(label="验证题", required=False, max_length=8)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("consent_version", CONSENT_VERSION)
        super().__init__(*args, **kwargs)
        risk: Any = self.fields["risk_type"]
        risk.choices = [
            ("", "（请选择）"),
            *((v.code, v.zh) for v in codes.table("risk_type").values),
        ]
        # Chinese messages for too long input (Django's own would say "Ensure this value…").
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField) and field.max_length:
                field.error_messages["max_length"] = (
                    f"{field.label or name}不能超过{field.max_length}个字"
                )

    def clean_name(self) -> str:
        return str(_field_check(validation.clean_name, self.cleaned_data.get("name", "")))

    def clean_phone(self) -> str:
        return str(_field_check(validation.clean_phone, self.cleaned_data.get("phone", "")))

    def clean_id_number(self) -> str:
        return str(
            _field_check(
                validation.clean_id_number,
                self.cleaned_data.get("id_number", ""),
                today=timezone.localdate(),
            )
        )

    def clean_village(self) -> str:
        region = _field_check(validation.validate_village, self.cleaned_data.get("village", ""))
        return str(region.code)

    def clean_risk_type(self) -> str:
        return str(_field_check(validation.clean_risk_type, self.cleaned_data.get("risk_type", "")))

    def clean_difficulty(self) -> str:
        return str(
            _field_check(validation.clean_difficulty, self.cleaned_data.get("difficulty", ""))
        )

    def clean_consent(self) -> bool:
        if not self.cleaned_data.get("consent"):
            raise forms.ValidationError("请阅读并勾选同意个人信息处理告知", code="consent")
        return True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not challenge_check(data.get("human_token", ""), data.get("human_answer", "")):
            self.add_error("human_answer", "验证题答案不正确或已过期，请计算新的题目后重新提交")
        return data


class DeclarationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "（全部）"), *DeclarationStatus.choices],
    )
    village = forms.ChoiceField(label="村", required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=200)

    def __init__(self, *args: Any, villages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        village: Any = self.fields["village"]
        village.choices = [("", "（全部）"), *villages]


class DecisionForm(forms.Form):
    version = forms.IntegerField(min_value=1)
    note = forms.CharField(
        label="处理说明",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX}),
    )
    duplicate_of = forms.CharField(
        label="重复于（申报编号，可不填）", required=False, max_length=12
    )
