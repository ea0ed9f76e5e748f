"""Encryption at rest (SECURITY.md scenario 28, SEC-CRY-1/3).

- The raw data — every ``*_encrypted`` column read by plain SQL, the SQLite database as a file,
  a ``pg_dump --data-only`` of the PostgreSQL database — holds none of the seeded ID numbers,
  phone numbers, health details or a declaration's free text.
- The same ID number encrypted twice gives two ciphertexts.
- One altered ciphertext byte is a decryption error, never garbage, and raises an alert (a
  ``crypto.tamper`` audit event and an error on the ``fangpin.security`` logger); a page that
  meets such a token answers 500 and shows nothing of it.
- The key check refuses to start when the configured cipher fails a round trip (SM4 missing
  from the cryptography backend).

tests/registry/test_pi_at_rest.py scans every column of every table by SQL and the demo
database's file and WAL; this file adds the dump, the alert and the self-test.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import UnsupportedAlgorithm, _Reasons
from django.apps import apps
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.test import Client

from fangpin import fieldcrypto
from fangpin.core.models import AuditEvent
from fangpin.core.pi import check_pi_keys, pi_decrypt, pi_encrypt
from fangpin.fieldcrypto import CryptoError
from fangpin.intake.models import Declaration
from fangpin.registry.models import ID_NUMBER_CONTEXT, Household, Person
from tests.intake.conftest import STRANGER_ID, make_declaration
from tests.registry.conftest import (  # noqa: F401  (fixtures used here)
    World,
    member,
    person_input,
    plain_id,
    plain_phone,
    village,
    world,
)
from tests.registry.health_scan import SEEDED, seed_health

DIFFICULTY = "丈夫住院，自付3万元。"  # make_declaration's free text; its name, ID, phone below
PHONE = "13907431234"


def seed(world: World) -> dict[str, str]:  # noqa: F811  (not the fixture: its value)
    """Store health details and a declaration; return every plaintext that must not be found
    (label → value): the members' ID numbers and phones, the households' phones, the health
    codes as the token's JSON holds them, the declaration's text."""
    seed_health(world)
    make_declaration()
    needles = {"difficulty": DIFFICULTY, "declarant": "彭小红", "id": STRANGER_ID, "phone": PHONE}
    for person in Person.objects.order_by("pk"):
        needles[f"id {person.pk}"] = plain_id(person)
        if person.phone_encrypted:
            needles[f"phone {person.pk}"] = plain_phone(person)
    for household in Household.objects.order_by("pk"):
        needles[f"household phone {household.pk}"] = plain_phone(household)
    for health, grade, category in {c for details in SEEDED.values() for c in details}:
        needles[f"health {health}/{grade}/{category}"] = (
            f'"disability_category":"{category}","disability_grade":"{grade}","health":"{health}"'
        )
    # the declaration's 4, 12 members' IDs, 4 spouses' and 4 households' phones, 10 health triples
    assert len(needles) == 4 + 12 + 4 + 4 + 10
    return needles


def encrypted_columns() -> list[tuple[str, str]]:
    """(table, column) of every ``*_encrypted`` field of every installed model."""
    return sorted(
        (model._meta.db_table, field.column)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.name.endswith("_encrypted")
    )


def found_in(blob: bytes, needles: dict[str, str]) -> list[str]:
    return sorted(label for label, value in needles.items() if value.encode() in blob)


def test_the_encrypted_columns_hold_tokens_only(world: World) -> None:  # noqa: F811
    needles = seed(world)
    q = connection.ops.quote_name
    tokens, leaked = 0, []
    for table, column in encrypted_columns():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {q(column)} FROM {q(table)} WHERE {q(column)} <> ''"  # nosec B608
            )
            values = [row[0] for row in cursor.fetchall()]
        tokens += len(values)
        leaked += [column for v in values if not fieldcrypto.is_token(v)]
        leaked += found_in("\n".join(values).encode(), needles)
    assert leaked == []
    # 12 IDs + 12 health + 4 member phones + 4 household phones + the declaration's 4 columns
    assert tokens == 36


@pytest.mark.sqlite_only
def test_the_sqlite_database_file_holds_no_plaintext(
    world: World,  # noqa: F811  (the imported fixture)
    tmp_path: Path,
) -> None:
    """The test database lives in memory: ``serialize()`` gives the bytes its file would hold,
    page by page (SQLite's own format), including this test's uncommitted rows."""
    assert connection.vendor == "sqlite"
    needles = seed(world)
    blob = connection.connection.serialize()
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(blob)
    with closing(sqlite3.connect(copy)) as reopened:  # a database file, holding the seed
        assert reopened.execute("SELECT count(*) FROM registry_person").fetchone() == (12,)

    assert found_in(blob, needles) == []
    assert blob.count(b"v1.aes-256-gcm.dev.") >= 36
    assert "张三".encode() in blob  # the scan reads the data: names are stored in clear


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_pg_dump_holds_no_plaintext(world: World) -> None:  # noqa: F811
    pg_dump = shutil.which("pg_dump")
    assert pg_dump is not None, "pg_dump is installed with PostgreSQL (.ci/run)"
    needles = seed(world)  # committed: the dump is another connection
    db = connection.settings_dict
    command = [pg_dump, "--data-only", "--no-owner", "--dbname", str(db["NAME"])]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command += [option, str(db[key])]
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    dump = subprocess.run(command, capture_output=True, env=env, check=True, timeout=120).stdout

    assert found_in(dump, needles) == []
    assert dump.count(b"v1.aes-256-gcm.dev.") >= 36
    assert "张三".encode() in dump


def test_the_same_id_encrypted_twice_gives_two_ciphertexts(world: World) -> None:  # noqa: F811
    head = member(world.households["tudi"], "张三")
    number = plain_id(head)

    first = pi_encrypt(number, context=ID_NUMBER_CONTEXT)
    second = pi_encrypt(number, context=ID_NUMBER_CONTEXT)

    assert len({first, second, head.id_number_encrypted}) == 3
    assert {pi_decrypt(t, context=ID_NUMBER_CONTEXT) for t in (first, second)} == {number}


def flip_one_byte(token: str) -> str:
    """The token with the first byte of its ciphertext inverted (still well-formed)."""
    head, sealed = token.rsplit(".", 1)
    raw = bytearray(base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4)))
    raw[0] ^= 0xFF
    return f"{head}.{base64.urlsafe_b64encode(bytes(raw)).decode().rstrip('=')}"


def test_one_altered_byte_is_a_decryption_error_and_an_alert(
    world: World,  # noqa: F811  (the imported fixture)
    caplog: pytest.LogCaptureFixture,
) -> None:
    head = member(world.households["tudi"], "张三")
    number = plain_id(head)
    tampered = flip_one_byte(head.id_number_encrypted)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_person SET id_number_encrypted = %s WHERE id = %s",
            [tampered, head.pk],
        )
    head.refresh_from_db()
    before = AuditEvent.objects.count()

    with (
        caplog.at_level(logging.ERROR, logger="fangpin.security"),
        pytest.raises(CryptoError) as failed,
    ):
        pi_decrypt(head.id_number_encrypted, context=ID_NUMBER_CONTEXT)

    assert failed.value.code == "tampered"
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.get(action="crypto.tamper")
    digest = hashlib.sha256(tampered.encode()).hexdigest()[:16]
    assert (event.actor_label, event.object_type, event.object_id, event.result) == (
        "system:fieldcrypto",
        "pi_column",
        "registry.person.id_number",
        "failure",
    )
    assert event.changes == {"code": "tampered", "token_sha256": digest}
    assert event.at.tzinfo is not None
    assert [(r.name, r.levelno) for r in caplog.records] == [("fangpin.security", logging.ERROR)]
    message = caplog.records[0].getMessage()
    assert message == (
        "personal-information token failed to decrypt: column registry.person.id_number, "
        f"tampered, token sha256 {digest}"
    )
    assert tampered not in message
    assert number not in message


def test_a_page_that_meets_a_tampered_token_answers_500_and_shows_nothing(
    world: World,  # noqa: F811  (the imported fixture)
) -> None:
    declaration = make_declaration()
    tampered = flip_one_byte(declaration.difficulty_encrypted)
    Declaration.objects.filter(pk=declaration.pk).update(difficulty_encrypted=tampered)
    client = Client(raise_request_exception=False)
    client.force_login(world.viewers["cadre_tudi"])

    response = client.get(f"/declarations/{declaration.public_id}/")

    assert response.status_code == 500
    body = response.content.decode()
    assert DIFFICULTY not in body
    assert tampered not in body
    assert list(AuditEvent.objects.filter(action="crypto.tamper").values_list("object_id")) == [
        ("intake.declaration.difficulty",)
    ]


def _sm4_unavailable(key: Any) -> Any:
    raise UnsupportedAlgorithm("SM4 is not supported by this backend", _Reasons.UNSUPPORTED_CIPHER)


def test_the_key_check_refuses_to_start_when_the_cipher_fails_its_round_trip(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FANGPIN_FIELD_CIPHER", "sm4-gcm")
    assert check_pi_keys() == []  # this machine's backend has SM4: the round trip passes

    monkeypatch.setattr(fieldcrypto.algorithms, "SM4", _sm4_unavailable)
    errors = check_pi_keys()

    assert [(e.id, e.level) for e in errors] == [("fangpin.E003", checks.CRITICAL)]
    assert errors[0].msg == (
        "加密自检失败：sm4-gcm 不可用（UnsupportedAlgorithm: SM4 is not supported by this backend）"
    )
    with pytest.raises(SystemCheckError) as refused:  # what `manage.py check` / serve run
        call_command("check")
    assert "fangpin.E003" in str(refused.value)
