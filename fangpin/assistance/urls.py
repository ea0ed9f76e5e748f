"""URLs of assistance: the plan page, measure forms, visits, photos and the coverage list.

Households, measures and photos are addressed by their random public UUIDs (SEC-MSK-3).
"""

from django.urls import path

from fangpin.assistance import views

app_name = "assistance"

urlpatterns = [
    path("households/<uuid:household_id>/plan/", views.plan_page, name="plan"),
    path(
        "households/<uuid:household_id>/plan/measures/",
        views.measure_add,
        name="measure_add",
    ),
    path(
        "households/<uuid:household_id>/plan/measures/<uuid:measure_id>/edit/",
        views.measure_edit,
        name="measure_edit",
    ),
    path(
        "households/<uuid:household_id>/plan/measures/<uuid:measure_id>/stop/",
        views.measure_stop,
        name="measure_stop",
    ),
    path("households/<uuid:household_id>/visits/new/", views.visit_new, name="visit_new"),
    path("visits/photos/<uuid:photo_id>/", views.visit_photo, name="visit_photo"),
    path("visits/coverage/", views.coverage, name="coverage"),
]
