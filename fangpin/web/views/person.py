"""Edit one person (人员信息修改) and correct an ID number (证件号码更正).

Persons are addressed by their opaque ``public_id`` (no personal information and no countable
row id in URLs, SEC-MSK-3) and read through the scoped selector: outside the scope the page
is 404, exactly like a missing id. The services ``person_update`` and ``person_correct_id``
check the capability and the scope again, validate, write and audit; these views only parse
the forms and show the answer:

- a refusal of the input → 400 with the message on its field, nothing written;
- a stale version (someone saved in between) → 409 with 该记录已被他人修改，请刷新后重试;
- a role without ``registry.edit`` → 403 for any id.

Health details are masked and never pre-filled (forms_person.py).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fangpin import codes
from fangpin.registry import selectors, services
from fangpin.registry.errors import RegistryError, StaleVersionError
from fangpin.registry.masking import mask_health
from fangpin.registry.models import ACTIVE, Person
from fangpin.web.forms_person import PersonCorrectIdForm, PersonEditForm
from fangpin.web.views._common import pi_page, require_edit
from fangpin.web.views.edit import attach_error


def _person_or_404(request: HttpRequest, person_id: UUID) -> Person:
    """The person whose public UUID is in the path (SEC-MSK-3), or 404 (missing and out of
    scope alike)."""
    try:
        return selectors.person_get(user=request.user, public_id=person_id)
    except Person.DoesNotExist:
        raise Http404("未找到该人员") from None


def _page(person: Person) -> dict[str, Any]:
    return {
        "person": person,
        "household": person.household,
        "relation_label": codes.table("relation").label(person.relation),
        "health_masked": _(mask_health()),
        "is_active": person.status == ACTIVE,
    }


@require_http_methods(["GET", "POST"])
@pi_page
def person_edit(request: HttpRequest, person_id: UUID) -> HttpResponse:
    require_edit(request)
    person = _person_or_404(request, person_id)
    status = 200
    if request.method == "POST":
        form = PersonEditForm(request.POST, person=person)
        status = 400
        if form.is_valid():
            try:
                services.person_update(
                    actor=request.user,
                    person_id=person.pk,
                    expected_version=form.cleaned_data["version"],
                    changes=form.changes(),
                )
            except StaleVersionError as exc:
                form.add_error(None, exc.message)
                status = 409
            except RegistryError as exc:
                if exc.code == "not_found":
                    raise Http404(exc.message) from None
                attach_error(form, exc)
            else:
                messages.success(request, f"已保存{person.name}的信息")
                return redirect("web:household", household_id=person.household.public_id)
    else:
        form = PersonEditForm(person=person)
    context = {**_page(person), "form": form}
    return render(request, "web/person_edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@pi_page
def person_correct_id_view(request: HttpRequest, person_id: UUID) -> HttpResponse:
    """Also for former members (deceased, moved out), so their history can be put right."""
    require_edit(request)
    person = _person_or_404(request, person_id)
    status = 200
    if request.method == "POST":
        form = PersonCorrectIdForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.person_correct_id(
                    actor=request.user,
                    person_id=person.pk,
                    expected_version=form.cleaned_data["version"],
                    new_id_number=form.cleaned_data["new_id_number"],
                    reason=form.cleaned_data["reason"],
                )
            except StaleVersionError as exc:
                form.add_error(None, exc.message)
                status = 409
            except RegistryError as exc:
                if exc.code == "not_found":
                    raise Http404(exc.message) from None
                attach_error(form, exc, fields={"id_number": "new_id_number"})
            else:
                messages.success(request, f"已更正{person.name}的证件号码")
                return redirect("web:household", household_id=person.household.public_id)
        form.forget_number()  # never echo an ID number back
    else:
        form = PersonCorrectIdForm(initial={"version": person.version})
    context = {**_page(person), "form": form}
    return render(request, "web/person_correct_id.html", context, status=status)
