"""The system administrator's account pages (fangpin/web/views/accounts_admin.py).

Only 系统管理员 (``users.manage``) opens them; every other role gets 403 with nothing changed
and an ``authz.denied`` event. The pages hold no household data (username, name, role, home
region, status, last login), so they have no region scope; the system administrator in turn
sees no household (三员, SEC-AC-6).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from fangpin.api.services import api_token_create
from fangpin.core.models import AuditEvent, PasswordHistory, Region, Role, User
from fangpin.registry.models import Household
from tests.registry.conftest import HUAYUAN_COUNTY, TUDI, make_user
from tests.web.conftest import client_for

PASSWORD = "Shibadong-Tea-2026"
ONE_TIME = "Miaojiang-Silver-77"


@pytest.fixture
def sysadmin(village: Region) -> User:
    return make_user("sys_admin", Role.SYSTEM_ADMIN, None)


@pytest.fixture
def others(village: Region) -> dict[str, User]:
    """One account per other role that matters here."""
    return {
        "security_admin": make_user("sec_admin", Role.SECURITY_ADMIN, None),
        "auditor": make_user("auditor_433124", Role.AUDITOR, HUAYUAN_COUNTY),
        "county_approver": make_user("approver", Role.COUNTY_APPROVER, HUAYUAN_COUNTY),
        "village_cadre": make_user("cadre", Role.VILLAGE_CADRE, TUDI),
    }


@pytest.fixture
def cadre(village: Region) -> User:
    """A village cadre who can log in with PASSWORD."""
    user = make_user("cadre_tudi", Role.VILLAGE_CADRE, TUDI)
    user.set_password(PASSWORD)
    user.first_name = "田七"
    user.save()
    return user


def login(username: str, password: str) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:300]
    return client


def state() -> dict[str, Any]:
    return {
        "users": list(
            User.objects.order_by("pk").values_list(
                "username", "is_active", "password", "password_changed_at"
            )
        ),
        "history": PasswordHistory.objects.count(),
        "sessions": Session.objects.count(),
        "writes": AuditEvent.objects.exclude(action="authz.denied").count(),
    }


# --- The list ---------------------------------------------------------------------------------


def test_the_list_shows_role_region_status_last_login_and_dormancy(
    sysadmin: User, cadre: User, others: dict[str, User]
) -> None:
    User.objects.filter(pk=cadre.pk).update(last_login=timezone.now() - timedelta(days=100))
    User.objects.filter(pk=others["auditor"].pk).update(is_active=False)

    response = client_for(sysadmin).get("/accounts/")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    row = body.split(f'id="account-{cadre.pk}"')[1].split("</tr>")[0]
    assert "cadre_tudi" in row
    assert "田七" in row
    assert "帮扶责任人/村委" in row
    assert "土地村" in row
    assert "启用" in row
    assert "长期未登录" in row
    last_login = User.objects.get(pk=cadre.pk).last_login
    assert last_login is not None
    assert timezone.localtime(last_login).strftime("%Y-%m-%d %H:%M") in row
    auditor_row = body.split(f'id="account-{others["auditor"].pk}"')[1].split("</tr>")[0]
    assert "停用" in auditor_row
    assert "从未登录" in auditor_row
    own_row = body.split(f'id="account-{sysadmin.pk}"')[1].split("</tr>")[0]
    assert "/disable/" not in own_row  # nobody disables their own account


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("role=village_cadre", ["cadre", "cadre_tudi"]),
        ("role=security_admin", ["sec_admin"]),
        ("status=disabled", ["auditor_433124"]),
        ("dormant=yes", ["cadre_tudi"]),
        ("q=CADRE&role=village_cadre", ["cadre", "cadre_tudi"]),
        ("q=sec", ["sec_admin"]),
    ],
)
def test_the_list_filters(
    sysadmin: User, cadre: User, others: dict[str, User], query: str, expected: list[str]
) -> None:
    User.objects.filter(pk=cadre.pk).update(last_login=timezone.now() - timedelta(days=100))
    User.objects.exclude(pk=cadre.pk).update(last_login=timezone.now())
    User.objects.filter(pk=others["auditor"].pk).update(is_active=False)

    response = client_for(sysadmin).get(f"/accounts/?{query}")

    shown = [u.username for u in response.context["page"]]
    assert shown == expected


# --- Writes -----------------------------------------------------------------------------------


def test_the_system_administrator_creates_an_account(sysadmin: User) -> None:
    client = client_for(sysadmin)

    response = client.post(
        "/accounts/new/",
        {
            "username": "li_si",
            "full_name": "李四",
            "password1": ONE_TIME,
            "password2": ONE_TIME,
        },
    )

    assert (response.status_code, response["Location"]) == (302, "/accounts/")
    created = User.objects.get(username="li_si")
    assert (created.first_name, created.role, created.is_active) == ("李四", "", True)
    assert created.password_changed_at is None
    assert created.check_password(ONE_TIME)
    [event] = AuditEvent.objects.filter(action="user.create")
    assert (event.actor_label, event.object_id) == ("sys_admin", str(created.pk))
    assert "已创建账号 li_si" in client.get("/accounts/").content.decode()


def test_a_weak_one_time_password_is_refused_in_chinese(sysadmin: User) -> None:
    client = client_for(sysadmin)
    before = state()

    response = client.post(
        "/accounts/new/",
        {"username": "li_si", "full_name": "李四", "password1": "fupin", "password2": "fupin"},
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "密码长度太短。密码必须包含至少 12 个字符。" in body
    assert "密码不能包含系统名称或业务常用词" in body
    assert state() == before


def test_disabling_kills_the_accounts_sessions_and_tokens(sysadmin: User, cadre: User) -> None:
    victim = login("cadre_tudi", PASSWORD)
    assert victim.get("/households/").status_code == 200
    _token, secret = api_token_create(actor="system:test", user=cadre, name="对接")
    bearer = {"Authorization": f"Bearer {secret}"}
    assert Client().get("/api/v1/households", headers=bearer).status_code == 200

    response = client_for(sysadmin).post(f"/accounts/{cadre.pk}/disable/", {"reason": "调离"})

    assert (response.status_code, response["Location"]) == (302, "/accounts/")
    assert User.objects.get(pk=cadre.pk).is_active is False
    replay = victim.get("/households/")
    assert (replay.status_code, replay["Location"]) == (302, "/login/?next=/households/")
    api = Client().get("/api/v1/households", headers=bearer)
    assert (api.status_code, api.json()["code"]) == (401, "unauthenticated")
    [event] = AuditEvent.objects.filter(action="user.disable")
    assert event.changes == {"is_active": [True, False], "reason": "调离", "sessions_ended": 1}
    assert (
        Client().post("/login/", {"username": "cadre_tudi", "password": PASSWORD}).status_code
        == 200
    )


def test_the_disable_form_itself_changes_nothing(sysadmin: User, cadre: User) -> None:
    client = client_for(sysadmin)
    before = state()

    response = client.get(f"/accounts/{cadre.pk}/disable/")

    assert response.status_code == 200
    assert "停用原因" in response.content.decode()
    assert state() == before


def test_disabling_oneself_is_refused_on_the_page(sysadmin: User) -> None:
    client = client_for(sysadmin)
    before = state()

    response = client.post(f"/accounts/{sysadmin.pk}/disable/", {"reason": "试"})

    assert response.status_code == 200
    assert "不能停用自己的账号" in response.content.decode()
    assert state()["users"] == before["users"]


def test_the_system_administrator_enables_an_account(sysadmin: User, cadre: User) -> None:
    User.objects.filter(pk=cadre.pk).update(is_active=False)

    response = client_for(sysadmin).post(f"/accounts/{cadre.pk}/enable/")

    assert (response.status_code, response["Location"]) == (302, "/accounts/")
    assert User.objects.get(pk=cadre.pk).is_active is True
    assert AuditEvent.objects.filter(action="user.enable", object_id=str(cadre.pk)).count() == 1
    assert login("cadre_tudi", PASSWORD).get("/households/").status_code == 200


def test_a_reset_password_must_be_changed_at_the_next_login(sysadmin: User, cadre: User) -> None:
    victim = login("cadre_tudi", PASSWORD)

    response = client_for(sysadmin).post(
        f"/accounts/{cadre.pk}/reset-password/", {"password1": ONE_TIME, "password2": ONE_TIME}
    )

    assert (response.status_code, response["Location"]) == (302, "/accounts/")
    assert victim.get("/households/")["Location"] == "/login/?next=/households/"
    client = login("cadre_tudi", ONE_TIME)
    assert client.get("/households/")["Location"] == "/account/password/"
    [event] = AuditEvent.objects.filter(action="user.password_reset")
    assert event.changes == {"must_change_password": True, "sessions_ended": 1}


# --- Who may ----------------------------------------------------------------------------------

ROUTES = [
    ("get", "/accounts/", None),
    ("get", "/accounts/new/", None),
    (
        "post",
        "/accounts/new/",
        {"username": "x_y", "full_name": "某", "password1": ONE_TIME, "password2": ONE_TIME},
    ),
    ("get", "/accounts/{pk}/disable/", None),
    ("post", "/accounts/{pk}/disable/", {"reason": "调离"}),
    ("get", "/accounts/{pk}/enable/", None),
    ("post", "/accounts/{pk}/enable/", {}),
    ("get", "/accounts/{pk}/reset-password/", None),
    ("post", "/accounts/{pk}/reset-password/", {"password1": ONE_TIME, "password2": ONE_TIME}),
]


@pytest.mark.parametrize("role", ["security_admin", "auditor", "county_approver", "village_cadre"])
@pytest.mark.parametrize(("method", "path", "data"), ROUTES)
def test_other_roles_get_403_and_nothing_changes(
    cadre: User,
    others: dict[str, User],
    role: str,
    method: str,
    path: str,
    data: dict[str, str] | None,
) -> None:
    client = client_for(others[role])
    before = state()
    denied_before = AuditEvent.objects.filter(action="authz.denied").count()

    response = getattr(client, method)(path.format(pk=cadre.pk), data or {})

    assert response.status_code == 403
    assert state() == before
    denied = AuditEvent.objects.filter(action="authz.denied").order_by("-id")
    assert denied.count() == denied_before + 1
    assert denied[0].changes == {"attempted": "users.manage", "reason": "capability"}
    assert denied[0].actor_label == others[role].username


def test_a_post_without_the_csrf_token_is_refused(sysadmin: User, cadre: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(sysadmin)
    before = state()

    response = client.post(f"/accounts/{cadre.pk}/disable/", {"reason": "调离"})

    assert response.status_code == 403
    assert state() == before


def test_the_system_administrator_sees_no_household(sysadmin: User, family: Household) -> None:
    client = client_for(sysadmin)

    assert client.get("/households/").status_code == 403
    assert client.get(f"/households/{family.public_id}/").status_code == 403
    assert client.get("/api/v1/households").json()["code"] == "forbidden"


def test_the_header_links_follow_the_role(sysadmin: User, cadre: User) -> None:
    admin_page = client_for(sysadmin).get("/accounts/").content.decode()
    cadre_page = client_for(cadre).get("/households/").content.decode()

    assert 'href="/account/password/"' in admin_page
    assert 'href="/accounts/"' in admin_page
    assert 'href="/account/password/"' in cadre_page
    assert 'href="/accounts/"' not in cadre_page


def test_a_system_administrator_lands_on_the_accounts_page_after_a_change(
    sysadmin: User,
) -> None:
    sysadmin.set_password(PASSWORD)
    sysadmin.save()
    client = login("sys_admin", PASSWORD)

    response = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": ONE_TIME, "new_password2": ONE_TIME},
    )

    assert (response.status_code, response["Location"]) == (302, "/accounts/")
