"""Writes of the assistance force and the industries (帮扶力量与产业项目, issue #10): work teams
and their members, assisting cadres and their households, pairings and their commitments,
projects with their funding, beneficiaries and assets, and consumption-assistance purchases.

Who may write: ``registry.edit`` with a region scope covering the target — the village of a
team, the region of a project, the village of a household (a cadre's assignment, a
beneficiary link) — and the whole county for pairings and their commitments, for registering
cadres and for purchases (county-level arrangements). System actors (:data:`SYSTEM`,
``"system:<what>"``) are not checked. A refusal raises ``ForceError("forbidden")`` before
anything is said about the target, and writes nothing (no ``authz.denied`` event either).

Every write runs in one transaction with its audit event. Terms (任期) keep their rows when
they end: the history of who was stationed where, and who was responsible for a household,
stays readable. Rows edited concurrently (commitments, projects) carry a ``version``.
"""

from __future__ import annotations

from fangpin.force.services.cadres import cadre_assign, cadre_create
from fangpin.force.services.pairings import commitment_set, pairing_create
from fangpin.force.services.projects import (
    asset_add,
    asset_return_set,
    beneficiary_link,
    project_create,
    project_update,
)
from fangpin.force.services.purchases import purchase_record
from fangpin.force.services.teams import member_add, member_end, team_create, team_end

__all__ = [
    "asset_add",
    "asset_return_set",
    "beneficiary_link",
    "cadre_assign",
    "cadre_create",
    "commitment_set",
    "member_add",
    "member_end",
    "pairing_create",
    "project_create",
    "project_update",
    "purchase_record",
    "team_create",
    "team_end",
]
