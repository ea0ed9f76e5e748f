"""The visit plan pages (暗访计划): an inspector plans a visit, prints its list with the fixed
questions, and records a finding from it; villages never see the plans; other counties 404."""

from __future__ import annotations

from urllib.parse import quote

from django.urls import reverse

from fangpin.core.models import Role
from fangpin.ledger import VISIT_QUESTIONS
from fangpin.supervision.models import InspectionPlan
from tests.registry.conftest import HUAYUAN_COUNTY, TUDI, World, make_user
from tests.web.conftest import client_for


def test_plan_print_and_record_a_finding_from_the_list(world: World) -> None:
    inspector = make_user("inspector_huayuan", Role.INSPECTOR, HUAYUAN_COUNTY)
    client = client_for(inspector)
    assert 'id="plans-link"' in client.get(reverse("web:problems")).content.decode()

    response = client.post(
        reverse("web:inspection_plans"),
        {
            "name": "2026年第1轮暗访",
            "villages": [TUDI],
            "registered_per_village": "20",
            "others_per_village": "5",
            "seed": "s",
        },
    )

    plan = InspectionPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:inspection_plan", args=[plan.public_id])
    page = client.get(response["Location"]).content.decode()
    assert all(question in page for _topic, question in VISIT_QUESTIONS)
    household = world.households["tudi"]
    assert f'id="stop-{household.household_number}"' in page
    link = (
        f"{reverse('web:problem_create')}?source=unannounced_visit&amp;"
        f"batch={quote('2026年第1轮暗访')}&amp;region={TUDI}&amp;household={household.household_number}"
    )
    assert link in page
    assert "本村可抽取的农户不足" in page  # 土地村 has fewer than 20 + 5 households

    form = client.get(link.replace("&amp;", "&")).content.decode()
    assert f'value="{household.household_number}"' in form
    assert 'value="2026年第1轮暗访"' in form


def test_villages_never_see_plans_and_other_counties_get_404(world: World) -> None:
    inspector = make_user("inspector_huayuan", Role.INSPECTOR, HUAYUAN_COUNTY)
    client_for(inspector).post(
        reverse("web:inspection_plans"),
        {
            "name": "暗访",
            "villages": [TUDI],
            "registered_per_village": "1",
            "others_per_village": "1",
        },
    )
    plan = InspectionPlan.objects.get()
    url = reverse("web:inspection_plan", args=[plan.public_id])

    assert client_for(world.viewers["cadre_tudi"]).get(url).status_code == 403
    assert (
        client_for(world.viewers["cadre_tudi"]).get(reverse("web:inspection_plans")).status_code
        == 403
    )
    assert client_for(world.viewers["county_huayuan"]).get(url).status_code == 403
    assert client_for(world.viewers["inspector_luxi"]).get(url).status_code == 404
    listed = client_for(world.viewers["inspector_luxi"]).get(reverse("web:inspection_plans"))
    assert str(plan.public_id) not in listed.content.decode()


def test_a_bad_plan_is_refused_with_its_reason(world: World) -> None:
    inspector = make_user("inspector_huayuan", Role.INSPECTOR, HUAYUAN_COUNTY)

    response = client_for(inspector).post(
        reverse("web:inspection_plans"),
        {"name": " ", "villages": [TUDI], "registered_per_village": "1", "others_per_village": "1"},
    )

    assert response.status_code == 400
    assert InspectionPlan.objects.count() == 0
