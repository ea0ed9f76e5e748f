"""The main paths in a real browser: log in, find a household, edit it, see the change in its
history, and be refused another village's household; verify a screening clue."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from fangpin import idnumber
from fangpin.core.models import Region, User
from fangpin.core.selectors import region_cache_clear
from fangpin.registry import services
from fangpin.registry.models import Household
from fangpin.registry.validation import PersonInput

TUDI = "433124102201"
DOUWANG = "433124102202"
PASSWORD = "土地村的春天来得早"


def _regions() -> None:
    region_cache_clear()
    rows = [
        ("430000000000", "湖南省", 1, None),
        ("433100000000", "湘西土家族苗族自治州", 2, "430000000000"),
        ("433124000000", "花垣县", 3, "433100000000"),
        ("433124102000", "龙潭镇", 4, "433124000000"),
        (TUDI, "土地村", 5, "433124102000"),
        (DOUWANG, "豆旺村", 5, "433124102000"),
    ]
    Region.objects.bulk_create(
        Region(code=code, name=name, level=level, parent_id=parent)
        for code, name, level, parent in rows
    )


def _household(village: str, head: str, sequence: int) -> Household:
    number = idnumber.build("433124", date(1980, 5, 1), sequence)
    return services.household_create(
        actor="system:test",
        village_code=village,
        household_type="1",
        head=PersonInput(name=head, id_number=number, relation="01"),
        registered_on=date(2024, 3, 1),
        address=f"{head}家",
    )


@pytest.fixture
def setting(audit_log_emptied_after: None) -> dict[str, Any]:
    _regions()
    tudi = _household(TUDI, "张三", 3)
    douwang = _household(DOUWANG, "王五", 5)
    User.objects.create_user(
        username="cadre_tudi",
        password=PASSWORD,
        role="village_cadre",
        home_region=Region.objects.get(code=TUDI),
    )
    yield {"tudi": tudi, "douwang": douwang}
    region_cache_clear()


def test_log_in_find_edit_and_see_the_history(
    live_server: Any, page: Any, setting: dict[str, Any], screenshot_dir: Path
) -> None:
    tudi, douwang = setting["tudi"], setting["douwang"]

    page.goto(f"{live_server.url}/households/")
    assert "/login/" in page.url
    page.screenshot(path=str(screenshot_dir / "login.png"), full_page=True)
    page.fill("#id_username", "cadre_tudi")
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/households/$"))
    assert page.locator(".who .role").inner_text() == "帮扶责任人/村委"

    page.fill("#filters input[name=q]", "张三")
    page.click("#filters button[type=submit]")
    page.wait_for_url(re.compile(r"q=%E5%BC%A0%E4%B8%89"))  # htmx pushed the filtered URL
    results = page.locator("#results")
    assert tudi.household_number in results.inner_text()
    assert douwang.household_number not in page.content()
    page.screenshot(path=str(screenshot_dir / "household-list.png"), full_page=True)

    page.click(f"text={tudi.household_number}")
    page.wait_for_url(re.compile(rf"/households/{tudi.public_id}/$"))
    assert "家庭成员" in page.content()
    page.screenshot(path=str(screenshot_dir / "household.png"), full_page=True)

    page.click("a.button:has-text('编辑')")
    page.wait_for_url(re.compile(rf"/households/{tudi.public_id}/edit/$"))
    page.fill("#id_address", "龙潭镇土地村下寨3号")
    page.screenshot(path=str(screenshot_dir / "household-edit.png"), full_page=True)
    page.click("#edit-form button[type=submit]")
    page.wait_for_url(re.compile(rf"/households/{tudi.public_id}/$"))

    assert page.locator(".address").inner_text() == "龙潭镇土地村下寨3号"
    history = page.locator(".timeline").inner_text()
    assert "信息修改" in history
    assert "张三家 → 龙潭镇土地村下寨3号" in history
    tudi.refresh_from_db()
    assert tudi.address == "龙潭镇土地村下寨3号"

    response = page.goto(f"{live_server.url}/households/{douwang.public_id}/")
    assert response is not None
    assert response.status == 404
    assert "未找到" in page.content()
    assert "王五" not in page.content()
    assert douwang.household_number not in page.content()


def test_the_list_fits_a_phone_screen(
    live_server: Any, browser: Any, setting: dict[str, Any], screenshot_dir: Path
) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "cadre_tudi")
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    page.goto(f"{live_server.url}/households/")
    width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=str(screenshot_dir / "household-list-375.png"), full_page=True)
    context.close()

    assert width <= 375


def test_a_village_cadre_verifies_a_screening_clue(
    live_server: Any, page: Any, setting: dict[str, Any], screenshot_dir: Path
) -> None:
    """The month's warning reaches the village as a clue; the cadre records the outcome."""
    from datetime import timedelta

    from django.utils import timezone

    from fangpin.casework.models import Clue, ScreeningRun, Warning

    tudi = setting["tudi"]
    today = timezone.localdate()
    run = ScreeningRun.objects.create(
        month=date(2024, 12, 1), year=2024, region_code="433124000000", status="succeeded"
    )
    clue = Clue.objects.create(
        household=tudi,
        village_code=TUDI,
        channel="screening",
        received_on=today - timedelta(days=10),
        verify_deadline=today - timedelta(days=1),
    )
    reasons = {
        "trigger.income_below_line": "2024年人均纯收入5,812元，低于监测线7,100元",
        "trigger.housing_unsafe": "住房安全等级为C级",
    }
    for code, reason in reasons.items():
        Warning.objects.create(
            run=run,
            first_run=run,
            last_run=run,
            month=run.month,
            rule_code=code,
            family="trigger",
            severity="high",
            household=tudi,
            village_code=TUDI,
            observed='{"year": 2024}',
            threshold='{"monitoring.income_line": 7100}',
            sources="[]",
            reason_zh=reason,
            edition_id="2024/433124",
            clue=clue,
            verify_deadline=clue.verify_deadline,
        )

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "cadre_tudi")
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    page.goto(f"{live_server.url}/clues/")
    row = page.locator(f"#clue-{clue.public_id}")
    assert "逾期" in row.inner_text()
    assert tudi.household_number in row.inner_text()
    page.screenshot(path=str(screenshot_dir / "clue-list.png"), full_page=True)

    page.goto(f"{live_server.url}/clues/{clue.public_id}/")
    assert "低于监测线7,100元" in page.content()
    selects = page.locator("#verify-form select")
    assert selects.count() == 2
    by_rule = dict(Warning.objects.filter(clue=clue).values_list("rule_code", "public_id"))
    page.select_option(f"#warning-{by_rule['trigger.income_below_line']} select", "confirmed")
    page.select_option(f"#warning-{by_rule['trigger.housing_unsafe']} select", "unfounded")
    page.fill("#verify-form textarea[name=note]", "入户核实：收入属实，住房已改造")
    page.screenshot(path=str(screenshot_dir / "clue-verify.png"), full_page=True)
    page.click("#verify-form button[type=submit]")
    page.wait_for_url(re.compile(rf"/clues/{clue.public_id}/$"))

    assert page.locator("#verify-form").count() == 0
    clue.refresh_from_db()
    assert (clue.status, clue.outcome, clue.note) == (
        "verified",
        "confirmed",
        "入户核实：收入属实，住房已改造",
    )
    assert dict(Warning.objects.filter(clue=clue).values_list("rule_code", "outcome")) == {
        "trigger.income_below_line": "confirmed",
        "trigger.housing_unsafe": "unfounded",
    }
