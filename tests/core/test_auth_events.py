"""Logins, failed logins and logouts leave audit events, never a password (SEC-AUD-1)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from fangpin.core.audit import AuditVerifyReport, audit_verify
from fangpin.core.models import AuditEvent, User

PASSWORD = "Zh4ng-Correct-Horse-77"
WRONG = "Wr0ng-Battery-Staple-55"
LOGIN_URL = "/admin/login/"


@pytest.fixture
def official(db: None) -> User:
    # is_staff: the admin's login page is the only login page for now.
    return User.objects.create_user(
        username="zhang_county", password=PASSWORD, role="county_approver", is_staff=True
    )


def login(client: Client, username: str, password: str) -> Any:
    return client.post(
        LOGIN_URL,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR="192.0.2.44",
    )


def event_text(event: AuditEvent) -> str:
    """Everything stored in an event, as one string, to search for leaked secrets."""
    values = AuditEvent.objects.filter(pk=event.pk).values().get()
    return json.dumps(values, ensure_ascii=False, default=str)


def test_login_success_is_audited(official: User) -> None:
    response = login(Client(), "zhang_county", PASSWORD)

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="auth.login")
    assert (event.actor_id, event.actor_label, event.actor_role) == (
        official.pk,
        "zhang_county",
        "county_approver",
    )
    assert (event.object_type, event.object_id, event.result) == (
        "user",
        str(official.pk),
        "success",
    )
    assert event.ip == "192.0.2.44"
    assert re.fullmatch(r"[0-9a-f]{32}", event.request_id)
    assert event.changes == {}
    assert PASSWORD not in event_text(event)


def test_login_failure_is_audited_without_the_password(official: User) -> None:
    response = login(Client(), "zhang_county", WRONG)

    assert response.status_code == 200  # the form again, with an error
    assert not AuditEvent.objects.filter(action="auth.login").exists()
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert (event.actor_id, event.actor_label, event.actor_role) == (None, "anonymous", "")
    assert (event.object_type, event.object_id, event.result) == (
        "user",
        "zhang_county",
        "failure",
    )
    assert event.changes == {"username": "zhang_county"}
    assert event.ip == "192.0.2.44"
    assert WRONG not in event_text(event)
    assert PASSWORD not in event_text(event)


def test_login_failure_for_an_unknown_user_is_audited(db: None) -> None:
    login(Client(), "nobody", WRONG)

    event = AuditEvent.objects.get(action="auth.login_failed")
    assert (event.object_id, event.changes, event.result) == (
        "nobody",
        {"username": "nobody"},
        "failure",
    )
    assert WRONG not in event_text(event)


def test_a_long_attempted_username_is_truncated(db: None) -> None:
    attempted = "张" * 200  # django-axes keeps at most 255

    login(Client(), attempted, WRONG)

    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.changes == {"username": "张" * 150}
    assert event.object_id == "张" * 64


def test_logout_is_audited(official: User) -> None:
    client = Client()
    login(client, "zhang_county", PASSWORD)

    response = client.post("/admin/logout/", REMOTE_ADDR="192.0.2.44")

    assert response.status_code == 200
    event = AuditEvent.objects.get(action="auth.logout")
    assert (event.actor_id, event.actor_label, event.actor_role, event.result) == (
        official.pk,
        "zhang_county",
        "county_approver",
        "success",
    )
    assert (event.object_type, event.object_id, event.ip) == (
        "user",
        str(official.pk),
        "192.0.2.44",
    )


def test_auth_events_keep_the_chain_intact(official: User) -> None:
    client = Client()
    login(client, "zhang_county", WRONG)
    login(client, "zhang_county", PASSWORD)
    client.post("/admin/logout/")

    actions = list(
        AuditEvent.objects.filter(action__startswith="auth.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["auth.login_failed", "auth.login", "auth.logout"]
    assert audit_verify() == AuditVerifyReport(checked=AuditEvent.objects.count())
