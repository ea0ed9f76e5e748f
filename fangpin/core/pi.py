"""Personal information at rest: the app's keyring and the encrypt / index / mask helpers.

The keyring comes from the environment (``fangpin.fieldcrypto.keyring_from_env``). Demo and test
modes fall back to fixed development keys; production fails closed — the ``fangpin.E001``
system check stops ``manage.py`` and the server from starting without keys, and
``fangpin.E003`` when the configured cipher fails a round trip (an OpenSSL without SM4).

A stored token that does not decrypt (an altered byte, an unknown key, a malformed token) is
never shown as garbage: :func:`pi_decrypt` raises ``CryptoError`` and raises an alert first —
an error on the ``fangpin.security`` logger and a ``crypto.tamper`` audit event (SECURITY.md
scenario 28). A page that meets one answers 500.
"""

from __future__ import annotations

import hashlib
import logging
import os
from functools import cache
from typing import Any

from django.conf import settings
from django.core import checks
from django.db import transaction

from fangpin.fieldcrypto import (
    CryptoError,
    Keyring,
    blind_index,
    decrypt,
    encrypt,
    keyring_from_env,
)

TAMPER_ACTION = "crypto.tamper"
logger = logging.getLogger("fangpin.security")


@cache
def keyring() -> Keyring:
    return keyring_from_env(os.environ, allow_development_keys=settings.MODE in {"demo", "test"})


def keyring_reset() -> None:
    """Forget the cached keyring (tests that change the environment)."""
    keyring.cache_clear()


def pi_encrypt(value: str, *, context: str) -> str:
    """Encrypt a non-empty value; the empty string stays empty (nothing to protect)."""
    return encrypt(keyring(), value, context=context) if value else ""


def pi_decrypt(token: str, *, context: str) -> str:
    """Decrypt a stored token; a token that fails raises ``CryptoError`` after an alert."""
    if not token:
        return ""
    try:
        return decrypt(keyring(), token, context=context)
    except CryptoError as exc:
        pi_tamper_alert(token, context=context, code=exc.code)
        raise


def pi_tamper_alert(token: str, *, context: str, code: str) -> None:
    """Log and audit a stored token that failed to decrypt (``crypto.tamper``).

    Names the column (``context``), the failure and the first 16 hex digits of the token's
    SHA-256 (enough to match the row), never the token itself. The event is appended in its
    own savepoint: when the caller's transaction rolls back (a refused reveal, a failed rekey
    batch) the event goes with it; the log record stays.
    """
    # Imported here: fangpin.core.audit needs the models, and this module loads before them.
    from fangpin.core.audit import audit_record
    from fangpin.core.models import AuditResult

    digest = hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()[:16]
    logger.error(
        "personal-information token failed to decrypt: column %s, %s, token sha256 %s",
        context,
        code,
        digest,
    )
    with transaction.atomic():
        audit_record(
            actor="system:fieldcrypto",
            action=TAMPER_ACTION,
            object_type="pi_column",
            object_id=context[:64],
            changes={"code": code, "token_sha256": digest},
            result=AuditResult.FAILURE,
        )


def pi_index(value: str, *, context: str) -> str:
    """Keyed blind index of an already normalised value; empty for an empty value."""
    return blind_index(keyring(), value, context=context) if value else ""


@checks.register(checks.Tags.security)
def check_pi_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Refuse to start outside demo/test without encryption keys (SEC-CRY-3, fails closed)."""
    try:
        ring = keyring_from_env(
            os.environ, allow_development_keys=settings.MODE in {"demo", "test"}
        )
    except CryptoError as exc:
        return [checks.Critical(exc.message, id="fangpin.E001")]
    if ring.is_development and settings.MODE not in {"demo", "test"}:  # pragma: no cover
        return [checks.Critical("生产环境不能使用开发密钥", id="fangpin.E002")]
    failure = pi_self_test(ring)
    if failure:
        return [checks.Critical(failure, id="fangpin.E003")]
    return []


_SELF_TEST_CONTEXT = "fangpin.self_test"
_SELF_TEST_VALUE = "fangpin 自检 self-test"


def pi_self_test(ring: Keyring) -> str:
    """Encrypt, decrypt and index a probe with ``ring``'s cipher and current key; "" when all
    round-trips, else why not (SEC-CRY-3: the app refuses to start when SM4 is unavailable).

    Catches any exception: a cryptography build without the cipher raises
    ``UnsupportedAlgorithm``, not ``CryptoError``.
    """
    try:
        token = encrypt(ring, _SELF_TEST_VALUE, context=_SELF_TEST_CONTEXT)
        ok = decrypt(ring, token, context=_SELF_TEST_CONTEXT) == _SELF_TEST_VALUE
        blind_index(ring, _SELF_TEST_VALUE, context=_SELF_TEST_CONTEXT)
    except Exception as exc:  # any failure of the backend means: do not start
        return f"加密自检失败：{ring.cipher} 不可用（{type(exc).__name__}: {exc}）"
    if not ok:
        return f"加密自检失败：{ring.cipher} 解密结果与原文不一致"
    return ""
