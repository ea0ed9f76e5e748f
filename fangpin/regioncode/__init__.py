"""Statistical division codes (统计用区划代码): normalise, parse and validate 12-digit codes.

Pure standard library; never imports Django. The database table of regions lives in
``fangpin.core``; this module only knows the *shape* of a code:

    digits 1–2 province · 3–4 prefecture · 5–6 county · 7–9 township · 10–12 village

A code's level is given by its last non-zero segment. Two shapes need care:

- Prefecture-level cities not divided into districts (不设区的地级市: 东莞 4419, 中山 4420,
  儋州 4604) have townships directly under the prefecture, so ``441900003000`` (county segment
  ``00``) is a valid township whose parent is the prefecture ``441900000000``.
- Any other zero segment above a non-zero one (``430000102000``) is a structure error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

__all__ = [
    "CODE_LENGTHS",
    "LEVEL_NAMES",
    "PROVINCE_CODES",
    "CodeInfo",
    "RegionCodeError",
    "normalise_code",
    "parse_code",
    "subtree_prefix",
    "validate_code",
]

PROVINCE_CODES: Final = frozenset(
    [f"{n}" for n in range(11, 16)]
    + [f"{n}" for n in range(21, 24)]
    + [f"{n}" for n in range(31, 38)]
    + [f"{n}" for n in range(41, 47)]
    + [f"{n}" for n in range(50, 55)]
    + [f"{n}" for n in range(61, 66)]
    + ["71", "81", "82"]
)
"""Two-digit province prefixes: the 31 mainland provinces, Taiwan (71), Hong Kong and Macao."""

LEVEL_NAMES: Final[dict[int, str]] = {1: "省级", 2: "地级", 3: "县级", 4: "乡级", 5: "村级"}

CODE_LENGTHS: Final[dict[int, int]] = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}
"""Significant digits of a code at each level (the short forms accepted by normalise_code)."""

_DIGITS: Final = re.compile(r"[0-9]+")
_LENGTHS: Final = frozenset(CODE_LENGTHS.values())


class RegionCodeError(ValueError):
    """A region code that is malformed or does not fit; ``code`` is stable, ``message`` Chinese.

    Codes: ``format``, ``province``, ``structure``, ``level``, ``parent``.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """A parsed 12-digit code. Ancestor codes are 12 digits, or "" below the code's level."""

    code: str
    level: int
    province_code: str
    prefecture_code: str
    county_code: str
    township_code: str
    village_code: str
    parent_code: str
    township_kind: str
    village_kind: str


def normalise_code(code: str) -> str:
    """Return ``code`` as 12 digits: strip whitespace, pad a 2/4/6/9-digit short form with zeros.

    Only ASCII digits count (a full-width ``４`` is a format error, not a silent conversion),
    and only the level lengths 2, 4, 6, 9 and 12 are accepted, so a 5-digit typo never pads
    into some other region's code.
    """
    if len(code) == 12 and code.isascii() and code.isdigit():
        return code  # the common case when loading 600k official rows
    text = "".join(code.split())
    if _DIGITS.fullmatch(text) is None or len(text) not in _LENGTHS:
        raise RegionCodeError(
            "format", f"区划代码“{code.strip()}”格式不对：应为 2、4、6、9 或 12 位数字"
        )
    return text.ljust(12, "0")


def _township_kind(digits: str) -> str:
    number = int(digits)
    if number < 100:
        return "街道"
    if number < 200:
        return "镇"
    if number < 400:
        return "乡"
    return "乡级单位"


def _village_kind(digits: str) -> str:
    number = int(digits)
    if number < 200:
        return "居委会"
    if number < 400:
        return "村委会"
    return "村级单位"


def parse_code(code: str) -> CodeInfo:
    """Parse a 2/4/6/9/12-digit code into its level, ancestors and kinds.

    Raises :class:`RegionCodeError` (``format``, ``province`` or ``structure``).
    """
    full = normalise_code(code)
    province, prefecture, county = full[:2], full[2:4], full[4:6]
    township, village = full[6:9], full[9:]
    if province not in PROVINCE_CODES:
        raise RegionCodeError("province", f"区划代码“{full}”的省级代码“{province}”不存在")
    if township >= "600":
        raise RegionCodeError(
            "structure", f"区划代码“{full}”的乡级代码“{township}”超出范围（应为 001–599）"
        )
    if prefecture == "00" and full[4:] != "00000000":
        raise RegionCodeError("structure", f"区划代码“{full}”的地级代码为 00，下级代码却不为零")
    if township == "000" and village != "000":
        raise RegionCodeError("structure", f"区划代码“{full}”的乡级代码为 000，村级代码却不为零")

    if village != "000":
        level = 5
    elif township != "000":
        level = 4
    elif county != "00":
        level = 3
    elif prefecture != "00":
        level = 2
    else:
        level = 1

    province_code = province + "0000000000"
    prefecture_code = county_code = township_code = village_code = parent_code = ""
    township_kind = village_kind = ""
    if level >= 2:
        prefecture_code = full[:4] + "00000000"
        parent_code = province_code
    if level >= 3:
        if county != "00":
            county_code = full[:6] + "000000"
        parent_code = prefecture_code
    if level >= 4:
        township_code = full[:9] + "000"
        township_kind = _township_kind(township)
        parent_code = county_code or prefecture_code
    if level == 5:
        village_code = full
        village_kind = _village_kind(village)
        parent_code = township_code
    return CodeInfo(
        full,
        level,
        province_code,
        prefecture_code,
        county_code,
        township_code,
        village_code,
        parent_code,
        township_kind,
        village_kind,
    )


def validate_code(code: str, *, level: int | None = None, parent: str | None = None) -> CodeInfo:
    """Parse ``code`` and check that it sits at ``level`` and directly under ``parent``.

    ``parent`` may be given in any accepted short form. Raises :class:`RegionCodeError`
    (``format``, ``province``, ``structure``, then ``level``, then ``parent``).
    """
    if level is not None and level not in LEVEL_NAMES:
        raise ValueError(f"level must be 1–5, got {level!r}")
    info = parse_code(code)
    if level is not None and info.level != level:
        raise RegionCodeError(
            "level",
            f"区划代码“{info.code}”是{LEVEL_NAMES[info.level]}代码，应为{LEVEL_NAMES[level]}代码",
        )
    if parent is not None:
        expected = normalise_code(parent)
        if info.parent_code != expected:
            shown = info.parent_code or "（无，省级没有上级）"
            raise RegionCodeError(
                "parent", f"区划代码“{info.code}”的上级是“{shown}”，不是“{expected}”"
            )
    return info


def subtree_prefix(code: str) -> str:
    """Return the prefix every code in ``code``'s subtree shares (433124000000 → "433124").

    A prefecture-level city without counties (441900000000) gives "4419", a village its own
    12 digits. Meant for ``code__startswith`` filters.
    """
    info = parse_code(code)
    return info.code[: CODE_LENGTHS[info.level]]
