"""Example-based tests for fangpin.idnumber."""

from __future__ import annotations

import pickle
import re
from collections.abc import Callable
from datetime import date

import pytest

from fangpin.idnumber import (
    EARLIEST_BIRTH_DATE,
    PROVINCE_PREFIXES,
    IdNumberError,
    ResidentId,
    Sex,
    build,
    check_character,
    is_valid,
    normalise,
    parse,
    upgrade15,
)

TODAY = date(2024, 6, 1)
CJK = re.compile(r"[\u4e00-\u9fff]")

FEMALE_1949 = "11010519491231002X"  # published vector: female, born 1949-12-31, region 110105
MALE_1880 = "440524188001010014"  # published vector: male, born 1880-01-01, region 440524


def _fullwidth(text: str) -> str:
    """Map ASCII 0-9, x and X to their full-width forms (U+FF10.., U+FF58, U+FF38)."""
    return "".join(chr(ord(ch) + 0xFEE0) for ch in text)


def _error(text: str, **kwargs: object) -> IdNumberError:
    with pytest.raises(IdNumberError) as info:
        parse(text, **kwargs)  # type: ignore[arg-type]
    return info.value


# --- published test vectors -----------------------------------------------------------------


def test_published_female_vector() -> None:
    rid = parse(FEMALE_1949, today=TODAY)
    assert rid == ResidentId(
        number="11010519491231002X",
        region_code="110105",
        birth_date=date(1949, 12, 31),
        sex=Sex.FEMALE,
        was_upgraded=False,
    )


def test_published_male_vector_born_1880() -> None:
    rid = parse(MALE_1880, today=TODAY)
    assert rid.number == "440524188001010014"
    assert rid.region_code == "440524"
    assert rid.birth_date == date(1880, 1, 1)
    assert rid.sex is Sex.MALE
    assert rid.was_upgraded is False


def test_published_invalid_vector_is_a_checksum_error() -> None:
    err = _error("110105194912310020", today=TODAY)
    assert err.code == "checksum"
    assert err.message == "身份证号码校验位错误：应为X，实为0"
    assert str(err) == err.message


def test_check_character_of_published_vectors() -> None:
    assert check_character("11010519491231002") == "X"
    assert check_character("44052418800101001") == "4"


def test_check_character_rejects_wrong_input() -> None:
    for bad in ("1101051949123100", "110105194912310020", "1101051949123100X", ""):
        with pytest.raises(IdNumberError) as info:
            check_character(bad)
        assert info.value.code == "format"


# --- normalisation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "１１０１０５１９４９１２３１００２ｘ",
        _fullwidth("11010519491231002X"),
        _fullwidth("11010519491231002x"),
        "11010519491231002x",
        "  11010519491231002X  ",
        "110105 19491231 002X",
        "110 105\t1949\n1231 002 x",
        "\u3000110105\u300019491231\u3000002X\u3000",
        "\u00a011010519491231002X\u00a0",
        "\u200b110105\u200b19491231002X\ufeff",
        "\ufeff１１０１０５ 1949 1231 ００２ｘ\r\n",
    ],
)
def test_normalised_inputs_parse_to_the_canonical_number(text: str) -> None:
    assert normalise(text) == "11010519491231002X"
    rid = parse(text, today=TODAY)
    assert rid.number == "11010519491231002X"
    assert rid.was_upgraded is False


def test_normalise_leaves_other_characters_alone() -> None:
    assert normalise("110105-19491231-002x") == "110105-19491231-002X"
    assert normalise("abc") == "abc"
    assert normalise("") == ""
    assert normalise(" \t\u3000\u200b ") == ""


def test_dashes_are_a_format_error() -> None:
    err = _error("110105-19491231-002X", today=TODAY)
    assert err.code == "format"
    assert err.message == "身份证号码含有非法字符“-”"


# --- legacy 15-digit numbers ----------------------------------------------------------------


def test_upgrade15() -> None:
    assert upgrade15("110105491231002") == "11010519491231002X"
    assert upgrade15(" １１０１０５４９１２３１００２ ") == "11010519491231002X"


def test_parse_15_digit_number_upgrades() -> None:
    rid = parse("110105491231002", today=TODAY)
    assert rid == ResidentId(
        number="11010519491231002X",
        region_code="110105",
        birth_date=date(1949, 12, 31),
        sex=Sex.FEMALE,
        was_upgraded=True,
    )


def test_parse_15_digit_male() -> None:
    rid = parse("440524800101001", today=TODAY)
    assert rid.number == "440524198001010013"
    assert rid.number == build("440524", date(1980, 1, 1), 1)
    assert rid.birth_date == date(1980, 1, 1)
    assert rid.sex is Sex.MALE
    assert rid.was_upgraded is True


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("11010549123100", "format"),
        ("11010549123100X", "format"),
        ("11010519491231002X", "format"),
    ],
)
def test_upgrade15_rejects_non_legacy_input(text: str, code: str) -> None:
    with pytest.raises(IdNumberError) as info:
        upgrade15(text)
    assert info.value.code == code


def test_upgrade15_messages() -> None:
    with pytest.raises(IdNumberError) as info:
        upgrade15("11010519491231002X")
    assert info.value.message == "15位旧身份证号码应为15位，实为18位"
    with pytest.raises(IdNumberError) as info:
        upgrade15("11010549123100X")
    assert info.value.message == "15位旧身份证号码只能由数字组成，不能含有“X”"


def test_15_digit_invalid_birth_date() -> None:
    err = _error("110105490230002", today=TODAY)
    assert err.code == "birth_date"
    assert err.message == "出生日期“19490230”不是有效日期"


def test_15_digit_bad_province() -> None:
    err = _error("990105491231002", today=TODAY)
    assert err.code == "region"


def test_15_digit_with_x_is_a_format_error() -> None:
    err = _error("11010549123100X", today=TODAY)
    assert err.code == "format"
    assert err.message == "15位旧身份证号码只能由数字组成，不能含有“X”"


def test_15_digit_region_known_gets_the_upgraded_birth_date() -> None:
    calls: list[tuple[str, date]] = []

    def region_known(code: str, born: date) -> bool:
        calls.append((code, born))
        return True

    parse("110105491231002", today=TODAY, region_known=region_known)
    assert calls == [("110105", date(1949, 12, 31))]


# --- error codes ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", " ", "\t\n", "\u3000", "\u200b\ufeff"])
def test_blank_is_empty(text: str) -> None:
    err = _error(text, today=TODAY)
    assert err.code == "empty"
    assert err.message == "身份证号码为空"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("11010519491231002", "身份证号码应为18位（或15位旧号码），实为17位"),
        ("11010519491231002X1", "身份证号码应为18位（或15位旧号码），实为19位"),
        ("1101051949123100201", "身份证号码应为18位（或15位旧号码），实为19位"),
        ("1", "身份证号码应为18位（或15位旧号码），实为1位"),
        (
            "ABCDEFGHIJKLMNOPQR",
            "身份证号码含有非法字符“A”、“B”、“C”、“D”、“E”、“F”、“G”、“H”、"
            "“I”、“J”、“K”、“L”、“M”、“N”、“O”、“P”、“Q”、“R”",
        ),
        ("11010519491231002A", "身份证号码含有非法字符“A”"),
        ("1101051949a231002X", "身份证号码含有非法字符“a”"),
        ("11010X19491231002X", "字母X只能作为身份证号码第18位（校验位），不能出现在第6位"),
        ("X1010519491231002X", "字母X只能作为身份证号码第18位（校验位），不能出现在第1位"),
        ("1101051949123100X2", "字母X只能作为身份证号码第18位（校验位），不能出现在第17位"),
        ("11010X1949123100X2", "字母X只能作为身份证号码第18位（校验位），不能出现在第6、17位"),
        ("11010549123100A", "身份证号码含有非法字符“A”"),
        ("11010549123100X", "15位旧身份证号码只能由数字组成，不能含有“X”"),
        ("110105-491231-002", "身份证号码含有非法字符“-”"),
        ("1101051949123100X", "身份证号码应为18位（或15位旧号码），实为17位"),
        ("1101051949123100\x002", "身份证号码含有非法字符U+0000"),
        ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "身份证号码含有非法字符“١”、“٠”、“٥”、“٩”、“٤”、“٢”、“٣”"),
    ],
)
def test_format_errors(text: str, message: str) -> None:
    err = _error(text, today=TODAY)
    assert err.code == "format"
    assert err.message == message


def test_invalid_calendar_date() -> None:
    number = build("110105", date(1999, 2, 28), 2)
    bad = "11010519990230002"
    bad += check_character(bad)
    assert number != bad
    err = _error(bad, today=TODAY)
    assert err.code == "birth_date"
    assert err.message == "出生日期“19990230”不是有效日期"


@pytest.mark.parametrize("digits", ["19991301", "19990001", "19990100", "00000101", "19990431"])
def test_other_impossible_dates(digits: str) -> None:
    first17 = f"110105{digits}002"
    err = _error(first17 + check_character(first17), today=TODAY)
    assert err.code == "birth_date"
    assert err.message == f"出生日期“{digits}”不是有效日期"


def test_birth_date_before_1850() -> None:
    first17 = "11010518491231002"
    err = _error(first17 + check_character(first17), today=TODAY)
    assert err.code == "birth_date"
    assert err.message == "出生日期“18491231”早于1850-01-01"
    assert EARLIEST_BIRTH_DATE.isoformat() == "1850-01-01"
    assert parse(build("110105", date(1850, 1, 1), 1), today=TODAY).birth_date == date(1850, 1, 1)


def test_future_birth_date() -> None:
    number = build("110105", date(2020, 1, 2), 1)
    err = _error(number, today=date(2020, 1, 1))
    assert err.code == "birth_date"
    assert err.message == "出生日期“20200102”晚于当前日期2020-01-01"
    # born today is fine
    assert parse(number, today=date(2020, 1, 2)).birth_date == date(2020, 1, 2)


def test_today_defaults_to_the_real_date() -> None:
    assert parse(FEMALE_1949).birth_date == date(1949, 12, 31)
    future = build("110105", date(date.today().year + 1, 1, 1), 1)
    err = _error(future)
    assert err.code == "birth_date"


@pytest.mark.parametrize("prefix", ["00", "99", "10", "16", "20", "24", "30", "38", "47", "72"])
def test_bad_province_prefix(prefix: str) -> None:
    first17 = f"{prefix}010519491231002"
    err = _error(first17 + check_character(first17), today=TODAY)
    assert err.code == "region"
    assert err.message == f"行政区划代码“{prefix}0105”无效：前两位“{prefix}”不是省级行政区代码"


def test_province_prefixes_constant() -> None:
    assert sorted(PROVINCE_PREFIXES) == [
        *["11", "12", "13", "14", "15"],
        *["21", "22", "23"],
        *["31", "32", "33", "34", "35", "36", "37"],
        *["41", "42", "43", "44", "45", "46"],
        *["50", "51", "52", "53", "54"],
        *["61", "62", "63", "64", "65"],
        *["71", "81", "82"],
    ]


def test_region_known_false_is_a_region_error() -> None:
    calls: list[tuple[str, date]] = []

    def region_known(code: str, born: date) -> bool:
        calls.append((code, born))
        return False

    err = _error(FEMALE_1949, today=TODAY, region_known=region_known)
    assert err.code == "region"
    assert err.message == "行政区划代码“110105”在出生日期1949-12-31时不存在"
    assert calls == [("110105", date(1949, 12, 31))]


def test_region_known_true_passes() -> None:
    rid = parse(FEMALE_1949, today=TODAY, region_known=lambda code, born: code == "110105")
    assert rid.region_code == "110105"


def test_region_known_is_not_called_for_otherwise_invalid_numbers() -> None:
    def region_known(code: str, born: date) -> bool:
        raise AssertionError("must not be called")

    assert _error("110105194912310020", today=TODAY, region_known=region_known).code == "checksum"


def test_check_order() -> None:
    # bad prefix and bad date and bad checksum: region prefix wins
    assert _error("990105199902300020", today=TODAY).code == "region"
    # bad date and bad checksum: birth_date wins
    assert _error("110105199902300020", today=TODAY).code == "birth_date"
    # wrong length with letters: format
    assert _error("99A", today=TODAY).code == "format"


# --- every error: stable code and a Chinese message -----------------------------------------


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda: parse("", today=TODAY), "empty"),
        (lambda: parse("123", today=TODAY), "format"),
        (lambda: parse("11010X19491231002X", today=TODAY), "format"),
        (lambda: parse("110105194912310020", today=TODAY), "checksum"),
        (lambda: parse("110105199902300020", today=TODAY), "birth_date"),
        (lambda: parse(FEMALE_1949, today=date(1949, 12, 30)), "birth_date"),
        (lambda: parse("000105194912310020", today=TODAY), "region"),
        (lambda: parse(FEMALE_1949, today=TODAY, region_known=lambda c, d: False), "region"),
        (lambda: upgrade15(""), "empty"),
        (lambda: upgrade15("1234"), "format"),
        (lambda: check_character("123"), "format"),
        (lambda: build("11010", date(1990, 1, 1), 1), "region"),
        (lambda: build("990105", date(1990, 1, 1), 1), "region"),
        (lambda: build("110105", date(1849, 12, 31), 1), "birth_date"),
        (lambda: build("110105", date(1990, 1, 1), -1), "sequence"),
        (lambda: build("110105", date(1990, 1, 1), 1000), "sequence"),
    ],
)
def test_every_error_has_code_and_chinese_message(call: Callable[[], object], code: str) -> None:
    with pytest.raises(IdNumberError) as info:
        call()
    err = info.value
    assert isinstance(err, ValueError)
    assert err.code == code
    assert err.message
    assert CJK.search(err.message) is not None
    assert str(err) == err.message


def test_error_pickles() -> None:
    err = IdNumberError("checksum", "身份证号码校验位错误：应为X，实为0")
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is IdNumberError
    assert (copy.code, copy.message, str(copy)) == (err.code, err.message, str(err))


# --- is_valid -------------------------------------------------------------------------------


def test_is_valid() -> None:
    assert is_valid(FEMALE_1949, today=TODAY) is True
    assert is_valid("110105491231002", today=TODAY) is True
    assert is_valid("110105194912310020", today=TODAY) is False
    assert is_valid("", today=TODAY) is False
    assert is_valid(FEMALE_1949, today=date(1949, 12, 30)) is False
    assert is_valid(FEMALE_1949, today=TODAY, region_known=lambda c, d: False) is False


# --- build ----------------------------------------------------------------------------------


def test_build_known_values() -> None:
    assert build("110105", date(1949, 12, 31), 2) == "11010519491231002X"
    assert build("440524", date(1880, 1, 1), 1) == "440524188001010014"


def test_build_sequence_parity_gives_sex() -> None:
    assert parse(build("110105", date(1990, 5, 6), 0), today=TODAY).sex is Sex.FEMALE
    assert parse(build("110105", date(1990, 5, 6), 1), today=TODAY).sex is Sex.MALE
    assert parse(build("110105", date(1990, 5, 6), 998), today=TODAY).sex is Sex.FEMALE
    assert parse(build("110105", date(1990, 5, 6), 999), today=TODAY).sex is Sex.MALE
    assert build("110105", date(1990, 5, 6), 7)[14:17] == "007"


@pytest.mark.parametrize("sequence", [-1, 1000, True, False])
def test_build_rejects_bad_sequence(sequence: int) -> None:
    with pytest.raises(IdNumberError) as info:
        build("110105", date(1990, 1, 1), sequence)
    assert info.value.code == "sequence"


def test_build_sequence_message() -> None:
    with pytest.raises(IdNumberError) as info:
        build("110105", date(1990, 1, 1), 1000)
    assert info.value.message == "顺序码应为0至999之间的整数，实为1000"


@pytest.mark.parametrize("region", ["", "11010", "1101055", "11010A", "１１０１０５"])
def test_build_rejects_malformed_region(region: str) -> None:
    with pytest.raises(IdNumberError) as info:
        build(region, date(1990, 1, 1), 1)
    assert info.value.code == "region"
    assert info.value.message == f"行政区划代码应为6位数字，实为“{region}”"


def test_build_rejects_bad_province() -> None:
    with pytest.raises(IdNumberError) as info:
        build("000000", date(1990, 1, 1), 1)
    assert info.value.code == "region"
    assert info.value.message == "行政区划代码“000000”无效：前两位“00”不是省级行政区代码"


def test_build_rejects_birth_before_1850() -> None:
    with pytest.raises(IdNumberError) as info:
        build("110105", date(1849, 12, 31), 1)
    assert info.value.code == "birth_date"
    assert info.value.message == "出生日期1849-12-31早于1850-01-01"


# --- ResidentId -----------------------------------------------------------------------------


def test_masked() -> None:
    assert parse(FEMALE_1949, today=TODAY).masked() == "110105********002X"
    assert parse("43312419700101123X", today=TODAY).masked() == "433124********123X"


def test_repr_does_not_leak_the_full_number() -> None:
    text = repr(parse(FEMALE_1949, today=TODAY))
    assert text == (
        "ResidentId(number='110105********002X', region_code='110105', sex=Sex.FEMALE, "
        "was_upgraded=False)"
    )
    assert "19491231" not in text


def test_sex_codes() -> None:
    assert Sex.MALE.value == "1"
    assert Sex.FEMALE.value == "2"
    assert f"{Sex.MALE}{Sex.FEMALE}" == "12"
    assert [s.value for s in Sex] == ["1", "2"]


def test_resident_id_is_frozen() -> None:
    rid = parse(FEMALE_1949, today=TODAY)
    with pytest.raises(AttributeError):
        rid.number = "x"  # type: ignore[misc]


def _rid(born: date) -> ResidentId:
    return parse(build("110105", born, 1), today=TODAY)


def test_age_on_around_birthday() -> None:
    rid = _rid(date(1990, 6, 15))
    assert rid.age_on(date(1990, 6, 15)) == 0
    assert rid.age_on(date(2020, 6, 14)) == 29
    assert rid.age_on(date(2020, 6, 15)) == 30
    assert rid.age_on(date(2020, 6, 16)) == 30
    assert rid.age_on(date(2020, 12, 31)) == 30
    assert rid.age_on(date(2021, 1, 1)) == 30


def test_age_on_leap_day_birthday() -> None:
    rid = _rid(date(2000, 2, 29))
    # non-leap year: the birthday is treated as 1 March
    assert rid.age_on(date(2001, 2, 28)) == 0
    assert rid.age_on(date(2001, 3, 1)) == 1
    assert rid.age_on(date(2018, 2, 28)) == 17
    assert rid.age_on(date(2018, 3, 1)) == 18
    # leap year: 29 February itself
    assert rid.age_on(date(2004, 2, 28)) == 3
    assert rid.age_on(date(2004, 2, 29)) == 4


def test_age_on_year_end_birthday() -> None:
    rid = parse(FEMALE_1949, today=TODAY)
    assert rid.age_on(date(2019, 12, 30)) == 69
    assert rid.age_on(date(2019, 12, 31)) == 70
    assert rid.age_on(date(2020, 1, 1)) == 70


def test_age_on_before_birth_raises() -> None:
    rid = _rid(date(1990, 6, 15))
    with pytest.raises(ValueError, match="before the birth date"):
        rid.age_on(date(1990, 6, 14))
