"""URL map: the web UI (fangpin.web) at "", the read-only admin under /admin/.

Every view needs a login (``LoginRequiredMiddleware``, SEC-AC-5) except those marked
``login_not_required``: the two login pages (web and admin) and the language switch. Static
files never get here (whitenoise serves them first).
"""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language
from django_otp.plugins.otp_totp.models import TOTPDevice

from fangpin.api.api import urls as api_urls
from fangpin.core.auth import SecondFactorAdminSite

# django-otp's documented way to swap the class of the default site in place, keeping every
# registration: our login form (password + TOTP code) and TOTP-aware permission check.
admin.site.__class__ = SecondFactorAdminSite
admin.site.site_header = "防贫 fangpin · 防止返贫监测和帮扶"
admin.site.site_title = "防贫 fangpin"
admin.site.index_title = "户籍登记（临时管理界面）"
# TOTP devices are enrolled with `fangpin totp` (audited), never edited in the admin.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)

# A generic 500 page with the request ID (scenario 26); Django's own has no request to show it.
handler500 = "fangpin.web.views.errors.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api_urls()),
    # POST /i18n/setlang/ language=en|zh-hans; the login page offers it to everyone.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("", include("fangpin.intake.urls")),  # self-declaration, public form (docs/intake.md)
    path("", include("fangpin.assistance.urls")),  # plans, visits (docs/assistance.md)
    path("", include("fangpin.web.urls")),  # the web UI (docs/web.md)
]
