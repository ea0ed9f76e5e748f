"""Who may read declarations and decide on them, and where (docs/access.md, docs/intake.md).

Reading follows the registry scope (``registry.view``): a village cadre sees their village's
declarations, a county approver the county's. Rejecting or marking a duplicate needs
``clue.verify`` (village cadre, township reviewer) with the declaration's village inside the
scope — the same right as verifying a clue. Submitting needs no account at all (the public
form). The system (CLI and jobs) covers the whole country.
"""

from __future__ import annotations

from typing import Any

from fangpin.core.access import CLUE_VERIFY, REGISTRY_VIEW, is_system_actor
from fangpin.core.scope import scope_prefix

__all__ = ["decide_prefix", "read_prefix"]


def read_prefix(user: Any) -> str | None:
    """The region-code prefix of what ``user`` may read ("" everything, None nothing)."""
    if is_system_actor(user):
        return ""
    return scope_prefix(user, capability=REGISTRY_VIEW)


def decide_prefix(user: Any) -> str | None:
    """The prefix within which ``user`` may reject declarations or mark them duplicate."""
    if is_system_actor(user):
        return ""
    return scope_prefix(user, capability=CLUE_VERIFY)
