"""Membership changes on the household page: birth, death, move out, change of head."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fangpin.registry import services
from fangpin.registry.errors import RegistryError
from fangpin.registry.validation import PersonInput
from fangpin.web.forms import MEMBERSHIP_FORMS, membership_forms
from fangpin.web.views._common import pi_page, require_edit
from fangpin.web.views.edit import attach_error
from fangpin.web.views.households import _household_or_404, household_context


def _int_or_none(value: str) -> int | None:
    return int(value) if value else None


def _apply(action: str, household_id: int, data: dict[str, Any], actor: Any) -> str:
    """Call the service for ``action``; return the Chinese success message."""
    if action == "birth":
        person = services.person_add(
            actor=actor,
            household_id=household_id,
            person=PersonInput(
                name=data["name"], id_number=data["id_number"], relation=data["relation"]
            ),
            event_type="birth",
            event_date=data["event_date"],
        )
        return f"已登记{person.name}出生"
    if action == "death":
        person = services.person_record_death(
            actor=actor,
            person_id=int(data["person"]),
            death_date=data["death_date"],
            new_head_id=_int_or_none(data["new_head"]),
        )
        return f"已登记{person.name}死亡"
    if action == "move_out":
        person = services.person_move_out(
            actor=actor,
            person_id=int(data["person"]),
            event_type=data["event_type"],
            event_date=data["event_date"],
            new_head_id=_int_or_none(data["new_head"]),
        )
        return f"已登记{person.name}迁出"
    services.household_change_head(
        actor=actor,
        household_id=household_id,
        new_head_id=int(data["new_head"]),
        old_head_relation=data["old_head_relation"],
        event_date=data["event_date"],
    )
    return "已变更户主"


#: Service field names → this page's form field names.
_FIELD_MAP = {"new_head_id": "new_head", "event_type": "event_type", "death_date": "death_date"}


@require_POST
@pi_page
def membership_change(request: HttpRequest, household_id: UUID, action: str) -> HttpResponse:
    require_edit(request)
    if action not in MEMBERSHIP_FORMS:
        raise Http404("未找到该操作")
    household = _household_or_404(request, household_id)
    context = household_context(request, household)
    members = context["active_members"]
    form = MEMBERSHIP_FORMS[action](request.POST, members=members)  # type: ignore[call-arg]
    if form.is_valid():
        try:
            text = _apply(action, household.pk, form.cleaned_data, request.user)
        except RegistryError as exc:
            attach_error(form, exc, fields=_FIELD_MAP)
        else:
            messages.success(request, text)
            return redirect("web:household", household_id=household.public_id)
    context["forms"] = membership_forms(members, bound=(action, form))
    context["open_form"] = action
    return render(request, "web/household_detail.html", context, status=400)
