"""No full ID or mobile number and no health detail on any web page, for any role (SEC-MSK-2).

Health details (健康状况, 残疾等级, 残疾类别) are sensitive PI: every person's are masked alike
(``masking.mask_health``), on the household page, the person forms and the admin, in Chinese
and in English; only the audited reveal shows them (tests/web/test_reveal_health.py).

The registry's world is built once for the module (tests/module_world.py): every test reads
it, and rebuilt per test it cost a fifth of the module's time. The tests that need health
details seed them inside their own transaction, rolled back after each.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from fangpin.registry.masking import HEALTH_MASK
from fangpin.registry.models import Person, person_health
from tests.module_world import BuiltWorld, registry_module_world, world_for_test
from tests.registry.conftest import VIEWERS, World
from tests.registry.health_scan import html_leaks, seed_health
from tests.web.conftest import client_for

FULL_ID = re.compile(r"\b\d{17}[\dXx]\b")
FULL_MOBILE = re.compile(r"\b1[3-9]\d{9}\b")


@pytest.fixture(scope="module")
def built_world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BuiltWorld]:
    """The registry world, built once for the module."""
    with registry_module_world(django_db_blocker, tmp_path_factory.mktemp("masking")) as built:
        yield built


@pytest.fixture
def world(db: None, built_world: BuiltWorld) -> Iterator[World]:
    """The module's world, fetched anew for this test (its writes roll back after it)."""
    with world_for_test(built_world) as fresh:
        yield fresh


def _urls(world: World) -> list[str]:
    urls = ["/", "/households/", "/households/new/", "/households/?status=all"]
    for household in world.households.values():
        urls += [f"/households/{household.public_id}/", f"/households/{household.public_id}/edit/"]
        urls += [
            f"/households/{household.public_id}/{page}/"
            for page in ("finances", "conditions/new", "cancel", "split")
        ]
        for person in Person.objects.filter(household=household):
            urls += [
                f"/persons/{person.public_id}/edit/",
                f"/persons/{person.public_id}/correct-id/",
            ]
    return urls


def _admin_urls(world: World) -> list[str]:
    urls = ["/admin/registry/person/", "/admin/registry/household/"]
    for household in world.households.values():
        urls.append(f"/admin/registry/household/{household.pk}/change/")  # the member inline
        for person in Person.objects.filter(household=household):
            urls.append(f"/admin/registry/person/{person.pk}/change/")
    return urls


@pytest.mark.parametrize("viewer", sorted(VIEWERS))
def test_no_page_shows_a_full_id_or_mobile_number(world: World, viewer: str) -> None:
    client = client_for(world.viewers[viewer])
    for url in _urls(world):
        body = client.get(url).content.decode()
        assert not FULL_ID.search(body), (viewer, url)
        assert not FULL_MOBILE.search(body), (viewer, url)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("viewer", sorted(VIEWERS))
def test_no_page_shows_a_health_detail(world: World, viewer: str, language: str) -> None:
    seed_health(world)
    client = client_for(world.viewers[viewer])
    client.cookies["django_language"] = language
    shown = 0
    for url in _urls(world) + _admin_urls(world):
        response = client.get(url)
        shown += response.status_code == 200
        assert html_leaks(response.content.decode()) == set(), (viewer, language, url)
    assert shown >= 1 or viewer in {"auditor", "sysadmin", "secadmin", "root"}


def test_the_household_page_masks_every_member_alike(world: World) -> None:
    seed_health(world)
    client = client_for(world.viewers["county_huayuan"])
    household = world.households["tudi"]  # 长期慢性病, 患有大病, 残疾 一级 视力残疾
    body = client.get(f"/households/{household.public_id}/").content.decode()

    cells = re.findall(r'<td class="masked"[^>]*>([^<]*)</td>', body)
    assert cells == [HEALTH_MASK] * 3


def test_the_household_page_masks_a_healthy_member_too(world: World) -> None:
    # "健康" beside "已隐藏" would tell the others' illness by elimination.
    client = client_for(world.viewers["cadre_tudi"])
    body = client.get(f"/households/{world.households['tudi'].public_id}/").content.decode()

    cells = re.findall(r'<td class="masked"[^>]*>([^<]*)</td>', body)
    assert cells == [HEALTH_MASK] * 3
    assert ">健康<" not in body


def test_the_english_page_shows_the_mask_translated(world: World) -> None:
    seed_health(world)
    client = client_for(world.viewers["cadre_tudi"])
    client.cookies["django_language"] = "en"
    body = client.get(f"/households/{world.households['tudi'].public_id}/").content.decode()

    cells = re.findall(r'<td class="masked"[^>]*>([^<]*)</td>', body)
    assert cells == ["Hidden"] * 3


def test_the_admin_masks_health_and_offers_no_health_filter(world: World) -> None:
    seed_health(world)
    client = client_for(world.viewers["county_huayuan"])
    members = Person.objects.filter(household=world.households["tudi"]).order_by("pk")
    disabled = members[2]  # SEEDED["tudi"][2]: 残疾, grade 1, category 1
    assert person_health(disabled).health == "40"
    change = client.get(f"/admin/registry/person/{disabled.pk}/change/").content.decode()
    listing = client.get("/admin/registry/person/").content.decode()

    assert change.count(HEALTH_MASK) == 3  # status, grade, category
    assert "health__exact" not in listing
    assert "?health=" not in listing
    assert html_leaks(change) == html_leaks(listing) == set()
