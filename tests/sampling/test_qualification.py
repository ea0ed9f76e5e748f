"""Exit qualification by incidence: western and general lines, real region codes, exactness.

Codes: 433124 花垣县 (湘西州 4331, 比照西部, unconfirmed); 522601 凯里市 (贵州 52, western);
341822 广德 (安徽 34, not western).
"""

from __future__ import annotations

import pytest

from fangpin.policy import resolve
from fangpin.sampling import (
    ExitRule,
    RegionCount,
    SamplingError,
    exit_qualification,
    exit_qualifications,
    registry_qualification,
)

THRESHOLDS_2020 = resolve(2020, "433124").evaluation  # lines confirmed in 2020


def test_huayuan_is_held_to_the_western_line_unconfirmed() -> None:
    result = exit_qualification(
        poor_people=50, rural_population=2000, region_code="433124", thresholds=THRESHOLDS_2020
    )

    assert (result.rule, result.is_qualified, result.is_western) == (
        ExitRule.INCIDENCE, True, True,
    )  # fmt: skip
    assert (result.incidence, result.threshold) == (0.025, 0.03)
    assert result.western_region is not None
    assert result.western_region.code == "4331"
    assert result.is_threshold_confirmed is False  # 比照西部 is not confirmed
    assert result.text_zh == (
        "贫困发生率为2.50%（贫困人口50人÷农村人口2,000人），低于西部地区标准3%，达到退出标准；"
        "433124属湘西土家族苗族自治州（比照西部），适用西部标准（此项未证实）"
    )


def test_kaili_in_guizhou_is_western_and_confirmed() -> None:
    result = exit_qualification(
        poor_people=50, rural_population=2000, region_code="522601", thresholds=THRESHOLDS_2020
    )

    assert (result.is_qualified, result.threshold, result.is_threshold_confirmed) == (
        True, 0.03, True,
    )  # fmt: skip
    assert result.text_zh == (
        "贫困发生率为2.50%（贫困人口50人÷农村人口2,000人），低于西部地区标准3%，达到退出标准；"
        "522601属贵州省，适用西部标准"
    )


def test_guangde_in_anhui_is_held_to_the_general_line() -> None:
    result = exit_qualification(
        poor_people=50, rural_population=2000, region_code="341822", thresholds=THRESHOLDS_2020
    )

    assert (result.is_qualified, result.is_western, result.threshold) == (False, False, 0.02)
    assert result.is_threshold_confirmed is True
    assert result.text_zh == (
        "贫困发生率为2.50%（贫困人口50人÷农村人口2,000人），不低于一般地区标准2%，未达到退出标准"
    )


def test_the_line_itself_does_not_qualify() -> None:
    # 60 ÷ 2,000 is exactly 3%: "below 3%" fails, compared exactly (not as binary floats)
    at_line = exit_qualification(
        poor_people=60, rural_population=2000, region_code="522601", thresholds=THRESHOLDS_2020
    )
    just_below = exit_qualification(
        poor_people=1999, rural_population=100000, region_code="341822", thresholds=THRESHOLDS_2020
    )

    assert at_line.is_qualified is False
    assert at_line.text_zh.startswith("贫困发生率为3.00%（贫困人口60人÷农村人口2,000人），不低于")
    assert just_below.is_qualified is True
    # 1.999% is shown with three decimals so that it does not print as the line (2.00%)
    assert just_below.text_zh.startswith("贫困发生率为1.999%（贫困人口1,999人÷农村人口100,000人）")


def test_a_village_code_uses_its_county_s_line() -> None:
    result = exit_qualification(
        poor_people=3, rural_population=120, region_code="433124100201", thresholds=THRESHOLDS_2020
    )

    assert (result.is_qualified, result.threshold) == (True, 0.03)  # 2.5% < 3%


def test_a_later_edition_notes_the_unconfirmed_line() -> None:
    result = exit_qualification(
        poor_people=10,
        rural_population=2000,
        region_code="341822",
        thresholds=resolve(2024, "341822").evaluation,
    )

    assert result.is_qualified is True
    assert result.is_threshold_confirmed is False
    assert result.text_zh == (
        "贫困发生率为0.50%（贫困人口10人÷农村人口2,000人），低于一般地区标准2%，达到退出标准；"
        "注：2%的标准线在所用政策版本中未证实"
    )


def test_registry_rule_blocks_only_above_three_percent() -> None:
    at_line = registry_qualification(
        registered_poor=60, rural_population=2000, region_code="341822", thresholds=THRESHOLDS_2020
    )
    above = registry_qualification(
        registered_poor=61, rural_population=2000, region_code="341822", thresholds=THRESHOLDS_2020
    )

    assert (at_line.rule, at_line.is_qualified, above.is_qualified) == (
        ExitRule.REGISTRY, True, False,
    )  # fmt: skip
    assert at_line.text_zh == (
        "退出年度系统内贫困发生率为3.00%（系统内贫困人口60人÷农村人口2,000人），"
        "未高于3%，不因此项影响退出"
    )
    assert above.text_zh == (
        "退出年度系统内贫困发生率为3.05%（系统内贫困人口61人÷农村人口2,000人），高于3%，不得退出"
    )


def test_many_regions_at_once_keep_their_order() -> None:
    rows = [
        RegionCount("341822", 30, 2000),
        RegionCount("433124", 50, 2000),
        RegionCount("522601", 70, 2000),
    ]

    results = exit_qualifications(rows, THRESHOLDS_2020)

    assert [(r.region_code, r.is_qualified, r.threshold) for r in results] == [
        ("341822", True, 0.02), ("433124", True, 0.03), ("522601", False, 0.03),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("poor", "rural", "code", "error", "message"),
    [
        (1, 100, "4331", "bad_region", "区划代码“4331”应为 6 位或 12 位数字"),
        (1, 100, "993124", "bad_region", "区划代码“993124000000”的省级代码“99”不存在"),
        (1, 0, "341822", "zero_denominator", "“341822”的农村人口为 0，无法计算发生率"),
        (101, 100, "341822", "bad_input", "“341822”的贫困人口多于农村人口"),
        (-1, 100, "341822", "bad_input", "贫困人口应为非负整数，实为 -1"),
    ],
)
def test_refusals(poor: int, rural: int, code: str, error: str, message: str) -> None:
    with pytest.raises(SamplingError) as caught:
        exit_qualification(
            poor_people=poor, rural_population=rural, region_code=code, thresholds=THRESHOLDS_2020
        )

    assert (caught.value.code, caught.value.message) == (error, message)
