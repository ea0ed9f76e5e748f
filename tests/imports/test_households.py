"""The households import writes exactly what household_create writes, all or nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from fangpin.core.models import AuditEvent, User
from fangpin.core.pi import pi_decrypt
from fangpin.imports import staging
from fangpin.imports.errors import ImportApplyError
from fangpin.imports.models import ImportBatch
from fangpin.imports.services import import_apply, import_check
from fangpin.registry import services
from fangpin.registry.models import (
    HOUSEHOLD_PHONE_CONTEXT,
    ID_NUMBER_CONTEXT,
    PERSON_PHONE_CONTEXT,
    Household,
    HouseholdStatusChange,
    MembershipEvent,
    Person,
    person_health,
)
from fangpin.registry.validation import PersonInput
from tests.imports.conftest import DOUWANG, TUDI, headers_of

KEYS = [
    "head_id_number",
    "village_code",
    "household_number",
    "natural_village",
    "address",
    "household_type",
    "household_phone",
    "is_relocated",
    "relocation_mode",
    "relocation_site",
    "registered_on",
    "name",
    "id_type",
    "id_number",
    "sex",
    "birth_date",
    "relation",
    "ethnicity",
    "education",
    "student_status",
    "out_of_school_reason",
    "health",
    "disability_grade",
    "disability_category",
    "labour_ability",
    "migrant_work_months",
    "migrant_employer",
    "phone",
    "has_resident_medical",
    "has_employee_medical",
    "has_critical_illness",
    "has_resident_pension",
    "has_employee_pension",
    "is_dibao",
    "is_tekun",
]
HEADERS = headers_of("households", KEYS)


def row(**values: Any) -> list[Any]:
    return [values.get(k, "") for k in KEYS]


def family_rows(ids: Callable[..., str]) -> tuple[list[list[Any]], dict[str, str]]:
    head, wife, son = ids(), ids(date(1982, 8, 9), female=True), ids(date(2010, 9, 1))
    rows = [
        row(
            head_id_number=head,
            village_code="433124102201 土地村",
            natural_village="上寨",
            address="龙潭镇土地村上寨12号",
            household_type="1 脱贫户",
            household_phone="13812345678",
            registered_on="2024-03-01",
            name="张三",
            id_number=head,
            relation="01 户主",
            has_resident_medical="是",
            phone="13900001111",
        ),
        row(
            head_id_number=head,
            name="李梅",
            id_number=wife,
            relation="配偶",
            health="40 残疾",
            disability_grade="3",
            disability_category="肢体残疾",
            labour_ability="30",
            migrant_work_months="6",
            migrant_employer="长沙某厂",
            has_resident_medical="是",
            is_dibao="是",
        ),
        row(
            head_id_number=head,
            name="张小明",
            id_number=son,
            relation="20",
            student_status="22 初中",
            education="70",
            ethnicity="06",
            has_resident_medical="1",
        ),
    ]
    return rows, {"head": head, "wife": wife, "son": son}


def service_family(actor: User, ids: Callable[..., str]) -> Household:
    """The same family, written by household_create (different ID numbers, same attributes)."""
    return services.household_create(
        actor=actor,
        village_code=TUDI,
        household_type="1",
        head=PersonInput(
            name="张三",
            id_number=ids(),
            relation="01",
            has_resident_medical=True,
            phone="13900001111",
        ),
        members=[
            PersonInput(
                name="李梅",
                id_number=ids(date(1982, 8, 9), female=True),
                relation="10",
                health="40",
                disability_grade="3",
                disability_category="4",
                labour_ability="30",
                migrant_work_months=6,
                migrant_employer="长沙某厂",
                has_resident_medical=True,
                is_dibao=True,
            ),
            PersonInput(
                name="张小明",
                id_number=ids(date(2010, 9, 1)),
                relation="20",
                student_status="22",
                education="70",
                ethnicity="06",
                has_resident_medical=True,
            ),
        ],
        registered_on=date(2024, 3, 1),
        natural_village="上寨",
        address="龙潭镇土地村上寨12号",
        phone="13812345678",
    )


_SKIP_HOUSEHOLD = {
    "id",
    "public_id",
    "household_number",
    "phone_encrypted",
    "created_at",
    "updated_at",
}
_SKIP_PERSON = {
    "id",
    "public_id",
    "household",
    "id_number_encrypted",
    "id_number_index",
    "id_number_masked",
    "health_encrypted",
    "phone_encrypted",
    "created_at",
    "updated_at",
}


def household_values(household: Household) -> dict[str, Any]:
    values = {
        f.attname: getattr(household, f.attname)
        for f in Household._meta.concrete_fields
        if f.name not in _SKIP_HOUSEHOLD
    }
    values["phone"] = pi_decrypt(household.phone_encrypted, context=HOUSEHOLD_PHONE_CONTEXT)
    return values


def person_values(person: Person) -> dict[str, Any]:
    values = {
        f.attname: getattr(person, f.attname)
        for f in Person._meta.concrete_fields
        if f.name not in _SKIP_PERSON
    }
    values["phone"] = pi_decrypt(person.phone_encrypted, context=PERSON_PHONE_CONTEXT)
    values["health"] = person_health(person)
    return values


def test_imported_household_equals_what_household_create_writes(
    actor: User,
    xlsx: Callable[..., Path],
    ids: Callable[..., str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    rows, numbers = family_rows(ids)
    expected = service_family(actor, ids)
    batch = import_check(
        actor=actor, entity="households", path=xlsx(HEADERS, rows), file_name="户籍.xlsx"
    )
    assert (batch.status, batch.row_count, batch.error_count) == ("checked", 3, 0)
    assert batch.report["issues"] == []
    with django_capture_on_commit_callbacks(execute=True):
        applied = import_apply(actor=actor, batch_id=batch.pk)

    assert applied.status == "applied"
    assert applied.counts == {"households": 1, "persons": 3}
    household = Household.objects.get(pk=applied.object_ids["households"][0])
    assert household.household_number == "4331241022010002"  # after the service's 0001
    assert household_values(household) == household_values(expected)
    people = list(Person.objects.filter(household=household).order_by("pk"))
    reference = list(Person.objects.filter(household=expected).order_by("pk"))
    assert [p.pk for p in people] == applied.object_ids["persons"]
    assert [person_values(p) for p in people] == [person_values(p) for p in reference]
    assert [pi_decrypt(p.id_number_encrypted, context=ID_NUMBER_CONTEXT) for p in people] == [
        numbers["head"],
        numbers["wife"],
        numbers["son"],
    ]
    assert [p.id_number_masked for p in people] == [
        f"{numbers[k][:6]}********{numbers[k][-4:]}" for k in ("head", "wife", "son")
    ]
    events = MembershipEvent.objects.filter(household=household).order_by("pk")
    expected_events = MembershipEvent.objects.filter(household=expected).order_by("pk")
    shape = (
        "event_type",
        "event_date",
        "relation_before",
        "relation_after",
        "note",
        "actor_id",
        "related_household_id",
    )
    assert [tuple(getattr(e, f) for f in shape) for e in events] == [
        tuple(getattr(e, f) for f in shape) for e in expected_events
    ]
    assert [e.person_id for e in events] == applied.object_ids["persons"]
    changes = HouseholdStatusChange.objects.filter(household=household)
    expected_changes = HouseholdStatusChange.objects.filter(household=expected)
    shape = ("from_status", "to_status", "reason", "effective_date", "actor_id")
    assert [tuple(getattr(e, f) for f in shape) for e in changes] == [
        tuple(getattr(e, f) for f in shape) for e in expected_changes
    ]
    event = AuditEvent.objects.get(action="registry.import")
    assert event.object_id == str(batch.pk)
    assert event.changes["counts"] == {"households": 1, "persons": 3}
    assert event.changes["entity"] == "households"
    assert event.changes["sha256"] == batch.sha256
    assert not staging.batch_dir(batch.pk).exists()


def test_staged_rows_hold_no_plaintext_pi(
    actor: User, xlsx: Callable[..., Path], ids: Callable[..., str]
) -> None:
    rows, numbers = family_rows(ids)
    batch = import_check(actor=actor, entity="households", path=xlsx(HEADERS, rows), file_name="a")
    raw = (staging.batch_dir(batch.pk) / staging.STAGED).read_bytes()
    for number in numbers.values():
        assert number.encode() not in raw
    assert b"13812345678" not in raw
    assert b"13900001111" not in raw
    assert "残疾".encode() not in raw


def test_households_are_numbered_per_village_in_file_order(
    actor: User, xlsx: Callable[..., Path], ids: Callable[..., str]
) -> None:
    heads = [ids() for _ in range(3)]
    rows = [
        row(
            head_id_number=h,
            village_code=code,
            household_type="2",
            registered_on="2024-01-02",
            name="王五",
            id_number=h,
            relation="01",
            household_number=number,
        )
        for h, code, number in zip(
            heads, [TUDI, DOUWANG, TUDI], ["", "", "4331241022019999X"], strict=True
        )
    ]
    batch = import_check(actor=actor, entity="households", path=xlsx(HEADERS, rows), file_name="a")
    assert batch.error_count == 0
    applied = import_apply(actor=actor, batch_id=batch.pk)
    numbers = list(
        Household.objects.filter(pk__in=applied.object_ids["households"])
        .order_by("pk")
        .values_list("household_number", flat=True)
    )
    assert numbers == ["4331241022010001", "4331241022020001", "4331241022019999X"]


def test_apply_refuses_when_a_person_was_registered_after_the_check(
    actor: User,
    xlsx: Callable[..., Path],
    ids: Callable[..., str],
    counts: Callable[[], dict[str, int]],
) -> None:
    rows, numbers = family_rows(ids)
    batch = import_check(actor=actor, entity="households", path=xlsx(HEADERS, rows), file_name="a")
    services.household_create(
        actor=actor,
        village_code=DOUWANG,
        household_type="2",
        head=PersonInput(name="李梅", id_number=numbers["wife"], relation="01"),
        registered_on=date(2024, 1, 1),
    )
    before = counts()
    with pytest.raises(ImportApplyError) as caught:
        import_apply(actor=actor, batch_id=batch.pk)
    assert caught.value.code == "stale"
    assert caught.value.message == (
        "检查之后登记库已发生变化，未导入任何数据：第3行的证件号码（如"
        f"{numbers['wife'][:6]}********{numbers['wife'][-4:]}）已被在册人员使用。请重新上传文件检查"
    )
    assert counts() == before
    assert ImportBatch.objects.get(pk=batch.pk).status == "checked"
