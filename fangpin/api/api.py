"""The NinjaAPI instance mounted at /api/v1 (urls namespace ``api-v1``).

Every operation authenticates with a bearer token or the login session (auth.py). The URLs
opt out of ``LoginRequiredMiddleware``'s redirect to the login page: an API answers 401 JSON
itself. The OpenAPI schema and the docs page need a logged-in user or a token too
(ASVS 13.4.5), and the docs' Swagger UI assets come from ninja's own static files, never a CDN.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Swagger

from fangpin.api import dashboards, households, persons, tokens
from fangpin.api.auth import BearerTokenAuth, VerifiedSessionAuth, authenticate_any
from fangpin.api.errors import install_handlers


def _docs_require_login(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if authenticate_any(request) is None:
            return JsonResponse({"code": "unauthenticated", "message": "请先登录"}, status=401)
        return view(request, *args, **kwargs)

    return guarded


class FangpinAPI(NinjaAPI):
    """Every answer carries ``Cache-Control: no-store``: it may hold PI (ASVS 14.3.2)."""

    def create_response(
        self,
        request: HttpRequest,
        data: Any,
        *,
        status: int | None = None,
        temporal_response: HttpResponse | None = None,
    ) -> HttpResponse:
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        response["Cache-Control"] = "no-store"
        return response


api = FangpinAPI(
    title="防贫 fangpin API",
    version="1",
    description=(
        "防止返贫监测和帮扶：户籍登记接口。身份证号码与电话只以脱敏形式返回；"
        "按证件号码查找请用 POST，证件号码不得出现在 URL 中。"
    ),
    urls_namespace="api-v1",
    auth=[BearerTokenAuth(), VerifiedSessionAuth()],
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
    docs_decorator=_docs_require_login,
)
install_handlers(api)
api.add_router("/households", households.router)
api.add_router("/persons", persons.router)
api.add_router("/tokens", tokens.router)
api.add_router("/dashboard", dashboards.router)


def _exempt_from_login_redirect(patterns: list[Any]) -> None:
    """Mark every API view ``login_required = False`` (what ``login_not_required`` does)."""
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            _exempt_from_login_redirect(pattern.url_patterns)
        elif hasattr(pattern, "callback"):
            pattern.callback.login_required = False


def urls() -> tuple[list[Any], str, str]:
    """``api.urls`` with the login redirect turned off for each view."""
    patterns, app_name, namespace = api.urls
    _exempt_from_login_redirect(patterns)
    return patterns, app_name, namespace
