"""Who may start screening runs, verify clues and read casework, and where (docs/access.md).

Reading warnings and clues follows the registry scope (``registry.view``): a village cadre
sees their village's clues, a county approver the county's. Starting a run needs
``screening.run`` (county approver) and the region inside the actor's scope; verifying a clue
needs ``clue.verify`` (village cadre, township reviewer) and the clue's village inside it.
The system (CLI and jobs) covers the whole country.
"""

from __future__ import annotations

from typing import Any

from fangpin.core.access import (
    CASE_DECIDE,
    CLUE_VERIFY,
    REGISTRY_VIEW,
    SCREENING_RUN,
    is_system_actor,
)
from fangpin.core.scope import scope_prefix

__all__ = [
    "case_decide_prefix",
    "casework_scope_prefix",
    "clue_verify_prefix",
    "screening_run_prefix",
]


def casework_scope_prefix(user: Any) -> str | None:
    """The region-code prefix of what ``user`` may read ("" everything, None nothing)."""
    if is_system_actor(user):
        return ""
    return scope_prefix(user, capability=REGISTRY_VIEW)


def screening_run_prefix(user: Any) -> str | None:
    """The prefix within which ``user`` may start screening runs (None: nowhere)."""
    if is_system_actor(user):
        return ""
    return scope_prefix(user, capability=SCREENING_RUN)


def clue_verify_prefix(user: Any) -> str | None:
    """The prefix within which ``user`` may verify clues (None: nowhere)."""
    if is_system_actor(user):
        return ""
    return scope_prefix(user, capability=CLUE_VERIFY)


def case_decide_prefix(user: Any) -> str | None:
    """The prefix within which ``user`` may take procedure steps (None: nowhere)."""
    if is_system_actor(user):
        return ""
    return scope_prefix(user, capability=CASE_DECIDE)
