"""API tokens: created once with the secret shown once, stored as a digest, revocable, expiring."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from fangpin.api.models import ApiToken
from fangpin.api.services import ApiTokenError, api_token_create, api_token_revoke
from fangpin.cli.api_token import api_token_app
from fangpin.core.models import AuditEvent
from tests.api.conftest import World


def test_create_returns_secret_once_and_stores_only_its_digest(world: World) -> None:
    user = world.viewers["cadre_tudi"]
    token, secret = api_token_create(actor="system:test", user=user, name="对接")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert stored.prefix == secret[:8]
    assert len(secret) == 43
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret not in {str(v) for v in row.values()}
    event = AuditEvent.objects.get(action="api_token.create")
    assert event.object_id == str(token.pk)
    assert event.changes["user"] == [None, "cadre_tudi"]
    assert secret not in str(event.changes)


def test_token_authenticates_and_updates_last_used(world: World, call: Callable[..., Any]) -> None:
    token, secret = api_token_create(
        actor="system:test", user=world.viewers["cadre_tudi"], name="a"
    )
    assert token.last_used_at is None
    reply = call("GET", "/households", secret)
    assert reply.status == 200
    assert reply.body["count"] == 1
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < timedelta(seconds=30)


@pytest.mark.parametrize("state", ["revoked", "expired", "inactive_user", "wrong_secret"])
def test_unusable_token_is_401(world: World, call: Callable[..., Any], state: str) -> None:
    user = world.viewers["county_huayuan"]
    token, secret = api_token_create(actor="system:test", user=user, name="a")
    if state == "revoked":
        api_token_revoke(actor="system:test", token_id=token.pk)
    elif state == "expired":
        ApiToken.objects.filter(pk=token.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    elif state == "inactive_user":
        user.is_active = False
        user.save(update_fields=["is_active"])
    else:
        secret = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    reply = call("GET", "/households", secret)
    assert reply.status == 401
    assert reply.body == {"code": "unauthenticated", "message": "请先登录", "field": None}


def test_revoke_is_audited_once(world: World) -> None:
    token, _ = api_token_create(actor="system:test", user=world.viewers["auditor"], name="a")
    api_token_revoke(actor="system:test", token_id=token.pk)
    api_token_revoke(actor="system:test", token_id=token.pk)
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_create_refuses_bad_input_and_writes_nothing(world: World) -> None:
    other = world.viewers["cadre_tudi"]
    before = (ApiToken.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ApiTokenError) as empty:
        api_token_create(actor="system:test", user=other, name="  ")
    assert empty.value.code == "name"
    with pytest.raises(ApiTokenError) as past:
        api_token_create(
            actor="system:test", user=other, name="a", expires_at=timezone.now() - timedelta(1)
        )
    assert past.value.code == "expires_at"
    with pytest.raises(ApiTokenError) as forbidden:
        api_token_create(actor=world.viewers["county_huayuan"], user=other, name="a")
    assert forbidden.value.code == "forbidden"
    assert (ApiToken.objects.count(), AuditEvent.objects.count()) == before


def test_token_endpoints_list_and_revoke_only_own(
    world: World, tokens: dict[str, str], call: Callable[..., Any]
) -> None:
    mine = call("GET", "/tokens", tokens["cadre_tudi"])
    assert mine.status == 200
    assert [t["prefix"] for t in mine.body] == [tokens["cadre_tudi"][:8]]
    other = ApiToken.objects.get(user=world.viewers["auditor"])
    refused = call("POST", f"/tokens/{other.pk}/revoke", tokens["cadre_tudi"])
    assert refused.status == 404
    assert refused.body["code"] == "not_found"
    other.refresh_from_db()
    assert other.revoked_at is None
    own = ApiToken.objects.get(user=world.viewers["cadre_tudi"])
    done = call("POST", f"/tokens/{own.pk}/revoke", tokens["cadre_tudi"])
    assert done.status == 200
    assert done.body["revoked_at"] is not None
    assert call("GET", "/tokens", tokens["cadre_tudi"]).status == 401


def test_cli_creates_shows_secret_once_and_revokes(world: World) -> None:
    runner = CliRunner()
    created = runner.invoke(api_token_app, ["create", "cadre_tudi", "--name", "乡镇对接"])
    assert created.exit_code == 0, created.output
    token = ApiToken.objects.get(user=world.viewers["cadre_tudi"])
    secret = created.output.splitlines()[1]
    assert hashlib.sha256(secret.encode()).hexdigest() == token.digest
    assert token.name == "乡镇对接"
    revoked = runner.invoke(api_token_app, ["revoke", str(token.pk)])
    assert revoked.exit_code == 0, revoked.output
    token.refresh_from_db()
    assert token.revoked_at is not None
    missing = runner.invoke(api_token_app, ["create", "nobody", "--name", "x"])
    assert missing.exit_code == 1
    assert ApiToken.objects.count() == 1
