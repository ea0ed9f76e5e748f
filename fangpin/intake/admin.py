"""Read-only Django admin for self-declarations.

Nothing can be added, changed or deleted here (declarations come from the public form and are
decided through the services, which check and audit). Rows come from the region-scoped
selector with ``user=request.user``; an object outside the scope answers 404 like a missing one.
Only the masked copies of the name, phone and ID number are shown, never a ciphertext.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from fangpin.intake import selectors
from fangpin.intake.models import Declaration
from fangpin.registry.admin_inlines import ScopedAdmin, label


@admin.register(Declaration)
class DeclarationAdmin(ScopedAdmin):
    list_display = (
        "reference",
        "village",
        "name_masked",
        "risk_label",
        "status",
        "submitted_at",
    )
    list_filter = ("status",)
    list_per_page = 50
    fields = (
        "public_id",
        "reference",
        "village",
        "name_masked",
        "phone_masked",
        "id_number_masked",
        "risk_label",
        "consent_at",
        "consent_version",
        "submitted_at",
        "status",
        "decided_by_label",
        "decided_at",
        "decision_note",
        "duplicate_of",
        "household",
        "clue_public_id",
        "version",
    )
    readonly_fields = fields

    @admin.display(description="风险类型")
    def risk_label(self, obj: Declaration) -> str:
        return label("risk_type", obj.risk_type)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Declaration]:
        return selectors.declaration_list(request.user)
