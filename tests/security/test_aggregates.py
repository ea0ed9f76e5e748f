"""Scenario 2 (SECURITY.md §5, ASVS 8.4.1): no leak by aggregate.

花垣县 has two townships of two villages each (龙潭镇: 土地村 1 household, 豆旺村 2; 民乐镇:
民乐村 3, 响水村 4); 泸溪县 has one more. Every aggregate surface — the household list (web
and API), the search by ID number (web and API), the households and clues exports (xlsx read
back), the dashboard (web tiles and API figures, children included) and the clue list — is
compared with the expected set for a village cadre, a township reviewer and the county
approver: exactly their region's rows and numbers, the county the sum of its townships.
A Hypothesis test draws (account, region) pairs and checks the API's village filter and
dashboard against the same expectation.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from fangpin import idnumber
from fangpin.api.services import api_token_create
from fangpin.casework.models import Clue
from fangpin.core.access import SYSTEM
from fangpin.core.models import Role
from fangpin.dashboards.refresh import tallies_refresh
from fangpin.registry import services as registry_services
from fangpin.registry.models import Household
from fangpin.registry.validation import PersonInput
from tests.registry.conftest import (
    DOUWANG,
    HUAYUAN_COUNTY,
    LONGTAN_TOWNSHIP,
    LUXI_VILLAGE,
    MINLE,
    REGISTERED_ON,
    SYSTEM_ACTOR,
    TUDI,
    make_user,
    plain_id,
)
from tests.security.seeded_world import (
    MINLE_TOWNSHIP,
    XIANGSHUI,
    SecWorld,
    client_for,
    module_world,
)

AS_OF = date(2025, 1, 20)
#: village → its households in the world (the seeded one plus these many more)
MORE = {TUDI: 0, DOUWANG: 1, MINLE: 2, XIANGSHUI: 3, LUXI_VILLAGE: 0}
#: account → (role, home region); the first three are the registry world's
ACCOUNTS = {
    "cadre_tudi": (Role.VILLAGE_CADRE, TUDI),
    "township_longtan": (Role.TOWNSHIP_REVIEWER, LONGTAN_TOWNSHIP),
    "county_huayuan": (Role.COUNTY_APPROVER, HUAYUAN_COUNTY),
    "cadre_douwang": (Role.VILLAGE_CADRE, DOUWANG),
    "cadre_minle": (Role.VILLAGE_CADRE, MINLE),
    "cadre_xiangshui": (Role.VILLAGE_CADRE, XIANGSHUI),
    "township_minle": (Role.TOWNSHIP_REVIEWER, MINLE_TOWNSHIP),
}
#: account → the villages of its scope (written out, not computed)
SCOPE = {
    "cadre_tudi": {TUDI},
    "township_longtan": {TUDI, DOUWANG},
    "county_huayuan": {TUDI, DOUWANG, MINLE, XIANGSHUI},
    "cadre_douwang": {DOUWANG},
    "cadre_minle": {MINLE},
    "cadre_xiangshui": {XIANGSHUI},
    "township_minle": {MINLE, XIANGSHUI},
}
#: region → the number of households under it (written out: 1 + 2, 3 + 4, their sum)
HOUSEHOLDS_UNDER = {
    TUDI: 1,
    DOUWANG: 2,
    MINLE: 3,
    XIANGSHUI: 4,
    LONGTAN_TOWNSHIP: 3,
    MINLE_TOWNSHIP: 7,
    HUAYUAN_COUNTY: 10,
}
MAIN = ["cadre_tudi", "township_longtan", "county_huayuan"]


def _more_households(world: SecWorld) -> None:
    serial = iter(range(301, 400, 2))
    for village, count in MORE.items():
        for _ in range(count):
            number = idnumber.build("433124", date(1990, 1, 1), next(serial))
            registry_services.household_create(
                actor=SYSTEM_ACTOR,
                village_code=village,
                household_type="1",
                head=PersonInput(name="龙大", id_number=number, relation="01"),
                members=[],
                registered_on=REGISTERED_ON,
            )
    for name, (role, home) in ACCOUNTS.items():
        if name not in world.viewers:
            world.viewers[name] = make_user(name, role, home)
    tallies_refresh(actor=SYSTEM, county_code=HUAYUAN_COUNTY, as_of=AS_OF)


#: Every test uses the database; the module world needs the test database set up (pytest-django
#: creates it only for a session holding such tests).
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def sec_world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SecWorld]:
    with module_world(
        django_db_blocker, tmp_path_factory.mktemp("agg"), extras=False, setup=_more_households
    ) as world:
        yield world


def numbers_in(villages: set[str]) -> set[str]:
    return set(
        Household.objects.filter(village_id__in=villages).values_list("household_number", flat=True)
    )


def shown(body: str) -> set[str]:
    """The world's household numbers that appear in a page, a JSON body or a sheet."""
    return {n for n in numbers_in(set(MORE)) if n in body}


def sheet_text(content: bytes) -> str:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    rows = book.get_sheet_by_index(0).to_python()
    return "\n".join("\t".join(str(cell) for cell in row) for row in rows)


@pytest.mark.parametrize("account", MAIN)
def test_lists_and_exports_hold_exactly_the_scope(
    db: None, sec_world: SecWorld, account: str
) -> None:
    client = client_for(sec_world.viewers[account])
    expected = numbers_in(SCOPE[account])
    secret = api_token_create(actor="system:test", user=sec_world.viewers[account], name="t")[1]
    api = client_for(sec_world.viewers[account])
    headers = {"Authorization": f"Bearer {secret}"}

    page = client.get("/households/", {"status": "all"}).content.decode()
    listed = api.get("/api/v1/households", {"limit": 100}, headers=headers).json()
    exported = client.post("/exports/households/?format=xlsx")
    clue_page = client.get("/clues/").content.decode()
    clue_export = client.post("/exports/clues/?format=xlsx")

    assert len(expected) == sum(HOUSEHOLDS_UNDER[v] for v in SCOPE[account])
    assert shown(page) == expected
    assert listed["count"] == len(expected)
    assert {i["household_number"] for i in listed["items"]} == expected
    assert exported.status_code == 200
    assert shown(sheet_text(exported.getvalue())) == expected
    with_clues = set(
        Clue.objects.filter(village_code__in=SCOPE[account]).values_list(
            "household__household_number", flat=True
        )
    )
    assert len(with_clues) == len(SCOPE[account])  # one seeded clue per village
    assert shown(clue_page) == with_clues
    assert shown(sheet_text(clue_export.getvalue())) == with_clues


@pytest.mark.parametrize("account", MAIN)
def test_the_id_search_finds_exactly_the_heads_in_scope(
    db: None, sec_world: SecWorld, account: str
) -> None:
    client = client_for(sec_world.viewers[account])
    secret = api_token_create(actor="system:test", user=sec_world.viewers[account], name="t")[1]
    found_web, found_api = set(), set()
    for key, household in sec_world.households.items():
        number = plain_id(household.members.get(relation="01"))
        page = client.post("/households/find/", {"id_number": number})
        if page.status_code == 302:
            assert page["Location"] == f"/households/{household.public_id}/"
            found_web.add(key)
        else:
            body = page.content.decode()
            assert "未找到持有该证件号码的在册人员" in body
            # the list below the message is the account's own scope, never the household
            assert household.household_number not in body
            assert shown(body) <= numbers_in(SCOPE[account])
        answer = client.post(
            "/api/v1/households/search-by-id",
            data=json.dumps({"id_number": number}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {secret}"},
        ).json()
        hits = {i["household_number"] for i in answer["items"]}
        assert hits <= {household.household_number}
        found_api |= {key} if hits else set()

    expected = {k for k, h in sec_world.households.items() if h.village_id in SCOPE[account]}
    assert found_web == found_api == expected


_TILE = re.compile(r'class="tile-value" data-figure="hh" data-value="([^"]*)"')


def test_the_dashboards_count_the_scope_and_the_county_the_sum(
    db: None, sec_world: SecWorld
) -> None:
    answers = {}
    for account in MAIN:
        client = client_for(sec_world.viewers[account])
        body = client.get("/api/v1/dashboard").json()
        tile = _TILE.findall(client.get("/dashboard/").content.decode())
        answers[account] = (
            body["code"],
            body["figures"]["hh"],
            {c["code"]: c["figures"]["hh"] for c in body["children"]},
            tile,
        )

    assert answers == {
        "cadre_tudi": (TUDI, 1, {}, ["1"]),
        "township_longtan": (LONGTAN_TOWNSHIP, 3, {TUDI: 1, DOUWANG: 2}, ["3"]),
        "county_huayuan": (HUAYUAN_COUNTY, 10, {LONGTAN_TOWNSHIP: 3, MINLE_TOWNSHIP: 7}, ["10"]),
    }


REGIONS = [*HOUSEHOLDS_UNDER, LUXI_VILLAGE, "433122000000", "430000000000"]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(account=st.sampled_from(sorted(ACCOUNTS)), region=st.sampled_from(REGIONS))
def test_any_account_asking_for_any_region_gets_the_intersection(
    db: None, sec_world: SecWorld, account: str, region: str
) -> None:
    client = client_for(sec_world.viewers[account])
    scope = SCOPE[account]
    under = {v for v in MORE if v.startswith(region[: _significant(region)])}

    listed = client.get("/api/v1/households", {"village": region, "limit": "100"}).json()
    dashboard = client.get("/api/v1/dashboard", {"region": region})

    assert {i["household_number"] for i in listed["items"]} == numbers_in(scope & {region}), (
        "the village filter is an exact village inside the scope"
    )
    if under and under <= scope:
        assert dashboard.status_code == 200
        assert dashboard.json()["figures"]["hh"] == HOUSEHOLDS_UNDER[region]
    else:
        assert dashboard.status_code == 404
        assert dashboard.json()["code"] == "not_found"


def _significant(region: str) -> int:
    """How many leading digits name ``region``: 2 province, 4 prefecture, 6 county, 9
    township, 12 village."""
    return next((width for width in (2, 4, 6, 9) if set(region[width:]) == {"0"}), 12)
