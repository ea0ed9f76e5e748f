"""Who may import feeds and which region scope applies (docs/access.md, SEC-AC-1).

The department data officer (``feeds.import``) and the county approver may import, publish
and reject; both read the registry in their scope (``registry.view``), which is the scope the
matched persons must lie in. The system (CLI and jobs) covers the whole country.
"""

from __future__ import annotations

from typing import Any

from fangpin.core.access import FEEDS_IMPORT, REGISTRY_VIEW, is_system_actor, user_can
from fangpin.core.models import Role
from fangpin.core.scope import scope_prefix
from fangpin.feeds.errors import FeedError

__all__ = ["can_use_feeds", "feeds_scope_prefix", "require_feeds"]


def can_use_feeds(user: Any) -> bool:
    """Whether ``user`` may open the feed pages and import, publish or reject batches."""
    if is_system_actor(user):
        return True
    if user_can(user, FEEDS_IMPORT):
        return True
    return user_can(user, REGISTRY_VIEW) and getattr(user, "role", "") == Role.COUNTY_APPROVER


def feeds_scope_prefix(user: Any) -> str | None:
    """The region-code prefix of ``user``'s scope for feeds ("" everything, None nothing)."""
    if is_system_actor(user):
        return ""
    if not can_use_feeds(user):
        return None
    return scope_prefix(user, capability=REGISTRY_VIEW)


def require_feeds(user: Any) -> str:
    """Return the user's scope prefix, or refuse with ``forbidden``."""
    prefix = feeds_scope_prefix(user)
    if prefix is None:
        raise FeedError("forbidden", "没有导入部门数据的权限（需部门数据专员或县级审定角色）")
    return prefix
