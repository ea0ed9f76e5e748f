"""Digit preference (last digits) and Benford's law (first digits), by village and cadre."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa

from fangpin.integrity import IntegritySettings, benford, digit_preference
from tests.integrity.builders import (
    COUNTY,
    FAR_VILLAGE,
    SETTINGS,
    VILLAGE,
    YEAR,
    concat,
    elimination,
    eliminations,
    finance_columns,
    households,
)


def _village(
    amounts: list[float] | np.ndarray, village: str = VILLAGE, start: int = 1
) -> tuple[pa.Table, pa.Table]:
    ids = np.arange(start, start + len(amounts))
    return households(ids.tolist(), village=village), finance_columns(ids, wage_local=amounts)


def test_a_village_whose_amounts_end_in_zero_is_flagged() -> None:
    # 30 amounts ending in 0, then two of every digit: 32 zeros of 50.
    amounts = [1000 + 10 * k for k in range(30)] + [2000 + d for d in range(10)] * 2
    homes, money = _village(amounts)

    found = digit_preference(settings=SETTINGS, year=YEAR, households=homes, finances=money)

    assert [(f.code, f.subject_kind, f.subject_id, f.severity, f.threshold) for f in found] == [
        ("DIGIT_PREFERENCE", "village", VILLAGE, "info", 0.01)
    ]
    figures = found[0].figures()
    assert figures["digit_counts"] == [32, 2, 2, 2, 2, 2, 2, 2, 2, 2]
    assert (figures["records"], figures["chi2"], figures["top_digit"]) == (50, 162.0, 0)
    assert found[0].explanation == (
        "村（433124102201）2024年收入明细金额共50笔，个位数分布明显不均：数字0占64.0%"
        "（均匀分布应各占10%），卡方=162.00（自由度9），p<0.0001"
    )


def test_even_last_digits_or_too_few_amounts_are_not_flagged() -> None:
    even_homes, even_money = _village([1000 + k for k in range(50)])
    few_homes, few_money = _village([1000] * 49, village=FAR_VILLAGE, start=100)

    found = digit_preference(
        settings=SETTINGS,
        year=YEAR,
        households=concat(even_homes, few_homes),
        finances=concat(even_money, few_money),
    )

    assert found == []


def test_a_cadre_who_records_round_incomes_at_elimination_is_flagged() -> None:
    rows = [
        elimination(
            i,
            date(2024, 6, 1),
            by="李四",
            income=7200 + 10 * i,
            village=VILLAGE if i % 2 else FAR_VILLAGE,
        )
        for i in range(50)
    ] + [elimination(100 + i, date(2024, 6, 1), by="王五", income=7201 + i) for i in range(50)]

    found = digit_preference(settings=SETTINGS, year=YEAR, eliminations=eliminations(rows))

    assert [(f.subject_kind, f.subject_id, f.region_code) for f in found] == [
        ("cadre", "李四", COUNTY)
    ]
    assert found[0].explanation == (
        "“李四”2024年标注风险消除时登记的人均纯收入共50笔，个位数分布明显不均：数字0占100.0%"
        "（均匀分布应各占10%），卡方=450.00（自由度9），p<0.0001"
    )


def test_a_village_with_uniform_first_digits_strays_from_benford() -> None:
    amounts = [(i % 9 + 1) * 1000 + (i // 9) * 7 for i in range(90)]
    homes, money = _village(amounts)

    found = benford(homes, money, settings=SETTINGS, year=YEAR)

    assert [(f.code, f.subject_id, f.severity, f.threshold) for f in found] == [
        ("BENFORD", VILLAGE, "warning", 0.015)
    ]
    assert found[0].figures() == {
        "band": "nonconformity",
        "chi2": 36.152846,
        "digit_counts": [10] * 9,
        "mad": 0.059717,
        "p": 0.000016,
        "records": 90,
    }
    assert found[0].explanation == (
        "村（433124102201）2024年收入明细金额共90笔，首位数字分布偏离本福特定律"
        "（Nigrini判定：不符合）：平均绝对偏差MAD=0.0597（>0.015），卡方=36.15"
        "（自由度8，p<0.0001）；偏离最大的是数字1，占11.1%（本福特定律应为30.1%）"
    )


def test_a_village_drawn_from_benford_conforms() -> None:
    rng = np.random.default_rng(2012)
    homes, money = _village(np.floor(10 ** rng.uniform(2, 6, 1500)))

    assert benford(homes, money, settings=SETTINGS, year=YEAR) == []


def test_benford_needs_the_minimum_records() -> None:
    amounts = [(i % 9 + 1) * 1000 for i in range(90)]
    homes, money = _village(amounts)
    settings = IntegritySettings(benford_min_records=91)

    assert benford(homes, money, settings=settings, year=YEAR) == []
