"""显示完整号码 / 健康状况: one full ID or phone number, or a person's health details, for a user
with ``pi.reveal``, with a reason.

The services ``person_reveal`` and ``person_reveal_health`` check the capability and the scope
and write the ``data.reveal`` audit event; this view only parses the form and shows the answer
(an htmx fragment in place of the masked value, or a small page without JavaScript). POST only,
never cached.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from fangpin.registry import services
from fangpin.registry.errors import RegistryError
from fangpin.registry.services.reveal import person_reveal_health
from fangpin.web.views._common import pi_page
from fangpin.web.views.households import _household_or_404


class RevealForm(forms.Form):
    person = forms.IntegerField(min_value=1)
    field = forms.ChoiceField(
        choices=[("id_number", "证件号码"), ("phone", "联系电话"), ("health", "健康状况")]
    )
    reason = forms.CharField(label="查看理由", max_length=500)


@require_POST
@pi_page
def person_reveal_view(request: HttpRequest, household_id: UUID) -> HttpResponse:
    household = _household_or_404(request, household_id)
    form = RevealForm(request.POST)
    value = ""
    health: Any = None
    error = ""
    if not form.is_valid():
        error = "请填写查看理由"
    else:
        person_id = form.cleaned_data["person"]
        if not household.members.filter(pk=person_id).exists():
            raise Http404("未找到该人员")
        field = form.cleaned_data["field"]
        reason = form.cleaned_data["reason"]
        try:
            if field == "health":
                health = person_reveal_health(
                    actor=request.user, person_id=person_id, reason=reason, request=request
                )
                value = health.summary
            else:
                value = services.person_reveal(
                    actor=request.user,
                    person_id=person_id,
                    field=field,
                    reason=reason,
                    request=request,
                )
        except RegistryError as exc:
            error = exc.message
    context = {"household": household, "value": value, "health": health, "error": error}
    status = 200 if value else 400
    if request.headers.get("HX-Request") == "true":
        return render(request, "web/_revealed.html", context, status=200)
    return render(request, "web/revealed.html", context, status=status)
