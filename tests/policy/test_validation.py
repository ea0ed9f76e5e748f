"""Every validation error of an editions directory: its exact code, file and key in the message."""

from __future__ import annotations

from pathlib import Path

import pytest

from fangpin.policy import ERROR_CODES, Level, PolicyValidationError, load_editions
from tests.policy.helpers import body, county_override, edited, files_in, shipped_text, write

LINE_2024 = 'income_line = { value = 7100, confirmed = false, source = "DOMAIN.md §2.2、§12：常见说法7100元，未找到来源" }'  # noqa: E501 - the exact shipped line

LAST_RISK = '{ code = "OTHER", zh = "其他", en = "Other" },'


def floor(directory: Path, year: int = 2024, *edits: tuple[str, str]) -> None:
    write(directory, f"{year}-national.toml", edited(f"{year}-national.toml", *edits))


def errors_of(directory: Path) -> PolicyValidationError:
    with pytest.raises(PolicyValidationError) as caught:
        load_editions(directory)
    return caught.value


def only_error(directory: Path) -> tuple[str, str, str, str]:
    error = errors_of(directory)
    assert len(error.errors) == 1, error.errors
    e = error.errors[0]
    return e.code, e.file, e.key, e.message


def test_a_valid_directory_loads(tmp_path: Path) -> None:
    floor(tmp_path)

    assert [e.file for e in load_editions(tmp_path).editions] == ["2024-national.toml"]


def test_missing_directory(tmp_path: Path) -> None:
    error = errors_of(tmp_path / "nothing")

    assert error.codes == ("no_directory",)
    assert error.errors[0].message == f"政策版本目录“{tmp_path / 'nothing'}”不存在"


def test_directory_without_edition_files(tmp_path: Path) -> None:
    write(tmp_path, "notes.txt", "x")

    assert errors_of(tmp_path).codes == ("no_directory",)


def test_toml_syntax(tmp_path: Path) -> None:
    write(tmp_path, "2024-national.toml", "[edition\nyear = 2024\n")

    code, file, key, message = only_error(tmp_path)
    assert (code, file, key) == ("toml_syntax", "2024-national.toml", "")
    assert message.startswith("2024-national.toml：不是有效的 UTF-8 TOML 文件（")


def test_missing_key_in_a_national_floor(tmp_path: Path) -> None:
    floor(tmp_path, 2024, (LINE_2024 + "\n", ""))

    assert only_error(tmp_path) == (
        "missing_key",
        "2024-national.toml",
        "monitoring.income_line",
        "2024-national.toml：monitoring.income_line：国家底线版本必须设定“监测收入线（监测范围）”",
    )


def test_missing_part_of_an_entry(tmp_path: Path) -> None:
    floor(tmp_path, 2024, (LINE_2024, "income_line = { value = 7100, confirmed = false }"))

    code, file, key, message = only_error(tmp_path)
    assert (code, file, key) == (
        "missing_key",
        "2024-national.toml",
        "monitoring.income_line.source",
    )
    assert message == "2024-national.toml：monitoring.income_line.source：缺少此项"


def test_missing_header(tmp_path: Path) -> None:
    floor(tmp_path, 2024, ("[edition]\nyear = 2024\n", "[edition]\n"))

    code, file, key, message = only_error(tmp_path)
    assert (code, file, key) == ("missing_key", "2024-national.toml", "edition.year")
    assert message == "2024-national.toml：edition.year：缺少此项"


def test_wrong_type_of_a_value(tmp_path: Path) -> None:
    floor(tmp_path, 2024, ("value = 7100,", 'value = "7100",'))

    assert only_error(tmp_path) == (
        "wrong_type",
        "2024-national.toml",
        "monitoring.income_line.value",
        "2024-national.toml：monitoring.income_line.value：应为整数，实为 '7100'",
    )


def test_bare_value_without_provenance_is_a_wrong_type(tmp_path: Path) -> None:
    floor(tmp_path, 2024, (LINE_2024, "income_line = 7100"))

    code, file, key, message = only_error(tmp_path)
    assert (code, file, key) == ("wrong_type", "2024-national.toml", "monitoring.income_line")
    assert '应写成 { value = …, confirmed = true/false, source = "…" }' in message


def test_boolean_is_not_an_integer(tmp_path: Path) -> None:
    floor(tmp_path, 2024, ("value = 7100,", "value = true,"))

    assert only_error(tmp_path)[0] == "wrong_type"


def test_unknown_key_in_a_section(tmp_path: Path) -> None:
    floor(tmp_path, 2024, ("[monitoring]\n", body("monitoring", "income_lime", 1)))

    assert only_error(tmp_path) == (
        "unknown_key",
        "2024-national.toml",
        "monitoring.income_lime",
        "2024-national.toml：monitoring.income_lime：未知的键（schema 中没有此项）",
    )


def test_unknown_section_and_entry_key(tmp_path: Path) -> None:
    floor(
        tmp_path,
        2024,
        ("[monitoring]\n", "[monitorin]\nx = 1\n\n[monitoring]\n"),
        (
            'source = "DOMAIN.md §2.2、§12：常见说法7100元，未找到来源" }',
            'source = "x", note = "y" }',
        ),
    )

    error = errors_of(tmp_path)
    assert [(e.code, e.key) for e in error.errors] == [
        ("unknown_key", "monitorin"),
        ("unknown_key", "monitoring.income_line.note"),
    ]


@pytest.mark.parametrize(
    ("old", "new", "key", "detail"),
    [
        ("value = 0.4,", "value = 1.5,", "triggers.medical_oop_share.value", "1.5 大于上限 1"),
        ("value = 7100,", "value = -1,", "monitoring.income_line.value", "-1 小于下限 0"),
        ('value = "working"', 'value = "weekly"', "procedure.day_kind.value",
         "“weekly”不在可选值 working, calendar 中"),
        ('{ code = "0202", zh = "地质"', '{ code = "0201", zh = "地质"',
         "risks.disaster_subtypes.value[1].code", "代码“0201”重复"),
        ("year = 2024", "year = 1999", "edition.year", "年度 1999 超出范围（2000–2100）"),
    ],
)  # fmt: skip
def test_bad_value(tmp_path: Path, old: str, new: str, key: str, detail: str) -> None:
    floor(tmp_path, 2024, (old, new))

    assert only_error(tmp_path) == ("bad_value", "2024-national.toml", key,
                                    f"2024-national.toml：{key}：{detail}")  # fmt: skip


def test_empty_catalogue_is_a_bad_value(tmp_path: Path) -> None:
    text = shipped_text("2024-national.toml")
    start = text.index("[objects.types]")
    end = text.index("[risks.types]")
    block = '[objects.types]\nconfirmed = true\nsource = "x"\nvalue = []\n\n'
    write(tmp_path, "2024-national.toml", text[:start] + block + text[end:])

    assert only_error(tmp_path)[:3] == ("bad_value", "2024-national.toml", "objects.types.value")


@pytest.mark.parametrize(
    ("region", "detail"),
    [
        ("4300", "“4300”末两位为 00，请写成更短的上级代码"),
        ("99", "区划代码“990000000000”的省级代码“99”不存在"),
        ("Hunan", "“Hunan”应为 national 或 2/4/6 位区划代码（省/地/县）"),
    ],
)
def test_bad_region_in_header(tmp_path: Path, region: str, detail: str) -> None:
    floor(tmp_path)
    write(tmp_path, "x.toml", county_override(2024, region, ""))

    assert only_error(tmp_path) == (
        "bad_region",
        "x.toml",
        "edition.region",
        f"x.toml：edition.region：{detail}",
    )


def test_lower_level_may_not_set_a_fixed_field(tmp_path: Path) -> None:
    floor(tmp_path)
    body = '[risks]\nmax_per_household = { value = 6, confirmed = true, source = "x" }\n'
    write(tmp_path, "2024-433124.toml", county_override(2024, "433124", body))

    assert only_error(tmp_path) == (
        "fixed_field",
        "2024-433124.toml",
        "risks.max_per_household",
        "2024-433124.toml：risks.max_per_household：为固定项（fixed），县级版本不得覆盖，只能由国家底线设定",
    )


def test_lowering_the_monitoring_line_is_loosening(tmp_path: Path) -> None:
    floor(tmp_path)
    body = '[monitoring]\nincome_line = { value = 6800, confirmed = true, source = "x" }\n'
    write(tmp_path, "2024-433124.toml", county_override(2024, "433124", body))
    before = files_in(tmp_path)

    assert only_error(tmp_path) == (
        "loosening",
        "2024-433124.toml",
        "monitoring.income_line",
        "2024-433124.toml：monitoring.income_line：县级版本设为 6,800 元/人·年，比上级 "
        "2024-national.toml 的 7,100 元/人·年 宽松；“监测收入线（监测范围）”只能调高（min）",
    )
    assert files_in(tmp_path) == before


def test_lengthening_a_deadline_is_loosening(tmp_path: Path) -> None:
    floor(tmp_path)
    body = '[procedure]\nidentification_days = { value = 20, confirmed = true, source = "x" }\n'
    write(tmp_path, "2024-43.toml", county_override(2024, "43", body))

    code, file, key, message = only_error(tmp_path)
    assert (code, file, key) == ("loosening", "2024-43.toml", "procedure.identification_days")
    assert message == (
        "2024-43.toml：procedure.identification_days：省级版本设为 20 日，"
        "比上级 2024-national.toml 的 15 日 宽松；“识别认定时限（线索到认定）”只能调低（max）"
    )


def test_lengthening_the_verification_deadline_is_loosening(tmp_path: Path) -> None:
    floor(tmp_path)
    write(
        tmp_path,
        "2024-43.toml",
        county_override(2024, "43", body("procedure", "verification_days", 16)),
    )
    before = files_in(tmp_path)

    code, file, key, message = only_error(tmp_path)
    assert (code, file, key) == ("loosening", "2024-43.toml", "procedure.verification_days")
    assert message == (
        "2024-43.toml：procedure.verification_days：省级版本设为 16 日，"
        "比上级 2024-national.toml 的 15 日 宽松；“入户核实时限（预警到核实）”只能调低（max）"
    )
    assert files_in(tmp_path) == before


def test_shortening_the_verification_deadline_is_allowed(tmp_path: Path) -> None:
    floor(tmp_path)
    write(
        tmp_path,
        "2024-43.toml",
        county_override(2024, "43", body("procedure", "verification_days", 3)),
    )

    value = load_editions(tmp_path).resolve(2024, "433124").get("procedure.verification_days")

    assert (value.value, value.confirmed, value.level, value.file) == (
        3, True, Level.PROVINCE, "2024-43.toml",
    )  # fmt: skip


VERIFICATION_2024 = (
    'verification_days = { value = 15, confirmed = false, source = "[D] 全国未单列核实时限；'
    '核实是识别的第一步，不得晚于识别时限，默认取识别时限（DOMAIN.md §3.3）" }'
)


def test_a_floor_whose_verification_exceeds_identification_is_refused(tmp_path: Path) -> None:
    floor(
        tmp_path, 2024, (VERIFICATION_2024, VERIFICATION_2024.replace("value = 15", "value = 16"))
    )

    assert only_error(tmp_path) == (
        "exceeds_limit",
        "2024-national.toml",
        "procedure.verification_days",
        "2024-national.toml：procedure.verification_days：“入户核实时限（预警到核实）”为 16 日"
        "（2024-national.toml），超过“识别认定时限（线索到认定）” 15 日（2024-national.toml）；"
        "不得超过后者",
    )


def test_shortening_identification_below_the_inherited_verification_is_refused(
    tmp_path: Path,
) -> None:
    floor(tmp_path)
    write(
        tmp_path,
        "2024-433124.toml",
        county_override(2024, "433124", body("procedure", "identification_days", 10)),
    )
    before = files_in(tmp_path)

    assert only_error(tmp_path) == (
        "exceeds_limit",
        "2024-433124.toml",
        "procedure.verification_days",
        "2024-433124.toml：procedure.verification_days：“入户核实时限（预警到核实）”为 15 日"
        "（2024-national.toml），超过“识别认定时限（线索到认定）” 10 日（2024-433124.toml）；"
        "不得超过后者",
    )
    assert files_in(tmp_path) == before


def test_a_county_verification_above_its_province_identification_is_refused(
    tmp_path: Path,
) -> None:
    floor(tmp_path)
    province = (
        body("procedure", "identification_days", 8)
        + 'verification_days = { value = 8, confirmed = true, source = "x" }\n'
    )
    write(tmp_path, "2024-43.toml", county_override(2024, "43", province))
    county = body("procedure", "verification_days", 9)
    write(tmp_path, "2024-433124.toml", county_override(2024, "433124", county))

    codes = [(e.code, e.file, e.key) for e in errors_of(tmp_path).errors]

    # 9 > the province's 8 is both a loosening of verification_days and refused; the
    # loosening is reported first and the limit check only runs on a chain that applies.
    assert codes == [("loosening", "2024-433124.toml", "procedure.verification_days")]


def test_switching_off_an_elimination_guard_is_loosening(tmp_path: Path) -> None:
    floor(tmp_path)
    body = '[elimination]\nrequire_water = { value = false, confirmed = true, source = "x" }\n'
    write(tmp_path, "2024-4331.toml", county_override(2024, "4331", body))

    code, file, key, message = only_error(tmp_path)
    assert (code, file, key) == ("loosening", "2024-4331.toml", "elimination.require_water")
    assert "地级版本设为 否，比上级 2024-national.toml 的 是 宽松" in message


def test_free_and_tightened_values_pass(tmp_path: Path) -> None:
    floor(tmp_path)
    body = (
        '[monitoring]\nincome_window_months = { value = 6, confirmed = true, source = "x" }\n'
        'net_of_compliant_oop = { value = true, confirmed = true, source = "x" }\n'
        '[elimination]\nmin_income_stable_months = { value = 12, confirmed = true, source = "x" }\n'
    )
    write(tmp_path, "2024-43.toml", county_override(2024, "43", body))

    edition = load_editions(tmp_path).resolve(2024, "433124")
    assert edition.income_window_months == 6
    assert edition.net_of_compliant_oop is True
    assert edition.elimination_guards.min_income_stable_months == 12


def test_county_is_checked_against_its_province_not_only_the_floor(tmp_path: Path) -> None:
    floor(tmp_path)
    write(
        tmp_path,
        "2024-43.toml",
        county_override(2024, "43", body("monitoring", "income_line", 8000)),
    )
    line = body("monitoring", "income_line", 7500)
    write(tmp_path, "2024-433124.toml", county_override(2024, "433124", line))

    code, file, key, message = only_error(tmp_path)
    assert (code, file, key) == ("loosening", "2024-433124.toml", "monitoring.income_line")
    assert "比上级 2024-43.toml 的 8,000 元/人·年 宽松" in message


def test_an_override_carried_forward_is_checked_against_a_later_floor(tmp_path: Path) -> None:
    floor(tmp_path, 2024)
    floor(tmp_path, 2025, ("value = 7100,", "value = 7300,"))
    line = body("monitoring", "income_line", 7200)
    write(tmp_path, "2024-433124.toml", county_override(2024, "433124", line))

    code, file, key, message = only_error(tmp_path)
    assert (code, file, key) == ("loosening", "2024-433124.toml", "monitoring.income_line")
    assert "比上级 2025-national.toml 的 7,300 元/人·年 宽松" in message


def test_duplicate_edition(tmp_path: Path) -> None:
    floor(tmp_path)
    write(tmp_path, "copy/2024-national.toml", shipped_text("2024-national.toml"))

    assert only_error(tmp_path) == (
        "duplicate_edition",
        "copy/2024-national.toml",
        "edition",
        "copy/2024-national.toml：edition：与 2024-national.toml 重复"
        "（都是 2024 年 national 的版本）",
    )


def test_override_without_an_earlier_national_floor(tmp_path: Path) -> None:
    floor(tmp_path)
    write(tmp_path, "2023-433124.toml", county_override(2023, "433124", ""))

    assert only_error(tmp_path) == (
        "no_edition",
        "2023-433124.toml",
        "edition.year",
        "2023-433124.toml：edition.year：没有不晚于 2023 年的国家底线版本，下级版本无从比较",
    )


def test_every_error_is_reported_at_once(tmp_path: Path) -> None:
    floor(tmp_path, 2024, ("value = 0.4,", "value = 2,"))
    fixed = body("risks", "max_per_household", 6)
    write(tmp_path, "2024-43.toml", county_override(2024, "43", fixed))
    write(tmp_path, "bad.toml", "not toml")

    assert errors_of(tmp_path).codes == ("fixed_field", "bad_value", "toml_syntax")  # file order


def test_error_codes_are_the_documented_list() -> None:
    assert ERROR_CODES == (
        "no_directory", "toml_syntax", "missing_key", "wrong_type", "unknown_key", "bad_value",
        "bad_region", "fixed_field", "loosening", "duplicate_edition", "no_edition",
        "exceeds_limit",
    )  # fmt: skip


def test_an_unconfirmed_catalogue_item_makes_the_whole_list_unconfirmed(tmp_path: Path) -> None:
    covid = '{ code = "COVID", zh = "因疫情", confirmed = false },'
    floor(tmp_path, 2024, (LAST_RISK, f"{LAST_RISK}\n  {covid}"))

    edition = load_editions(tmp_path).resolve(2024, "110101")

    assert edition.get("risks.types").confirmed is False
    assert [(i.code, i.confirmed) for i in edition.risk_types[-2:]] == [
        ("OTHER", True),
        ("COVID", False),
    ]


@pytest.mark.parametrize(
    ("item", "code", "key"),
    [
        (
            '{ code = "X", zh = "乙", colour = "red" }',
            "unknown_key",
            "risks.types.value[11].colour",
        ),
        ('{ code = "X" }', "missing_key", "risks.types.value[11].zh"),
        ('{ code = "", zh = "乙" }', "bad_value", "risks.types.value[11]"),
        ('"X"', "wrong_type", "risks.types.value[11]"),
    ],
)
def test_bad_catalogue_item(tmp_path: Path, item: str, code: str, key: str) -> None:
    floor(tmp_path, 2024, (LAST_RISK, f"{LAST_RISK}\n  {item},"))

    assert only_error(tmp_path)[:3] == (code, "2024-national.toml", key)
