"""Verdicts against a standard line: every status in both directions, and the exact texts."""

from __future__ import annotations

import pytest

from fangpin.policy import resolve
from fangpin.sampling import (
    Direction,
    Estimate,
    Indicator,
    SamplingError,
    VerdictStatus,
    indicator_verdict,
    percent,
    verdict,
)


def estimate(value: float, low: float, high: float, confidence: float = 0.95) -> Estimate:
    return Estimate(
        value=value, se=(high - low) / 3.92, ci_low=low, ci_high=high, confidence=confidence,
        n_households=500, n_clusters=20, n_strata=5, df=15, numerator_total=0.0,
        denominator_total=1.0, deff=None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("value", "low", "high", "status", "text"),
    [
        (0.012, 0.004, 0.026, VerdictStatus.STRADDLES,
         "错退率估计为1.2%（95%置信区间0.4%–2.6%），区间跨过2%的标准线，不能据此判定达标"),
        (0.012, 0.004, 0.018, VerdictStatus.PASS,
         "错退率估计为1.2%（95%置信区间0.4%–1.8%），区间整体低于2%，达标"),
        (0.031, 0.023, 0.039, VerdictStatus.FAIL,
         "错退率估计为3.1%（95%置信区间2.3%–3.9%），区间整体不低于2%，未达标"),
        # The line itself is on the bad side of "below": an upper bound of exactly 2% is not
        # below 2%, a lower bound of exactly 2% is already a failure.
        (0.015, 0.01, 0.02, VerdictStatus.STRADDLES,
         "错退率估计为1.5%（95%置信区间1.0%–2.0%），区间跨过2%的标准线，不能据此判定达标"),
        (0.025, 0.02, 0.03, VerdictStatus.FAIL,
         "错退率估计为2.5%（95%置信区间2.0%–3.0%），区间整体不低于2%，未达标"),
        # An upper bound of 1.96% is shown as 1.96%, not rounded onto the line as 2.0%.
        (0.012, 0.004, 0.0196, VerdictStatus.PASS,
         "错退率估计为1.20%（95%置信区间0.40%–1.96%），区间整体低于2%，达标"),
    ],
)  # fmt: skip
def test_a_rate_that_must_be_below_the_line(
    value: float, low: float, high: float, status: VerdictStatus, text: str
) -> None:
    result = verdict(estimate(value, low, high), threshold=0.02, direction="below", label="错退率")

    assert (result.status, result.text_zh) == (status, text)
    assert (result.threshold, result.direction) == (0.02, Direction.BELOW)


@pytest.mark.parametrize(
    ("value", "low", "high", "status", "text"),
    [
        (0.95, 0.921, 0.979, VerdictStatus.PASS,
         "群众认可度估计为95.0%（95%置信区间92.1%–97.9%），区间整体不低于90%，达标"),
        (0.85, 0.80, 0.89, VerdictStatus.FAIL,
         "群众认可度估计为85.0%（95%置信区间80.0%–89.0%），区间整体低于90%，未达标"),
        (0.91, 0.88, 0.94, VerdictStatus.STRADDLES,
         "群众认可度估计为91.0%（95%置信区间88.0%–94.0%），区间跨过90%的标准线，不能据此判定达标"),
        (0.93, 0.90, 0.96, VerdictStatus.PASS,
         "群众认可度估计为93.0%（95%置信区间90.0%–96.0%），区间整体不低于90%，达标"),
    ],
)  # fmt: skip
def test_a_rate_that_must_be_at_least_the_line(
    value: float, low: float, high: float, status: VerdictStatus, text: str
) -> None:
    result = verdict(
        estimate(value, low, high), threshold=0.9, direction=Direction.AT_LEAST, label="群众认可度"
    )

    assert (result.status, result.text_zh) == (status, text)


def test_the_confidence_level_is_named_in_the_text() -> None:
    result = verdict(estimate(0.01, 0.0, 0.015, 0.9), threshold=0.02, direction="below")

    assert result.text_zh == "该比率估计为1.0%（90%置信区间0.0%–1.5%），区间整体低于2%，达标"


def test_an_unknown_direction_is_refused() -> None:
    with pytest.raises(SamplingError) as caught:
        verdict(estimate(0.01, 0.0, 0.02), threshold=0.02, direction="above")

    assert (caught.value.code, caught.value.message) == (
        "bad_parameter", "判定方向应为 below 或 at_least，实为 'above'",
    )  # fmt: skip


def test_indicator_verdict_uses_the_edition_line() -> None:
    thresholds = resolve(2020, "433124").evaluation

    result = indicator_verdict(Indicator.OMISSION, estimate(0.012, 0.004, 0.018), thresholds)

    assert result.text_zh == "漏评率估计为1.2%（95%置信区间0.4%–1.8%），区间整体低于2%，达标"
    assert (Indicator.APPROVAL.zh, Indicator.APPROVAL.direction) == ("群众认可度", "at_least")


def test_indicator_verdict_says_when_the_line_is_unconfirmed() -> None:
    thresholds = resolve(2024, "433124").evaluation  # 2016 lines carried, unconfirmed

    result = indicator_verdict(Indicator.WRONG_EXIT, estimate(0.031, 0.023, 0.039), thresholds)

    assert result.status is VerdictStatus.FAIL
    assert result.text_zh == (
        "错退率估计为3.1%（95%置信区间2.3%–3.9%），区间整体不低于2%，未达标"
        "（注：2%的标准线在所用政策版本中未证实）"
    )


def test_percent_formats() -> None:
    assert [percent(0.02), percent(0.025), percent(0.9), percent(0.012, 1), percent(0, 1)] == [
        "2%", "2.5%", "90%", "1.2%", "0.0%",
    ]  # fmt: skip
    assert VerdictStatus.STRADDLES.zh == "不能判定"
