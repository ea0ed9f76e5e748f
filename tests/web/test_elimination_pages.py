"""The elimination on the web: the proposal from the household page, the guards on the case
page, the county's approval with its method, the rollback form."""

from __future__ import annotations

from datetime import date

from fangpin.casework.models import Case
from fangpin.core.models import User
from fangpin.registry.models import Household
from tests.casework.test_elimination import _measure, _to_review, monitored, people
from tests.registry.conftest import World
from tests.web.conftest import client_for

__all__ = ["monitored", "people"]  # fixtures, imported for this module


def test_the_cadre_proposes_the_elimination_from_the_household_page(
    world: World, monitored: Household
) -> None:
    client = client_for(world.viewers["cadre_tudi"])
    page = client.get(f"/households/{monitored.public_id}/").content.decode()
    assert 'id="propose-elimination"' in page

    response = client.post(f"/households/{monitored.public_id}/eliminate/", {"summary": "稳定"})

    case = Case.objects.get(household=monitored, kind="elimination")
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.public_id}/"
    again = client.get(f"/households/{monitored.public_id}/").content.decode()
    assert 'id="propose-elimination"' not in again  # one open elimination at a time


def test_a_household_not_monitored_cannot_be_proposed(world: World) -> None:
    household = world.households["tudi"]
    client = client_for(world.viewers["cadre_tudi"])
    assert (
        'id="propose-elimination"'
        not in client.get(f"/households/{household.public_id}/").content.decode()
    )
    response = client.post(f"/households/{household.public_id}/eliminate/", follow=True)
    assert "该户不是在监测中的监测对象，不能提出风险消除" in response.content.decode()
    assert Case.objects.count() == 0


def test_the_county_sees_the_guards_and_approves_with_the_method(
    people: dict[str, User], monitored: Household
) -> None:
    from fangpin.casework.elimination import elimination_open

    _measure(monitored)
    case = _to_review(
        elimination_open(actor=people["cadre_tudi"], household=monitored, on=date(2026, 11, 2)),
        people,
    )
    county = client_for(people["county_huayuan"])
    page = county.get(f"/cases/{case.public_id}/").content.decode()
    assert 'id="case-guards"' in page
    assert "✗" not in page.split('id="case-guards"')[1].split("</ul>")[0]
    assert 'name="method"' in page

    response = county.post(
        f"/cases/{case.public_id}/act/",
        {
            "version": str(case.version),
            "action": "approve",
            "on": "2026-11-12",
            "method": "natural",
            "summary": "收入稳定",
        },
    )

    assert response.status_code == 302
    stored = Case.objects.get(pk=case.pk)
    assert (stored.step, stored.method) == ("eliminated", "natural")
    page = county.get(f"/cases/{case.public_id}/").content.decode()
    assert 'id="rollback-form"' in page
