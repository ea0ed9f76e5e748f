"""Query-count baselines: a page costs the same number of queries whatever the data size."""

from __future__ import annotations

from datetime import date
from typing import Any

from fangpin.registry import services
from fangpin.registry.models import Household
from tests.registry.conftest import TUDI, PersonFactory
from tests.web.conftest import client_for

# Every page: session and user (2), the header's home region (1), saving the session (savepoint,
# update, release: 3, SESSION_SAVE_EVERY_REQUEST).
# List: + villages for the filter (1) + one page of households with head and size (1).
LIST_QUERIES = 8
# Household page: + household, members, finances, the checklist (exists, condition, members),
# timeline (events, status changes), field edits (1 each), and the bulk-read counter (insert,
# count: fangpin.core.alerts, SEC-AUD-6).
HOUSEHOLD_QUERIES = 18  # 17, and the household's cases (识别认定与风险消除)


def _more_households(actor: Any, person_input: PersonFactory, n: int) -> None:
    for i in range(n):
        services.household_create(
            actor=actor,
            village_code=TUDI,
            household_type="1",
            head=person_input(name="王大"),
            members=[person_input(name="王二", relation="20", birth_date=date(2012, 1, 1 + i))],
            registered_on=date(2024, 3, 1),
        )


def test_the_list_costs_a_fixed_number_of_queries(
    family: Household, actor: Any, person_input: PersonFactory, django_assert_num_queries: Any
) -> None:
    client = client_for(actor)
    client.get("/households/")  # warm the session
    with django_assert_num_queries(LIST_QUERIES):
        client.get("/households/")
    _more_households(actor, person_input, 5)
    with django_assert_num_queries(LIST_QUERIES):
        body = client.get("/households/").content.decode()
    assert body.count('<td><a href="/households/') == 6


def test_the_household_page_costs_a_fixed_number_of_queries(
    family: Household, actor: Any, person_input: PersonFactory, django_assert_num_queries: Any
) -> None:
    client = client_for(actor)
    url = f"/households/{family.public_id}/"
    client.get(url)
    with django_assert_num_queries(HOUSEHOLD_QUERIES):
        client.get(url)
    services.person_add(
        actor=actor,
        household_id=family.pk,
        person=person_input(name="张小宝", relation="20", birth_date=date(2024, 1, 5)),
        event_type="birth",
        event_date=date(2024, 1, 10),
    )
    services.finance_upsert(
        actor=actor, household_id=family.pk, year=2023, amounts={"wage_local": "9000"}
    )
    with django_assert_num_queries(HOUSEHOLD_QUERIES):
        client.get(url)
