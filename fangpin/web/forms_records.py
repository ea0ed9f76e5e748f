"""Forms of the household record pages: finances by year, conditions, cancel, split.

Like :mod:`fangpin.web.forms` they only parse and shape input; the registry services
(``finance_upsert``, ``condition_record``, ``household_cancel``, ``household_split``) validate
and their :class:`~fangpin.registry.errors.RegistryError` is shown on the field it names. So
amounts, sizes and water measurements are parsed loosely here (text or any integer) and the
service gives the Chinese message with the range.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangpin import codes, conditions, income
from fangpin.registry.models import HEAD, HouseholdFinance, Person
from fangpin.registry.services.finance import FIRST_YEAR

_DATE = forms.DateInput(attrs={"type": "date"})
_YES_NO = [("1", _("是")), ("0", _("否"))]


def _yes_no(label: Any) -> forms.TypedChoiceField:
    """An explicit 是/否 choice: a checkbox cannot tell "no" from "not answered"."""
    return forms.TypedChoiceField(
        label=label, choices=_YES_NO, coerce=lambda v: v == "1", widget=forms.RadioSelect
    )


def _amount_widget() -> forms.TextInput:
    # inputmode gives a numeric keyboard on phones; the pattern lets the browser flag
    # obvious typos at once (the service still checks range and decimals).
    return forms.TextInput(
        attrs={
            "inputmode": "decimal",
            "pattern": r"\s*\d+(\.\d{1,2})?\s*",
            "autocomplete": "off",
            "class": "amount",
            "title": _("金额（元），最多两位小数"),
        }
    )


def year_choices(today: date | None = None) -> list[tuple[int, str]]:
    """Years a finance record may be entered for, newest first (the service's range)."""
    this_year = (today or timezone.localdate()).year
    return [(y, f"{y}") for y in range(this_year, FIRST_YEAR - 1, -1)]


def default_year(today: date | None = None) -> int:
    """Last year: income is collected after the year is over."""
    return max(FIRST_YEAR, (today or timezone.localdate()).year - 1)


# --- 收支情况 --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AmountGroup:
    """One category of the finance form and its bound fields (``income.COMPONENTS`` order)."""

    title: str
    fields: list[forms.BoundField]


class FinanceForm(forms.Form):
    """Every stored money field of one year, plus household size and the record's version.

    ``version`` is empty for a year without a record (the service creates it) and the
    record's version otherwise (the service refuses a stale one). A blank amount is saved as 0.
    """

    year = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    household_size = forms.IntegerField(
        label=_("家庭人口"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 99}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = {c.field: c.zh for c in income.COMPONENTS}
        labels.update(income.EXPENSE_FIELDS + income.MEMO_FIELDS)
        for name in income.all_amount_fields():
            self.fields[name] = forms.CharField(
                label=labels[name], required=False, max_length=20, widget=_amount_widget()
            )

    def groups(self) -> list[AmountGroup]:
        """The amount fields grouped as the finance service rolls them up."""
        built = [
            AmountGroup(str(title), [self[name] for name in income.fields_of(category)])
            for category, title in income.CATEGORY_LABELS.items()
        ]
        built.append(
            AmountGroup(str(_("生产经营性支出")), [self[f] for f, _l in income.EXPENSE_FIELDS])
        )
        built.append(
            AmountGroup(str(_("其他（不计入纯收入）")), [self[f] for f, _l in income.MEMO_FIELDS])
        )
        return built

    def amounts(self) -> dict[str, str]:
        """Every amount as typed (a blank is 0), for ``finance_upsert(amounts=…)``."""
        return {
            name: (self.cleaned_data.get(name) or "").strip() or "0"
            for name in income.all_amount_fields()
        }

    @classmethod
    def initial_for(
        cls, *, year: int, finance: HouseholdFinance | None, active_members: int
    ) -> dict[str, Any]:
        """The initial values: the stored record of ``year``, or zeros and today's size."""
        if finance is None:
            return {
                "year": year,
                "version": None,
                "household_size": active_members or None,
                **dict.fromkeys(income.all_amount_fields(), "0"),
            }
        return {
            "year": year,
            "version": finance.version,
            "household_size": finance.household_size,
            **{name: f"{getattr(finance, name)}" for name in income.all_amount_fields()},
        }


# --- 两不愁三保障及饮水 ----------------------------------------------------------------------


class ConditionForm(forms.Form):
    """One checklist assessment; the service computes the four water results."""

    assessed_on = forms.DateField(label=_("核查日期"), widget=_DATE)
    food_secure = _yes_no(_("不愁吃"))
    clothing_secure = _yes_no(_("不愁穿"))
    housing_grade = forms.ChoiceField(label=_("住房安全等级"))
    housing_assessor = forms.CharField(label=_("住房安全鉴定单位"), required=False, max_length=200)
    housing_assessed_on = forms.DateField(label=_("住房安全鉴定日期"), widget=_DATE)
    water_source = forms.ChoiceField(label=_("饮用水来源"))
    water_area_type = forms.ChoiceField(label=_("水资源条件"))
    litres_per_person_day = forms.IntegerField(
        label=_("人均日供水量（升）"), widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    quality_tested = _yes_no(_("有水质检测报告且达标"))
    quality_simple_check_ok = _yes_no(_("分散供水简易检测合格（看、闻、问、尝）"))
    is_piped = _yes_no(_("自来水入户"))
    trip_minutes = forms.IntegerField(
        label=_("单次取水往返时间（分钟）"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    horizontal_m = forms.IntegerField(
        label=_("取水水平距离（米）"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    vertical_m = forms.IntegerField(
        label=_("取水垂直高差（米）"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    cut_days_per_year = forms.IntegerField(
        label=_("年停水或缺水天数"), widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )

    WATER_FIELDS = (
        "litres_per_person_day",
        "quality_tested",
        "quality_simple_check_ok",
        "is_piped",
        "trip_minutes",
        "horizontal_m",
        "vertical_m",
        "cut_days_per_year",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, table in (
            ("housing_grade", "housing_grade"),
            ("water_source", "water_source"),
            ("water_area_type", "water_area_type"),
        ):
            field: Any = self.fields[name]
            field.choices = codes.table(table).choices()
        if not self.is_bound:
            self.initial.setdefault("assessed_on", timezone.localdate())
            self.initial.setdefault("water_area_type", "rich")

    def water(self) -> conditions.WaterMeasurement:
        data = self.cleaned_data
        return conditions.WaterMeasurement(
            area_type=data["water_area_type"],
            litres_per_person_day=data["litres_per_person_day"],
            quality_tested=data["quality_tested"],
            quality_simple_check_ok=data["quality_simple_check_ok"],
            is_piped=data["is_piped"],
            trip_minutes=data["trip_minutes"],
            horizontal_m=data["horizontal_m"],
            vertical_m=data["vertical_m"],
            cut_days_per_year=data["cut_days_per_year"],
        )


# --- 注销 ------------------------------------------------------------------------------------


def roster(members: Iterable[Person]) -> str:
    """The active members as ``id.version`` pairs: a split or cancel form carries the roster
    it was drawn from, so a membership change made meanwhile makes it stale (409)."""
    return ",".join(f"{p.pk}.{p.version}" for p in sorted(members, key=lambda p: p.pk))


class HouseholdCancelForm(forms.Form):
    """注销: a reason and an effective date; ``confirm`` is set on the confirmation step."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    roster = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label=_("注销原因"),
        required=False,  # the service says "必须填写注销原因"
        max_length=500,
        widget=forms.TextInput(attrs={"required": True}),
    )
    effective_date = forms.DateField(label=_("生效日期"), widget=_DATE)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("effective_date", timezone.localdate())


# --- 分户 ------------------------------------------------------------------------------------


def _people(members: Iterable[Person]) -> list[tuple[str, str]]:
    relation = codes.table("relation")
    return [(str(p.pk), f"{p.name}（{relation.label(p.relation)}）") for p in members]


class HouseholdSplitForm(forms.Form):
    """分户: who leaves, the new head, each other leaver's relation to them, the village.

    One ``relation_<person id>`` field per active member; only the leavers' (other than the
    new head) are used. ``source_new_head`` is needed only when the current head leaves.
    """

    version = forms.IntegerField(widget=forms.HiddenInput)
    roster = forms.CharField(widget=forms.HiddenInput, required=False)
    members = forms.TypedMultipleChoiceField(
        label=_("分出成员"),
        coerce=int,
        required=False,  # the service says "分户成员不能为空或重复"
        widget=forms.CheckboxSelectMultiple,
    )
    new_head = forms.TypedChoiceField(label=_("新户户主"), coerce=int)
    source_new_head = forms.TypedChoiceField(
        label=_("原户新户主（原户主分出时必填）"), coerce=int, required=False, empty_value=None
    )
    village = forms.ChoiceField(label=_("新户所在村"))
    event_date = forms.DateField(label=_("分户日期"), widget=_DATE)

    def __init__(
        self,
        *args: Any,
        members: list[Person],
        villages: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.people = members
        people = _people(members)
        relations = [c for c in codes.table("relation").choices() if c[0] != HEAD]
        members_field: Any = self.fields["members"]
        new_head_field: Any = self.fields["new_head"]
        source_head_field: Any = self.fields["source_new_head"]
        village_field: Any = self.fields["village"]
        members_field.choices = people
        new_head_field.choices = [("", _("（请选择）")), *people]
        source_head_field.choices = [("", _("（不变）")), *people]
        village_field.choices = villages
        for person in members:
            self.fields[f"relation_{person.pk}"] = forms.ChoiceField(
                label=_("与新户主关系"),
                required=False,
                choices=[("", _("（请选择）")), *relations],
                widget=forms.Select(attrs={"aria-label": f"{person.name}与新户主关系"}),
            )
        if not self.is_bound:
            self.initial.setdefault("event_date", timezone.localdate())

    def member_rows(self) -> list[dict[str, Any]]:
        """One row per active member: the checkbox, the name and the relation select."""
        chosen = {str(v) for v in (self["members"].value() or [])}
        relation = codes.table("relation")
        return [
            {
                "person": p,
                "relation_label": relation.label(p.relation),
                "checked": str(p.pk) in chosen,
                "relation": self[f"relation_{p.pk}"],
            }
            for p in self.people
        ]

    def relations(self) -> dict[int, str]:
        """The relation to the new head of every leaver except the new head (chosen ones only)."""
        data = self.cleaned_data
        return {
            pk: data[f"relation_{pk}"]
            for pk in data["members"]
            if pk != data["new_head"] and data.get(f"relation_{pk}")
        }
