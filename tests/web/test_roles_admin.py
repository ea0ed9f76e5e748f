"""The security administrator's role page (三员): assign a role and a home region."""

from __future__ import annotations

from typing import Any

import pytest

from fangpin.core.models import AuditEvent, Region, Role, User
from tests.registry.conftest import TUDI, make_user
from tests.web.conftest import client_for


@pytest.fixture
def secadmin(village: Region) -> User:
    return make_user("sec01", Role.SECURITY_ADMIN, None)


@pytest.fixture
def newcomer(village: Region) -> User:
    return User.objects.create_user(username="li_si", first_name="李四")


def _state(user: User) -> tuple[str, str | None]:
    user.refresh_from_db()
    return user.role, user.home_region_id


def test_the_security_admin_sees_every_account(secadmin: User, newcomer: User) -> None:
    response = client_for(secadmin).get("/roles/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "li_si" in body
    assert "未分配角色" in body
    assert "no-store" in response["Cache-Control"]


def test_a_role_and_village_are_assigned_and_audited(secadmin: User, newcomer: User) -> None:
    response = client_for(secadmin).post(
        f"/roles/{newcomer.pk}/", {"role": Role.VILLAGE_CADRE, "region": TUDI}
    )

    assert response.status_code == 302
    assert _state(newcomer) == (Role.VILLAGE_CADRE, TUDI)
    event = AuditEvent.objects.filter(action="user.role_assign").latest("pk")
    assert (event.actor_label, event.object_id) == ("sec01", str(newcomer.pk))
    assert event.changes == {"role": ["", "village_cadre"], "home_region": [None, TUDI]}


def test_a_six_digit_county_code_is_accepted(secadmin: User, newcomer: User) -> None:
    client_for(secadmin).post(
        f"/roles/{newcomer.pk}/", {"role": Role.COUNTY_APPROVER, "region": "433124"}
    )

    assert _state(newcomer) == (Role.COUNTY_APPROVER, "433124000000")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"role": Role.VILLAGE_CADRE, "region": "433124"}, "的所属区划应为村级区划"),
        ({"role": Role.VILLAGE_CADRE, "region": ""}, "必须有所属区划"),
        ({"role": Role.VILLAGE_CADRE, "region": "999999"}, "区划代码 999999000000 不存在"),
        ({"role": Role.VILLAGE_CADRE, "region": "12ab"}, "区划代码应为 6 位或 12 位数字"),
        ({"role": "king", "region": TUDI}, "king"),
    ],
)
def test_a_bad_assignment_changes_nothing_and_says_why(
    secadmin: User, newcomer: User, data: dict[str, str], message: str
) -> None:
    client = client_for(secadmin)
    before = AuditEvent.objects.filter(action="user.role_assign").count()

    response = client.post(f"/roles/{newcomer.pk}/", data, follow=True)

    assert message in response.content.decode()
    assert _state(newcomer) == ("", None)
    assert AuditEvent.objects.filter(action="user.role_assign").count() == before


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.COUNTY_APPROVER, Role.AUDITOR])
def test_other_roles_are_refused_and_the_refusal_is_audited(
    village: Region, newcomer: User, role: str
) -> None:
    other = make_user("other01", role, "433124000000" if role != Role.SYSTEM_ADMIN else None)
    client = client_for(other)

    page = client.get("/roles/")
    post = client.post(f"/roles/{newcomer.pk}/", {"role": Role.AUDITOR, "region": "433124"})

    assert (page.status_code, post.status_code) == (403, 403)
    assert _state(newcomer) == ("", None)
    assert AuditEvent.objects.filter(action="authz.denied", actor_label="other01").count() == 2


def test_one_cannot_change_ones_own_role(secadmin: User) -> None:
    response = client_for(secadmin).post(f"/roles/{secadmin.pk}/", {"role": ""}, follow=True)

    assert "不能更改自己的角色" in response.content.decode()
    assert _state(secadmin) == (Role.SECURITY_ADMIN, None)


def test_get_on_the_assignment_url_is_refused(secadmin: User, newcomer: User) -> None:
    assert client_for(secadmin).get(f"/roles/{newcomer.pk}/").status_code == 405


def test_the_menu_offers_the_page_to_the_security_admin_only(secadmin: User, village: Any) -> None:
    cadre = make_user("cadre01", Role.VILLAGE_CADRE, TUDI)

    assert "角色分配" in client_for(secadmin).get("/account/password/").content.decode()
    assert "角色分配" not in client_for(cadre).get("/").content.decode()
