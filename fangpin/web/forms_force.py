"""The forms of the assistance-force pages (帮扶力量与项目, docs/force.md): each one service's
input; the service checks rights, scope and the linkage rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangpin.force.models import (
    AssetKind,
    CommitmentItem,
    FundSource,
    LinkType,
    PairingKind,
    ProjectKind,
    ProjectStatus,
    TeamRole,
)

_DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _money(label: Any, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=14, decimal_places=2, min_value=0, required=required
    )


class TeamForm(forms.Form):
    village = forms.ChoiceField(label=_("驻村"))
    dispatching_unit = forms.CharField(label=_("派出单位"), max_length=100)
    start_date = forms.DateField(label=_("轮换开始日期"), widget=_DATE)


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    role = forms.ChoiceField(label=_("职务"), choices=TeamRole.choices)
    unit = forms.CharField(label=_("工作单位"), max_length=100)
    start_date = forms.DateField(label=_("任期开始"), widget=_DATE)


class CadreForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    unit = forms.CharField(label=_("工作单位"), max_length=100)
    username = forms.CharField(label=_("系统账号（可不填）"), max_length=150, required=False)


class AssignForm(forms.Form):
    cadre = forms.ChoiceField(label=_("帮扶责任人"))
    household_number = forms.CharField(label=_("户编号"), max_length=32)
    start_date = forms.DateField(label=_("结对日期"), widget=_DATE)


class PairingForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=PairingKind.choices)
    partner = forms.CharField(label=_("帮扶方"), max_length=100)
    start_year = forms.IntegerField(label=_("起始年度"), min_value=2016, max_value=2100)
    end_year = forms.IntegerField(
        label=_("结束年度"), min_value=2016, max_value=2100, required=False
    )


class CommitmentForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2016, max_value=2100)
    item = forms.ChoiceField(label=_("事项"), choices=CommitmentItem.choices)
    committed = _money(_("协议数"))
    delivered = _money(_("完成数"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("项目名称"), max_length=200)
    kind = forms.ChoiceField(label=_("项目类型"), choices=ProjectKind.choices)
    region = forms.ChoiceField(label=_("实施地点"))
    status = forms.ChoiceField(label=_("实施状态"), choices=ProjectStatus.choices)
    start_date = forms.DateField(label=_("计划开工"), widget=_DATE)
    end_date = forms.DateField(label=_("计划完工"), widget=_DATE, required=False)
    one_village_one_product = forms.BooleanField(label=_("一村一品"), required=False)
    one_county_one_industry = forms.BooleanField(label=_("一县一业"), required=False)
    product = forms.CharField(label=_("主导产品"), max_length=100, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for source in FundSource:
            self.fields[f"fund_{source.value}"] = _money(source.label, required=False)

    def funding(self) -> dict[str, Decimal]:
        return {
            source.value: self.cleaned_data[f"fund_{source.value}"]
            for source in FundSource
            if self.cleaned_data.get(f"fund_{source.value}")
        }


class ProjectStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("实施状态"), choices=ProjectStatus.choices)
    end_date = forms.DateField(label=_("计划完工"), widget=_DATE, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class LinkForm(forms.Form):
    household_numbers = forms.CharField(
        label=_("户编号（可填多个，用空格或换行分隔）"), widget=forms.Textarea(attrs={"rows": 3})
    )
    link_type = forms.ChoiceField(label=_("联结方式"), choices=LinkType.choices)
    since = forms.DateField(label=_("联结日期"), widget=_DATE)

    def numbers(self) -> list[str]:
        return [n for n in self.cleaned_data["household_numbers"].split() if n]


class AssetForm(forms.Form):
    name = forms.CharField(label=_("资产名称"), max_length=200)
    kind = forms.ChoiceField(label=_("资产类别"), choices=AssetKind.choices)
    owner = forms.CharField(label=_("所有权人"), max_length=100)
    manager = forms.CharField(label=_("经营管理主体"), max_length=100)
    value = _money(_("资产原值（元）"))


class ReturnForm(forms.Form):
    asset = forms.ChoiceField(label=_("资产"))
    year = forms.IntegerField(label=_("年度"), min_value=2016, max_value=2100)
    amount = _money(_("年收益（元）"))


class BenefitForm(forms.Form):
    household_number = forms.CharField(label=_("户编号"), max_length=32)
    link_type = forms.ChoiceField(label=_("收益方式"), choices=LinkType.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2016, max_value=2100)
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=12, decimal_places=2, min_value=0)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class PurchaseForm(forms.Form):
    buyer = forms.CharField(label=_("采购单位"), max_length=100)
    bought_on = forms.DateField(label=_("采购日期"), widget=_DATE)
    product = forms.CharField(label=_("产品"), max_length=100)
    household_number = forms.CharField(label=_("供货农户户编号"), max_length=32, required=False)
    cooperative = forms.CharField(label=_("或供货合作社"), max_length=100, required=False)
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=14, decimal_places=2, min_value=0)
