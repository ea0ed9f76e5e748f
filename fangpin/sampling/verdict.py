"""Judge an estimate against a standard line by its confidence interval, in plain Chinese.

A sample estimate is not the population value, so the verdict reads the whole interval:
**PASS** when all of it is on the good side of the line, **FAIL** when all of it is on the
bad side, **STRADDLES** when the line falls inside it — the sample cannot decide, and the text
says so instead of rounding the point estimate into a pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from fangpin.policy import EvaluationThresholds
from fangpin.sampling.errors import SamplingError
from fangpin.sampling.estimate import Estimate
from fangpin.sampling.text import digits_apart, percent

__all__ = [
    "Direction",
    "Indicator",
    "Verdict",
    "VerdictStatus",
    "indicator_verdict",
    "verdict",
]


class Direction(StrEnum):
    BELOW = "below"  # the rate must be strictly below the line (错退率、漏评率 < 2%)
    AT_LEAST = "at_least"  # the rate must be at least the line (群众认可度 ≥ 90%)


class VerdictStatus(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    STRADDLES = "STRADDLES"

    @property
    def zh(self) -> str:
        return _STATUS_ZH[self]


_STATUS_ZH = {
    VerdictStatus.PASS: "达标",
    VerdictStatus.FAIL: "未达标",
    VerdictStatus.STRADDLES: "不能判定",
}


class Indicator(StrEnum):
    """The three sampled indicators of 三率一度 and the edition key of each line."""

    WRONG_EXIT = "wrong_exit_rate"
    OMISSION = "omission_rate"
    APPROVAL = "approval_rate"

    @property
    def zh(self) -> str:
        return _INDICATORS[self][0]

    @property
    def threshold_key(self) -> str:
        return _INDICATORS[self][1]

    @property
    def direction(self) -> Direction:
        return _INDICATORS[self][2]


_INDICATORS = {
    Indicator.WRONG_EXIT: ("错退率", "wrong_exit_rate_max", Direction.BELOW),
    Indicator.OMISSION: ("漏评率", "omission_rate_max", Direction.BELOW),
    Indicator.APPROVAL: ("群众认可度", "approval_rate_min", Direction.AT_LEAST),
}


@dataclass(frozen=True, slots=True)
class Verdict:
    status: VerdictStatus
    text_zh: str
    threshold: float
    direction: Direction


def verdict(
    estimate: Estimate, *, threshold: float, direction: Direction | str, label: str = "该比率"
) -> Verdict:
    """PASS, FAIL or STRADDLES for ``estimate`` against ``threshold``, with a Chinese text.

    ``direction`` ``below``: the rate must be < threshold (PASS iff the upper bound is below
    it; FAIL iff the lower bound is at or above it). ``at_least``: the rate must be ≥ threshold
    (PASS iff the lower bound is at or above it; FAIL iff the upper bound is below it).
    """
    try:
        way = Direction(direction)
    except ValueError:
        raise SamplingError(
            "bad_parameter", f"判定方向应为 below 或 at_least，实为 {direction!r}"
        ) from None
    low, high = estimate.ci_low, estimate.ci_high
    if way is Direction.BELOW:
        status = (
            VerdictStatus.PASS
            if high < threshold
            else VerdictStatus.FAIL
            if low >= threshold
            else VerdictStatus.STRADDLES
        )
    else:
        status = (
            VerdictStatus.PASS
            if low >= threshold
            else VerdictStatus.FAIL
            if high < threshold
            else VerdictStatus.STRADDLES
        )
    digits = digits_apart((estimate.value, low, high), threshold)
    line = percent(threshold)
    head = (
        f"{label}估计为{percent(estimate.value, digits)}"
        f"（{percent(estimate.confidence)}置信区间{percent(low, digits)}–"
        f"{percent(high, digits)}），"
    )
    if status is VerdictStatus.STRADDLES:
        tail = f"区间跨过{line}的标准线，不能据此判定达标"
    elif (status is VerdictStatus.PASS) == (way is Direction.BELOW):
        tail = f"区间整体低于{line}，" + ("达标" if status is VerdictStatus.PASS else "未达标")
    else:
        tail = f"区间整体不低于{line}，" + ("达标" if status is VerdictStatus.PASS else "未达标")
    return Verdict(status=status, text_zh=head + tail, threshold=threshold, direction=way)


def indicator_verdict(
    indicator: Indicator, estimate: Estimate, thresholds: EvaluationThresholds
) -> Verdict:
    """The verdict of one of 错退率, 漏评率, 群众认可度 against the edition's line.

    When the edition does not mark that line confirmed, the text says so.
    """
    threshold: float = getattr(thresholds, indicator.threshold_key)
    result = verdict(
        estimate, threshold=threshold, direction=indicator.direction, label=indicator.zh
    )
    if thresholds.is_confirmed(indicator.threshold_key):
        return result
    note = f"（注：{percent(threshold)}的标准线在所用政策版本中未证实）"
    return Verdict(result.status, result.text_zh + note, result.threshold, result.direction)
