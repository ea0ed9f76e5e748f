"""Building blocks of the registry admin: code labels, access rules, read-only inlines.

Every inline and every model admin reads through the region-scoped selectors; see admin.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from fangpin import codes
from fangpin.core.access import REGISTRY_VIEW, user_can
from fangpin.registry import selectors
from fangpin.registry.masking import mask_health
from fangpin.registry.models import (
    HouseholdCondition,
    HouseholdFinance,
    HouseholdStatusChange,
    MembershipEvent,
    Monitoring,
    Person,
)

__all__ = [
    "ConditionInline",
    "FinanceInline",
    "MemberInline",
    "MembershipEventInline",
    "MonitoringInline",
    "ReadOnlyInline",
    "ReadOnlyMixin",
    "ScopedAdmin",
    "StatusChangeInline",
    "code_filter",
    "label",
]


def label(table: str, code: str) -> str:
    if not code:
        return "—"
    try:
        return codes.table(table).label(code)
    except codes.CodeError:
        return code


def code_filter(table: str, field_name: str) -> type[admin.SimpleListFilter]:
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
    """No add, change or delete; viewing needs ``registry.view`` (nothing else counts)."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return user_can(request.user, REGISTRY_VIEW)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return user_can(request.user, REGISTRY_VIEW)


class ScopedAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """A registry model admin whose rows come from a region-scoped selector."""

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Any:
        """The object, from the scoped queryset. Without ``registry.view``: 403 for any id.

        Out of scope or missing: a plain 404 for both, with nothing of the object in it
        (Django's default redirects to the list with a "does not exist" message).
        """
        if not self.has_view_permission(request):
            raise PermissionDenied
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj


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

    def get_queryset(self, request: HttpRequest) -> QuerySet[Person]:
        return selectors.person_list(user=request.user)

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
        return label("sex", obj.sex)

    @admin.display(description="证件号码")
    def masked_id_number(self, obj: Person) -> str:
        return obj.id_number_masked

    @admin.display(description="与户主关系")
    def relation_label(self, obj: Person) -> str:
        return label("relation", obj.relation)

    @admin.display(description="健康状况")
    def health_label(self, obj: Person) -> str:
        return mask_health()  # sensitive PI, masked alike for every person: no decryption

    @admin.display(description="劳动技能")
    def labour_label(self, obj: Person) -> str:
        return label("labour_ability", obj.labour_ability)

    @admin.display(description="人员状态")
    def status_label(self, obj: Person) -> str:
        return label("person_status", obj.status)


class FinanceInline(ReadOnlyInline):
    model = HouseholdFinance

    def get_queryset(self, request: HttpRequest) -> QuerySet[HouseholdFinance]:
        return selectors.finance_list(user=request.user)

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

    def get_queryset(self, request: HttpRequest) -> QuerySet[HouseholdCondition]:
        return selectors.condition_list(user=request.user)

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
        return label("housing_grade", obj.housing_grade)


class MembershipEventInline(ReadOnlyInline):
    model = MembershipEvent
    fk_name = "household"
    fields = (
        "event_date",
        "event_label",
        "person",
        "relation_before_label",
        "relation_after_label",
        "related_household_label",
        "note",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[MembershipEvent]:
        return selectors.membership_event_list(user=request.user).select_related(
            "person", "related_household"
        )

    @admin.display(description="关联户")
    def related_household_label(self, obj: MembershipEvent) -> str:
        return selectors.related_household_label(obj) or "—"

    @admin.display(description="变动类型")
    def event_label(self, obj: MembershipEvent) -> str:
        return label("membership_event", obj.event_type)

    @admin.display(description="原与户主关系")
    def relation_before_label(self, obj: MembershipEvent) -> str:
        return label("relation", obj.relation_before)

    @admin.display(description="现与户主关系")
    def relation_after_label(self, obj: MembershipEvent) -> str:
        return label("relation", obj.relation_after)


class StatusChangeInline(ReadOnlyInline):
    model = HouseholdStatusChange
    fields = ("effective_date", "from_label", "to_label", "reason", "recorded_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[HouseholdStatusChange]:
        return selectors.status_change_list(user=request.user)

    @admin.display(description="原状态")
    def from_label(self, obj: HouseholdStatusChange) -> str:
        return label("household_status", obj.from_status)

    @admin.display(description="新状态")
    def to_label(self, obj: HouseholdStatusChange) -> str:
        return label("household_status", obj.to_status)


class MonitoringInline(ReadOnlyInline):
    """The household's monitoring spells (监测帮扶), newest first, risks on one line."""

    model = Monitoring  # Meta ordering: newest spell first within the household
    fields = (
        "object_type_label",
        "identified_month",
        "risk_labels",
        "eliminated_month",
        "elimination_label",
        "no_labour_backstop",
        "is_current",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Monitoring]:
        return selectors.monitoring_list(user=request.user)

    @admin.display(description="监测对象类别")
    def object_type_label(self, obj: Monitoring) -> str:
        return label("monitoring_type", obj.object_type)

    @admin.display(description="致贫返贫风险")
    def risk_labels(self, obj: Monitoring) -> str:
        parts = []
        for risk in obj.risks.all():
            text = f"{risk.position}. {label('risk_type', risk.risk_type)}"
            if risk.disaster_subtype:
                text += f"（{label('disaster_subtype', risk.disaster_subtype)}）"
            parts.append(text)
        return "；".join(parts) or "—"

    @admin.display(description="风险消除方式")
    def elimination_label(self, obj: Monitoring) -> str:
        return label("elimination_mode", obj.elimination_mode)
