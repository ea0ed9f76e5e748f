"""Parsing, validation and construction of Resident ID numbers (公民身份号码, GB 11643-1999).

Layout of an 18-character number::

    RRRRRR YYYYMMDD SSS C
    |      |        |   +-- check character, ISO 7064 MOD 11-2 (校验码), 0-9 or X
    |      |        +------ sequence code (顺序码); its last digit is odd for men, even for women
    |      +--------------- birth date (出生日期码)
    +---------------------- address code (地址码, GB/T 2260 county of registration)

Legacy 15-digit numbers (issued before 1999) are ``RRRRRR YYMMDD SSS`` with a 19xx year and no
check character; :func:`upgrade15` converts them to the 18-character form.

This module uses only the standard library; it must never import Django.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

__all__ = [
    "EARLIEST_BIRTH_DATE",
    "PROVINCE_PREFIXES",
    "IdNumberError",
    "ResidentId",
    "Sex",
    "build",
    "check_character",
    "is_valid",
    "normalise",
    "parse",
    "upgrade15",
]

# First two digits of a GB/T 2260 address code: the province-level division (省级行政区).
#   11-15  华北: 北京 天津 河北 山西 内蒙古
#   21-23  东北: 辽宁 吉林 黑龙江
#   31-37  华东: 上海 江苏 浙江 安徽 福建 江西 山东
#   41-46  中南: 河南 湖北 湖南 广东 广西 海南
#   50-54  西南: 重庆 四川 贵州 云南 西藏
#   61-65  西北: 陕西 甘肃 青海 宁夏 新疆
#   71     台湾; 81 香港; 82 澳门
PROVINCE_PREFIXES: Final[frozenset[str]] = frozenset(
    {
        *(str(n) for n in range(11, 16)),
        *(str(n) for n in range(21, 24)),
        *(str(n) for n in range(31, 38)),
        *(str(n) for n in range(41, 47)),
        *(str(n) for n in range(50, 55)),
        *(str(n) for n in range(61, 66)),
        "71",
        "81",
        "82",
    }
)

# Earliest accepted birth date. 1850 rather than 1900 so that published test vectors such as
# 440524188001010014 (born 1880-01-01) still parse.
EARLIEST_BIRTH_DATE: Final[date] = date(1850, 1, 1)

# ISO 7064 MOD 11-2 weights for positions 1-17 (2**(18-i) mod 11) and the check characters
# indexed by the weighted sum mod 11.
_WEIGHTS: Final[tuple[int, ...]] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS: Final[str] = "10X98765432"

# Invisible characters that str.isspace() does not cover but that turn up in pasted text.
_INVISIBLE: Final[frozenset[str]] = frozenset(
    {
        "\u200b",  # ZERO WIDTH SPACE
        "\u200c",  # ZERO WIDTH NON-JOINER
        "\u200d",  # ZERO WIDTH JOINER
        "\u2060",  # WORD JOINER
        "\ufeff",  # ZERO WIDTH NO-BREAK SPACE / byte-order mark
    }
)

# ASCII classes on purpose: `\d` would also accept other scripts' digits.
_DIGITS17: Final[re.Pattern[str]] = re.compile(r"[0-9]{17}")
_DIGITS15: Final[re.Pattern[str]] = re.compile(r"[0-9]{15}")
_DIGITS6: Final[re.Pattern[str]] = re.compile(r"[0-9]{6}")
_NUMBER18: Final[re.Pattern[str]] = re.compile(r"[0-9]{17}[0-9X]")

# normalise() iterates to a fixed point; real input settles after one or two rounds.
_MAX_NORMALISE_ROUNDS: Final[int] = 16


class Sex(StrEnum):
    """Sex as coded by GB/T 2261.1 (人的性别代码)."""

    MALE = "1"  # 男
    FEMALE = "2"  # 女


class IdNumberError(ValueError):
    """An ID number (or an argument to :func:`build`) is invalid.

    ``code`` is a stable machine-readable code; ``message`` is a Chinese message fit to show to
    users and is also ``str(exc)``.
    """

    code: str
    message: str

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __reduce__(self) -> tuple[type[IdNumberError], tuple[str, str]]:
        # The default reduction would call IdNumberError(message) and fail on unpickling.
        return (type(self), (self.code, self.message))


@dataclass(frozen=True, slots=True, repr=False)
class ResidentId:
    """A validated Resident ID number and the facts encoded in it."""

    number: str
    region_code: str
    birth_date: date
    sex: Sex
    was_upgraded: bool

    def masked(self) -> str:
        """Return the number with the birth date hidden, e.g. ``110105********002X``."""
        return f"{self.number[:6]}{'*' * 8}{self.number[-4:]}"

    def age_on(self, day: date) -> int:
        """Return the age in completed years on ``day``.

        Someone born on 29 February has their birthday on 1 March in non-leap years.
        Raises ``ValueError`` if ``day`` is before the birth date.
        """
        born = self.birth_date
        if day < born:
            raise ValueError(f"day {day.isoformat()} is before the birth date")
        had_birthday = (day.month, day.day) >= (born.month, born.day)
        return day.year - born.year - (0 if had_birthday else 1)

    def __repr__(self) -> str:
        # Never put a full ID number into logs or tracebacks.
        return (
            f"ResidentId(number={self.masked()!r}, region_code={self.region_code!r}, "
            f"sex=Sex.{self.sex.name}, was_upgraded={self.was_upgraded!r})"
        )


def normalise(text: str) -> str:
    """Canonicalise how an ID number was typed or pasted, without validating it.

    Applies NFKC (full-width ``０``-``９`` and ``Ｘ`` become ASCII), removes every whitespace
    character anywhere (including U+3000 and no-break space) as well as zero-width characters,
    and upper-cases ``x``. Everything else, e.g. dashes, is left for validation to reject.
    The result is a fixed point: ``normalise(normalise(s)) == normalise(s)``.
    """
    current = text
    for _ in range(_MAX_NORMALISE_ROUNDS):
        stripped = _strip_invisible(unicodedata.normalize("NFKC", _strip_invisible(current)))
        following = stripped.replace("x", "X")
        if following == current:
            break
        current = following
    return current


def check_character(first17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character (``0``-``9`` or ``X``) for 17 digits."""
    if not _DIGITS17.fullmatch(first17):
        raise IdNumberError("format", "计算校验位需要17位数字（本体码）")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def upgrade15(text: str) -> str:
    """Convert a legacy 15-digit number to 18 characters.

    Inserts ``19`` before the two-digit year and appends the check character. Only the format
    is checked here; use :func:`parse` to validate the region and birth date as well.
    """
    number = normalise(text)
    if not number:
        raise IdNumberError("empty", "身份证号码为空")
    if not _DIGITS15.fullmatch(number):
        raise _format_error(number, legacy_only=True)
    return _upgrade(number)


def parse(
    text: str,
    *,
    today: date | None = None,
    region_known: Callable[[str, date], bool] | None = None,
) -> ResidentId:
    """Validate ``text`` as an 18-character or legacy 15-digit ID number.

    Checks, in order: empty, format, (15 digits: upgrade to 18), province prefix of the region
    code, birth date (a real date, not before :data:`EARLIEST_BIRTH_DATE`, not after ``today``,
    default ``date.today()``), check character (18-character input only), and finally
    ``region_known(region_code, birth_date)`` when given. Raises :class:`IdNumberError`.
    """
    number = normalise(text)
    if not number:
        raise IdNumberError("empty", "身份证号码为空")

    was_upgraded = len(number) == 15 and _DIGITS15.fullmatch(number) is not None
    if was_upgraded:
        number = _upgrade(number)
    elif not _NUMBER18.fullmatch(number):
        raise _format_error(number, legacy_only=False)

    region_code = number[:6]
    _check_province(region_code)
    birth_date = _birth_date(number[6:14], today=today if today is not None else date.today())

    if not was_upgraded:
        expected = check_character(number[:17])
        if number[17] != expected:
            raise IdNumberError(
                "checksum", f"身份证号码校验位错误：应为{expected}，实为{number[17]}"
            )

    if region_known is not None and not region_known(region_code, birth_date):
        raise IdNumberError(
            "region",
            f"行政区划代码“{region_code}”在出生日期{birth_date.isoformat()}时不存在",
        )

    odd = int(number[16]) % 2 == 1
    return ResidentId(
        number=number,
        region_code=region_code,
        birth_date=birth_date,
        sex=Sex.MALE if odd else Sex.FEMALE,
        was_upgraded=was_upgraded,
    )


def is_valid(
    text: str,
    *,
    today: date | None = None,
    region_known: Callable[[str, date], bool] | None = None,
) -> bool:
    """Return whether :func:`parse` accepts ``text`` with the same arguments."""
    try:
        parse(text, today=today, region_known=region_known)
    except IdNumberError:
        return False
    return True


def build(region_code: str, birth_date: date, sequence: int) -> str:
    """Make a valid 18-character number (for synthetic data).

    ``sequence`` (0-999) becomes the 3-digit sequence code; odd means male, even female.
    The birth date is not compared with today; :func:`parse` rejects future dates.
    """
    if not _DIGITS6.fullmatch(region_code):
        raise IdNumberError("region", f"行政区划代码应为6位数字，实为“{region_code}”")
    _check_province(region_code)
    if birth_date < EARLIEST_BIRTH_DATE:
        raise IdNumberError(
            "birth_date",
            f"出生日期{birth_date.isoformat()}早于{EARLIEST_BIRTH_DATE.isoformat()}",
        )
    if isinstance(sequence, bool) or not 0 <= sequence <= 999:
        raise IdNumberError("sequence", f"顺序码应为0至999之间的整数，实为{sequence!r}")
    first17 = f"{region_code}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


def _strip_invisible(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace() and ch not in _INVISIBLE)


def _upgrade(number15: str) -> str:
    first17 = f"{number15[:6]}19{number15[6:]}"
    return first17 + check_character(first17)


def _format_error(number: str, *, legacy_only: bool) -> IdNumberError:
    """Explain why ``number`` (normalised, non-empty) is neither 18 nor 15 valid characters."""
    length = len(number)
    if legacy_only:
        if length != 15:
            return IdNumberError("format", f"15位旧身份证号码应为15位，实为{length}位")
        bad = _quote_characters(ch for ch in number if not "0" <= ch <= "9")
        return IdNumberError("format", f"15位旧身份证号码只能由数字组成，不能含有{bad}")
    bad = _quote_characters(ch for ch in number if not ("0" <= ch <= "9" or ch == "X"))
    if bad:
        return IdNumberError("format", f"身份证号码含有非法字符{bad}")
    if length == 15:
        return IdNumberError("format", "15位旧身份证号码只能由数字组成，不能含有“X”")
    if length != 18:
        return IdNumberError("format", f"身份证号码应为18位（或15位旧号码），实为{length}位")
    positions = "、".join(str(i) for i, ch in enumerate(number[:17], start=1) if ch == "X")
    return IdNumberError(
        "format", f"字母X只能作为身份证号码第18位（校验位），不能出现在第{positions}位"
    )


def _quote_characters(chars: Iterable[str]) -> str:
    """Quote each distinct character once, in order of first appearance."""
    return "、".join(
        f"“{ch}”" if ch.isprintable() else f"U+{ord(ch):04X}" for ch in dict.fromkeys(chars)
    )


def _check_province(region_code: str) -> None:
    prefix = region_code[:2]
    if prefix not in PROVINCE_PREFIXES:
        raise IdNumberError(
            "region",
            f"行政区划代码“{region_code}”无效：前两位“{prefix}”不是省级行政区代码",
        )


def _birth_date(digits: str, *, today: date) -> date:
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise IdNumberError("birth_date", f"出生日期“{digits}”不是有效日期") from None
    if born < EARLIEST_BIRTH_DATE:
        raise IdNumberError(
            "birth_date", f"出生日期“{digits}”早于{EARLIEST_BIRTH_DATE.isoformat()}"
        )
    if born > today:
        raise IdNumberError("birth_date", f"出生日期“{digits}”晚于当前日期{today.isoformat()}")
    return born
