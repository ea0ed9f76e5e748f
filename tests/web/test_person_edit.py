"""人员信息修改 and 证件号码更正 in the web UI (fangpin/web/views/person.py).

Health details are never pre-filled: the health select starts at 不修改（已隐藏） and keeps the
stored status, grade and category; choosing a status replaces all three. Every write goes
through the services (audited); refusals change nothing.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client

from fangpin import idnumber
from fangpin.core.models import AuditEvent, Role, User
from fangpin.registry.models import Household, Person, person_health
from fangpin.web.forms_person import PersonEditForm
from tests.registry.conftest import HUAYUAN_COUNTY, make_user, member, plain_id
from tests.registry.health_scan import html_leaks, set_health
from tests.web.conftest import client_for

HEALTH_ROW = ("health", "disability_grade", "disability_category")


def _form_data(person: Person, **overrides: object) -> dict[str, str]:
    """What the browser posts back for an untouched form, with ``overrides`` applied."""
    values: dict[str, object] = {**PersonEditForm.initial_for(person), **overrides}
    data: dict[str, str] = {}
    for name, value in values.items():
        if value is True:
            data[name] = "on"
        elif value is False or value is None:
            continue
        elif isinstance(value, date):
            data[name] = value.isoformat()
        else:
            data[name] = str(value)
    return data


def _row(person: Person) -> tuple[object, ...]:
    person.refresh_from_db()
    return (
        person.name,
        person.education,
        *person_health(person),
        person.phone_masked,
        person.version,
    )


@pytest.fixture
def inspector(family: Household) -> User:
    """A county inspector: reads 花垣县, writes nothing."""
    return make_user("inspector_huayuan", Role.INSPECTOR, HUAYUAN_COUNTY)


def _updates() -> list[dict[str, Any]]:
    return list(
        AuditEvent.objects.filter(action="person.update")
        .order_by("pk")
        .values_list("changes", flat=True)
    )


# --- The page ----------------------------------------------------------------------------------


def test_the_edit_page_prefills_no_health_detail_and_no_phone(
    family: Household, cadre_client: Client
) -> None:
    wife = member(family, "李梅")
    set_health(wife.pk, "40", "2", "4")
    Person.objects.filter(pk=wife.pk).update(phone_masked="138****4321")

    response = cadre_client.get(f"/persons/{wife.public_id}/edit/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert 'name="name" value="李梅"' in body
    assert '<option value="" selected>不修改（已隐藏）</option>' in body
    for name in HEALTH_ROW:
        select = re.search(rf'<select name="{name}".*?</select>', body, re.S)
        assert select is not None
        assert re.findall(r'<option value="([^"]*)" selected', select.group(0)) == [""], name
    assert 'name="phone"' in body
    assert 'name="phone" value=' not in body
    assert html_leaks(body) == set()
    assert "健康状况（当前：已隐藏）" in body


def test_the_household_page_links_each_active_member_to_its_edit_page(
    family: Household, cadre_client: Client
) -> None:
    body = cadre_client.get(f"/households/{family.public_id}/").content.decode()
    links = re.findall(r'href="/persons/([0-9a-f-]{36})/edit/"', body)
    assert sorted(links) == sorted(
        str(u) for u in Person.objects.filter(household=family).values_list("public_id", flat=True)
    )


# --- Saving -----------------------------------------------------------------------------------


def test_an_edit_saves_exactly_the_values_and_is_audited(
    family: Household, cadre_client: Client, tudi_cadre: User
) -> None:
    son = member(family, "张小明")
    data = _form_data(
        son,
        name="张晓明",
        education="60",
        health="40",
        disability_grade="2",
        disability_category="4",
        phone="13912341234",
    )

    response = cadre_client.post(f"/persons/{son.public_id}/edit/", data)

    assert response.status_code == 302
    assert response["Location"] == f"/households/{family.public_id}/"
    assert _row(son) == ("张晓明", "60", "40", "2", "4", "139****1234", 2)
    event = AuditEvent.objects.filter(action="person.update").latest("pk")
    assert (event.actor_label, event.object_type, event.object_id) == (
        "cadre_tudi",
        "person",
        str(son.pk),
    )
    assert event.changes == {
        "name": ["张小明", "张晓明"],
        "education": ["70", "60"],
        # Health details are recorded as changed, never with their values (PIPL Art. 28).
        "health": ["已隐藏", "已隐藏"],
        "disability_grade": ["已隐藏", "已隐藏"],
        "disability_category": ["已隐藏", "已隐藏"],
        "phone": ["", "139****1234"],
    }


def test_keeping_the_health_hidden_leaves_it_unchanged(
    family: Household, cadre_client: Client
) -> None:
    wife = member(family, "李梅")
    set_health(wife.pk, "40", "3", "6")
    wife.refresh_from_db()
    token = wife.health_encrypted

    response = cadre_client.post(f"/persons/{wife.public_id}/edit/", _form_data(wife, name="李美"))

    assert response.status_code == 302
    assert _row(wife) == ("李美", wife.education, "40", "3", "6", "", 2)
    assert wife.health_encrypted == token  # "keep": the stored token itself is untouched
    assert _updates() == [{"name": ["李梅", "李美"]}]


def test_choosing_healthy_clears_the_grade_and_category(
    family: Household, cadre_client: Client
) -> None:
    wife = member(family, "李梅")
    set_health(wife.pk, "40", "3", "6")
    wife.refresh_from_db()

    response = cadre_client.post(f"/persons/{wife.public_id}/edit/", _form_data(wife, health="10"))

    assert response.status_code == 302
    assert _row(wife)[2:5] == ("10", "", "")
    assert _updates() == [
        {
            "health": ["已隐藏", "已隐藏"],
            "disability_grade": ["已隐藏", "已隐藏"],
            "disability_category": ["已隐藏", "已隐藏"],
        }
    ]


# --- Refusals: nothing changes ----------------------------------------------------------------


def test_a_validation_error_changes_nothing(
    family: Household, cadre_client: Client, counts: Callable[[], dict[str, int]]
) -> None:
    son = member(family, "张小明")
    before, row = counts(), _row(son)

    response = cadre_client.post(
        f"/persons/{son.public_id}/edit/", _form_data(son, name="张晓明", health="40")
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "健康状况为残疾时必须填写残疾等级" in body
    assert (counts(), _row(son)) == (before, row)


def test_a_grade_without_a_chosen_health_status_is_refused(
    family: Household, cadre_client: Client, counts: Callable[[], dict[str, int]]
) -> None:
    wife = member(family, "李梅")
    set_health(wife.pk, "20")
    before, row = counts(), _row(wife)

    response = cadre_client.post(
        f"/persons/{wife.public_id}/edit/", _form_data(wife, disability_grade="1")
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "修改残疾等级或残疾类别时，请同时选择健康状况" in body
    assert "健康状况不是残疾" not in body  # nothing told about the hidden stored status
    assert (counts(), _row(wife)) == (before, row)


def test_a_stale_version_is_409_and_changes_nothing(
    family: Household, cadre_client: Client, counts: Callable[[], dict[str, int]]
) -> None:
    son = member(family, "张小明")
    data = _form_data(son, name="张晓明")
    Person.objects.filter(pk=son.pk).update(version=2)  # someone saved in between
    before, row = counts(), _row(son)

    response = cadre_client.post(f"/persons/{son.public_id}/edit/", data)

    assert response.status_code == 409
    assert "该记录已被他人修改，请刷新后重试" in response.content.decode()
    assert (counts(), _row(son)) == (before, row)


def test_a_person_outside_the_scope_is_404_like_a_missing_one(
    family: Household, douwang_cadre: User, counts: Callable[[], dict[str, int]]
) -> None:
    son = member(family, "张小明")
    client = client_for(douwang_cadre)
    before, row = counts(), _row(son)

    for url in (f"/persons/{son.public_id}/edit/", f"/persons/{son.public_id}/correct-id/"):
        outside = client.get(url)
        missing = client.get(url.replace(str(son.public_id), str(uuid.uuid4())))
        assert outside.status_code == missing.status_code == 404, url
        assert "张小明" not in outside.content.decode()
    posted = client.post(f"/persons/{son.public_id}/edit/", _form_data(son, name="张晓明"))
    corrected = client.post(
        f"/persons/{son.public_id}/correct-id/",
        {"version": "1", "new_id_number": "433124201009010018", "reason": "录入错误"},
    )

    assert posted.status_code == corrected.status_code == 404
    # Nothing changed but the four refusals, audited (scenario 1: fangpin/web/denials.py); the
    # missing ids left nothing.
    assert (counts(), _row(son)) == ({**before, "audit": before["audit"] + 4}, row)
    denied = AuditEvent.objects.filter(action="authz.denied", object_id=str(son.public_id))
    assert denied.count() == 4


def test_a_read_only_role_is_refused(
    family: Household, inspector: User, counts: Callable[[], dict[str, int]]
) -> None:
    son = member(family, "张小明")
    client = client_for(inspector)
    before, row = counts(), _row(son)

    assert client.get(f"/persons/{son.public_id}/edit/").status_code == 403
    assert client.get(f"/persons/{son.public_id}/correct-id/").status_code == 403
    assert (
        client.post(f"/persons/{son.public_id}/edit/", _form_data(son, name="张晓明")).status_code
        == 403
    )
    assert (counts(), _row(son)) == (before, row)


# --- ID correction ----------------------------------------------------------------------------


def test_an_id_correction_is_saved_and_audited_with_masked_numbers(
    family: Household, cadre_client: Client
) -> None:
    son = member(family, "张小明")
    old = plain_id(son)
    new = idnumber.build("433124", date(2010, 9, 2), 101)

    response = cadre_client.post(
        f"/persons/{son.public_id}/correct-id/",
        {"version": "1", "new_id_number": new, "reason": "出生日期录入错误"},
    )

    assert response.status_code == 302
    son.refresh_from_db()
    assert (plain_id(son), son.birth_date, son.version) == (new, date(2010, 9, 2), 2)
    event = AuditEvent.objects.filter(action="person.correct_id").latest("pk")
    assert event.changes == {
        "id_number": [f"{old[:6]}********{old[-4:]}", f"{new[:6]}********{new[-4:]}"],
        "birth_date": ["2010-09-01", "2010-09-02"],
        "reason": "出生日期录入错误",
    }


def test_a_refused_id_correction_does_not_echo_the_number(
    family: Household, cadre_client: Client, counts: Callable[[], dict[str, int]]
) -> None:
    son = member(family, "张小明")
    wife_number = plain_id(member(family, "李梅"))  # in use by another registered person
    before, row = counts(), _row(son)

    response = cadre_client.post(
        f"/persons/{son.public_id}/correct-id/",
        {"version": "1", "new_id_number": wife_number, "reason": "录入错误"},
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert wife_number not in body
    assert (counts(), _row(son)) == (before, row)
