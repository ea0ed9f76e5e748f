"""Code tables (码表) as data: every coded field's values, labels and attributes.

The values live in ``tables.toml`` beside this file, not in ``if`` chains. Each table has a
title, the source it follows (a national standard, the national system's code table, or a
local list), and values with a Chinese and an English label plus optional attributes (for
example ``has_labour`` on labour-ability codes, ``safe`` on housing grades). A value whose
code number no source confirmed carries ``confirmed = false`` so the UI can flag it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["CodeError", "CodeTable", "CodeValue", "all_tables", "table"]


class CodeError(ValueError):
    """An unknown table or a value not in its table."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class CodeValue:
    code: str
    zh: str
    en: str
    confirmed: bool = True
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CodeTable:
    name: str
    title: str
    source: str
    values: tuple[CodeValue, ...]

    def get(self, code: str) -> CodeValue:
        """Return the value for ``code`` or raise CodeError with a Chinese message."""
        for value in self.values:
            if value.code == code:
                return value
        raise CodeError("code_value", f"{self.title}代码“{code}”不在码表中")

    def __contains__(self, code: object) -> bool:
        return any(v.code == code for v in self.values)

    def label(self, code: str) -> str:
        return self.get(code).zh

    def codes(self) -> tuple[str, ...]:
        return tuple(v.code for v in self.values)

    def codes_where(self, attr: str, expected: object = True) -> tuple[str, ...]:
        """Codes whose attribute ``attr`` equals ``expected`` (e.g. has_labour = true)."""
        return tuple(v.code for v in self.values if v.attrs.get(attr) == expected)

    def choices(self) -> list[tuple[str, str]]:
        return [(v.code, f"{v.code} {v.zh}") for v in self.values]


@cache
def all_tables() -> dict[str, CodeTable]:
    raw = tomllib.loads(resources.files(__package__).joinpath("tables.toml").read_text("utf-8"))
    tables: dict[str, CodeTable] = {}
    for name, spec in raw.items():
        values = []
        for item in spec["values"]:
            attrs = {k: v for k, v in item.items() if k not in {"code", "zh", "en", "confirmed"}}
            values.append(
                CodeValue(
                    code=str(item["code"]),
                    zh=str(item["zh"]),
                    en=str(item["en"]),
                    confirmed=bool(item.get("confirmed", True)),
                    attrs=attrs,
                )
            )
        tables[name] = CodeTable(
            name=name, title=str(spec["title"]), source=str(spec["source"]), values=tuple(values)
        )
    return tables


def table(name: str) -> CodeTable:
    try:
        return all_tables()[name]
    except KeyError:
        raise CodeError("code_table", f"没有名为“{name}”的码表") from None
