"""Forms for editing one person (人员信息修改) and correcting an ID number (证件号码更正).

They parse and shape input only; ``person_update`` and ``person_correct_id`` validate again and
their :class:`~fangpin.registry.errors.RegistryError` is shown on the field it names.

Personal information is never pre-filled: the phone field starts empty (left empty it keeps
the stored number), and the health fields start at "不修改（已隐藏）" — the stored health
status, disability grade and category are masked for everyone (``masking.mask_health``), so the
form neither shows nor pre-selects them. Choosing a health status replaces all three at once;
a grade or category without a chosen status is refused, because the service would otherwise
validate it against the hidden stored status and its error message would tell that status.
"""

from __future__ import annotations

from typing import Any

from django import forms

from fangpin import codes
from fangpin.registry.models import HEAD, Person

#: The value of the health select that keeps the stored health details.
KEEP_HEALTH = ""

_CODED = ("relation", "ethnicity", "education", "student_status", "labour_ability")
_FLAGS = (
    ("has_resident_medical", "参加城乡居民基本医疗保险"),
    ("has_employee_medical", "参加职工基本医疗保险"),
    ("has_critical_illness", "参加大病保险"),
    ("has_resident_pension", "参加城乡居民基本养老保险"),
    ("has_employee_pension", "参加职工基本养老保险"),
    ("is_dibao", "享受低保"),
    ("is_tekun", "特困供养"),
)
#: ID types whose sex and birth date follow the number (changed only by an ID correction).
_ID_DERIVED = ("1", "2")


def _choices(table: str) -> list[tuple[str, str]]:
    return [(code, label.split(" ", 1)[-1]) for code, label in codes.table(table).choices()]


class PersonEditForm(forms.Form):
    """The attributes ``person_update`` may change, plus the version read with the page."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    name = forms.CharField(label="姓名", max_length=50)
    relation = forms.ChoiceField(label="与户主关系")
    sex = forms.ChoiceField(label="性别")
    birth_date = forms.DateField(
        label="出生日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ethnicity = forms.ChoiceField(label="民族")
    education = forms.ChoiceField(label="文化程度")
    student_status = forms.ChoiceField(label="在校生状况")
    out_of_school_reason = forms.ChoiceField(label="失辍学原因", required=False)
    labour_ability = forms.ChoiceField(label="劳动技能")
    migrant_work_months = forms.IntegerField(label="务工时间（月）", min_value=0, max_value=12)
    migrant_employer = forms.CharField(label="务工单位", required=False, max_length=200)
    phone = forms.CharField(
        label="新联系电话",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    clear_phone = forms.BooleanField(label="删除联系电话", required=False)
    health = forms.ChoiceField(label="健康状况", required=False)
    disability_grade = forms.ChoiceField(label="残疾等级", required=False)
    disability_category = forms.ChoiceField(label="残疾类别", required=False)

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        for name, label in _FLAGS:
            self.fields[name] = forms.BooleanField(label=label, required=False)
        for name in _CODED:
            field: Any = self.fields[name]
            field.choices = _choices(name)
        relation: Any = self.fields["relation"]
        if person.relation == HEAD:
            # The head's relation changes only through 变更户主; shown, not editable.
            relation.choices = [(HEAD, codes.table("relation").label(HEAD))]
            relation.disabled = True
        else:
            relation.choices = [c for c in relation.choices if c[0] != HEAD]
        sex: Any = self.fields["sex"]
        sex.choices = _choices("sex")
        if person.id_type in _ID_DERIVED:
            # Read from the ID number: shown, corrected only through 证件号码更正.
            self.fields["sex"].disabled = True
            self.fields["birth_date"].disabled = True
        reason: Any = self.fields["out_of_school_reason"]
        reason.choices = [("", "（无）"), *_choices("out_of_school_reason")]
        health: Any = self.fields["health"]
        health.choices = [(KEEP_HEALTH, "不修改（已隐藏）"), *_choices("health")]
        grade: Any = self.fields["disability_grade"]
        # "Not chosen", not "none": the same for every person, whatever is stored.
        grade.choices = [("", "（未选择）"), *_choices("disability_grade")]
        category: Any = self.fields["disability_category"]
        category.choices = [("", "（未选择）"), *_choices("disability_category")]
        # Also when bound: disabled fields (sex, birth date, the head's relation) take it.
        self.initial = {**self.initial_for(person), **self.initial}

    @staticmethod
    def initial_for(person: Person) -> dict[str, object]:
        """The stored values to start from: never the phone, never a health detail."""
        values: dict[str, object] = {
            name: getattr(person, name)
            for name in (
                "name",
                "relation",
                "sex",
                "birth_date",
                "ethnicity",
                "education",
                "student_status",
                "out_of_school_reason",
                "labour_ability",
                "migrant_work_months",
                "migrant_employer",
            )
        }
        values.update({name: getattr(person, name) for name, _label in _FLAGS})
        values["version"] = person.version
        values["health"] = KEEP_HEALTH
        return values

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("health", KEEP_HEALTH) == KEEP_HEALTH and (
            data.get("disability_grade") or data.get("disability_category")
        ):
            self.add_error("health", "修改残疾等级或残疾类别时，请同时选择健康状况")
        return data

    def changes(self) -> dict[str, object]:
        """The ``changes`` for ``person_update``: every shown field, the health details only
        when a health status was chosen, the phone only when typed in or cleared."""
        data = self.cleaned_data
        changes: dict[str, object] = {
            name: data[name]
            for name in (
                "name",
                "ethnicity",
                "education",
                "student_status",
                "out_of_school_reason",
                "labour_ability",
                "migrant_work_months",
                "migrant_employer",
            )
        }
        changes.update({name: bool(data.get(name)) for name, _label in _FLAGS})
        if self.person.relation != HEAD:
            changes["relation"] = data["relation"]
        if self.person.id_type not in _ID_DERIVED:
            changes["sex"] = data["sex"]
            changes["birth_date"] = data["birth_date"]
        if data.get("clear_phone"):
            changes["phone"] = ""
        elif data.get("phone"):
            changes["phone"] = data["phone"]
        if data.get("health", KEEP_HEALTH) != KEEP_HEALTH:
            changes["health"] = data["health"]
            changes["disability_grade"] = data.get("disability_grade") or ""
            changes["disability_category"] = data.get("disability_category") or ""
        return changes

    def health_fields(self) -> list[Any]:
        return [self[name] for name in ("health", "disability_grade", "disability_category")]

    def flag_fields(self) -> list[Any]:
        return [self[name] for name, _label in _FLAGS]


class PersonCorrectIdForm(forms.Form):
    """A new ID number and the reason for the correction. The number is never echoed back:
    after a refusal the field is emptied (:meth:`forget_number`)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    new_id_number = forms.CharField(
        label="正确的证件号码",
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    reason = forms.CharField(label="更正原因", max_length=200)

    def forget_number(self) -> None:
        data = {key: self.data.get(key) for key in self.data}  # single-valued fields only
        data["new_id_number"] = ""
        self.data = data
