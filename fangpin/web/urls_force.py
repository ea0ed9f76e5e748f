"""URLs of the assistance force and the projects (docs/force.md), included by
``fangpin.web.urls`` under ``force/`` in the ``web`` namespace."""

from django.urls import path

from fangpin.web.views import force

urlpatterns = [
    path("", force.overview, name="force"),
    path("teams/new/", force.team_new, name="force_team_new"),
    path("teams/<uuid:team_id>/", force.team_page, name="force_team"),
    path("cadres/new/", force.cadre_new, name="force_cadre_new"),
    path("cadres/assign/", force.cadre_assign, name="force_cadre_assign"),
    path("pairings/new/", force.pairing_new, name="force_pairing_new"),
    path("pairings/<uuid:pairing_id>/", force.commitment, name="force_commitment"),
    path("projects/new/", force.project_new, name="force_project_new"),
    path("projects/<uuid:project_id>/", force.project_detail, name="force_project"),
    path("purchases/new/", force.purchase_new, name="force_purchase_new"),
]
