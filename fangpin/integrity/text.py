"""Figures written the way a reviewer reads them: 7,180元, 1.1%, p=0.0023, 村（433124102201）."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

__all__ = [
    "LEVEL_ZH",
    "common_region",
    "county_of",
    "fen_to_yuan",
    "iso",
    "join_ids",
    "p_value",
    "percent",
    "region_label",
    "township_of",
    "yuan",
]

LEVEL_ZH = {"village": "村", "township": "乡镇", "county": "县"}


def fen_to_yuan(fen: int) -> float:
    return round(int(fen) / 100, 2)


def yuan(amount: float) -> str:
    """``7180.0`` → ``7,180元``; ``7180.5`` → ``7,180.50元``."""
    if abs(amount - round(amount)) < 0.005:
        return f"{round(amount):,}元"
    return f"{amount:,.2f}元"


def percent(share: float, digits: int = 1) -> str:
    return f"{share * 100:.{digits}f}%"


def p_value(p: float) -> str:
    return "p<0.0001" if p < 0.0001 else f"p={p:.4f}"


def region_label(level: str, code: str) -> str:
    return f"{LEVEL_ZH[level]}（{code}）"


def township_of(village_code: str) -> str:
    return village_code[:9] + "000"


def county_of(village_code: str) -> str:
    """The county-level code; a prefecture city without counties (4419…) gives the prefecture."""
    return village_code[:6] + "000000"


def common_region(village_codes: Iterable[str]) -> str:
    """The lowest region holding every village: the village, its township, county, or ""."""
    codes = set(village_codes)
    for length, pad in ((12, ""), (9, "000"), (6, "000000")):
        prefixes = {c[:length] for c in codes}
        if len(prefixes) == 1:
            return next(iter(prefixes)) + pad
    return ""


def join_ids(ids: Iterable[object], limit: int = 10) -> str:
    """``101、102、103``; past ``limit`` ids, ``… 等N户`` keeps an explanation short."""
    items = [str(i) for i in ids]
    shown = "、".join(items[:limit])
    return shown if len(items) <= limit else f"{shown}等{len(items)}户"


def iso(day: date) -> str:
    return day.isoformat()
