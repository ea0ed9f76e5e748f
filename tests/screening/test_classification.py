"""Classification into object types, elimination candidates and re-opening."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.screening.builders import YEAR, Builder, flagged, number, only

# Every test runs on DuckDB and on Spark (local mode): same exact findings on both — except
# the three marked ``spark_via_county``: on Spark those rules are proven byte for byte on the
# synthetic county (tests/screening/test_spark.py: 28 new objects, an elimination candidate
# and a re-opening), and each scenario costs about a minute in Spark local mode.
pytestmark = pytest.mark.usefixtures("engine")


def _poor(b: Builder, hid: int, *, household_type: str = "2", wage: int = 6000) -> None:
    b.household(hid, household_type=household_type)
    b.person(hid, hid * 10)
    b.finance(hid, YEAR - 1, 1, wage_local=wage)
    b.finance(hid, YEAR, 1, wage_local=wage)
    b.conditions(hid)


@pytest.mark.spark_via_county
def test_new_objects_are_typed_with_their_risks() -> None:
    b = Builder()
    _poor(b, 1, household_type="1")  # formerly poor, below the line → UNSTABLE, 其他
    _poor(b, 2)  # ordinary, below the line, house D → MARGINAL, 因安全住房
    b.rows["conditions"][-1]["housing_grade"] = "D"
    b.claim("YBJS0000000001", b.clean(3), total="60000", oop="20000")  # above the line → SUDDEN
    b.clean(4)
    b.rows["conditions"][-1]["water_quality_ok"] = False  # water only, above the line → none
    _poor(b, 5)
    b.spell(5)  # already monitored → not a new object
    findings = b.run("classification.new_object")
    assert flagged(findings, "classification.new_object") == [number(1), number(2), number(3)]
    first, second, third = (only(findings, "classification.new_object", h) for h in (1, 2, 3))
    assert (
        first["reason_zh"] == "建议识别为脱贫不稳定户；风险类型：其他（依据：人均纯收入低于监测线）"
    )
    assert json.loads(second["observed"]) == {
        "object_type": "MARGINAL",
        "risk_types": ["10"],
        "triggers": ["trigger.housing_unsafe", "trigger.income_below_line"],
    }
    assert second["reason_zh"] == (
        "建议识别为边缘易致贫户；风险类型：因安全住房（依据：住房安全等级为C/D级、人均纯收入低于监测线）"
    )
    assert json.loads(third["observed"])["object_type"] == "SUDDEN"
    assert json.loads(third["observed"])["risk_types"] == ["01"]


@pytest.mark.spark_via_county
def test_elimination_candidates_pass_every_guard() -> None:
    b = Builder()
    b.clean(1)
    b.spell(1, identified=date(2024, 6, 1))  # 6 months at 2024-12 → candidate
    b.clean(2)
    b.spell(2, identified=date(2024, 7, 1))  # 5 months
    _poor(b, 3)
    b.spell(3, identified=date(2023, 1, 1))  # income below the line
    b.clean(4)
    b.spell(4, identified=date(2023, 1, 1), backstop=True)  # backstop household
    b.clean(5)
    b.rows["conditions"][-1]["water_reliability_ok"] = False
    b.spell(5, identified=date(2023, 1, 1))  # water fails
    b.clean(6)
    b.rows["persons"][-1]["has_resident_medical"] = False
    b.spell(6, identified=date(2023, 1, 1))  # uninsured member
    findings = b.run("elimination.candidate")
    assert flagged(findings, "elimination.candidate") == [number(1)]
    row = only(findings, "elimination.candidate", 1)
    assert row["reason_zh"] == (
        "已监测6个月；2024年人均纯收入30,000元，不低于监测线7,100元；三保障和饮水安全无问题，"
        "本次未发现新风险，可启动风险消除程序（针对性帮扶措施须另行核实）"
    )
    assert json.loads(row["observed"]) == {
        "identified_month": "2024-06",
        "months_monitored": 6,
        "effective_per_capita_income": 30000.0,
        "measures_checked": False,
    }


@pytest.mark.spark_via_county
def test_eliminated_household_with_a_new_risk_is_reopened() -> None:
    b = Builder()
    _poor(b, 1)
    b.spell(1, identified=date(2022, 3, 1), eliminated=date(2023, 6, 1), mode="assisted")
    b.clean(2)
    b.spell(2, identified=date(2022, 3, 1), eliminated=date(2023, 6, 1), mode="assisted")
    _poor(b, 3)
    b.spell(
        3, identified=date(2022, 3, 1), eliminated=date(2023, 6, 1), mode="assisted", current=False
    )  # an old spell only: a new object, not a re-opening
    findings = b.run("elimination.reopen")
    assert flagged(findings, "elimination.reopen") == [number(1)]
    assert only(findings, "elimination.reopen", 1)["reason_zh"] == (
        "风险已于2023-06消除，本次发现新风险：其他（依据：人均纯收入低于监测线），建议重新识别"
    )
