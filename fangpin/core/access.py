"""Roles and capabilities, as data: what each role may do, and at which region level it sits.

A capability is a plain string (``registry.view``). Each role holds a fixed set of them
(:data:`ROLE_CAPABILITIES`); :func:`user_can` is the only question code asks. Django's
``is_superuser`` flag and model permissions grant nothing here: under 三员 separation the system
administrator, the security administrator and the auditor never see household data, and an
account without a role sees nothing at all (docs/access.md).

*Where* a capability applies is the region scope, computed once in :mod:`fangpin.core.scope`.
"""

from __future__ import annotations

from typing import Final

from fangpin.core.models import Role

__all__ = [
    "AUDIT_VIEW",
    "CAPABILITIES",
    "CASE_DECIDE",
    "CLUE_VERIFY",
    "EXPORT_APPROVE",
    "FEEDS_IMPORT",
    "FINDINGS_WRITE",
    "PI_REVEAL",
    "PLAN_EDIT",
    "REGISTRY_EDIT",
    "REGISTRY_VIEW",
    "ROLES_MANAGE",
    "ROLE_CAPABILITIES",
    "ROLE_LEVELS",
    "SCREENING_RUN",
    "SYSTEM",
    "USERS_MANAGE",
    "SystemViewer",
    "is_system_actor",
    "user_can",
    "user_capabilities",
]

REGISTRY_VIEW: Final = "registry.view"
"""Read households, members, finances and conditions (masked) inside the region scope."""
REGISTRY_EDIT: Final = "registry.edit"
"""Write through the registry services inside the region scope."""
PI_REVEAL: Final = "pi.reveal"
"""See an ID or phone number unmasked (each reveal audited with a reason)."""
AUDIT_VIEW: Final = "audit.view"
"""Read the audit log; nothing else."""
USERS_MANAGE: Final = "users.manage"
"""Create, disable and inspect accounts (not their roles)."""
ROLES_MANAGE: Final = "roles.manage"
"""Assign roles and home regions."""
FINDINGS_WRITE: Final = "findings.write"
"""Record inspection and evaluation findings (督查评估)."""
FEEDS_IMPORT: Final = "feeds.import"
"""Import department data feeds (部门数据比对)."""
SCREENING_RUN: Final = "screening.run"
"""Start the monthly screening of the database for a region (部门筛查预警)."""
CLUE_VERIFY: Final = "clue.verify"
"""Record the verification outcome of a risk clue (线索核实: 属实/不属实/已在监测/转民政)."""

CASE_DECIDE: Final = "case.decide"
"""Take the steps of identification and risk elimination (识别认定、风险消除) at the level of
one's post: the village's dossier, the township's review, the county's approval."""

PLAN_EDIT: Final = "plan.edit"
"""Write a monitored household's assistance plan (一户一策: add, edit, stop measures) and log
assistance visits (走访), inside the region scope."""

EXPORT_APPROVE: Final = "export.approve"
"""Approve or deny another user's export request (above the row threshold, or unmasked) whose
requester's region lies inside one's own scope (SEC-EXP-2, docs/exports.md)."""

CAPABILITIES: Final = frozenset(
    {
        REGISTRY_VIEW,
        REGISTRY_EDIT,
        PI_REVEAL,
        AUDIT_VIEW,
        USERS_MANAGE,
        ROLES_MANAGE,
        FINDINGS_WRITE,
        FEEDS_IMPORT,
        SCREENING_RUN,
        CLUE_VERIFY,
        CASE_DECIDE,
        PLAN_EDIT,
        EXPORT_APPROVE,
    }
)

ROLE_CAPABILITIES: Final[dict[str, frozenset[str]]] = {
    # 帮扶责任人/村委: keeps their village's registry.
    # 帮扶责任人/村委: keeps their village's registry and verifies its risk clues.
    Role.VILLAGE_CADRE: frozenset(
        {REGISTRY_VIEW, REGISTRY_EDIT, CLUE_VERIFY, CASE_DECIDE, PLAN_EDIT}
    ),
    # 乡镇审核: reviews and corrects the township's registry; may verify its clues too.
    Role.TOWNSHIP_REVIEWER: frozenset(
        {REGISTRY_VIEW, REGISTRY_EDIT, CLUE_VERIFY, CASE_DECIDE, PLAN_EDIT}
    ),
    # 县级审定: approves for the county; the only role that may see numbers unmasked; starts
    # the monthly screening; approves other users' large or unmasked exports.
    Role.COUNTY_APPROVER: frozenset(
        {
            REGISTRY_VIEW,
            REGISTRY_EDIT,
            PI_REVEAL,
            SCREENING_RUN,
            CASE_DECIDE,
            PLAN_EDIT,
            EXPORT_APPROVE,
        }
    ),
    # 部门数据专员: brings in department feeds and reads the registry they are compared with.
    Role.DEPARTMENT_OFFICER: frozenset({FEEDS_IMPORT, REGISTRY_VIEW}),
    # 督查评估: reads across their region, writes findings only.
    Role.INSPECTOR: frozenset({REGISTRY_VIEW, FINDINGS_WRITE}),
    # 三员: the auditor reads the audit log only; the administrators see no household data.
    Role.AUDITOR: frozenset({AUDIT_VIEW}),
    Role.SYSTEM_ADMIN: frozenset({USERS_MANAGE}),
    Role.SECURITY_ADMIN: frozenset({ROLES_MANAGE}),
}

_ANY_LEVEL: Final = frozenset({None, 1, 2, 3, 4, 5})
_PROVINCE_TO_COUNTY: Final = frozenset({1, 2, 3})

ROLE_LEVELS: Final[dict[str, frozenset[int | None]]] = {
    Role.VILLAGE_CADRE: frozenset({5}),
    Role.TOWNSHIP_REVIEWER: frozenset({4}),
    Role.COUNTY_APPROVER: frozenset({3}),
    Role.DEPARTMENT_OFFICER: _PROVINCE_TO_COUNTY,
    Role.INSPECTOR: _PROVINCE_TO_COUNTY,
    Role.AUDITOR: _PROVINCE_TO_COUNTY,
    Role.SYSTEM_ADMIN: _ANY_LEVEL,
    Role.SECURITY_ADMIN: _ANY_LEVEL,
}
"""The home-region levels (1 province … 5 village) a role may have; ``None``: no home region."""


class SystemViewer:
    """The system itself (CLI, jobs) reading data: every capability, the whole country.

    Passed explicitly as ``user=SYSTEM`` so that "no user" never silently means "everything".
    No request can carry it: ``request.user`` is always a real account or anonymous.
    """

    __slots__ = ()
    username = "system"
    is_active = True
    is_authenticated = True

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM: Final = SystemViewer()


def is_system_actor(actor: object) -> bool:
    """Whether ``actor`` is the system: the :data:`SYSTEM` viewer or a ``"system:<what>"`` label."""
    return actor is SYSTEM or (isinstance(actor, str) and actor.startswith("system:"))


def user_capabilities(user: object) -> frozenset[str]:
    """The capabilities ``user`` holds: those of their role, if the account is active.

    Anonymous and inactive users, and accounts without a (known) role, hold none. The Django
    superuser flag and model permissions are ignored.
    """
    if user is SYSTEM:
        return CAPABILITIES
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return frozenset()
    return ROLE_CAPABILITIES.get(str(getattr(user, "role", "") or ""), frozenset())


def user_can(user: object, capability: str) -> bool:
    """Whether ``user`` holds ``capability`` (anywhere; the region scope says where).

    Raises ``ValueError`` for a capability that does not exist, so a typo fails loudly
    instead of denying (or granting) silently.
    """
    if capability not in CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}")
    return capability in user_capabilities(user)
