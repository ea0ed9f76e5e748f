"""Read-only Django admin for regions, accounts and the audit log.

Nothing can be added, changed or deleted here: regions change only through ``regions_load``
(which keeps history and audits the load), roles only through ``user_role_assign``, and the
audit log is append-only.

Who sees what follows the capabilities of ``fangpin.core.access`` (Django's model permissions
and the superuser flag are not consulted): regions, any account with a role; accounts, the
system and security administrators; the audit log, the auditor.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.utils.html import format_html

from fangpin.core.access import AUDIT_VIEW, CAPABILITIES, ROLES_MANAGE, USERS_MANAGE, user_can
from fangpin.core.models import AuditEvent, Region, User


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # shared by models of any type
    """No add, change or delete: the admin only views; every field shows read-only."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class CapabilityViewMixin:
    """Viewing needs one of ``view_capabilities``. Without it: 403 for any id; a missing id:
    404 (Django's default redirects with a message)."""

    view_capabilities: tuple[str, ...] = ()

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return any(user_can(request.user, c) for c in self.view_capabilities)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Any:
        if not self.has_view_permission(request):
            raise PermissionDenied
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]  # mixin
        if obj is None:
            raise Http404
        return obj


# Roles are the permission system; Django groups would grant nothing, so they are not offered.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(Region)
class RegionAdmin(CapabilityViewMixin, ReadOnlyAdmin):
    # Region codes are public (NBS); every account with a role may look them up.
    view_capabilities = tuple(sorted(CAPABILITIES))
    list_display = ("code", "name", "level", "parent", "valid_to")
    list_filter = ("level",)
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    show_full_result_count = False  # counting 665k rows on every page is wasted work

    def get_queryset(self, request: HttpRequest) -> QuerySet[Region]:
        return super().get_queryset(request).select_related("parent")


@admin.register(User)
class UserAdmin(CapabilityViewMixin, ReadOnlyAdmin):
    """Accounts, their role and home region; never the password hash."""

    view_capabilities = (USERS_MANAGE, ROLES_MANAGE)
    list_display = ("username", "role", "home_region", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username",)
    list_select_related = ("home_region",)
    fields = (
        "username",
        "first_name",
        "role",
        "home_region",
        "is_active",
        "is_staff",
        "last_login",
        "date_joined",
    )
    readonly_fields = fields


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The auditor's view: who did what, when, from where, with what result; read-only."""

    list_display = (
        "at",
        "actor_label",
        "actor_role",
        "action",
        "object_type",
        "object_id",
        "result",
        "ip",
    )
    list_filter = ("action", "result", "actor_role")
    search_fields = ("actor_label", "object_id", "action")
    date_hierarchy = "at"
    list_select_related = ("actor",)
    show_full_result_count = False  # the log grows without bound; counting it is wasted work
    fields = (
        "at",
        "actor",
        "actor_label",
        "actor_role",
        "action",
        "object_type",
        "object_id",
        "result",
        "ip",
        "request_id",
        "changes_pretty",
        "prev_hash",
        "hash",
    )
    readonly_fields = fields

    @admin.display(description="变更内容")
    def changes_pretty(self, obj: AuditEvent) -> str:
        pretty = json.dumps(obj.changes, ensure_ascii=False, indent=2, sort_keys=True)
        return format_html("<pre>{}</pre>", pretty)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return user_can(request.user, AUDIT_VIEW)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return user_can(request.user, AUDIT_VIEW)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("actor")
