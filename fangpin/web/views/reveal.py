"""显示完整号码: one full ID or phone number, for a user with ``pi.reveal``, with a reason.

The service ``person_reveal`` checks the capability and the scope and writes the
``data.reveal`` audit event; this view only parses the form and shows the answer (an htmx
fragment in place of the masked value, or a small page without JavaScript). POST only, never
cached.
"""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from fangpin.registry import services
from fangpin.registry.errors import RegistryError
from fangpin.web.views._common import pi_page
from fangpin.web.views.households import _household_or_404


class RevealForm(forms.Form):
    person = forms.IntegerField(min_value=1)
    field = forms.ChoiceField(choices=[("id_number", "证件号码"), ("phone", "联系电话")])
    reason = forms.CharField(label="查看理由", max_length=500)


@require_POST
@pi_page
def person_reveal_view(request: HttpRequest, household_id: int) -> HttpResponse:
    household = _household_or_404(request, household_id)
    form = RevealForm(request.POST)
    value = ""
    error = ""
    if not form.is_valid():
        error = "请填写查看理由"
    else:
        person_id = form.cleaned_data["person"]
        if not household.members.filter(pk=person_id).exists():
            raise Http404("未找到该人员")
        try:
            value = services.person_reveal(
                actor=request.user,
                person_id=person_id,
                field=form.cleaned_data["field"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except RegistryError as exc:
            error = exc.message
    context = {"household": household, "value": value, "error": error}
    status = 200 if value else 400
    if request.headers.get("HX-Request") == "true":
        return render(request, "web/_revealed.html", context, status=200)
    return render(request, "web/revealed.html", context, status=status)
