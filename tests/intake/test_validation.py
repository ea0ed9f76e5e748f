"""Field checks of a declaration: the normalised value, or one exact Chinese message."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from fangpin.core.models import Region
from fangpin.intake import validation
from fangpin.intake.errors import IntakeError
from tests.intake.conftest import STRANGER_ID, TUDI

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (STRANGER_ID, STRANGER_ID),
        (f" {STRANGER_ID[:6]} {STRANGER_ID[6:]} ", STRANGER_ID),
        (STRANGER_ID.translate(str.maketrans("0123456789", "０１２３４５６７８９")), STRANGER_ID),
    ],
)
def test_id_numbers_are_normalised(db: None, typed: str, expected: str) -> None:
    assert validation.clean_id_number(typed, today=TODAY) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "请填写身份证号码"),
        ("   ", "请填写身份证号码"),
        ("43312419750308555", "身份证号码无效：身份证号码应为18位（或15位旧号码），实为17位"),
        ("433124197503085550", "身份证号码无效：校验位不正确，请核对后重新填写"),
        ("433124197502305557", "身份证号码无效：出生日期“19750230”不是有效日期"),
    ],
)
def test_bad_id_numbers_get_a_chinese_message(db: None, typed: str, message: str) -> None:
    with pytest.raises(IntakeError) as caught:
        validation.clean_id_number(typed, today=TODAY)

    assert (caught.value.code, caught.value.field, caught.value.message) == (
        "id_number",
        "id_number",
        message,
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("13907431234", "13907431234"),
        (" 139 0743 1234 ", "13907431234"),
        ("0743-8521234", "0743-8521234"),
    ],
)
def test_mobile_and_landline_numbers_are_accepted(typed: str, expected: str) -> None:
    assert validation.clean_phone(typed) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "请填写联系电话"),
        ("1390743123", "联系电话格式不正确：应为11位手机号码，或区号加电话号码（如0743-8521234）"),
        ("23907431234", "联系电话格式不正确：应为11位手机号码，或区号加电话号码（如0743-8521234）"),
        ("abc", "联系电话格式不正确：应为11位手机号码，或区号加电话号码（如0743-8521234）"),
    ],
)
def test_bad_phone_numbers_get_a_chinese_message(typed: str, message: str) -> None:
    with pytest.raises(IntakeError) as caught:
        validation.clean_phone(typed)

    assert (caught.value.code, caught.value.message) == ("phone", message)


def test_a_village_is_a_current_village_level_region(village: Region) -> None:
    assert validation.validate_village(TUDI).name == "土地村"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "请选择所在村"),
        ("4331241022", "所在村的区划代码应为12位数字"),
        ("43312410220x", "所在村的区划代码应为12位数字"),
        ("433124102299", "区划代码“433124102299”不存在"),
        ("433124102000", "“龙潭镇”不是村级区划，请选择所在村"),
        ("433124000000", "“花垣县”不是村级区划，请选择所在村"),
    ],
)
def test_bad_villages_get_a_chinese_message(village: Region, code: str, message: str) -> None:
    with pytest.raises(IntakeError) as caught:
        validation.validate_village(code)

    assert (caught.value.code, caught.value.message) == ("village", message)


def test_an_abolished_village_is_refused(village: Region) -> None:
    Region.objects.filter(code=TUDI).update(valid_to=date(2024, 1, 1))

    with pytest.raises(IntakeError) as caught:
        validation.validate_village(TUDI)

    assert caught.value.message == "“土地村”已撤销，请选择现在所在的村"


@pytest.mark.parametrize(
    ("check", "value", "code", "message"),
    [
        (validation.clean_name, "", "name", "姓名不能为空"),
        (validation.clean_risk_type, "", "risk_type", "请选择风险类型"),
        (validation.clean_risk_type, "08", "risk_type", "请从列表中选择风险类型"),
        (validation.clean_difficulty, "", "difficulty", "请简要说明遇到的困难"),
        (
            validation.clean_difficulty,
            "难" * 501,
            "difficulty",
            "困难情况说明不能超过500个字，实为501个字",
        ),
    ],
)
def test_other_fields_get_a_chinese_message(
    check: Any, value: str, code: str, message: str
) -> None:
    with pytest.raises(IntakeError) as caught:
        check(value)

    assert (caught.value.code, caught.value.message) == (code, message)


def test_the_difficulty_keeps_500_characters_and_drops_control_characters() -> None:
    assert validation.clean_difficulty(" 难\x00" + "难" * 499 + " ") == "难" * 500


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三", "张*"), ("欧阳小红", "欧***"), ("阿依古丽·买买提", "阿*******"), ("", "")],
)
def test_names_are_masked_to_their_first_character(name: str, masked: str) -> None:
    assert validation.mask_name(name) == masked


def test_the_repr_of_a_clean_declaration_masks_personal_information(village: Region) -> None:
    clean = validation.validate_declaration(
        village_code=TUDI,
        name="彭小红",
        phone="13907431234",
        id_number=STRANGER_ID,
        risk_type="01",
        difficulty="住院",
        today=TODAY,
    )

    text = repr(clean)

    assert STRANGER_ID not in text
    assert "13907431234" not in text
    assert "彭小红" not in text
    assert text == (
        f"CleanDeclaration(village='{TUDI}', name='彭**', phone='139****1234', "
        f"id_number='433124********{STRANGER_ID[-4:]}', risk_type='01')"
    )
