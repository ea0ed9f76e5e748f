"""URLs of the exports (docs/exports.md), included by ``fangpin.web.urls`` under ``exports/``
in the ``web`` namespace. Files are produced by POST only; list names are fixed words."""

from django.urls import path

from fangpin.web.views import exports

urlpatterns = [
    path("", exports.exports_home, name="exports"),
    path("requests/<uuid:request_id>/approve/", exports.export_approve, name="export_approve"),
    path("requests/<uuid:request_id>/deny/", exports.export_deny, name="export_deny"),
    path("requests/<uuid:request_id>/download/", exports.export_download, name="export_download"),
    path("<slug:list_name>/", exports.export_list_view, name="export_list"),
]
