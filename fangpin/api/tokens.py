"""The caller's own API tokens: list them (prefix only) and revoke one. Creating a token is a
CLI step (``fangpin api-token create``), so a stolen token cannot mint more."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Path, Router

from fangpin.api.errors import ApiError
from fangpin.api.models import ApiToken
from fangpin.api.schemas import MAX_ID, ApiTokenOut, responses
from fangpin.api.services import ApiTokenError, api_token_revoke

router = Router(tags=["接口令牌 tokens"])


def _out(token: ApiToken) -> ApiTokenOut:
    return ApiTokenOut(
        id=token.pk,
        name=token.name,
        prefix=token.prefix,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
    )


@router.get("", response=responses(200, list[ApiTokenOut]), summary="我的接口令牌")
def token_list(request: HttpRequest) -> list[ApiTokenOut]:
    user = request.auth  # type: ignore[attr-defined]
    return [_out(t) for t in ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")]


@router.post("/{token_id}/revoke", response=responses(200, ApiTokenOut), summary="吊销接口令牌")
def token_revoke(
    request: HttpRequest, token_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> ApiTokenOut:
    user = request.auth  # type: ignore[attr-defined]
    if not ApiToken.objects.filter(pk=token_id, user=user).exists():
        raise ApiError(404, "not_found", "未找到该接口令牌")
    try:
        return _out(api_token_revoke(actor=user, token_id=token_id))
    except ApiTokenError as exc:
        raise ApiError(404, exc.code, exc.message) from exc
