"""declaration_submit, declaration_reject, declaration_mark_duplicate, declarations_purge."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from fangpin.core.models import AuditEvent, User
from fangpin.core.pi import pi_decrypt
from fangpin.intake.errors import IntakeError
from fangpin.intake.models import (
    DIFFICULTY_CONTEXT,
    ID_NUMBER_CONTEXT,
    NAME_CONTEXT,
    PHONE_CONTEXT,
    Declaration,
    DeclarationStatus,
)
from fangpin.intake.services import (
    client_ip_hash,
    declaration_mark_duplicate,
    declaration_reject,
    declarations_purge,
)
from fangpin.registry.models import Household, identity_index, phone_index
from tests.intake.conftest import DOUWANG, STRANGER_ID, TUDI, make_declaration, snapshot
from tests.registry.conftest import member, plain_id

pytestmark = pytest.mark.django_db


def _raw_row(declaration: Declaration) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM intake_declaration WHERE id = %s", [declaration.pk])
        return " ".join(str(value) for value in cursor.fetchone())


# --- Submitting --------------------------------------------------------------------------------


def test_a_declaration_is_stored_encrypted_with_masked_copies(village: Any) -> None:
    declaration = make_declaration()

    row = _raw_row(declaration)
    for plain in (STRANGER_ID, "13907431234", "彭小红", "丈夫住院", "10.1.2.3"):
        assert plain not in row
    declaration.refresh_from_db()
    assert pi_decrypt(declaration.name_encrypted, context=NAME_CONTEXT) == "彭小红"
    assert pi_decrypt(declaration.phone_encrypted, context=PHONE_CONTEXT) == "13907431234"
    assert pi_decrypt(declaration.id_number_encrypted, context=ID_NUMBER_CONTEXT) == STRANGER_ID
    assert (
        pi_decrypt(declaration.difficulty_encrypted, context=DIFFICULTY_CONTEXT)
        == "丈夫住院，自付3万元。"
    )
    assert declaration.name_masked == "彭**"
    assert declaration.phone_masked == "139****1234"
    assert declaration.id_number_masked == f"433124********{STRANGER_ID[-4:]}"
    assert declaration.id_number_index == identity_index("1", STRANGER_ID)
    assert declaration.phone_index == phone_index("13907431234")
    assert declaration.client_ip_hash == client_ip_hash("10.1.2.3")
    assert len(declaration.client_ip_hash) == 64
    assert declaration.village_id == TUDI
    assert declaration.risk_type == "01"
    assert declaration.status == DeclarationStatus.NEW
    assert declaration.consent_version == "2026-12-v1"
    assert declaration.consent_at == declaration.submitted_at
    assert declaration.household_id is None
    assert declaration.clue_public_id is None
    assert declaration.version == 1
    assert len(declaration.reference) == 10
    assert declaration.reference.startswith("SB")


def test_the_same_id_encrypts_differently_each_time(village: Any) -> None:
    first = make_declaration()
    second = make_declaration()

    assert first.id_number_encrypted != second.id_number_encrypted
    assert first.id_number_index == second.id_number_index
    assert first.reference != second.reference


def test_submission_is_audited_with_masked_values_only(village: Any) -> None:
    declaration = make_declaration()

    event = AuditEvent.objects.get(action="declaration.submit")
    assert event.actor_label == "public:declare"
    assert event.object_type == "declaration"
    assert event.object_id == str(declaration.public_id)
    assert event.changes == {
        "reference": declaration.reference,
        "village": TUDI,
        "risk_type": "01",
        "name": "彭**",
        "id_number": f"433124********{STRANGER_ID[-4:]}",
        "phone": "139****1234",
        "consent_version": "2026-12-v1",
        "household_matched": False,
    }


def test_a_registered_person_s_id_links_the_household(family: Household) -> None:
    head_id = plain_id(member(family, "张三"))

    declaration = make_declaration(id_number=head_id)

    assert declaration.household_id == family.pk
    assert AuditEvent.objects.get(action="declaration.submit").changes["household_matched"]


def test_a_former_member_s_id_links_nothing(family: Household) -> None:
    son = member(family, "张小明")
    type(son).objects.filter(pk=son.pk).update(status="moved_out")

    declaration = make_declaration(id_number=plain_id(son))

    assert declaration.household_id is None


@pytest.mark.parametrize(
    ("overrides", "code", "message"),
    [
        ({"consent_given": False}, "consent", "请阅读并勾选同意个人信息处理告知"),
        ({"consent_version": "2020-01-v0"}, "consent", "告知书版本已更新，请重新阅读后提交"),
        (
            {"id_number": "433124197503085550"},
            "id_number",
            "身份证号码无效：校验位不正确，请核对后重新填写",
        ),
        (
            {"phone": "12345"},
            "phone",
            "联系电话格式不正确：应为11位手机号码，或区号加电话号码（如0743-8521234）",
        ),
        ({"village_code": "433124102000"}, "village", "“龙潭镇”不是村级区划，请选择所在村"),
        ({"risk_type": "88"}, "risk_type", "请从列表中选择风险类型"),
        ({"difficulty": "   "}, "difficulty", "请简要说明遇到的困难"),
    ],
)
def test_an_invalid_declaration_stores_nothing(
    village: Any, overrides: dict[str, Any], code: str, message: str
) -> None:
    before = snapshot()

    with pytest.raises(IntakeError) as caught:
        make_declaration(**overrides)

    assert (caught.value.code, caught.value.message) == (code, message)
    assert snapshot() == before
    assert Declaration.objects.count() == 0


# --- Deciding ----------------------------------------------------------------------------------


def test_a_village_cadre_rejects_a_declaration_of_their_village(
    village: Any, tudi_cadre: User
) -> None:
    declaration = make_declaration()

    result = declaration_reject(
        actor=tudi_cadre, declaration=declaration, note="  经核实家庭收入稳定  ", expected_version=1
    )

    assert result.status == DeclarationStatus.REJECTED
    assert result.decision_note == "经核实家庭收入稳定"
    assert result.decided_by == tudi_cadre
    assert result.decided_by_label == "cadre_tudi"
    assert result.decided_at is not None
    assert result.version == 2
    event = AuditEvent.objects.get(action="declaration.reject")
    assert event.actor_label == "cadre_tudi"
    assert event.object_id == str(declaration.public_id)
    assert event.changes == {
        "status": ["new", "rejected"],
        "note": "经核实家庭收入稳定",
        "version": 2,
    }


def test_a_township_reviewer_marks_a_duplicate_of_another_declaration(
    village: Any, township_reviewer: User
) -> None:
    original = make_declaration()
    again = make_declaration(village_code=DOUWANG)

    result = declaration_mark_duplicate(
        actor=township_reviewer,
        declaration=again,
        note="同一户已申报",
        expected_version=1,
        duplicate_of=original,
    )

    assert result.status == DeclarationStatus.DUPLICATE
    assert result.duplicate_of == original
    event = AuditEvent.objects.get(action="declaration.mark_duplicate")
    assert event.changes == {
        "status": ["new", "duplicate"],
        "note": "同一户已申报",
        "version": 2,
        "duplicate_of": original.reference,
    }


def test_the_county_approver_may_not_decide(village: Any, actor: User) -> None:
    declaration = make_declaration()
    before = snapshot()

    with pytest.raises(IntakeError) as caught:
        declaration_reject(actor=actor, declaration=declaration, note="不符合", expected_version=1)

    assert caught.value.code == "forbidden"
    assert caught.value.message == "当前账号无权处理自主申报"
    denied = AuditEvent.objects.get(action="authz.denied")
    assert denied.changes == {"attempted": "declaration.reject", "reason": "capability"}
    after = snapshot()
    assert after["declarations"] == before["declarations"]
    assert after["audit"] == sorted([*before["audit"], "authz.denied"])


def test_another_village_s_cadre_gets_not_found(village: Any, douwang_cadre: User) -> None:
    declaration = make_declaration(village_code=TUDI)
    before = snapshot()

    with pytest.raises(IntakeError) as caught:
        declaration_reject(
            actor=douwang_cadre, declaration=declaration, note="不符合", expected_version=1
        )

    assert (caught.value.code, caught.value.message) == ("not_found", "未找到该申报")
    denied = AuditEvent.objects.get(action="authz.denied")
    assert denied.changes == {"attempted": "declaration.reject", "reason": "out_of_scope"}
    assert snapshot()["declarations"] == before["declarations"]


@pytest.mark.parametrize(
    ("version", "note", "code", "message"),
    [
        (2, "不符合", "stale", "该申报已被他人修改，请刷新后重试"),
        (1, "   ", "note", "请填写处理说明（将作为答复告知申报人）"),
        (1, "字" * 501, "note", "处理说明不能超过500个字"),
    ],
)
def test_a_bad_decision_changes_nothing(
    village: Any, tudi_cadre: User, version: int, note: str, code: str, message: str
) -> None:
    declaration = make_declaration()
    before = snapshot()

    with pytest.raises(IntakeError) as caught:
        declaration_reject(
            actor=tudi_cadre, declaration=declaration, note=note, expected_version=version
        )

    assert (caught.value.code, caught.value.message) == (code, message)
    assert snapshot() == before


def test_a_decided_declaration_cannot_be_decided_again(village: Any, tudi_cadre: User) -> None:
    declaration = make_declaration()
    declaration_reject(actor=tudi_cadre, declaration=declaration, note="不符合", expected_version=1)
    before = snapshot()

    with pytest.raises(IntakeError) as caught:
        declaration_mark_duplicate(
            actor=tudi_cadre, declaration=declaration, note="重复", expected_version=2
        )

    assert caught.value.code == "decided"
    assert caught.value.is_conflict
    assert snapshot() == before


def test_a_declaration_is_not_its_own_duplicate(village: Any, tudi_cadre: User) -> None:
    declaration = make_declaration()
    before = snapshot()

    with pytest.raises(IntakeError) as caught:
        declaration_mark_duplicate(
            actor=tudi_cadre,
            declaration=declaration,
            note="重复",
            expected_version=1,
            duplicate_of=declaration,
        )

    assert caught.value.code == "duplicate_of"
    assert snapshot() == before


# --- Purging -----------------------------------------------------------------------------------


def test_purge_deletes_refused_declarations_after_a_year_only(
    village: Any, tudi_cadre: User
) -> None:
    old_rejected = make_declaration()
    young_rejected = make_declaration()
    still_new = make_declaration()
    for declaration in (old_rejected, young_rejected):
        declaration_reject(
            actor=tudi_cadre, declaration=declaration, note="不符合", expected_version=1
        )
    Declaration.objects.filter(pk=old_rejected.pk).update(
        decided_at=timezone.now() - timedelta(days=366)
    )
    Declaration.objects.filter(pk=still_new.pk).update(
        submitted_at=timezone.now() - timedelta(days=800)
    )

    deleted = declarations_purge(actor="system:test")

    assert deleted == 1
    assert sorted(Declaration.objects.values_list("pk", flat=True)) == sorted(
        [young_rejected.pk, still_new.pk]
    )
    assert AuditEvent.objects.get(action="declaration.purge").changes["deleted"] == 1
    assert declarations_purge(actor="system:test") == 0


def test_only_the_system_purges(village: Any, tudi_cadre: User) -> None:
    with pytest.raises(IntakeError) as caught:
        declarations_purge(actor=tudi_cadre)

    assert caught.value.code == "forbidden"
