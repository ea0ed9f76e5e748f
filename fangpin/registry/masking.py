"""Masking of personal identifiers for audit records, the admin and logs.

A full ID number or phone number never goes into an audit event's ``changes`` or onto an
admin page; these helpers produce the masked forms used instead.
"""

from __future__ import annotations

__all__ = ["mask_id", "mask_phone"]


def mask_id(value: str | None) -> str:
    """Return an ID number as its first 6 characters, 8 stars and its last 4.

    For an 18-character ID this hides exactly the birth date (``433124********0012``); a
    20-character disability-certificate number gets the same shape. Shorter documents
    (under 11 characters) are masked entirely: what is left would identify them.
    """
    if not value:
        return ""
    if len(value) < 11:
        return "*" * len(value)
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
