"""Create and edit households; validate one field on blur (htmx)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST

from fangpin.registry import services
from fangpin.registry.errors import RegistryError, StaleVersionError
from fangpin.registry.validation import (
    PersonInput,
    validate_identity,
    validate_name,
    validate_phone,
)
from fangpin.web.forms import MEMBER_SLOTS, HouseholdCreateForm, HouseholdEditForm
from fangpin.web.views._common import pi_page, require_edit, village_choices
from fangpin.web.views.households import _household_or_404

#: Form field → the service's ``RegistryError.field`` names that belong to it.
_EDIT_FIELDS = {
    "household_type",
    "natural_village",
    "address",
    "phone",
    "relocation_mode",
    "relocation_site",
    "is_relocated",
}


def attach_error(
    form: forms.Form, exc: RegistryError, *, fields: dict[str, str] | None = None
) -> None:
    """Show a service's refusal on the field it names (else above the form)."""
    name = (fields or {}).get(exc.field or "", exc.field or "")
    if name and name in form.fields:
        form.add_error(name, exc.message)
    else:
        form.add_error(None, exc.message)


@require_http_methods(["GET", "POST"])
@pi_page
def household_edit(request: HttpRequest, household_id: UUID) -> HttpResponse:
    require_edit(request)
    household = _household_or_404(request, household_id)
    stale = False
    if request.method == "POST":
        form = HouseholdEditForm(request.POST)
        status = 200
        if form.is_valid():
            try:
                services.household_update(
                    actor=request.user,
                    household_id=household.pk,
                    expected_version=form.cleaned_data["version"],
                    changes=form.changes(),
                )
            except StaleVersionError:
                # Someone saved in between (scenario 19): 409, the form as posted and a link
                # that reloads the current values; nothing is saved.
                stale, status = True, 409
            except RegistryError as exc:
                attach_error(form, exc)
            else:
                messages.success(request, "已保存")
                return redirect("web:household", household_id=household.public_id)
    else:
        form = HouseholdEditForm(
            initial={
                "version": household.version,
                "household_type": household.household_type,
                "natural_village": household.natural_village,
                "address": household.address,
                "is_relocated": household.is_relocated,
                "relocation_mode": household.relocation_mode,
                "relocation_site": household.relocation_site,
            }
        )
        status = 200
    return render(
        request,
        "web/household_edit.html",
        {"household": household, "form": form, "stale": stale},
        status=status,
    )


def _person_inputs(data: dict[str, Any]) -> tuple[PersonInput, list[PersonInput]]:
    head = PersonInput(
        name=data["head_name"],
        id_number=data["head_id_number"],
        relation="01",
        has_resident_medical=bool(data.get("head_has_resident_medical")),
    )
    members = [
        PersonInput(
            name=data[f"member{i}_name"],
            id_number=data[f"member{i}_id_number"],
            relation=data[f"member{i}_relation"],
        )
        for i in range(MEMBER_SLOTS)
        if data.get(f"member{i}_name") or data.get(f"member{i}_id_number")
    ]
    return head, members


@require_http_methods(["GET", "POST"])
@pi_page
def household_create_view(request: HttpRequest) -> HttpResponse:
    require_edit(request)
    villages = village_choices(request.user)
    form = HouseholdCreateForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        head, members = _person_inputs(data)
        try:
            household = services.household_create(
                actor=request.user,
                village_code=data["village"],
                household_type=data["household_type"],
                head=head,
                members=members,
                registered_on=data["registered_on"],
                natural_village=data["natural_village"],
                address=data["address"],
                phone=data["phone"],
            )
        except RegistryError as exc:
            # Person errors name the person field; the head's fields carry the "head_" prefix.
            attach_error(
                form,
                exc,
                fields={"name": "head_name", "id_number": "head_id_number", "village": "village"},
            )
        else:
            messages.success(request, f"已登记农户{household.household_number}")
            return redirect("web:household", household_id=household.public_id)
    return render(request, "web/household_create.html", {"form": form})


_VALIDATORS = {"name", "id_number", "phone"}


@require_POST
@pi_page
def validate_field(request: HttpRequest, field: str) -> HttpResponse:
    """Validate one field on blur (htmx POST; the value never goes into a URL).

    Answers a small fragment: empty when the value is fine, else the Chinese error. The
    service validates again on save; this only saves a round trip through the whole form.
    """
    if field not in _VALIDATORS:
        return HttpResponse(status=404)
    key = next((k for k in request.POST if k != "csrfmiddlewaretoken"), "")
    value = str(request.POST.get(key, ""))
    message = ""
    try:
        if not value.strip():
            message = ""
        elif field == "name":
            validate_name(value)
        elif field == "id_number":
            validate_identity(
                id_type="1",
                id_number=value,
                sex=None,
                birth_date=None,
                today=timezone.localdate(),
                check_region=True,
            )
        else:
            validate_phone(value)
    except RegistryError as exc:
        message = exc.message
    if not message:
        return HttpResponse("")
    return HttpResponse(format_html('<span class="field-error" role="alert">{}</span>', message))
