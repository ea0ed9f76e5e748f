"""Excel in and out in a real browser: a village cadre downloads the template, uploads a file
with a mistake (nothing written, the error workbook offered), uploads the fixed file, imports
it, and exports the household list."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from fangpin import idnumber
from fangpin.core.models import Region, User
from fangpin.core.selectors import region_cache_clear
from fangpin.imports.specs import columns_for
from fangpin.registry.models import Household, Person
from tests.browser.test_main_paths import PASSWORD, TUDI, _regions
from tests.imports.conftest import write_xlsx

KEYS = [
    "head_id_number",
    "village_code",
    "household_type",
    "registered_on",
    "name",
    "id_number",
    "relation",
]


@pytest.fixture
def cadre(audit_log_emptied_after: None) -> Iterator[User]:
    _regions()
    user = User.objects.create_user(
        username="cadre_tudi",
        password=PASSWORD,
        role="village_cadre",
        home_region=Region.objects.get(code=TUDI),
    )
    yield user
    region_cache_clear()


def _file(path: Path, *, wife_id: str) -> Path:
    headers = {c.key: c.header for c in columns_for("households")}
    head = idnumber.build("433124", date(1968, 4, 12), 3)
    rows = [
        [head, TUDI, "1 脱贫户", "2024-03-01", "龙再田", head, "01 户主"],
        [head, "", "", "", "石秀英", wife_id, "10 配偶"],
    ]
    return write_xlsx(path, [headers[k] for k in KEYS], rows)


def test_template_upload_fix_import_and_export(
    live_server: Any, page: Any, cadre: User, tmp_path: Path, screenshot_dir: Path
) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "cadre_tudi")
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))

    page.click("nav.main-nav >> text=Excel导入")
    page.wait_for_url(re.compile(r"/imports/$"))
    with page.expect_download() as template:
        page.click("#template-households")
    saved = tmp_path / "模板.xlsx"
    template.value.save_as(saved)
    assert openpyxl.load_workbook(saved).sheetnames[:2] == ["数据", "填写说明"]

    wife = idnumber.build("433124", date(1971, 11, 23), 4)
    wrong = wife[:17] + ("0" if wife[17] != "0" else "1")
    page.click("text=上传文件")
    page.select_option("select[name=entity]", "households")
    page.set_input_files("input[name=file]", str(_file(tmp_path / "第一次.xlsx", wife_id=wrong)))
    page.click("#import-upload-form button[type=submit]")
    page.wait_for_url(re.compile(r"/imports/[0-9a-f-]{36}/$"))
    assert page.locator("#import-errors").inner_text() == "1"
    assert "校验位" in page.locator("#import-report").inner_text()
    assert page.locator("#import-apply-form").count() == 0
    assert Household.objects.count() == 0
    page.screenshot(path=str(screenshot_dir / "import-errors.png"), full_page=True)
    with page.expect_download() as errors:
        page.click("#import-error-workbook")
    errors.value.save_as(tmp_path / "错误.xlsx")
    assert openpyxl.load_workbook(tmp_path / "错误.xlsx").sheetnames == ["错误清单", "出错的行"]

    page.goto(f"{live_server.url}/imports/upload/")
    page.select_option("select[name=entity]", "households")
    page.set_input_files("input[name=file]", str(_file(tmp_path / "改正后.xlsx", wife_id=wife)))
    page.click("#import-upload-form button[type=submit]")
    page.wait_for_url(re.compile(r"/imports/[0-9a-f-]{36}/$"))
    assert page.locator("#import-errors").inner_text() == "0"
    page.click("#import-apply-form button[type=submit]")
    page.wait_for_selector("#import-status.status-applied")
    assert page.locator("#import-status").inner_text() == "已导入"
    household = Household.objects.get()
    assert Person.objects.filter(household=household).count() == 2

    page.goto(f"{live_server.url}/households/")
    page.click("text=导出Excel")
    page.wait_for_url(re.compile(r"/exports/households/"))
    with page.expect_download() as export:
        page.click("button:has-text('下载（脱敏）')")
    export.value.save_as(tmp_path / "农户.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "农户.xlsx").worksheets[0]
    numbers = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert household.household_number in numbers
    assert not any(wife in str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)
