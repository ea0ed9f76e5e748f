"""Read-only Django admin for the registry (the interim UI until the web app lands).

Nothing can be added, changed or deleted here: every write goes through the services, which
validate, keep the invariants and audit. Coded fields show their Chinese labels; ID and phone
numbers are shown masked, never in full (the model fields themselves are never rendered), and
health details (健康状况, 残疾等级, 残疾类别) are masked for every person.

Access: only holders of ``registry.view`` see these pages (Django's model permissions and the
superuser flag are not consulted), and every queryset comes from the region-scoped selectors
with ``user=request.user``. An object outside the scope answers 404, exactly like a missing
one; a viewer without the capability gets 403 whatever the object (docs/access.md).
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from fangpin.registry import selectors
from fangpin.registry.admin_inlines import (
    ConditionInline,
    FinanceInline,
    MemberInline,
    MembershipEventInline,
    MonitoringInline,
    ScopedAdmin,
    StatusChangeInline,
    code_filter,
    label,
)
from fangpin.registry.masking import mask_health
from fangpin.registry.models import (
    Household,
    HouseholdFinance,
    MembershipEvent,
    Person,
)


@admin.register(Household)
class HouseholdAdmin(ScopedAdmin):
    list_display = (
        "household_number",
        "village",
        "head_name_display",
        "household_type_label",
        "status_label",
        "member_count_display",
    )
    list_filter = (
        code_filter("household_type", "household_type"),
        code_filter("household_status", "status"),
        code_filter("monitoring_status", "monitoring_status"),
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
        MonitoringInline,
        FinanceInline,
        ConditionInline,
        MembershipEventInline,
        StatusChangeInline,
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Household]:
        return selectors.household_list(user=request.user)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Household], search_term: str
    ) -> tuple[QuerySet[Household], bool]:
        if not search_term.strip():
            return queryset, False
        matching = selectors.household_list(user=request.user, search=search_term).values("pk")
        return queryset.filter(pk__in=matching), False

    @admin.display(description="户主", ordering="head_name")
    def head_name_display(self, obj: Household) -> str:
        return getattr(obj, "head_name", "") or "—"

    @admin.display(description="户类型", ordering="household_type")
    def household_type_label(self, obj: Household) -> str:
        return label("household_type", obj.household_type)

    @admin.display(description="户状态", ordering="status")
    def status_label(self, obj: Household) -> str:
        return label("household_status", obj.status)

    @admin.display(description="在册人数", ordering="member_count")
    def member_count_display(self, obj: Household) -> int:
        return int(getattr(obj, "member_count", 0))

    @admin.display(description="联系电话")
    def masked_phone(self, obj: Household) -> str:
        return obj.phone_masked

    @admin.display(description="安置方式")
    def relocation_label(self, obj: Household) -> str:
        return label("relocation_mode", obj.relocation_mode)


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
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
        code_filter("person_status", "status"),
        # No health filter: filtering by 残疾 would reveal who is disabled (masked details).
        code_filter("labour_ability", "labour_ability"),
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

    def get_queryset(self, request: HttpRequest) -> QuerySet[Person]:
        return selectors.person_list(user=request.user)

    @admin.display(description="证件号码")
    def masked_id_number(self, obj: Person) -> str:
        return obj.id_number_masked

    @admin.display(description="联系电话")
    def masked_phone(self, obj: Person) -> str:
        return obj.phone_masked

    @admin.display(description="性别")
    def sex_label(self, obj: Person) -> str:
        return label("sex", obj.sex)

    @admin.display(description="证件类型")
    def id_type_label(self, obj: Person) -> str:
        return label("id_type", obj.id_type)

    @admin.display(description="与户主关系", ordering="relation")
    def relation_label(self, obj: Person) -> str:
        return label("relation", obj.relation)

    @admin.display(description="民族")
    def ethnicity_label(self, obj: Person) -> str:
        return label("ethnicity", obj.ethnicity)

    @admin.display(description="文化程度")
    def education_label(self, obj: Person) -> str:
        return label("education", obj.education)

    @admin.display(description="在校生状况")
    def student_status_label(self, obj: Person) -> str:
        return label("student_status", obj.student_status)

    @admin.display(description="失辍学原因")
    def out_of_school_reason_label(self, obj: Person) -> str:
        return label("out_of_school_reason", obj.out_of_school_reason)

    # Health details are sensitive PI: masked here as everywhere (masking.mask_health); the
    # audited reveal on the household page shows them.
    @admin.display(description="健康状况")
    def health_label(self, obj: Person) -> str:
        return mask_health()

    @admin.display(description="残疾等级")
    def disability_grade_label(self, obj: Person) -> str:
        return mask_health()

    @admin.display(description="残疾类别")
    def disability_category_label(self, obj: Person) -> str:
        return mask_health()

    @admin.display(description="劳动技能")
    def labour_label(self, obj: Person) -> str:
        return label("labour_ability", obj.labour_ability)

    @admin.display(description="人员状态", ordering="status")
    def status_label(self, obj: Person) -> str:
        return label("person_status", obj.status)


@admin.register(HouseholdFinance)
class HouseholdFinanceAdmin(ScopedAdmin):
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

    def get_queryset(self, request: HttpRequest) -> QuerySet[HouseholdFinance]:
        return selectors.finance_list(user=request.user)


@admin.register(MembershipEvent)
class MembershipEventAdmin(ScopedAdmin):
    list_display = (
        "event_date",
        "household",
        "person",
        "event_label",
        "relation_before_label",
        "relation_after_label",
        "related_household_label",
    )
    list_filter = (code_filter("membership_event", "event_type"),)
    list_select_related = ("household", "person", "related_household")
    search_fields = ("household__household_number", "person__name")
    fields = (
        "household",
        "person",
        "event_label",
        "event_date",
        "relation_before_label",
        "relation_after_label",
        "related_household_label",
        "note",
        "recorded_at",
        "actor",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[MembershipEvent]:
        return selectors.membership_event_list(user=request.user)

    @admin.display(description="关联户")
    def related_household_label(self, obj: MembershipEvent) -> str:
        return selectors.related_household_label(obj) or "—"

    @admin.display(description="变动类型", ordering="event_type")
    def event_label(self, obj: MembershipEvent) -> str:
        return label("membership_event", obj.event_type)

    @admin.display(description="原与户主关系")
    def relation_before_label(self, obj: MembershipEvent) -> str:
        return label("relation", obj.relation_before)

    @admin.display(description="现与户主关系")
    def relation_after_label(self, obj: MembershipEvent) -> str:
        return label("relation", obj.relation_after)
