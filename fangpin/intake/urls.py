"""URLs of intake. The public form and its thank-you page need no login (``login_not_required``
on the views); everything else does. No personal information in any URL (SEC-MSK-3):
declarations are addressed by their random ``public_id``, villages by their public region code.
"""

from django.urls import path, re_path

from fangpin.intake import views

app_name = "intake"

urlpatterns = [
    path("declare/", views.declare, name="declare"),
    path("declare/thanks/", views.declare_thanks, name="declare_thanks"),
    re_path(r"^declare/qr/(?P<village_code>[0-9]{12})/$", views.village_qr, name="village_qr"),
    re_path(r"^declare/(?P<village_code>[0-9]{12})/$", views.declare, name="declare_village"),
    path("declarations/", views.declaration_list_view, name="declarations"),
    path(
        "declarations/<uuid:declaration_id>/",
        views.declaration_detail,
        name="declaration",
    ),
    path(
        "declarations/<uuid:declaration_id>/reject/",
        views.declaration_reject_view,
        name="declaration_reject",
    ),
    path(
        "declarations/<uuid:declaration_id>/duplicate/",
        views.declaration_duplicate_view,
        name="declaration_duplicate",
    ),
]
