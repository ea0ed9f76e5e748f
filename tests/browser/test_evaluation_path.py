"""Evaluation in a real browser: an inspector draws a third-party evaluation sample, surveys a
household on a phone-sized screen and finds it wrongly exited, reads the estimates and pushes
the finding into the ledger; the county approver computes the poverty measures and runs the
integrity report, and every chart draws."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from fangpin import conditions
from fangpin.core.models import Region, User
from fangpin.core.selectors import region_cache_clear
from fangpin.evaluation.models import Campaign, SampledHousehold
from fangpin.registry.models import Household, Person
from fangpin.registry.services import condition_record, finance_upsert
from fangpin.supervision.models import Problem
from tests.browser.test_main_paths import DOUWANG, PASSWORD, TUDI, _household, _regions

WATER = conditions.WaterMeasurement(
    area_type="rich",
    litres_per_person_day=60,
    quality_tested=True,
    quality_simple_check_ok=True,
    is_piped=True,
    trip_minutes=None,
    horizontal_m=None,
    vertical_m=None,
    cut_days_per_year=0,
)


def _with_records(household: Household, per_capita: int) -> None:
    finance_upsert(
        actor="system:test",
        household_id=household.pk,
        year=2024,
        amounts={"wage_local": per_capita},
        household_size=1,
    )
    condition_record(
        actor="system:test",
        household_id=household.pk,
        assessed_on=date(2024, 10, 1),
        food_secure=True,
        clothing_secure=True,
        housing_grade="A",
        housing_assessor="花垣县住房和城乡建设局",
        housing_assessed_on=date(2024, 9, 1),
        water=WATER,
    )


@pytest.fixture
def people(audit_log_emptied_after: None) -> Iterator[dict[str, Any]]:
    _regions()
    households = [
        _household(TUDI, "张三", 3),
        _household(TUDI, "李四", 4),
        _household(DOUWANG, "王五", 5),
        _household(DOUWANG, "赵六", 6),
    ]
    for household, income in zip(households, (3500, 9000, 12000, 15000), strict=True):
        _with_records(household, income)
    Person.objects.update(has_resident_medical=True)  # 基本医疗有保障 for everyone
    county = Region.objects.get(code="433124000000")
    for username, role in (
        ("inspector_huayuan", "inspector"),
        ("county_huayuan", "county_approver"),
    ):
        User.objects.create_user(
            username=username, password=PASSWORD, role=role, home_region=county
        )
    yield {"households": households}
    region_cache_clear()


def _login(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def _fill_survey(page: Any, *, income: str, adjudication: str) -> None:
    page.fill("input[name=people]", "1")
    page.fill("input[name=per_capita_income]", income)
    for name in ("food_ok", "clothing_ok", "education_ok", "medical_ok", "housing_ok", "water_ok"):
        page.check(f"input[name={name}][value='1']")
    page.check("input[name=is_satisfied][value='1']")
    page.check(f"input[name=adjudication][value={adjudication}]")


def _charts_drawn(page: Any, count: int) -> None:
    page.wait_for_function(
        f"document.querySelectorAll('div.chart[data-drawn=\"1\"]').length === {count}"
    )
    for box in page.locator("div.chart").all():
        assert box.locator("canvas").count() >= 1


def test_sample_survey_estimate_and_push(
    live_server: Any, page: Any, people: dict[str, Any], screenshot_dir: Path
) -> None:
    base = live_server.url
    poor = people["households"][0]  # 3,500 yuan a head: below the 4,000-yuan poverty line

    _login(page, base, "inspector_huayuan")
    page.click("nav.main-nav >> text=第三方评估")
    page.wait_for_url(re.compile(r"/evaluation/$"))
    page.fill("input[name=name]", "2024年度第三方评估")
    page.fill("input[name=year]", "2024")
    page.fill("input[name=seed]", "20241")
    page.click("#campaign-form button[type=submit]")
    page.wait_for_url(re.compile(r"/evaluation/[0-9a-f-]{36}/$"))
    campaign = Campaign.objects.get()
    assert campaign.households.count() == 4  # both villages, every registered household

    unit = SampledHousehold.objects.get(campaign=campaign, household=poor)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"{base}/evaluation/survey/{unit.public_id}/")
    _fill_survey(page, income="3500", adjudication="correct")
    page.click("#survey-form button[type=submit]")
    page.wait_for_selector("#field-notes .field-error")  # the answers say 错退: a note is needed
    page.screenshot(path=str(screenshot_dir / "evaluation-survey-phone.png"), full_page=True)
    page.check("input[name=adjudication][value=wrongly_exited]")
    page.click("#survey-form button[type=submit]")
    page.wait_for_url(re.compile(r"/evaluation/survey/[0-9a-f-]{36}/$"))  # the next household
    unit.refresh_from_db()
    assert unit.adjudication == "wrongly_exited"
    assert unit.per_capita_income == 3500

    other = SampledHousehold.objects.get(campaign=campaign, household=people["households"][2])
    page.goto(f"{base}/evaluation/survey/{other.public_id}/")
    _fill_survey(page, income="12000", adjudication="correct")
    page.click("#survey-form button[type=submit]")
    page.wait_for_url(re.compile(r"/evaluation/survey/[0-9a-f-]{36}/$"))

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/evaluation/{campaign.public_id}/")
    assert page.locator("#campaign-progress").inner_text() == "已核查 2 户，待核查 2 户"
    # One of the two exited people surveyed was wrongly exited; both villages of the township
    # were taken (n_h = N_h), so the finite-population correction leaves no sampling error.
    assert page.locator("#rate-wrong_exit_rate .figure").inner_text() == "50.00%"
    assert "未达标" in page.locator("#rate-wrong_exit_rate .verdict").inner_text()
    page.screenshot(path=str(screenshot_dir / "evaluation-campaign.png"), full_page=True)
    page.click("#push-findings")
    page.wait_for_selector("p.notice")
    problem = Problem.objects.get(source="evaluation")
    assert list(problem.households.all()) == [poor]

    _login(page, base, "county_huayuan")
    page.click("nav.main-nav >> text=贫困测度")
    page.wait_for_url(re.compile(r"/evaluation/measures/"))
    page.fill("input[name=year]", "2024")
    page.click("#county-year button[type=submit]")
    page.click("#compute-measures")
    page.wait_for_selector("#measures-summary")
    _charts_drawn(page, 3)
    # 1 of 4 people below the 4,000-yuan poverty line: the county fails the 3% western line.
    assert "25.00%" in page.locator("#exit-county").inner_text()
    page.screenshot(path=str(screenshot_dir / "evaluation-measures.png"), full_page=True)

    page.click("nav.main-nav >> text=真实性检测")
    page.fill("input[name=year]", "2024")
    page.click("#county-year button[type=submit]")
    page.click("#run-integrity")
    page.wait_for_selector("#integrity-summary")
    _charts_drawn(page, 1)
    page.screenshot(path=str(screenshot_dir / "evaluation-integrity.png"), full_page=True)
