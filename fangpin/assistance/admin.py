"""Read-only Django admin for measures and visits.

Nothing can be added, changed or deleted here (writes go through the services, which check
and audit). Rows come from the region-scoped selectors with ``user=request.user``; an object
outside the scope answers 404 like a missing one. Photos are not shown here (the plan page
serves them to viewers in scope).
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from fangpin.assistance import selectors
from fangpin.assistance.models import Measure, Visit
from fangpin.registry.admin_inlines import ScopedAdmin


@admin.register(Measure)
class MeasureAdmin(ScopedAdmin):
    list_display = ("item", "category", "status", "start_date", "end_date", "amount")
    list_filter = ("status", "category")
    list_per_page = 50
    fields = (
        "public_id",
        "plan",
        "category",
        "item",
        "responsible_department",
        "responsible_person",
        "risk_types",
        "start_date",
        "end_date",
        "amount",
        "status",
        "stopped_on",
        "evidence",
        "continues_after_elimination",
        "version",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Measure]:
        return selectors.measure_list(user=request.user)


@admin.register(Visit)
class VisitAdmin(ScopedAdmin):
    list_display = ("visited_on", "household", "visitor_label")
    list_per_page = 50
    fields = ("public_id", "household", "visited_on", "visitor_label", "findings", "created_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Visit]:
        return selectors.visit_all(user=request.user)
