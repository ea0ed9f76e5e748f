"""The assistance-force pages: the overview's sections for a county and a township, each form
through its service (a project registered, households linked, a benefit recorded into the
household's finances), and scope: another county's region, project, team or pairing is a 404,
a write without ``registry.edit`` a 403, and nothing changes on a refusal."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from fangpin.core.models import AuditEvent
from fangpin.force import services
from fangpin.force.models import Benefit, Project, ProjectBeneficiary, WorkTeam
from fangpin.registry.models import HouseholdFinance
from tests.evaluation.pages import client_for, no_inline_script
from tests.force.conftest import HUAYUAN, LONGTAN, LUXI, TUDI, World

pytestmark = pytest.mark.django_db
SYSTEM = "system:test"


@pytest.fixture
def setup(world: World) -> dict[str, Any]:
    team = services.team_create(
        actor=SYSTEM,
        village_code=TUDI,
        dispatching_unit="县农业农村局",
        start_date=date(2024, 5, 1),
    )
    services.member_add(
        actor=SYSTEM,
        team_id=team.public_id,
        name="龙书记",
        role="first_secretary",
        unit="县农业农村局",
        start_date=date(2024, 5, 1),
    )
    project = services.project_create(
        actor=SYSTEM,
        name="黄牛养殖合作社",
        kind="industry",
        region_code=LONGTAN,
        start_date=date(2024, 3, 1),
        funding={"central_linking": Decimal("900000")},
    )
    pairing = services.pairing_create(
        actor=SYSTEM, kind="east_west", partner="山东省济南市", county_code=HUAYUAN, start_year=2021
    )
    luxi = services.project_create(
        actor=SYSTEM,
        name="泸溪县项目",
        kind="industry",
        region_code=LUXI,
        start_date=date(2024, 3, 1),
    )
    return {"world": world, "team": team, "project": project, "pairing": pairing, "luxi": luxi}


def test_overview_of_the_county(setup: dict[str, Any]) -> None:
    client = client_for(setup["world"].users["county_huayuan"])

    body = client.get(reverse("web:force")).content.decode()

    assert no_inline_script(body) == []
    assert "龙书记（第一书记，县农业农村局，2024-05-01起）" in body
    assert "没有驻村工作队的村：4 个" in body  # 5 villages of 花垣县, 土地村 has a team
    assert "黄牛养殖合作社" in body
    assert "泸溪县项目" not in body
    assert "山东省济南市" in body
    assert 'id="project-new"' in body


def test_register_a_project_link_households_and_record_a_benefit(setup: dict[str, Any]) -> None:
    world = setup["world"]
    client = client_for(world.users["county_huayuan"])
    made = client.post(
        f"{reverse('web:force_project_new')}?region={HUAYUAN}",
        {
            "name": "帮扶车间",
            "kind": "employment",
            "region": LONGTAN,
            "status": "in_progress",
            "start_date": "2024-04-01",
            "fund_east_west": "400000",
        },
    )
    project = Project.objects.get(name="帮扶车间")
    assert made.status_code == 302
    assert made["Location"] == reverse("web:force_project", args=[project.public_id])
    page = reverse("web:force_project", args=[project.public_id])
    tudi_a, tudi_b = world.households["tudi_a"], world.households["tudi_b"]
    linked = client.post(
        page,
        {
            "action": "link",
            "link-household_numbers": f"{tudi_a.household_number}\n{tudi_b.household_number}",
            "link-link_type": "wage",
            "link-since": "2024-05-01",
        },
    )
    assert linked.status_code == 302
    assert ProjectBeneficiary.objects.filter(project=project).count() == 2
    recorded = client.post(
        page,
        {
            "action": "benefit",
            "benefit-household_number": tudi_a.household_number,
            "benefit-link_type": "wage",
            "benefit-year": "2024",
            "benefit-amount": "12000",
        },
    )
    assert recorded.status_code == 302
    finance = HouseholdFinance.objects.get(household=tudi_a, year=2024)
    assert finance.wage_local == Decimal("12000.00")
    body = client.get(page).content.decode()
    assert body.count('class="beneficiary"') == 2
    assert body.count('class="benefit"') == 1


def test_a_benefit_for_an_unlinked_household_is_refused_on_the_page(
    setup: dict[str, Any],
) -> None:
    world = setup["world"]
    client = client_for(world.users["county_huayuan"])
    page = reverse("web:force_project", args=[setup["project"].public_id])
    before = (Benefit.objects.count(), HouseholdFinance.objects.count(), AuditEvent.objects.count())

    answer = client.post(
        page,
        {
            "action": "benefit",
            "benefit-household_number": world.households["tudi_c"].household_number,
            "benefit-link_type": "dividend",
            "benefit-year": "2024",
            "benefit-amount": "800",
        },
    )

    assert answer.status_code == 400
    assert "未与项目建立" in answer.content.decode()
    assert (
        Benefit.objects.count(),
        HouseholdFinance.objects.count(),
        AuditEvent.objects.count(),
    ) == before


def test_scope_of_the_pages(setup: dict[str, Any]) -> None:
    users = setup["world"].users
    county, township, inspector = (
        client_for(users["county_huayuan"]),
        client_for(users["township_longtan"]),
        client_for(users["inspector_huayuan"]),
    )
    luxi_project = reverse("web:force_project", args=[setup["luxi"].public_id])
    team_members = reverse("web:force_team", args=[setup["team"].public_id])
    commitment = reverse("web:force_commitment", args=[setup["pairing"].public_id])
    teams = WorkTeam.objects.count()
    answers = [
        county.get(reverse("web:force"), {"region": LUXI}).status_code,
        county.get(luxi_project).status_code,
        township.get(reverse("web:force"), {"region": HUAYUAN}).status_code,
        township.get(reverse("web:force")).status_code,
        inspector.get(reverse("web:force")).status_code,
        inspector.get(f"{reverse('web:force_team_new')}?region={HUAYUAN}").status_code,
        client_for(users["inspector_luxi"]).get(team_members).status_code,
        client_for(users["inspector_luxi"]).get(commitment).status_code,
        client_for(users["auditor"]).get(reverse("web:force")).status_code,
    ]
    assert answers == [404, 404, 404, 200, 200, 403, 404, 403, 403]
    assert WorkTeam.objects.count() == teams


def test_linking_is_all_or_nothing(setup: dict[str, Any]) -> None:
    world = setup["world"]
    client = client_for(world.users["county_huayuan"])
    page = reverse("web:force_project", args=[setup["project"].public_id])  # 龙潭镇's project
    numbers = [world.households[k].household_number for k in ("tudi_a", "minle_a")]

    answer = client.post(
        page,
        {
            "action": "link",
            "link-household_numbers": " ".join(numbers),  # 民乐村 is outside 龙潭镇
            "link-link_type": "dividend",
            "link-since": "2024-05-01",
        },
    )

    assert answer.status_code == 400
    assert ProjectBeneficiary.objects.count() == 0


def test_team_page_ends_a_term_and_the_team_keeping_history(setup: dict[str, Any]) -> None:
    client = client_for(setup["world"].users["county_huayuan"])
    team = setup["team"]
    page = reverse("web:force_team", args=[team.public_id])
    member = team.members.get()

    added = client.post(
        page,
        {
            "action": "member_add",
            "name": "石队员",
            "role": "member",
            "unit": "县农业农村局",
            "start_date": "2024-06-01",
        },
    )
    ended = client.post(
        page, {"action": "member_end", "member": member.pk, "end_date": "2024-12-31"}
    )
    bad = client.post(page, {"action": "team_end", "end_date": "not a date"})
    closed = client.post(page, {"action": "team_end", "end_date": "2025-04-30"})

    assert [r.status_code for r in (added, ended, bad, closed)] == [302, 302, 400, 302]
    assert "请填写结束日期" in bad.content.decode()
    rows = sorted(team.members.values_list("name", "end_date"))
    assert rows == [("石队员", date(2025, 4, 30)), ("龙书记", date(2024, 12, 31))]
    team.refresh_from_db()
    assert team.end_date == date(2025, 4, 30)
    body = client.get(page).content.decode()
    assert body.count('class="member past"') == 2
    assert 'id="team-end-form"' not in body


def test_project_status_is_updated_with_its_version(setup: dict[str, Any]) -> None:
    client = client_for(setup["world"].users["county_huayuan"])
    project = setup["project"]
    page = reverse("web:force_project", args=[project.public_id])

    done = client.post(
        page,
        {
            "action": "status",
            "status-status": "completed",
            "status-end_date": "2024-11-30",
            "status-version": "1",
        },
    )
    stale = client.post(
        page, {"action": "status", "status-status": "suspended", "status-version": "1"}
    )

    assert (done.status_code, stale.status_code) == (302, 400)
    assert "该记录已被他人修改" in stale.content.decode()
    project.refresh_from_db()
    assert (project.status, project.end_date, project.version) == (
        "completed",
        date(2024, 11, 30),
        2,
    )


def test_a_benefit_is_corrected_through_its_row(setup: dict[str, Any]) -> None:
    world = setup["world"]
    client = client_for(world.users["county_huayuan"])
    project = setup["project"]
    tudi_a = world.households["tudi_a"]
    services.beneficiary_link(
        actor=SYSTEM,
        project_id=project.public_id,
        household_id=tudi_a.pk,
        link_type="dividend",
        since=date(2024, 1, 1),
    )
    page = reverse("web:force_project", args=[project.public_id])
    fields = {
        "action": "benefit",
        "benefit-household_number": tudi_a.household_number,
        "benefit-link_type": "dividend",
        "benefit-year": "2024",
    }
    assert client.post(page, {**fields, "benefit-amount": "800"}).status_code == 302
    benefit = Benefit.objects.get()

    again = client.post(page, {**fields, "benefit-amount": "900"})  # no version: not a correction
    form = client.get(page, {"benefit": str(benefit.public_id)}).content.decode()
    corrected = client.post(page, {**fields, "benefit-amount": "1000", "benefit-version": "1"})

    assert again.status_code == 400
    assert "如需更正请在列表中该行点“修改”" in again.content.decode()
    assert 'name="benefit-version" value="1"' in form
    assert 'name="benefit-amount" value="800.00"' in form
    assert corrected.status_code == 302
    finance = HouseholdFinance.objects.get(household=tudi_a, year=2024)
    assert finance.prop_asset_dividend == Decimal("1000.00")  # once, not 800 + 1000


def test_a_commitment_is_corrected_through_its_row(setup: dict[str, Any]) -> None:
    client = client_for(setup["world"].users["county_huayuan"])
    pairing = setup["pairing"]
    page = reverse("web:force_commitment", args=[pairing.public_id])
    fields = {"year": "2025", "item": "jobs", "committed": "600"}
    assert client.post(page, {**fields, "delivered": "500"}).status_code == 302

    again = client.post(page, {**fields, "delivered": "540"})
    form = client.get(page, {"year": "2025", "item": "jobs"}).content.decode()
    corrected = client.post(page, {**fields, "delivered": "540", "version": "1"})

    assert again.status_code == 400
    assert "如需更正请在列表中该行点“修改”" in again.content.decode()
    assert 'name="version" value="1"' in form
    assert corrected.status_code == 302
    assert pairing.commitments.get().delivered == Decimal("540.00")
