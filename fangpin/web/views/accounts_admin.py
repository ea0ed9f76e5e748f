"""The system administrator's account pages: list, create, disable, enable, reset password.

Only ``users.manage`` (系统管理员) opens them; anyone else gets 403, audited as
``authz.denied``. The pages hold no household data — username, name, role, home region, status
and last login — so they are not region-scoped. Roles are assigned by the security
administrator elsewhere (三员, docs/access.md). Writes are POST with CSRF and go through
:mod:`fangpin.core.account_lifecycle`, which audits them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from fangpin.core.access import USERS_MANAGE
from fangpin.core.account_lifecycle import (
    AccountError,
    dormant_cutoff,
    user_create,
    user_disable,
    user_enable,
    user_list,
    user_password_reset,
)
from fangpin.core.models import Role, User
from fangpin.web.views._common import capability_page

_PAGE_SIZE = 50
_NO_ROLE = "none"


accounts_page = capability_page(USERS_MANAGE)
"""Needs ``users.manage`` (403 otherwise, audited); never cached."""


class AccountFilterForm(forms.Form):
    q = forms.CharField(label=_("登录名或姓名"), required=False, max_length=50)
    role = forms.ChoiceField(
        label=_("角色"),
        required=False,
        choices=[("", _("（全部）")), (_NO_ROLE, _("未分配角色")), *Role.choices],
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("（全部）")), ("active", _("启用")), ("disabled", _("停用"))],
    )
    dormant = forms.ChoiceField(
        label=_("长期未登录"),
        required=False,
        choices=[("", _("（全部）")), ("yes", _("是")), ("no", _("否"))],
    )


class _NewPasswordMixin(forms.Form):
    password1 = forms.CharField(
        label=_("一次性密码"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少 12 个字符；本人首次登录时必须修改。"),
    )
    password2 = forms.CharField(
        label=_("再次输入"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致"))
        return cleaned


class AccountCreateForm(_NewPasswordMixin):
    username = forms.CharField(label=_("登录名"), max_length=150)
    full_name = forms.CharField(label=_("姓名"), max_length=150)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["username", "full_name", "password1", "password2"])


class PasswordResetForm(_NewPasswordMixin):
    pass


class DisableForm(forms.Form):
    reason = forms.CharField(label=_("停用原因"), max_length=200)


def _errors_to_form(form: forms.Form, exc: AccountError, field: str) -> None:
    target = field if exc.code in {"invalid_password", "reused_password"} else None
    if exc.code == "username":
        target = "username"
    for problem in exc.problems:
        form.add_error(target, problem)


@require_http_methods(["GET"])
@accounts_page
def accounts_list(request: HttpRequest) -> HttpResponse:
    """All accounts with role, home region, status, last login and the dormant flag."""
    form = AccountFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters["query"] = data["q"].strip()
        if data["role"]:
            filters["role"] = "" if data["role"] == _NO_ROLE else data["role"]
        if data["status"]:
            filters["is_active"] = data["status"] == "active"
        if data["dormant"]:
            filters["dormant"] = data["dormant"] == "yes"
    accounts = user_list(user=request.user, **filters)
    page = Paginator(accounts, _PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "dormant_enabled": dormant_cutoff() is not None}
    return render(request, "web/account_list.html", context)


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("password1", "password2")
@accounts_page
def account_create(request: HttpRequest) -> HttpResponse:
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = user_create(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                initial_password=data["password1"],
            )
        except AccountError as exc:
            _errors_to_form(form, exc, "password1")
        else:
            messages.success(
                request,
                _("已创建账号 %(username)s。请把一次性密码当面交给本人；角色由安全管理员分配。")
                % {"username": account.username},
            )
            return redirect("web:accounts")
    return render(request, "web/account_create.html", {"form": form})


@require_http_methods(["GET", "POST"])
@accounts_page
def account_disable(request: HttpRequest, user_id: int) -> HttpResponse:
    account = get_object_or_404(User, pk=user_id)
    form = DisableForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user_disable(actor=request.user, user=account, reason=form.cleaned_data["reason"])
        except AccountError as exc:
            _errors_to_form(form, exc, "reason")
        else:
            messages.success(request, _("已停用账号 %(u)s。") % {"u": account.username})
            return redirect("web:accounts")
    context = {"form": form, "account": account, "action": "disable"}
    return render(request, "web/account_action.html", context)


@require_http_methods(["GET", "POST"])
@accounts_page
def account_enable(request: HttpRequest, user_id: int) -> HttpResponse:
    account = get_object_or_404(User, pk=user_id)
    form = forms.Form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user_enable(actor=request.user, user=account)
        except AccountError as exc:
            _errors_to_form(form, exc, "")
        else:
            messages.success(request, _("已启用账号 %(u)s。") % {"u": account.username})
            return redirect("web:accounts")
    context = {"form": form, "account": account, "action": "enable"}
    return render(request, "web/account_action.html", context)


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("password1", "password2")
@accounts_page
def account_reset_password(request: HttpRequest, user_id: int) -> HttpResponse:
    account = get_object_or_404(User, pk=user_id)
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user_password_reset(
                actor=request.user, user=account, new_password=form.cleaned_data["password1"]
            )
        except AccountError as exc:
            _errors_to_form(form, exc, "password1")
        else:
            messages.success(
                request,
                _("已重置 %(u)s 的密码，其登录已全部退出；本人下次登录时必须修改密码。")
                % {"u": account.username},
            )
            return redirect("web:accounts")
    context = {"form": form, "account": account}
    return render(request, "web/account_reset_password.html", context)
