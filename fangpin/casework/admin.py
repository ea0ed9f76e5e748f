"""Read-only Django admin for casework: screening runs, clues, warnings.

Nothing can be added, changed or deleted here (runs are started and clues verified through the
services, which check and audit). Rows come from the region-scoped selectors with
``user=request.user``; an object outside the scope answers 404 like a missing one. Households
are shown by their number, never with a member's ID or phone number (masked throughout).
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from fangpin.casework import selectors
from fangpin.casework.models import Clue, ScreeningRun, Warning
from fangpin.registry.admin_inlines import ScopedAdmin


@admin.register(ScreeningRun)
class ScreeningRunAdmin(ScopedAdmin):
    list_display = (
        "month",
        "region_code",
        "status",
        "stage",
        "findings_total",
        "warnings_created",
        "warnings_updated",
        "clues_created",
        "requested_by_label",
        "created_at",
    )
    list_filter = ("status",)
    list_per_page = 50
    fields = (
        "public_id",
        "month",
        "year",
        "region_code",
        "engine",
        "status",
        "stage",
        "progress_done",
        "progress_total",
        "run_id",
        "edition_id",
        "findings_total",
        "warnings_created",
        "warnings_updated",
        "clues_created",
        "error_message",
        "requested_by_label",
        "created_at",
        "started_at",
        "finished_at",
        "output_dir",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[ScreeningRun]:
        return selectors.run_list(request.user)


@admin.register(Clue)
class ClueAdmin(ScopedAdmin):
    list_display = (
        "household",
        "village_code",
        "channel",
        "received_on",
        "verify_deadline",
        "status",
        "outcome",
    )
    list_filter = ("status", "outcome", "channel")
    list_per_page = 50
    fields = (
        "public_id",
        "household",
        "village_code",
        "channel",
        "received_on",
        "verify_deadline",
        "status",
        "outcome",
        "verified_by",
        "verified_at",
        "note",
        "version",
        "created_at",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Clue]:
        return selectors.clue_list(request.user)


@admin.register(Warning)
class WarningAdmin(ScopedAdmin):
    list_display = ("month", "rule_code", "severity", "household", "village_code", "outcome")
    list_filter = ("family", "severity", "outcome")
    list_per_page = 50
    fields = (
        "public_id",
        "month",
        "rule_code",
        "family",
        "severity",
        "household",
        "village_code",
        "reason_zh",
        "observed",
        "threshold",
        "sources",
        "edition_id",
        "clue",
        "verify_deadline",
        "outcome",
        "outcome_note",
        "verified_by",
        "verified_at",
        "first_run",
        "last_run",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Warning]:
        return selectors.warning_list(request.user).select_related("household")
