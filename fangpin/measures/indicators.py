"""The indicator set of the multidimensional measure: codes, Chinese labels, cutoffs, weights.

The default set lives in ``indicators.toml`` beside this module, like the policy editions: data,
not code. :func:`load_indicator_set` reads it (or another file of the same shape) and applies
overrides of k, weights and cutoffs, checking everything and reporting in Chinese.

Default (DOMAIN.md §6.1 and §7): three equally weighted dimensions — basic living (food,
clothing, drinking water), basic public services (compulsory education, basic medical
insurance, housing safety) and income — with each dimension's third split equally among its
indicators (1/9 each, income 1/3), and k = 1/3. Why: the national exit test is "income above
the line, and 两不愁三保障" (most provinces adding water); putting income in a dimension of its
own keeps the cardinal income test from being outweighed by the six yes/no checks. With
k = 1/3 an income below the line is poverty by itself, and so are three of the six checks
failed; k = 1/9 (any single failure) reproduces the all-or-nothing exit test.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from fangpin.measures.errors import MeasureError
from fangpin.measures.inputs import FloatArray

__all__ = [
    "DEFAULT_INDICATORS",
    "DEFAULT_INDICATOR_SET",
    "DEFAULT_PATH",
    "Dimension",
    "Indicator",
    "IndicatorSet",
    "custom_indicator_set",
    "load_indicator_set",
]

DEFAULT_PATH = Path(__file__).resolve().parent / "indicators.toml"
LINE = "line"  # the cutoff value meaning "the income line of the run"


@dataclass(frozen=True, slots=True)
class Dimension:
    code: str
    zh: str
    weight: float


@dataclass(frozen=True, slots=True)
class Indicator:
    """One indicator: deprived when the achievement is strictly below ``cutoff``.

    ``cutoff`` None means the income line of the run (given to :meth:`IndicatorSet.cutoffs`).
    ``cardinal`` marks an indicator whose achievement is a quantity (income) rather than a
    0/1 flag, the only kind for which M1 and M2 differ from M0.
    """

    code: str
    zh: str
    dimension: str
    weight: float
    cutoff: float | None
    cardinal: bool = False


@dataclass(frozen=True, slots=True)
class IndicatorSet:
    """An indicator set with its poverty cutoff ``k`` (a share of the total weight)."""

    title: str
    source: str
    k: float
    dimensions: tuple[Dimension, ...]
    indicators: tuple[Indicator, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.indicators)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(i.zh for i in self.indicators)

    def weights(self) -> FloatArray:
        return np.array([i.weight for i in self.indicators], dtype=np.float64)

    def cutoffs(self, line: float | None = None) -> FloatArray:
        """The cutoffs in indicator order; ``line`` fills the indicators that use the line."""
        values: list[float] = []
        for indicator in self.indicators:
            if indicator.cutoff is not None:
                values.append(indicator.cutoff)
            elif line is None:
                raise MeasureError(
                    "indicators", f"指标“{indicator.zh}”以标准线为临界值，但未给出标准线"
                )
            else:
                values.append(float(line))
        return np.array(values, dtype=np.float64)


def _number(value: object, where: str) -> float:
    """A positive finite number from a TOML int, float or a fraction such as "1/3"."""
    try:
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, str):
            number = float(Fraction(value.strip()))
        elif isinstance(value, int | float):
            number = float(value)
        else:
            raise ValueError
    except (ValueError, ZeroDivisionError):
        raise MeasureError(
            "indicators", f'{where}应为正数或分数（如 "1/3"），实际为 {value!r}'
        ) from None
    if not math.isfinite(number) or number <= 0:
        raise MeasureError("indicators", f"{where}应为正数，实际为 {value!r}")
    return number


def _text(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise MeasureError("indicators", f"{where}缺少文本项 {key}")
    return value.strip()


def _parse(raw: Mapping[str, Any], name: str) -> IndicatorSet:
    header = raw.get("set")
    if not isinstance(header, dict):
        raise MeasureError("indicators", f"指标集文件 {name} 缺少 [set] 表")
    dimensions: dict[str, Dimension] = {}
    for item in raw.get("dimensions", []):
        code = _text(item, "code", f"{name} 的维度")
        if code in dimensions:
            raise MeasureError("indicators", f"{name} 中维度 {code} 重复")
        weight = _number(item.get("weight"), f"{name} 维度 {code} 的权重")
        dimensions[code] = Dimension(code, _text(item, "zh", f"{name} 维度 {code} "), weight)
    members: dict[str, list[dict[str, Any]]] = {code: [] for code in dimensions}
    items = raw.get("indicators", [])
    if not items:
        raise MeasureError("indicators", f"指标集文件 {name} 没有指标")
    for item in items:
        code = _text(item, "code", f"{name} 的指标")
        dimension = _text(item, "dimension", f"{name} 指标 {code} ")
        if dimension not in members:
            raise MeasureError("indicators", f"{name} 指标 {code} 的维度 {dimension} 未定义")
        members[dimension].append(item)
    indicators: list[Indicator] = []
    seen: set[str] = set()
    for item in items:
        code = item["code"].strip()
        if code in seen:
            raise MeasureError("indicators", f"{name} 中指标 {code} 重复")
        seen.add(code)
        group = dimensions[item["dimension"].strip()]
        if "weight" in item:
            weight = _number(item["weight"], f"{name} 指标 {code} 的权重")
        else:
            weight = group.weight / len(members[group.code])
        raw_cutoff = item.get("cutoff")
        cutoff = None if raw_cutoff == LINE else _number(raw_cutoff, f"{name} 指标 {code} 的临界值")
        cardinal = item.get("cardinal", False)
        if not isinstance(cardinal, bool):
            raise MeasureError("indicators", f"{name} 指标 {code} 的 cardinal 应为 true 或 false")
        zh = _text(item, "zh", f"{name} 指标 {code} ")
        indicators.append(Indicator(code, zh, group.code, weight, cutoff, cardinal))
    k = _number(header.get("k"), f"{name} 的贫困临界值 k")
    if k > 1:
        raise MeasureError("indicators", f"{name} 的 k 是权重份额，应在 (0, 1] 内，实际为 {k:g}")
    return IndicatorSet(
        title=_text(header, "title", f"{name} 的 [set] "),
        source=str(header.get("source", "")),
        k=k,
        dimensions=tuple(dimensions.values()),
        indicators=tuple(indicators),
    )


def load_indicator_set(
    path: str | Path | None = None,
    *,
    k: float | str | None = None,
    weights: Mapping[str, float | str] | None = None,
    cutoffs: Mapping[str, float | str] | None = None,
) -> IndicatorSet:
    """Load an indicator set file (default: the shipped one) and apply overrides.

    ``weights`` and ``cutoffs`` map indicator codes to new values (numbers or fractions); an
    unknown code is an error, not ignored. Weights need not sum to 1: k is a share of their
    total. A cutoff override of ``"line"`` makes an indicator use the income line.
    """
    source = Path(path) if path is not None else DEFAULT_PATH
    try:
        raw = tomllib.loads(source.read_text("utf-8"))
    except FileNotFoundError:
        raise MeasureError("indicators", f"找不到指标集文件 {source}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MeasureError(
            "indicators", f"指标集文件 {source.name} 不是有效的 TOML：{exc}"
        ) from exc
    result = _parse(raw, source.name)
    by_code = {i.code: i for i in result.indicators}
    for label, overrides in (("权重", weights or {}), ("临界值", cutoffs or {})):
        for code, value in overrides.items():
            if code not in by_code:
                known = "、".join(by_code)
                raise MeasureError(
                    "indicators", f"没有指标 {code}（可用：{known}），不能覆盖其{label}"
                )
            if label == "权重":
                by_code[code] = replace(by_code[code], weight=_number(value, f"指标 {code} 的权重"))
            elif value == LINE:
                by_code[code] = replace(by_code[code], cutoff=None)
            else:
                by_code[code] = replace(
                    by_code[code], cutoff=_number(value, f"指标 {code} 的临界值")
                )
    if k is not None:
        share = _number(k, "贫困临界值 k")
        if share > 1:
            raise MeasureError("indicators", f"k 是权重份额，应在 (0, 1] 内，实际为 {share:g}")
        result = replace(result, k=share)
    return replace(result, indicators=tuple(by_code[i.code] for i in result.indicators))


def custom_indicator_set(
    specs: Sequence[tuple[str, float | str, float | str]],
    *,
    k: float | str = 1,
    title: str = "自定义指标",
) -> IndicatorSet:
    """An indicator set of ``(code, cutoff, weight)`` triples in one dimension.

    For indicators named on the command line: the code doubles as the label, a cutoff of
    ``"line"`` means the income line, cutoffs and weights may be fractions; ``k`` is a share
    (default 1, the intersection approach: poor only when deprived in every indicator).
    """
    if not specs:
        raise MeasureError("indicators", "没有指标")
    indicators: list[Indicator] = []
    for code, cutoff, weight in specs:
        if any(i.code == code for i in indicators):
            raise MeasureError("indicators", f"指标 {code} 重复")
        value = None if cutoff == LINE else _number(cutoff, f"指标 {code} 的临界值")
        indicators.append(
            Indicator(code, code, "all", _number(weight, f"指标 {code} 的权重"), value, False)
        )
    share = _number(k, "贫困临界值 k")
    if share > 1:
        raise MeasureError("indicators", f"k 是权重份额，应在 (0, 1] 内，实际为 {share:g}")
    total = sum(i.weight for i in indicators)
    return IndicatorSet(
        title=title,
        source="",
        k=share,
        dimensions=(Dimension("all", "全部", total),),
        indicators=tuple(indicators),
    )


DEFAULT_INDICATOR_SET = load_indicator_set()
DEFAULT_INDICATORS = DEFAULT_INDICATOR_SET.indicators
