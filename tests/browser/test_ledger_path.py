"""The ledger in a real browser: an inspector records a problem found on a visit, the village
cadre fixes it with evidence and cannot close it, the inspector checks and closes it, and the
village is zeroed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fangpin.core.models import Region, User
from fangpin.core.selectors import region_cache_clear
from fangpin.supervision.models import Problem
from tests.browser.test_main_paths import PASSWORD, TUDI, _household, _regions


@pytest.fixture
def people(audit_log_emptied_after: None) -> Iterator[dict[str, Any]]:
    _regions()
    household = _household(TUDI, "张三", 3)
    User.objects.create_user(
        username="inspector_huayuan",
        password=PASSWORD,
        role="inspector",
        home_region=Region.objects.get(code="433124000000"),
    )
    User.objects.create_user(
        username="cadre_tudi",
        password=PASSWORD,
        role="village_cadre",
        home_region=Region.objects.get(code=TUDI),
    )
    yield {"household": household}
    region_cache_clear()


def _login(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def test_find_assign_fix_verify_close(
    live_server: Any, page: Any, people: dict[str, Any], screenshot_dir: Path
) -> None:
    base = live_server.url
    household = people["household"]

    _login(page, base, "inspector_huayuan")
    page.click("nav.main-nav >> text=整改台账")
    page.wait_for_url(re.compile(r"/problems/$"))
    page.click("#problem-create")
    page.select_option("select[name=source]", "unannounced_visit")
    page.fill("input[name=found_on]", "2026-03-02")
    page.select_option("select[name=region]", TUDI)
    page.select_option("select[name=dimension]", "housing")
    page.fill("textarea[name=description]", "住房为C级危房，仍在居住")
    page.fill("input[name=household_numbers]", household.household_number)
    page.fill("input[name=lead_unit]", "花垣县住房和城乡建设局")
    page.fill("textarea[name=responsible_units]", "龙潭镇人民政府")
    page.fill("input[name=deadline]", "2026-03-22")
    page.click("#problem-form button[type=submit]")
    page.wait_for_url(re.compile(r"/problems/[0-9a-f-]{36}/$"))
    assert page.locator("#problem-status").inner_text().startswith("待整改")
    problem_url = page.url

    _login(page, base, "cadre_tudi")
    page.goto(problem_url)
    page.fill("textarea[name=note]", "已完成危房改造并验收")
    page.fill("textarea[name=evidence]", "验收单.pdf\n改造后照片")
    page.click("button[value=report_fixed]")
    page.wait_for_selector("#problem-self-fixed")
    assert page.locator("button[value=close]").count() == 0
    assert page.locator("#problem-status").inner_text().startswith("已整改待核")
    page.screenshot(path=str(screenshot_dir / "problem-fixed.png"), full_page=True)

    _login(page, base, "inspector_huayuan")
    page.goto(problem_url)
    page.fill("textarea[name=note]", "入户核实：改造后为A级，与验收单一致")
    page.click("button[value=close]")
    page.wait_for_selector("#problem-status.status-closed")
    assert "核实销号 — 入户核实" in page.locator("#problem-history").inner_text()

    page.goto(f"{base}/problems/zeroing/")
    row = page.locator("#zeroing-433124102000").inner_text()
    assert "已清零" in row
    problem = Problem.objects.get()
    assert (problem.status, problem.fixed_by, problem.closed_by) == (
        "closed",
        "cadre_tudi",
        "inspector_huayuan",
    )
