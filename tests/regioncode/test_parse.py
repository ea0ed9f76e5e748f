"""fangpin.regioncode: exact examples from the NBS 2023 edition, then properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangpin.regioncode import (
    PROVINCE_CODES,
    CodeInfo,
    RegionCodeError,
    normalise_code,
    parse_code,
    subtree_prefix,
    validate_code,
)

# ---------------------------------------------------------------- examples


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("43", "430000000000"),
        ("4331", "433100000000"),
        ("433124", "433124000000"),
        ("433124102", "433124102000"),
        ("433124102201", "433124102201"),
        (" 433124 ", "433124000000"),
        ("4331 24\t102", "433124102000"),
    ],
)
def test_normalise_pads_short_forms(raw: str, expected: str) -> None:
    assert normalise_code(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "4", "433", "43312", "4331241", "43312410", "4331241022", "4331241022011", "abc"]
)
def test_normalise_refuses_other_lengths_and_non_digits(raw: str) -> None:
    with pytest.raises(RegionCodeError) as caught:
        normalise_code(raw)

    assert caught.value.code == "format"
    assert caught.value.message == f"区划代码“{raw.strip()}”格式不对：应为 2、4、6、9 或 12 位数字"


def test_normalise_refuses_full_width_digits() -> None:
    with pytest.raises(RegionCodeError) as caught:
        normalise_code("４３３１２４")

    assert caught.value.code == "format"


def test_parse_village() -> None:
    assert parse_code("433124102201") == CodeInfo(
        code="433124102201",
        level=5,
        province_code="430000000000",
        prefecture_code="433100000000",
        county_code="433124000000",
        township_code="433124102000",
        village_code="433124102201",
        parent_code="433124102000",
        township_kind="镇",
        village_kind="村委会",
    )


def test_parse_province() -> None:
    assert parse_code("43") == CodeInfo(
        code="430000000000",
        level=1,
        province_code="430000000000",
        prefecture_code="",
        county_code="",
        township_code="",
        village_code="",
        parent_code="",
        township_kind="",
        village_kind="",
    )


def test_parse_township_of_a_prefecture_city_without_counties() -> None:
    # 东莞市 东城街道: no county segment, the township sits directly under the prefecture.
    assert parse_code("441900003000") == CodeInfo(
        code="441900003000",
        level=4,
        province_code="440000000000",
        prefecture_code="441900000000",
        county_code="",
        township_code="441900003000",
        village_code="",
        parent_code="441900000000",
        township_kind="街道",
        village_kind="",
    )


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("430000000000", 1, ""),
        ("433100000000", 2, "430000000000"),
        ("110100000000", 2, "110000000000"),  # 北京市 市辖区
        ("433124000000", 3, "433100000000"),
        ("433124102000", 4, "433124000000"),
        ("441900003001", 5, "441900003000"),
    ],
)
def test_level_is_the_last_non_zero_segment(code: str, level: int, parent: str) -> None:
    info = parse_code(code)

    assert (info.level, info.parent_code) == (level, parent)


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("110101001000", "街道"),  # 东华门街道
        ("110101099000", "街道"),
        ("433124102000", "镇"),  # 龙潭镇
        ("433124199000", "镇"),
        ("433124200000", "乡"),  # 长乐乡
        ("433124399000", "乡"),
        ("433124400000", "乡级单位"),
        ("433124599000", "乡级单位"),
    ],
)
def test_township_kind_by_digits_7_to_9(code: str, kind: str) -> None:
    assert parse_code(code).township_kind == kind
    assert parse_code(code).village_kind == ""


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("110101001001", "居委会"),
        ("433124102199", "居委会"),
        ("433124102200", "村委会"),  # 龙门村
        ("433124102399", "村委会"),
        ("433124102400", "村级单位"),
        ("433124102999", "村级单位"),
    ],
)
def test_village_kind_by_digits_10_to_12(code: str, kind: str) -> None:
    assert parse_code(code).village_kind == kind


@pytest.mark.parametrize("code", ["43", "4331", "433124"])
def test_no_kinds_above_township_level(code: str) -> None:
    info = parse_code(code)

    assert (info.township_kind, info.village_kind) == ("", "")


@pytest.mark.parametrize(
    ("code", "error", "message"),
    [
        ("990000000000", "province", "区划代码“990000000000”的省级代码“99”不存在"),
        ("00", "province", "区划代码“000000000000”的省级代码“00”不存在"),
        ("16", "province", "区划代码“160000000000”的省级代码“16”不存在"),
        ("430000102000", "structure", "区划代码“430000102000”的地级代码为 00，下级代码却不为零"),
        ("430024000000", "structure", "区划代码“430024000000”的地级代码为 00，下级代码却不为零"),
        ("433124000201", "structure", "区划代码“433124000201”的乡级代码为 000，村级代码却不为零"),
        (
            "433124600000",
            "structure",
            "区划代码“433124600000”的乡级代码“600”超出范围（应为 001–599）",
        ),
        (
            "433124999201",
            "structure",
            "区划代码“433124999201”的乡级代码“999”超出范围（应为 001–599）",
        ),
    ],
)
def test_parse_refuses_unknown_provinces_and_bad_structure(
    code: str, error: str, message: str
) -> None:
    with pytest.raises(RegionCodeError) as caught:
        parse_code(code)

    assert (caught.value.code, caught.value.message, str(caught.value)) == (error, message, message)


def test_region_code_error_is_a_value_error() -> None:
    assert issubclass(RegionCodeError, ValueError)


def test_validate_checks_level() -> None:
    assert validate_code("433124", level=3).code == "433124000000"
    with pytest.raises(RegionCodeError) as caught:
        validate_code("433124102", level=3)

    assert (caught.value.code, caught.value.message) == (
        "level",
        "区划代码“433124102000”是乡级代码，应为县级代码",
    )


def test_validate_checks_the_direct_parent_in_any_form() -> None:
    assert validate_code("433124102201", parent="433124102").level == 5
    assert validate_code("433124102201", parent="433124102000").level == 5
    assert validate_code("441900003000", parent="441900").level == 4
    with pytest.raises(RegionCodeError) as caught:
        validate_code("433124102201", parent="433124")

    assert (caught.value.code, caught.value.message) == (
        "parent",
        "区划代码“433124102201”的上级是“433124102000”，不是“433124000000”",
    )


def test_validate_says_a_province_has_no_parent() -> None:
    with pytest.raises(RegionCodeError) as caught:
        validate_code("43", parent="43")

    assert caught.value.message == (
        "区划代码“430000000000”的上级是“（无，省级没有上级）”，不是“430000000000”"
    )


def test_validate_reports_format_before_level() -> None:
    with pytest.raises(RegionCodeError) as caught:
        validate_code("4331x", level=3, parent="4331")

    assert caught.value.code == "format"


def test_validate_refuses_an_impossible_level_argument() -> None:
    with pytest.raises(ValueError, match="level must be 1–5"):
        validate_code("43", level=6)


@pytest.mark.parametrize(
    ("code", "prefix"),
    [("43", "43"), ("433100000000", "4331"), ("433124", "433124"), ("441900", "4419")],
)
def test_subtree_prefix(code: str, prefix: str) -> None:
    assert subtree_prefix(code) == prefix


# ---------------------------------------------------------------- properties

provinces = st.sampled_from(sorted(PROVINCE_CODES))
two_digits = st.integers(min_value=1, max_value=99).map(lambda n: f"{n:02d}")
townships = st.integers(min_value=1, max_value=599).map(lambda n: f"{n:03d}")
villages = st.integers(min_value=1, max_value=999).map(lambda n: f"{n:03d}")


@st.composite
def valid_codes(draw: st.DrawFn) -> str:
    """Any well-formed 12-digit code of levels 1–5 (incl. townships without a county)."""
    level = draw(st.integers(min_value=1, max_value=5))
    segments = [draw(provinces), "00", "00", "000", "000"]
    if level >= 2:
        segments[1] = draw(two_digits)
    if level >= 3:
        segments[2] = draw(two_digits)
    if level >= 4:
        segments[3] = draw(townships)
        if draw(st.booleans()):
            segments[2] = draw(st.sampled_from(["00", segments[2]]))
    if level >= 5:
        segments[4] = draw(villages)
    return "".join(segments)


@given(valid_codes())
def test_parse_round_trips_and_ancestors_are_prefixes(code: str) -> None:
    info = parse_code(code)

    assert info.code == code
    assert 1 <= info.level <= 5
    for ancestor, width in [
        (info.province_code, 2),
        (info.prefecture_code, 4),
        (info.county_code, 6),
        (info.township_code, 9),
        (info.village_code, 12),
    ]:
        assert ancestor == "" or ancestor == code[:width].ljust(12, "0")
    assert info.province_code == code[:2] + "0" * 10
    assert (info.village_code == code) is (info.level == 5)
    assert (info.township_kind != "") is (info.level >= 4)
    assert (info.village_kind != "") is (info.level == 5)


@given(valid_codes())
def test_parent_chain_climbs_to_the_province(code: str) -> None:
    info = parse_code(code)
    steps = 0
    while info.parent_code:
        parent = parse_code(info.parent_code)
        assert parent.level < info.level
        assert info.code.startswith(subtree_prefix(parent.code))
        assert validate_code(info.code, level=info.level, parent=parent.code) == info
        info = parent
        steps += 1
    assert info.level == 1
    assert steps <= 4


@given(valid_codes())
def test_short_forms_parse_like_the_full_code(code: str) -> None:
    short = subtree_prefix(code)

    assert len(short) in {2, 4, 6, 9, 12}
    assert normalise_code(short) == code
    assert parse_code(short) == parse_code(code)


def expected_error(code: str) -> str | None:
    """The rules of DOMAIN.md §10.1, restated independently of the implementation."""
    province, prefecture, county, township, village = (
        code[:2],
        code[2:4],
        code[4:6],
        code[6:9],
        code[9:],
    )
    if province not in PROVINCE_CODES:
        return "province"
    if int(township) >= 600:
        return "structure"
    if prefecture == "00" and int(county + township + village) != 0:
        return "structure"
    if township == "000" and village != "000":
        return "structure"
    return None


def _zero_or(width: int) -> st.SearchStrategy[str]:
    return st.one_of(
        st.just("0" * width),
        st.integers(min_value=0, max_value=10**width - 1).map(lambda n: f"{n:0{width}d}"),
    )


any_shaped_codes = st.builds(
    lambda *parts: "".join(parts),
    st.one_of(provinces, st.sampled_from(["00", "10", "16", "24", "99"])),
    _zero_or(2),
    _zero_or(2),
    _zero_or(3),
    _zero_or(3),
)


@given(any_shaped_codes)
def test_any_twelve_digits_parse_exactly_when_the_rules_allow(code: str) -> None:
    error = expected_error(code)
    if error is None:
        assert parse_code(code).code == code
    else:
        with pytest.raises(RegionCodeError) as caught:
            parse_code(code)
        assert caught.value.code == error


@given(st.text(min_size=1, max_size=14))
def test_normalise_accepts_only_ascii_digit_codes_of_level_lengths(text: str) -> None:
    stripped = "".join(text.split())
    if stripped.isascii() and stripped.isdigit() and len(stripped) in {2, 4, 6, 9, 12}:
        result = normalise_code(text)
        assert result == stripped.ljust(12, "0")
        assert normalise_code(result) == result
    else:
        with pytest.raises(RegionCodeError) as caught:
            normalise_code(text)
        assert caught.value.code == "format"
