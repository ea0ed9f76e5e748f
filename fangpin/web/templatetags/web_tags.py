"""Template helpers of the web UI: the role label and code labels."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from fangpin import codes
from fangpin.core.models import Role
from fangpin.regioncode import RegionCodeError, parse_code

register = template.Library()


@register.filter
def role_label(role: str) -> str:
    """The role's Chinese name (``Role`` choices), or 未分配角色."""
    return str(dict(Role.choices).get(role, "未分配角色")) if role else "未分配角色"


@register.simple_tag
def code_label(table: str, code: str) -> str:
    """The label of ``code`` in code table ``table``; the code itself when it is unknown."""
    try:
        return codes.table(table).label(code)
    except codes.CodeError:
        return code


@register.filter
def label_in(code: str, table: str) -> str:
    """``{{ h.household_type|label_in:"household_type" }}`` → 脱贫户."""
    return code_label(table, code)


@register.filter
def can(user: object, capability: str) -> bool:
    """``{% if user|can:"registry.edit" %}``: the capability check of fangpin.core.access."""
    from fangpin.core.access import user_can

    return user_can(user, capability)


@register.filter
def percent(value: object, digits: int = 2) -> str:
    """``{{ 0.01234|percent }}`` → 1.23%; ``—`` for None (no estimate yet)."""
    if value is None or value == "":
        return "—"
    try:
        return f"{float(value) * 100:.{int(digits)}f}%"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "—"


@register.filter
def thousands(value: object) -> str:
    """``{{ 20003|thousands }}`` → 20,003 (whole numbers of households and people); the value
    itself for anything not a number."""
    try:
        return f"{int(value):,}"  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return str(value)


@register.filter
def region_level(code: object) -> int:
    """``{{ user.home_region_id|region_level }}`` → 1 province … 5 village, read from the code
    itself (no query); 9 for no code or one that does not parse."""
    if not code:
        return 9
    try:
        return parse_code(str(code)).level
    except RegionCodeError:
        return 9


@register.filter
def money(value: object) -> str:
    """``{{ amount|money }}`` → 32,000,000 or 1,234.50 (yuan with thousands separators; the
    cents only when there are any); the value itself for anything not a number."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    text = f"{number:,.2f}"
    return text[:-3] if text.endswith(".00") else text
