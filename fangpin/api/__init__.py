"""The HTTP API under /api/v1 (django-ninja): thin endpoints over the registry's selectors
and services."""
