"""Fixtures for intake: the registry's regions and people, a clean cache, form helpers.

The rate limits and spent human-check tokens live in Django's cache (local memory in tests),
so every test starts with an empty one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache

from fangpin import idnumber
from fangpin.core.models import AuditEvent, Role, User
from fangpin.intake.humancheck import challenge_new
from fangpin.intake.models import Declaration
from fangpin.intake.services import PUBLIC_ACTOR, declaration_submit
from tests.registry import conftest as registry
from tests.registry.conftest import DOUWANG, LONGTAN_TOWNSHIP, TUDI, make_user

actor = registry.actor
douwang_cadre = registry.douwang_cadre
family = registry.family
luxi_approver = registry.luxi_approver
person_input = registry.person_input
tudi_cadre = registry.tudi_cadre
village = registry.village
world = registry.world

#: A valid ID number of 花垣县 (433124) nobody in the fixtures holds.
STRANGER_ID = idnumber.build("433124", date(1975, 3, 8), 555)
_NUMERALS = "零一二三四五六七八九十"


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def township_reviewer(village: Any) -> User:
    """The township reviewer of 龙潭镇 (土地村 and 豆旺村)."""
    return make_user("reviewer_longtan", Role.TOWNSHIP_REVIEWER, LONGTAN_TOWNSHIP)


def answer_of(question: str) -> str:
    """The answer to a human-check question such as 七加五等于多少？"""
    first, rest = question.split("加", 1)
    second = rest.split("等于", 1)[0]
    return str(_NUMERALS.index(first) + _NUMERALS.index(second))


def solved() -> dict[str, str]:
    """A fresh human-check token with its right answer, as form fields."""
    challenge = challenge_new()
    return {"human_token": challenge.token, "human_answer": answer_of(challenge.question)}


def form_data(**overrides: Any) -> dict[str, Any]:
    """A valid declaration as the browser posts it (village 土地村), with a solved check."""
    data: dict[str, Any] = {
        "village": TUDI,
        "name": "彭小红",
        "phone": "13907431234",
        "id_number": STRANGER_ID,
        "risk_type": "01",
        "difficulty": "丈夫今年3月住院手术，花费8万元，报销后自付3万元。",
        "consent": "on",
        "consent_version": "2026-12-v1",
        **solved(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def make_declaration(village_code: str = TUDI, **overrides: Any) -> Declaration:
    """A stored declaration through the service (as the public form stores one)."""
    values: dict[str, Any] = {
        "village_code": village_code,
        "name": "彭小红",
        "phone": "13907431234",
        "id_number": STRANGER_ID,
        "risk_type": "01",
        "difficulty": "丈夫住院，自付3万元。",
        "consent_given": True,
        "consent_version": "2026-12-v1",
        "client_ip": "10.1.2.3",
    }
    values.update(overrides)
    return declaration_submit(actor=PUBLIC_ACTOR, **values)


def snapshot() -> dict[str, Any]:
    """Declarations and audit actions, for "nothing changed" checks."""
    return {
        "declarations": sorted(
            Declaration.objects.values_list("pk", "status", "version", "decision_note")
        ),
        "audit": sorted(AuditEvent.objects.values_list("action", flat=True)),
    }


__all__ = ["DOUWANG", "STRANGER_ID", "TUDI", "answer_of", "form_data", "make_declaration"]
