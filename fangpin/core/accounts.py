"""Account services: role and home-region assignment (the security administrator's job).

Each write runs in one transaction with its audit event. A refusal for lack of authority is
itself audited (``authz.denied``, result ``denied``) in a transaction of its own, so it is
recorded even though nothing else is written.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from fangpin.core.access import ROLE_LEVELS, ROLES_MANAGE, is_system_actor, user_can
from fangpin.core.audit import audit_record
from fangpin.core.errors import AccessError
from fangpin.core.models import AuditResult, Region, RegionLevel, Role, User

__all__ = ["user_role_assign"]

_NO_ROLE_LEVELS: frozenset[int | None] = frozenset({None})


def _level_names(levels: frozenset[int | None]) -> str:
    return "、".join(RegionLevel(level).label for level in sorted(x for x in levels if x))


def _deny(*, actor: Any, user: User, role: str, reason: str) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="authz.denied",
            object_type="user",
            object_id=user.pk,
            changes={"attempted": "user.role_assign", "reason": reason, "role": role},
            result=AuditResult.DENIED,
        )


def user_role_assign(*, actor: Any, user: User, role: str, home_region: Region | None) -> User:
    """Give ``user`` a role and home region; ``role=""`` takes the role away (no home region).

    The actor must hold ``roles.manage`` (or be a ``"system:…"`` actor, e.g. the first
    assignment from the CLI) and may not change their own role. The home region's level must
    suit the role (:data:`fangpin.core.access.ROLE_LEVELS`) and the region must be in force.
    Raises :class:`AccessError`; audited as ``user.role_assign`` with old and new values.
    An assignment that changes nothing writes nothing.
    """
    if not is_system_actor(actor) and not user_can(actor, ROLES_MANAGE):
        _deny(actor=actor, user=user, role=role, reason="capability")
        raise AccessError("forbidden", "当前账号无权分配角色")
    if getattr(actor, "pk", None) is not None and actor.pk == user.pk:
        _deny(actor=actor, user=user, role=role, reason="self")
        raise AccessError("self", "不能更改自己的角色，请由另一名安全管理员办理")
    if role and role not in Role.values:
        raise AccessError("role", f"角色“{role}”不存在")
    allowed = ROLE_LEVELS[role] if role else _NO_ROLE_LEVELS
    role_label = Role(role).label if role else "未分配角色的账号"
    if home_region is None:
        if None not in allowed:
            raise AccessError(
                "region_required", f"{role_label}必须有所属区划（{_level_names(allowed)}）"
            )
    elif home_region.level not in allowed:
        if allowed == _NO_ROLE_LEVELS:
            raise AccessError("region_level", f"{role_label}不能有所属区划")
        raise AccessError(
            "region_level",
            f"{role_label}的所属区划应为{_level_names(allowed)}区划，"
            f"“{home_region.name}”是{RegionLevel(home_region.level).label}区划",
        )
    elif home_region.valid_to is not None:
        raise AccessError("region_abolished", f"“{home_region.name}”已撤销，不能作为所属区划")

    new_region = home_region.pk if home_region is not None else None
    with transaction.atomic():
        before = (
            User.objects.select_for_update()
            .filter(pk=user.pk)
            .values_list("role", "home_region_id")
            .get()
        )
        if before == (role, new_region):
            return user
        User.objects.filter(pk=user.pk).update(role=role, home_region_id=new_region)
        audit_record(
            actor=actor,
            action="user.role_assign",
            object_type="user",
            object_id=user.pk,
            changes={"role": [before[0], role], "home_region": [before[1], new_region]},
        )
    user.role = role
    user.home_region = home_region
    return user
