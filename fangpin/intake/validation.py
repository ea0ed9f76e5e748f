"""Validation of a declaration as typed on the public form: one Chinese message per field.

The rules are the registry's where they overlap (name: :func:`validate_name`; ID number:
GB 11643 through :mod:`fangpin.idnumber`, with the address code checked against the regions
table), so a declaration that passes here can be matched against the register. The phone is
required here (the village must be able to call back): an 11-digit mainland mobile number or
a landline with its area code. The village must be a current village-level region (level 5).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Final

from fangpin import codes, idnumber
from fangpin.core.models import Region, RegionLevel
from fangpin.core.selectors import region_code_known_on
from fangpin.intake.errors import IntakeError
from fangpin.intake.models import DIFFICULTY_MAX
from fangpin.registry.errors import RegistryError
from fangpin.registry.masking import mask_id, mask_phone
from fangpin.registry.validation import validate_name, validate_phone

__all__ = [
    "CleanDeclaration",
    "clean_difficulty",
    "clean_id_number",
    "clean_name",
    "clean_phone",
    "clean_risk_type",
    "mask_name",
    "validate_declaration",
    "validate_village",
]

_VILLAGE_CODE: Final = re.compile(r"[0-9]{12}")
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class CleanDeclaration:
    """A validated declaration: normalised values, ready to encrypt. The repr masks PI."""

    village: Region
    name: str
    phone: str
    id_number: str
    risk_type: str
    difficulty: str

    def __repr__(self) -> str:
        return (
            f"CleanDeclaration(village={self.village.code!r}, name={mask_name(self.name)!r}, "
            f"phone={mask_phone(self.phone)!r}, id_number={mask_id(self.id_number)!r}, "
            f"risk_type={self.risk_type!r})"
        )


def mask_name(name: str) -> str:
    """A name as its first character and one star per other character (张三 → 张*)."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1)


def validate_village(code: str) -> Region:
    """The current village-level region with ``code``; else ``village`` with a Chinese message."""
    text = (code or "").strip()
    if not text:
        raise IntakeError("village", "请选择所在村", field="village")
    if not _VILLAGE_CODE.fullmatch(text):
        raise IntakeError("village", "所在村的区划代码应为12位数字", field="village")
    region = Region.objects.filter(code=text).first()
    if region is None:
        raise IntakeError("village", f"区划代码“{text}”不存在", field="village")
    if region.level != RegionLevel.VILLAGE:
        raise IntakeError("village", f"“{region.name}”不是村级区划，请选择所在村", field="village")
    if region.valid_to is not None:
        raise IntakeError("village", f"“{region.name}”已撤销，请选择现在所在的村", field="village")
    return region


def clean_name(value: str) -> str:
    try:
        return validate_name(value)
    except RegistryError as exc:
        raise IntakeError("name", exc.message, field="name") from None


def clean_phone(value: str) -> str:
    text = (value or "").strip()
    if not text:
        raise IntakeError("phone", "请填写联系电话", field="phone")
    try:
        return validate_phone(text)
    except RegistryError:
        raise IntakeError(
            "phone",
            "联系电话格式不正确：应为11位手机号码，或区号加电话号码（如0743-8521234）",
            field="phone",
        ) from None


def clean_id_number(value: str, *, today: date) -> str:
    if not idnumber.normalise(value or ""):
        raise IntakeError("id_number", "请填写身份证号码", field="id_number")
    try:
        resident = idnumber.parse(value, today=today, region_known=region_code_known_on)
    except idnumber.IdNumberError as exc:
        # On a public form, never say what the check character should be: that would help
        # anyone make up a valid number.
        message = "校验位不正确，请核对后重新填写" if exc.code == "checksum" else exc.message
        raise IntakeError("id_number", f"身份证号码无效：{message}", field="id_number") from None
    return resident.number


def clean_risk_type(value: str) -> str:
    text = (value or "").strip()
    if not text:
        raise IntakeError("risk_type", "请选择风险类型", field="risk_type")
    if text not in codes.table("risk_type"):
        raise IntakeError("risk_type", "请从列表中选择风险类型", field="risk_type")
    return text


def clean_difficulty(value: str) -> str:
    text = _CONTROL.sub("", unicodedata.normalize("NFC", value or "")).strip()
    if not text:
        raise IntakeError("difficulty", "请简要说明遇到的困难", field="difficulty")
    if len(text) > DIFFICULTY_MAX:
        raise IntakeError(
            "difficulty",
            f"困难情况说明不能超过{DIFFICULTY_MAX}个字，实为{len(text)}个字",
            field="difficulty",
        )
    return text


def validate_declaration(
    *,
    village_code: str,
    name: str,
    phone: str,
    id_number: str,
    risk_type: str,
    difficulty: str,
    today: date,
) -> CleanDeclaration:
    """Check every field, in form order; raise the first :class:`IntakeError` found."""
    return CleanDeclaration(
        name=clean_name(name),
        phone=clean_phone(phone),
        id_number=clean_id_number(id_number, today=today),
        village=validate_village(village_code),
        risk_type=clean_risk_type(risk_type),
        difficulty=clean_difficulty(difficulty),
    )
