"""Chinese display text of a value (tables, error messages); JSON keeps the raw value."""

from __future__ import annotations

from fangpin.policy.model import CatalogueItem, Value
from fangpin.policy.schema import FieldSpec, Kind

__all__ = ["format_value"]

_CHOICE_ZH = {"working": "工作日", "calendar": "自然日"}


def _percent(share: float) -> str:
    return f"{round(share * 100, 4):g}%"


def format_value(spec: FieldSpec, value: Value) -> str:
    """Format ``value`` for people: 7,100 元/人·年, 40%, 是/否, a list of codes and labels."""
    if isinstance(value, tuple):
        return "、".join(
            f"{item.code} {item.zh}" + ("" if item.confirmed else "（未证实）")
            if isinstance(item, CatalogueItem)
            else _percent(item)
            for item in value
        )
    if isinstance(value, bool):
        return "是" if value else "否"
    if spec.kind is Kind.SHARE and isinstance(value, float):
        return _percent(value)
    if isinstance(value, float):
        return f"{value:g} {spec.unit}".strip()
    if isinstance(value, int):
        return f"{value:,} {spec.unit}".strip()
    return _CHOICE_ZH.get(value, value)
