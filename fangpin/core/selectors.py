"""Reads of the core app: regions (统计用区划代码).

Selectors never write. Codes may be given in any short form ``fangpin.regioncode`` accepts
("433124" is the county 433124000000).
"""

from __future__ import annotations

import functools
from datetime import date

from django.db.models import Q, QuerySet

from fangpin.core.models import Region, RegionLevel
from fangpin.regioncode import RegionCodeError, normalise_code, parse_code, subtree_prefix

__all__ = [
    "region_cache_clear",
    "region_children",
    "region_code_known_on",
    "region_get",
    "region_names",
    "region_path",
    "region_subtree_codes_prefix",
    "region_villages_in_scope",
]


def _full_code(code: str) -> str:
    """Normalise ``code``; a malformed one cannot name a region, so it is simply not found."""
    try:
        return normalise_code(code)
    except RegionCodeError as exc:
        raise Region.DoesNotExist(exc.message) from exc


def region_get(*, code: str) -> Region:
    """Return the region with ``code`` (abolished ones too). Raises ``Region.DoesNotExist``."""
    return Region.objects.get(code=_full_code(code))


def region_names(codes: set[str]) -> dict[str, str]:
    """Names of the regions with the given 12-digit ``codes`` (one query); unknown codes absent."""
    return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))


def region_children(*, code: str, on: date | None = None) -> QuerySet[Region]:
    """Return the direct children of ``code``, by code; with ``on``, only those in force that day.

    A prefecture-level city without counties (东莞 441900000000) has townships as children.
    """
    try:
        children = Region.objects.filter(parent_id=normalise_code(code))
    except RegionCodeError:
        return Region.objects.none()
    if on is not None:
        children = children.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on)).filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=on)
        )
    return children.order_by("code")


def region_villages_in_scope(*, user: object) -> QuerySet[Region]:
    """Current village-level regions inside the viewer's scope (region codes are public data).

    Uses the same code range as the registry selectors' scope filter.
    """
    from fangpin.core.scope import scope_prefix

    prefix = scope_prefix(user)
    if prefix is None:
        return Region.objects.none()
    rows = Region.objects.filter(level=RegionLevel.VILLAGE, valid_to__isnull=True)
    if prefix:
        rows = rows.filter(code__range=(prefix.ljust(12, "0"), prefix.ljust(12, "9")))
    return rows.order_by("code")


def region_subtree_codes_prefix(code: str) -> str:
    """Return the code prefix shared by ``code``'s whole subtree (433124000000 → "433124").

    Use it as ``code__startswith`` (or ``village_code__startswith``) in scope filters.
    Raises :class:`fangpin.regioncode.RegionCodeError` for a malformed code.
    """
    return subtree_prefix(code)


def region_path(*, code: str) -> list[Region]:
    """Return province → … → the region itself (one query). Raises ``Region.DoesNotExist``."""
    full = _full_code(code)
    try:
        info = parse_code(full)
    except RegionCodeError as exc:
        raise Region.DoesNotExist(exc.message) from exc
    ancestry = [
        info.province_code,
        info.prefecture_code,
        info.county_code,
        info.township_code,
        info.village_code,
    ]
    found = {r.code: r for r in Region.objects.filter(code__in=[c for c in ancestry if c])}
    if full not in found:
        raise Region.DoesNotExist(f"区划 {full} 未加载")
    return [found[c] for c in ancestry if c in found]


@functools.lru_cache(maxsize=1)
def _address_codes() -> tuple[bool, dict[str, date | None]]:
    """Whether any region is loaded, and county/prefecture code6 → valid_to (None: in force)."""
    if not Region.objects.exists():
        return False, {}
    rows = Region.objects.filter(
        level__in=[RegionLevel.PREFECTURE, RegionLevel.COUNTY]
    ).values_list("code", "valid_to")
    return True, {code[:6]: valid_to for code, valid_to in rows}


def region_code_known_on(code6: str, on: date) -> bool:
    """Return whether ``code6`` was an ID-number address code in force on ``on`` (the birth date).

    Meant as ``fangpin.idnumber.parse(region_known=...)``. True when no regions are loaded at
    all (there is nothing to check against). Otherwise the county (level 3) or prefecture
    (level 2, "433100") with that code must exist and not have been abolished before ``on``.
    A code that came into force after ``on`` is still accepted: ID numbers carry the address
    code of registration, which may postdate birth.

    Cached per process; :func:`region_cache_clear` drops the cache (``regions_load`` calls it
    on commit).
    """
    any_loaded, codes = _address_codes()
    if not any_loaded:
        return True
    if len(code6) != 6 or not code6.isdigit() or code6 not in codes:
        return False
    valid_to = codes[code6]
    return valid_to is None or valid_to >= on


def region_cache_clear() -> None:
    """Forget the cached address codes (after regions change, and between tests)."""
    _address_codes.cache_clear()
