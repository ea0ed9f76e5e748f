"""Helpers of the page tests: a logged-in client, the CSP check, a campaign with its sample."""

from __future__ import annotations

import json
import re
from typing import Any

from django.test import Client

from fangpin.core.models import User
from fangpin.evaluation.campaigns import DesignChoice, campaign_create
from fangpin.evaluation.models import Campaign
from tests.evaluation.conftest import HUAYUAN, World

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S)
_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def no_inline_script(body: str) -> list[dict[str, Any]]:
    """Assert the page runs no inline script (CSP ``script-src 'self'``): every script element
    has a ``src`` or is JSON data; no event-handler attribute. Return the JSON data elements."""
    data = []
    for attributes, content in _SCRIPT.findall(body):
        if 'type="application/json"' in attributes:
            data.append(json.loads(content))
            continue
        assert "src=" in attributes, attributes
        assert content.strip() == "", attributes
    assert _HANDLER.search(body) is None
    assert "javascript:" not in body
    return data


def make_campaign(world: World, **changes: Any) -> Campaign:
    """The 花垣县 campaign of seed s1: 龙门村, 豆旺村, 民乐村, 响水村; 13 households."""
    values: dict[str, Any] = {
        "actor": world.users["inspector_huayuan"],
        "name": "2024年度第三方评估",
        "county_code": HUAYUAN,
        "year": 2024,
        "seed": "s1",
        "design": DesignChoice(ordinary_share=0.5),
    }
    values.update(changes)
    return campaign_create(**values)


def survey_data(version: int, **changes: Any) -> dict[str, Any]:
    """The survey form as a phone posts it: everything in order."""
    data: dict[str, Any] = {
        "version": version,
        "surveyed_on": "2025-01-10",
        "people": "2",
        "per_capita_income": "9000",
        "food_ok": "1",
        "clothing_ok": "1",
        "education_ok": "1",
        "medical_ok": "1",
        "housing_ok": "1",
        "water_ok": "1",
        "is_satisfied": "1",
        "adjudication": "correct",
        "notes": "",
    }
    data.update(changes)
    return data
