"""The policy edition's measure catalogue for a household's county and a year.

The 14 categories (DOMAIN.md §4.1) come from the edition in force (``measures.categories``),
so a province that renames or adds one is read, not hard-coded. A year before the earliest
edition uses the earliest one.
"""

from __future__ import annotations

from fangpin.policy import PolicyError, resolve

__all__ = ["category_names"]

_EARLIEST_YEAR = 2020


def category_names(village_code: str, year: int) -> dict[str, str]:
    """Measure category code → Chinese name, in the edition's catalogue order."""
    try:
        edition = resolve(year, village_code[:6])
    except PolicyError:
        edition = resolve(max(year, _EARLIEST_YEAR), village_code[:6])
    return {item.code: item.zh for item in edition.measure_categories}
