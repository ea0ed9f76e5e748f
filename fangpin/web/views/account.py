"""Login, logout and changing one's own password in the web UI.

The form is the admin's :class:`fangpin.core.auth.LoginForm` (password, lockout and throttle
through django-axes, the TOTP code through django-otp), minus the admin's staff-only rule:
officials log in here with their role, not as Django staff.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from fangpin.core.access import REGISTRY_VIEW, USERS_MANAGE, user_can
from fangpin.core.account_lifecycle import AccountError, password_change
from fangpin.core.auth import LoginForm, second_factor_satisfied
from fangpin.core.password_policy import PASSWORD_PAGE, password_change_due


class WebLoginForm(LoginForm):
    """The core login form; any active account may log in (what it sees follows its role)."""

    def confirm_login_allowed(self, user: Any) -> None:
        AuthenticationForm.confirm_login_allowed(self, user)


_login = auth_views.LoginView.as_view(
    form_class=WebLoginForm,
    template_name="web/login.html",
    redirect_authenticated_user=True,
)
# A session still waiting for its TOTP code must see the form, not be sent on to a page that
# sends it straight back here (a redirect loop).
_login_again = auth_views.LoginView.as_view(form_class=WebLoginForm, template_name="web/login.html")


@login_not_required
@never_cache
def login_view(request: HttpRequest) -> HttpResponseBase:
    if request.user.is_authenticated and not second_factor_satisfied(request):
        return _login_again(request)
    return _login(request)


logout_view = auth_views.LogoutView.as_view(next_page="web:login")


# --- Changing one's own password (SEC-AUTH-2/3, SEC-SES-2) -------------------------------------


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("原密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password1 = forms.CharField(
        label=_("新密码"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("再次输入新密码"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("new_password1") != cleaned.get("new_password2"):
            self.add_error("new_password2", _("两次输入的新密码不一致"))
        return cleaned


def _after_password_change(user: Any) -> str:
    """Home for officials; the accounts list for the system administrator; else this page."""
    if user_can(user, REGISTRY_VIEW):
        return "web:home"
    if user_can(user, USERS_MANAGE):
        return "web:accounts"
    return PASSWORD_PAGE


@never_cache
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
def password_view(request: HttpRequest) -> HttpResponse:
    """Change one's own password; the only page open while a change is due."""
    user: Any = request.user
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_change(
                user=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
                request=request,
            )
        except AccountError as exc:
            field = "old_password" if exc.code == "wrong_password" else "new_password1"
            for problem in exc.problems:
                form.add_error(field, problem)
        else:
            messages.success(request, _("密码已修改。其他设备上的登录已退出。"))
            return redirect(_after_password_change(user))
    context = {"form": form, "due": password_change_due(user)}
    return render(request, "web/account_password.html", context)
