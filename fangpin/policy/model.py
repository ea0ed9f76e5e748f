"""The loaded shape of an edition file: header, level and one entry per key set."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["NATIONAL", "CatalogueItem", "Edition", "Entry", "Level", "Value", "level_of"]

NATIONAL = "national"


class Level(StrEnum):
    NATIONAL = "national"
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"

    @property
    def zh(self) -> str:
        return _LEVEL_ZH[self]

    @property
    def depth(self) -> int:
        return _LEVEL_DEPTH[self]


_LEVEL_ZH = {
    Level.NATIONAL: "国家",
    Level.PROVINCE: "省",
    Level.PREFECTURE: "地",
    Level.COUNTY: "县",
}
_LEVEL_DEPTH = {Level.NATIONAL: 0, Level.PROVINCE: 1, Level.PREFECTURE: 2, Level.COUNTY: 3}
_LEVEL_BY_LENGTH = {2: Level.PROVINCE, 4: Level.PREFECTURE, 6: Level.COUNTY}


def level_of(region: str) -> Level:
    """Level of an edition's region: ``national`` or a 2-, 4- or 6-digit code."""
    return Level.NATIONAL if region == NATIONAL else _LEVEL_BY_LENGTH[len(region)]


@dataclass(frozen=True, slots=True)
class CatalogueItem:
    """One value of a list such as the risk types or the measure categories."""

    code: str
    zh: str
    en: str = ""
    code_table: str = ""
    confirmed: bool = True

    def as_dict(self) -> dict[str, str | bool]:
        return {
            "code": self.code,
            "zh": self.zh,
            "en": self.en,
            "code_table": self.code_table,
            "confirmed": self.confirmed,
        }


# A tuple is a list of CatalogueItem (catalogue and region kinds) or of floats (shares).
Value = int | float | bool | str | tuple[CatalogueItem, ...] | tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Entry:
    """A value as written in one file, with whether a source confirmed it and which."""

    value: Value
    confirmed: bool
    source: str


@dataclass(frozen=True, slots=True)
class Edition:
    """One edition file: a year and a region holding the entries it sets."""

    year: int
    region: str
    title: str
    basis: str
    is_example: bool
    file: str
    sha256: str
    entries: Mapping[str, Entry]

    @property
    def level(self) -> Level:
        return level_of(self.region)
