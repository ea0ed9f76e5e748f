"""The read-only admin of declarations: scoped, masked, no writes."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from fangpin.core.models import Region, User
from tests.intake.conftest import DOUWANG, STRANGER_ID, make_declaration

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_changelist_shows_the_scope_masked(village: Region, tudi_cadre: User) -> None:
    mine = make_declaration()
    other = make_declaration(village_code=DOUWANG)

    response = _client(tudi_cadre).get(reverse("admin:intake_declaration_changelist"))

    assert response.status_code == 200
    html = response.content.decode()
    assert mine.reference in html
    assert other.reference not in html
    assert STRANGER_ID not in html
    assert "v1." not in html  # no ciphertext token
    assert re.findall(r"1[3-9]\d{9}", html) == []


def test_a_declaration_outside_the_scope_is_404_and_nothing_is_writable(
    village: Region, tudi_cadre: User
) -> None:
    mine = make_declaration()
    other = make_declaration(village_code=DOUWANG)
    client = _client(tudi_cadre)

    inside = client.get(reverse("admin:intake_declaration_change", args=[mine.pk]))
    outside = client.get(reverse("admin:intake_declaration_change", args=[other.pk]))
    missing = client.get(reverse("admin:intake_declaration_change", args=[999_999]))

    assert inside.status_code == 200
    assert STRANGER_ID not in inside.content.decode()
    assert outside.status_code == missing.status_code == 404
    assert client.get(reverse("admin:intake_declaration_add")).status_code == 403
