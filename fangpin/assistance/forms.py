"""Forms of the plan and visit pages: parse what the browser posts; the services validate."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from fangpin.assistance.models import AMOUNT_MAX, MeasureStatus
from fangpin.assistance.services import MeasureInput

__all__ = ["MeasureForm", "StopForm", "VisitForm"]

_OPEN_STATUS_CHOICES = [
    (MeasureStatus.PLANNED.value, MeasureStatus.PLANNED.label),
    (MeasureStatus.IN_PROGRESS.value, MeasureStatus.IN_PROGRESS.label),
    (MeasureStatus.DONE.value, MeasureStatus.DONE.label),
]


class MeasureForm(forms.Form):
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    category = forms.ChoiceField(label="措施类别")
    item = forms.CharField(label="帮扶项目", max_length=200)
    responsible_department = forms.CharField(label="责任单位", max_length=100)
    responsible_person = forms.CharField(label="帮扶责任人", max_length=50)
    person = forms.TypedChoiceField(
        label="受益成员（一人一策，可不选）", required=False, coerce=int, empty_value=None
    )
    risk_types = forms.MultipleChoiceField(
        label="针对风险", required=False, widget=forms.CheckboxSelectMultiple
    )
    start_date = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(
        label="结束日期（可不填）", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    amount = forms.DecimalField(
        label="金额（元）",
        min_value=Decimal(0),
        max_value=AMOUNT_MAX,
        decimal_places=2,
        required=False,
    )
    status = forms.ChoiceField(label="状态", choices=_OPEN_STATUS_CHOICES)
    evidence = forms.CharField(
        label="佐证材料", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        categories: dict[str, str],
        risks: list[tuple[str, str]],
        members: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "请选择"), *categories.items()]  # type: ignore[attr-defined]
        self.fields["risk_types"].choices = risks  # type: ignore[attr-defined]
        self.fields["person"].choices = [("", "全户"), *members]  # type: ignore[attr-defined]

    def measure_input(self) -> MeasureInput:
        data = self.cleaned_data
        return MeasureInput(
            category=data["category"],
            item=data["item"],
            responsible_department=data["responsible_department"],
            responsible_person=data["responsible_person"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            amount=data["amount"] if data["amount"] is not None else Decimal(0),
            status=data["status"],
            risk_types=tuple(data["risk_types"]),
            person_id=data["person"],
            evidence=data["evidence"],
        )


class StopForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    stopped_on = forms.DateField(label="终止日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="终止原因", max_length=200)


class VisitForm(forms.Form):
    visited_on = forms.DateField(label="走访日期", widget=forms.DateInput(attrs={"type": "date"}))
    findings = forms.CharField(
        label="走访情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )
