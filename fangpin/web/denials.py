"""Audit a read refused by the region scope (SEC-AC-1, SECURITY.md scenario 1).

Selectors apply the scope (an object outside it raises ``DoesNotExist`` exactly like a missing
one) and views answer 404, identically for both, so the body tells nothing. The audit log must
still tell them apart: an official who opens another village's household by its id leaves an
``authz.denied`` event (who, IP, action, object type, the requested public id, result).

That is decided here, once, for every web page and API endpoint, and only on the 404 path: for
an authenticated request answered 404, each path parameter of :data:`ADDRESSED` is looked up
without the scope (one indexed query each). An object that exists but lies outside the viewer's
scope is recorded; an id that names nothing is not (no object, no authorisation decision, and a
scanner's random ids would only flood the log); nor is a 404 inside the scope (a missing file).
A write refused by its service has already recorded its own denial: no second event then.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from fangpin.core.audit import audit_record, denials_recorded
from fangpin.core.models import AuditResult
from fangpin.core.scope import scope_covers, scope_prefix
from fangpin.regioncode import RegionCodeError, subtree_prefix

__all__ = ["ADDRESSED", "Addressed", "ScopeDenialAuditMiddleware", "out_of_scope"]


@dataclass(frozen=True, slots=True)
class Addressed:
    """A path parameter that addresses one object: its model, lookup and region path."""

    object_type: str
    model: str  # "app_label.Model"
    region: str  # the lookup path from the object to its 12-digit region code
    lookup: str = "public_id"


#: URL path parameter → the object it addresses (web pages and API endpoints alike).
ADDRESSED: dict[str, Addressed] = {
    "household_id": Addressed("household", "registry.Household", "village_id"),
    "person_id": Addressed("person", "registry.Person", "household__village_id"),
    "clue_id": Addressed("clue", "casework.Clue", "village_code"),
    "run_id": Addressed("screening_run", "casework.ScreeningRun", "region_code"),
    "case_id": Addressed("case", "casework.Case", "village_code"),
    "document_id": Addressed("case_document", "casework.CaseDocument", "case__village_code"),
    "declaration_id": Addressed("declaration", "intake.Declaration", "village_id"),
    "measure_id": Addressed("measure", "assistance.Measure", "plan__household__village_id"),
    "photo_id": Addressed("visit_photo", "assistance.VisitPhoto", "visit__household__village_id"),
    "village_code": Addressed("village", "core.Region", "code", lookup="code"),
}


def _reaches(user: Any, prefix: str | None, region_code: str) -> bool:
    """Whether ``user`` may see an object of ``region_code``: inside the scope (the one rule,
    :func:`~fangpin.core.scope.scope_covers`), or a region containing it (a village cadre sees
    its county's screening runs)."""
    if scope_covers(user, region_code):
        return True
    try:
        return prefix is not None and prefix.startswith(subtree_prefix(region_code))
    except RegionCodeError:
        return False


def out_of_scope(user: Any, kwargs: dict[str, Any]) -> tuple[Addressed, str] | None:
    """The first path parameter naming an existing object outside ``user``'s scope, with the
    value as requested; None when every one is missing, malformed or inside the scope."""
    prefix = scope_prefix(user)
    for name, value in kwargs.items():
        addressed = ADDRESSED.get(name)
        if addressed is None:
            continue
        key = str(value)
        if addressed.lookup == "public_id":
            try:
                key = str(uuid.UUID(key))
            except ValueError:
                continue
        model = apps.get_model(addressed.model)
        region = (
            model._default_manager.filter(**{addressed.lookup: key})
            .values_list(addressed.region, flat=True)
            .first()
        )
        if region is not None and not _reaches(user, prefix, str(region)):
            return addressed, key
    return None


class ScopeDenialAuditMiddleware:
    """Record ``authz.denied`` for a 404 that hid an existing object outside the scope."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        denials_before = denials_recorded()
        response = self.get_response(request)
        if response.status_code != 404 or denials_recorded() != denials_before:
            return response
        match = request.resolver_match
        user = getattr(request, "auth", None) or getattr(request, "user", None)
        if match is None or not match.kwargs or not getattr(user, "is_authenticated", False):
            return response
        found = out_of_scope(user, match.kwargs)
        if found is not None:
            addressed, key = found
            with transaction.atomic():
                audit_record(
                    actor=user,
                    action="authz.denied",
                    object_type=addressed.object_type,
                    object_id=key,
                    changes={
                        "attempted": match.view_name,
                        "method": request.method,
                        "reason": "out_of_scope",
                    },
                    result=AuditResult.DENIED,
                    request=request,
                )
        return response
