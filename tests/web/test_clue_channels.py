"""Clues of the other channels on the web: a sweep typed on the household page, a
self-declaration accepted into a clue, and the verification of a clue without warnings."""

from __future__ import annotations

from fangpin.casework.models import Case, Clue
from fangpin.intake.models import Declaration
from tests.intake.conftest import make_declaration
from tests.registry.conftest import World
from tests.web.conftest import client_for


def test_the_household_page_offers_the_clue_form_to_the_cadre_only(world: World) -> None:
    household = world.households["tudi"]
    cadre = client_for(world.viewers["cadre_tudi"]).get(f"/households/{household.public_id}/")
    county = client_for(world.viewers["county_huayuan"]).get(f"/households/{household.public_id}/")
    assert 'id="record-clue"' in cadre.content.decode()
    assert 'id="record-clue"' not in county.content.decode()


def test_a_sweep_typed_on_the_household_page_becomes_a_clue_and_is_verified(
    world: World,
) -> None:
    household = world.households["tudi"]
    client = client_for(world.viewers["cadre_tudi"])

    response = client.post(
        f"/households/{household.public_id}/clue/",
        {"channel": "sweep", "note": "走访发现户主住院"},
    )

    clue = Clue.objects.get(household=household)
    assert response.status_code == 302
    assert response["Location"] == f"/clues/{clue.public_id}/"
    assert (clue.channel, clue.note) == ("sweep", "走访发现户主住院")
    page = client.get(f"/clues/{clue.public_id}/").content.decode()
    assert 'id="clue-outcome-select"' in page
    assert "线索内容：走访发现户主住院" in page

    verified = client.post(
        f"/clues/{clue.public_id}/verify/", {"version": "1", "outcome": "confirmed", "note": "属实"}
    )

    assert verified.status_code == 302
    clue.refresh_from_db()
    case = Case.objects.get(household=household)
    assert (clue.status, clue.outcome, clue.case_id) == ("verified", "confirmed", case.pk)
    assert 'id="clue-case"' in client.get(f"/clues/{clue.public_id}/").content.decode()


def test_a_sweep_without_text_is_refused_with_the_message(world: World) -> None:
    household = world.households["tudi"]
    client = client_for(world.viewers["cadre_tudi"])

    response = client.post(
        f"/households/{household.public_id}/clue/", {"channel": "sweep", "note": ""}, follow=True
    )

    assert "请填写线索内容（不超过 500 字）" in response.content.decode()
    assert Clue.objects.count() == 0


def test_a_declaration_is_accepted_into_a_clue_of_the_typed_household(world: World) -> None:
    declaration = make_declaration()
    household = world.households["tudi"]
    client = client_for(world.viewers["cadre_tudi"])
    page = client.get(f"/declarations/{declaration.public_id}/").content.decode()
    assert 'id="accept-form"' in page

    response = client.post(
        f"/declarations/{declaration.public_id}/accept/",
        {"version": "1", "household_number": household.household_number},
    )

    clue = Clue.objects.get(household=household)
    assert response.status_code == 302
    assert response["Location"] == f"/clues/{clue.public_id}/"
    assert clue.channel == "self_declared"
    assert Declaration.objects.get(pk=declaration.pk).status == "accepted"


def test_an_unknown_household_number_is_refused_and_nothing_changes(world: World) -> None:
    declaration = make_declaration()
    client = client_for(world.viewers["cadre_tudi"])

    response = client.post(
        f"/declarations/{declaration.public_id}/accept/",
        {"version": "1", "household_number": "433124102201999"},
        follow=True,
    )

    assert "未找到该户：请填写辖区内的户编号" in response.content.decode()
    assert Clue.objects.count() == 0
    assert Declaration.objects.get(pk=declaration.pk).status == "new"
