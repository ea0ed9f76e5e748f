"""What every write of the assistance force shares: rights, scope, value checks, the audit
event (see the package docstring)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Final, TypeVar
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest

from fangpin.core.access import REGISTRY_EDIT, is_system_actor, user_can
from fangpin.core.audit import audit_record
from fangpin.core.models import Region, RegionLevel
from fangpin.core.scope import scope_covers
from fangpin.force.errors import ForceError
from fangpin.force.models import (
    TeamRole,
)
from fangpin.regioncode import RegionCodeError, subtree_prefix
from fangpin.registry.models import Household

STALE: Final = "该记录已被他人修改，请刷新后重试"
FIRST_YEAR: Final = 1990  # 东西部扶贫协作 began in 1996; older years are typing mistakes
LAST_YEAR: Final = 2100
_CENT: Final = Decimal("0.01")
_SINGLE_ROLES: Final = (TeamRole.FIRST_SECRETARY, TeamRole.CAPTAIN)
_M = TypeVar("_M", bound=models.Model)


# --- Rights ------------------------------------------------------------------------------------


def _require_edit(actor: Any) -> None:
    """Refuse an actor who may write nowhere (before any lookup)."""
    if not is_system_actor(actor) and not user_can(actor, REGISTRY_EDIT):
        raise ForceError("forbidden", "当前账号无权登记帮扶力量和产业项目")


def _require_scope(actor: Any, region_code: str, what: str) -> None:
    """Refuse a target region outside the actor's ``registry.edit`` scope."""
    _require_edit(actor)
    if not is_system_actor(actor) and not scope_covers(
        actor, region_code, capability=REGISTRY_EDIT
    ):
        raise ForceError("forbidden", f"{what}不在本账号的管辖范围内")


def _region(code: str, levels: tuple[int, ...], label: str, field: str) -> Region:
    region = Region.objects.filter(code=code, level__in=levels).first()
    if region is None:
        raise ForceError("region", f"“{code}”不是已加载的{label}区划", field=field)
    if region.valid_to is not None:
        raise ForceError("region", f"“{code} {region.name}”已撤销", field=field)
    return region


def _county(actor: Any, county_code: str) -> Region:
    """The county, after checking the actor's scope covers all of it."""
    _require_scope(actor, county_code, f"县“{county_code}”")
    return _region(county_code, (RegionLevel.COUNTY,), "县级", "county_code")


def _household(actor: Any, household_id: int) -> Household:
    """The household, if inside the actor's scope (missing and outside look alike)."""
    _require_edit(actor)
    household = Household.objects.filter(pk=household_id).first()
    if household is None or not (
        is_system_actor(actor)
        or scope_covers(actor, household.village_id, capability=REGISTRY_EDIT)
    ):
        raise ForceError("forbidden", "该农户不存在或不在本账号的管辖范围内", field="household_id")
    return household


def _inside(code: str, region_code: str) -> bool:
    try:
        return code.startswith(subtree_prefix(region_code))
    except RegionCodeError:
        return False


# --- Values ------------------------------------------------------------------------------------


def _text(model: type[models.Model], field: str, value: str, *, required: bool = True) -> str:
    """``value`` stripped, checked against the model field's length (and presence)."""
    column = model._meta.get_field(field)
    label = str(column.verbose_name)  # type: ignore[union-attr]  # a concrete field here
    limit = column.max_length  # type: ignore[union-attr]
    text = (value or "").strip() if isinstance(value, str) else ""
    if required and not text:
        raise ForceError(field, f"请填写{label}", field=field)
    if limit is not None and len(text) > limit:
        raise ForceError(field, f"{label}不能超过{limit}个字，实为{len(text)}个字", field=field)
    return text


def _choice(choices: type[models.TextChoices], value: str, label: str, field: str) -> str:
    if value not in choices.values:
        raise ForceError(field, f"{label}“{value}”不在码表中", field=field)
    return str(value)


def _money(
    value: object, *, label: str, field: str, max_digits: int = 14, positive: bool = False
) -> Decimal:
    """An amount in yuan with at most two decimals that fits the column; never a float."""
    if isinstance(value, bool | float) or not isinstance(value, Decimal | int | str):
        raise ForceError("amount", f"{label}应为数字，实为“{value!r}”", field=field)
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
        limit = Decimal(10) ** (max_digits - 2)
        if not amount.is_finite() or abs(amount) >= limit:
            raise ForceError("amount", f"{label}“{value}”超出范围", field=field)
        if amount != amount.quantize(_CENT, rounding="ROUND_DOWN"):
            raise ForceError("amount", f"{label}“{value}”最多保留两位小数", field=field)
    except InvalidOperation:
        raise ForceError("amount", f"{label}“{value}”不是有效数字", field=field) from None
    if amount < 0 or (positive and amount == 0):
        raise ForceError(
            "amount", f"{label}应{'大于0' if positive else '不小于0'}，实为{amount}", field=field
        )
    return amount.quantize(_CENT)


def _year(value: int, *, label: str = "年度", field: str = "year") -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not FIRST_YEAR <= value <= LAST_YEAR
    ):
        raise ForceError(
            "year", f"{label}应在{FIRST_YEAR}至{LAST_YEAR}之间，实为{value}", field=field
        )
    return value


def _term(start: date, end: date | None, *, label: str = "结束日期") -> None:
    if end is not None and end < start:
        raise ForceError(
            "end_date",
            f"{label}{end.isoformat()}不能早于开始日期{start.isoformat()}",
            field="end_date",
        )


def _audit(
    actor: Any,
    action: str,
    object_type: str,
    object_id: object,
    changes: dict[str, Any],
    request: HttpRequest | None,
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        changes={k: _plain(v) for k, v in changes.items()},
        request=request,
    )


def _plain(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _get(model: type[_M], public_id: UUID, label: str) -> _M:
    try:
        row = model._default_manager.filter(public_id=public_id).first()
    except (ValueError, ValidationError):  # not a UUID at all
        row = None
    if row is None:
        raise ForceError("not_found", f"未找到该{label}")
    return row
