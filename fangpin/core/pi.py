"""Personal information at rest: the app's keyring and the encrypt / index / mask helpers.

The keyring comes from the environment (``fangpin.fieldcrypto.keyring_from_env``). Demo and test
modes fall back to fixed development keys; production fails closed — the ``fangpin.E001``
system check stops ``manage.py`` and the server from starting without keys.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from django.conf import settings
from django.core import checks

from fangpin.fieldcrypto import (
    CryptoError,
    Keyring,
    blind_index,
    decrypt,
    encrypt,
    keyring_from_env,
)


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
    return decrypt(keyring(), token, context=context) if token else ""


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
    return []
