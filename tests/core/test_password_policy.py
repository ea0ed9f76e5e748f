"""Password expiry, history and the forced change (SEC-AUTH-3, SEC-SES-2, scenario 8).

fangpin/core/password_policy.py and password_change in fangpin/core/account_lifecycle.py. The
clock moves with the ``clock`` fixture (tests/core/conftest.py), which the session backend,
django-axes and the middleware all read.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from fangpin.api.services import api_token_create
from fangpin.core.account_lifecycle import AccountError, password_change, user_create
from fangpin.core.models import AuditEvent, PasswordHistory, Region, Role, User
from fangpin.core.password_policy import password_change_due
from tests.core.conftest import Clock
from tests.registry.conftest import TUDI, village  # noqa: F401  (fixture)

PASSWORD = "Shibadong-Tea-2026"
NEW = "Tuojiang-River-2025!"
PAGE = "/account/password/"
PROTECTED = "/households/"
NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
def cadre(village: Region) -> User:  # noqa: F811  (the imported fixture)
    user = User.objects.create_user(username="cadre_tudi", password=PASSWORD, first_name="田七")
    User.objects.filter(pk=user.pk).update(role=Role.VILLAGE_CADRE, home_region_id=TUDI)
    user.refresh_from_db()
    return user


def login(username: str = "cadre_tudi", password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:300]
    return client


def change(client: Client, old: str, new: str) -> Any:
    return client.post(PAGE, {"old_password": old, "new_password1": new, "new_password2": new})


# --- password_change_due ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changed_at", "max_age", "due"),
    [
        (None, 0, True),  # set by an administrator
        (None, 90, True),
        (NOW - timedelta(days=3650), 0, False),  # 0: passwords never expire
        (NOW - timedelta(days=89, hours=23), 90, False),
        (NOW - timedelta(days=90), 90, True),
        (NOW - timedelta(days=91), 90, True),
    ],
)
def test_when_a_password_change_is_due(
    changed_at: datetime | None, max_age: int, due: bool, settings: Any
) -> None:
    settings.FANGPIN_PASSWORD_MAX_AGE_DAYS = max_age
    user = SimpleNamespace(is_authenticated=True, password_changed_at=changed_at)

    assert password_change_due(user, now=NOW) is due


def test_anonymous_and_system_callers_never_must_change() -> None:
    assert password_change_due(SimpleNamespace(is_authenticated=False)) is False
    assert password_change_due(SimpleNamespace(is_authenticated=True)) is False


# --- History (last 5) -------------------------------------------------------------------------

SEQUENCE = [f"Fenghuang-Gate-{n}{n}{n}" for n in range(7)]


def test_history_refuses_each_of_the_last_five_and_accepts_the_sixth_oldest(db: Any) -> None:
    user = user_create(
        actor="system:cli", username="li_si", full_name="李四", initial_password=SEQUENCE[0]
    )
    for old, new in itertools.pairwise(SEQUENCE[:6]):
        password_change(user=user, old_password=old, new_password=new)
    assert PasswordHistory.objects.filter(user=user).count() == 5  # SEQUENCE[0] trimmed
    current = SEQUENCE[5]

    for reused in SEQUENCE[1:6]:
        hash_before = User.objects.get(pk=user.pk).password
        with pytest.raises(AccountError) as refused:
            password_change(user=user, old_password=current, new_password=reused)
        assert refused.value.code == "reused_password"
        assert User.objects.get(pk=user.pk).password == hash_before

    password_change(user=user, old_password=current, new_password=SEQUENCE[0])

    assert User.objects.get(pk=user.pk).check_password(SEQUENCE[0])
    assert PasswordHistory.objects.filter(user=user).count() == 5
    assert AuditEvent.objects.filter(action="user.password_change", result="success").count() == 6


def test_the_history_length_follows_the_setting(db: Any, settings: Any) -> None:
    settings.FANGPIN_PASSWORD_HISTORY = 2
    user = user_create(
        actor="system:cli", username="li_si", full_name="李四", initial_password=SEQUENCE[0]
    )
    password_change(user=user, old_password=SEQUENCE[0], new_password=SEQUENCE[1])
    password_change(user=user, old_password=SEQUENCE[1], new_password=SEQUENCE[2])

    with pytest.raises(AccountError) as refused:
        password_change(user=user, old_password=SEQUENCE[2], new_password=SEQUENCE[1])
    assert refused.value.message == "新密码不能与最近 2 次使用过的密码相同"

    password_change(user=user, old_password=SEQUENCE[2], new_password=SEQUENCE[0])
    assert PasswordHistory.objects.filter(user=user).count() == 2


# --- Expiry and the forced change (web and API) -----------------------------------------------


def test_an_expired_password_forces_the_change_page(
    cadre: User, clock: Clock, settings: Any
) -> None:
    settings.FANGPIN_PASSWORD_MAX_AGE_DAYS = 90
    assert login().get(PROTECTED).status_code == 200

    clock.advance(days=91)
    client = login()

    for path in (PROTECTED, "/", "/households/new/", "/admin/"):
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, PAGE), path
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "您的密码已过期，请先修改密码再继续使用。" in page.content.decode()


def test_after_the_change_the_pages_open_again(cadre: User, clock: Clock, settings: Any) -> None:
    settings.FANGPIN_PASSWORD_MAX_AGE_DAYS = 90
    clock.advance(days=91)
    client = login()

    response = change(client, PASSWORD, NEW)

    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.get(PROTECTED).status_code == 200
    stored = User.objects.get(pk=cadre.pk)
    assert stored.check_password(NEW)
    assert stored.password_changed_at is not None
    assert password_change_due(stored) is False


def test_the_api_refuses_a_session_whose_password_must_change(
    cadre: User, clock: Clock, settings: Any
) -> None:
    settings.FANGPIN_PASSWORD_MAX_AGE_DAYS = 90
    clock.advance(days=91)
    client = login()

    response = client.get("/api/v1/households")

    assert response.status_code == 403
    assert response.json() == {
        "code": "password_change_required",
        "message": "密码已过期或由管理员设置，请先在网页上修改密码",
        "field": None,
    }


def test_a_bearer_token_goes_on_while_the_password_must_change(
    cadre: User, clock: Clock, settings: Any
) -> None:
    settings.FANGPIN_PASSWORD_MAX_AGE_DAYS = 90
    _token, secret = api_token_create(actor="system:test", user=cadre, name="对接")
    clock.advance(days=91)

    response = Client().get("/api/v1/households", headers={"Authorization": f"Bearer {secret}"})

    assert response.status_code == 200


def test_an_administrator_set_password_allows_only_the_change_page_and_logout(
    cadre: User,
) -> None:
    User.objects.filter(pk=cadre.pk).update(password_changed_at=None)
    client = login()

    page = client.get(PAGE)
    assert page.status_code == 200
    assert "您的密码由管理员设置，请先修改为只有您自己知道的密码。" in page.content.decode()
    assert client.get(PROTECTED)["Location"] == PAGE
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    logout = client.post("/logout/")
    assert (logout.status_code, logout["Location"]) == (302, "/login/")
    assert client.get(PROTECTED)["Location"] == f"/login/?next={PROTECTED}"


def test_an_htmx_request_is_sent_to_the_change_page_as_a_full_load(cadre: User) -> None:
    User.objects.filter(pk=cadre.pk).update(password_changed_at=None)
    client = login()

    response = client.get(PROTECTED, headers={"HX-Request": "true"})

    assert (response.status_code, response["HX-Redirect"]) == (204, PAGE)


# --- Changing the password on the web -------------------------------------------------------


def test_a_change_cycles_the_session_and_ends_the_others(cadre: User) -> None:
    office = login()
    laptop = login()
    office_key = office.session.session_key
    laptop_cookie = laptop.cookies["sessionid"].value

    response = change(office, PASSWORD, NEW)

    assert response.status_code == 302
    assert office.session.session_key != office_key
    assert Session.objects.filter(session_key=office_key).exists() is False
    assert office.get(PROTECTED).status_code == 200
    replay = Client()
    replay.cookies["sessionid"] = laptop_cookie
    stolen = replay.get(PROTECTED)
    assert (stolen.status_code, stolen["Location"]) == (302, f"/login/?next={PROTECTED}")
    assert Session.objects.filter(session_key=laptop_cookie).exists() is False
    [event] = AuditEvent.objects.filter(action="user.password_change")
    assert event.changes == {"sessions_ended": 1}
    assert event.ip == "127.0.0.1"


@pytest.mark.parametrize(
    ("old", "new", "messages"),
    [
        ("wrong-password-1", NEW, ["原密码不正确"]),
        (
            PASSWORD,
            "fangpin2024",
            ["密码长度太短。密码必须包含至少 12 个字符。", "密码不能包含系统名称或业务常用词"],
        ),
        (PASSWORD, PASSWORD, ["新密码不能与最近 5 次使用过的密码相同"]),
    ],
)
def test_a_refused_change_shows_chinese_messages_and_changes_nothing(
    cadre: User, old: str, new: str, messages: list[str]
) -> None:
    client = login()
    hash_before = User.objects.get(pk=cadre.pk).password

    response = change(client, old, new)

    assert response.status_code == 200
    body = response.content.decode()
    for message in messages:
        assert message in body
    assert User.objects.get(pk=cadre.pk).password == hash_before
    assert PasswordHistory.objects.count() == 0


def test_the_two_new_passwords_must_match(cadre: User) -> None:
    client = login()

    response = client.post(
        PAGE, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW + "x"}
    )

    assert "两次输入的新密码不一致" in response.content.decode()
    assert User.objects.get(pk=cadre.pk).check_password(PASSWORD)
