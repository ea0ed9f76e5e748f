"""The main paths in a real browser: log in, find a household, edit it, see the change in its
history, and be refused another village's household."""

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
