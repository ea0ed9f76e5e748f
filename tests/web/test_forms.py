"""Create, edit (with versions), inline validation and membership changes through the pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.test import Client

from fangpin import idnumber
from fangpin.registry.models import Household, Person
from tests.registry.conftest import member

STALE = "该记录已被他人修改，请刷新后重试"


def _edit_data(household: Household, **overrides: Any) -> dict[str, Any]:
    data = {
        "version": household.version,
        "household_type": household.household_type,
        "natural_village": household.natural_village,
        "address": household.address,
        "phone": "",
        "relocation_mode": "",
        "relocation_site": "",
    }
    data.update(overrides)
    return data


def test_an_edit_saves_and_shows_in_the_history(family: Household, cadre_client: Client) -> None:
    url = f"/households/{family.public_id}/edit/"
    response = cadre_client.post(url, _edit_data(family, address="龙潭镇土地村下寨3号"))

    assert response.status_code == 302
    assert response.url == f"/households/{family.public_id}/"
    family.refresh_from_db()
    assert family.address == "龙潭镇土地村下寨3号"
    assert family.version == 2
    assert family.phone_masked == "138****5678"  # an empty phone field keeps the number
    body = cadre_client.get(response.url).content.decode()
    assert "住址：龙潭镇土地村上寨12号 → <b>龙潭镇土地村下寨3号</b>" in body


def test_a_stale_edit_is_refused_and_changes_nothing(
    family: Household, cadre_client: Client, counts: Any
) -> None:
    before = counts()
    response = cadre_client.post(
        f"/households/{family.public_id}/edit/",
        _edit_data(family, address="别处", version=family.version + 1),
    )

    body = response.content.decode()
    assert response.status_code == 409  # scenario 19: a conflict, with a reload prompt
    assert STALE in body
    assert f'href="/households/{family.public_id}/edit/">重新载入</a>' in body
    assert 'value="别处"' in body  # what the user typed is still on the page
    family.refresh_from_db()
    assert family.address == "龙潭镇土地村上寨12号"
    assert family.version == 1
    assert counts() == before


def test_a_service_error_is_shown_on_its_field(
    family: Household, cadre_client: Client, counts: Any
) -> None:
    before = counts()
    response = cadre_client.post(
        f"/households/{family.public_id}/edit/", _edit_data(family, relocation_site="某安置点")
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "不是易地扶贫搬迁户时不能填写安置方式或安置点" in body
    assert counts() == before


def test_a_bad_phone_is_refused_with_the_masked_value(
    family: Household, cadre_client: Client
) -> None:
    response = cadre_client.post(
        f"/households/{family.public_id}/edit/", _edit_data(family, phone="12812347890")
    )

    body = response.content.decode()
    assert "联系电话“128****7890”格式不正确" in body
    assert "12812347890" not in body.replace('value="12812347890"', "")


def test_the_field_check_answers_in_chinese(family: Household, cadre_client: Client) -> None:
    good = idnumber.build("433124", date(1990, 1, 1), 11)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")

    assert cadre_client.post("/validate/id_number/", {"head_id_number": good}).content == b""
    answer = cadre_client.post("/validate/id_number/", {"head_id_number": bad}).content.decode()
    assert answer.startswith('<span class="field-error" role="alert">证件号码无效：')
    answer = cadre_client.post("/validate/name/", {"head_name": "Zhang San"}).content.decode()
    assert "只能由汉字组成" in answer
    assert cadre_client.get("/validate/name/").status_code == 405  # never by GET (no PI in URLs)


def test_a_household_is_created_with_its_members(
    village: Any, tudi_cadre: Any, counts: Any
) -> None:
    from tests.web.conftest import client_for

    client = client_for(tudi_cadre)
    head_id = idnumber.build("433124", date(1975, 3, 3), 21)
    wife_id = idnumber.build("433124", date(1977, 4, 4), 22)
    response = client.post(
        "/households/new/",
        {
            "village": "433124102201",
            "household_type": "1",
            "registered_on": "2024-03-01",
            "head_name": "龙大成",
            "head_id_number": head_id,
            "member0_name": "吴小花",
            "member0_id_number": wife_id,
            "member0_relation": "10",
        },
    )

    assert response.status_code == 302
    household = Household.objects.get(members__name="龙大成")
    assert response.url == f"/households/{household.public_id}/"
    assert sorted(household.members.values_list("name", flat=True)) == ["吴小花", "龙大成"]


def test_a_create_with_a_bad_id_shows_the_error_on_the_field(
    village: Any, cadre_client: Client, counts: Any
) -> None:
    good = idnumber.build("433124", date(1975, 3, 3), 21)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    before = counts()
    response = cadre_client.post(
        "/households/new/",
        {
            "village": "433124102201",
            "household_type": "1",
            "registered_on": "2024-03-01",
            "head_name": "龙大成",
            "head_id_number": bad,
        },
    )

    assert response.status_code == 200
    body = response.content.decode()
    field = '<span class="field-check" id="check-head_id_number" aria-live="polite">'
    assert f'{field}<span class="field-error" role="alert">证件号码无效：' in body
    assert counts() == before


def test_a_birth_is_registered_from_the_household_page(
    family: Household, cadre_client: Client
) -> None:
    baby = idnumber.build("433124", date(2024, 1, 5), 41)
    response = cadre_client.post(
        f"/households/{family.public_id}/members/birth/",
        {"name": "张小宝", "id_number": baby, "relation": "20", "event_date": "2024-01-10"},
    )

    assert response.status_code == 302
    assert member(family, "张小宝").status == "active"
    assert "出生" in cadre_client.get(response.url).content.decode()


def test_the_head_dying_without_a_new_head_is_refused(
    family: Household, cadre_client: Client, counts: Any
) -> None:
    head = member(family, "张三")
    before = counts()
    response = cadre_client.post(
        f"/households/{family.public_id}/members/death/",
        {"person": head.pk, "death_date": "2024-06-01", "new_head": ""},
    )

    assert response.status_code == 400
    assert "必须指定新户主" in response.content.decode()
    assert counts() == before
    assert Person.objects.get(pk=head.pk).status == "active"


def test_the_head_dies_and_the_spouse_becomes_head(family: Household, cadre_client: Client) -> None:
    head, spouse = member(family, "张三"), member(family, "李梅")
    response = cadre_client.post(
        f"/households/{family.public_id}/members/death/",
        {"person": head.pk, "death_date": "2024-06-01", "new_head": spouse.pk},
    )

    assert response.status_code == 302
    assert Person.objects.get(pk=head.pk).status == "deceased"
    assert Person.objects.get(pk=spouse.pk).relation == "01"


def test_a_member_moves_out_and_the_head_changes(family: Household, cadre_client: Client) -> None:
    son, spouse = member(family, "张小明"), member(family, "李梅")
    moved = cadre_client.post(
        f"/households/{family.public_id}/members/move_out/",
        {"person": son.pk, "event_type": "move_out", "event_date": "2024-06-01", "new_head": ""},
    )
    changed = cadre_client.post(
        f"/households/{family.public_id}/members/change_head/",
        {"new_head": spouse.pk, "old_head_relation": "10", "event_date": "2024-06-02"},
    )

    assert (moved.status_code, changed.status_code) == (302, 302)
    assert Person.objects.get(pk=son.pk).status == "moved_out"
    assert Person.objects.get(pk=spouse.pk).relation == "01"
    assert member(family, "张三").relation == "10"


def test_a_reader_without_edit_rights_gets_no_forms(world: Any) -> None:
    from tests.web.conftest import client_for

    client = client_for(world.viewers["inspector_luxi"])
    household = world.households["luxi"]
    body = client.get(f"/households/{household.public_id}/").content.decode()

    assert "成员变动" not in body
    assert client.get(f"/households/{household.public_id}/edit/").status_code == 403
