"""The security administrator's page: assign a role and a home region to an account (三员).

Only ``roles.manage`` (安全管理员) opens it; anyone else gets 403, audited as ``authz.denied``.
The system administrator creates accounts without a role (``accounts_admin``); the security
administrator gives them one here, through :func:`fangpin.core.accounts.user_role_assign`, which
checks the role's region level, refuses a change of one's own role and audits the change. The
page holds no household data, so it is not region-scoped.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from fangpin.core.access import ROLES_MANAGE
from fangpin.core.accounts import user_role_assign
from fangpin.core.errors import FangpinError
from fangpin.core.models import Region, Role, User
from fangpin.web.views._common import capability_page

_PAGE_SIZE = 50


roles_page = capability_page(ROLES_MANAGE)
"""Needs ``roles.manage`` (403 otherwise, audited); never cached."""


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), required=False)
    region = forms.RegexField(
        label=_("所属区划代码"),
        required=False,
        regex=r"^\d{6}(\d{6})?$",
        error_messages={"invalid": _("区划代码应为 6 位或 12 位数字")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role: Any = self.fields["role"]
        role.choices = [("", _("（无角色）")), *Role.choices]

    def region_object(self) -> Region | None:
        code = self.cleaned_data.get("region") or ""
        if not code:
            return None
        full = code.ljust(12, "0")
        region = Region.objects.filter(code=full).first()
        if region is None:
            self.add_error("region", _("区划代码 %(code)s 不存在") % {"code": full})
        return region


@require_GET
@roles_page
def roles_list(request: HttpRequest) -> HttpResponse:
    """Every account with its role and home region, and a form to change them."""
    query = (request.GET.get("q") or "").strip()[:50]
    accounts = User.objects.select_related("home_region").order_by("username")
    if query:
        accounts = accounts.filter(username__icontains=query) | accounts.filter(
            first_name__icontains=query
        )
    page = Paginator(accounts, _PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/roles_list.html",
        {"page": page, "q": query, "roles": Role.choices},
    )


@require_POST
@roles_page
def role_assign(request: HttpRequest, user_id: int) -> HttpResponse:
    account = get_object_or_404(User, pk=user_id)
    form = RoleForm(request.POST)
    if form.is_valid():
        region = form.region_object()
        if form.is_valid():  # the region lookup may have added an error
            try:
                user_role_assign(
                    actor=request.user,
                    user=account,
                    role=form.cleaned_data["role"],
                    home_region=region,
                )
            except FangpinError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("已更新 %(name)s 的角色") % {"name": account.username})
                return redirect("web:roles")
    errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    messages.error(request, f"{account.username}：" + "；".join(errors))
    return redirect("web:roles")
