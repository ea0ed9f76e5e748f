"""Elimination velocity: the Guizhou month rule and elimination below the monitoring line."""

from __future__ import annotations

from datetime import date

import pytest

from fangpin.integrity import (
    IntegrityError,
    IntegritySettings,
    eliminated_below_line,
    fast_elimination,
)
from tests.integrity.builders import (
    SETTINGS,
    VILLAGE,
    YEAR,
    elimination,
    eliminations,
    finance,
    finances,
    households,
)


def test_elimination_in_the_month_after_identification_is_flagged() -> None:
    found = fast_elimination(
        eliminations([elimination(1, date(2024, 4, 20), identified=date(2024, 3, 10))]),
        settings=SETTINGS,
        year=YEAR,
    )

    assert [(f.code, f.subject_id, f.region_code, f.severity, f.threshold) for f in found] == [
        ("FAST_ELIMINATION", "1", VILLAGE, "warning", 2.0)
    ]
    assert found[0].figures() == {
        "calendar_months": 2,
        "decided_by": "龙潭镇",
        "eliminated_on": "2024-04-20",
        "identified_on": "2024-03-10",
        "mode": "assisted",
    }
    assert found[0].explanation == (
        "2024-03-10识别为监测对象，2024-04-20标注风险消除（帮扶消除），"
        "在识别次月即消除（不超过2个自然月）"
    )


def test_calendar_months_count_not_days_and_natural_elimination_is_info() -> None:
    found = fast_elimination(
        eliminations(
            [
                elimination(2, date(2024, 5, 1), identified=date(2024, 3, 31)),  # 3rd month
                elimination(3, date(2024, 7, 30), identified=date(2024, 7, 2), mode="natural"),
                elimination(4, date(2024, 1, 5), identified=date(2024, 2, 1)),  # before!
                elimination(5, date(2023, 12, 20), identified=date(2023, 12, 1)),  # other year
            ]
        ),
        settings=SETTINGS,
        year=YEAR,
    )

    assert [(f.subject_id, f.severity) for f in found] == [("3", "info"), ("4", "warning")]
    assert found[0].explanation == (
        "2024-07-02识别为监测对象，2024-07-30标注风险消除（自然消除），"
        "在识别当月即消除（不超过2个自然月）"
    )
    assert found[1].explanation == (
        "2024-02-01识别为监测对象，2024-01-05标注风险消除（帮扶消除），"
        "风险消除日期早于识别日期（不超过2个自然月）"
    )


def test_a_longer_rule_counts_further_months() -> None:
    found = fast_elimination(
        eliminations([elimination(2, date(2024, 5, 1), identified=date(2024, 3, 31))]),
        settings=IntegritySettings(fast_elimination_months=6),
        year=YEAR,
    )

    assert [f.figures()["calendar_months"] for f in found] == [3]
    assert found[0].explanation.endswith("识别后第2个月即消除（不超过6个自然月）")


def test_elimination_below_the_monitoring_line_uses_the_recorded_figure_or_the_finances() -> None:
    on = date(2024, 6, 30)
    found = eliminated_below_line(
        eliminations(
            [
                elimination(1, on, income=6800),
                elimination(2, on, income=None),
                elimination(3, on, income=7100),  # on the line: not below
                elimination(4, on, income=None),  # no finance record to fall back on
            ]
        ),
        settings=SETTINGS,
        year=YEAR,
        households=households([1, 2, 3]),
        finances=finances([finance(2, size=2, wage_local=14000)]),
    )

    assert [(f.code, f.subject_id, f.severity, f.threshold) for f in found] == [
        ("ELIMINATED_BELOW_LINE", "1", "warning", 7100.0),
        ("ELIMINATED_BELOW_LINE", "2", "warning", 7100.0),
    ]
    assert found[0].figures() == {
        "decided_by": "龙潭镇",
        "eliminated_on": "2024-06-30",
        "line_amount": 7100.0,
        "mode": "assisted",
        "per_capita_net_income": 6800.0,
        "source": "elimination",
    }
    assert found[0].explanation == (
        "2024-06-30标注风险消除（帮扶消除）时登记的人均纯收入6,800元，低于监测线7,100元（差300元）"
    )
    assert found[1].figures()["source"] == "finances"
    assert found[1].explanation == (
        "2024-06-30标注风险消除（帮扶消除），按2024年收支记录人均纯收入7,000元，"
        "低于监测线7,100元（差100元）"
    )


def test_elimination_below_line_needs_the_monitoring_line() -> None:
    with pytest.raises(IntegrityError) as caught:
        eliminated_below_line(
            eliminations([elimination(1, date(2024, 6, 30), income=6800)]),
            settings=IntegritySettings(lines={"poverty": 4000}),
            year=YEAR,
        )

    assert caught.value.code == "lines"
    assert caught.value.message == "未设置监测线（lines 中缺少 monitoring），无法核对消除时收入"
