"""URLs of evaluation (docs/evaluation.md), included by ``fangpin.web.urls`` under
``evaluation/`` in the ``web`` namespace: third-party evaluation campaigns and their surveys,
the poverty measures and exit qualification, and the integrity report."""

from django.urls import path

from fangpin.web.views import evaluation, evaluation_reports

urlpatterns = [
    path("", evaluation.campaign_list_view, name="evaluations"),
    path("measures/", evaluation_reports.measures_view, name="measures"),
    path("measures/compute/", evaluation_reports.measures_compute_view, name="measures_compute"),
    path("integrity/", evaluation_reports.integrity_view, name="integrity"),
    path("integrity/run/", evaluation_reports.integrity_run_view, name="integrity_run"),
    path("integrity/push/", evaluation_reports.integrity_push_view, name="integrity_push"),
    path("survey/<uuid:unit_id>/", evaluation.survey_view, name="evaluation_survey"),
    path("<uuid:campaign_id>/", evaluation.campaign_detail_view, name="evaluation"),
    path("<uuid:campaign_id>/visits/", evaluation.campaign_visits_view, name="evaluation_visits"),
    path("<uuid:campaign_id>/next/", evaluation.campaign_next_view, name="evaluation_next"),
    path("<uuid:campaign_id>/close/", evaluation.campaign_close_view, name="evaluation_close"),
    path("<uuid:campaign_id>/push/", evaluation.campaign_push_view, name="evaluation_push"),
]
