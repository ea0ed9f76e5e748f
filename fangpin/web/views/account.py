"""Login and logout for the web UI.

The form is the admin's :class:`fangpin.core.auth.LoginForm` (password, lockout and throttle
through django-axes, the TOTP code through django-otp), minus the admin's staff-only rule:
officials log in here with their role, not as Django staff.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.cache import never_cache

from fangpin.core.auth import LoginForm, second_factor_satisfied


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
