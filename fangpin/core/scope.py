"""The region scope: which part of the region tree a user's data access covers.

This is the one place scope is computed. Selectors filter by :func:`scope_prefix` (the
12-digit region codes of the user's home-region subtree all start with it); services check a
target with :func:`scope_covers`. A user sees their home region and everything below it, like
DHIS2's "data capture org units include all sub-units".
"""

from __future__ import annotations

from fangpin.core.access import REGISTRY_VIEW, SYSTEM, SystemViewer, user_can
from fangpin.regioncode import RegionCodeError, subtree_prefix

__all__ = ["SYSTEM", "SystemViewer", "scope_covers", "scope_prefix"]


def scope_prefix(user: object, *, capability: str = REGISTRY_VIEW) -> str | None:
    """The code prefix of ``user``'s home-region subtree, for ``code__startswith`` filters.

    ``""`` (everything) only for :data:`SYSTEM`. ``None`` (nothing) when the user lacks
    ``capability`` (household data by default), has no home region, or an unparseable one.
    Costs no query: the home region's code is the foreign-key value itself.
    """
    if user is SYSTEM:
        return ""
    if not user_can(user, capability):
        return None
    code = getattr(user, "home_region_id", None)
    if not code:
        return None
    try:
        return subtree_prefix(str(code))
    except RegionCodeError:
        return None


def scope_covers(user: object, region_code: str, *, capability: str = REGISTRY_VIEW) -> bool:
    """Whether ``region_code`` (a full 12-digit code) lies inside ``user``'s scope."""
    prefix = scope_prefix(user, capability=capability)
    return prefix is not None and region_code.startswith(prefix)
