"""Work teams (驻村工作队) and their members."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest

from fangpin.core.audit import actor_label
from fangpin.core.models import Region, RegionLevel
from fangpin.force.errors import ForceError
from fangpin.force.models import (
    TeamMember,
    TeamRole,
    WorkTeam,
)
from fangpin.force.services._common import (
    _SINGLE_ROLES,
    _audit,
    _choice,
    _get,
    _region,
    _require_edit,
    _require_scope,
    _term,
    _text,
)

# --- Work teams (驻村工作队) --------------------------------------------------------------------


def team_create(
    *,
    actor: Any,
    village_code: str,
    dispatching_unit: str,
    start_date: date,
    request: HttpRequest | None = None,
) -> WorkTeam:
    """Station a work team in a village from ``start_date``. A village has at most one team
    at a time: a team whose term reaches ``start_date`` must be ended first."""
    _require_scope(actor, village_code, f"村“{village_code}”")
    _region(village_code, (RegionLevel.VILLAGE,), "村级", "village_code")
    unit = _text(WorkTeam, "dispatching_unit", dispatching_unit)
    with transaction.atomic():
        village = Region.objects.select_for_update().get(code=village_code)  # teams in turn
        current = (
            WorkTeam.objects.filter(village=village)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=start_date))
            .order_by("start_date")
            .first()
        )
        if current is not None:
            raise ForceError(
                "team_overlap",
                f"{village.name}已有驻村工作队（{current.dispatching_unit}，"
                f"{current.start_date.isoformat()}起），任期与新工作队重叠，请先结束原工作队",
                field="start_date",
            )
        team = WorkTeam.objects.create(
            village=village,
            dispatching_unit=unit,
            start_date=start_date,
            created_by_label=actor_label(actor),
        )
        _audit(
            actor,
            "workteam.create",
            "workteam",
            team.public_id,
            {"village": village.code, "dispatching_unit": unit, "start_date": start_date},
            request,
        )
    return team


def team_end(
    *, actor: Any, team_id: UUID, end_date: date, request: HttpRequest | None = None
) -> WorkTeam:
    """End a team's term, and the term of every member still serving on ``end_date``."""
    _require_edit(actor)
    found = _get(WorkTeam, team_id, "驻村工作队")
    _require_scope(actor, found.village_id, "该驻村工作队")
    with transaction.atomic():
        team = WorkTeam.objects.select_for_update().get(pk=found.pk)
        if team.end_date is not None:
            raise ForceError("already", f"该工作队已于{team.end_date.isoformat()}结束轮换")
        _term(team.start_date, end_date)
        serving = list(
            team.members.filter(Q(end_date__isnull=True) | Q(end_date__gt=end_date)).order_by("id")
        )
        late = next((m for m in serving if m.start_date > end_date), None)
        if late is not None:
            raise ForceError(
                "end_date",
                f"成员{late.name}的任期{late.start_date.isoformat()}才开始，晚于结束日期"
                f"{end_date.isoformat()}",
                field="end_date",
            )
        TeamMember.objects.filter(pk__in=[m.pk for m in serving]).update(end_date=end_date)
        team.end_date = end_date
        team.save(update_fields=["end_date"])
        _audit(
            actor,
            "workteam.end",
            "workteam",
            team.public_id,
            {"end_date": end_date, "members_ended": [m.pk for m in serving]},
            request,
        )
    return team


def member_add(
    *,
    actor: Any,
    team_id: UUID,
    name: str,
    role: str,
    unit: str,
    start_date: date,
    request: HttpRequest | None = None,
) -> TeamMember:
    """Add a member to a serving team. A team has at most one first secretary and one
    captain at a time: the predecessor's term must end before ``start_date``."""
    _require_edit(actor)
    found = _get(WorkTeam, team_id, "驻村工作队")
    _require_scope(actor, found.village_id, "该驻村工作队")
    person = _text(TeamMember, "name", name)
    role = _choice(TeamRole, role, "职务", "role")
    employer = _text(TeamMember, "unit", unit)
    with transaction.atomic():
        team = WorkTeam.objects.select_for_update().get(pk=found.pk)  # members in turn
        if team.end_date is not None:
            raise ForceError(
                "ended", f"该工作队已于{team.end_date.isoformat()}结束轮换，不能再增加成员"
            )
        if start_date < team.start_date:
            raise ForceError(
                "start_date",
                f"任期开始日期不能早于工作队轮换开始日期{team.start_date.isoformat()}",
                field="start_date",
            )
        if role in _SINGLE_ROLES:
            holder = (
                team.members.filter(role=role)
                .filter(Q(end_date__isnull=True) | Q(end_date__gte=start_date))
                .first()
            )
            if holder is not None:
                raise ForceError(
                    "role_taken",
                    f"该工作队已有在任{TeamRole(role).label}{holder.name}，请先结束其任期",
                    field="role",
                )
        member = TeamMember.objects.create(
            team=team, name=person, role=role, unit=employer, start_date=start_date
        )
        _audit(
            actor,
            "teammember.add",
            "teammember",
            member.pk,
            {
                "team": team.public_id,
                "name": person,
                "role": role,
                "unit": employer,
                "start_date": start_date,
            },
            request,
        )
    return member


def member_end(
    *, actor: Any, member_id: int, end_date: date, request: HttpRequest | None = None
) -> TeamMember:
    """End one member's term (the row stays)."""
    _require_edit(actor)
    found = TeamMember.objects.select_related("team").filter(pk=member_id).first()
    if found is None:
        raise ForceError("not_found", "未找到该工作队成员")
    _require_scope(actor, found.team.village_id, "该工作队成员")
    with transaction.atomic():
        member = TeamMember.objects.select_for_update().select_related("team").get(pk=found.pk)
        if member.end_date is not None:
            raise ForceError("already", f"{member.name}的任期已于{member.end_date.isoformat()}结束")
        _term(member.start_date, end_date, label="任期结束日期")
        member.end_date = end_date
        member.save(update_fields=["end_date"])
        _audit(
            actor,
            "teammember.end",
            "teammember",
            member.pk,
            {"team": member.team.public_id, "name": member.name, "end_date": end_date},
            request,
        )
    return member
