"""One household's whole journey in a real browser, every role in its own session.

张三 of 土地村 (龙潭镇, 花垣县) goes through the mechanism end to end:

1. the household declares its difficulty on a phone from the village's QR link;
2. the village cadre (village_cadre) accepts the declaration into a clue, finds it 属实, and the
   identification case runs its steps: village dossier; township data comparison (township
   reviewer A); appraisal and notice (cadre); township review (reviewer B, not the one who
   compared); county approval and record (county_approver);
3. the cadre adds a health measure to the plan (一户一策) and logs a visit with a photo;
4. half a year on the village proposes the elimination, the township reviews it and the county,
   every guard passing, marks the risk eliminated;
5. the inspector (inspector, county home) records a problem about this household in the ledger;
   the cadre reports it fixed with evidence and may not close it; the inspector verifies and
   closes it, and the township is zeroed (已清零);
6. the inspector draws the county's 2026 third-party evaluation sample (the year of the
   household's finance and condition records), which takes 张三's household, surveys it on a
   phone-sized screen as correctly recorded, and the campaign shows the progress;
7. the department officer (department_officer, county home) reads the household's record
   and sees the monitoring closed;
8. the auditor (auditor, county home) opens the audit log (the read-only admin, the only
   audit page), filters it to the inspector's role and searches it for the elimination case,
   and finds this journey's events there. The admin offers no chain verification (that is
   ``fangpin audit verify``), so the test checks the hash chain with ``audit_verify`` itself.

Household, village cadre, two township reviewers, county approver, inspector, department
officer and auditor take part; the system and security administrators do not (they see no
household data).

One screenshot per stage in test-artifacts/screenshots/journey-NN-*.png. The declaration is
dated back to May 2026 (as if it came in then), so every case step is taken on its own past
date: the notice ends before the county decides, and six months pass between identification
and elimination; the ledger and the evaluation happen today.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from fangpin import idnumber
from fangpin.assistance.models import Measure, Visit
from fangpin.casework.models import Case
from fangpin.core.audit import audit_verify
from fangpin.core.models import AuditEvent, Region, User
from fangpin.core.selectors import region_cache_clear
from fangpin.evaluation.models import Campaign, SampledHousehold
from fangpin.intake.models import Declaration
from fangpin.policy import resolve
from fangpin.procedure import ProcedureRules
from fangpin.procedure.rules import add_days, notice_end
from fangpin.registry import services
from fangpin.registry.models import Household
from fangpin.registry.validation import PersonInput
from fangpin.supervision.models import Problem
from tests.browser.test_main_paths import PASSWORD, TUDI, _regions
from tests.casework.conftest import SIGNED_PDF
from tests.registry.conftest import GOOD_WATER

# A 1×1 PNG: the visit's photo.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)

HEAD_ID = idnumber.build("433124", date(1975, 3, 8), 17)
TOWNSHIP = "433124102000"
COUNTY = "433124000000"


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
    # What the elimination guards and the evaluation year read besides the plan: this year's
    # income above the line and a checklist assessment with every guarantee and safe water.
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
        ("township_a", "township_reviewer", TOWNSHIP),
        ("township_b", "township_reviewer", TOWNSHIP),
        ("county", "county_approver", COUNTY),
        ("inspector_huayuan", "inspector", COUNTY),
        ("officer_huayuan", "department_officer", COUNTY),
    ]:
        User.objects.create_user(
            username=username,
            password=PASSWORD,
            role=role,
            home_region=Region.objects.get(code=home),
        )
    # The audit log is read in the admin, which takes staff accounts only.
    User.objects.create_user(
        username="auditor_huayuan",
        password=PASSWORD,
        role="auditor",
        home_region=Region.objects.get(code=COUNTY),
        is_staff=True,
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


def test_one_household_through_every_role(
    live_server: Any, browser: Any, people: dict[str, Any], screenshot_dir: Path
) -> None:
    base = live_server.url
    household: Household = people["household"]

    def shot(page: Any, name: str) -> None:
        page.screenshot(path=str(screenshot_dir / f"journey-{name}.png"), full_page=True)

    # 1. The household, on its phone, from the village's QR link.
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
    shot(form, "01-declare-phone")
    form.click("#declare-form button[type=submit]")
    form.wait_for_url(re.compile(r"/declare/thanks/"))
    phone.close()

    declaration = Declaration.objects.get()
    assert declaration.household_id == household.pk  # matched by the ID number's blind index
    household.refresh_from_db()
    assert household.monitoring_status == "none"
    rules = ProcedureRules.from_edition(resolve(2026, "433124"))
    received = add_days(rules, date(2026, 5, 8), 1)
    Declaration.objects.filter(pk=declaration.pk).update(
        submitted_at=declaration.submitted_at - (timezone.localdate() - received)
    )

    # 2. The village cadre accepts it into a clue and finds it 属实: the case opens.
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
    township.context.close()

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
    cadre.click("#notice-link")
    cadre.wait_for_selector("#notice-identification")
    assert "张三" in cadre.locator("#notice-identification").inner_text()
    assert HEAD_ID not in cadre.content()

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
    shot(county, "02-recorded")

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

    # 3. The plan (一户一策): a health measure for the illness; a visit with a photo.
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
    cadre.goto(f"{base}/households/{household.public_id}/visits/new/")
    visited = add_days(rules, approved, 5)
    cadre.fill("#id_visited_on", visited.isoformat())
    cadre.fill("#id_findings", "住院费用已报销，妻子出院在家休养")
    cadre.set_input_files(
        "#id_photos", files=[{"name": "visit.png", "mimeType": "image/png", "buffer": PNG}]
    )
    cadre.click(".visit-form button[type=submit]")
    cadre.wait_for_selector("#visits .photos img")
    shot(cadre, "03-visit")
    measure = Measure.objects.get(plan__household=household)
    assert (measure.category, measure.status, measure.risk_types) == (
        "HEALTH",
        "in_progress",
        ["01"],
    )
    visit = Visit.objects.get(household=household)
    assert (visit.visited_on, visit.visitor_label, visit.photos.count()) == (
        visited,
        "cadre_tudi",
        1,
    )

    # 4. Half a year on: the village proposes the elimination, the township reviews it.
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
    reviewer.context.close()

    # The county sees every guard pass and marks the risk eliminated.
    county.goto(f"{base}/cases/{elimination.public_id}/")
    guards = county.locator("#case-guards").inner_text()
    assert "✗" not in guards, guards
    _submit_step(county, add_days(rules, ended, 2), summary="风险已稳定消除")
    assert county.locator("#case-step").inner_text() == "县级审定（风险消除）"
    shot(county, "04-eliminated")
    county.context.close()

    household.refresh_from_db()
    assert household.monitoring_status == "eliminated"
    stored = Case.objects.get(pk=elimination.pk)
    assert (stored.step, stored.method, stored.version) == ("eliminated", "assisted", 6)

    # 5. The inspector records a problem about this household; the cadre fixes it with
    # evidence and may not close it; the inspector checks and closes it.
    today = timezone.localdate()
    inspector = _login(browser, base, "inspector_huayuan")
    inspector.click("nav.main-nav >> text=整改台账")
    inspector.wait_for_url(re.compile(r"/problems/$"))
    inspector.click("#problem-create")
    inspector.select_option("select[name=source]", "unannounced_visit")
    inspector.fill("input[name=found_on]", today.isoformat())
    inspector.select_option("select[name=region]", TUDI)
    inspector.select_option("select[name=dimension]", "files")
    inspector.fill("textarea[name=description]", "风险消除后，住院报销凭证未归入一户一档")
    inspector.fill("input[name=household_numbers]", household.household_number)
    inspector.fill("input[name=lead_unit]", "花垣县医疗保障局")
    inspector.fill("textarea[name=responsible_units]", "龙潭镇人民政府")
    inspector.fill("input[name=deadline]", (today + timedelta(days=20)).isoformat())
    inspector.click("#problem-form button[type=submit]")
    inspector.wait_for_url(re.compile(r"/problems/[0-9a-f-]{36}/$"))
    assert inspector.locator("#problem-status").inner_text().startswith("待整改")
    assert inspector.locator("#problem-households").inner_text() == household.household_number
    problem_url = inspector.url

    cadre.goto(problem_url)
    cadre.fill("textarea[name=note]", "报销凭证已补入档案")
    cadre.fill("textarea[name=evidence]", "报销凭证扫描件.pdf\n档案目录页照片")
    cadre.click("button[value=report_fixed]")
    cadre.wait_for_selector("#problem-self-fixed")
    assert cadre.locator("button[value=close]").count() == 0
    assert cadre.locator("#problem-status").inner_text().startswith("已整改待核")
    problem = Problem.objects.get()
    assert (problem.status, problem.fixed_by, problem.closed_by) == (
        "fixed",
        "cadre_tudi",
        "",
    )

    inspector.goto(problem_url)
    inspector.fill("textarea[name=note]", "入户核实：凭证已归档，与档案目录一致")
    inspector.click("button[value=close]")
    inspector.wait_for_selector("#problem-status.status-closed")
    assert "核实销号 — 入户核实" in inspector.locator("#problem-history").inner_text()
    inspector.goto(f"{base}/problems/zeroing/")
    assert "已清零" in inspector.locator(f"#zeroing-{TOWNSHIP}").inner_text()
    shot(inspector, "05-zeroing")
    problem.refresh_from_db()
    assert (problem.status, problem.fixed_by, problem.closed_by, problem.closed_on) == (
        "closed",
        "cadre_tudi",
        "inspector_huayuan",
        today,
    )
    assert list(problem.households.all()) == [household]

    # 6. The 2026 third-party evaluation: the sample takes 张三's household, surveyed on a phone.
    inspector.click("nav.main-nav >> text=第三方评估")
    inspector.wait_for_url(re.compile(r"/evaluation/$"))
    inspector.fill("input[name=name]", "2026年度第三方评估")
    inspector.fill("input[name=year]", "2026")
    inspector.fill("input[name=seed]", "20261")
    inspector.click("#campaign-form button[type=submit]")
    inspector.wait_for_url(re.compile(r"/evaluation/[0-9a-f-]{36}/$"))
    campaign = Campaign.objects.get()
    assert campaign.year == 2026
    unit = SampledHousehold.objects.get(campaign=campaign, household=household)
    assert (unit.domain, unit.adjudication) == ("register", "")
    inspector.set_viewport_size({"width": 390, "height": 844})  # a phone
    inspector.goto(f"{base}/evaluation/survey/{unit.public_id}/")
    inspector.fill("input[name=people]", "1")
    inspector.fill("input[name=per_capita_income]", "30000")
    for name in ("food_ok", "clothing_ok", "education_ok", "medical_ok", "housing_ok", "water_ok"):
        inspector.check(f"input[name={name}][value='1']")
    inspector.check("input[name=is_satisfied][value='1']")
    inspector.check("input[name=adjudication][value=correct]")
    inspector.click("#survey-form button[type=submit]")
    # The only household surveyed: the next page is the campaign itself.
    inspector.wait_for_url(re.compile(rf"/evaluation/{campaign.public_id}/$"))
    inspector.set_viewport_size({"width": 1280, "height": 900})
    assert inspector.locator("#campaign-progress").inner_text() == "已核查 1 户，待核查 0 户"
    assert inspector.locator("#rate-wrong_exit_rate .figure").inner_text() == "0.00%"
    shot(inspector, "06-evaluation")
    inspector.context.close()
    unit.refresh_from_db()
    assert (unit.adjudication, unit.per_capita_income, unit.surveyed_on, unit.version) == (
        "correct",
        30000,
        today,
        2,
    )

    # 7. The department officer reads the household's record: the monitoring is closed.
    officer = _login(browser, base, "officer_huayuan")
    officer.goto(f"{base}/households/{household.public_id}/")
    monitoring = officer.locator("#monitoring").inner_text()
    for fact in ("风险是否已消除\n是", "消除监测时间\n2026年11月", "风险消除方式\n帮扶消除"):
        assert fact in monitoring, monitoring
    assert HEAD_ID not in officer.content()
    shot(officer, "07-officer")
    officer.context.close()
    cadre.context.close()

    # 8. The auditor reads the audit log (the read-only admin): the inspector's actions, picked
    # by the role filter, and the elimination case's trail, found by its id in the search box.
    audit = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    auditor = audit.new_page()
    auditor.set_default_timeout(15_000)
    auditor.goto(f"{base}/admin/login/?next=/admin/core/auditevent/")
    auditor.fill("#id_username", "auditor_huayuan")
    auditor.fill("#id_password", PASSWORD)
    auditor.click("#login-form input[type=submit]")
    auditor.wait_for_selector("#result_list")
    auditor.click("#changelist-filter a[href*='actor_role=inspector']")
    auditor.wait_for_url(re.compile(r"actor_role=inspector"))
    assert auditor.locator("#result_list td.field-action").all_inner_texts() == [
        "auth.login",
        "problem.create",
        "problem.close",
        "evaluation.campaign_create",
        "evaluation.survey_record",
    ]
    shot(auditor, "08-audit-log")
    auditor.click("#changelist-filter-extra-actions a:has-text('清除所有筛选')")
    auditor.wait_for_url(re.compile(r"/admin/core/auditevent/\?$"))
    auditor.fill("#searchbar", str(elimination.public_id))
    auditor.click("#changelist-search input[type=submit]")
    auditor.wait_for_url(re.compile(r"q=[0-9a-f-]{36}"))
    trail = auditor.locator("#result_list tbody tr")
    assert [
        (
            row.locator("td.field-actor_label").inner_text(),
            row.locator("td.field-action").inner_text(),
        )
        for row in trail.all()
    ] == [
        ("cadre_tudi", "case.open"),
        ("cadre_tudi", "case.submit"),
        ("cadre_tudi", "case.submit"),
        ("cadre_tudi", "case.post_notice"),
        ("township_b", "case.approve"),
        ("county", "case.approve"),
    ]
    audit.close()
    # The admin offers no chain check (that is `fangpin audit verify`); the chain the journey
    # wrote is checked here, every event of it.
    report = audit_verify()
    assert (report.checked, report.broken_id) == (AuditEvent.objects.count(), None)
