"""Read-only Django admin for the registry (the interim UI until the web app lands).

Nothing can be added, changed or deleted here: every write goes through the services, which
validate, keep the invariants and audit. Coded fields show their Chinese labels; ID and phone
numbers are shown masked, never in full (the model fields themselves are never rendered).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from fangpin import codes
from fangpin.registry.masking import mask_id, mask_phone
from fangpin.registry.models import (
    Household,
    HouseholdCondition,
    HouseholdFinance,
    HouseholdStatusChange,
    MembershipEvent,
    Person,
)
from fangpin.registry.selectors import household_list


def _label(table: str, code: str) -> str:
    if not code:
        return "—"
    try:
        return codes.table(table).label(code)
    except codes.CodeError:
        return code


def _code_filter(table: str, field_name: str) -> type[admin.SimpleListFilter]:
    """A list filter offering a code table's labels instead of raw codes."""

    class CodeFilter(admin.SimpleListFilter):
        title = codes.table(table).title
        parameter_name = field_name

        def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
            return [(v.code, v.zh) for v in codes.table(table).values]

        def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
            value = self.value()
            return queryset.filter(**{field_name: value}) if value else queryset

    return CodeFilter


class ReadOnlyMixin:
    """No add, change or delete: the admin only views."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.get_fields(request, obj)


class MemberInline(ReadOnlyInline):
    model = Person
    verbose_name = "家庭成员"
    verbose_name_plural = "家庭成员"
    fields = (
        "name",
        "sex_label",
        "masked_id_number",
        "birth_date",
        "relation_label",
        "health_label",
        "labour_label",
        "status_label",
        "death_date",
    )

    @admin.display(description="性别")
    def sex_label(self, obj: Person) -> str:
        return _label("sex", obj.sex)

    @admin.display(description="证件号码")
    def masked_id_number(self, obj: Person) -> str:
        return mask_id(obj.id_number)

    @admin.display(description="与户主关系")
    def relation_label(self, obj: Person) -> str:
        return _label("relation", obj.relation)

    @admin.display(description="健康状况")
    def health_label(self, obj: Person) -> str:
        return _label("health", obj.health)

    @admin.display(description="劳动技能")
    def labour_label(self, obj: Person) -> str:
        return _label("labour_ability", obj.labour_ability)

    @admin.display(description="人员状态")
    def status_label(self, obj: Person) -> str:
        return _label("person_status", obj.status)


class FinanceInline(ReadOnlyInline):
    model = HouseholdFinance
    fields = (
        "year",
        "household_size",
        "wage_income",
        "production_income",
        "property_income",
        "transfer_income",
        "production_expenses",
        "net_income",
        "per_capita_net_income",
    )


class ConditionInline(ReadOnlyInline):
    model = HouseholdCondition
    fields = (
        "assessed_on",
        "food_secure",
        "clothing_secure",
        "housing_label",
        "housing_assessor",
        "water_quantity_ok",
        "water_quality_ok",
        "water_convenience_ok",
        "water_reliability_ok",
    )

    @admin.display(description="住房安全等级")
    def housing_label(self, obj: HouseholdCondition) -> str:
        return _label("housing_grade", obj.housing_grade)


class MembershipEventInline(ReadOnlyInline):
    model = MembershipEvent
    fk_name = "household"
    fields = (
        "event_date",
        "event_label",
        "person",
        "relation_before_label",
        "relation_after_label",
        "related_household",
        "note",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[MembershipEvent]:
        return super().get_queryset(request).select_related("person", "related_household")

    @admin.display(description="变动类型")
    def event_label(self, obj: MembershipEvent) -> str:
        return _label("membership_event", obj.event_type)

    @admin.display(description="原与户主关系")
    def relation_before_label(self, obj: MembershipEvent) -> str:
        return _label("relation", obj.relation_before)

    @admin.display(description="现与户主关系")
    def relation_after_label(self, obj: MembershipEvent) -> str:
        return _label("relation", obj.relation_after)


class StatusChangeInline(ReadOnlyInline):
    model = HouseholdStatusChange
    fields = ("effective_date", "from_label", "to_label", "reason", "recorded_at")

    @admin.display(description="原状态")
    def from_label(self, obj: HouseholdStatusChange) -> str:
        return _label("household_status", obj.from_status)

    @admin.display(description="新状态")
    def to_label(self, obj: HouseholdStatusChange) -> str:
        return _label("household_status", obj.to_status)


@admin.register(Household)
class HouseholdAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "household_number",
        "village",
        "head_name_display",
        "household_type_label",
        "status_label",
        "member_count_display",
    )
    list_filter = (
        _code_filter("household_type", "household_type"),
        _code_filter("household_status", "status"),
    )
    search_fields = ("household_number",)  # replaced by get_search_results below
    search_help_text = "户编号前几位、户主姓名或成员证件号码"
    list_per_page = 50
    fields = (
        "household_number",
        "village",
        "natural_village",
        "address",
        "household_type_label",
        "masked_phone",
        "is_relocated",
        "relocation_label",
        "relocation_site",
        "status_label",
        "version",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = (
        MemberInline,
        FinanceInline,
        ConditionInline,
        MembershipEventInline,
        StatusChangeInline,
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Household]:
        return household_list()

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Household], search_term: str
    ) -> tuple[QuerySet[Household], bool]:
        if not search_term.strip():
            return queryset, False
        matching = household_list(search=search_term).values("pk")
        return queryset.filter(pk__in=matching), False

    @admin.display(description="户主", ordering="head_name")
    def head_name_display(self, obj: Household) -> str:
        return getattr(obj, "head_name", "") or "—"

    @admin.display(description="户类型", ordering="household_type")
    def household_type_label(self, obj: Household) -> str:
        return _label("household_type", obj.household_type)

    @admin.display(description="户状态", ordering="status")
    def status_label(self, obj: Household) -> str:
        return _label("household_status", obj.status)

    @admin.display(description="在册人数", ordering="member_count")
    def member_count_display(self, obj: Household) -> int:
        return int(getattr(obj, "member_count", 0))

    @admin.display(description="联系电话")
    def masked_phone(self, obj: Household) -> str:
        return mask_phone(obj.phone)

    @admin.display(description="安置方式")
    def relocation_label(self, obj: Household) -> str:
        return _label("relocation_mode", obj.relocation_mode)


@admin.register(Person)
class PersonAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "name",
        "masked_id_number",
        "household",
        "relation_label",
        "sex_label",
        "birth_date",
        "status_label",
    )
    list_filter = (
        _code_filter("person_status", "status"),
        _code_filter("health", "health"),
        _code_filter("labour_ability", "labour_ability"),
    )
    list_select_related = ("household",)
    search_fields = ("name", "household__household_number")
    fields = (
        "household",
        "name",
        "sex_label",
        "id_type_label",
        "masked_id_number",
        "birth_date",
        "relation_label",
        "ethnicity_label",
        "education_label",
        "student_status_label",
        "out_of_school_reason_label",
        "health_label",
        "disability_grade_label",
        "disability_category_label",
        "labour_label",
        "migrant_work_months",
        "migrant_employer",
        "masked_phone",
        "has_resident_medical",
        "has_employee_medical",
        "has_critical_illness",
        "has_resident_pension",
        "has_employee_pension",
        "is_dibao",
        "is_tekun",
        "status_label",
        "death_date",
        "version",
    )
    readonly_fields = fields

    @admin.display(description="证件号码")
    def masked_id_number(self, obj: Person) -> str:
        return mask_id(obj.id_number)

    @admin.display(description="联系电话")
    def masked_phone(self, obj: Person) -> str:
        return mask_phone(obj.phone)

    @admin.display(description="性别")
    def sex_label(self, obj: Person) -> str:
        return _label("sex", obj.sex)

    @admin.display(description="证件类型")
    def id_type_label(self, obj: Person) -> str:
        return _label("id_type", obj.id_type)

    @admin.display(description="与户主关系", ordering="relation")
    def relation_label(self, obj: Person) -> str:
        return _label("relation", obj.relation)

    @admin.display(description="民族")
    def ethnicity_label(self, obj: Person) -> str:
        return _label("ethnicity", obj.ethnicity)

    @admin.display(description="文化程度")
    def education_label(self, obj: Person) -> str:
        return _label("education", obj.education)

    @admin.display(description="在校生状况")
    def student_status_label(self, obj: Person) -> str:
        return _label("student_status", obj.student_status)

    @admin.display(description="失辍学原因")
    def out_of_school_reason_label(self, obj: Person) -> str:
        return _label("out_of_school_reason", obj.out_of_school_reason)

    @admin.display(description="健康状况")
    def health_label(self, obj: Person) -> str:
        return _label("health", obj.health)

    @admin.display(description="残疾等级")
    def disability_grade_label(self, obj: Person) -> str:
        return _label("disability_grade", obj.disability_grade)

    @admin.display(description="残疾类别")
    def disability_category_label(self, obj: Person) -> str:
        return _label("disability_category", obj.disability_category)

    @admin.display(description="劳动技能")
    def labour_label(self, obj: Person) -> str:
        return _label("labour_ability", obj.labour_ability)

    @admin.display(description="人员状态", ordering="status")
    def status_label(self, obj: Person) -> str:
        return _label("person_status", obj.status)


@admin.register(HouseholdFinance)
class HouseholdFinanceAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "household",
        "year",
        "household_size",
        "net_income",
        "per_capita_net_income",
    )
    list_filter = ("year",)
    list_select_related = ("household",)
    search_fields = ("household__household_number",)


@admin.register(MembershipEvent)
class MembershipEventAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "event_date",
        "household",
        "person",
        "event_label",
        "relation_before_label",
        "relation_after_label",
        "related_household",
    )
    list_filter = (_code_filter("membership_event", "event_type"),)
    list_select_related = ("household", "person", "related_household")
    search_fields = ("household__household_number", "person__name")

    @admin.display(description="变动类型", ordering="event_type")
    def event_label(self, obj: MembershipEvent) -> str:
        return _label("membership_event", obj.event_type)

    @admin.display(description="原与户主关系")
    def relation_before_label(self, obj: MembershipEvent) -> str:
        return _label("relation", obj.relation_before)

    @admin.display(description="现与户主关系")
    def relation_after_label(self, obj: MembershipEvent) -> str:
        return _label("relation", obj.relation_after)
