"""Sessions: idle and absolute timeouts, logout, password change, cookies (SEC-SES-1…3).

SECURITY.md §5 scenario 8. The clock moves by patching ``django.utils.timezone.now``, which the
session backend, the lifetime middleware and django-axes all read.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from fangpin.core.models import User
from fangpin.core.sessions import LOGIN_AT_KEY
from fangpin.settings import BASE_DIR
from tests.core.conftest import PASSWORD, Clock

PROTECTED = "/admin/"  # any page behind the login will do; the admin index needs no region
LOGIN_REDIRECT = f"/admin/login/?next={PROTECTED}"


def logged_in_client() -> Client:
    client = Client()
    response = client.post("/admin/login/", {"username": "county_433124", "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def session_row_exists(key: str) -> bool:
    return Session.objects.filter(session_key=key, expire_date__gt=timezone.now()).exists()


def test_login_gives_a_new_session_key(official: User) -> None:
    client = Client()
    client.get("/admin/login/")
    client.session.save()
    before = client.session.session_key

    client.post("/admin/login/", {"username": "county_433124", "password": PASSWORD})

    assert client.session.session_key != before
    assert client.session[SESSION_KEY] == str(official.pk)


def test_activity_keeps_the_session_alive(official: User, clock: Clock) -> None:
    client = logged_in_client()
    for _ in range(3):
        clock.advance(minutes=29)
        assert client.get(PROTECTED).status_code == 200


def test_thirty_one_idle_minutes_end_the_session(official: User, clock: Clock) -> None:
    client = logged_in_client()
    key = client.session.session_key
    assert client.get(PROTECTED).status_code == 200

    clock.advance(minutes=31)

    response = client.get(PROTECTED)
    assert response.status_code == 302
    assert response.url == LOGIN_REDIRECT
    assert session_row_exists(key) is False


def test_twelve_hours_after_login_the_session_ends_however_active(
    official: User, clock: Clock
) -> None:
    client = logged_in_client()
    key = client.session.session_key
    login_at = client.session[LOGIN_AT_KEY]
    for _ in range(24):  # 24 × 29 min = 11 h 36 min, never idle for 30 minutes
        clock.advance(minutes=29)
        assert client.get(PROTECTED).status_code == 200
    assert client.session[LOGIN_AT_KEY] == login_at  # activity does not restart the clock

    clock.advance(minutes=29)  # 12 h 05 min after login

    response = client.get(PROTECTED)
    assert response.status_code == 302
    assert response.url == LOGIN_REDIRECT
    assert Session.objects.filter(session_key=key).exists() is False


def test_the_absolute_limit_follows_the_setting(
    official: User, clock: Clock, settings: Any
) -> None:
    settings.FANGPIN_SESSION_MAX_HOURS = 1
    client = logged_in_client()
    clock.advance(minutes=29)
    assert client.get(PROTECTED).status_code == 200
    clock.advance(minutes=29)
    assert client.get(PROTECTED).status_code == 200
    clock.advance(minutes=3)
    assert client.get(PROTECTED).status_code == 302


def test_logout_deletes_the_session_and_the_old_cookie_is_worthless(official: User) -> None:
    client = logged_in_client()
    key = client.session.session_key
    cookie = client.cookies["sessionid"].value
    assert client.get(PROTECTED).status_code == 200

    assert client.post("/admin/logout/").status_code == 200

    assert Session.objects.filter(session_key=key).exists() is False
    replay = Client()
    replay.cookies["sessionid"] = cookie
    response = replay.get(PROTECTED)
    assert response.status_code == 302
    assert response.url == LOGIN_REDIRECT


def test_a_password_change_ends_the_users_other_sessions(official: User) -> None:
    office = logged_in_client()
    laptop = logged_in_client()
    laptop_key = laptop.session.session_key

    changed = office.post(
        "/admin/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "Tuojiang-River-2025!",
            "new_password2": "Tuojiang-River-2025!",
        },
    )

    assert changed.status_code == 302
    assert office.get(PROTECTED).status_code == 200  # the session that changed it goes on
    response = laptop.get(PROTECTED)
    assert response.status_code == 302
    assert response.url == LOGIN_REDIRECT
    assert Session.objects.filter(session_key=laptop_key).exists() is False


def test_a_weak_new_password_is_refused_in_chinese_and_nothing_changes(official: User) -> None:
    office = logged_in_client()
    hash_before = User.objects.get(pk=official.pk).password

    response = office.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": "fangpin2024", "new_password2": "fangpin2024"},
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "密码长度太短。密码必须包含至少 12 个字符。" in body
    assert "密码不能包含系统名称或业务常用词" in body
    assert User.objects.get(pk=official.pk).password == hash_before


def test_cookies_are_httponly_lax_and_end_with_the_browser(official: User) -> None:
    client = Client()
    response = client.post("/admin/login/", {"username": "county_433124", "password": PASSWORD})

    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == ""  # a browser-session cookie: gone when the browser closes
    assert cookie["expires"] == ""
    assert cookie["secure"] == ""  # demo and test run on plain http


def _settings_in(mode: str, **extra: str) -> dict[str, Any]:
    """Import fangpin.settings in a fresh interpreter with FANGPIN_MODE=mode."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FANGPIN_")}
    env.update(FANGPIN_MODE=mode, FANGPIN_SECRET_KEY="x" * 60, **extra)
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_NAME",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE",
        "SESSION_COOKIE_AGE",
        "FANGPIN_REQUIRE_TOTP",
    ]
    code = (
        "import json; from django.conf import settings as s; import django; django.setup();"
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "fangpin.settings"},
        capture_output=True,
        text=True,
        cwd=BASE_DIR,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_production_cookies_are_secure_and_host_prefixed() -> None:
    production = _settings_in("production")

    assert production == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
        "SESSION_COOKIE_AGE": 1800,
        "FANGPIN_REQUIRE_TOTP": True,
    }


def test_demo_cookies_work_on_plain_http() -> None:
    demo = _settings_in("demo")

    assert demo["SESSION_COOKIE_SECURE"] is False
    assert demo["CSRF_COOKIE_SECURE"] is False
    assert demo["SESSION_COOKIE_NAME"] == "sessionid"
    assert demo["FANGPIN_REQUIRE_TOTP"] is False
