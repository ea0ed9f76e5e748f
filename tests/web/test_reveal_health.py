"""查看健康状况 on the household page: only with pi.reveal, with a reason, audited."""

from __future__ import annotations

from fangpin.core.models import AuditEvent
from tests.registry.conftest import World, member
from tests.registry.health_scan import html_leaks, seed_health
from tests.web.conftest import client_for

FIELDS = ["health", "disability_grade", "disability_category"]


def test_the_county_approver_sees_health_details_and_it_is_audited(world: World) -> None:
    seed_health(world)
    household = world.households["tudi"]
    son = member(household, "张小明")  # 残疾 一级 视力残疾
    client = client_for(world.viewers["county_huayuan"])
    page = client.get(f"/households/{household.public_id}/").content.decode()
    assert '<option value="health">健康状况</option>' in page
    before = AuditEvent.objects.count()

    response = client.post(
        f"/households/{household.public_id}/reveal/",
        {"person": son.pk, "field": "health", "reason": "核对残疾人两项补贴"},
        headers={"HX-Request": "true"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert '<span class="health-status">残疾</span>' in body
    assert '<span class="disability-grade">一级</span>' in body
    assert '<span class="disability-category">视力残疾</span>' in body
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("pk")
    assert (event.action, event.object_type, event.object_id, event.changes) == (
        "data.reveal",
        "person",
        str(son.pk),
        {"field": "health", "reason": "核对残疾人两项补贴", "fields": FIELDS},
    )


def test_the_page_without_htmx_shows_the_health_details(world: World) -> None:
    seed_health(world)
    household = world.households["tudi"]
    head = member(household, "张三")  # 长期慢性病
    client = client_for(world.viewers["county_huayuan"])

    response = client.post(
        f"/households/{household.public_id}/reveal/",
        {"person": head.pk, "field": "health", "reason": "回访"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert '<span class="health-status">长期慢性病</span>' in body
    assert "查看健康状况" in body


def test_a_cadre_is_refused_health_details_and_nothing_is_revealed(world: World) -> None:
    seed_health(world)
    household = world.households["tudi"]
    son = member(household, "张小明")
    client = client_for(world.viewers["cadre_tudi"])

    response = client.post(
        f"/households/{household.public_id}/reveal/",
        {"person": son.pk, "field": "health", "reason": "好奇"},
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "当前账号无权查看健康状况明文" in body
    assert html_leaks(body) == set()
    assert AuditEvent.objects.filter(action="data.reveal").count() == 0


def test_a_health_reveal_without_a_reason_shows_nothing(world: World) -> None:
    seed_health(world)
    household = world.households["tudi"]
    son = member(household, "张小明")
    client = client_for(world.viewers["county_huayuan"])

    response = client.post(
        f"/households/{household.public_id}/reveal/",
        {"person": son.pk, "field": "health", "reason": ""},
    )

    assert response.status_code == 400
    assert html_leaks(response.content.decode()) == set()
    assert AuditEvent.objects.filter(action="data.reveal").count() == 0


def test_a_health_reveal_outside_the_scope_is_404(world: World) -> None:
    seed_health(world)
    foreign = world.households["luxi"]
    person = member(foreign, "向小北")
    client = client_for(world.viewers["county_huayuan"])

    response = client.post(
        f"/households/{foreign.public_id}/reveal/",
        {"person": person.pk, "field": "health", "reason": "核对"},
    )

    assert response.status_code == 404
    assert html_leaks(response.content.decode()) == set()
    assert AuditEvent.objects.filter(action="data.reveal").count() == 0
