"""The policy-edition page: the edition in force, every value's provenance, 未证实 marks."""

from __future__ import annotations

from typing import Any

from django.test import Client

from fangpin.core.models import AuditEvent, User
from fangpin.policy import resolve
from tests.registry.conftest import World
from tests.web.conftest import client_for


def test_the_county_sees_its_edition_with_provenance(world: World) -> None:
    response = client_for(world.viewers["county_huayuan"]).get("/policy/?year=2024")

    assert response.status_code == 200
    body = response.content.decode()
    edition = resolve(2024, "433124")
    assert edition.edition_id in body
    assert response.context["region"] == "433124"
    assert len(response.context["rows"]) == len(edition.explain())
    assert body.count('class="unconfirmed"') == len(edition.unconfirmed_keys)
    assert "含示例文件（非真实政策）" in body  # the shipped 433124 file is an example


def test_a_village_cadre_defaults_to_the_county_and_last_year(world: World) -> None:
    response = client_for(world.viewers["cadre_tudi"]).get("/policy/")

    assert response.status_code == 200
    assert response.context["region"] == "433124"


def test_an_account_without_a_region_is_asked_for_one(world: World) -> None:
    client = client_for(world.viewers["sysadmin"])

    asked = client.get("/policy/?year=2021")
    chosen = client.get("/policy/?year=2021&region=433122")

    assert asked.status_code == 200
    assert asked.context["edition"] is None
    assert "请输入要查看的区划代码" in asked.content.decode()
    assert chosen.context["edition"].edition_id == resolve(2021, "433122").edition_id
    assert "含示例文件" not in chosen.content.decode()  # 泸溪县 has no example file


def test_a_year_without_an_edition_says_why(world: World) -> None:
    response = client_for(world.viewers["county_huayuan"]).get("/policy/?year=2019")

    assert response.status_code == 400
    assert "没有 2019 年或更早的国家底线政策版本" in response.content.decode()


def test_a_bad_region_code_says_why(world: World) -> None:
    response = client_for(world.viewers["county_huayuan"]).get("/policy/?region=12ab")

    assert "区划代码应为 6 位或 12 位数字" in response.content.decode()


def test_reading_the_policy_writes_nothing(world: World) -> None:
    client = client_for(world.viewers["auditor"])
    before = AuditEvent.objects.count()
    client.get("/policy/")
    assert AuditEvent.objects.count() == before


def test_anonymous_visitors_are_sent_to_login(db: Any) -> None:
    response = Client().get("/policy/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert User.objects.count() == 0
