"""Structured JSON errors: ``{"code", "message", "field"}`` with stable codes, in Chinese."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from fangpin.registry.errors import RegistryError

__all__ = ["ApiError", "install_handlers", "status_for"]

HOUSEHOLD_NOT_FOUND = "未找到该农户"
PERSON_NOT_FOUND = "未找到该人员"

_STATUS_BY_CODE = {"not_found": 404, "stale": 409, "forbidden": 403}


class ApiError(Exception):
    """An error answered as JSON with ``status``; raised by endpoints and the auth layer."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field


def status_for(code: str) -> int:
    """HTTP status of a registry error code: 404, 409, 403, or 400 for every other refusal."""
    return _STATUS_BY_CODE.get(code, 400)


_PYDANTIC_MESSAGES = {
    "missing": "必须填写",
    "extra_forbidden": "不允许的字段",
    "string_too_long": "过长",
    "string_too_short": "过短",
    "string_pattern_mismatch": "格式不正确",
    "string_type": "应为文本",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "bool_parsing": "应为是或否（true/false）",
    "bool_type": "应为是或否（true/false）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_type": "应为日期（YYYY-MM-DD）",
    "datetime_parsing": "应为时间（ISO 8601）",
    "decimal_parsing": "应为金额数字",
    "decimal_type": "应为金额数字",
    "decimal_max_digits": "位数过多",
    "decimal_max_places": "最多保留两位小数",
    "finite_number": "应为有限数字",
    "greater_than_equal": "过小",
    "less_than_equal": "过大",
    "literal_error": "不是允许的取值",
    "too_long": "项数过多",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_attributes_type": "应为对象",
    "json_invalid": "不是有效的 JSON",
}


def _error_item(error: dict[str, Any]) -> dict[str, Any]:
    loc = [str(part) for part in error.get("loc", ())]
    # ninja prefixes the location with the parameter source ("body", "query", "path") and name.
    where = ".".join(loc[2:] if len(loc) > 2 and loc[0] == "body" else loc[1:] or loc)
    reason = _PYDANTIC_MESSAGES.get(str(error.get("type", "")), "不符合要求")
    return {"field": where, "type": str(error.get("type", "")), "message": f"{where}{reason}"}


def _json(api: NinjaAPI, request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
    return api.create_response(request, body, status=status)


def install_handlers(api: NinjaAPI) -> None:
    """One handler per error family, all answering ``{"code", "message", …}``."""

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return _json(
            api, request, exc.status, {"code": exc.code, "message": exc.message, "field": exc.field}
        )

    @api.exception_handler(RegistryError)
    def registry_error(request: HttpRequest, exc: RegistryError) -> HttpResponse:
        body = {"code": exc.code, "message": exc.message, "field": exc.field}
        return _json(api, request, status_for(exc.code), body)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        body = {"code": "unauthenticated", "message": "请先登录", "field": None}
        return _json(api, request, 401, body)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        items = [_error_item(e) for e in exc.errors]
        message = "；".join(item["message"] for item in items[:5]) or "请求数据不正确"
        return _json(api, request, 422, {"code": "invalid", "message": message, "errors": items})

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = {400: "bad_request", 401: "unauthenticated", 403: "forbidden"}.get(
            exc.status_code, "error"
        )
        message = "请求被拒绝（CSRF 校验失败）" if exc.status_code == 403 else "请求无效"
        if exc.status_code == 400:
            message = "请求格式不正确"
        return _json(
            api, request, exc.status_code, {"code": code, "message": message, "field": None}
        )
