"""Who may write what: the capability and region-scope checks of every registry service.

A write is allowed to a user holding ``registry.edit`` whose region scope
(:mod:`fangpin.core.scope`) covers the target household or village, and to system actors
(``"system:<what>"`` strings, or :data:`fangpin.core.scope.SYSTEM`). Anything else is
refused the way a missing object is (``not_found``, same message), so a refusal tells nothing
about households outside the scope. The refusal is audited as ``authz.denied`` (result
``denied``) in a transaction of its own, after the refused write's transaction rolled back.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.db import transaction
from django.db.models import QuerySet

from fangpin.core.access import REGISTRY_EDIT, is_system_actor, user_can
from fangpin.core.audit import audit_record
from fangpin.core.models import AuditResult, Region, RegionLevel
from fangpin.core.scope import scope_covers
from fangpin.registry.errors import RegistryError
from fangpin.registry.masking import mask_id
from fangpin.registry.models import ACTIVE, Household, Person
from fangpin.registry.services._common import id_conflict_filter

__all__ = [
    "HOUSEHOLD_NOT_FOUND",
    "PERSON_NOT_FOUND",
    "AccessDenied",
    "check_id_free",
    "check_scope",
    "get_household",
    "get_person",
    "registry_write",
    "require_edit",
    "village",
]

HOUSEHOLD_NOT_FOUND = "未找到该农户"
PERSON_NOT_FOUND = "未找到该人员"

_P = ParamSpec("_P")
_R = TypeVar("_R")


class AccessDenied(Exception):  # an internal signal, never seen by callers
    """The actor may not touch this target. Raised inside a service's transaction only;
    :func:`registry_write` turns it into ``public`` after auditing it."""

    def __init__(
        self, public: RegistryError, *, object_type: str, object_id: object, reason: str
    ) -> None:
        super().__init__(public.message)
        self.public = public
        self.object_type = object_type
        self.object_id = object_id
        self.reason = reason


def registry_write(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run a registry service in one transaction; audit an access refusal after rollback."""
    atomic = transaction.atomic(func)

    @functools.wraps(func)
    def write(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return atomic(*args, **kwargs)
        except AccessDenied as denied:
            with transaction.atomic():
                audit_record(
                    actor=kwargs.get("actor"),
                    action="authz.denied",
                    object_type=denied.object_type,
                    object_id=denied.object_id,
                    changes={"attempted": func.__name__, "reason": denied.reason},
                    result=AuditResult.DENIED,
                )
            # A fresh error, so the caller cannot tell it from a missing object's.
            public = denied.public
            raise RegistryError(public.code, public.message, field=public.field) from None

    return write


def require_edit(actor: Any) -> None:
    """Refuse an actor who may not write to the registry anywhere (before any lookup)."""
    if is_system_actor(actor) or user_can(actor, REGISTRY_EDIT):
        return
    raise AccessDenied(
        RegistryError("forbidden", "当前账号无权修改农户登记信息"),
        object_type="registry",
        object_id="",
        reason="capability",
    )


def check_scope(
    actor: Any, region_code: str, *, not_found: RegistryError, object_type: str, object_id: object
) -> None:
    """Refuse, exactly as ``not_found``, a target whose village is outside the actor's scope."""
    if is_system_actor(actor) or scope_covers(actor, region_code, capability=REGISTRY_EDIT):
        return
    raise AccessDenied(
        not_found, object_type=object_type, object_id=object_id, reason="out_of_scope"
    )


# --- Scoped lookups: the only way a service reaches its target --------------------------------


def get_household(
    household_id: int, *, actor: Any, lock: bool = True, active: bool = True
) -> Household:
    """The household row (locked for the transaction on PostgreSQL), or ``not_found``.

    A household outside ``actor``'s scope is refused with the very same error (and the
    refusal audited), before anything about it, such as its number, can show in a message.
    """
    qs: QuerySet[Household] = Household.objects.select_related("village")
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        household = qs.get(pk=household_id)
    except Household.DoesNotExist:
        raise RegistryError("not_found", HOUSEHOLD_NOT_FOUND) from None
    check_scope(
        actor,
        household.village_id,
        not_found=RegistryError("not_found", HOUSEHOLD_NOT_FOUND),
        object_type="household",
        object_id=household.pk,
    )
    if active and household.status != ACTIVE:
        raise RegistryError("household_inactive", f"农户{household.household_number}已注销")
    return household


def get_person(person_id: int, *, actor: Any, active: bool = True) -> Person:
    """The person with their household, or ``not_found`` (also outside ``actor``'s scope)."""
    try:
        person = Person.objects.select_related("household").get(pk=person_id)
    except Person.DoesNotExist:
        raise RegistryError("not_found", PERSON_NOT_FOUND) from None
    check_scope(
        actor,
        person.household.village_id,
        not_found=RegistryError("not_found", PERSON_NOT_FOUND),
        object_type="person",
        object_id=person.pk,
    )
    if active and person.status != ACTIVE:
        raise RegistryError("person_inactive", f"{person.name}已不是在册人员")
    return person


def village(code: str, *, actor: Any) -> Region:
    """A current village-level region, locked so household numbers are allocated in turn.

    A region outside ``actor``'s scope is refused exactly like an unknown code.
    """
    region = Region.objects.select_for_update().filter(code=code).first()
    unknown = RegistryError("village", f"行政区划代码“{code}”不存在", field="village_code")
    if region is None:
        raise unknown
    check_scope(actor, region.code, not_found=unknown, object_type="region", object_id=region.code)
    if region.level != RegionLevel.VILLAGE:
        raise RegistryError(
            "village", f"“{region.code} {region.name}”不是村级区划", field="village_code"
        )
    if region.valid_to is not None:
        raise RegistryError(
            "village", f"“{region.code} {region.name}”已撤销，不能登记新户", field="village_code"
        )
    return region


def check_id_free(
    id_type: str, id_number: str, *, actor: Any, exclude_person_id: int | None = None
) -> None:
    """Refuse an identity already held by a registered person anywhere (IDs are unique
    nationally); the holder is named only when their household is inside ``actor``'s scope."""
    qs = Person.objects.filter(id_conflict_filter(id_type, id_number), status=ACTIVE)
    if exclude_person_id is not None:
        qs = qs.exclude(pk=exclude_person_id)
    holder = qs.select_related("household").first()
    if holder is None:
        return
    if is_system_actor(actor) or scope_covers(actor, holder.household.village_id):
        who = f"在册人员{holder.name}（户编号{holder.household.household_number}）"
    else:
        who = "其他地区的在册人员"
    raise RegistryError(
        "id_in_use", f"证件号码{mask_id(id_number)}已被{who}使用", field="id_number"
    )
