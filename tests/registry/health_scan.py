"""Seeding and scanning for the health-masking tests (web pages, admin, API).

Health details are sensitive PI (PIPL art. 28): no page or response may show a sensitive health
status (长期慢性病, 患有大病, 残疾) nor any disability grade or category label, in Chinese or
English, to anyone who has not revealed it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from fangpin import codes
from fangpin.registry.models import HealthCodes, Person, health_columns
from tests.registry.conftest import World

SENSITIVE_HEALTH = tuple(codes.table("health").codes_where("sensitive"))
SENSITIVE_LABELS: frozenset[str] = frozenset(
    label
    for table, wanted in (
        ("health", SENSITIVE_HEALTH),
        ("disability_grade", codes.table("disability_grade").codes()),
        ("disability_category", codes.table("disability_category").codes()),
    )
    for value in codes.table(table).values
    if value.code in wanted
    for label in (value.zh, value.en)
)

#: household key → (health, grade, category) of its members, by row order. Together the
#: households in 花垣县 hold every sensitive status, grade and category.
SEEDED = {
    "tudi": [("20", "", ""), ("30", "", ""), ("40", "1", "1")],
    "douwang": [("40", "2", "2"), ("40", "3", "3"), ("40", "4", "4")],
    "minle": [("40", "1", "5"), ("40", "2", "6"), ("40", "3", "7")],
    "luxi": [("20", "", ""), ("30", "", ""), ("40", "4", "1")],
}


def seed_health(world: World) -> None:
    """Give the world's members the health details of :data:`SEEDED` (test setup only)."""
    for key, details in SEEDED.items():
        members = Person.objects.filter(household=world.households[key]).order_by("pk")
        for person, (health, grade, category) in zip(members, details, strict=True):
            set_health(person.pk, health, grade, category)


def set_health(person_id: int, health: str, grade: str = "", category: str = "") -> None:
    """Store a person's health details as a new token, bypassing the services (setup only)."""
    Person.objects.filter(pk=person_id).update(
        **health_columns(HealthCodes(health, grade, category))
    )


_UNSELECTED_OPTION = re.compile(r"<option(?![^>]*\bselected\b)[^>]*>.*?</option>", re.S)
_TAG = re.compile(r"<[^>]+>")
_SEPARATORS = re.compile(r"[\s（）()，,、·:：/;；。|]+")


def _leaks_in_text(text: str) -> set[str]:
    found = set()
    stripped = text.strip()
    if stripped in SENSITIVE_LABELS:
        found.add(stripped)
    found |= {token for token in _SEPARATORS.split(text) if token in SENSITIVE_LABELS}
    return found


def html_leaks(body: str) -> set[str]:
    """The sensitive health labels shown on an HTML page.

    Choice lists offered by a form (every option, the same for every person) tell nothing about
    anyone and are left out — except an option that is ``selected``, which would pre-fill the
    stored value. Headers such as 残疾等级 are not labels and do not match.
    """
    body = _UNSELECTED_OPTION.sub("", body)
    found: set[str] = set()
    for text in _TAG.split(body):
        found |= _leaks_in_text(text)
    for attribute in re.findall(r'(?:title|value|aria-label)="([^"]*)"', body):
        found |= _leaks_in_text(attribute)
    return found


def json_leaks(raw: str) -> set[str]:
    """The sensitive health labels among the string values of a JSON document."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            found.update(_leaks_in_text(node))

    walk(json.loads(raw))
    return found
