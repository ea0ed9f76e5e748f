"""URLs of the dashboards and monthly reports (docs/dashboards.md), included by
``fangpin.web.urls`` in the ``web`` namespace."""

from django.urls import path

from fangpin.web.views import dashboards

urlpatterns = [
    path("dashboard/", dashboards.overview, name="dashboard"),
    path("dashboard/work/", dashboards.work, name="dashboard_work"),
    path("dashboard/results/", dashboards.results, name="dashboard_results"),
    path("dashboard/refresh/", dashboards.refresh, name="dashboard_refresh"),
    path("reports/", dashboards.reports, name="reports"),
    path(
        "reports/<uuid:report_id>/<str:fmt>/",
        dashboards.report_download,
        name="report_download",
    ),
]
