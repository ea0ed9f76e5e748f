"""Field encryption at rest and keyed blind indexes for personal data (pure core).

SECURITY.md SEC-CRY-1…3 and GB/T 39786 level 3: ID numbers and phones are stored encrypted with
an AEAD cipher — AES-256-GCM by default, SM4-GCM (国密) selectable — with a random 96-bit
nonce per value and the column name as associated data (so a ciphertext moved to another
column fails to decrypt). Equality look-ups ("find this ID number") use a keyed blind index:
HMAC (SHA-256, or SM3 with SM4) over the normalised value with a separate index key. An
unkeyed hash would be brute-forceable: an 18-digit ID has only about 10¹¹ plausible values.

A token is text: ``v1.<cipher>.<key id>.<nonce b64>.<ciphertext+tag b64>``, so keys can
rotate (old tokens name their key) and the cipher is explicit. Keys never live in the
database or the repository; :func:`keyring_from_env` reads them from the environment and
fails closed in production. Imports only the standard library and ``cryptography``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac as std_hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = [
    "CIPHERS",
    "CryptoError",
    "Keyring",
    "blind_index",
    "decrypt",
    "encrypt",
    "is_token",
    "keyring_from_env",
]

#: cipher name -> key length in bytes
CIPHERS: dict[str, int] = {"aes-256-gcm": 32, "sm4-gcm": 16}
_VERSION = "v1"
_NONCE_BYTES = 12
_TAG_BYTES = 16
#: Development keys, derived from a public string: for demo and test data only, never real PI.
_DEV_SEED = b"fangpin-demo-and-test-only-field-key-never-use-for-real-data"


class CryptoError(ValueError):
    """A key problem, a malformed token or a failed authentication (tampering)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Keyring:
    cipher: str
    keys: Mapping[str, bytes]
    current: str
    index_key: bytes = field(repr=False)
    is_development: bool = False

    def __post_init__(self) -> None:
        if self.cipher not in CIPHERS:
            raise CryptoError(
                "cipher", f"不支持的加密算法 {self.cipher!r}（可选：{', '.join(CIPHERS)}）"
            )
        if self.current not in self.keys:
            raise CryptoError("key", f"当前密钥 {self.current!r} 不在密钥环中")
        for key_id, key in self.keys.items():
            if not key_id.isalnum():
                raise CryptoError("key", f"密钥编号只能由字母和数字组成：{key_id!r}")
            if len(key) != CIPHERS[self.cipher]:
                raise CryptoError(
                    "key",
                    f"密钥 {key_id} 长度应为 {CIPHERS[self.cipher]} 字节（{self.cipher}），"
                    f"实为 {len(key)} 字节",
                )
        if len(self.index_key) < 32:
            raise CryptoError("key", "索引密钥至少 32 字节")

    def __repr__(self) -> str:  # never print key material
        return (
            f"Keyring(cipher={self.cipher!r}, keys={sorted(self.keys)}, current={self.current!r})"
        )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _seal(cipher: str, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    if cipher == "aes-256-gcm":
        return AESGCM(key).encrypt(nonce, plaintext, aad)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(plaintext) + encryptor.finalize() + encryptor.tag


def _open(cipher: str, key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    if cipher == "aes-256-gcm":
        return AESGCM(key).decrypt(nonce, sealed, aad)
    if len(sealed) < _TAG_BYTES:
        raise InvalidTag
    body, tag = sealed[:-_TAG_BYTES], sealed[-_TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(body) + decryptor.finalize()


def encrypt(keyring: Keyring, plaintext: str, *, context: str) -> str:
    """Encrypt ``plaintext`` for the column named by ``context`` with the current key."""
    nonce = os.urandom(_NONCE_BYTES)
    key = keyring.keys[keyring.current]
    sealed = _seal(keyring.cipher, key, nonce, plaintext.encode("utf-8"), context.encode())
    return ".".join((_VERSION, keyring.cipher, keyring.current, _b64(nonce), _b64(sealed)))


def is_token(text: str) -> bool:
    return text.startswith(f"{_VERSION}.") and text.count(".") == 4


def decrypt(keyring: Keyring, token: str, *, context: str) -> str:
    """Decrypt a token; a wrong key or column, or any altered byte, raises CryptoError."""
    parts = token.split(".")
    if len(parts) != 5 or parts[0] != _VERSION:
        raise CryptoError("format", "密文格式不正确")
    _version, cipher, key_id, nonce_text, sealed_text = parts
    if cipher not in CIPHERS:
        raise CryptoError("cipher", f"密文使用了不支持的算法 {cipher!r}")
    key = keyring.keys.get(key_id)
    if key is None or len(key) != CIPHERS[cipher]:
        raise CryptoError("key", f"缺少解密所需的密钥 {key_id!r}")
    try:
        plain = _open(cipher, key, _unb64(nonce_text), _unb64(sealed_text), context.encode())
    except (InvalidTag, ValueError) as exc:
        raise CryptoError("tampered", "密文校验失败：数据被篡改或密钥不匹配") from exc
    return plain.decode("utf-8")


def blind_index(keyring: Keyring, value: str, *, context: str) -> str:
    """Keyed HMAC of an already normalised value, hex; HMAC-SM3 with SM4, else HMAC-SHA256."""
    message = context.encode() + b"\x00" + value.encode("utf-8")
    if keyring.cipher == "sm4-gcm":
        mac = crypto_hmac.HMAC(keyring.index_key, hashes.SM3())
        mac.update(message)
        return mac.finalize().hex()
    return std_hmac.new(keyring.index_key, message, hashlib.sha256).hexdigest()


def _decode_key(name: str, text: str) -> bytes:
    try:
        return _unb64(text.strip())
    except ValueError as exc:
        raise CryptoError("key", f"环境变量 {name} 中的密钥不是有效的 base64") from exc


def keyring_from_env(env: Mapping[str, str], *, allow_development_keys: bool) -> Keyring:
    """Build the keyring from the environment.

    ``FANGPIN_FIELD_CIPHER`` (aes-256-gcm | sm4-gcm), ``FANGPIN_FIELD_KEYS`` ("id:base64,…"),
    ``FANGPIN_FIELD_KEY_CURRENT`` (the id new values use; default the last listed),
    ``FANGPIN_INDEX_KEY`` (base64, ≥ 32 bytes). Without keys, demo and test modes
    (``allow_development_keys``) get fixed development keys; anything else fails closed.
    """
    cipher = env.get("FANGPIN_FIELD_CIPHER", "aes-256-gcm").strip().lower() or "aes-256-gcm"
    if cipher not in CIPHERS:
        raise CryptoError("cipher", f"FANGPIN_FIELD_CIPHER 只能是 {' 或 '.join(CIPHERS)}")
    raw_keys = env.get("FANGPIN_FIELD_KEYS", "").strip()
    raw_index = env.get("FANGPIN_INDEX_KEY", "").strip()
    if not raw_keys or not raw_index:
        if not allow_development_keys:
            raise CryptoError(
                "missing",
                "缺少个人信息加密密钥：请设置 FANGPIN_FIELD_KEYS 与 FANGPIN_INDEX_KEY"
                "（见 docs/crypto.md）",
            )
        size = CIPHERS[cipher]
        return Keyring(
            cipher=cipher,
            keys={"dev": hashlib.sha256(_DEV_SEED + b"field").digest()[:size]},
            current="dev",
            index_key=hashlib.sha256(_DEV_SEED + b"index").digest(),
            is_development=True,
        )
    keys: dict[str, bytes] = {}
    for item in raw_keys.split(","):
        key_id, sep, material = item.partition(":")
        if not sep:
            raise CryptoError("key", "FANGPIN_FIELD_KEYS 的格式应为 “编号:base64密钥,…”")
        keys[key_id.strip()] = _decode_key("FANGPIN_FIELD_KEYS", material)
    current = env.get("FANGPIN_FIELD_KEY_CURRENT", "").strip() or list(keys)[-1]
    return Keyring(
        cipher=cipher,
        keys=keys,
        current=current,
        index_key=_decode_key("FANGPIN_INDEX_KEY", raw_index),
    )
