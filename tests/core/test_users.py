"""Demo accounts: one per level, fresh passwords each run, never outside demo or test mode."""

from __future__ import annotations

from typing import Any

import pytest

from fangpin.core.access import user_can
from fangpin.core.models import AuditEvent, Role, User
from fangpin.core.users import demo_users_create


def test_creates_one_login_per_level_with_role_and_home_region(huayuan_regions: Any) -> None:
    logins = demo_users_create(county_code="433124", actor="system:test")
    assert [x.username for x in logins] == [
        "demo_admin",
        "county_433124",
        "township_433124102",
        "township_433124102_b",
        "village_433124102200",
        "auditor_433124",
        "officer_433124",
        "inspector_433124",
        "demo_security",
    ]
    users = {u.username: u for u in User.objects.all()}
    assert {
        name: (u.role, u.home_region_id, u.is_staff, u.is_superuser, u.user_permissions.count())
        for name, u in users.items()
    } == {
        "demo_admin": (Role.SYSTEM_ADMIN, None, True, False, 0),
        "county_433124": (Role.COUNTY_APPROVER, "433124000000", True, False, 0),
        "township_433124102": (Role.TOWNSHIP_REVIEWER, "433124102000", True, False, 0),
        "township_433124102_b": (Role.TOWNSHIP_REVIEWER, "433124102000", True, False, 0),
        "village_433124102200": (Role.VILLAGE_CADRE, "433124102200", True, False, 0),
        "auditor_433124": (Role.AUDITOR, "433124000000", True, False, 0),
        "officer_433124": (Role.DEPARTMENT_OFFICER, "433124000000", True, False, 0),
        "inspector_433124": (Role.INSPECTOR, "433124000000", True, False, 0),
        "demo_security": (Role.SECURITY_ADMIN, None, True, False, 0),
    }
    assert users["county_433124"].check_password(logins[1].password)
    assert user_can(users["county_433124"], "registry.edit")
    assert not user_can(users["demo_admin"], "registry.view")  # 三员: no household data
    assert user_can(users["demo_admin"], "users.manage")
    assert user_can(users["auditor_433124"], "audit.view")
    assert not user_can(users["auditor_433124"], "registry.view")
    assert user_can(users["officer_433124"], "feeds.import")
    assert user_can(users["demo_security"], "roles.manage")
    assert not user_can(users["demo_security"], "registry.view")
    assert AuditEvent.objects.filter(action="user.demo_create").count() == 9
    # Roles go through user_role_assign, which audits each assignment.
    assert AuditEvent.objects.filter(action="user.role_assign").count() == 9


def test_a_second_run_resets_passwords_without_new_users(huayuan_regions: Any) -> None:
    first = demo_users_create(county_code="433124", actor="system:test")
    second = demo_users_create(county_code="433124", actor="system:test")
    assert User.objects.count() == 9
    assert {a.password for a in first}.isdisjoint({b.password for b in second})


def test_refused_outside_demo_mode(huayuan_regions: Any, settings: Any) -> None:
    settings.MODE = "production"
    with pytest.raises(RuntimeError):
        demo_users_create(county_code="433124", actor="system:test")
    assert User.objects.count() == 0
    assert AuditEvent.objects.filter(action="user.demo_create").count() == 0
