"""Turn one spreadsheet cell into a typed value, or say in Chinese why it cannot be.

A cell arrives as python-calamine or the CSV reader gives it: ``str``, ``float`` (every Excel
number, integral or not), ``bool``, ``date``/``datetime``, or ``None``. Each function here
takes such a value and returns the typed one, or raises :class:`CellError` with a Chinese
``reason`` for the error report. Emptiness is the caller's question (:func:`is_blank`): a
required-field check comes first, then the typing. The typed functions refuse ``None`` with
「必填项为空」; blank text gets the message for a value of the wrong form.

An ID number that Excel stored as a number has already lost its last digits; that is
:class:`IdAsNumberError`, which is both a :class:`~fangpin.sheets.reading.SheetError`
(code ``id_as_number``) and a :class:`CellError`, so a row-by-row importer may report it as a
cell problem and a file-level check may refuse the file.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Final

from fangpin import idnumber
from fangpin.sheets.reading import SheetError

__all__ = [
    "ID_AS_NUMBER_MESSAGE",
    "CellError",
    "IdAsNumberError",
    "boolean",
    "date_value",
    "id_text",
    "integer",
    "is_blank",
    "is_number_id",
    "money",
    "text",
]

ID_AS_NUMBER_MESSAGE: Final = (
    "身份证号码被存成了数字（科学计数法），后几位已丢失：请把该列设为文本格式后重新导出"
)
MONEY_LIMIT: Final = Decimal("10000000000")  # decimal128(12, 2): ten integer digits
_CENT: Final = Decimal("0.01")
_SCIENTIFIC: Final = re.compile(r"^[+-]?[0-9](\.[0-9]+)?[eE][+-]?[0-9]+$")
_DATE_FORMATS: Final = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")
#: Full-width digits and Latin letters → ASCII (NFKC of U+FF10–FF19, FF21–FF3A, FF41–FF5A).
_FULL_WIDTH: Final = {
    code: code - 0xFEE0
    for first, last in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
    for code in range(first, last + 1)
}
#: Stripped at both ends of text: whitespace (``str.strip`` covers U+3000 and NBSP) and
#: the zero-width characters that pasting from web pages and WeChat leaves behind.
_ZERO_WIDTH: Final = "\u200b\u200c\u200d\u2060\ufeff"
_ENDS: Final = re.compile(f"^[\\s{_ZERO_WIDTH}]+|[\\s{_ZERO_WIDTH}]+$")
_TRUE: Final = frozenset({"是", "Y", "YES", "1", "TRUE", "√", "✓", "✔"})
_FALSE: Final = frozenset({"否", "N", "NO", "0", "FALSE", "×", "✗", "✘"})


class CellError(ValueError):
    """One cell that cannot be typed; ``reason`` is the Chinese text for the error report."""

    reason: str

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.reason,))


class IdAsNumberError(SheetError, CellError):
    """An ID number stored as a number (scientific notation): its last digits are gone."""

    def __init__(self) -> None:
        Exception.__init__(self, ID_AS_NUMBER_MESSAGE)
        self.code = "id_as_number"
        self.message = ID_AS_NUMBER_MESSAGE
        self.reason = ID_AS_NUMBER_MESSAGE

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), ())


def is_blank(value: object) -> bool:
    """``None``, or text of nothing but whitespace and zero-width characters."""
    return value is None or (isinstance(value, str) and not _strip(value))


def text(value: object) -> str:
    """The cell as text: full-width digits and letters made ASCII, both ends stripped.

    ``None`` is ``""``; an integral number is written without ``.0`` (``12.0`` → ``"12"``).
    Other full-width characters (Chinese punctuation such as ``（``) are kept as typed.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        raise CellError("应为文本")
    if isinstance(value, datetime | date):
        raise CellError("应为文本，不是日期")
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return _strip(str(value).translate(_FULL_WIDTH))


def is_number_id(value: object) -> bool:
    """Whether an ID-number cell holds a float or text in scientific notation."""
    if isinstance(value, float):
        return True
    return isinstance(value, str) and _SCIENTIFIC.match(value.strip()) is not None


def id_text(value: object) -> str:
    """The ID number as typed, normalised: NFKC, every space removed, ``x`` upper-cased.

    Not validated here (:func:`fangpin.idnumber.parse` does that). ``None`` or blank is
    ``""``. A number cell (``float``/``int``) or scientific-notation text such as
    ``4.3312419800501e17`` raises :class:`IdAsNumberError`.
    """
    if is_blank(value):
        return ""
    if isinstance(value, bool | datetime | date):
        raise CellError("身份证号码应为文本")
    if is_number_id(value) or isinstance(value, int):
        raise IdAsNumberError
    normal = idnumber.normalise(str(value))
    if _SCIENTIFIC.match(normal):
        raise IdAsNumberError
    return normal


def date_value(value: object, *, today: date | None = None) -> date:
    """A date cell, or text ``YYYY-MM-DD``, ``YYYY/MM/DD``, ``YYYYMMDD``, ``YYYY.MM.DD`` or
    ``YYYY年MM月DD日`` (an integer ``20240501`` too). Refuse dates before 1900 and, when
    ``today`` is given, dates after it."""
    if value is None:
        raise CellError("必填项为空")
    day: date | None = None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, int | str) and not isinstance(value, bool):
        candidate = str(value).strip()
        for pattern in _DATE_FORMATS:
            try:
                day = datetime.strptime(candidate, pattern).date()
                break
            except ValueError:
                continue
    if day is None:
        raise CellError(f"日期“{str(value)[:20]}”无效（应为YYYY-MM-DD）")
    if today is not None and day > today:
        raise CellError(f"日期{day.isoformat()}晚于今天")
    if day.year < 1900:
        raise CellError(f"日期{day.isoformat()}早于1900年")
    return day


def money(value: object) -> Decimal:
    """An amount in yuan, to the cent: ``1,234.5``, ``1，234.50元``, ``1234`` or a number cell.

    Text may have at most two decimals; a number cell (Excel keeps binary floats) is rounded
    to the cent. Negative amounts and amounts of 10 billion yuan or more are refused.
    """
    if value is None:
        raise CellError("必填项为空")
    if isinstance(value, bool):
        raise CellError("金额应为数字")
    written = str(value).strip().replace(",", "").replace("，", "").removesuffix("元")
    try:
        amount = Decimal(written)
    except InvalidOperation:
        raise CellError(f"金额“{str(value)[:20]}”不是数字") from None
    if not amount.is_finite():
        raise CellError(f"金额“{str(value)[:20]}”不是数字")
    if amount < 0:
        raise CellError("金额不能为负数")
    if amount >= MONEY_LIMIT:
        raise CellError("金额超出范围（应小于100亿元）")
    rounded = amount.quantize(_CENT)
    if isinstance(value, float):
        return rounded  # Excel stores money as binary floats: round to the cent
    if rounded != amount:
        raise CellError("金额最多保留两位小数")
    return rounded


def integer(value: object, *, minimum: int | None = 0) -> int:
    """A whole number: ``3``, ``3.0`` (a number cell), ``"３"``, ``"1,200"``.

    Numbers below ``minimum`` (0 by default; ``None`` for no bound) are refused.
    """
    if value is None:
        raise CellError("必填项为空")
    if isinstance(value, bool | datetime | date):
        raise CellError("应为整数")
    number: int
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():  # also NaN and infinity
            raise CellError(f"“{value}”不是整数")
        number = int(value)
    else:
        written = text(value).replace(",", "").replace("，", "")
        if not re.fullmatch(r"[+-]?[0-9]+", written):
            raise CellError(f"“{str(value)[:20]}”不是整数")
        number = int(written)
    if minimum is not None and number < minimum:
        raise CellError("不能为负数" if minimum == 0 else f"不能小于{minimum}")
    return number


def boolean(value: object) -> bool:
    """是/否, Y/N, YES/NO, 1/0, TRUE/FALSE (any case), √/×, or a boolean or 1/0 number cell."""
    if value is None:
        raise CellError("必填项为空")
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    written = text(value).upper() if isinstance(value, str) else ""
    if written in _TRUE:
        return True
    if written in _FALSE:
        return False
    raise CellError(f"“{str(value)[:20]}”应填“是”或“否”")


def _strip(value: str) -> str:
    return _ENDS.sub("", value)
