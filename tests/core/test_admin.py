"""The Django admin shows regions and audit events but cannot change them."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from fangpin.core.models import AuditEvent, Region


@pytest.mark.parametrize("model", [Region, AuditEvent])
def test_admin_is_read_only(model: type[Region] | type[AuditEvent]) -> None:
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/admin/")

    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request) is False
    assert model_admin.has_delete_permission(request) is False


def test_region_admin_lists_code_name_level_parent_and_abolition() -> None:
    model_admin = admin.site._registry[Region]

    assert model_admin.list_display == ("code", "name", "level", "parent", "valid_to")
    assert model_admin.search_fields == ("code", "name")
    assert model_admin.list_filter == ("level",)


def test_audit_admin_lists_when_who_and_what() -> None:
    model_admin = admin.site._registry[AuditEvent]

    assert model_admin.list_display == (
        "at",
        "actor_label",
        "actor_role",
        "action",
        "object_type",
        "object_id",
        "result",
        "ip",
    )
