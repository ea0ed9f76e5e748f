"""The read-only admin: pages render, labels not codes, masked numbers, no writes.

Access per role and scope is in test_admin_idor.py; here a county approver looks around.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fangpin.core.models import Region, User
from fangpin.registry import services
from fangpin.registry.models import Household, MembershipEvent, Person
from tests.registry.conftest import REGISTERED_ON, TUDI, PersonFactory, member, plain_id


@pytest.fixture
def approver_client(client: Client, actor: User) -> Client:
    """Logged in as the county approver of 花垣县 (registry.view over both test villages)."""
    client.force_login(actor)
    return client


def _masked(number: str) -> str:
    return f"{number[:6]}********{number[-4:]}"


def _full_numbers(household: Household) -> list[str]:
    return [plain_id(p) for p in Person.objects.filter(household=household)]


def test_household_changelist_shows_labels_and_counts(
    approver_client: Any, family: Household
) -> None:
    response = approver_client.get("/admin/registry/household/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "4331241022010001" in html
    assert "张三" in html  # head name via annotation
    assert "脱贫户" in html  # household type label, not the code
    assert ">3<" in html  # member count
    for number in _full_numbers(family):
        assert number not in html


def test_household_changelist_search_and_filter(
    approver_client: Any, family: Household, actor: Any, person_input: PersonFactory
) -> None:
    services.household_create(
        actor=actor,
        village_code=TUDI,
        household_type="2",
        head=person_input(name="王五"),
        registered_on=REGISTERED_ON,
    )
    by_head = approver_client.get("/admin/registry/household/", {"q": "王五"}).content.decode()
    assert "4331241022010002" in by_head
    assert "4331241022010001" not in by_head
    by_id = approver_client.get(
        "/admin/registry/household/", {"q": plain_id(member(family, "李梅"))}
    ).content.decode()
    assert "4331241022010001" in by_id
    assert "4331241022010002" not in by_id
    filtered = approver_client.get("/admin/registry/household/", {"household_type": "2"})
    assert filtered.status_code == 200
    assert "4331241022010001" not in filtered.content.decode()


def test_household_change_page_masks_ids_and_phones(
    approver_client: Any, family: Household
) -> None:
    response = approver_client.get(f"/admin/registry/household/{family.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    for number in _full_numbers(family):
        assert number not in html
        assert _masked(number) in html
    assert "13812345678" not in html
    assert "138****5678" in html
    assert "初始登记" in html  # membership event label
    assert "之子（含女婿）" in html  # relation label


def test_person_pages_mask_ids(approver_client: Any, family: Household, actor: Any) -> None:
    wife = member(family, "李梅")
    services.person_update(
        actor=actor, person_id=wife.pk, expected_version=1, changes={"phone": "13900001111"}
    )
    listing = approver_client.get("/admin/registry/person/").content.decode()
    detail_response = approver_client.get(f"/admin/registry/person/{wife.pk}/change/")
    detail = detail_response.content.decode()
    assert detail_response.status_code == 200
    for html in (listing, detail):
        assert plain_id(wife) not in html
        assert _masked(plain_id(wife)) in html
    assert "13900001111" not in detail
    assert "139****1111" in detail
    assert "汉族" in detail


def test_finance_and_event_pages_render(
    approver_client: Any, family: Household, actor: Any
) -> None:
    finance = services.finance_upsert(
        actor=actor, household_id=family.pk, year=2024, amounts={"wage_local": "9000"}
    )
    event = MembershipEvent.objects.filter(household=family).first()
    assert event is not None
    for url in (
        "/admin/registry/householdfinance/",
        f"/admin/registry/householdfinance/{finance.pk}/change/",
        "/admin/registry/membershipevent/",
        f"/admin/registry/membershipevent/{event.pk}/change/",
    ):
        response = approver_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for number in _full_numbers(family):
            assert number not in html


@pytest.mark.parametrize("model", ["household", "person", "householdfinance", "membershipevent"])
def test_admin_add_is_forbidden(approver_client: Any, village: Region, model: str) -> None:
    assert approver_client.get(f"/admin/registry/{model}/add/").status_code == 403


def test_admin_cannot_change_or_delete(approver_client: Any, family: Household) -> None:
    post = approver_client.post(
        f"/admin/registry/household/{family.pk}/change/", {"household_number": "X"}
    )
    assert post.status_code == 403
    delete = approver_client.post(f"/admin/registry/household/{family.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    assert Household.objects.get(pk=family.pk).household_number == "4331241022010001"


def _changelist_queries(approver_client: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert approver_client.get("/admin/registry/household/").status_code == 200
    return len(queries)


def test_household_changelist_query_count_does_not_grow(
    approver_client: Any, village: Region, actor: Any, person_input: PersonFactory
) -> None:
    def add(count: int) -> None:
        for _ in range(count):
            services.household_create(
                actor=actor,
                village_code=TUDI,
                household_type="1",
                head=person_input(name="户主"),
                members=[person_input(name="成员", relation="10", female=True)],
                registered_on=REGISTERED_ON,
            )

    add(2)
    small = _changelist_queries(approver_client)
    add(10)
    assert _changelist_queries(approver_client) == small
