"""The ledger's pages (整改台账): list in scope, record, fix, check and close, no self-closing,
409 on a stale page, 404 outside the scope, 403 without the right, the 清零 view and export."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from fangpin.core.models import AuditEvent, Role, User
from fangpin.registry.models import Household
from fangpin.supervision.models import Problem, ProblemEntry
from tests.registry.conftest import (
    DOUWANG,
    HUAYUAN_COUNTY,
    LONGTAN_TOWNSHIP,
    MINLE,
    TUDI,
    World,
    make_user,
)
from tests.supervision.test_services import record
from tests.web.conftest import client_for


def inspector_user() -> User:
    return make_user("inspector_huayuan", Role.INSPECTOR, HUAYUAN_COUNTY)


def decide_data(problem: Problem, action: str, **extra: str) -> dict[str, str]:
    problem.refresh_from_db()
    return {
        "action": action,
        "version": str(problem.version),
        "on": "2026-03-10",
        "note": extra.get("note", ""),
        "evidence": extra.get("evidence", ""),
    }


def test_an_inspector_records_a_problem_from_the_form(family: Household, village: object) -> None:
    inspector = inspector_user()
    client = client_for(inspector)
    assert client.get(reverse("web:problem_create")).status_code == 200

    response = client.post(
        reverse("web:problem_create"),
        {
            "source": "unannounced_visit",
            "source_batch": "2026年第1轮暗访",
            "found_on": "2026-03-02",
            "region": TUDI,
            "dimension": "housing",
            "description": "住房为C级危房，仍在居住",
            "household_numbers": family.household_number,
            "evidence": "照片1\n照片2",
            "lead_unit": "花垣县住房和城乡建设局",
            "responsible_units": "龙潭镇人民政府",
            "responsible_person": "石建国",
            "measures": "危房改造",
            "deadline": "2026-03-22",
        },
    )

    problem = Problem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:problem", args=[problem.public_id])
    assert (problem.evidence, problem.responsible_units) == (["照片1", "照片2"], ["龙潭镇人民政府"])
    assert list(problem.households.all()) == [family]


def test_an_unknown_household_number_is_a_clear_error_and_nothing_is_recorded(
    village: object,
) -> None:
    client = client_for(inspector_user())

    response = client.post(
        reverse("web:problem_create"),
        {
            "source": "complaint",
            "found_on": "2026-03-02",
            "region": TUDI,
            "dimension": "income",
            "description": "收入核算有误",
            "household_numbers": "4331241022019999",
            "lead_unit": "龙潭镇人民政府",
            "deadline": "2026-03-22",
        },
    )

    assert response.status_code == 400
    assert "找不到户编号：4331241022019999（或不在您的辖区内）" in response.content.decode()
    assert Problem.objects.count() == 0


def test_fix_check_close_through_the_pages(tudi_cadre: User, village: object) -> None:
    inspector = inspector_user()
    problem = record(inspector)
    cadre = client_for(tudi_cadre)

    page = cadre.get(reverse("web:problem", args=[problem.public_id])).content.decode()
    assert 'value="report_fixed"' in page
    assert 'value="close"' not in page
    url = reverse("web:problem_decide", args=[problem.public_id])
    fixed = cadre.post(url, decide_data(problem, "report_fixed", note="已改造", evidence="验收单"))
    assert fixed.status_code == 302

    own = cadre.get(reverse("web:problem", args=[problem.public_id])).content.decode()
    assert 'value="close"' not in own
    assert "整改完成由您报告，须由其他人员核实后销号或退回。" in own
    before = (ProblemEntry.objects.count(), AuditEvent.objects.count())
    refused = cadre.post(url, decide_data(problem, "close", note="本人核实"))
    assert refused.status_code == 400
    assert "须由其他人员核实后销号或退回" in refused.content.decode()
    assert (ProblemEntry.objects.count(), AuditEvent.objects.count()) == before

    closed = client_for(inspector).post(url, decide_data(problem, "close", note="入户核实"))
    problem.refresh_from_db()
    assert closed.status_code == 302
    assert (problem.status, problem.closed_by) == ("closed", "inspector_huayuan")
    history = client_for(inspector).get(reverse("web:problem", args=[problem.public_id]))
    assert "核实销号 — 入户核实" in history.content.decode()


def test_a_stale_page_is_409(tudi_cadre: User, village: object) -> None:
    problem = record(inspector_user())
    cadre = client_for(tudi_cadre)
    url = reverse("web:problem_decide", args=[problem.public_id])
    stale = decide_data(problem, "start")
    assert cadre.post(url, stale).status_code == 302

    again = cadre.post(url, {**stale, "action": "report_fixed", "note": "改", "evidence": "照"})

    assert again.status_code == 409
    assert "该问题已被他人办理，请刷新后重试" in again.content.decode()


def test_scope_and_rights(tudi_cadre: User, douwang_cadre: User, village: object) -> None:
    inspector = inspector_user()
    problem = record(inspector)
    other = record(inspector, region_code=DOUWANG)
    auditor = make_user("auditor_huayuan", Role.AUDITOR, HUAYUAN_COUNTY)
    douwang = client_for(douwang_cadre)

    assert douwang.get(reverse("web:problem", args=[problem.public_id])).status_code == 404
    url = reverse("web:problem_decide", args=[problem.public_id])
    assert douwang.post(url, decide_data(problem, "start")).status_code == 404
    listed = douwang.get(reverse("web:problems")).content.decode()
    assert str(other.public_id) in listed
    assert str(problem.public_id) not in listed
    assert client_for(auditor).get(reverse("web:problems")).status_code == 403
    inspector_start = client_for(inspector).post(url, decide_data(problem, "start"))
    assert inspector_start.status_code == 403  # inspectors check fixes, they do not make them
    problem.refresh_from_db()
    assert problem.status == "open"


def test_a_township_prefix_lists_that_township_s_problems(world: World) -> None:
    inspector = inspector_user()
    problems = {
        "tudi": record(inspector),
        "douwang": record(inspector, region_code=DOUWANG),
        "longtan": record(inspector, region_code=LONGTAN_TOWNSHIP),  # the township's own
        "minle": record(inspector, region_code=MINLE),
    }

    def listed(query: str) -> list[str]:
        html = client_for(inspector).get(f"{reverse('web:problems')}?{query}").content.decode()
        return sorted(k for k, p in problems.items() if str(p.public_id) in html)

    assert listed("region=433124102") == ["douwang", "longtan", "tudi"]
    assert listed("region=433124103") == ["minle"]
    assert listed(f"region={TUDI}") == ["tudi"]
    assert listed("region=433124103&status=closed") == []


def test_the_zeroing_view_and_the_ledger_export(tudi_cadre: User, actor: User) -> None:
    inspector = inspector_user()
    record(inspector)  # 土地村: open
    county = client_for(actor)

    page = county.get(reverse("web:problems_zeroing")).content.decode()

    assert 'id="zeroing-433124102000"' in page  # the county's township, one level down
    assert "✗ 未清零" in page
    sources = page.split('id="zeroing-source-433124102000"')[1].split("</tr>")[0]
    # by source: 巡视 考核 第三方评估 暗访 …, one problem of 暗访, overdue
    assert sources.count("<td>—</td>") == 7
    assert "<td>1（1）</td>" in sources
    response = client_for(tudi_cadre).post("/exports/problems/?format=csv", {"action": "download"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response.status_code == 200
    assert "龙再田户住房为C级危房，仍在居住" in body
    assert date(2026, 3, 22).isoformat() in body


def test_push_and_replicate_from_the_pages(world: World) -> None:
    from tests.casework.conftest import MONTH, make_run, make_warning

    run = make_run()
    households = world.households
    for key in ("tudi", "douwang"):
        make_warning(run, households[key], "quality.deceased_still_counted")
    county = client_for(world.viewers["county_huayuan"])
    cadre = client_for(world.viewers["cadre_tudi"])

    pushed = cadre.post(reverse("web:problems_push"), {"month": f"{MONTH:%Y-%m}"})
    assert pushed.status_code == 302
    origin = Problem.objects.get()
    assert origin.region_id == TUDI
    listed = cadre.get(reverse("web:problems")).content.decode()
    assert "数据质量问题 1 个：新登记 1 个，已在台账中 0 个。" in listed

    replicated = county.post(
        reverse("web:problem_replicate", args=[origin.public_id]), {"rule": ""}
    )
    assert replicated.status_code == 302
    page = county.get(reverse("web:problem", args=[origin.public_id])).content.decode()
    assert "举一反三：同类问题 1 个，新登记 1 个，已在台账中 0 个。" in page
    assert 'id="problem-replicas"' in page
    assert Problem.objects.filter(parent=origin, region_id=DOUWANG).count() == 1
    again = county.post(reverse("web:problem_replicate", args=[origin.public_id]), {"rule": ""})
    assert again.status_code == 302  # the problem's own rule again: nothing new
    assert Problem.objects.count() == 2


def test_the_form_links_members_by_id_number_and_refuses_strangers(
    family: Household, village: object
) -> None:
    from fangpin.registry.models import Person
    from tests.registry.conftest import plain_id

    member = Person.objects.filter(household=family).order_by("id").first()
    assert member is not None
    client = client_for(inspector_user())
    base = {
        "source": "unannounced_visit",
        "found_on": "2026-03-02",
        "region": TUDI,
        "dimension": "education",
        "description": "孩子辍学",
        "household_numbers": family.household_number,
        "lead_unit": "县教育局",
        "deadline": "2026-03-22",
    }

    stranger = client.post(
        reverse("web:problem_create"), {**base, "person_ids": "433124198001019999"}
    )
    assert stranger.status_code == 400
    assert "以下身份证号码不是所列农户的成员：433124********9999" in stranger.content.decode()
    assert Problem.objects.count() == 0

    response = client.post(reverse("web:problem_create"), {**base, "person_ids": plain_id(member)})
    problem = Problem.objects.get()
    assert response.status_code == 302
    assert list(problem.persons.all()) == [member]
    page = client.get(reverse("web:problem", args=[problem.public_id])).content.decode()
    assert member.id_number_masked in page
    assert plain_id(member) not in page
