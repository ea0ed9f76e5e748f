"""Forms of the web UI. They parse and shape input only; the registry services validate (again)
and their :class:`~fangpin.registry.errors.RegistryError` is shown on the field it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from fangpin import codes
from fangpin.core.models import Region
from fangpin.registry.models import Person
from fangpin.web.views.casework import MonthField

SORT_CHOICES = [
    ("number", "户编号（升序）"),
    ("-number", "户编号（降序）"),
    ("head", "户主姓名"),
    ("members", "人口数（多到少）"),
]
STATUS_CHOICES = [("active", "正常"), ("cancelled", "已注销"), ("all", "全部")]


def _with_blank(choices: list[tuple[str, str]], blank: str = "（全部）") -> list[tuple[str, str]]:
    return [("", blank), *choices]


class HouseholdFilterForm(forms.Form):
    """GET filters of the household list. ``region`` is any code prefix inside the scope."""

    q = forms.CharField(label="户主姓名或户编号", required=False, max_length=50)
    region = forms.RegexField(label="村", required=False, regex=r"^\d{2,12}$")
    household_type = forms.ChoiceField(label="户类型", required=False)
    status = forms.ChoiceField(label="户状态", required=False, choices=STATUS_CHOICES)
    monitoring_status = forms.ChoiceField(label="监测状态", required=False)
    monitoring_type = forms.ChoiceField(label="监测对象类别", required=False)
    risk_type = forms.ChoiceField(label="风险类型", required=False)
    identified = MonthField(label="识别监测月份", required=False)
    eliminated = MonthField(label="风险消除月份", required=False)
    measure = forms.RegexField(label="帮扶措施类别", required=False, regex=r"^[A-Z_]{2,32}$")
    sort = forms.ChoiceField(label="排序", required=False, choices=SORT_CHOICES)
    page = forms.IntegerField(required=False, min_value=1, max_value=200)

    def __init__(self, *args: Any, villages: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.villages = villages
        type_field: Any = self.fields["household_type"]
        type_field.choices = _with_blank(codes.table("household_type").choices())
        # Monitoring codes are words (open, UNSTABLE): offer the labels only.
        for name in ("monitoring_status", "monitoring_type", "risk_type"):
            field: Any = self.fields[name]
            field.choices = _with_blank([(v.code, v.zh) for v in codes.table(name).values])


class IdSearchForm(forms.Form):
    id_number = forms.CharField(
        label="证件号码",
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )


class HouseholdEditForm(forms.Form):
    """The editable household attributes (``EDITABLE_HOUSEHOLD_FIELDS``) plus the version.

    The phone is stored encrypted and shown masked, so the field starts empty: left empty it
    keeps the current number, ``clear_phone`` removes it.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    household_type = forms.ChoiceField(label="户类型")
    natural_village = forms.CharField(label="自然村", required=False, max_length=100)
    address = forms.CharField(label="住址", required=False, max_length=200)
    phone = forms.CharField(label="新联系电话", required=False, max_length=20)
    clear_phone = forms.BooleanField(label="删除联系电话", required=False)
    is_relocated = forms.BooleanField(label="易地扶贫搬迁户", required=False)
    relocation_mode = forms.ChoiceField(label="安置方式", required=False)
    relocation_site = forms.CharField(label="安置点", required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        type_field: Any = self.fields["household_type"]
        mode_field: Any = self.fields["relocation_mode"]
        type_field.choices = codes.table("household_type").choices()
        mode_field.choices = _with_blank(codes.table("relocation_mode").choices(), "（无）")

    def changes(self) -> dict[str, object]:
        data = self.cleaned_data
        changes: dict[str, object] = {
            name: data[name]
            for name in (
                "household_type",
                "natural_village",
                "address",
                "is_relocated",
                "relocation_mode",
                "relocation_site",
            )
        }
        if data.get("clear_phone"):
            changes["phone"] = ""
        elif data.get("phone"):
            changes["phone"] = data["phone"]
        return changes


MEMBER_SLOTS = 3
"""Optional member rows on the create form (more members: add them afterwards)."""


class HouseholdCreateForm(forms.Form):
    village = forms.ChoiceField(label="所在村")
    household_type = forms.ChoiceField(label="户类型")
    natural_village = forms.CharField(label="自然村", required=False, max_length=100)
    address = forms.CharField(label="住址", required=False, max_length=200)
    phone = forms.CharField(label="联系电话", required=False, max_length=20)
    registered_on = forms.DateField(
        label="登记日期", widget=forms.DateInput(attrs={"type": "date"})
    )
    head_name = forms.CharField(label="户主姓名", max_length=50)
    head_id_number = forms.CharField(label="户主证件号码", max_length=24)
    head_has_resident_medical = forms.BooleanField(
        label="户主参加城乡居民基本医疗保险", required=False
    )

    def __init__(self, *args: Any, villages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        village_field: Any = self.fields["village"]
        type_field: Any = self.fields["household_type"]
        village_field.choices = villages
        type_field.choices = codes.table("household_type").choices()
        relations = [c for c in codes.table("relation").choices() if c[0] != "01"]
        for i in range(MEMBER_SLOTS):
            self.fields[f"member{i}_name"] = forms.CharField(
                label="成员姓名", required=False, max_length=50
            )
            self.fields[f"member{i}_id_number"] = forms.CharField(
                label="证件号码", required=False, max_length=24
            )
            self.fields[f"member{i}_relation"] = forms.ChoiceField(
                label="与户主关系", required=False, choices=_with_blank(relations, "（请选择）")
            )
        if not self.is_bound:
            self.initial.setdefault("registered_on", timezone.localdate())

    def member_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "index": i,
                "name": self[f"member{i}_name"],
                "id_number": self[f"member{i}_id_number"],
                "relation": self[f"member{i}_relation"],
            }
            for i in range(MEMBER_SLOTS)
        ]


# --- Membership changes (one small form each) -------------------------------------------------


def _people(members: list[Person]) -> list[tuple[str, str]]:
    relation = codes.table("relation")
    return [(str(p.pk), f"{p.name}（{relation.label(p.relation)}）") for p in members]


class BirthForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="证件号码", max_length=24)
    relation = forms.ChoiceField(label="与户主关系")
    event_date = forms.DateField(label="登记日期", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, members: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["relation"]
        field.choices = [c for c in codes.table("relation").choices() if c[0] != "01"]


class DeathForm(forms.Form):
    person = forms.ChoiceField(label="死亡人员")
    death_date = forms.DateField(label="死亡日期", widget=forms.DateInput(attrs={"type": "date"}))
    new_head = forms.ChoiceField(label="新户主（户主死亡时必填）", required=False)

    def __init__(self, *args: Any, members: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = _people(members)
        person_field: Any = self.fields["person"]
        head_field: Any = self.fields["new_head"]
        person_field.choices = people
        head_field.choices = _with_blank(people, "（不变）")


class MoveOutForm(forms.Form):
    person = forms.ChoiceField(label="迁出人员")
    event_type = forms.ChoiceField(
        label="变动类型", choices=[("move_out", "迁出"), ("marriage_out", "婚出")]
    )
    event_date = forms.DateField(label="变动日期", widget=forms.DateInput(attrs={"type": "date"}))
    new_head = forms.ChoiceField(label="新户主（户主迁出时必填）", required=False)

    def __init__(self, *args: Any, members: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = _people(members)
        person_field: Any = self.fields["person"]
        head_field: Any = self.fields["new_head"]
        person_field.choices = people
        head_field.choices = _with_blank(people, "（不变）")


class ChangeHeadForm(forms.Form):
    new_head = forms.ChoiceField(label="新户主")
    old_head_relation = forms.ChoiceField(label="原户主改为")
    event_date = forms.DateField(label="变更日期", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, members: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        head_field: Any = self.fields["new_head"]
        relation_field: Any = self.fields["old_head_relation"]
        head_field.choices = _people([p for p in members if p.relation != "01"])
        relation_field.choices = [c for c in codes.table("relation").choices() if c[0] != "01"]


MEMBERSHIP_FORMS: dict[str, type[forms.Form]] = {
    "birth": BirthForm,
    "death": DeathForm,
    "move_out": MoveOutForm,
    "change_head": ChangeHeadForm,
}


def membership_forms(
    members: list[Person], bound: tuple[str, forms.Form] | None = None
) -> dict[str, forms.Form]:
    """One unbound form per membership change, except ``bound`` (a form with its errors)."""
    today = timezone.localdate()
    built: dict[str, forms.Form] = {}
    for action, form_class in MEMBERSHIP_FORMS.items():
        if bound is not None and bound[0] == action:
            built[action] = bound[1]
            continue
        date_field = "death_date" if action == "death" else "event_date"
        built[action] = form_class(members=members, initial={date_field: today})  # type: ignore[call-arg]
    return built
