"""Password storage and rules (SEC-AUTH-1, SEC-AUTH-2)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from fangpin.core.models import User


def test_passwords_are_stored_as_argon2id(db: Any) -> None:
    user = User.objects.create_user(username="village_433124101201", password="Tuojiang-2025!x")

    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("Tuojiang-2025!x")


@pytest.fixture
def official(db: Any) -> User:
    return User(username="township_433124101", first_name="乡镇审核", last_name="石")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Short-1!", "密码长度太短。密码必须包含至少 12 个字符。"),
        ("abc-def-g12", "密码长度太短。密码必须包含至少 12 个字符。"),
        ("x" * 129, "密码太长，最多 128 个字符。"),
        ("password1234", "这个密码太常见了。"),
        ("qwertyuiop123", "这个密码太常见了。"),
        ("123456789012345", "密码只包含数字。"),
        ("township_433124101", "密码跟 用户名 太相似了。"),
        ("Township_433124101!", "密码跟 用户名 太相似了。"),
        ("Fangpin-Monitor-2024", "密码不能包含系统名称或业务常用词（如 fangpin、fupin、防贫）。"),
        ("my-fupin-account-7", "密码不能包含系统名称或业务常用词（如 fangpin、fupin、防贫）。"),
        (
            "乡村振兴监测系统账号2024",
            "密码不能包含系统名称或业务常用词（如 fangpin、fupin、防贫）。",
        ),
    ],
)
def test_a_bad_password_is_refused_with_a_chinese_message(
    official: User, password: str, message: str
) -> None:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        validate_password(password, user=official)

    assert message in caught.value.messages


@pytest.mark.parametrize(
    "password",
    [
        "Tuojiang-River-2025!",
        "fp-" + "Ab3_xY9-kLm2",  # the demo's shape: fp- + token_urlsafe(9)
        "十八洞村的猕猴桃今年大丰收了",  # 14 Chinese characters
        "a-long-passphrase-" + "x" * 46,  # 64 characters
        "Q7!" + "w" * 125,  # 128 characters, the maximum
    ],
)
def test_a_good_password_passes(official: User, password: str) -> None:
    validate_password(password, user=official)  # raises if refused


def test_the_help_texts_are_chinese(db: Any) -> None:
    from django.contrib.auth.password_validation import password_validators_help_texts

    with translation.override("zh-hans"):
        texts = password_validators_help_texts()

    assert "密码至少 12 个字符。" in texts
    assert "密码最多 128 个字符。" in texts
    assert all(not text.isascii() for text in texts)
