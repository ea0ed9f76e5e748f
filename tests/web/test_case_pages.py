"""The case pages: list, detail with the forms of the viewer's level, decisions by POST, and
the village notice as HTML and PDF without personal information beyond name and family size.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader

from fangpin.casework.cases import case_decide, case_open
from fangpin.casework.models import Case, CaseTransition
from fangpin.core.models import AuditEvent, User
from fangpin.procedure import Approve, IdentificationStep, Submit
from fangpin.registry.models import Household, Person
from fangpin.registry.services._common import household_phone, person_id_number, person_phone
from tests.casework.conftest import make_case
from tests.casework.test_cases import OPENED, people, state, step, to_notice
from tests.registry.conftest import TUDI, World
from tests.web.conftest import client_for

__all__ = ["people"]  # the fixture, imported for this module

_I = IdentificationStep


@pytest.fixture
def opened(world: World, people: dict[str, User]) -> Case:
    return case_open(
        actor=people["cadre_tudi"], household=world.households["tudi"], on=OPENED, summary="走访"
    )


def post(user: User, case: Case, **fields: Any) -> Any:
    data = {"version": str(case.version), "on": "2026-11-03", **fields}
    return client_for(user).post(f"/cases/{case.public_id}/act/", data)


def test_the_list_shows_the_viewer_s_cases_and_their_turn(
    people: dict[str, User], opened: Case
) -> None:
    page = client_for(people["cadre_tudi"]).get("/cases/")
    html = page.content.decode()

    assert page.status_code == 200
    assert f'id="case-{opened.public_id}"' in html
    for text in ("张三", "线索接收", "村级"):
        assert text in html
    mine = client_for(people["township_longtan"]).get("/cases/?mine=on").content.decode()
    assert f'id="case-{opened.public_id}"' not in mine  # waits for the village, not the township
    other = client_for(people["cadre_douwang"]).get("/cases/").content.decode()
    assert f'id="case-{opened.public_id}"' not in other


def test_a_township_prefix_lists_that_township_s_cases(world: World) -> None:
    county = world.viewers["county_huayuan"]
    opened = {k: make_case(world.households[k], county) for k in ("tudi", "douwang", "minle")}

    def listed(user: User, query: str) -> list[str]:
        html = client_for(user).get(f"/cases/?{query}").content.decode()
        return sorted(k for k, case in opened.items() if f'id="case-{case.public_id}"' in html)

    assert listed(county, "village=433124102") == ["douwang", "tudi"]
    assert listed(county, "village=433124103") == ["minle"]
    assert listed(county, "village=433124103&state=closed") == []
    # Not a choice of a village cadre: the filter is dropped, the scope still applies.
    assert listed(world.viewers["cadre_tudi"], "village=433124103") == ["tudi"]


def test_a_case_outside_the_scope_is_404(people: dict[str, User], opened: Case) -> None:
    assert client_for(people["cadre_douwang"]).get(f"/cases/{opened.public_id}/").status_code == 404


def test_the_village_cadre_sees_the_verification_form_and_submits_it(
    people: dict[str, User], opened: Case
) -> None:
    cadre = people["cadre_tudi"]
    page = client_for(cadre).get(f"/cases/{opened.public_id}/").content.decode()
    for text in ('id="step-form"', "入户核实", 'name="detail_collection"'):
        assert text in page
    assert "入户核实：自2026-11-02起7个工作日内，期限2026-11-11" in page

    response = post(cadre, opened, action="submit", detail_collection="家庭3人，年收入约9000元")

    assert response.status_code == 302
    case = Case.objects.get(pk=opened.pk)
    assert (case.step, case.version) == ("verified", 2)
    assert CaseTransition.objects.get(case=case, seq=2).details == {
        "collection": "家庭3人，年收入约9000元"
    }


def test_the_township_sees_no_form_while_the_village_works(
    people: dict[str, User], opened: Case
) -> None:
    page = (
        client_for(people["township_longtan"]).get(f"/cases/{opened.public_id}/").content.decode()
    )
    assert 'id="step-form"' not in page


def test_a_missing_detail_is_refused_with_a_chinese_message_and_nothing_changes(
    people: dict[str, User], opened: Case
) -> None:
    before = state()
    response = post(people["cadre_tudi"], opened, action="submit", detail_collection=" ")
    assert response.status_code == 400
    assert "请填写信息采集表（家庭成员、收入、支出、风险情况）" in response.content.decode()
    assert state() == before


def test_a_stale_page_is_a_conflict_and_nothing_changes(
    people: dict[str, User], opened: Case
) -> None:
    cadre = people["cadre_tudi"]
    assert post(cadre, opened, action="submit", detail_collection="第一次").status_code == 302
    before = state()

    response = post(cadre, opened, action="submit", detail_collection="第二个页面")  # version 1

    assert response.status_code == 409
    assert "该案件已被他人办理，请刷新后重试" in response.content.decode()
    assert state() == before


def test_a_user_without_case_decide_is_403_and_audited(
    world: World, people: dict[str, User], opened: Case
) -> None:
    before = state()
    denied = AuditEvent.objects.filter(action="authz.denied").count()
    response = post(people["inspector_luxi"], opened, action="submit", detail_collection="x")
    assert response.status_code == 403
    assert state() == before
    assert AuditEvent.objects.filter(action="authz.denied").count() == denied + 1


def test_a_step_of_another_level_is_403_and_nothing_changes(
    people: dict[str, User], opened: Case
) -> None:
    """Scenario 4: the county cannot take the village's home verification."""
    before = state()
    response = post(people["county_huayuan"], opened, action="submit", detail_collection="x")
    assert response.status_code == 403
    assert "县级用户不能办理“入户核实”（须由村级办理）" in response.content.decode()
    assert state() == before


def test_approving_ones_own_submission_is_403_and_nothing_changes(
    people: dict[str, User], opened: Case
) -> None:
    """Scenario 4: the township official who recorded the data comparison may not review."""
    case = to_notice(opened, people)
    before = state()
    response = post(people["township_longtan"], case, action="approve", on="2026-11-16")
    assert response.status_code == 403
    assert "不能审批本人提交或审核过的事项" in response.content.decode()
    assert state() == before


def test_approving_a_returned_item_is_409_and_nothing_changes(
    people: dict[str, User], opened: Case
) -> None:
    reviewer = people["township_longtan2"]
    case = to_notice(opened, people)
    returned = post(reviewer, case, action="return", on="2026-11-16", reason="评议记录不全")
    assert returned.status_code == 302
    case = Case.objects.get(pk=case.pk)
    before = state()

    response = post(reviewer, case, action="approve", on="2026-11-16")

    assert response.status_code == 409
    assert "该事项已退回村级，须重新提交后才能办理" in response.content.decode()
    assert state() == before


def test_deciding_a_closed_case_again_is_409_and_nothing_changes(
    people: dict[str, User], opened: Case
) -> None:
    """Scenario 4's "approves twice" on a fresh page: the case is already decided."""
    cadre = people["cadre_tudi"]
    assert post(cadre, opened, action="reject", reason="收入高于监测线").status_code == 302
    case = Case.objects.get(pk=opened.pk)
    before = state()

    response = post(cadre, case, action="reject", reason="再次提交")

    assert response.status_code == 409
    assert "案件已“不予认定”，不能再办理此操作" in response.content.decode()
    assert state() == before


def test_the_county_records_the_object_from_the_page(
    world: World, people: dict[str, User], opened: Case
) -> None:
    case = to_notice(opened, people)
    case = step(
        case, people["township_longtan2"], Approve(_I.TOWNSHIP_REVIEWED), date(2026, 11, 16)
    )
    county = people["county_huayuan"]
    case = step(case, county, Approve(_I.COUNTY_APPROVED), date(2026, 11, 16))

    response = post(
        county,
        case,
        action="record_object",
        on="2026-11-16",
        object_type="SUDDEN",
        risk_types=["ILLNESS", "ACCIDENT"],
        identified_month="2026-11",
    )

    assert response.status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert (case.step, case.object_type, case.risk_types) == (
        "recorded",
        "SUDDEN",
        ["ILLNESS", "ACCIDENT"],
    )
    household = Household.objects.get(pk=world.households["tudi"].pk)
    assert (household.monitoring_status, household.monitoring_type) == ("open", "SUDDEN")


# --- The notice ----------------------------------------------------------------------------


def _personal_information(household: Household) -> list[str]:
    """Every ID number (full and masked) and phone number of the household."""
    found = [household_phone(household), household.phone_masked]
    for person in Person.objects.filter(household=household):
        found += [person_id_number(person), person.id_number_masked, person.phone_masked]
        if person.phone_encrypted:
            found.append(person_phone(person))
    return [text for text in found if text]


@pytest.fixture
def noticed(people: dict[str, User], opened: Case) -> Case:
    return to_notice(opened, people)  # posted 2026-11-09, ends 11-13


def test_the_notice_page_lists_name_and_family_size_only(
    world: World, people: dict[str, User], noticed: Case
) -> None:
    page = client_for(people["cadre_tudi"]).get(f"/notices/{TUDI}/?on=2026-11-10")
    whole = page.content.decode()
    html = whole[whole.index('<article class="notice"') : whole.index("</article>")]  # what prints

    assert page.status_code == 200
    assert "防止返贫监测对象公示" in html
    assert "<td>张三</td><td>3</td><td>边缘易致贫户</td><td>因病</td>" in html
    assert "2026-11-09—2026-11-13" in html
    for text in _personal_information(world.households["tudi"]):
        assert text not in whole
    for word in ("李梅", "张小明", "身份证", "健康", "残疾", "银行"):
        assert word not in html


def test_the_notice_pdf_has_the_same_rows_and_no_personal_information(
    world: World, people: dict[str, User], noticed: Case
) -> None:
    response = client_for(people["cadre_tudi"]).get(f"/notices/{TUDI}/pdf/?on=2026-11-10")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    compact = "".join(text.split())
    assert "防止返贫监测对象公示" in compact
    assert "张三3边缘易致贫户因病" in compact
    for item in _personal_information(world.households["tudi"]):
        assert item not in compact
    for word in ("李梅", "张小明", "身份证", "健康", "残疾", "银行"):
        assert word not in compact


def test_a_notice_day_without_cases_says_so(people: dict[str, User], noticed: Case) -> None:
    html = client_for(people["cadre_tudi"]).get(f"/notices/{TUDI}/?on=2026-11-20").content.decode()
    assert "该日没有正在公示的农户。" in html
    assert "张三" not in html


def test_the_notice_of_a_village_outside_the_scope_is_404(
    people: dict[str, User], noticed: Case
) -> None:
    client = client_for(people["cadre_douwang"])
    assert client.get(f"/notices/{TUDI}/?on=2026-11-10").status_code == 404
    assert client.get(f"/notices/{TUDI}/pdf/?on=2026-11-10").status_code == 404


def test_the_page_shows_the_step_the_service_stored(people: dict[str, User], opened: Case) -> None:
    case = case_decide(
        actor=people["cadre_tudi"],
        case=opened,
        action=Submit(_I.VERIFIED),
        expected_version=1,
        on=date(2026, 11, 3),
    )
    page = client_for(people["cadre_tudi"]).get(f"/cases/{case.public_id}/").content.decode()
    assert 'id="case-step">入户核实<' in page


def test_the_home_page_reminds_each_level_of_its_cases(
    people: dict[str, User], opened: Case
) -> None:
    from django.utils import timezone

    Case.objects.filter(pk=opened.pk).update(verify_due=timezone.localdate().replace(day=1))
    cadre = client_for(people["cadre_tudi"]).get("/").content.decode()
    township = client_for(people["township_longtan"]).get("/").content.decode()

    assert 'id="case-todo"' in cadre
    assert "<strong>1</strong> 件</a>，" in cadre  # one waiting for the village
    assert "<strong>1</strong> 件已逾期" in cadre  # past the verification limit
    assert "<strong>0</strong> 件</a>" in township


def test_the_case_pages_speak_english_too(people: dict[str, User], noticed: Case) -> None:
    client = client_for(people["cadre_tudi"])
    client.cookies["django_language"] = "en"
    listing = client.get("/cases/").content.decode()
    notice = client.get(f"/notices/{TUDI}/?on=2026-11-10").content.decode()
    assert "Identification and elimination cases" in listing
    assert "Public notice of monitoring objects (prevention of return to poverty)" in notice
    assert "1. Proposed monitoring objects" in notice


def test_the_notice_reads_its_cases_in_one_query(people: dict[str, User], noticed: Case) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(people["cadre_tudi"])
    with CaptureQueriesContext(connection) as queries:
        html = client.get(f"/notices/{TUDI}/?on=2026-11-10").content.decode()

    assert "<td>张三</td><td>3</td><td>边缘易致贫户</td><td>因病</td>" in html
    reading_steps = [
        q["sql"] for q in queries.captured_queries if "casework_casetransition" in q["sql"]
    ]
    assert len(reading_steps) == 1  # the appraisal and notice details come as annotations
