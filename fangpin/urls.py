"""URL map. Until the web-app issue lands, the Django admin is the registry's UI.

Every view needs a login (``LoginRequiredMiddleware``, SEC-AC-5) except those marked
``login_not_required``: the admin's login page and the language switch. Static files never
get here (whitenoise serves them first).
"""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.views.i18n import set_language
from django_otp.plugins.otp_totp.models import TOTPDevice

from fangpin.core.auth import SecondFactorAdminSite


def home(request: HttpRequest) -> HttpResponse:
    return redirect("admin:index")


# django-otp's documented way to swap the class of the default site in place, keeping every
# registration: our login form (password + TOTP code) and TOTP-aware permission check.
admin.site.__class__ = SecondFactorAdminSite
admin.site.site_header = "防贫 fangpin · 防止返贫监测和帮扶"
admin.site.site_title = "防贫 fangpin"
admin.site.index_title = "户籍登记（临时管理界面）"
# TOTP devices are enrolled with `fangpin totp` (audited), never edited in the admin.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    # POST /i18n/setlang/ language=en|zh-hans; the login page offers it to everyone.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
]
