"""ID and phone numbers at rest (SEC-CRY-1…3): encrypted, blind-indexed, masked, revealed
only with capability, scope and a reason — and never stored as plaintext."""

from __future__ import annotations

import base64
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.db import IntegrityError, connection, transaction

from fangpin import idnumber
from fangpin.core.models import AuditEvent, AuditResult, Role
from fangpin.core.pi import pi_decrypt
from fangpin.fieldcrypto import CryptoError
from fangpin.registry import selectors, services
from fangpin.registry.bulk import registry_bulk_load
from fangpin.registry.errors import RegistryError
from fangpin.registry.masking import mask_id, mask_phone
from fangpin.registry.models import (
    HEALTH_CONTEXT,
    HEALTH_PLAINTEXT_LENGTH,
    HOUSEHOLD_PHONE_CONTEXT,
    ID_NUMBER_CONTEXT,
    HealthCodes,
    Household,
    Person,
    identity_index,
    person_health,
)
from fangpin.registry.services.reveal import person_reveal_health
from fangpin.registry.validation import PersonInput
from tests.conftest_demo import demo_copy, demo_env
from tests.registry.conftest import (
    HUAYUAN_COUNTY,
    TUDI,
    PersonFactory,
    World,
    make_user,
    member,
    plain_id,
    plain_phone,
)
from tests.registry.health_scan import SEEDED, SENSITIVE_LABELS, seed_health, set_health
from tests.registry.test_bulk import (
    _broken_copy,
    _set,
    counts,
    dataset,  # noqa: F401  (a fixture)
)

MANAGE = Path(__file__).parents[2] / "manage.py"
FANGPIN = Path(sys.executable).parent / "fangpin"
PHONE = "13812345678"


# --- Round trip ------------------------------------------------------------------------------


def test_services_store_token_index_and_mask_and_read_back(family: Household) -> None:
    head = member(family, "张三")
    number = plain_id(head)
    assert head.id_number_encrypted.startswith("v1.aes-256-gcm.dev.")
    assert number not in head.id_number_encrypted
    assert head.id_number_index == identity_index("1", number)
    assert len(head.id_number_index) == 64
    assert head.id_number_masked == mask_id(number) == f"{number[:6]}********{number[-4:]}"
    assert (plain_phone(family), family.phone_masked) == (PHONE, "138****5678")
    assert family.phone_index
    assert PHONE not in family.phone_encrypted
    assert (head.phone_encrypted, head.phone_index, head.phone_masked) == ("", "", "")


def test_updates_re_encrypt_and_keep_the_audit_masked(
    family: Household, actor: Any, person_input: PersonFactory
) -> None:
    wife = member(family, "李梅")
    services.person_update(
        actor=actor, person_id=wife.pk, expected_version=1, changes={"phone": "13900001111"}
    )
    services.household_update(
        actor=actor, household_id=family.pk, expected_version=1, changes={"phone": "0743-8521234"}
    )
    new_number = person_input(birth_date=date(1982, 8, 19), female=True).id_number
    services.person_correct_id(
        actor=actor, person_id=wife.pk, expected_version=2, new_id_number=new_number, reason="更正"
    )
    wife.refresh_from_db()
    family.refresh_from_db()
    assert (plain_phone(wife), wife.phone_masked) == ("13900001111", "139****1111")
    assert (plain_phone(family), family.phone_masked) == ("0743-8521234", "074****1234")
    assert (plain_id(wife), wife.id_number_masked) == (new_number, mask_id(new_number))
    assert wife.id_number_index == identity_index("1", new_number)
    dumped = str(list(AuditEvent.objects.values_list("changes", flat=True)))
    for plain in ("13900001111", "0743-8521234", new_number, PHONE):
        assert plain not in dumped
    assert "139****1111" in dumped


def test_bulk_load_stores_token_index_and_mask(
    huayuan_regions: Any,
    dataset: Path,  # noqa: F811
) -> None:
    registry_bulk_load(actor="system:test", source_dir=dataset)
    people = pq.read_table(dataset / "registry" / "persons.parquet").to_pylist()[:30]
    for row in people:
        stored = Person.objects.get(
            id_number_index=identity_index(row["id_type"], row["id_number"]),
            name=row["name"],
        )
        assert plain_id(stored) == row["id_number"]
        assert stored.id_number_masked == mask_id(row["id_number"])
        assert plain_phone(stored) == row["phone"]
        assert stored.phone_masked == mask_phone(row["phone"])
    households = pq.read_table(dataset / "registry" / "households.parquet").to_pylist()[:10]
    for row in households:
        stored_household = Household.objects.get(household_number=row["household_number"])
        assert plain_phone(stored_household) == row["phone"]
        assert stored_household.phone_masked == mask_phone(row["phone"])


def test_the_same_id_in_two_rows_has_two_ciphertexts_and_one_index(
    family: Household, actor: Any, person_input: PersonFactory
) -> None:
    son = member(family, "张小明")
    services.person_record_death(actor=actor, person_id=son.pk, death_date=date(2024, 5, 1))
    again = replace(person_input(name="张小明", relation="20"), id_number=plain_id(son))
    services.person_add(
        actor=actor,
        household_id=family.pk,
        person=again,
        event_type="move_in",
        event_date=date(2024, 6, 1),
    )
    rows = list(Person.objects.filter(id_number_index=identity_index("1", plain_id(son))))
    assert len(rows) == 2
    assert rows[0].id_number_encrypted != rows[1].id_number_encrypted
    assert {plain_id(r) for r in rows} == {plain_id(son)}


# --- Search through the index ----------------------------------------------------------------


def test_search_by_id_and_phone_goes_through_the_index(family: Household, actor: Any) -> None:
    wife_number = plain_id(member(family, "李梅"))
    typed = wife_number[:9] + " " + wife_number[9:].lower()
    found = selectors.person_find_by_id_number(user=actor, id_number=typed)
    assert found is not None
    assert found.name == "李梅"
    listed = selectors.household_list(user=actor, search=wife_number)
    assert [h.pk for h in listed] == [family.pk]
    assert [h.pk for h in selectors.household_list(user=actor, search=PHONE)] == [family.pk]
    assert list(selectors.household_list(user=actor, search="13800000000")) == []
    assert selectors.person_find_by_id_number(user=actor, id_number=wife_number[:17] + "0") is None


def test_the_database_enforces_uniqueness_on_the_index(family: Household) -> None:
    wife = member(family, "李梅")
    clone = Person.objects.get(pk=wife.pk)
    clone.pk = None
    clone.relation = "20"
    clone.id_number_encrypted = "v1.aes-256-gcm.dev.AAAA.BBBB"  # another token, same identity
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save(force_insert=True)
    assert Person.objects.filter(id_number_index=wife.id_number_index).count() == 1


# --- No plaintext in the database ------------------------------------------------------------


def _text_values() -> list[str]:
    """Every value of every text-like column of every table, read with plain SQL."""
    values: list[str] = []
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        for table in tables:
            description = connection.introspection.get_table_description(cursor, table)
            quoted = ", ".join(connection.ops.quote_name(col.name) for col in description)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                values.extend(str(v) for v in row if v is not None)
    return values


def test_no_table_holds_a_plaintext_id_or_phone(
    huayuan_regions: Any,
    dataset: Path,  # noqa: F811
) -> None:
    """A bulk load, then households through the services; then every column of every table
    (registry, audit, …) is read back with SQL: no known ID or phone number occurs."""
    registry_bulk_load(actor="system:test", source_dir=dataset)
    loaded = pq.read_table(dataset / "registry" / "persons.parquet").to_pylist()[:50]
    head = idnumber.build("433124", date(1980, 5, 1), 11)
    spouse = idnumber.build("433124", date(1982, 8, 9), 12)
    services.household_create(
        actor="system:test",
        village_code=TUDI,
        household_type="1",
        registered_on=date(2024, 3, 1),
        phone=PHONE,
        head=PersonInput(name="张三", id_number=head, relation="01", phone="13612345678"),
        members=[PersonInput(name="李梅", id_number=spouse, relation="10")],
    )
    secrets = {head, spouse, PHONE, "13612345678"}
    secrets |= {row["id_number"] for row in loaded} | {
        row["phone"] for row in loaded if row["phone"]
    }
    blob = "\n".join(_text_values())
    assert blob.count("v1.aes-256-gcm.") > 100  # the scan saw the tokens
    leaked = sorted(s for s in secrets if s in blob)
    assert leaked == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads a SQLite file")
@pytest.mark.xdist_group("demo")
def test_the_sqlite_file_and_wal_contain_no_plaintext(
    demo_run: tuple[Path, str], tmp_path: Path
) -> None:
    """A real file database: the demo (migrate, regions, bulk load of a synthetic county,
    department files, screening, casework; the run shared with tests/e2e), then a household
    registered through the services; the bytes of the database file and its write-ahead log
    contain none of the ID or phone numbers."""
    var_dir = demo_copy(demo_run, tmp_path / "demo")
    env = demo_env(var_dir)
    number = idnumber.build("433124", date(1980, 5, 1), 11)
    script = (
        "from datetime import date\n"
        "from fangpin.registry import services\n"
        "from fangpin.registry.models import Household\n"
        "from fangpin.registry.validation import PersonInput\n"
        "village = Household.objects.order_by('pk').first().village_id\n"
        "services.household_create(actor='system:test', village_code=village,\n"
        "    household_type='1', registered_on=date(2024, 3, 1), phone='13712345678',\n"
        f"    head=PersonInput(name='张三', id_number='{number}', relation='01',\n"
        "        phone='13612345678'))\n"
    )
    created = subprocess.run(
        [sys.executable, str(MANAGE), "shell", "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert created.returncode == 0, created.stdout + created.stderr
    database = var_dir / "fangpin.sqlite3"
    with sqlite3.connect(database) as db:
        assert db.execute("select count(*) from registry_person").fetchone()[0] > 200
    people = pq.read_table(next(var_dir.glob("synth/*/registry/persons.parquet"))).to_pylist()
    secrets = {number, "13712345678", "13612345678"}
    secrets |= {p["id_number"] for p in people[:200]} | {
        p["phone"] for p in people[:200] if p["phone"]
    }
    raw = database.read_bytes()
    wal = database.with_name(database.name + "-wal")
    if wal.exists():
        raw += wal.read_bytes()
    assert b"v1.aes-256-gcm." in raw
    leaked = sorted(s for s in secrets if s.encode() in raw)
    assert leaked == []


# --- Reveal ----------------------------------------------------------------------------------


def _reveals() -> list[tuple[str, str, dict[str, Any]]]:
    return list(
        AuditEvent.objects.filter(action="data.reveal").values_list(
            "actor_label", "object_id", "changes"
        )
    )


def _denials() -> int:
    return AuditEvent.objects.filter(action="authz.denied", result=AuditResult.DENIED).count()


def test_reveal_in_scope_with_capability_and_reason_is_audited(world: World) -> None:
    approver = world.viewers["county_huayuan"]
    household = world.households["tudi"]
    wife = member(household, "李梅")
    before = AuditEvent.objects.count()
    number = services.person_reveal(
        actor=approver, person_id=wife.pk, field="id_number", reason="核对低保申请"
    )
    phone = services.person_reveal(actor=approver, person_id=wife.pk, field="phone", reason="回访")
    household_phone = services.household_reveal_phone(
        actor=approver, household_id=household.pk, reason="回访"
    )
    assert number == plain_id(wife)
    assert len(number) == 18
    assert (phone, household_phone) == ("13887654321", "13812345678")
    assert AuditEvent.objects.count() == before + 3
    assert _reveals() == [
        ("county_huayuan", str(wife.pk), {"field": "id_number", "reason": "核对低保申请"}),
        ("county_huayuan", str(wife.pk), {"field": "phone", "reason": "回访"}),
        ("county_huayuan", str(household.pk), {"field": "phone", "reason": "回访"}),
    ]
    # The audit record itself holds no plaintext.
    assert number not in str(_reveals())


@pytest.mark.parametrize("viewer", ["cadre_tudi", "township_longtan", "inspector_luxi", "root"])
def test_reveal_without_the_capability_is_refused_and_audited(world: World, viewer: str) -> None:
    wife = member(world.households["tudi"], "李梅")
    before, denials = AuditEvent.objects.count(), _denials()
    with pytest.raises(RegistryError) as refused:
        services.person_reveal(
            actor=world.viewers[viewer], person_id=wife.pk, field="id_number", reason="查看"
        )
    assert refused.value.code == "forbidden"
    with pytest.raises(RegistryError):
        services.household_reveal_phone(
            actor=world.viewers[viewer], household_id=world.households["tudi"].pk, reason="查看"
        )
    assert (_reveals(), _denials(), AuditEvent.objects.count()) == ([], denials + 2, before + 2)


def test_reveal_outside_the_scope_is_refused_like_a_missing_person(world: World) -> None:
    approver = world.viewers["county_huayuan"]  # 花垣县: 泸溪县 is outside
    foreign = member(world.households["luxi"], "田英")
    before = AuditEvent.objects.count()
    with pytest.raises(RegistryError) as outside:
        services.person_reveal(
            actor=approver, person_id=foreign.pk, field="id_number", reason="查看"
        )
    with pytest.raises(RegistryError) as missing:
        services.person_reveal(actor=approver, person_id=999_999, field="id_number", reason="查看")
    with pytest.raises(RegistryError) as outside_household:
        services.household_reveal_phone(
            actor=approver, household_id=world.households["luxi"].pk, reason="查看"
        )
    assert (outside.value.code, outside.value.message) == (
        missing.value.code,
        missing.value.message,
    )
    assert outside_household.value.code == "not_found"
    assert _reveals() == []
    assert AuditEvent.objects.count() == before + 2  # two authz.denied, nothing for "missing"
    denied = AuditEvent.objects.filter(action="authz.denied").order_by("-pk")[:2]
    assert {e.changes["reason"] for e in denied} == {"out_of_scope"}


@pytest.mark.parametrize("reason", ["", "   ", "\u3000"])
def test_reveal_without_a_reason_is_refused_and_nothing_is_recorded(
    world: World, reason: str
) -> None:
    wife = member(world.households["tudi"], "李梅")
    before = AuditEvent.objects.count()
    with pytest.raises(RegistryError) as refused:
        services.person_reveal(
            actor=world.viewers["county_huayuan"], person_id=wife.pk, field="phone", reason=reason
        )
    assert (refused.value.code, refused.value.field) == ("reason", "reason")
    assert AuditEvent.objects.count() == before


def test_reveal_of_an_unknown_field_is_refused(world: World) -> None:
    wife = member(world.households["tudi"], "李梅")
    before = AuditEvent.objects.count()
    with pytest.raises(RegistryError) as refused:
        services.person_reveal(
            actor=world.viewers["county_huayuan"],
            person_id=wife.pk,
            field="name",  # type: ignore[arg-type]  # an unknown field, on purpose
            reason="x",
        )
    assert refused.value.code == "field"
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),  # altered byte
        lambda token: token.replace(".dev.", ".k9."),  # a key nobody has
        lambda token: "garbage",  # not a token at all
    ],
    ids=["altered", "unknown-key", "malformed"],
)
def test_a_tampered_token_makes_reveal_fail_clearly(
    world: World, tamper: Callable[[str], str]
) -> None:
    wife = member(world.households["tudi"], "李梅")
    Person.objects.filter(pk=wife.pk).update(id_number_encrypted=tamper(wife.id_number_encrypted))
    before = AuditEvent.objects.count()
    with pytest.raises(RegistryError) as failed:
        services.person_reveal(
            actor=world.viewers["county_huayuan"],
            person_id=wife.pk,
            field="id_number",
            reason="核对",
        )
    assert failed.value.code == "pi_integrity"
    assert "无法显示明文" in failed.value.message
    assert AuditEvent.objects.count() == before


def test_a_token_moved_to_another_column_does_not_decrypt(world: World) -> None:
    household = world.households["tudi"]
    wife = member(household, "李梅")
    Household.objects.filter(pk=household.pk).update(phone_encrypted=wife.phone_encrypted)
    with pytest.raises(RegistryError) as failed:
        services.household_reveal_phone(
            actor=world.viewers["county_huayuan"], household_id=household.pk, reason="核对"
        )
    assert failed.value.code == "pi_integrity"
    with pytest.raises(ValueError):
        pi_decrypt(wife.phone_encrypted, context=HOUSEHOLD_PHONE_CONTEXT)
    assert pi_decrypt(wife.id_number_encrypted, context=ID_NUMBER_CONTEXT) == plain_id(wife)


# --- Health details at rest (scenario 28) ----------------------------------------------------


def _health_json(health: str, grade: str = "", category: str = "") -> str:
    text = (
        f'{{"disability_category":"{category}","disability_grade":"{grade}","health":"{health}"}}'
    )
    return text.ljust(HEALTH_PLAINTEXT_LENGTH)


def _sensitive_fragments() -> set[str]:
    """What a health detail in clear would look like in a dump: its labels and code pairs."""
    fragments = set(SENSITIVE_LABELS)
    for details in SEEDED.values():
        for health, grade, category in details:
            for key, code in (
                ("health", health),
                ("disability_grade", grade),
                ("disability_category", category),
            ):
                if code:
                    fragments |= {f'"{key}":"{code}"', f'"{key}": "{code}"', f"{key}={code}"}
    return fragments


def test_health_details_are_one_padded_token_per_person(family: Household, actor: Any) -> None:
    wife, son = member(family, "李梅"), member(family, "张小明")
    services.person_update(
        actor=actor,
        person_id=son.pk,
        expected_version=1,
        changes={"health": "40", "disability_grade": "1", "disability_category": "2"},
    )
    son.refresh_from_db()
    assert wife.health_encrypted.startswith("v1.aes-256-gcm.dev.")
    assert pi_decrypt(wife.health_encrypted, context=HEALTH_CONTEXT) == _health_json("10")
    assert pi_decrypt(son.health_encrypted, context=HEALTH_CONTEXT) == _health_json("40", "1", "2")
    assert (person_health(wife), person_health(son)) == (
        HealthCodes("10", "", ""),
        HealthCodes("40", "1", "2"),
    )
    # Padded plaintext: a healthy person's token is as long as a disabled person's.
    assert len(wife.health_encrypted) == len(son.health_encrypted)
    with pytest.raises(CryptoError):  # the column context is the associated data
        pi_decrypt(son.health_encrypted, context=ID_NUMBER_CONTEXT)
    assert not {f.name for f in Person._meta.get_fields()} & {
        "health",
        "disability_grade",
        "disability_category",
    }


def _raw_person(pk: int) -> dict[str, object]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM registry_person WHERE id = %s", [pk])
        names = [col[0] for col in cursor.description]
        row = cursor.fetchone()
    return dict(zip(names, row, strict=True))


def test_a_health_change_changes_only_the_token_in_the_raw_row(
    family: Household, actor: Any
) -> None:
    """The raw row (plain SQL) has no health column, and a health change through the service
    alters only ``health_encrypted`` (and the version stamps): the codes are nowhere else."""
    wife = member(family, "李梅")
    before = _raw_person(wife.pk)
    services.person_update(
        actor=actor,
        person_id=wife.pk,
        expected_version=1,
        changes={"health": "40", "disability_grade": "3", "disability_category": "6"},
    )
    after = _raw_person(wife.pk)
    assert not set(after) & {"health", "disability_grade", "disability_category"}
    changed = sorted(name for name in after if after[name] != before[name])
    assert changed == ["health_encrypted", "updated_at", "version"]
    assert person_health(member(family, "李梅")) == HealthCodes("40", "3", "6")


def test_a_health_edit_is_audited_as_all_three_masked_and_a_resubmission_is_no_change(
    family: Household, actor: Any
) -> None:
    son = member(family, "张小明")
    set_health(son.pk, "40", "1", "2")
    son.refresh_from_db()
    token = son.health_encrypted

    same = services.person_update(
        actor=actor,
        person_id=son.pk,
        expected_version=1,
        changes={"health": "40", "disability_grade": "1", "disability_category": "2"},
    )
    assert (same.version, same.health_encrypted) == (1, token)  # compared decrypted: no change
    assert AuditEvent.objects.filter(action="person.update").count() == 0

    services.person_update(
        actor=actor, person_id=son.pk, expected_version=1, changes={"disability_grade": "3"}
    )
    son.refresh_from_db()
    assert (son.version, person_health(son)) == (2, HealthCodes("40", "3", "2"))
    assert son.health_encrypted != token
    event = AuditEvent.objects.filter(action="person.update").get()
    # Only the grade changed, yet all three are recorded alike: "the grade changed" would tell
    # that the person is disabled.
    assert event.changes == {
        "health": ["已隐藏", "已隐藏"],
        "disability_grade": ["已隐藏", "已隐藏"],
        "disability_category": ["已隐藏", "已隐藏"],
    }


def test_no_table_holds_a_health_detail_in_clear(
    huayuan_regions: Any,
    dataset: Path,  # noqa: F811
) -> None:
    """A bulk load, then every sensitive status, grade and category given to loaded people
    through the services (and one revealed); then every column of every table (registry,
    audit, …) read back with SQL: no health label or code pair in clear, and every person's
    token decrypts to exactly the details given or loaded."""
    registry_bulk_load(actor="system:test", source_dir=dataset)
    wanted = [codes for details in SEEDED.values() for codes in details]
    people = list(Person.objects.filter(status="active").order_by("pk")[: len(wanted)])
    expected: dict[int, HealthCodes] = {}
    for person, (health, grade, category) in zip(people, wanted, strict=True):
        services.person_update(
            actor="system:test",
            person_id=person.pk,
            expected_version=person.version,
            changes={"health": health, "disability_grade": grade, "disability_category": category},
        )
        expected[person.pk] = HealthCodes(health, grade, category)
    disabled = next(pk for pk, codes in expected.items() if codes.health == "40")
    approver = make_user("approver", Role.COUNTY_APPROVER, HUAYUAN_COUNTY)
    person_reveal_health(actor=approver, person_id=disabled, reason="核对")

    blob = "\n".join(_text_values())
    assert blob.count("v1.aes-256-gcm.") > 300  # the scan saw the tokens (IDs, phones, health)
    leaked = sorted(f for f in _sensitive_fragments() if f in blob)
    assert leaked == []
    stored = {p.pk: person_health(p) for p in Person.objects.filter(pk__in=expected)}
    assert stored == expected
    loaded = {
        (row["name"], identity_index(row["id_type"], row["id_number"])): HealthCodes(
            row["health"], row["disability_grade"], row["disability_category"]
        )
        for row in pq.read_table(dataset / "registry" / "persons.parquet").to_pylist()
    }
    for p in people:  # changed above
        del loaded[(p.name, p.id_number_index)]
    from_db = {
        (p.name, p.id_number_index): person_health(p)
        for p in Person.objects.exclude(pk__in=expected)
    }
    assert len(from_db) == len(loaded) > 300
    assert from_db == loaded
    assert {c.health for c in loaded.values()} >= {"10", "40"}  # the sample has the disabled
    assert len({len(t) for t in Person.objects.values_list("health_encrypted", flat=True)}) == 1


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("health", "50"),  # not in the code table
        ("disability_grade", "9"),  # not in the code table
        ("disability_category", "1"),  # a category without a grade
    ],
)
def test_the_loader_refuses_invalid_health_details_and_loads_nothing(
    huayuan_regions: Any,
    dataset: Path,  # noqa: F811
    tmp_path: Path,
    column: str,
    value: str,
) -> None:
    rows = pq.read_table(dataset / "registry" / "persons.parquet").to_pylist()
    healthy = next(i for i, r in enumerate(rows) if r["health"] == "10")
    broken = _broken_copy(dataset, tmp_path, "persons", _set(column, value, row=healthy))
    before = counts()
    with pytest.raises(RegistryError) as caught:
        registry_bulk_load(actor="system:test", source_dir=broken)
    assert caught.value.code == "contract"
    assert caught.value.message == (
        "persons.parquet：1 行的健康状况、残疾等级或残疾类别无效或不一致"
        f"（残疾须有等级和类别，其他不能有）（如 person_id={rows[healthy]['person_id']}）"
    )
    assert counts() == before


def test_the_loader_refuses_a_disabled_person_without_a_grade(
    huayuan_regions: Any,
    dataset: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    rows = pq.read_table(dataset / "registry" / "persons.parquet").to_pylist()
    disabled = next(i for i, r in enumerate(rows) if r["health"] == "40")

    def no_grade(table: list[dict[str, Any]]) -> None:
        table[disabled]["disability_grade"] = table[disabled]["disability_category"] = ""

    broken = _broken_copy(dataset, tmp_path, "persons", no_grade)
    before = counts()
    with pytest.raises(RegistryError) as caught:
        registry_bulk_load(actor="system:test", source_dir=broken)
    assert caught.value.code == "contract"
    assert f"person_id={rows[disabled]['person_id']}）" in caught.value.message
    assert counts() == before


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),  # altered byte
        lambda token: token.replace(".dev.", ".k9."),  # a key nobody has
    ],
    ids=["altered", "unknown-key"],
)
def test_a_tampered_health_token_fails_clearly_and_changes_nothing(
    world: World, tamper: Callable[[str], str]
) -> None:
    seed_health(world)
    son = member(world.households["tudi"], "张小明")
    Person.objects.filter(pk=son.pk).update(health_encrypted=tamper(son.health_encrypted))
    son.refresh_from_db()
    before, row = AuditEvent.objects.count(), _raw_person(son.pk)
    with pytest.raises(RegistryError) as failed:
        person_reveal_health(actor=world.viewers["county_huayuan"], person_id=son.pk, reason="核对")
    assert failed.value.code == "pi_integrity"
    assert "无法显示明文" in failed.value.message
    with pytest.raises(CryptoError):
        person_health(son)
    with pytest.raises(CryptoError):  # an edit re-validates the stored details: refused
        services.person_update(
            actor="system:test",
            person_id=son.pk,
            expected_version=son.version,
            changes={"name": "张晓明"},
        )
    # Nothing changed; the direct read left its alert (fangpin/core/pi.py: scenario 28), the
    # services' alerts went with their refused transactions.
    assert (AuditEvent.objects.count(), _raw_person(son.pk)) == (before + 1, row)
    assert AuditEvent.objects.order_by("-pk").values_list("action", flat=True)[0] == "crypto.tamper"


def test_a_health_token_moved_to_another_column_does_not_decrypt(
    family: Household, actor: Any
) -> None:
    wife, son = member(family, "李梅"), member(family, "张小明")
    set_health(son.pk, "40", "2", "4")
    son.refresh_from_db()
    Person.objects.filter(pk=wife.pk).update(phone_encrypted=son.health_encrypted)
    with pytest.raises(RegistryError) as failed:
        services.person_reveal(actor=actor, person_id=wife.pk, field="phone", reason="核对")
    assert failed.value.code == "pi_integrity"
    assert person_health(son) == HealthCodes("40", "2", "4")


# --- Keys: production fails closed -----------------------------------------------------------


def _check(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FANGPIN_", "DATABASE_URL"))}
    env.update(
        FANGPIN_MODE="production",
        FANGPIN_SECRET_KEY="x" * 60 + "-not-a-real-secret",
        FANGPIN_ALLOWED_HOSTS="fangpin.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'check.sqlite3'}",
        **extra,
    )
    return subprocess.run(
        [sys.executable, str(MANAGE), "check"], env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_keys(tmp_path: Path) -> None:
    done = _check(tmp_path)
    assert done.returncode != 0
    assert "fangpin.E001" in done.stderr + done.stdout
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    only_field = _check(tmp_path, FANGPIN_FIELD_KEYS=f"k1:{key}")
    assert only_field.returncode != 0
    assert "fangpin.E001" in only_field.stderr + only_field.stdout
    ok = _check(tmp_path, FANGPIN_FIELD_KEYS=f"k1:{key}", FANGPIN_INDEX_KEY=key)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "fangpin.E001" not in ok.stderr + ok.stdout
