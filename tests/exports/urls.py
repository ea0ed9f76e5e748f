"""The project's URL map with the exports included under ``exports/`` in the ``web`` namespace,
exactly as ``fangpin.web.urls`` is to include them (docs/exports.md), so these tests do not
depend on that line being there yet."""

from django.urls import URLPattern, URLResolver, include, path

from fangpin import urls as root
from fangpin.web import urls as web_urls
from fangpin.web import urls_exports

_web: list[URLPattern | URLResolver] = [
    *web_urls.urlpatterns,
    path("exports/", include(urls_exports)),
]

urlpatterns = [
    *root.urlpatterns[:-1],  # admin, API, language, intake, assistance
    path("", include((_web, "web"), namespace="web")),
]
