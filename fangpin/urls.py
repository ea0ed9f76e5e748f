"""URL map. Until the web-app issue lands, the Django admin is the registry's UI."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import include, path


def home(request: HttpRequest) -> HttpResponse:
    return redirect("admin:index")


admin.site.site_header = "防贫 fangpin · 防止返贫监测和帮扶"
admin.site.site_title = "防贫 fangpin"
admin.site.index_title = "户籍登记（临时管理界面）"

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),  # POST /i18n/setlang/ language=en|zh-hans
]
