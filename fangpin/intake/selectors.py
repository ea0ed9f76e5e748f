"""Reads of intake: declarations in the viewer's scope, villages for the form and the QR page.

Selectors never write. Declarations are read from one scoped base (:func:`_declarations_for`):
a declaration outside the viewer's scope behaves like one that does not exist (lists leave it
out, :func:`declaration_get` raises ``DoesNotExist``). The scope filter is the registry's code
range on the village code (``prefix+0…0`` to ``prefix+9…9``), index-friendly on both databases.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from fangpin.core.models import Region, RegionLevel
from fangpin.core.pi import pi_decrypt
from fangpin.core.selectors import region_path
from fangpin.intake.access import read_prefix
from fangpin.intake.models import DIFFICULTY_CONTEXT, Declaration
from fangpin.registry.models import ACTIVE, Household

__all__ = [
    "declaration_difficulty",
    "declaration_get",
    "declaration_get_by_reference",
    "declaration_list",
    "public_villages",
    "village_full_name",
    "village_get_in_scope",
]

#: At most this many villages are offered by the public form's list (a county has a few
#: hundred; beyond that the QR code's preset village is the way in).
PUBLIC_VILLAGE_LIMIT = 2000
PUBLIC_VILLAGE_CACHE_SECONDS = 600
_PUBLIC_VILLAGE_CACHE_KEY = "intake:public_villages"


def _range(prefix: str) -> tuple[str, str]:
    return prefix.ljust(12, "0"), prefix.ljust(12, "9")


def _declarations_for(user: Any) -> QuerySet[Declaration]:
    """The one scoped base of declarations."""
    prefix = read_prefix(user)
    if prefix is None:
        return Declaration.objects.none()
    if not prefix:
        return Declaration.objects.all()
    return Declaration.objects.filter(village__code__range=_range(prefix))


def declaration_list(
    user: Any, *, status: str | None = None, village_code: str | None = None
) -> QuerySet[Declaration]:
    """Declarations in ``user``'s scope, newest first, with their village (one query)."""
    rows = _declarations_for(user).select_related("village")
    if status:
        rows = rows.filter(status=status)
    if village_code:
        rows = rows.filter(village_id=village_code)
    return rows.order_by("-submitted_at", "-id")


def declaration_get(user: Any, public_id: UUID | str) -> Declaration:
    """One declaration by its public id; ``Declaration.DoesNotExist`` otherwise (also out of
    scope), so views answer 404 exactly like for a missing one."""
    try:
        return (
            _declarations_for(user)
            .select_related("village", "household", "decided_by", "duplicate_of")
            .get(public_id=public_id)
        )
    except (ValueError, TypeError, ValidationError):
        raise Declaration.DoesNotExist from None


def declaration_get_by_reference(user: Any, reference: str) -> Declaration:
    """One declaration by its reference number, inside ``user``'s scope (else DoesNotExist)."""
    return _declarations_for(user).get(reference=(reference or "").strip().upper())


def declaration_difficulty(declaration: Declaration) -> str:
    """The difficulty text, decrypted — only for a declaration read through the selectors
    above (so inside the viewer's scope); a tampered token raises ``CryptoError``."""
    return pi_decrypt(declaration.difficulty_encrypted, context=DIFFICULTY_CONTEXT)


def public_villages() -> list[tuple[str, str]]:
    """The villages the public form offers, as (code, name): current villages of the counties
    that have registered households (the deployment's area), by code. Region names are public
    data; the list is cached for :data:`PUBLIC_VILLAGE_CACHE_SECONDS`."""
    cached = cache.get(_PUBLIC_VILLAGE_CACHE_KEY)
    if cached is not None:
        return list(cached)
    counties = {
        code[:6]
        for code in Household.objects.filter(status=ACTIVE)
        .values_list("village_id", flat=True)
        .distinct()
    }
    rows = Region.objects.filter(level=RegionLevel.VILLAGE, valid_to__isnull=True)
    villages: list[tuple[str, str]] = []
    for county in sorted(counties):
        villages.extend(
            rows.filter(code__range=_range(county)).order_by("code").values_list("code", "name")
        )
        if len(villages) >= PUBLIC_VILLAGE_LIMIT:
            break
    villages = villages[:PUBLIC_VILLAGE_LIMIT]
    cache.set(_PUBLIC_VILLAGE_CACHE_KEY, villages, PUBLIC_VILLAGE_CACHE_SECONDS)
    return villages


def village_get_in_scope(user: Any, code: str) -> Region:
    """A current village inside ``user``'s read scope; ``Region.DoesNotExist`` otherwise."""
    prefix = read_prefix(user)
    if prefix is None or not code.isdigit() or len(code) != 12 or not code.startswith(prefix):
        raise Region.DoesNotExist
    return Region.objects.get(code=code, level=RegionLevel.VILLAGE, valid_to__isnull=True)


def village_full_name(code: str) -> str:
    """Province … village as one name (湖南省湘西土家族苗族自治州花垣县龙潭镇土地村)."""
    try:
        return "".join(region.name for region in region_path(code=code))
    except Region.DoesNotExist:
        return ""
