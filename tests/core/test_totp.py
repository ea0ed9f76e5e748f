"""The TOTP second factor (SEC-AUTH-5, MLPS 身份鉴别 d; SECURITY.md §5 scenario 7)."""

from __future__ import annotations

import time
from typing import Any

import pytest
import typer
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from typer.testing import CliRunner

from fangpin.cli.totp import totp_app
from fangpin.core.auth import (
    LoginError,
    totp_devices_remove,
    totp_enroll_confirm,
    totp_enroll_start,
)
from fangpin.core.models import AuditEvent, Region, Role, User

PASSWORD = "correct-horse-battery-9"
HOUSEHOLDS = "/admin/registry/household/"
TOKEN_REQUIRED = "请输入手机验证器上显示的 6 位动态验证码。"
TOKEN_INVALID = "动态验证码不正确或已经用过"
NOT_ENROLLED = "该账号尚未绑定动态验证码"


def code_for(device: TOTPDevice, *, steps_ago: int = 0) -> str:
    """The code the official's phone shows now (or ``steps_ago`` 30-second steps back)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() - steps_ago * device.step
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def official(huayuan_regions: Any) -> User:
    """A county approver of 花垣县: may view the county's households."""
    return User.objects.create_user(
        username="county_433124",
        password=PASSWORD,
        is_staff=True,
        role=Role.COUNTY_APPROVER,
        home_region=Region.objects.get(code="433124000000"),
    )


@pytest.fixture
def device(official: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=official, name="动态验证码", confirmed=True)


@pytest.fixture
def required(settings: Any) -> None:
    settings.FANGPIN_REQUIRE_TOTP = True


def log_in(client: Client, code: str = "", *, password: str = PASSWORD) -> Any:
    return client.post(
        "/admin/login/",
        {"username": "county_433124", "password": password, "otp_token": code, "next": "/admin/"},
    )


def is_logged_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def test_required_password_alone_gives_no_session_and_no_households(
    required: None, device: TOTPDevice
) -> None:
    client = Client()

    response = log_in(client)

    assert response.status_code == 200
    assert TOKEN_REQUIRED in response.content.decode()
    assert PASSWORD not in response.content.decode()  # never echoed back into the form
    assert is_logged_in(client) is False
    households = client.get(HOUSEHOLDS)
    assert households.status_code == 302
    assert households.url == f"/login/?next={HOUSEHOLDS}"


def test_required_password_and_a_valid_code_open_the_households(
    required: None, device: TOTPDevice
) -> None:
    client = Client()

    response = log_in(client, code_for(device))

    assert response.status_code == 302
    assert response.url == "/admin/"
    assert client.get(HOUSEHOLDS).status_code == 200


def test_a_replayed_code_is_refused(required: None, device: TOTPDevice) -> None:
    code = code_for(device)
    first = Client()
    assert log_in(first, code).status_code == 302
    first.post("/admin/logout/")

    second = Client()
    replay = log_in(second, code)

    assert replay.status_code == 200
    assert TOKEN_INVALID in replay.content.decode()
    assert is_logged_in(second) is False


def test_a_code_from_three_steps_ago_is_refused(required: None, device: TOTPDevice) -> None:
    client = Client()

    response = log_in(client, code_for(device, steps_ago=3))

    assert TOKEN_INVALID in response.content.decode()
    assert is_logged_in(client) is False


def test_required_a_session_without_the_second_factor_reaches_no_page(
    required: None, device: TOTPDevice, official: User
) -> None:
    client = Client()
    client.force_login(official)  # a session made by some path that skipped the TOTP check

    for url in (HOUSEHOLDS, "/admin/", "/"):
        response = client.get(url)
        assert response.status_code == 302, url
        # the admin index sends to the admin's own login page; every other page to /login/
        expected = "/admin/login/?next=" if url == "/admin/" else "/login/?next="
        assert response.url.startswith(expected), url
    assert client.get("/login/").status_code == 200  # where they can finish logging in


def test_required_an_account_without_a_device_cannot_log_in(required: None, official: User) -> None:
    client = Client()

    response = log_in(client, "123456")

    assert NOT_ENROLLED in response.content.decode()
    assert is_logged_in(client) is False


def test_wrong_codes_count_towards_the_lockout(required: None, device: TOTPDevice) -> None:
    statuses = [log_in(Client(), "000000").status_code for _ in range(5)]

    assert statuses == [200, 200, 200, 200, 429]
    assert AccessFailureLog.objects.filter(username="county_433124").count() == 5
    assert AuditEvent.objects.filter(action="auth.lockout").count() == 1
    # Locked: even the password with a fresh, valid code is refused now.
    assert log_in(Client(), code_for(device)).status_code == 429


def test_a_wrong_code_is_not_kept_in_clear(required: None, device: TOTPDevice) -> None:
    log_in(Client(), "314159")

    attempt = AccessAttempt.objects.get(username="county_433124")
    assert "314159" not in attempt.post_data
    assert PASSWORD not in attempt.post_data


def test_not_required_the_password_alone_works_for_an_account_without_a_device(
    official: User,
) -> None:
    client = Client()

    assert log_in(client).status_code == 302
    assert client.get(HOUSEHOLDS).status_code == 200


def test_not_required_an_enrolled_account_still_needs_its_code(device: TOTPDevice) -> None:
    client = Client()
    assert TOKEN_REQUIRED in log_in(client).content.decode()
    assert is_logged_in(client) is False

    assert log_in(client, code_for(device)).status_code == 302
    assert client.get(HOUSEHOLDS).status_code == 200


def test_the_login_page_asks_for_the_code(required: None, db: Any) -> None:
    body = Client().get("/admin/login/").content.decode()

    assert "动态验证码" in body
    assert 'name="otp_token"' in body
    assert 'autocomplete="one-time-code"' in body


# --- Enrolment -------------------------------------------------------------------------------


def test_enrolment_confirms_with_a_code_and_replaces_the_old_device(
    device: TOTPDevice,
) -> None:
    pending = totp_enroll_start(username="county_433124", actor="system:test")

    assert pending.confirmed is False
    assert pending.config_url.startswith("otpauth://totp/fangpin%3Acounty_433124?secret=")
    assert TOTPDevice.objects.filter(pk=device.pk, confirmed=True).exists()  # still works

    totp_enroll_confirm(username="county_433124", code=code_for(pending), actor="system:test")

    assert list(TOTPDevice.objects.values_list("pk", "confirmed")) == [(pending.pk, True)]
    actions = list(
        AuditEvent.objects.filter(action__startswith="auth.totp").values_list("action", flat=True)
    )
    assert actions == ["auth.totp_enroll_start", "auth.totp_enrolled"]


def test_a_wrong_enrolment_code_confirms_nothing(device: TOTPDevice) -> None:
    pending = totp_enroll_start(username="county_433124", actor="system:test")

    with pytest.raises(LoginError) as caught:
        totp_enroll_confirm(username="county_433124", code="000000", actor="system:test")

    assert caught.value.code == "invalid_code"
    assert TOTPDevice.objects.get(pk=pending.pk).confirmed is False
    assert TOTPDevice.objects.get(pk=device.pk).confirmed is True
    assert not AuditEvent.objects.filter(action="auth.totp_enrolled").exists()


def test_enrolling_an_unknown_user_is_refused(db: Any) -> None:
    with pytest.raises(LoginError) as caught:
        totp_enroll_start(username="nobody", actor="system:test")
    assert caught.value.code == "unknown_user"
    assert TOTPDevice.objects.count() == 0


def test_removing_devices_is_audited(device: TOTPDevice) -> None:
    assert totp_devices_remove(username="county_433124", actor="system:test") == 1
    assert TOTPDevice.objects.count() == 0
    event = AuditEvent.objects.get(action="auth.totp_removed")
    assert event.changes == {"username": "county_433124", "devices": 1}


def test_cli_enroll_prints_the_uri_and_confirms_with_the_typed_code(
    official: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def type_the_phones_code(text: str) -> str:
        # The secret is made inside the command, so the "phone" reads it when asked.
        return code_for(TOTPDevice.objects.get(user=official, confirmed=False))

    monkeypatch.setattr(typer, "prompt", type_the_phones_code)

    result = CliRunner().invoke(totp_app, ["enroll", "county_433124"])

    assert result.exit_code == 0, result.output
    assert "otpauth://totp/fangpin%3Acounty_433124?secret=" in result.output
    assert "已为 county_433124 绑定动态验证码" in result.output
    assert TOTPDevice.objects.get(user=official).confirmed is True


def test_cli_enroll_gives_up_after_three_wrong_codes(official: User) -> None:
    result = CliRunner().invoke(
        totp_app, ["enroll", "county_433124"], input="000000\n000001\n000002\n"
    )

    assert result.exit_code == 1
    assert "绑定未完成" in result.output
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_cli_remove(device: TOTPDevice) -> None:
    result = CliRunner().invoke(totp_app, ["remove", "county_433124", "--yes"])

    assert result.exit_code == 0, result.output
    assert "已解除 county_433124 的 1 个动态验证码绑定" in result.output
    assert TOTPDevice.objects.count() == 0
