"""Who may read plans and visits and who may write them, and where (docs/access.md).

Reading follows the registry scope (``registry.view``): a village cadre sees their village's
plans, visits and photos, a county approver the county's. Writing (measures, visits) needs
``plan.edit`` (village cadre, township reviewer, county approver) with the household's village
inside the scope. The system (CLI, demo, jobs) covers the whole country.
"""

from __future__ import annotations

from typing import Any

from fangpin.core.access import PLAN_EDIT, REGISTRY_VIEW, is_system_actor
from fangpin.core.scope import scope_prefix

__all__ = ["edit_prefix", "read_prefix"]


def read_prefix(user: Any) -> str | None:
    """The region-code prefix of what ``user`` may read ("" everything, None nothing)."""
    if is_system_actor(user):
        return ""
    return scope_prefix(user, capability=REGISTRY_VIEW)


def edit_prefix(user: Any) -> str | None:
    """The prefix within which ``user`` may write plans and visits ("" everywhere, None nowhere)."""
    if is_system_actor(user):
        return ""
    return scope_prefix(user, capability=PLAN_EDIT)
