"""``GET /api/v1/dashboard``: the same figures as the selectors, scoped, refused without
``registry.view``."""

from __future__ import annotations

from typing import Any

import pytest

from fangpin.core.access import SYSTEM
from fangpin.core.models import Region
from fangpin.dashboards.refresh import tallies_refresh
from fangpin.dashboards.selectors import dashboard_figures, headline
from tests.dashboards.conftest import AS_OF, HUAYUAN, LONGTAN, MINLE_TOWN, TUDI
from tests.evaluation.conftest import LUXI
from tests.evaluation.pages import client_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/dashboard"


@pytest.fixture
def refreshed(work: dict[str, Any]) -> dict[str, Any]:
    tallies_refresh(actor=SYSTEM, county_code=HUAYUAN, as_of=AS_OF)
    return work


def test_the_county_and_its_townships(refreshed: dict[str, Any]) -> None:
    client = client_for(refreshed["world"].users["county_huayuan"])

    answer = client.get(URL)

    assert answer.status_code == 200
    assert answer["Cache-Control"] == "no-store"
    body = answer.json()
    fig = dashboard_figures(user=SYSTEM, region=Region.objects.get(code=HUAYUAN))
    assert (body["code"], body["name"], body["level"], body["as_of"]) == (
        HUAYUAN,
        "花垣县",
        3,
        "2025-01-20",
    )
    assert body["figures"] == headline(fig)
    assert [(c["code"], c["figures"]["hh"], c["figures"]["mon"]) for c in body["children"]] == [
        (LONGTAN, 12, 2),
        (MINLE_TOWN, 8, 0),
    ]


def test_scope(refreshed: dict[str, Any]) -> None:
    cases = [
        ("township_longtan", HUAYUAN, 404),
        ("township_longtan", MINLE_TOWN, 404),
        ("county_huayuan", LUXI, 404),
        ("cadre_tudi", TUDI, 200),
        ("auditor", HUAYUAN, 403),
    ]
    answers = []
    for user, region, _status in cases:
        answer = client_for(refreshed["world"].users[user]).get(URL, {"region": region})
        answers.append(answer.status_code)
        if answer.status_code == 404:
            assert answer.json() == {
                "code": "not_found",
                "message": "区划不存在或不在管辖范围内",
                "field": None,
            }
    assert answers == [status for _, _, status in cases]
