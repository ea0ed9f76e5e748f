"""The human check: a signed question whose token holds no answer and is good once."""

from __future__ import annotations

import re

import pytest
from django.core import signing

from fangpin.intake import humancheck
from fangpin.intake.humancheck import challenge_check, challenge_new
from tests.intake.conftest import answer_of


def test_a_question_is_a_sum_in_chinese_numerals() -> None:
    challenge = challenge_new()

    assert re.fullmatch(
        r"[一二三四五六七八九十]加[一二三四五六七八九十]等于多少？", challenge.question
    )
    assert 2 <= int(answer_of(challenge.question)) <= 20


def test_the_right_answer_passes_once() -> None:
    challenge = challenge_new()
    answer = answer_of(challenge.question)

    assert challenge_check(challenge.token, answer) is True
    assert challenge_check(challenge.token, answer) is False  # spent


def test_a_wrong_answer_fails_and_spends_the_token() -> None:
    challenge = challenge_new()
    answer = answer_of(challenge.question)

    assert challenge_check(challenge.token, str(int(answer) + 1)) is False
    assert challenge_check(challenge.token, answer) is False


def test_full_width_digits_are_accepted() -> None:
    challenge = challenge_new()
    answer = answer_of(challenge.question).translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )

    assert challenge_check(challenge.token, answer) is True


@pytest.mark.parametrize("answer", ["", "abc", "-1", "1e1", "12345"])
def test_non_numbers_fail(answer: str) -> None:
    assert challenge_check(challenge_new().token, answer) is False


def test_the_token_does_not_contain_the_answer() -> None:
    challenge = challenge_new()

    payload = signing.loads(challenge.token, salt="fangpin.intake.humancheck")

    assert set(payload) == {"n", "h"}
    assert len(payload["h"]) == 64


def test_forged_and_expired_tokens_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    forged = signing.dumps({"n": "x", "h": "0" * 64}, salt="another.salt")
    assert challenge_check(forged, "2") is False
    assert challenge_check("not-a-token", "2") is False

    challenge = challenge_new()
    monkeypatch.setattr(humancheck, "TOKEN_MAX_AGE_SECONDS", -1)
    assert challenge_check(challenge.token, answer_of(challenge.question)) is False
