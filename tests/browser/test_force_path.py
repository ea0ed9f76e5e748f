"""The assistance force in a real browser: a county approver registers a project from the
「帮扶力量」 page, links two households by their numbers, records a dividend for one of them
and sees it on the project page and in the household's income. Screenshots go to
test-artifacts/screenshots."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from fangpin.core.models import Region, User
from fangpin.core.selectors import region_cache_clear
from fangpin.force.models import Benefit, Project, ProjectBeneficiary
from fangpin.registry.models import HouseholdFinance
from tests.browser.test_evaluation_path import _login
from tests.browser.test_main_paths import DOUWANG, PASSWORD, TUDI, _household, _regions

COUNTY = "433124000000"


@pytest.fixture
def county(audit_log_emptied_after: None) -> Iterator[list[Any]]:
    _regions()
    households = [_household(TUDI, "张三", 3), _household(DOUWANG, "王五", 5)]
    User.objects.create_user(
        username="county_huayuan",
        password=PASSWORD,
        role="county_approver",
        home_region=Region.objects.get(code=COUNTY),
    )
    yield households
    region_cache_clear()


def test_register_a_project_and_link_households(
    live_server: Any, page: Any, county: list[Any], screenshot_dir: Path
) -> None:
    base = live_server.url
    zhang, wang = county
    _login(page, base, "county_huayuan")
    page.click("nav.main-nav >> text=帮扶力量")
    page.wait_for_url(re.compile(r"/force/$"))
    page.click("#project-new")
    page.fill("#id_name", "黄牛养殖专业合作社")
    page.select_option("#id_kind", "industry")
    page.select_option("#id_region", "433124102000")
    page.select_option("#id_status", "in_progress")
    page.fill("#id_start_date", "2024-03-01")
    page.check("#id_one_village_one_product")
    page.fill("#id_product", "湘西黄牛")
    page.fill("#id_fund_central_linking", "900000")
    page.click("#force-form button[type=submit]")
    page.wait_for_url(re.compile(r"/force/projects/[0-9a-f-]{36}/$"))
    project = Project.objects.get()
    assert (project.name, project.region_id, project.product) == (
        "黄牛养殖专业合作社",
        "433124102000",
        "湘西黄牛",
    )
    assert page.locator("#project-funding").inner_text() == "中央衔接资金 900,000 元"

    page.fill("#id_link-household_numbers", f"{zhang.household_number}\n{wang.household_number}")
    page.select_option("#id_link-link_type", "dividend")
    page.fill("#id_link-since", "2024-04-01")
    page.click("#link-form button[type=submit]")
    page.wait_for_selector("tr.beneficiary")
    assert page.locator("tr.beneficiary").count() == 2
    assert ProjectBeneficiary.objects.filter(project=project).count() == 2

    page.fill("#id_benefit-household_number", zhang.household_number)
    page.select_option("#id_benefit-link_type", "dividend")
    page.fill("#id_benefit-year", "2024")
    page.fill("#id_benefit-amount", "800")
    page.click("#benefit-form button[type=submit]")
    page.wait_for_selector("tr.benefit")
    page.screenshot(path=str(screenshot_dir / "force-project.png"), full_page=True)
    assert Benefit.objects.get().amount == Decimal("800.00")
    finance = HouseholdFinance.objects.get(household=zhang, year=2024)
    assert finance.prop_asset_dividend == Decimal("800.00")

    page.goto(f"{base}/force/")
    assert "黄牛养殖专业合作社" in page.locator("#projects").inner_text()
    page.screenshot(path=str(screenshot_dir / "force-overview.png"), full_page=True)
