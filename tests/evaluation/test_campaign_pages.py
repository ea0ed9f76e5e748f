"""The campaign pages: list and sampling form, detail with the estimates, the visit list (HTML
and PDF), the phone survey form, closing and pushing; no inline script anywhere."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse

from fangpin.evaluation.campaigns import survey_record
from fangpin.evaluation.models import Campaign, SampledHousehold
from fangpin.registry.models import Household
from fangpin.supervision.models import Problem
from tests.evaluation.conftest import HUAYUAN, LUXI, World, answers, table_state
from tests.evaluation.pages import client_for, make_campaign, no_inline_script, survey_data

NEW_CAMPAIGN = {
    "name": "2024年度第三方评估（网页）",
    "county": HUAYUAN,
    "year": "2024",
    "villages_per_township": "2",
    "ordinary_share": "50",
    "ordinary_cap": "200",
    "target_margin": "",
    "expected_rate": "2",
    "icc": "0.05",
    "seed": "web",
}


def unit_of(campaign: Campaign, world: World, key: str) -> SampledHousehold:
    return campaign.households.select_related("campaign", "village").get(
        household=world.households[key]
    )


def test_the_list_offers_the_form_and_a_post_draws_the_sample(world: World) -> None:
    client = client_for(world.users["inspector_huayuan"])

    page = client.get(reverse("web:evaluations"))

    assert page.status_code == 200
    body = page.content.decode()
    assert no_inline_script(body) == []
    assert 'id="campaign-form"' in body
    assert f'<option value="{HUAYUAN}">花垣县（433124）</option>' in body
    assert LUXI not in body  # only the counties of one's scope
    assert "还没有第三方评估批次。" in body

    response = client.post(reverse("web:evaluations"), NEW_CAMPAIGN)

    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:evaluation", args=[campaign.public_id])
    assert (campaign.name, campaign.seed, campaign.design["ordinary_share"]) == (
        "2024年度第三方评估（网页）",
        "web",
        0.5,
    )
    listed = client.get(reverse("web:evaluations")).content.decode()
    assert f'id="campaign-{campaign.public_id}"' in listed
    assert f"<td>{campaign.households.count()}</td><td>0</td>" in listed


def test_a_bad_sampling_form_is_400_with_its_reason_and_writes_nothing(world: World) -> None:
    Household.objects.filter(village__code__startswith="433122").update(status="cancelled")
    huayuan = client_for(world.users["inspector_huayuan"])
    xiangxi = client_for(world.users["inspector_xiangxi"])  # may sample 泸溪县, empty now
    before = table_state()

    outside = huayuan.post(reverse("web:evaluations"), {**NEW_CAMPAIGN, "county": LUXI})
    empty = xiangxi.post(reverse("web:evaluations"), {**NEW_CAMPAIGN, "county": LUXI})
    too_few = huayuan.post(
        reverse("web:evaluations"), {**NEW_CAMPAIGN, "villages_per_township": "1"}
    )

    assert (outside.status_code, empty.status_code, too_few.status_code) == (400, 400, 400)
    assert "选择一个有效的选项" in outside.content.decode()
    assert '<p class="error" role="alert">泸溪县没有登记农户，无法抽样</p>' in (
        empty.content.decode()
    )
    assert "确保该值大于或等于2。" in too_few.content.decode()
    assert table_state() == before


def test_the_detail_shows_the_design_progress_estimates_and_findings(world: World) -> None:
    campaign = make_campaign(world)
    inspector = world.users["inspector_huayuan"]
    for key, values in (
        ("longmen_a", answers(per_capita_income=3500, adjudication="wrongly_exited")),
        ("longmen_b", answers()),
        ("minle_a", answers(is_satisfied=False)),
    ):
        survey_record(
            actor=inspector, unit=unit_of(campaign, world, key), answers=values, version=1
        )

    page = client_for(inspector).get(reverse("web:evaluation", args=[campaign.public_id]))

    assert page.status_code == 200
    body = page.content.decode()
    no_inline_script(body)
    assert '<dd id="campaign-progress">已核查 3 户，待核查 10 户</dd>' in body
    for code in ("wrong_exit_rate", "omission_rate", "approval_rate", "composite_incidence"):
        assert f'id="rate-{code}"' in body
    assert "实地核查尚未完成" in body
    # No outside household surveyed yet: the omission rate says why it has no estimate.
    omission = body.split('id="rate-omission_rate"')[1].split("</tr>")[0]
    assert "样本中还没有可用于计算的已核查户" in omission
    wrong_exit = body.split('id="rate-wrong_exit_rate"')[1].split("</tr>")[0]
    assert "错退率估计为" in wrong_exit
    number = world.households["longmen_a"].household_number
    assert f'id="finding-{number}"' in body
    assert 'id="push-findings"' in body
    assert 'id="close-campaign"' in body
    assert "s1" in body


def test_the_visit_list_groups_the_households_by_village(world: World) -> None:
    campaign = make_campaign(world)

    page = client_for(world.users["inspector_huayuan"]).get(
        reverse("web:evaluation_visits", args=[campaign.public_id])
    )

    assert page.status_code == 200
    body = page.content.decode()
    no_inline_script(body)
    for village in campaign.villages.all():
        assert f'id="village-{village.village_id}"' in body
    for unit in campaign.households.select_related("household"):
        household: Any = unit.household
        assert f'id="unit-{household.household_number}"' in body
        assert reverse("web:evaluation_survey", args=[unit.public_id]) in body
    assert body.count("<td>龙大</td>") == 13


def test_the_visit_list_prints_as_a_pdf(world: World) -> None:
    campaign = make_campaign(world)

    try:
        response = client_for(world.users["inspector_huayuan"]).get(
            reverse("web:evaluation_visits", args=[campaign.public_id]), {"format": "pdf"}
        )
    except OSError as exc:  # WeasyPrint without Pango on this machine
        pytest.skip(f"WeasyPrint cannot run here: {exc}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="evaluation-433124-2024.pdf"'
    assert response.content.startswith(b"%PDF")
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    compact = "".join(text.split())
    assert "花垣县2024年度第三方评估走访清单" in compact
    assert world.households["longmen_a"].household_number in compact


def test_a_survey_from_the_phone_goes_on_to_the_next_household(world: World) -> None:
    campaign = make_campaign(world)
    client = client_for(world.users["inspector_huayuan"])
    first, second = campaign.households.order_by("position")[:2]
    url = reverse("web:evaluation_survey", args=[first.public_id])

    form = client.get(url)
    assert form.status_code == 200
    no_inline_script(form.content.decode())
    assert '<input type="hidden" name="version" value="1"' in form.content.decode()

    response = client.post(url, survey_data(1))

    assert response.status_code == 302
    assert response["Location"] == reverse("web:evaluation_next", args=[campaign.public_id])
    following = client.get(response["Location"])
    assert following.status_code == 302
    assert following["Location"] == reverse("web:evaluation_survey", args=[second.public_id])
    first.refresh_from_db()
    assert (first.version, first.adjudication, first.surveyor_label) == (
        2,
        "correct",
        "inspector_huayuan",
    )


def test_an_adjudication_against_the_answers_needs_a_reason(world: World) -> None:
    campaign = make_campaign(world)
    client = client_for(world.users["inspector_huayuan"])
    unit = unit_of(campaign, world, "longmen_a")
    url = reverse("web:evaluation_survey", args=[unit.public_id])
    short = survey_data(1, per_capita_income="3500")
    before = table_state()

    refused = client.post(url, short)

    assert refused.status_code == 400
    assert "核查结果提示应认定为“错退”；如认定不同，请在核查说明中写明理由。" in (
        refused.content.decode()
    )
    assert table_state() == before

    explained = client.post(url, {**short, "notes": "刚领到年终工资，收入已核实超过标准"})
    assert explained.status_code == 302
    unit.refresh_from_db()
    assert (unit.adjudication, unit.notes) == ("correct", "刚领到年终工资，收入已核实超过标准")


def test_a_stale_survey_form_is_409_and_changes_nothing(world: World) -> None:
    campaign = make_campaign(world)
    client = client_for(world.users["inspector_huayuan"])
    unit = unit_of(campaign, world, "longmen_a")
    url = reverse("web:evaluation_survey", args=[unit.public_id])
    assert client.post(url, survey_data(1)).status_code == 302
    before = table_state()

    stale = client.post(url, survey_data(1, is_satisfied="0"))

    assert stale.status_code == 409
    assert "该户的核查结果已被他人修改，请刷新后重新录入" in stale.content.decode()
    assert table_state() == before


def test_the_last_survey_leads_back_to_the_campaign(world: World) -> None:
    campaign = make_campaign(world)
    inspector = world.users["inspector_huayuan"]
    for unit in campaign.households.select_related("campaign", "village"):
        survey_record(actor=inspector, unit=unit, answers=answers(), version=1)

    response = client_for(inspector).get(reverse("web:evaluation_next", args=[campaign.public_id]))

    assert response.status_code == 302
    assert response["Location"] == reverse("web:evaluation", args=[campaign.public_id])


def test_closing_ends_the_fieldwork_and_a_second_close_is_409(world: World) -> None:
    campaign = make_campaign(world)
    client = client_for(world.users["inspector_huayuan"])
    close = reverse("web:evaluation_close", args=[campaign.public_id])

    closed = client.post(close, {"version": "1"})

    assert closed.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.status, campaign.version) == ("closed", 2)
    page = client.get(reverse("web:evaluation", args=[campaign.public_id])).content.decode()
    assert 'id="close-campaign"' not in page
    before = table_state()
    again = client.post(close, {"version": "1"})
    garbled = client.post(close, {"version": "x"})
    unit = campaign.households.order_by("position")[0]
    survey = client.post(reverse("web:evaluation_survey", args=[unit.public_id]), survey_data(1))
    assert (again.status_code, garbled.status_code, survey.status_code) == (409, 409, 400)
    assert "评估批次已被他人修改或已经结束，请刷新" in again.content.decode()
    assert "请求无效" in garbled.content.decode()
    assert "本次评估已结束，不能再录入核查结果" in survey.content.decode()
    assert table_state() == before


def test_pushing_the_findings_from_the_page(world: World) -> None:
    campaign = make_campaign(world)
    inspector = world.users["inspector_huayuan"]
    survey_record(
        actor=inspector,
        unit=unit_of(campaign, world, "longmen_a"),
        answers=answers(per_capita_income=3500, adjudication="wrongly_exited"),
        version=1,
    )
    client = client_for(inspector)
    push = reverse("web:evaluation_push", args=[campaign.public_id])

    first = client.post(push)
    second = client.post(push)

    detail = reverse("web:evaluation", args=[campaign.public_id])
    assert (first.status_code, first["Location"]) == (302, f"{detail}?pushed=1")
    assert (second.status_code, second["Location"]) == (302, f"{detail}?pushed=0")
    assert Problem.objects.count() == 1
    page = client.get(first["Location"]).content.decode()
    assert "已推送 1 个问题到整改台账（已推送过的不再重复）。" in page
    assert "上次推送：" in page


# Every page: session and user (2), the header's home region (1), saving the session (3).
# List: + the counties of the form (1), campaigns with their progress counts (1).
LIST_QUERIES = 8
# Detail: + the campaign (1), the estimates (households with their household and village, the
# stratum sizes: 2), the villages with their regions (1), township names (1), the visit list
# with the heads' names (1).
DETAIL_QUERIES = 12


def test_the_list_and_the_detail_cost_a_fixed_number_of_queries(
    world: World, django_assert_num_queries: Any
) -> None:
    inspector = world.users["inspector_huayuan"]
    client = client_for(inspector)
    first = make_campaign(world)
    client.get(reverse("web:evaluations"))  # warm the session
    with django_assert_num_queries(LIST_QUERIES):
        client.get(reverse("web:evaluations"))
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(reverse("web:evaluation", args=[first.public_id]))

    second = make_campaign(world, seed="s2", name="第二批")
    for unit in second.households.select_related("campaign", "village")[:5]:
        survey_record(actor=inspector, unit=unit, answers=answers(), version=1)
    with django_assert_num_queries(LIST_QUERIES):
        body = client.get(reverse("web:evaluations")).content.decode()
    assert body.count('<tr id="campaign-') == 2
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(reverse("web:evaluation", args=[second.public_id]))
