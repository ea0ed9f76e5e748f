"""Demo accounts: one per level, fresh passwords each run, never outside demo or test mode."""

from __future__ import annotations

from typing import Any

import pytest

from fangpin.core.models import AuditEvent, User
from fangpin.core.users import demo_users_create


def test_creates_one_login_per_level_with_view_rights(huayuan_regions: Any) -> None:
    logins = demo_users_create(county_code="433124", actor="system:test")
    assert [x.username for x in logins] == [
        "demo_admin",
        "county_433124",
        "township_433124102",
        "village_433124102200",
        "auditor_433124",
    ]
    county = User.objects.get(username="county_433124")
    assert county.check_password(logins[1].password)
    assert county.is_staff
    assert not county.is_superuser
    assert county.has_perm("registry.view_household")
    assert not county.has_perm("registry.change_household")
    auditor = User.objects.get(username="auditor_433124")
    assert auditor.has_perm("core.view_auditevent")
    assert not auditor.has_perm("registry.view_household")
    assert AuditEvent.objects.filter(action="user.demo_create").count() == 5


def test_a_second_run_resets_passwords_without_new_users(huayuan_regions: Any) -> None:
    first = demo_users_create(county_code="433124", actor="system:test")
    second = demo_users_create(county_code="433124", actor="system:test")
    assert User.objects.count() == 5
    assert {a.password for a in first}.isdisjoint({b.password for b in second})


def test_refused_outside_demo_mode(huayuan_regions: Any, settings: Any) -> None:
    settings.MODE = "production"
    with pytest.raises(RuntimeError):
        demo_users_create(county_code="433124", actor="system:test")
    assert User.objects.count() == 0
    assert AuditEvent.objects.filter(action="user.demo_create").count() == 0
