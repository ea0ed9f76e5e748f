"""The [evaluation] and [integrity] sections: shipped values, provenance, only-tighten rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fangpin.cli import app
from fangpin.policy import (
    EvaluationThresholds,
    IntegrityThresholds,
    Level,
    PolicyValidationError,
    load_editions,
    resolve,
)
from tests.policy.helpers import body, county_override, edited, files_in, write

YEARS = [2020, 2021, 2022, 2023, 2024, 2025]
WESTERN_PROVINCES = ["15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"]
COMPARED_TO_WEST = ["2224", "4228", "4331"]  # 延边州, 恩施州, 湘西州 (比照西部)
LATER = (
    "2020年底后不再有贫困县、贫困村、贫困户退出，DOMAIN.md 未给出此后评估（如巩固成果后评估）"
    "的标准，沿用2016年标准作参照"
)


def floor(directory: Path, *edits: tuple[str, str]) -> None:
    write(directory, "2024-national.toml", edited("2024-national.toml", *edits))


def only_error(directory: Path) -> tuple[str, str, str, str]:
    with pytest.raises(PolicyValidationError) as caught:
        load_editions(directory)
    assert len(caught.value.errors) == 1, caught.value.errors
    e = caught.value.errors[0]
    return e.code, e.file, e.key, e.message


@pytest.mark.parametrize("year", YEARS)
def test_every_floor_resolves_the_evaluation_thresholds(year: int) -> None:
    evaluation = resolve(year, "110101").evaluation

    assert evaluation == EvaluationThresholds(
        wrong_exit_rate_max=0.02,
        omission_rate_max=0.02,
        approval_rate_min=0.9,
        incidence_max=0.02,
        incidence_max_west=0.03,
        registry_incidence_max=0.03,
        western_regions=evaluation.western_regions,
        confidence_level=0.95,
        confirmed_keys=evaluation.confirmed_keys,
    )
    assert [item.code for item in evaluation.western_regions] == (
        WESTERN_PROVINCES + COMPARED_TO_WEST
    )
    assert [item.code for item in evaluation.western_regions if not item.confirmed] == (
        COMPARED_TO_WEST
    )


def test_the_2020_floor_confirms_the_exit_standards_of_domain_section_6() -> None:
    edition = resolve(2020, "433124")

    assert edition.evaluation.confirmed_keys == {
        "evaluation.wrong_exit_rate_max",
        "evaluation.omission_rate_max",
        "evaluation.approval_rate_min",
        "evaluation.incidence_max",
        "evaluation.incidence_max_west",
        "evaluation.registry_incidence_max",
    }
    wrong_exit = edition.get("evaluation.wrong_exit_rate_max")
    assert (wrong_exit.value, wrong_exit.confirmed, wrong_exit.level, wrong_exit.file) == (
        0.02, True, Level.NATIONAL, "2020-national.toml",
    )  # fmt: skip
    assert wrong_exit.source == (
        "DOMAIN.md §6.2 [C]：错退率=抽样错退人口÷抽样退出人口×100%，须低于2%，"
        "https://www.baiwen17.com/article/119597.html ；http://yunnanlong.com/c/4255203.html"
    )
    assert edition.evaluation.is_confirmed("incidence_max_west") is True
    assert edition.evaluation.is_confirmed("confidence_level") is False


@pytest.mark.parametrize("year", YEARS[1:])
def test_later_floors_carry_the_2016_standards_unconfirmed(year: int) -> None:
    edition = resolve(year, "110101")

    assert edition.evaluation.confirmed_keys == frozenset()
    approval = edition.get("evaluation.approval_rate_min")
    assert (approval.value, approval.confirmed, approval.file) == (
        0.9, False, f"{year}-national.toml",
    )  # fmt: skip
    assert approval.source == (
        f"DOMAIN.md §6.2 [C]：群众认可度=认可户数÷调查户数×100%，须不低于90%；{LATER}"
    )
    assert approval.display == "90%"


@pytest.mark.parametrize("year", YEARS)
def test_the_western_list_is_unconfirmed_because_domain_lists_no_western_region(
    year: int,
) -> None:
    value = resolve(year, "110101").get("evaluation.western_region_prefixes")

    assert value.confirmed is False
    assert value.source.startswith("DOMAIN.md §6.1 [C] 只写“西部地区低于3%”，未列出西部范围。")
    assert value.display.endswith("4331 湘西土家族苗族自治州（比照西部）（未证实）")


@pytest.mark.parametrize(
    ("code", "prefix"),
    [("433124", "4331"), ("522601", "52"), ("341822", None), ("433124100201", "4331")],
)
def test_western_region_is_the_longest_listed_prefix(code: str, prefix: str | None) -> None:
    item = resolve(2020, "110101").evaluation.western_region(code)

    assert (item.code if item else None) == prefix


@pytest.mark.parametrize("year", YEARS)
def test_every_floor_resolves_the_integrity_parameters_unconfirmed(year: int) -> None:
    edition = resolve(year, "433124")

    assert edition.integrity == IntegrityThresholds(
        bunching_band_share=0.05,
        bunching_min_households=30,
        transfer_share_max=0.5,
        fast_elimination_months=2,
        same_day_eliminations_min=5,
        identical_income_min_households=3,
        quota_shares=(0.05, 0.1),
        quota_tolerance=0.002,
        benford_min_records=50,
        copied_note_similarity=0.9,
    )
    integrity_keys = [k for k in edition.values if k.startswith("integrity.")]
    assert len(integrity_keys) == 10
    assert all(not edition.get(k).confirmed for k in integrity_keys)
    fast = edition.get("integrity.fast_elimination_months")
    assert fast.source == (
        "[L] DOMAIN.md §9.3、§11(4)：贵州规则——识别当月或次月即帮扶消除（≤2个月）；"
        "地方规则作全国占位"
    )
    assert fast.level is Level.NATIONAL


def test_huayuan_inherits_both_sections_from_the_floor() -> None:
    edition = resolve(2024, "433124")
    floor_only = resolve(2024, "433122")

    assert edition.evaluation == floor_only.evaluation
    assert edition.integrity == floor_only.integrity
    assert edition.get("evaluation.incidence_max_west").file == "2024-national.toml"
    assert edition.evaluation.western_region("433124") is not None


def test_share_lists_and_region_lists_are_json() -> None:
    data = json.loads(json.dumps(resolve(2024, "433124").as_dict(), ensure_ascii=False))

    assert data["values"]["integrity.quota_shares"]["value"] == [0.05, 0.1]
    western = data["values"]["evaluation.western_region_prefixes"]
    assert western["value"][-1] == {
        "code": "4331",
        "zh": "湘西土家族苗族自治州（比照西部）",
        "en": "",
        "code_table": "",
        "confirmed": False,
    }
    assert (western["confirmed"], western["level"]) == (False, "national")


def test_policy_show_prints_the_evaluation_values_with_provenance() -> None:
    result = CliRunner().invoke(
        app, ["policy", "show", "--year", "2024", "--region", "433124"], env={"COLUMNS": "250"}
    )

    assert result.exit_code == 0, result.output
    out = [" ".join(line.split()) for line in result.output.splitlines() if line.strip()]
    for line in (
        "evaluation.wrong_exit_rate_max 错退率（须低于） 2% 未证实 国家 2024-national.toml",
        "evaluation.approval_rate_min 群众认可度（不低于） 90% 未证实 国家 2024-national.toml",
        "evaluation.incidence_max_west 贫困发生率（西部地区，须低于） 3% 未证实 国家 "
        "2024-national.toml",
        "evaluation.confidence_level 评估置信水平 95% 未证实 国家 2024-national.toml",
        "integrity.quota_shares 疑似名额比例 5%、10% 未证实 国家 2024-national.toml",
        "integrity.bunching_min_households 聚集检验最少户数 30 户 未证实 国家 2024-national.toml",
    ):
        assert line in out


# Only tighten: a lower level may lower a max and raise a min, never the reverse.


@pytest.mark.parametrize(
    ("section", "name", "value", "shown", "floor_shown", "label", "way"),
    [
        ("evaluation", "wrong_exit_rate_max", 0.03, "3%", "2%", "错退率（须低于）", "调低（max）"),
        ("evaluation", "omission_rate_max", 0.025, "2.5%", "2%", "漏评率（须低于）", "调低（max）"),
        ("evaluation", "approval_rate_min", 0.85, "85%", "90%", "群众认可度（不低于）",
         "调高（min）"),
        ("evaluation", "registry_incidence_max", 0.04, "4%", "3%",
         "退出年度系统内贫困发生率（不得高于）", "调低（max）"),
        ("evaluation", "confidence_level", 0.9, "90%", "95%", "评估置信水平", "调高（min）"),
        ("integrity", "transfer_share_max", 0.6, "60%", "50%", "转移性收入占纯收入比例",
         "调低（max）"),
        ("integrity", "bunching_min_households", 1000, "1,000 户", "30 户", "聚集检验最少户数",
         "调低（max）"),
        ("integrity", "fast_elimination_months", 1, "1 月", "2 月", "识别后过快消除（月内）",
         "调高（min）"),
        ("integrity", "bunching_band_share", 0.01, "1%", "5%", "收入聚集带宽（线上比例）",
         "调高（min）"),
    ],
)  # fmt: skip
def test_loosening_an_evaluation_or_integrity_value_is_refused(
    tmp_path: Path,
    section: str,
    name: str,
    value: float,
    shown: str,
    floor_shown: str,
    label: str,
    way: str,
) -> None:
    floor(tmp_path)
    write(tmp_path, "2024-433124.toml", county_override(2024, "433124", body(section, name, value)))
    before = files_in(tmp_path)

    assert only_error(tmp_path) == (
        "loosening",
        "2024-433124.toml",
        f"{section}.{name}",
        f"2024-433124.toml：{section}.{name}：县级版本设为 {shown}，比上级 2024-national.toml 的 "
        f"{floor_shown} 宽松；“{label}”只能{way}",
    )
    assert files_in(tmp_path) == before


def test_tightening_evaluation_and_integrity_values_is_allowed(tmp_path: Path) -> None:
    floor(tmp_path)
    lines = (
        body("evaluation", "wrong_exit_rate_max", 0.01)
        + 'approval_rate_min = { value = 0.95, confirmed = true, source = "x" }\n'
        + 'confidence_level = { value = 0.99, confirmed = true, source = "x" }\n'
        + 'incidence_max_west = { value = 0.025, confirmed = true, source = "x" }\n'
        + body("integrity", "transfer_share_max", 0.4)
        + 'bunching_min_households = { value = 20, confirmed = true, source = "x" }\n'
        + 'fast_elimination_months = { value = 3, confirmed = true, source = "x" }\n'
    )
    write(tmp_path, "2024-4331.toml", county_override(2024, "4331", lines))

    edition = load_editions(tmp_path).resolve(2024, "433124")

    evaluation = edition.evaluation
    assert (evaluation.wrong_exit_rate_max, evaluation.approval_rate_min) == (0.01, 0.95)
    assert (evaluation.confidence_level, evaluation.incidence_max_west) == (0.99, 0.025)
    assert evaluation.incidence_max == 0.02  # inherited
    assert evaluation.is_confirmed("wrong_exit_rate_max") is True
    integrity = edition.integrity
    assert (integrity.transfer_share_max, integrity.bunching_min_households) == (0.4, 20)
    assert integrity.fast_elimination_months == 3
    value = edition.get("evaluation.wrong_exit_rate_max")
    assert (value.level, value.file, value.display) == (Level.PREFECTURE, "2024-4331.toml", "1%")


def test_lowering_the_western_line_below_the_general_line_is_refused(tmp_path: Path) -> None:
    floor(tmp_path)
    line = body("evaluation", "incidence_max_west", 0.015)
    write(tmp_path, "2024-433124.toml", county_override(2024, "433124", line))

    assert only_error(tmp_path) == (
        "exceeds_limit",
        "2024-433124.toml",
        "evaluation.incidence_max",
        "2024-433124.toml：evaluation.incidence_max：“贫困发生率（村、县退出，须低于）”为 2%"
        "（2024-national.toml），超过“贫困发生率（西部地区，须低于）” 1.5%（2024-433124.toml）；"
        "不得超过后者",
    )


def test_lowering_both_incidence_lines_together_is_allowed(tmp_path: Path) -> None:
    floor(tmp_path)
    lines = body("evaluation", "incidence_max_west", 0.015) + (
        'incidence_max = { value = 0.015, confirmed = true, source = "x" }\n'
    )
    write(tmp_path, "2024-433124.toml", county_override(2024, "433124", lines))

    evaluation = load_editions(tmp_path).resolve(2024, "433124").evaluation

    assert (evaluation.incidence_max, evaluation.incidence_max_west) == (0.015, 0.015)


@pytest.mark.parametrize(
    ("section", "name", "value"),
    [
        ("evaluation", "western_region_prefixes", '[{ code = "43", zh = "湖南省" }]'),
        ("integrity", "quota_shares", "[0.03]"),
    ],
)
def test_a_lower_level_may_not_change_the_fixed_lists(
    tmp_path: Path, section: str, name: str, value: str
) -> None:
    floor(tmp_path)
    write(tmp_path, "2024-43.toml", county_override(2024, "43", body(section, name, value)))

    code, file, key, message = only_error(tmp_path)
    assert (code, file, key) == ("fixed_field", "2024-43.toml", f"{section}.{name}")
    assert message.endswith("为固定项（fixed），省级版本不得覆盖，只能由国家底线设定")


# The two new kinds: region lists and share lists.

FIRST_WESTERN = '{ code = "15", zh = "内蒙古自治区" },'
QUOTA = "value = [0.05, 0.1],"


@pytest.mark.parametrize(
    ("item", "key", "detail"),
    [
        ('{ code = "99", zh = "x" },', "evaluation.western_region_prefixes.value[0].code",
         "区划代码“990000000000”的省级代码“99”不存在"),
        ('{ code = "4300", zh = "x" },', "evaluation.western_region_prefixes.value[0].code",
         "“4300”末两位为 00，请写成更短的上级代码"),
        ('{ code = "west", zh = "x" },', "evaluation.western_region_prefixes.value[0].code",
         "“west”应为 2/4/6 位区划代码（省/地/县）"),
    ],
)  # fmt: skip
def test_a_region_list_holds_only_real_region_codes(
    tmp_path: Path, item: str, key: str, detail: str
) -> None:
    floor(tmp_path, (FIRST_WESTERN, item))

    assert only_error(tmp_path) == (
        "bad_region",
        "2024-national.toml",
        key,
        f"2024-national.toml：{key}：{detail}",
    )


def test_a_duplicate_region_is_a_bad_value(tmp_path: Path) -> None:
    floor(tmp_path, (FIRST_WESTERN, FIRST_WESTERN + '\n  { code = "15", zh = "重复" },'))

    assert only_error(tmp_path)[:3] == (
        "bad_value",
        "2024-national.toml",
        "evaluation.western_region_prefixes.value[1].code",
    )


@pytest.mark.parametrize(
    ("value", "code", "key", "detail"),
    [
        ("[]", "bad_value", "integrity.quota_shares.value", "列表不能为空"),
        ("[0.1, 0.05]", "bad_value", "integrity.quota_shares.value", "比例应从小到大排列且不重复"),
        ("[0.05, 0.05]", "bad_value", "integrity.quota_shares.value",
         "比例应从小到大排列且不重复"),
        ("[0.05, 1.5]", "bad_value", "integrity.quota_shares.value[1]", "1.5 应大于 0 且小于 1"),
        ("[0, 0.05]", "bad_value", "integrity.quota_shares.value[0]", "0 应大于 0 且小于 1"),
        ('["5%"]', "wrong_type", "integrity.quota_shares.value[0]",
         "应为 0 到 1 之间的比例，实为 '5%'"),
        ("0.05", "wrong_type", "integrity.quota_shares.value",
         "应为比例列表（如 [0.05, 0.10]），实为 0.05"),
    ],
)  # fmt: skip
def test_a_share_list_is_non_empty_ascending_and_strictly_between_0_and_1(
    tmp_path: Path, value: str, code: str, key: str, detail: str
) -> None:
    floor(tmp_path, (QUOTA, f"value = {value},"))

    assert only_error(tmp_path) == (code, "2024-national.toml", key,
                                    f"2024-national.toml：{key}：{detail}")  # fmt: skip


@pytest.mark.parametrize(
    ("old", "new", "key", "detail"),
    [
        ("benford_min_records = { value = 50,", "benford_min_records = { value = 5,",
         "integrity.benford_min_records.value", "5 小于下限 10"),
        ("fast_elimination_months = { value = 2,", "fast_elimination_months = { value = 0,",
         "integrity.fast_elimination_months.value", "0 小于下限 1"),
        ("bunching_band_share = { value = 0.05,", "bunching_band_share = { value = 0.8,",
         "integrity.bunching_band_share.value", "0.8 大于上限 0.5"),
    ],
)  # fmt: skip
def test_integrity_values_stay_within_what_the_detectors_accept(
    tmp_path: Path, old: str, new: str, key: str, detail: str
) -> None:
    floor(tmp_path, (old, new))

    assert only_error(tmp_path) == ("bad_value", "2024-national.toml", key,
                                    f"2024-national.toml：{key}：{detail}")  # fmt: skip


def test_a_confidence_level_of_one_is_a_bad_value(tmp_path: Path) -> None:
    floor(tmp_path, ("confidence_level = { value = 0.95,", "confidence_level = { value = 1,"))

    assert only_error(tmp_path) == (
        "bad_value",
        "2024-national.toml",
        "evaluation.confidence_level.value",
        "2024-national.toml：evaluation.confidence_level.value：1.0 大于上限 0.999",
    )


def test_a_floor_without_the_evaluation_section_misses_every_key(tmp_path: Path) -> None:
    text = edited("2024-national.toml")
    start, end = text.index("\n[evaluation]\n"), text.index("\n[integrity]\n")
    write(tmp_path, "2024-national.toml", text[:start] + text[end:])

    with pytest.raises(PolicyValidationError) as caught:
        load_editions(tmp_path)

    assert [(e.code, e.key) for e in caught.value.errors] == [
        ("missing_key", f"evaluation.{name}")
        for name in (
            "wrong_exit_rate_max", "omission_rate_max", "approval_rate_min", "incidence_max",
            "incidence_max_west", "registry_incidence_max", "western_region_prefixes",
            "confidence_level",
        )
    ]  # fmt: skip
