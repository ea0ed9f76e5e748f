"""Small helpers shared by the web views: capability checks, region choices, no-store."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext

from fangpin.core.access import REGISTRY_EDIT, REGISTRY_VIEW, user_can
from fangpin.core.audit import audit_record
from fangpin.core.models import AuditResult, Region
from fangpin.core.scope import scope_prefix
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


TOWNSHIP_PREFIX_LENGTH = 9
"""A township's villages share the first 9 digits of their 12-digit codes."""


def region_filter_choices(user: object) -> list[tuple[str, str]]:
    """The region choices of a list filter: the villages in scope ``(code, name)`` and, for a
    user whose scope is wider than one township, each township first as
    ``(9-digit prefix, "<name>（全乡镇）")``, townships in code order.

    The list selectors filter with ``startswith``, so a township's prefix keeps the rows of all
    its villages (a dashboard drills down to it). A village or township user gets the villages
    only, as before. One query: the township names come with the villages.
    """
    scope = scope_prefix(user)
    villages = villages_in_scope(user)
    if scope is None or len(scope) >= TOWNSHIP_PREFIX_LENGTH:
        return [(r.code, r.name) for r in villages]
    choices: list[tuple[str, str]] = []
    township = ""
    for village in villages.select_related("parent"):
        prefix = village.code[:TOWNSHIP_PREFIX_LENGTH]
        if prefix != township:
            township = prefix
            parent = village.parent
            name = (
                parent.name
                if parent is not None and parent.code[:TOWNSHIP_PREFIX_LENGTH] == prefix
                else prefix
            )
            choices.append((prefix, gettext("%(township)s（全乡镇）") % {"township": name}))
        choices.append((village.code, village.name))
    return choices


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


PAGE_SIZE = 50
MAX_PAGE = 200
"""Offset pages of 50 without a count, at most 200 (like the household list, docs/web.md)."""


def offset_page(request: HttpRequest, rows: QuerySet[Any], page: int | None) -> dict[str, Any]:
    """One page of ``rows`` (one extra row read tells whether there is a next page) and the
    pager's context: ``rows``, ``page``, ``has_next``, ``has_previous``, ``query_string`` (the
    request's filters without the page)."""
    page = page or 1
    offset = (page - 1) * PAGE_SIZE
    found = list(rows[offset : offset + PAGE_SIZE + 1])
    params = request.GET.copy()
    params.pop("page", None)
    return {
        "rows": found[:PAGE_SIZE],
        "page": page,
        "has_next": len(found) > PAGE_SIZE and page < MAX_PAGE,
        "has_previous": page > 1,
        "query_string": params.urlencode(),
    }


def list_page(
    request: HttpRequest, context: dict[str, Any], page_template: str, results_template: str
) -> HttpResponse:
    """The whole list page, or only its results table for an htmx filter change."""
    if (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Target") == "results"
    ):
        return render(request, results_template, context)
    return render(request, page_template, context)
