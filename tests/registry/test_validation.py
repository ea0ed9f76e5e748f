"""validate_person_input and the household-field validators (shared with the Excel importer)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from fangpin import idnumber
from fangpin.core.models import Region
from fangpin.registry.errors import RegistryError
from fangpin.registry.validation import (
    PersonInput,
    validate_household_fields,
    validate_name,
    validate_person_input,
    validate_phone,
)
from tests.registry.conftest import PersonFactory

TODAY = date(2025, 6, 1)
MALE_1980 = idnumber.build("433124", date(1980, 5, 1), 11)  # sequence 011: odd, male


def _input(**overrides: object) -> PersonInput:
    fields: dict[str, object] = {"name": "张三", "id_number": MALE_1980, "relation": "01"}
    fields.update(overrides)
    return PersonInput(**fields)  # type: ignore[arg-type]


def _refused(p: PersonInput) -> RegistryError:
    with pytest.raises(RegistryError) as info:
        validate_person_input(p, today=TODAY)
    return info.value


def test_derives_sex_and_birth_date_from_the_id_number(village: Region) -> None:
    clean = validate_person_input(_input(), today=TODAY)
    assert clean.id_number == MALE_1980
    assert clean.sex == "1"
    assert clean.birth_date == date(1980, 5, 1)
    assert clean.as_model_fields()["relation"] == "01"


def test_normalises_a_pasted_id_number_and_name(village: Region) -> None:
    pasted = " " + MALE_1980[:6] + "\u3000" + MALE_1980[6:] + " "
    clean = validate_person_input(_input(id_number=pasted, name=" 阿依古丽•买买提 "), today=TODAY)
    assert clean.id_number == MALE_1980
    assert clean.name == "阿依古丽·买买提"


def test_upgrades_a_legacy_15_digit_number(village: Region) -> None:
    legacy = "433124800501011"  # 1980-05-01, sequence 011
    clean = validate_person_input(_input(id_number=legacy), today=TODAY)
    assert clean.id_number == MALE_1980


def test_accepts_matching_sex_and_birth_date_given_by_the_caller(village: Region) -> None:
    clean = validate_person_input(_input(sex="1", birth_date=date(1980, 5, 1)), today=TODAY)
    assert (clean.sex, clean.birth_date) == ("1", date(1980, 5, 1))


def test_refuses_sex_disagreeing_with_the_id_number(village: Region) -> None:
    error = _refused(_input(sex="2"))
    assert (error.code, error.field) == ("sex_mismatch", "sex")
    assert error.message == "性别与证件号码不符：号码为男性"


def test_refuses_birth_date_disagreeing_with_the_id_number(village: Region) -> None:
    error = _refused(_input(birth_date=date(1980, 5, 2)))
    assert (error.code, error.field) == ("birth_date_mismatch", "birth_date")


def test_refuses_a_bad_check_character(village: Region) -> None:
    bad = MALE_1980[:17] + ("0" if MALE_1980[17] != "0" else "1")
    error = _refused(_input(id_number=bad))
    assert error.code == "id_number"
    assert error.message.startswith("证件号码无效：身份证号码校验位错误")


def test_refuses_an_address_code_not_in_the_region_table(village: Region) -> None:
    unknown = idnumber.build("433199", date(1980, 5, 1), 11)  # valid province, no such county
    error = _refused(_input(id_number=unknown))
    assert error.code == "id_number"
    assert "433199" in error.message


def test_accepts_a_disability_certificate_number(village: Region) -> None:
    clean = validate_person_input(
        _input(
            id_type="2",
            id_number=MALE_1980 + "42",
            health="40",
            disability_grade="2",
            disability_category="4",
        ),
        today=TODAY,
    )
    assert clean.id_number == MALE_1980 + "42"
    assert (clean.sex, clean.birth_date) == ("1", date(1980, 5, 1))


def test_refuses_a_disability_certificate_of_the_wrong_length(village: Region) -> None:
    error = _refused(_input(id_type="2", id_number=MALE_1980))
    assert error.code == "id_number"
    assert error.message == "残疾人证号应为20位（18位身份证号码加2位数字），实为18位"


def test_other_document_needs_sex_and_birth_date(village: Region) -> None:
    assert _refused(_input(id_type="9", id_number="G12345678")).code == "sex"
    error = _refused(_input(id_type="9", id_number="G12345678", sex="2"))
    assert error.code == "birth_date"
    clean = validate_person_input(
        _input(id_type="9", id_number="g12345678", sex="2", birth_date=date(1990, 1, 2)),
        today=TODAY,
    )
    assert (clean.id_number, clean.sex, clean.birth_date) == ("G12345678", "2", date(1990, 1, 2))


def test_other_document_birth_date_cannot_be_in_the_future(village: Region) -> None:
    error = _refused(_input(id_type="9", id_number="G1", sex="1", birth_date=date(2025, 6, 2)))
    assert error.code == "birth_date"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "姓名不能为空"),
        ("Zhang San", "姓名“ZhangSan”只能由汉字组成，少数民族姓名各部分之间用间隔号“·”分隔"),
        ("张三2", "姓名“张三2”只能由汉字组成，少数民族姓名各部分之间用间隔号“·”分隔"),
        ("·阿依古丽", "姓名“·阿依古丽”只能由汉字组成，少数民族姓名各部分之间用间隔号“·”分隔"),
        (
            "阿依古丽··买买提",
            "姓名“阿依古丽··买买提”只能由汉字组成，少数民族姓名各部分之间用间隔号“·”分隔",
        ),
        ("张" * 51, "姓名不能超过50个字，实为51个字"),
    ],
)
def test_refuses_bad_names(name: str, message: str) -> None:
    with pytest.raises(RegistryError) as info:
        validate_name(name)
    assert (info.value.code, info.value.message) == ("name", message)


def test_accepts_rare_characters_and_the_middle_dot() -> None:
    assert validate_name("王𠙶") == "王𠙶"  # CJK Extension B
    assert validate_name("张 三") == "张三"
    assert validate_name("扎西・多吉") == "扎西·多吉"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("relation", "02", "与户主关系代码“02”不在码表中"),
        ("ethnicity", "77", "民族代码“77”不在码表中"),
        ("education", "11", "文化程度代码“11”不在码表中"),
        ("student_status", "99", "在校生状况代码“99”不在码表中"),
        ("health", "50", "健康状况代码“50”不在码表中"),
        ("labour_ability", "60", "劳动技能代码“60”不在码表中"),
        ("id_type", "3", "证件类型代码“3”不在码表中"),
        ("out_of_school_reason", "55", "失辍学原因代码“55”不在码表中"),
    ],
)
def test_refuses_codes_not_in_their_table(
    village: Region, field: str, value: str, message: str
) -> None:
    error = _refused(_input(**{field: value}))
    assert (error.code, error.field, error.message) == ("code_value", field, message)


def test_disabled_needs_a_grade(village: Region) -> None:
    error = _refused(_input(health="40"))
    assert (error.code, error.message) == ("disability_grade", "健康状况为残疾时必须填写残疾等级")


def test_grade_only_when_disabled(village: Region) -> None:
    error = _refused(_input(health="20", disability_grade="3", disability_category="4"))
    assert (error.code, error.message) == ("disability_grade", "健康状况不是残疾时不能填写残疾等级")


def test_grade_needs_a_category(village: Region) -> None:
    error = _refused(_input(health="40", disability_grade="3"))
    assert (error.code, error.message) == (
        "disability_category",
        "填写残疾等级时必须填写残疾类别",
    )


def test_out_of_school_reason_only_for_non_students(village: Region) -> None:
    error = _refused(_input(student_status="21", out_of_school_reason="11"))
    assert (error.code, error.message) == ("out_of_school_reason", "在校生不能填写失辍学原因")
    clean = validate_person_input(
        _input(student_status="00", out_of_school_reason="11"), today=TODAY
    )
    assert clean.out_of_school_reason == "11"


@pytest.mark.parametrize("months", [-1, 13])
def test_migrant_months_between_0_and_12(village: Region, months: int) -> None:
    error = _refused(_input(migrant_work_months=months, migrant_employer="浙江某厂"))
    assert (error.code, error.message) == (
        "migrant_work_months",
        f"务工时间应为0至12个月，实为{months}",
    )


def test_migrant_months_need_an_employer(village: Region) -> None:
    error = _refused(_input(migrant_work_months=6, migrant_employer="  "))
    assert (error.code, error.message) == ("migrant_employer", "务工时间大于0时必须填写务工单位")


def test_accepts_both_resident_and_employee_medical_insurance(village: Region) -> None:
    clean = validate_person_input(
        _input(has_resident_medical=True, has_employee_medical=True), today=TODAY
    )
    assert (clean.has_resident_medical, clean.has_employee_medical) == (True, True)


def test_refuses_a_flag_that_is_not_a_boolean(village: Region) -> None:
    error = _refused(_input(is_dibao="是"))
    assert (error.code, error.field) == ("boolean", "is_dibao")


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("", ""),
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("0743-8521234", "0743-8521234"),
        ("07438521234", "07438521234"),
        ("010-12345678", "010-12345678"),
    ],
)
def test_accepts_mobile_and_landline_numbers(phone: str, expected: str) -> None:
    assert validate_phone(phone) == expected


@pytest.mark.parametrize(
    "phone", ["12812345678", "1381234567", "743-8521234", "电话", "+8613812345678"]
)
def test_refuses_bad_phone_numbers(phone: str) -> None:
    with pytest.raises(RegistryError) as info:
        validate_phone(phone)
    assert info.value.code == "phone"


def test_phone_error_message_masks_the_number() -> None:
    with pytest.raises(RegistryError) as info:
        validate_phone("1281234567890")
    assert "1281234567890" not in info.value.message
    assert "128****7890" in info.value.message


def test_person_input_repr_masks_id_and_phone(person_input: PersonFactory) -> None:
    p = replace(person_input(), phone="13812345678")
    assert p.id_number not in repr(p)
    assert "13812345678" not in repr(p)
    assert "138****5678" in repr(p)


def test_household_fields_relocation_must_be_consistent() -> None:
    with pytest.raises(RegistryError) as info:
        validate_household_fields(household_type="1", is_relocated=True)
    assert (info.value.code, info.value.message) == ("relocation", "易地扶贫搬迁户必须填写安置方式")
    with pytest.raises(RegistryError) as info:
        validate_household_fields(household_type="1", relocation_site="幸福小区")
    assert info.value.code == "relocation"
    fields = validate_household_fields(
        household_type="1", is_relocated=True, relocation_mode="1", relocation_site=" 幸福小区 "
    )
    assert fields.relocation_site == "幸福小区"


def test_household_fields_refuse_overlong_text() -> None:
    with pytest.raises(RegistryError) as info:
        validate_household_fields(household_type="2", address="路" * 201)
    assert (info.value.code, info.value.field) == ("too_long", "address")
