"""Small helpers shared by the web views: capability checks, region choices, no-store."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from fangpin.core.access import REGISTRY_EDIT, REGISTRY_VIEW, user_can
from fangpin.core.audit import audit_record
from fangpin.core.models import AuditResult, Region
from fangpin.core.selectors import region_villages_in_scope

View = Callable[..., HttpResponse]


def pi_page(view: View) -> View:
    """A page showing personal information: needs ``registry.view``; never cached (ASVS 14.3.2).

    ``add_never_cache_headers`` sets ``Cache-Control: max-age=0, no-cache, no-store,
    must-revalidate, private``.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not user_can(request.user, REGISTRY_VIEW):
            raise PermissionDenied
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapped


def require_edit(request: HttpRequest) -> None:
    """Refuse (403) a write form to a user without ``registry.edit``; the service checks too."""
    if not user_can(request.user, REGISTRY_EDIT):
        raise PermissionDenied


def villages_in_scope(user: object) -> QuerySet[Region]:
    return region_villages_in_scope(user=user)


def village_choices(user: object) -> list[tuple[str, str]]:
    return [(r.code, r.name) for r in villages_in_scope(user)]


def capability_page(capability: str) -> Callable[[View], View]:
    """A page for one capability holder (accounts, roles): 403 otherwise, audited as
    ``authz.denied``; never cached. Such pages hold no household data, so no region scope."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not user_can(request.user, capability):
                with transaction.atomic():
                    audit_record(
                        actor=request.user,
                        action="authz.denied",
                        object_type="page",
                        object_id=request.path[:64],
                        changes={"attempted": capability, "reason": "capability"},
                        result=AuditResult.DENIED,
                        request=request,
                    )
                raise PermissionDenied
            response = view(request, *args, **kwargs)
            add_never_cache_headers(response)
            return response

        return wrapped

    return decorate
