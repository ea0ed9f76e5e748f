"""A simple human check for the public form: a small sum written in Chinese numerals.

No third-party captcha and no CDN (PIPL Art. 36: nothing leaves the country; CSP: no foreign
script). The question travels in a signed, timestamped token that holds a random nonce and a
keyed hash of the answer — never the answer itself, so reading the token does not solve it.
A token expires after :data:`TOKEN_MAX_AGE_SECONDS` and is good for one check only (its nonce
is spent in the cache, right or wrong), so one solved question cannot be replayed. No session
is created for anonymous visitors.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Final

from django.core import signing
from django.core.cache import cache
from django.utils.crypto import constant_time_compare, salted_hmac

__all__ = ["TOKEN_MAX_AGE_SECONDS", "Challenge", "challenge_check", "challenge_new"]

TOKEN_MAX_AGE_SECONDS: Final = 30 * 60
_SALT: Final = "fangpin.intake.humancheck"
_NUMERALS: Final = "零一二三四五六七八九十"


@dataclass(frozen=True, slots=True)
class Challenge:
    question: str  # 七加五等于多少？
    token: str


def _answer_hash(nonce: str, answer: int) -> str:
    return salted_hmac(_SALT, f"{nonce}:{answer}", algorithm="sha256").hexdigest()


def _chinese(number: int) -> str:
    return _NUMERALS[number]


def challenge_new() -> Challenge:
    """A new question: the sum of two numbers from 1 to 10, in Chinese numerals."""
    first, second = secrets.randbelow(10) + 1, secrets.randbelow(10) + 1
    nonce = secrets.token_urlsafe(12)
    token = signing.dumps({"n": nonce, "h": _answer_hash(nonce, first + second)}, salt=_SALT)
    return Challenge(question=f"{_chinese(first)}加{_chinese(second)}等于多少？", token=token)


def challenge_check(token: str, answer: str) -> bool:
    """Whether ``answer`` solves the question of ``token``; spends the token either way.

    False for a forged, expired or already used token and for an answer that is not a
    number (full-width digits are accepted).
    """
    try:
        data = signing.loads(token or "", salt=_SALT, max_age=TOKEN_MAX_AGE_SECONDS)
        nonce, expected = str(data["n"]), str(data["h"])
    except (signing.BadSignature, KeyError, TypeError):
        return False
    if not cache.add(f"intake:humancheck:{nonce}", 1, TOKEN_MAX_AGE_SECONDS):
        return False  # already used
    text = (answer or "").strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if not text.isascii() or not text.isdigit() or len(text) > 3:
        return False
    return constant_time_compare(_answer_hash(nonce, int(text)), expected)
