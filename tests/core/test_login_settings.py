"""The login and session settings parse strictly (a bad value stops start-up, naming it)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings

from fangpin.settings import BASE_DIR, SettingsError, _env_int


@pytest.mark.parametrize(("raw", "expected"), [("5", 5), (" 7 ", 7), ("", 30), ("100", 100)])
def test_numbers_parse(monkeypatch: pytest.MonkeyPatch, raw: str, expected: int) -> None:
    monkeypatch.setenv("FANGPIN_LOGIN_X", raw)
    assert _env_int("FANGPIN_LOGIN_X", 30, minimum=1, maximum=100) == expected


@pytest.mark.parametrize("raw", ["five", "-1", "5.0", "0x10", "５", "1e3", "0", "101"])
def test_a_bad_number_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("FANGPIN_LOGIN_X", raw)
    with pytest.raises(SettingsError) as caught:
        _env_int("FANGPIN_LOGIN_X", 30, minimum=1, maximum=100)
    assert "FANGPIN_LOGIN_X" in str(caught.value)


def test_the_defaults() -> None:
    assert settings.FANGPIN_LOGIN_FAILURE_LIMIT == 5
    assert settings.FANGPIN_LOGIN_COOLOFF_MINUTES == 30
    assert settings.FANGPIN_LOGIN_IP_FAILURE_LIMIT == 20  # SECURITY.md scenario 6
    assert settings.FANGPIN_LOGIN_IP_WINDOW_MINUTES == 15
    assert settings.FANGPIN_SESSION_IDLE_MINUTES == 30
    assert settings.FANGPIN_SESSION_MAX_HOURS == 12
    assert settings.SESSION_COOKIE_AGE == 1800
    assert settings.FANGPIN_REQUIRE_TOTP is False  # test mode


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("FANGPIN_LOGIN_FAILURE_LIMIT", "lots"),
        ("FANGPIN_LOGIN_IP_WINDOW_MINUTES", "0"),
        ("FANGPIN_SESSION_MAX_HOURS", "12h"),
        ("FANGPIN_REQUIRE_TOTP", "maybe"),
    ],
)
def test_start_up_stops_on_a_malformed_login_setting(variable: str, value: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FANGPIN_")}
    env.update(FANGPIN_MODE="test", **{variable: value})
    done = subprocess.run(
        [sys.executable, "-c", "import fangpin.settings"],
        env=env,
        capture_output=True,
        text=True,
        cwd=BASE_DIR,
        check=False,
    )
    assert done.returncode != 0
    assert variable in done.stderr
