"""The whole path in a real browser, each person in their own session:

a household declares on its phone from the village's QR link → the village cadre accepts the
declaration into a clue and finds it 属实 → the case runs its steps (village dossier, township
data comparison, appraisal, notice, township review by a second official, county approval)
→ the county records the monitoring object → the cadre adds a measure to the plan and logs a
visit with a photo → half a year later the village proposes the elimination, the township
reviews it, the county sees every guard pass and marks the risk eliminated. Screenshots in
test-artifacts/screenshots/.

The declaration is dated back to May 2026 (as if it came in then), so every step is taken on
its own past date: the notice ends before the county decides, and six months pass between
identification and elimination.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from fangpin import idnumber
from fangpin.casework.models import Case
from fangpin.core.models import Region, User
from fangpin.core.selectors import region_cache_clear
from fangpin.intake.models import Declaration
from fangpin.policy import resolve
from fangpin.procedure import ProcedureRules
from fangpin.procedure.rules import add_days, notice_end
from fangpin.registry import services
from fangpin.registry.models import Household
from fangpin.registry.validation import PersonInput
from tests.browser.test_main_paths import PASSWORD, TUDI, _regions
from tests.casework.conftest import SIGNED_PDF
from tests.registry.conftest import GOOD_WATER

# A 1×1 PNG: the visit's photo.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)

HEAD_ID = idnumber.build("433124", date(1975, 3, 8), 17)


@pytest.fixture
def people(audit_log_emptied_after: None) -> dict[str, Any]:
    _regions()
    household = services.household_create(
        actor="system:test",
        village_code=TUDI,
        household_type="1",
        head=PersonInput(name="张三", id_number=HEAD_ID, relation="01", has_resident_medical=True),
        registered_on=date(2024, 3, 1),
        address="张三家",
    )
    # What the elimination guards read besides the plan: this year's income above the line
    # and a checklist assessment with every guarantee and safe water.
    services.finance_upsert(
        actor="system:test", household_id=household.pk, year=2026, amounts={"wage_local": "30000"}
    )
    services.condition_record(
        actor="system:test",
        household_id=household.pk,
        assessed_on=date(2026, 6, 1),
        food_secure=True,
        clothing_secure=True,
        housing_grade="A",
        housing_assessor="花垣县住房和城乡建设局",
        housing_assessed_on=date(2025, 10, 12),
        water=GOOD_WATER,
    )
    for username, role, home in [
        ("cadre_tudi", "village_cadre", TUDI),
        ("township_a", "township_reviewer", "433124102000"),
        ("township_b", "township_reviewer", "433124102000"),
        ("county", "county_approver", "433124000000"),
    ]:
        User.objects.create_user(
            username=username,
            password=PASSWORD,
            role=role,
            home_region=Region.objects.get(code=home),
        )
    yield {"household": household}
    region_cache_clear()


def _login(browser: Any, base: str, username: str) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    return page


def _answer(question: str) -> str:
    numerals = "零一二三四五六七八九十"
    first, rest = question.split("加", 1)
    return str(numerals.index(first) + numerals.index(rest.split("等于", 1)[0]))


def _submit_step(page: Any, on: date, **fields: str) -> None:
    """Fill the next step's form (its date and text fields) and submit it."""
    form = page.locator("#step-form")
    form.locator("input[name=on]").fill(on.isoformat())
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".messages, #case-error", state="attached")
    assert page.locator("#case-error").count() == 0, page.locator("#case-error").inner_text()


def test_from_a_declaration_to_risk_eliminated(
    live_server: Any, browser: Any, people: dict[str, Any], screenshot_dir: Path
) -> None:
    base = live_server.url
    household: Household = people["household"]

    # The household, on its phone, from the village's QR link.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    form = phone.new_page()
    form.goto(f"{base}/declare/{TUDI}/")
    form.fill("#id_name", "张三")
    form.fill("#id_phone", "13807431234")
    form.fill("#id_id_number", HEAD_ID)
    form.select_option("#id_risk_type", "01")
    form.fill("#id_difficulty", "妻子住院，自付医疗费约3万元，家中收入减少。")
    form.check("input[name=consent]")
    form.fill("#id_human_answer", _answer(form.locator("#human-question").inner_text()))
    form.screenshot(path=str(screenshot_dir / "path-1-declare-phone.png"), full_page=True)
    form.click("#declare-form button[type=submit]")
    form.wait_for_url(re.compile(r"/declare/thanks/"))
    form.screenshot(path=str(screenshot_dir / "path-2-declared.png"), full_page=True)
    phone.close()

    declaration = Declaration.objects.get()
    assert declaration.household_id == household.pk  # matched by the ID number's blind index
    rules = ProcedureRules.from_edition(resolve(2026, "433124"))
    received = add_days(rules, date(2026, 5, 8), 1)
    Declaration.objects.filter(pk=declaration.pk).update(
        submitted_at=declaration.submitted_at - (timezone.localdate() - received)
    )

    # The village cadre accepts it into a clue and finds it 属实: the case opens.
    cadre = _login(browser, base, "cadre_tudi")
    cadre.goto(f"{base}/declarations/{declaration.public_id}/")
    cadre.click("#accept-form button[type=submit]")
    cadre.wait_for_url(re.compile(r"/clues/[0-9a-f-]+/$"))
    cadre.select_option("#clue-outcome-select", "confirmed")
    cadre.fill("#verify-form textarea[name=note]", "入户核实：属实")
    cadre.click("#verify-form button[type=submit]")
    cadre.wait_for_selector("#clue-case")
    cadre.click("#clue-case a")
    cadre.wait_for_url(re.compile(r"/cases/[0-9a-f-]+/$"))
    case = Case.objects.get(household=household)
    assert case.opened_on == received
    day1, day2, posted = (add_days(rules, received, n) for n in (1, 2, 3))
    _submit_step(cadre, day1, detail_collection="家庭4人，2025年纯收入约2.4万元，医疗自付3万元")
    cadre.set_input_files(
        "#step-form input[name=documents]",
        files=[{"name": "承诺授权书.pdf", "mimeType": "application/pdf", "buffer": SIGNED_PDF}],
    )
    _submit_step(cadre, day1, detail_authorisation="承诺授权书已签字，编号TD-2026-017，存村档")
    assert cadre.locator("#case-documents a").inner_text() == "承诺授权书.pdf"

    township = _login(browser, base, "township_a")
    township.goto(f"{base}/cases/?mine=on")
    township.click(f"#case-{case.public_id} a")
    _submit_step(
        township,
        day2,
        detail_assets="存款不足1万元",
        detail_vehicles="无",
        detail_business="无",
        detail_housing="无",
        detail_pensions="无",
    )

    cadre.reload()
    step = cadre.locator("#step-form")
    step.locator("input[name=on]").fill(day2.isoformat())
    step.locator("[name=detail_participants]").fill("村两委、党员代表、村民代表共15人")
    step.locator("[name=detail_minutes]").fill("一致同意纳入监测")
    step.locator("select[name=object_type]").select_option("MARGINAL")
    step.locator("input[name=risk_types][value=ILLNESS]").check()
    step.locator("button[type=submit]").click()
    cadre.wait_for_selector(".messages")
    _submit_step(cadre, posted, notice_start=posted.isoformat(), hotline="0743-7221234")
    cadre.screenshot(path=str(screenshot_dir / "path-3-case-notice.png"), full_page=True)
    cadre.click("#notice-link")
    cadre.wait_for_selector("#notice-identification")
    assert "张三" in cadre.locator("#notice-identification").inner_text()
    assert HEAD_ID not in cadre.content()
    cadre.screenshot(path=str(screenshot_dir / "path-4-notice.png"), full_page=True)

    ended = notice_end(rules, posted)
    reviewer = _login(browser, base, "township_b")
    reviewer.goto(f"{base}/cases/{case.public_id}/")
    _submit_step(reviewer, add_days(rules, ended, 1), summary="材料齐全，同意")

    county = _login(browser, base, "county")
    county.goto(f"{base}/cases/{case.public_id}/")
    approved = add_days(rules, ended, 2)
    _submit_step(county, approved, summary="同意纳入监测")
    record = county.locator("#step-form")
    assert record.locator("select[name=object_type]").input_value() == "MARGINAL"
    assert record.locator("input[name=risk_types][value=ILLNESS]").is_checked()
    _submit_step(county, approved, identified_month=approved.strftime("%Y-%m"))
    county.screenshot(path=str(screenshot_dir / "path-5-recorded.png"), full_page=True)

    assert county.locator("#case-step").inner_text() == "纳入监测"
    stored = Case.objects.get(pk=case.pk)
    assert (stored.step, stored.version, stored.object_type, stored.risk_types) == (
        "recorded",
        9,
        "MARGINAL",
        ["ILLNESS"],
    )
    household.refresh_from_db()
    assert (household.monitoring_status, household.monitoring_type) == ("open", "MARGINAL")

    # The plan (一户一策): a health measure for the illness; a visit with a photo.
    cadre.goto(f"{base}/households/{household.public_id}/")
    cadre.click("#plan-link")
    cadre.wait_for_selector("#add-measure")
    assert "因病风险尚无对应帮扶措施" in cadre.locator("#plan-warnings").inner_text()
    cadre.click("#add-measure summary")
    cadre.select_option("#id_category", "HEALTH")
    cadre.fill("#id_item", "大病专项救治、医疗救助")
    cadre.fill("#id_responsible_department", "花垣县医疗保障局")
    cadre.fill("#id_responsible_person", "石支书")
    cadre.check("#add-measure input[name=risk_types][value='01']")
    cadre.fill("#id_start_date", approved.isoformat())
    cadre.select_option("#id_status", "in_progress")
    cadre.click("#add-measure button[type=submit]")
    cadre.wait_for_selector("text=大病专项救治、医疗救助")
    warnings = cadre.locator("#plan-warnings")
    remaining = warnings.inner_text() if warnings.count() else ""
    assert "因病风险尚无对应帮扶措施" not in remaining
    assert "开发式帮扶" in remaining  # a household with labour: a development measure is due
    cadre.screenshot(path=str(screenshot_dir / "path-6-plan.png"), full_page=True)
    cadre.goto(f"{base}/households/{household.public_id}/visits/new/")
    visited = add_days(rules, approved, 5)
    cadre.fill("#id_visited_on", visited.isoformat())
    cadre.fill("#id_findings", "住院费用已报销，妻子出院在家休养")
    cadre.set_input_files(
        "#id_photos", files=[{"name": "visit.png", "mimeType": "image/png", "buffer": PNG}]
    )
    cadre.click(".visit-form button[type=submit]")
    cadre.wait_for_selector("#visits .photos img")
    cadre.screenshot(path=str(screenshot_dir / "path-7-visit.png"), full_page=True)

    # Half a year on: the village proposes the elimination, the township reviews it.
    proposed = date(2026, 11, 16)
    cadre.goto(f"{base}/households/{household.public_id}/")
    cadre.fill("#propose-elimination input[name=on]", proposed.isoformat())
    cadre.click("#propose-elimination button[type=submit]")
    cadre.wait_for_url(re.compile(r"/cases/[0-9a-f-]+/$"))
    elimination = Case.objects.get(household=household, kind="elimination")
    day = add_days(rules, proposed, 1)
    _submit_step(cadre, day, detail_collection="2026年家庭纯收入约3万元，医疗费用已报销")
    _submit_step(cadre, day, detail_participants="村两委、村民代表共12人", detail_minutes="同意")
    elimination_notice = add_days(rules, day, 1)
    _submit_step(cadre, elimination_notice, notice_start=elimination_notice.isoformat())
    reviewer.goto(f"{base}/cases/{elimination.public_id}/")
    ended = notice_end(rules, elimination_notice)
    _submit_step(reviewer, add_days(rules, ended, 1), summary="同意")

    # The county sees every guard pass and marks the risk eliminated.
    county.goto(f"{base}/cases/{elimination.public_id}/")
    guards = county.locator("#case-guards").inner_text()
    assert "✗" not in guards, guards
    county.screenshot(path=str(screenshot_dir / "path-8-guards.png"), full_page=True)
    _submit_step(county, add_days(rules, ended, 2), summary="风险已稳定消除")
    assert county.locator("#case-step").inner_text() == "县级审定（风险消除）"
    county.screenshot(path=str(screenshot_dir / "path-9-eliminated.png"), full_page=True)

    household.refresh_from_db()
    assert household.monitoring_status == "eliminated"
    stored = Case.objects.get(pk=elimination.pk)
    assert (stored.step, stored.method) == ("eliminated", "assisted")
