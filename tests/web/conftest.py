"""Fixtures for the web tests: the registry's region chain, people, actors and world."""

from __future__ import annotations

import pytest
from django.test import Client

from fangpin.core.models import User
from tests.registry import conftest as registry

# The registry's fixtures, re-exported by name so pytest finds them here too.
actor = registry.actor
counts = registry.counts
douwang_cadre = registry.douwang_cadre
family = registry.family
luxi_approver = registry.luxi_approver
person_input = registry.person_input
tudi_cadre = registry.tudi_cadre
village = registry.village
world = registry.world


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cadre_client(tudi_cadre: User) -> Client:
    return client_for(tudi_cadre)


@pytest.fixture
def county_client(actor: User) -> Client:
    return client_for(actor)
