"""Masking of personal information for pages, the API, the admin, audit records and logs.

A full ID number or phone number never goes into an audit event's ``changes`` or onto an
admin page; these helpers produce the masked forms used instead. Health details (健康状况,
残疾等级, 残疾类别) are sensitive personal information (PIPL art. 28) and are masked too: see
:func:`mask_health`.
"""

from __future__ import annotations

import re

__all__ = ["HEALTH_FIELDS", "HEALTH_MASK", "mask_health", "mask_id", "mask_phone"]

#: A disability certificate (残疾人证) number: the holder's ID number + category + grade digits.
DISABILITY_CARD_LENGTH = 20
_DISABILITY_CARD = re.compile(r"[0-9]{17}[0-9Xx][0-9]{2}")

#: The person fields holding health details, masked together and revealed together.
HEALTH_FIELDS = ("health", "disability_grade", "disability_category")

#: What every masked health detail shows, whatever the stored value (see :func:`mask_health`).
HEALTH_MASK = "已隐藏"


def mask_id(value: str | None) -> str:
    """Return an ID number as its first 6 characters, 8 stars and its last 4.

    For an 18-character ID this hides exactly the birth date (``433124********0012``). A
    20-character disability-certificate number is its holder's 18-character ID followed by two
    digits for the disability category and grade (health details, PIPL Art. 28): it is masked
    exactly like that ID, so the two digits never show. Shorter documents (under 11 characters)
    are masked entirely: what is left would identify them.
    """
    if not value:
        return ""
    if len(value) < 11:
        return "*" * len(value)
    if len(value) == DISABILITY_CARD_LENGTH and _DISABILITY_CARD.fullmatch(value):
        value = value[:18]
    return f"{value[:6]}{'*' * 8}{value[-4:]}"


def mask_phone(value: str | None) -> str:
    """Return a phone number as its first 3 characters, 4 stars and its last 4.

    ``13812345678`` becomes ``138****5678``; a landline ``0743-8521234`` becomes
    ``074****1234``. Numbers under 8 characters are masked entirely.
    """
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:3]}****{value[-4:]}"


def mask_health(value: object = None) -> str:
    """Return the masked form of a health detail: always :data:`HEALTH_MASK`.

    Every value is masked the same way — "健康" (healthy) and an empty disability grade too.
    Showing "健康" for healthy people and a mask only for the others would tell the illness
    by elimination, as would leaving an empty grade blank beside a masked one. The argument is
    accepted (and ignored) so that call sites read like ``mask_id``/``mask_phone``.
    """
    del value  # uniform on purpose: the output must not depend on the stored value
    return HEALTH_MASK
