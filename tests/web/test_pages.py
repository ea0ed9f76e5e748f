"""The web pages: rendering, region scope (404 like missing), search by POST, no-store."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from fangpin import idnumber
from fangpin.core.models import AuditEvent, User
from fangpin.registry.models import Household
from tests.registry.conftest import World
from tests.registry.monitoring_helpers import add_spell
from tests.web.conftest import client_for
from tests.web.test_query_counts import HOUSEHOLD_QUERIES

# The person_input factory numbers people 3, 5, 7 … (odd: men): the first head gets 3.
FIRST_HEAD_ID = idnumber.build("433124", date(1980, 5, 1), 3)


def _pages(household: Household) -> list[str]:
    return [
        "/",
        "/households/",
        f"/households/{household.public_id}/",
        f"/households/{household.public_id}/edit/",
        "/households/new/",
        f"/households/{household.public_id}/finances/",
        f"/households/{household.public_id}/conditions/new/",
        f"/households/{household.public_id}/cancel/",
        f"/households/{household.public_id}/split/",
        f"/persons/{household.members.order_by('pk')[0].public_id}/edit/",
        f"/persons/{household.members.order_by('pk')[0].public_id}/correct-id/",
    ]


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (0, "土地村"),
        (1, "户编号"),
        (2, "家庭成员"),
        (3, "编辑农户"),
        (4, "新增农户"),
        (5, "录入"),
        (6, "新增核查"),
        (7, "注销原因"),
        (8, "分出成员及与新户主关系"),
        (9, "修改人员信息"),
        (10, "更正证件号码"),
    ],
)
def test_each_page_renders_for_the_village_cadre(
    family: Household, cadre_client: Client, index: int, expected: str
) -> None:
    response = cadre_client.get(_pages(family)[index])

    assert response.status_code == 200
    body = response.content.decode()
    assert expected in body
    assert "帮扶责任人/村委" in body  # the header's role label
    assert '<script src="/static/vendor/htmx/htmx.min.js" defer></script>' in body


def test_pi_pages_are_never_cached(family: Household, cadre_client: Client) -> None:
    for url in _pages(family):
        response = cadre_client.get(url)
        assert "no-store" in response["Cache-Control"], url


def test_the_household_page_shows_members_finances_checklist_and_history(
    family: Household, cadre_client: Client
) -> None:
    body = cadre_client.get(f"/households/{family.public_id}/").content.decode()

    assert family.household_number in body
    for text in ("张三", "李梅", "张小明", "户主", "配偶", "龙潭镇土地村上寨12号", "初始登记"):
        assert text in body, text
    assert "138****5678" in body  # the household phone, masked
    assert "433124********" in body  # an ID number, masked
    assert "尚未核查吃、穿、住房和饮水情况" in body  # the checklist's Chinese reason
    assert body.count('class="fail"') == 4  # food, clothing, housing, water not yet assessed


def test_a_household_outside_the_scope_is_404_like_a_missing_one(
    family: Household, douwang_cadre: User
) -> None:
    client = client_for(douwang_cadre)
    outside = client.get(f"/households/{family.public_id}/")
    missing = client.get("/households/999999/")

    assert outside.status_code == missing.status_code == 404
    body = outside.content.decode()
    assert family.household_number not in body
    assert "张三" not in body
    assert body == missing.content.decode()  # byte for byte
    assert client.get(f"/households/{family.public_id}/edit/").status_code == 404
    head = family.members.order_by("pk")[0]
    assert client.get(f"/persons/{head.public_id}/edit/").status_code == 404
    assert client.get(f"/persons/{head.public_id}/correct-id/").status_code == 404
    for page in ("finances", "conditions/new", "cancel", "split"):
        assert client.get(f"/households/{family.public_id}/{page}/").status_code == 404, page


def test_a_membership_change_outside_the_scope_is_404_and_changes_nothing(
    family: Household, douwang_cadre: User, counts: Any
) -> None:
    client = client_for(douwang_cadre)
    before = counts()
    response = client.post(
        f"/households/{family.public_id}/members/birth/",
        {"name": "张小红", "id_number": "x", "relation": "20", "event_date": "2024-01-01"},
    )

    assert response.status_code == 404
    # Nothing changed but the refusal, audited (scenario 1: fangpin/web/denials.py).
    assert counts() == {**before, "audit": before["audit"] + 1}
    assert AuditEvent.objects.filter(action="authz.denied", object_id=str(family.public_id))


def test_the_list_shows_only_households_in_scope(world: World) -> None:
    body = client_for(world.viewers["cadre_tudi"]).get("/households/").content.decode()

    assert world.households["tudi"].household_number in body
    for key in ("douwang", "minle", "luxi"):
        assert world.households[key].household_number not in body


def test_the_township_home_counts_households_per_village(world: World) -> None:
    body = client_for(world.viewers["township_longtan"]).get("/").content.decode()

    assert '<strong class="total">2</strong>' in body
    assert 'href="/households/?region=433124102201">土地村</a></td><td class="num">1</td>' in body
    assert 'href="/households/?region=433124102202">豆旺村</a></td><td class="num">1</td>' in body


def test_filters_narrow_the_list(world: World) -> None:
    client = client_for(world.viewers["county_huayuan"])
    body = client.get("/households/", {"region": "433124102202"}).content.decode()

    assert world.households["douwang"].household_number in body
    assert world.households["tudi"].household_number not in body
    body = client.get("/households/", {"q": "石大"}).content.decode()
    assert world.households["minle"].household_number in body
    assert world.households["tudi"].household_number not in body


def test_an_htmx_filter_change_gets_only_the_results(world: World) -> None:
    client = client_for(world.viewers["county_huayuan"])
    response = client.get(
        "/households/",
        {"region": "433124102202"},
        headers={"HX-Request": "true", "HX-Target": "results"},
    )

    body = response.content.decode()
    assert body.startswith('<section id="results"')
    assert "<header" not in body
    assert world.households["douwang"].household_number in body


def test_the_id_search_goes_by_post_and_keeps_the_number_out_of_the_url(
    family: Household, cadre_client: Client
) -> None:
    response = cadre_client.post("/households/find/", {"id_number": FIRST_HEAD_ID})

    assert response.status_code == 302
    assert response.url == f"/households/{family.public_id}/"
    assert FIRST_HEAD_ID not in response.url


def test_the_id_search_finds_nothing_outside_the_scope(
    family: Household, douwang_cadre: User
) -> None:
    response = client_for(douwang_cadre).post("/households/find/", {"id_number": FIRST_HEAD_ID})

    assert response.status_code == 200
    body = response.content.decode()
    assert "未找到持有该证件号码的在册人员" in body
    assert family.household_number not in body
    assert FIRST_HEAD_ID not in body


def test_an_id_number_typed_into_the_get_search_is_not_searched(
    family: Household, cadre_client: Client
) -> None:
    response = cadre_client.get("/households/", {"q": FIRST_HEAD_ID})

    assert response.status_code == 302
    assert response.url == "/households/"  # the number is dropped from the address
    body = cadre_client.get(response.url).content.decode()
    assert "证件号码或电话号码请在“按证件号码或电话查找”中输入" in body
    assert FIRST_HEAD_ID not in body


def test_a_role_without_household_data_is_refused(world: World) -> None:
    client = client_for(world.viewers["auditor"])
    for url in ("/", "/households/", f"/households/{world.households['tudi'].public_id}/"):
        assert client.get(url).status_code == 403, url


def test_the_english_switch_translates_the_pages(family: Household, cadre_client: Client) -> None:
    response = cadre_client.post("/i18n/setlang/", {"language": "en", "next": "/households/"})
    assert response.status_code == 302

    body = cadre_client.get("/households/").content.decode()
    assert "Households" in body
    assert "Log out" in body
    assert '<html lang="en">' in body


def test_the_login_page_logs_in_an_official_who_is_not_staff(village: Any) -> None:
    User.objects.create_user(
        username="cadre",
        password="土地村的春天来得早",
        role="village_cadre",
        home_region_id=village.pk,
    )
    client = Client()
    page = client.get("/login/")
    assert page.status_code == 200
    assert "动态验证码" in page.content.decode()

    response = client.post("/login/", {"username": "cadre", "password": "土地村的春天来得早"})

    assert response.status_code == 302
    assert response.url == "/"
    assert client.get("/").status_code == 200


def test_an_anonymous_visitor_is_sent_to_the_web_login(db: Any) -> None:
    response = Client().get("/households/")

    assert response.status_code == 302
    assert response.url == "/login/?next=/households/"


def test_the_web_login_asks_for_the_code_when_totp_is_required(village: Any, settings: Any) -> None:
    settings.FANGPIN_REQUIRE_TOTP = True
    User.objects.create_user(
        username="cadre",
        password="土地村的春天来得早",
        role="village_cadre",
        home_region_id=village.pk,
    )
    client = Client()
    response = client.post("/login/", {"username": "cadre", "password": "土地村的春天来得早"})

    assert response.status_code == 200
    assert "该账号尚未绑定动态验证码" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/households/").status_code == 302


# --- 「监测帮扶」 on the household page (issue #3) ---


def _monitoring_section(body: str) -> str:
    start = body.index('<section class="card monitoring" id="monitoring">')
    return body[start : body.index("</section>", start)]


def test_the_household_page_shows_the_current_spell_and_earlier_ones(
    family: Household, cadre_client: Client, django_assert_num_queries: Any
) -> None:
    add_spell(
        family,
        "MARGINAL",
        date(2021, 5, 1),
        eliminated=date(2022, 1, 1),
        mode="natural",
        is_current=False,
        risks=[("09", ""), ("07", "")],
    )
    add_spell(
        family,
        "UNSTABLE",
        date(2023, 4, 1),
        backstop=True,
        risks=[("01", ""), ("02", "0202"), ("04", "")],
    )
    url = f"/households/{family.public_id}/"
    cadre_client.get(url)
    with django_assert_num_queries(HOUSEHOLD_QUERIES + 2):  # the spells, their risks
        body = cadre_client.get(url).content.decode()
    section = _monitoring_section(body)
    assert "<h2>监测帮扶</h2>" in section
    assert "<dt>监测对象类别</dt><dd>脱贫不稳定户</dd>" in section
    assert "<dt>识别监测时间</dt><dd>2023年04月</dd>" in section
    assert (
        '<ol class="risks"><li value="1">因病</li><li value="2">因自然灾害（地质）</li>'
        '<li value="3">缺劳动力</li></ol>'
    ) in section
    assert "<dt>风险是否已消除</dt><dd>否</dd>" in section
    assert "消除监测时间</dt>" not in section
    assert "<dt>整户无劳动能力兜底保障户</dt><dd>是</dd>" in section
    assert "<h3>以往监测记录</h3>" in section
    assert (
        "<tr><td>边缘易致贫户</td><td>2021年05月</td><td>2022年01月</td><td>自然消除</td>"
        "<td>因学、因务工就业不稳</td></tr>"
    ) in section


def test_an_eliminated_spell_shows_when_and_how(family: Household, cadre_client: Client) -> None:
    add_spell(family, "SUDDEN", date(2022, 7, 1), eliminated=date(2023, 3, 1), risks=[("05", "")])
    section = _monitoring_section(
        cadre_client.get(f"/households/{family.public_id}/").content.decode()
    )
    assert "<dt>风险是否已消除</dt><dd>是</dd>" in section
    assert "<dt>消除监测时间</dt><dd>2023年03月</dd>" in section
    assert "<dt>风险消除方式</dt><dd>帮扶消除</dd>" in section
    assert "<dt>整户无劳动能力兜底保障户</dt><dd>否</dd>" in section
    assert "以往监测记录" not in section


def test_a_household_never_monitored_says_so_at_no_extra_query(
    family: Household, cadre_client: Client, django_assert_num_queries: Any
) -> None:
    url = f"/households/{family.public_id}/"
    cadre_client.get(url)
    with django_assert_num_queries(HOUSEHOLD_QUERIES):
        body = cadre_client.get(url).content.decode()
    assert '<p class="empty">非监测对象。</p>' in _monitoring_section(body)
