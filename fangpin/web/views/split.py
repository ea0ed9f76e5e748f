"""分户: split members off into a new household, through ``household_split``.

GET draws the form from the household's active members (scoped selector; 404 outside the
scope); a POST-only URL calls the service with ``actor=request.user``. The form carries the
household version and the roster (member ids and versions) it was drawn from: a split posted
after a membership change answers 409 and writes nothing. The new household's village is
chosen among the villages inside the user's scope (the service checks the scope again).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fangpin.registry import services
from fangpin.registry.errors import RegistryError
from fangpin.registry.models import Household, Person
from fangpin.web.forms_records import HouseholdSplitForm, roster
from fangpin.web.views._common import pi_page, require_edit, village_choices
from fangpin.web.views.edit import attach_error
from fangpin.web.views.households import _household_or_404
from fangpin.web.views.records import active_members, is_stale, posted_is_stale

#: Service field names → this form's field names.
_FIELD_MAP = {
    "member_ids": "members",
    "relations": "members",
    "new_head_id": "new_head",
    "source_new_head_id": "source_new_head",
    "village_code": "village",
}


def _context(household: Household, form: HouseholdSplitForm) -> dict[str, Any]:
    return {"household": household, "form": form}


def _form(
    request: HttpRequest, household: Household, members: list[Person], data: Any = None
) -> HouseholdSplitForm:
    return HouseholdSplitForm(
        data,
        members=members,
        villages=village_choices(request.user),
        initial={
            "version": household.version,
            "roster": roster(members),
            "village": household.village_id,
        },
    )


@require_GET
@pi_page
def household_split_form(request: HttpRequest, household_id: UUID) -> HttpResponse:
    require_edit(request)
    household = _household_or_404(request, household_id)
    form = _form(request, household, active_members(request, household))
    return render(request, "web/household_split.html", _context(household, form))


@require_POST
@pi_page
def household_split_save(request: HttpRequest, household_id: UUID) -> HttpResponse:
    require_edit(request)
    household = _household_or_404(request, household_id)
    members = active_members(request, household)
    form = _form(request, household, members, request.POST)
    if posted_is_stale(request, household, members):
        # Redrawn from today's members: the posted choices may no longer exist.
        context = _context(household, _form(request, household, members))
        context["stale"] = True
        return render(request, "web/household_split.html", context, status=409)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            new = services.household_split(
                actor=request.user,
                household_id=household.pk,
                member_ids=data["members"],
                new_head_id=data["new_head"],
                relations=form.relations(),
                event_date=data["event_date"],
                village_code=data["village"],
                source_new_head_id=data["source_new_head"],
            )
        except RegistryError as exc:
            if not is_stale(exc):
                attach_error(form, exc, fields=_FIELD_MAP)
            status = 409 if is_stale(exc) else 400
        else:
            messages.success(
                request,
                _("已从%(source)s分出新户%(number)s")
                % {"source": household.household_number, "number": new.household_number},
            )
            return redirect("web:household", household_id=new.public_id)
    context = _context(household, form)
    context["stale"] = status == 409
    return render(request, "web/household_split.html", context, status=status)
