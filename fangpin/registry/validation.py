"""Validation of what a caller supplies for a person or a household, shared by every writer.

The services, the Excel importer and the API all validate through these functions, so a value
the web form refuses is refused by the importer too. Each check raises
:class:`~fangpin.registry.errors.RegistryError` with a stable code (listed in
docs/registry.md) and a Chinese message naming the field.

Decisions worth knowing:

* **Names** are Chinese characters (including the rare-character extensions B–H, so a
  生僻字 can be typed rather than replaced by pinyin) and the middle dot ``·`` between parts of
  a transliterated minority name (阿依古丽·买买提). Latin letters are refused: ID cards, the
  national system and the department data we compare against all carry the Chinese form, and a
  pinyin name is nearly always a placeholder for a character someone could not type. Look-alike
  dots (``•``, ``・``, ``.`` …) and stray spaces are normalised rather than refused.
* **Sex and birth date** come from the ID number for ID type 1 (居民身份证) and 2 (残疾人证,
  18-character ID + 2 digits). A caller may also give them (the Excel sheets have columns for
  both); if they disagree with the number the input is refused, never silently overridden.
  For type 9 (other document) the caller must give both.
* **Both resident and employee medical insurance** is accepted: real data has it, and it is a
  screening finding (rule 2_12_015), not an input error.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Final

from fangpin import codes, idnumber
from fangpin.core.selectors import region_code_known_on
from fangpin.registry.errors import RegistryError
from fangpin.registry.masking import mask_id, mask_phone
from fangpin.registry.models import (
    HOUSEHOLD_PHONE_CONTEXT,
    PERSON_PHONE_CONTEXT,
    HealthCodes,
    Household,
    Person,
    health_columns,
    id_number_columns,
    phone_columns,
)

__all__ = [
    "EARLIEST_BIRTH_DATE",
    "CleanPerson",
    "HouseholdFields",
    "PersonInput",
    "validate_code",
    "validate_household_fields",
    "validate_identity",
    "validate_name",
    "validate_person_input",
    "validate_phone",
]

EARLIEST_BIRTH_DATE: Final[date] = idnumber.EARLIEST_BIRTH_DATE
NAME_MAX_LENGTH: Final[int] = 50
EMPLOYER_MAX_LENGTH: Final[int] = 200

#: Chinese labels of the fields validated here: the models' verbose names.
FIELD_LABELS: Final[dict[str, str]] = {
    f.name: str(f.verbose_name)
    for model in (Household, Person)
    for f in model._meta.concrete_fields
} | {"id_number": "证件号码", "phone": "联系电话"}  # input names of the encrypted columns

# Coded person fields and the code table each one uses.
_PERSON_CODED: Final[tuple[str, ...]] = (
    "relation",
    "ethnicity",
    "education",
    "student_status",
    "health",
    "labour_ability",
)
_PERSON_FLAGS: Final[tuple[str, ...]] = (
    "has_resident_medical",
    "has_employee_medical",
    "has_critical_illness",
    "has_resident_pension",
    "has_employee_pension",
    "is_dibao",
    "is_tekun",
)

_CJK: Final[str] = (
    "\u3007"  # 〇, used in names
    "\u3400-\u4dbf"  # Extension A
    "\u4e00-\u9fff"  # Unified Ideographs
    "\uf900-\ufaff"  # Compatibility Ideographs
    "\U00020000-\U0003134f"  # Extensions B-G (H reaches 0x323AF)
    "\U00031350-\U000323af"
)
_NAME: Final[re.Pattern[str]] = re.compile(rf"[{_CJK}]+(?:·[{_CJK}]+)*")
# Characters typed for the middle dot of a transliterated name.
_DOT_VARIANTS: Final[str] = "\u2022\u30fb\uff65\u2027\u2219\u22c5\uff0e.\u0387"
_DOTS: Final[dict[int, str]] = {ord(ch): "·" for ch in _DOT_VARIANTS}
_MOBILE: Final[re.Pattern[str]] = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE: Final[re.Pattern[str]] = re.compile(r"0[0-9]{2,3}-?[0-9]{7,8}")
_OTHER_DOCUMENT: Final[re.Pattern[str]] = re.compile(r"[0-9A-Z]{1,20}")
_DISABILITY_SUFFIX: Final[re.Pattern[str]] = re.compile(r"[0-9]{2}")
_WHITESPACE: Final[re.Pattern[str]] = re.compile(r"\s+")

RegionKnown = Callable[[str, date], bool]


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonInput:
    """Everything a caller supplies for one person; defaults are the model's defaults.

    ``sex`` and ``birth_date`` may be left as ``None`` for ID types 1 and 2 (they are read
    from the number). The repr masks the ID and phone numbers.
    """

    name: str
    id_number: str
    relation: str
    id_type: str = "1"
    sex: str | None = None
    birth_date: date | None = None
    ethnicity: str = "01"
    education: str = "90"
    student_status: str = "00"
    out_of_school_reason: str = ""
    health: str = "10"
    disability_grade: str = ""
    disability_category: str = ""
    labour_ability: str = "10"
    migrant_work_months: int = 0
    migrant_employer: str = ""
    phone: str = ""
    has_resident_medical: bool = False
    has_employee_medical: bool = False
    has_critical_illness: bool = False
    has_resident_pension: bool = False
    has_employee_pension: bool = False
    is_dibao: bool = False
    is_tekun: bool = False

    def __repr__(self) -> str:
        return (
            f"PersonInput(name={self.name!r}, id_type={self.id_type!r}, "
            f"id_number={mask_id(self.id_number)!r}, relation={self.relation!r}, "
            f"phone={mask_phone(self.phone)!r})"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class CleanPerson:
    """A validated, normalised person: the values to store, field for field."""

    name: str
    id_type: str
    id_number: str
    sex: str
    birth_date: date
    relation: str
    ethnicity: str
    education: str
    student_status: str
    out_of_school_reason: str
    health: str
    disability_grade: str
    disability_category: str
    labour_ability: str
    migrant_work_months: int
    migrant_employer: str
    phone: str
    has_resident_medical: bool
    has_employee_medical: bool
    has_critical_illness: bool
    has_resident_pension: bool
    has_employee_pension: bool
    is_dibao: bool
    is_tekun: bool

    def as_model_fields(self) -> dict[str, object]:
        """The values keyed by :class:`~fangpin.registry.models.Person` field name: the ID and
        phone numbers become their encrypted, blind-index and masked columns, the three health
        details one token (``health_encrypted``)."""
        values = asdict(self)
        id_number = values.pop("id_number")
        phone = values.pop("phone")
        health = HealthCodes(
            values.pop("health"), values.pop("disability_grade"), values.pop("disability_category")
        )
        return {
            **values,
            **id_number_columns(self.id_type, id_number),
            **phone_columns(phone, context=PERSON_PHONE_CONTEXT),
            **health_columns(health),
        }

    @property
    def health_codes(self) -> HealthCodes:
        return HealthCodes(self.health, self.disability_grade, self.disability_category)

    def as_audit_fields(self) -> dict[str, object]:
        """The plaintext values, for :func:`fangpin.registry.services._common.created`
        (which masks the ID and phone numbers)."""
        return asdict(self)

    def __repr__(self) -> str:
        return (
            f"CleanPerson(name={self.name!r}, id_type={self.id_type!r}, "
            f"id_number={mask_id(self.id_number)!r}, relation={self.relation!r})"
        )


#: Person attributes a caller supplies, in PersonInput order.
PERSON_INPUT_FIELDS: Final[tuple[str, ...]] = tuple(f.name for f in fields(PersonInput))


def _error(code: str, field: str, message: str) -> RegistryError:
    return RegistryError(code, message, field=field)


def validate_code(table: str, field: str, value: object, *, allow_empty: bool = False) -> str:
    """Return ``value`` (stripped) if it is a code of ``table``; else raise ``code_value``.

    The message names the field in Chinese and quotes the bad value.
    """
    text = value.strip() if isinstance(value, str) else value
    if allow_empty and text == "":
        return ""
    if not isinstance(text, str) or text not in codes.table(table):
        label = FIELD_LABELS.get(field, codes.table(table).title)
        raise _error("code_value", field, f"{label}代码“{text}”不在码表中")
    return text


def validate_name(value: str) -> str:
    """Normalise and check a person's name (see the module docstring for what is allowed)."""
    text = _WHITESPACE.sub("", unicodedata.normalize("NFC", value or "")).translate(_DOTS)
    if not text:
        raise _error("name", "name", "姓名不能为空")
    if len(text) > NAME_MAX_LENGTH:
        raise _error("name", "name", f"姓名不能超过{NAME_MAX_LENGTH}个字，实为{len(text)}个字")
    if not _NAME.fullmatch(text):
        raise _error(
            "name",
            "name",
            f"姓名“{text}”只能由汉字组成，少数民族姓名各部分之间用间隔号“·”分隔",
        )
    return text


def validate_phone(value: str, *, field: str = "phone") -> str:
    """Return an empty string, a mainland mobile number or a landline number (spaces removed)."""
    text = _WHITESPACE.sub("", value or "")
    if text == "" or _MOBILE.fullmatch(text) or _LANDLINE.fullmatch(text):
        return text
    raise _error(
        "phone",
        field,
        f"联系电话“{mask_phone(text)}”格式不正确：应为11位手机号码或区号加电话号码",
    )


def _parse_resident_id(
    text: str, *, today: date, region_known: RegionKnown | None
) -> idnumber.ResidentId:
    try:
        return idnumber.parse(text, today=today, region_known=region_known)
    except idnumber.IdNumberError as exc:
        raise _error("id_number", "id_number", f"证件号码无效：{exc.message}") from exc


def validate_identity(
    *,
    id_type: str,
    id_number: str,
    sex: str | None,
    birth_date: date | None,
    today: date,
    check_region: bool = True,
) -> tuple[str, str, date]:
    """Return the normalised ``(id_number, sex, birth_date)`` for a document.

    Type 1 (居民身份证): a Resident ID number (a legacy 15-digit number is upgraded to 18).
    Type 2 (残疾人证): 20 characters, a Resident ID number plus 2 digits. For both, sex and
    birth date are read from the number; given values must agree. Type 9 (other document):
    1-20 letters or digits, and sex and birth date must be given.
    """
    region_known = region_code_known_on if check_region else None
    if id_type in ("1", "2"):
        number = idnumber.normalise(id_number or "")
        if id_type == "2":
            if len(number) != 20 or not _DISABILITY_SUFFIX.fullmatch(number[18:]):
                raise _error(
                    "id_number",
                    "id_number",
                    f"残疾人证号应为20位（18位身份证号码加2位数字），实为{len(number)}位",
                )
            resident = _parse_resident_id(number[:18], today=today, region_known=region_known)
            number = resident.number + number[18:]
        else:
            resident = _parse_resident_id(number, today=today, region_known=region_known)
            number = resident.number
        derived_sex, derived_birth = resident.sex.value, resident.birth_date
        if sex is not None and sex.strip() != derived_sex:
            raise _error(
                "sex_mismatch",
                "sex",
                f"性别与证件号码不符：号码为{codes.table('sex').label(derived_sex)}性",
            )
        if birth_date is not None and birth_date != derived_birth:
            raise _error(
                "birth_date_mismatch",
                "birth_date",
                f"出生日期{birth_date.isoformat()}与证件号码中的出生日期不符",
            )
        return number, derived_sex, derived_birth

    number = idnumber.normalise(id_number or "").upper()
    if not _OTHER_DOCUMENT.fullmatch(number):
        raise _error("id_number", "id_number", "其他证件号码应为1至20位数字或字母")
    if sex is None or sex.strip() == "":
        raise _error("sex", "sex", "证件类型为其他证件时必须填写性别")
    clean_sex = validate_code("sex", "sex", sex)
    if birth_date is None:
        raise _error("birth_date", "birth_date", "证件类型为其他证件时必须填写出生日期")
    if not EARLIEST_BIRTH_DATE <= birth_date <= today:
        raise _error(
            "birth_date",
            "birth_date",
            f"出生日期{birth_date.isoformat()}不合理：应在"
            f"{EARLIEST_BIRTH_DATE.isoformat()}至{today.isoformat()}之间",
        )
    return number, clean_sex, birth_date


def validate_person_input(p: PersonInput, *, today: date, check_region: bool = True) -> CleanPerson:
    """Validate and normalise one person; raise :class:`RegistryError` on the first problem.

    ``check_region=False`` skips the address-code check against the region table; services
    use it when re-validating a person whose (unchanged) number was checked at registration.
    """
    name = validate_name(p.name)
    id_type = validate_code("id_type", "id_type", p.id_type)
    id_number, sex, birth_date = validate_identity(
        id_type=id_type,
        id_number=p.id_number,
        sex=p.sex,
        birth_date=p.birth_date,
        today=today,
        check_region=check_region,
    )
    coded = {f: validate_code(f, f, getattr(p, f)) for f in _PERSON_CODED}

    health = coded["health"]
    grade = validate_code(
        "disability_grade", "disability_grade", p.disability_grade, allow_empty=True
    )
    category = validate_code(
        "disability_category", "disability_category", p.disability_category, allow_empty=True
    )
    is_disabled = health in codes.table("health").codes_where("needs_disability_grade")
    if is_disabled and not grade:
        raise _error("disability_grade", "disability_grade", "健康状况为残疾时必须填写残疾等级")
    if not is_disabled and grade:
        raise _error("disability_grade", "disability_grade", "健康状况不是残疾时不能填写残疾等级")
    if grade and not category:
        raise _error("disability_category", "disability_category", "填写残疾等级时必须填写残疾类别")
    if category and not grade:
        raise _error(
            "disability_category", "disability_category", "未填写残疾等级时不能填写残疾类别"
        )

    reason = validate_code(
        "out_of_school_reason", "out_of_school_reason", p.out_of_school_reason, allow_empty=True
    )
    in_school = codes.table("student_status").get(coded["student_status"]).attrs.get("in_school")
    if reason and in_school:
        raise _error(
            "out_of_school_reason",
            "out_of_school_reason",
            "在校生不能填写失辍学原因",
        )

    months = p.migrant_work_months
    if isinstance(months, bool) or not isinstance(months, int) or not 0 <= months <= 12:
        raise _error(
            "migrant_work_months", "migrant_work_months", f"务工时间应为0至12个月，实为{months}"
        )
    employer = (p.migrant_employer or "").strip()
    if months > 0 and not employer:
        raise _error("migrant_employer", "migrant_employer", "务工时间大于0时必须填写务工单位")
    if len(employer) > EMPLOYER_MAX_LENGTH:
        raise _error(
            "migrant_employer", "migrant_employer", f"务工单位不能超过{EMPLOYER_MAX_LENGTH}个字"
        )

    phone = validate_phone(p.phone)
    for flag in _PERSON_FLAGS:
        if not isinstance(getattr(p, flag), bool):
            raise _error("boolean", flag, f"{FIELD_LABELS[flag]}应为“是”或“否”")

    return CleanPerson(
        name=name,
        id_type=id_type,
        id_number=id_number,
        sex=sex,
        birth_date=birth_date,
        relation=coded["relation"],
        ethnicity=coded["ethnicity"],
        education=coded["education"],
        student_status=coded["student_status"],
        out_of_school_reason=reason,
        health=health,
        disability_grade=grade,
        disability_category=category,
        labour_ability=coded["labour_ability"],
        migrant_work_months=months,
        migrant_employer=employer,
        phone=phone,
        **{flag: getattr(p, flag) for flag in _PERSON_FLAGS},
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class HouseholdFields:
    """The editable household attributes, validated."""

    household_type: str
    natural_village: str
    address: str
    phone: str
    is_relocated: bool
    relocation_mode: str
    relocation_site: str

    def as_model_fields(self) -> dict[str, object]:
        values = asdict(self)
        phone = values.pop("phone")
        return {**values, **phone_columns(phone, context=HOUSEHOLD_PHONE_CONTEXT)}

    def as_audit_fields(self) -> dict[str, object]:
        return asdict(self)


_TEXT_LIMITS: Final[dict[str, int]] = {
    "natural_village": 100,
    "address": 200,
    "relocation_site": 200,
}


def validate_household_fields(
    *,
    household_type: str,
    natural_village: str = "",
    address: str = "",
    phone: str = "",
    is_relocated: bool = False,
    relocation_mode: str = "",
    relocation_site: str = "",
) -> HouseholdFields:
    """Validate the editable household attributes together (relocation fields depend on each
    other: a relocated household has a resettlement mode; a household that is not relocated
    has neither mode nor site)."""
    kind = validate_code("household_type", "household_type", household_type)
    texts = {
        "natural_village": (natural_village or "").strip(),
        "address": (address or "").strip(),
        "relocation_site": (relocation_site or "").strip(),
    }
    for name, limit in _TEXT_LIMITS.items():
        if len(texts[name]) > limit:
            raise _error("too_long", name, f"{FIELD_LABELS[name]}不能超过{limit}个字")
    if not isinstance(is_relocated, bool):
        raise _error("boolean", "is_relocated", "易地扶贫搬迁户应为“是”或“否”")
    mode = validate_code("relocation_mode", "relocation_mode", relocation_mode, allow_empty=True)
    if is_relocated and not mode:
        raise _error("relocation", "relocation_mode", "易地扶贫搬迁户必须填写安置方式")
    if not is_relocated and (mode or texts["relocation_site"]):
        raise _error(
            "relocation", "relocation_mode", "不是易地扶贫搬迁户时不能填写安置方式或安置点"
        )
    return HouseholdFields(
        household_type=kind,
        natural_village=texts["natural_village"],
        address=texts["address"],
        phone=validate_phone(phone),
        is_relocated=is_relocated,
        relocation_mode=mode,
        relocation_site=texts["relocation_site"],
    )
