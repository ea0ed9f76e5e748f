"""Cell normalisation: exact values for each form a cell arrives in, and the Chinese reasons."""

from __future__ import annotations

import pickle
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangpin.sheets.normalise import (
    ID_AS_NUMBER_MESSAGE,
    CellError,
    IdAsNumberError,
    boolean,
    date_value,
    id_text,
    integer,
    is_blank,
    is_number_id,
    money,
    text,
)
from fangpin.sheets.reading import SheetError

PADDING = st.text(alphabet=" \t\u3000\u00a0\u200b\ufeff", max_size=4)
ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _full_width(value: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) for ch in value)


def _reason(call: object, value: object) -> str:
    with pytest.raises(CellError) as raised:
        call(value)  # type: ignore[operator]  # each normaliser takes one cell
    return raised.value.reason


# --- text -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("  张三\u3000", "张三"),
        ("\u00a0ＡＢＣ１２３\u3000", "ABC123"),
        ("\u200b李四\ufeff", "李四"),
        ("王 五", "王 五"),
        ("（备注）：无", "（备注）：无"),
        (12.0, "12"),
        (3.5, "3.5"),
        (7, "7"),
        (Decimal("1.50"), "1.50"),
    ],
)
def test_text(value: object, expected: str) -> None:
    assert text(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [(True, "应为文本"), (date(2024, 5, 1), "应为文本，不是日期"),
     (datetime(2024, 5, 1, 8), "应为文本，不是日期")],
)  # fmt: skip
def test_text_refuses_booleans_and_dates(value: object, reason: str) -> None:
    assert _reason(text, value) == reason


@given(st.text(alphabet=ALNUM, min_size=1, max_size=20), PADDING, PADDING)
def test_text_makes_full_width_ascii_and_strips_any_spaces(
    word: str, before: str, after: str
) -> None:
    assert text(before + _full_width(word) + after) == word
    assert text(before + word + after) == word


@pytest.mark.parametrize(
    ("value", "blank"),
    [(None, True), ("", True), (" \u3000\u200b", True), ("0", False), (0.0, False),
     (False, False)],
)  # fmt: skip
def test_is_blank(value: object, blank: bool) -> None:
    assert is_blank(value) is blank


# --- ID numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("433124198001010012", "433124198001010012"),
        (" 4331 2419 8001 0100 1x ", "43312419800101001X"),
        ("４３３１２４１９８００１０１００１Ｘ", "43312419800101001X"),
        ("\u3000110105199003077\u00a0", "110105199003077"),
        (None, ""),
        ("  ", ""),
    ],
)
def test_id_text(value: object, expected: str) -> None:
    assert id_text(value) == expected


@pytest.mark.parametrize(
    "value",
    [4.3312419800501e17, 433124198005010012, "4.3312419800501e17", "1.10105199003077E+17",
     " 1.10105199003077E+17 ", "４.３３１２４１９８００５０１e１７"],
)  # fmt: skip
def test_an_id_stored_as_a_number_is_refused(value: object) -> None:
    with pytest.raises(IdAsNumberError) as raised:
        id_text(value)

    error = raised.value
    assert isinstance(error, SheetError)
    assert isinstance(error, CellError)
    assert (error.code, error.message, error.reason, str(error)) == (
        "id_as_number",
        "身份证号码被存成了数字（科学计数法），后几位已丢失：请把该列设为文本格式后重新导出",
        ID_AS_NUMBER_MESSAGE,
        ID_AS_NUMBER_MESSAGE,
    )


def test_id_as_number_error_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(IdAsNumberError()))

    assert (error.code, error.reason) == ("id_as_number", ID_AS_NUMBER_MESSAGE)


@pytest.mark.parametrize(
    ("value", "number"),
    [(4.3e17, True), ("4.3312419800501e17", True), (" 1.1E+17 ", True),
     ("433124198001010012", False), (433124198001010012, False), (None, False), ("e17", False)],
)  # fmt: skip
def test_is_number_id_is_the_feeds_rule(value: object, number: bool) -> None:
    # Feeds accept an int (Parquet int64 holds 18 digits exactly); id_text refuses it too.
    assert is_number_id(value) is number


@pytest.mark.parametrize("value", [True, date(1980, 1, 1)])
def test_id_of_another_type_is_refused(value: object) -> None:
    assert _reason(id_text, value) == "身份证号码应为文本"


@given(
    st.from_regex(r"[0-9]{17}[0-9Xx]", fullmatch=True),
    st.lists(st.integers(min_value=0, max_value=17), max_size=4),
    PADDING,
    PADDING,
    st.booleans(),
)
def test_id_text_removes_any_spaces_and_widths(
    number: str, cuts: list[int], before: str, after: str, wide: bool
) -> None:
    typed = number
    for cut in sorted(cuts, reverse=True):
        typed = typed[:cut] + " " + typed[cut:]
    if wide:
        typed = _full_width(typed.replace(" ", "!")).replace("！", "\u3000")

    assert id_text(before + typed + after) == number.upper()


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["2024-05-01", "2024/05/01", "2024/5/1", "20240501", "2024.05.01", "2024年05月01日",
     "2024年5月1日", " 2024-05-01\u3000", 20240501, date(2024, 5, 1), datetime(2024, 5, 1, 13, 30)],
)  # fmt: skip
def test_date_value_accepts_each_form(value: object) -> None:
    assert date_value(value) == date(2024, 5, 1)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2024-13-01", "日期“2024-13-01”无效（应为YYYY-MM-DD）"),
        ("01/05/2024", "日期“01/05/2024”无效（应为YYYY-MM-DD）"),
        (45413.0, "日期“45413.0”无效（应为YYYY-MM-DD）"),
        (True, "日期“True”无效（应为YYYY-MM-DD）"),
        ("1899-12-31", "日期1899-12-31早于1900年"),
        (None, "必填项为空"),
    ],
)
def test_date_value_refuses(value: object, reason: str) -> None:
    assert _reason(date_value, value) == reason


def test_date_value_refuses_a_date_after_today_only_when_given_today() -> None:
    with pytest.raises(CellError) as raised:
        date_value("2024-05-02", today=date(2024, 5, 1))

    assert raised.value.reason == "日期2024-05-02晚于今天"
    assert date_value("2024-05-01", today=date(2024, 5, 1)) == date(2024, 5, 1)
    assert date_value("2099-01-01") == date(2099, 1, 1)


# --- money ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1,234.5", Decimal("1234.50")),
        ("1，234.50元", Decimal("1234.50")),
        (" 12元 ", Decimal("12.00")),
        ("0", Decimal("0.00")),
        (1234, Decimal("1234.00")),
        (1234.5678, Decimal("1234.57")),
        (0.1 + 0.2, Decimal("0.30")),
        (Decimal("9999999999.99"), Decimal("9999999999.99")),
    ],
)
def test_money(value: object, expected: Decimal) -> None:
    assert money(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("-5", "金额不能为负数"),
        (-0.01, "金额不能为负数"),
        ("12.345", "金额最多保留两位小数"),
        ("abc", "金额“abc”不是数字"),
        ("NaN", "金额“NaN”不是数字"),
        ("Infinity", "金额“Infinity”不是数字"),
        ("10000000000", "金额超出范围（应小于100亿元）"),
        (True, "金额应为数字"),
        (None, "必填项为空"),
    ],
)
def test_money_refuses(value: object, reason: str) -> None:
    assert _reason(money, value) == reason


# --- integers and yes/no ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, 3), (3.0, 3), ("３", 3), ("1,200", 1200), (" 7 ", 7), ("0", 0), ("+2", 2)],
)
def test_integer(value: object, expected: int) -> None:
    assert integer(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [(3.5, "“3.5”不是整数"), ("3.5", "“3.5”不是整数"), ("abc", "“abc”不是整数"),
     ("-1", "不能为负数"), (-1, "不能为负数"), (True, "应为整数"), (None, "必填项为空"),
     (float("nan"), "“nan”不是整数")],
)  # fmt: skip
def test_integer_refuses(value: object, reason: str) -> None:
    assert _reason(integer, value) == reason


def test_integer_minimum() -> None:
    assert integer("-1", minimum=None) == -1
    with pytest.raises(CellError) as raised:
        integer("1", minimum=2)
    assert raised.value.reason == "不能小于2"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("是", True), ("否", False), ("Y", True), ("n", False), ("yes", True), ("NO", False),
     ("1", True), ("0", False), ("true", True), ("FALSE", False), ("√", True), ("×", False),
     ("Ｙ", True), (" 是 ", True), (True, True), (False, False), (1.0, True), (0, False)],
)  # fmt: skip
def test_boolean(value: object, expected: bool) -> None:
    assert boolean(value) is expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [("也许", "“也许”应填“是”或“否”"), (2, "“2”应填“是”或“否”"), (None, "必填项为空")],
)
def test_boolean_refuses(value: object, reason: str) -> None:
    assert _reason(boolean, value) == reason
