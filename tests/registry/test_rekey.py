"""Key rotation: re-encrypt every token under the current key, re-index with a new index key."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from fangpin.core.models import AuditEvent
from fangpin.core.pi import keyring_reset
from fangpin.core.scope import SYSTEM
from fangpin.registry import selectors
from fangpin.registry.models import HealthCodes, Household, Person, person_health
from fangpin.registry.rekey import pi_key_usage, pi_rekey
from tests.registry.conftest import member, plain_id, plain_phone


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


K1 = f"k1:{_b64(b'1' * 32)}"
K2 = f"k2:{_b64(b'2' * 32)}"
INDEX_A = _b64(b"a" * 32)
INDEX_B = _b64(b"b" * 32)


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    def use(field_keys: str, index_key: str = INDEX_A) -> None:
        monkeypatch.setenv("FANGPIN_FIELD_KEYS", field_keys)
        monkeypatch.setenv("FANGPIN_INDEX_KEY", index_key)
        monkeypatch.delenv("FANGPIN_FIELD_KEY_CURRENT", raising=False)
        keyring_reset()

    use(K1)
    yield use
    keyring_reset()


def _tokens() -> list[str]:
    tokens = [
        t
        for row in Person.objects.values_list(
            "id_number_encrypted", "phone_encrypted", "health_encrypted"
        )
        for t in row
    ]
    tokens += list(Household.objects.values_list("phone_encrypted", flat=True))
    return [t for t in tokens if t]


def test_rekey_moves_every_token_to_the_current_key(keys: Any, family: Household) -> None:
    head = member(family, "张三")
    before_id, before_phone = plain_id(head), plain_phone(family)
    keys(f"{K1},{K2}")  # k2 listed last: the current key
    # 3 ID numbers + 3 health tokens + the household phone (the members have no phone)
    assert pi_key_usage() == {"aes-256-gcm/k1": 7, "aes-256-gcm/k2": 0, "其他": 0}

    report = pi_rekey(actor="system:test", batch_size=2)

    assert (report.persons, report.households, report.reindexed) == (3, 1, False)
    assert report.message == "已重新加密：人员 3 人，农户 1 户"
    assert all(t.startswith("v1.aes-256-gcm.k2.") for t in _tokens())
    assert len(_tokens()) == 7
    assert pi_key_usage() == {"aes-256-gcm/k1": 0, "aes-256-gcm/k2": 7, "其他": 0}
    keys(K2)  # the old key can go now
    head.refresh_from_db()
    family.refresh_from_db()
    assert (plain_id(head), plain_phone(family)) == (before_id, before_phone)
    assert person_health(head) == HealthCodes("10", "", "")
    event = AuditEvent.objects.filter(action="pi.rekey").get()
    assert event.changes == {
        "cipher": "aes-256-gcm",
        "key": "k2",
        "reindex": False,
        "persons": 3,
        "households": 1,
    }


def test_a_second_run_finds_nothing_to_do(keys: Any, family: Household) -> None:
    keys(f"{K1},{K2}")
    pi_rekey(actor="system:test")
    columns = ("pk", "version", "id_number_encrypted", "health_encrypted")
    versions = list(Person.objects.values_list(*columns))

    report = pi_rekey(actor="system:test")

    assert (report.persons, report.households) == (0, 0)
    assert list(Person.objects.values_list(*columns)) == versions


def test_reindex_recomputes_the_blind_indexes_with_the_new_index_key(
    keys: Any, family: Household
) -> None:
    number = plain_id(member(family, "张三"))
    old_index = member(family, "张三").id_number_index
    keys(K1, index_key=INDEX_B)
    assert selectors.person_find_by_id_number(user=SYSTEM, id_number=number) is None

    report = pi_rekey(actor="system:test", reindex=True)

    assert (report.persons, report.households, report.reindexed) == (3, 1, True)
    head = member(family, "张三")
    assert head.id_number_index != old_index
    found = selectors.person_find_by_id_number(user=SYSTEM, id_number=number)
    assert found is not None
    assert found.pk == head.pk


def test_a_token_under_a_missing_key_is_counted_apart(keys: Any, family: Household) -> None:
    keys(K2)  # k1 dropped too early

    assert pi_key_usage() == {"aes-256-gcm/k2": 0, "其他": 7}
