"""Risk triggers: exact households, observed values, thresholds and reasons, with boundaries."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from fangpin.policy import DEFAULT_DIRECTORY, load_editions
from tests.screening.builders import YEAR, Builder, flagged, number, only

# Every test runs on DuckDB and on Spark (local mode): same exact findings on both.
pytestmark = pytest.mark.usefixtures("engine")


def test_income_below_line_is_strict_and_explains_out_of_pocket_share() -> None:
    b = Builder()
    for hid, net in ((1, "14200"), (2, "14199.98")):  # size 2: 7,100.00 vs 7,099.99 per person
        b.household(hid)
        b.person(hid, hid * 10)
        b.person(hid, hid * 10 + 1, relation="10")
        b.finance(hid, YEAR - 1, 2, wage_local=net)
        b.finance(hid, YEAR, 2, wage_local=net)
        b.conditions(hid)
    b.household(3)
    for k in range(4):
        b.person(3, 30 + k, relation="01" if k == 0 else "20")
    b.finance(3, YEAR - 1, 4, wage_local=23248)
    b.finance(3, YEAR, 4, wage_local=23248, compliant_oop_spending=14181)
    b.conditions(3)

    findings = b.run("trigger.income_below_line")

    assert flagged(findings, "trigger.income_below_line") == [number(2), number(3)]
    row = only(findings, "trigger.income_below_line", 3)
    assert row["reason_zh"] == (
        "2024年人均纯收入5,812元，低于监测线7,100元；合规自付支出14,181元，占家庭纯收入61%"
    )
    assert json.loads(row["observed"]) == {
        "year": 2024,
        "household_size": 4,
        "net_income": 23248.0,
        "per_capita_net_income": 5812.0,
        "compliant_oop_spending": 14181.0,
        "effective_per_capita_income": 5812.0,
    }
    assert json.loads(row["threshold"]) == {
        "monitoring.income_line": 7100,
        "monitoring.net_of_compliant_oop": False,
    }
    assert json.loads(row["sources"]) == [{"source": "registry/finances", "keys": ["3/2024"]}]
    assert only(findings, "trigger.income_below_line", 2)["reason_zh"] == (
        "2024年人均纯收入7,099.99元，低于监测线7,100元"
    )
    assert row["family"] == "trigger"
    assert row["severity"] == "high"
    assert row["village_code"] == "110101001001"


def test_medical_share_counts_each_stay_once_and_matches_messy_id_numbers() -> None:
    b = Builder()
    heads = {hid: b.clean(hid) for hid in (1, 2, 3, 4)}
    # 1: exactly 40% of 30,000 → flagged; the ID typed with full-width digits and spaces.
    messy = " " + heads[1].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "\u3000"
    b.claim("YBJS0000000001", messy, total="20000", oop="12000")
    # 2: 11,999.99 → not flagged.
    b.claim("YBJS0000000002", heads[2], total="20000", oop="11999.99")
    # 3: a big bill discharged before the 12-month window → not flagged.
    b.claim("YBJS0000000003", heads[3], total="90000", oop="40000", discharged=date(2023, 11, 30))
    # 4: one stay of 8,000 sent twice (same id) and again under a new id: counts once.
    for claim_id in ("YBJS0000000004", "YBJS0000000004", "YBJS0000000005"):
        b.claim(claim_id, heads[4], total="10000", oop="8000")

    findings = b.run("trigger.medical_oop_share")

    assert flagged(findings, "trigger.medical_oop_share") == [number(1)]
    row = only(findings, "trigger.medical_oop_share", 1)
    assert row["reason_zh"] == (
        "近12个月医保合规自付医疗费用12,000元，占2024年家庭纯收入30,000元的40%，达到40%的预警比例"
    )
    assert json.loads(row["observed"]) == {
        "compliant_oop": 12000.0,
        "net_income": 30000.0,
        "share": 0.4,
        "claims": 1,
    }
    assert json.loads(row["threshold"]) == {"triggers.medical_oop_share": 0.4}
    assert json.loads(row["sources"]) == [
        {"source": "feeds/medical_claims", "keys": ["YBJS0000000001"]}
    ]


def test_large_hospital_bill_must_exceed_the_amount() -> None:
    b = Builder()
    b.claim("YBJS0000000001", b.clean(1), total="50000", oop="1000")
    b.claim("YBJS0000000002", b.clean(2), total="50000.01", oop="1000")
    findings = b.run("trigger.large_hospital_bill")
    assert flagged(findings, "trigger.large_hospital_bill") == [number(2)]
    assert only(findings, "trigger.large_hospital_bill", 2)["reason_zh"] == (
        "近12个月家庭成员单次住院费用最高50,000.01元，超过50,000元（共1次）"
    )


def test_rigid_spending_must_exceed_last_years_income() -> None:
    b = Builder()
    for hid, oop in ((1, "20000"), (2, "20000.01")):
        b.household(hid)
        b.person(hid, hid * 10)
        b.finance(hid, YEAR - 1, 1, wage_local=20000)
        b.finance(hid, YEAR, 1, wage_local=30000, compliant_oop_spending=oop)
        b.conditions(hid)
    findings = b.run("trigger.rigid_spending")
    assert flagged(findings, "trigger.rigid_spending") == [number(2)]
    row = only(findings, "trigger.rigid_spending", 2)
    assert row["reason_zh"] == "2024年合规自付支出20,000.01元，超过上年（2023年）家庭纯收入20,000元"
    assert json.loads(row["sources"]) == [
        {"source": "registry/finances", "keys": ["2/2023", "2/2024"]}
    ]


def test_income_drop_of_exactly_the_share_is_flagged() -> None:
    b = Builder()
    b.clean(1, last_year=30000, this_year=24000)  # exactly -20%
    b.clean(2, last_year=30000, this_year=24001)
    findings = b.run("trigger.income_drop")
    assert flagged(findings, "trigger.income_drop") == [number(1)]
    row = only(findings, "trigger.income_drop", 1)
    assert row["reason_zh"] == "2024年人均纯收入24,000元，比上年30,000元下降20%，达到20%的预警幅度"
    assert json.loads(row["observed"])["drop_share"] == 0.2


def test_disaster_loss_by_share_of_last_year_or_house_damage() -> None:
    b = Builder()
    heads = {hid: b.clean(hid) for hid in (1, 2, 3, 4)}  # last year's net income 28,000
    rows = {
        1: ("5600", "无", date(2024, 7, 1)),  # exactly 20% → flagged
        2: ("5599.99", "无", date(2024, 7, 1)),
        3: ("100", "部分损坏", date(2024, 7, 1)),
        4: ("90000", "倒塌", date(2023, 6, 1)),  # before the window
    }
    for hid, (loss, damage, day) in rows.items():
        b.feed(
            "disaster_losses",
            record_id=f"YJZQ000000000{hid}",
            head_id_number=heads[hid],
            village_code="110101001001",
            disaster_code="0201",
            occurred_on=day,
            loss_amount=loss,
            house_damage=damage,
            crop_loss_mu=None,
        )
    findings = b.run("trigger.disaster_loss")
    assert flagged(findings, "trigger.disaster_loss") == [number(1), number(3)]
    assert only(findings, "trigger.disaster_loss", 1)["reason_zh"] == (
        "近12个月应急管理部门报告灾害损失1次，直接经济损失合计5,600元，占上年家庭纯收入的20%"
    )
    assert only(findings, "trigger.disaster_loss", 3)["reason_zh"] == (
        "近12个月应急管理部门报告灾害损失1次，直接经济损失合计100元，占上年家庭纯收入的0%；房屋部分损坏"
    )


def _civil(
    b: Builder,
    record: str,
    ident: str,
    *,
    benefit: str,
    event: str,
    day: date,
    reason: str | None,
    amount: str | None = "2000",
) -> None:
    b.feed(
        "civil_affairs",
        record_id=record,
        id_number=ident,
        name="某",
        village_code="110101001001",
        benefit_type=benefit,
        event=event,
        effective_date=day,
        amount=amount,
        reason=reason,
    )


def test_accident_from_temporary_assistance_for_an_accident_only() -> None:
    b = Builder()
    _civil(
        b,
        "MZJZ0000000001",
        b.clean(1),
        benefit="临时救助",
        event="payment",
        day=date(2024, 3, 10),
        reason="因意外事故",
    )
    _civil(
        b,
        "MZJZ0000000002",
        b.clean(2),
        benefit="临时救助",
        event="payment",
        day=date(2024, 3, 10),
        reason="因病",
    )
    findings = b.run("trigger.accident")
    assert flagged(findings, "trigger.accident") == [number(1)]
    assert only(findings, "trigger.accident", 1)["reason_zh"] == (
        "近12个月民政部门因意外事故给予临时救助1次，合计2,000元"
    )


def _certificate(b: Builder, record: str, ident: str, *, grade: str, event: str = "新办") -> None:
    b.feed(
        "disability_registrations",
        record_id=record,
        id_number=ident,
        name="某",
        certificate_number=ident + "42",
        category="肢体残疾",
        grade=grade,
        event=event,
        issued_on=date(2024, 4, 1),
    )


def test_new_severe_disability_only_when_new_and_unknown_to_the_registry() -> None:
    b = Builder()
    _certificate(b, "CLZ0000000001", b.clean(1), grade="二级")
    _certificate(b, "CLZ0000000002", b.clean(2), grade="二级", event="换证")
    _certificate(b, "CLZ0000000003", b.clean(3), grade="三级")
    b.household(4)
    known = b.person(4, 40, health="40", disability_grade="2", labour="40")
    b.finance(4, YEAR - 1, 1, wage_local=28000)
    b.finance(4, YEAR, 1, wage_local=30000)
    b.conditions(4)
    _certificate(b, "CLZ0000000004", known, grade="二级")
    findings = b.run("trigger.new_severe_disability")
    assert flagged(findings, "trigger.new_severe_disability") == [number(1)]
    assert only(findings, "trigger.new_severe_disability", 1)["reason_zh"] == (
        "1名家庭成员新办一、二级残疾人证，登记库未记为重度残疾"
    )


def _employment(
    b: Builder, record: str, ident: str, event: str, day: date, last_month: str | None
) -> None:
    b.feed(
        "employment_insurance",
        record_id=record,
        id_number=ident,
        name="某",
        event=event,
        effective_date=day,
        employer=None,
        last_contribution_month=last_month,
    )


def test_employment_loss_counts_months_since_last_contribution() -> None:
    b = Builder()
    _employment(b, "RSSY0000000001", b.clean(1), "断缴", date(2024, 10, 5), "202409")  # 3 months
    _employment(b, "RSSY0000000002", b.clean(2), "断缴", date(2024, 11, 5), "202410")  # 2 months
    head3 = b.clean(3)
    _employment(b, "RSSY0000000003", head3, "断缴", date(2024, 7, 5), "202406")
    _employment(b, "RSSY0000000004", head3, "恢复缴费", date(2024, 8, 20), "202408")
    _employment(b, "RSSY0000000005", b.clean(4), "失业登记", date(2024, 9, 1), None)
    findings = b.run("trigger.employment_loss")
    assert flagged(findings, "trigger.employment_loss") == [number(1), number(4)]
    assert only(findings, "trigger.employment_loss", 1)["reason_zh"] == (
        "人社部门：家庭成员1人社保断缴已达3个月"
    )
    assert only(findings, "trigger.employment_loss", 4)["reason_zh"] == (
        "人社部门：家庭成员1人登记失业"
    )


def test_child_out_of_school_from_feed_or_registry_excluding_excused() -> None:
    b = Builder()
    child_birth = date(2014, 3, 1)  # 10 at the end of 2024
    for hid in (1, 2, 3, 4, 5):
        b.clean(hid)
    feed_child = b.person(1, 11, relation="20", birth=child_birth, labour="50", student="21")
    excused_child = b.person(2, 21, relation="20", birth=child_birth, labour="50", student="21")
    b.person(3, 31, relation="20", birth=date(2012, 5, 1), labour="50", out_of_school_reason="11")
    b.person(4, 41, relation="20", birth=date(2012, 5, 1), labour="50", out_of_school_reason="01")
    b.person(5, 51, relation="20", birth=date(2008, 5, 1), labour="50", out_of_school_reason="11")
    for record, ident, status, reason in (
        ("JYSX0000000001", feed_child, "辍学", "厌学"),
        ("JYSX0000000002", excused_child, "失学", "因身体原因不具备学习条件"),
    ):
        b.feed(
            "education_dropouts",
            record_id=record,
            id_number=ident,
            name="某",
            school_name=None,
            grade=None,
            status=status,
            reported_on=date(2024, 9, 10),
            reason=reason,
        )
    findings = b.run("trigger.child_out_of_school")
    assert flagged(findings, "trigger.child_out_of_school") == [number(1), number(3)]
    assert only(findings, "trigger.child_out_of_school", 1)["reason_zh"] == (
        "家庭有1名6–15岁义务教育阶段儿童失学辍学（教育部门报告1人，登记库记录0人）"
    )
    assert json.loads(only(findings, "trigger.child_out_of_school", 3)["sources"]) == [
        {"source": "registry/persons", "keys": ["31"]}
    ]


def test_housing_unsafe_uses_the_newer_assessment() -> None:
    b = Builder()
    b.household(1)
    b.person(1, 10)
    b.finance(1, YEAR, 1, wage_local=30000)
    b.conditions(1, housing_grade="C")
    head2 = b.clean(2)
    head3 = b.clean(3)
    b.rows["conditions"][-1]["housing_grade"] = "D"
    for hid, head, grade in ((2, head2, "D"), (3, head3, "A")):
        b.feed(
            "housing_assessments",
            record_id=f"ZJFW000000000{hid}",
            head_id_number=head,
            village_code="110101001001",
            address="某",
            grade=grade,
            assessor="某县住房和城乡建设局",
            assessed_on=date(2024, 8, 3),
            renovation_status="无需改造",
        )
    findings = b.run("trigger.housing_unsafe")
    assert flagged(findings, "trigger.housing_unsafe") == [number(1), number(2)]
    assert only(findings, "trigger.housing_unsafe", 1)["reason_zh"] == (
        "住房安全等级为C级（局部危房）（登记库2023-05-01鉴定）"
    )
    assert only(findings, "trigger.housing_unsafe", 2)["reason_zh"] == (
        "住房安全等级为D级（整幢危房）（住建部门2024-08-03鉴定）"
    )


def test_water_unsafe_on_the_latest_checklist() -> None:
    b = Builder()
    b.clean(1)
    b.rows["conditions"][-1].update(water_quantity_ok=False, water_reliability_ok=False)
    b.clean(2)
    b.conditions(2, assessed_on=date(2023, 6, 1), water={"quality": False})  # older, superseded
    findings = b.run("trigger.water_unsafe")
    assert flagged(findings, "trigger.water_unsafe") == [number(1)]
    assert only(findings, "trigger.water_unsafe", 1)["reason_zh"] == (
        "饮水安全不达标：水量、供水保证率（2024-06-01评价）"
    )


def _death(b: Builder, record: str, ident: str, day: date = date(2024, 5, 3)) -> None:
    b.feed(
        "death_records",
        record_id=record,
        id_number=ident,
        name="某",
        death_date=day,
        reported_on=day,
    )


def test_labour_loss_when_every_worker_is_gone() -> None:
    b = Builder()
    _death(b, "GASW0000000001", b.clean(1))
    head2 = b.clean(2)
    b.person(2, 21, relation="10")
    _death(b, "GASW0000000002", head2)
    findings = b.run("trigger.labour_loss")
    assert flagged(findings, "trigger.labour_loss") == [number(1)]
    assert only(findings, "trigger.labour_loss", 1)["reason_zh"] == (
        "家庭原有劳动力1人，均已死亡或新增重度残疾，家庭已无劳动力"
    )


def test_earner_death_for_head_or_working_age_worker_still_registered() -> None:
    b = Builder()
    _death(b, "GASW0000000001", b.clean(1))
    b.clean(2)
    child = b.person(2, 21, relation="20", birth=date(2015, 1, 1), labour="50", student="21")
    _death(b, "GASW0000000002", child)
    b.household(3)
    dead_head = b.person(3, 30, status="deceased", death_date=date(2024, 5, 3))
    b.person(3, 31, relation="10")
    b.finance(3, YEAR, 1, wage_local=30000)
    b.conditions(3)
    _death(b, "GASW0000000003", dead_head)
    findings = b.run("trigger.earner_death")
    assert flagged(findings, "trigger.earner_death") == [number(1)]
    assert only(findings, "trigger.earner_death", 1)["reason_zh"] == (
        "户主于2024-05-03死亡（公安部门记录），登记库仍记为在册"
    )


def test_income_line_net_of_out_of_pocket_when_the_edition_says_so(tmp_path: Path) -> None:
    for source in DEFAULT_DIRECTORY.glob("*-national.toml"):
        shutil.copy(source, tmp_path / source.name)
    (tmp_path / "2024-110101.toml").write_text(
        '[edition]\nyear = 2024\nregion = "110101"\ntitle = "测试"\nbasis = "测试"\n'
        "example = true\n\n[monitoring]\n"
        'net_of_compliant_oop = { value = true, confirmed = false, source = "测试" }\n',
        encoding="utf-8",
    )
    edition = load_editions(tmp_path).resolve(2024, "110101")
    b = Builder()
    for hid, oop in ((1, "2900"), (2, "2900.01")):  # 10,000 − 2,900 = 7,100: on the line
        b.household(hid)
        b.person(hid, hid * 10)
        b.finance(hid, YEAR, 1, wage_local=10000, compliant_oop_spending=oop)
        b.conditions(hid)
    findings = b.run("trigger.income_below_line", edition=edition)
    assert flagged(findings, "trigger.income_below_line") == [number(2)]
    row = only(findings, "trigger.income_below_line", 2)
    assert row["reason_zh"] == (
        "2024年人均纯收入10,000元，扣除合规自付支出2,900.01元后人均7,099.99元，低于监测线7,100元"
    )
    assert json.loads(row["threshold"])["monitoring.net_of_compliant_oop"] is True
