"""Field encryption and blind indexes: round trips, fresh nonces, tamper detection, key rules."""

from __future__ import annotations

import base64
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fangpin.fieldcrypto import (
    CryptoError,
    Keyring,
    blind_index,
    decrypt,
    encrypt,
    is_token,
    keyring_from_env,
)

ID = "11010519491231002X"
CONTEXT = "registry.person.id_number"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def ring(cipher: str = "aes-256-gcm") -> Keyring:
    size = 32 if cipher == "aes-256-gcm" else 16
    return keyring_from_env(
        {
            "FANGPIN_FIELD_CIPHER": cipher,
            "FANGPIN_FIELD_KEYS": f"k1:{b64(b'1' * size)},k2:{b64(b'2' * size)}",
            "FANGPIN_INDEX_KEY": b64(b"i" * 32),
        },
        allow_development_keys=False,
    )


@pytest.mark.parametrize("cipher", ["aes-256-gcm", "sm4-gcm"])
def test_round_trip_and_token_names_cipher_and_current_key(cipher: str) -> None:
    keyring = ring(cipher)
    token = encrypt(keyring, ID, context=CONTEXT)
    assert token.split(".")[:3] == ["v1", cipher, "k2"]
    assert is_token(token)
    assert ID not in token
    assert decrypt(keyring, token, context=CONTEXT) == ID


@pytest.mark.parametrize("cipher", ["aes-256-gcm", "sm4-gcm"])
def test_same_value_twice_gives_different_ciphertexts(cipher: str) -> None:
    keyring = ring(cipher)
    assert encrypt(keyring, ID, context=CONTEXT) != encrypt(keyring, ID, context=CONTEXT)


@pytest.mark.parametrize("cipher", ["aes-256-gcm", "sm4-gcm"])
def test_any_altered_byte_is_an_error_never_garbage(cipher: str) -> None:
    keyring = ring(cipher)
    token = encrypt(keyring, ID, context=CONTEXT)
    head, sealed = token.rsplit(".", 1)
    raw = bytearray(base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4)))
    for position in range(len(raw)):
        altered = bytearray(raw)
        altered[position] ^= 0x01
        text = base64.urlsafe_b64encode(bytes(altered)).decode().rstrip("=")
        with pytest.raises(CryptoError) as caught:
            decrypt(keyring, f"{head}.{text}", context=CONTEXT)
        assert caught.value.code == "tampered"


def test_a_token_moved_to_another_column_does_not_decrypt() -> None:
    keyring = ring()
    token = encrypt(keyring, ID, context=CONTEXT)
    with pytest.raises(CryptoError) as caught:
        decrypt(keyring, token, context="registry.person.phone")
    assert caught.value.code == "tampered"


def test_old_tokens_decrypt_after_rotation_new_ones_use_the_new_key() -> None:
    keyring = ring()
    old = Keyring(
        cipher=keyring.cipher, keys=keyring.keys, current="k1", index_key=keyring.index_key
    )
    token = encrypt(old, ID, context=CONTEXT)
    assert token.split(".")[2] == "k1"
    assert decrypt(keyring, token, context=CONTEXT) == ID


def test_missing_key_for_a_token_is_a_clear_error() -> None:
    token = encrypt(ring(), ID, context=CONTEXT)
    other = keyring_from_env(
        {"FANGPIN_FIELD_KEYS": f"k9:{b64(b'9' * 32)}", "FANGPIN_INDEX_KEY": b64(b"i" * 32)},
        allow_development_keys=False,
    )
    with pytest.raises(CryptoError) as caught:
        decrypt(other, token, context=CONTEXT)
    assert caught.value.code == "key"
    assert "k2" in caught.value.message


@pytest.mark.parametrize("cipher", ["aes-256-gcm", "sm4-gcm"])
def test_blind_index_is_keyed_deterministic_and_not_a_plain_hash(cipher: str) -> None:
    keyring = ring(cipher)
    first = blind_index(keyring, ID, context=CONTEXT)
    assert first == blind_index(keyring, ID, context=CONTEXT)
    assert len(first) == 64
    assert first != hashlib.sha256(ID.encode()).hexdigest()
    assert first != blind_index(keyring, ID, context="registry.household.phone")
    other = Keyring(cipher=keyring.cipher, keys=keyring.keys, current="k2", index_key=b"j" * 32)
    assert first != blind_index(other, ID, context=CONTEXT)


def test_production_fails_closed_without_keys() -> None:
    with pytest.raises(CryptoError) as caught:
        keyring_from_env({}, allow_development_keys=False)
    assert caught.value.code == "missing"
    assert "FANGPIN_FIELD_KEYS" in caught.value.message


def test_demo_and_test_get_fixed_development_keys() -> None:
    first = keyring_from_env({}, allow_development_keys=True)
    second = keyring_from_env({}, allow_development_keys=True)
    assert first.is_development
    assert first.keys == second.keys
    assert first.current == "dev"
    assert "dev" in repr(first)
    assert "b'" not in repr(first)  # no key material in repr


@pytest.mark.parametrize(
    ("env", "code"),
    [
        ({"FANGPIN_FIELD_CIPHER": "des"}, "cipher"),
        ({"FANGPIN_FIELD_KEYS": "nocolon", "FANGPIN_INDEX_KEY": b64(b"i" * 32)}, "key"),
        (
            {"FANGPIN_FIELD_KEYS": f"k1:{b64(b'1' * 16)}", "FANGPIN_INDEX_KEY": b64(b"i" * 32)},
            "key",
        ),
        ({"FANGPIN_FIELD_KEYS": f"k1:{b64(b'1' * 32)}", "FANGPIN_INDEX_KEY": b64(b"i" * 8)}, "key"),
        (
            {"FANGPIN_FIELD_KEYS": f"k-1:{b64(b'1' * 32)}", "FANGPIN_INDEX_KEY": b64(b"i" * 32)},
            "key",
        ),
    ],
)
def test_bad_key_configuration_is_refused(env: dict[str, str], code: str) -> None:
    with pytest.raises(CryptoError) as caught:
        keyring_from_env(env, allow_development_keys=False)
    assert caught.value.code == code


def test_malformed_tokens_are_format_errors() -> None:
    for token in ("", "v1.aes-256-gcm.k1", "v2.a.b.c.d", "plain-text"):
        with pytest.raises(CryptoError) as caught:
            decrypt(ring(), token, context=CONTEXT)
        assert caught.value.code == "format"


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=60), cipher=st.sampled_from(["aes-256-gcm", "sm4-gcm"]))
def test_any_text_round_trips(text: str, cipher: str) -> None:
    keyring = ring(cipher)
    assert decrypt(keyring, encrypt(keyring, text, context=CONTEXT), context=CONTEXT) == text
