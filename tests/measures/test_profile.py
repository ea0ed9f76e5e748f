"""poverty_profile and summary_table: per group and total, equal to the single-group functions."""

from __future__ import annotations

import numpy as np
import pytest

from fangpin.measures import (
    MeasureError,
    ProfileRow,
    atkinson,
    fgt,
    gini,
    mld,
    poverty_profile,
    sen,
    sst,
    summary_table,
    theil,
    watts,
)

CLOSE = {"rel": 1e-12, "abs": 1e-15}


def test_profile_of_country_c_split_in_two_villages() -> None:
    # Haughton and Khandker's country C (100, 110, 150, 160; z = 125) as two villages.
    rows = poverty_profile([100, 150, 110, 160], 125, groups=["甲", "乙", "甲", "乙"])

    assert [r.group for r in rows] == ["乙", "甲", None]
    second, first, total = rows
    assert (first.population, first.poor, first.headcount) == (2.0, 2.0, 1.0)
    assert first.gap == pytest.approx(0.16, rel=1e-15)  # (0.2 + 0.12) / 2
    assert first.severity == pytest.approx(0.0272, rel=1e-14)  # (0.04 + 0.0144) / 2
    assert first.mean_income == 105.0
    assert first.gini == pytest.approx(1 / 42, rel=1e-15)
    assert (second.poor, second.headcount, second.gap, second.watts) == (0.0, 0.0, 0.0, 0.0)
    assert total == ProfileRow(
        group=None,
        population=4.0,
        poor=2.0,
        headcount=0.5,
        gap=pytest.approx(0.08, rel=1e-15),  # type: ignore[arg-type]
        severity=pytest.approx(0.0136, rel=1e-14),  # type: ignore[arg-type]
        watts=pytest.approx(watts([100, 110, 150, 160], 125), rel=1e-15),  # type: ignore[arg-type]
        gini=pytest.approx(gini([100, 110, 150, 160]), rel=1e-15),  # type: ignore[arg-type]
        mean_income=130.0,
    )


def test_without_groups_only_the_total_row() -> None:
    rows = poverty_profile([100, 110, 150, 160], 125)

    assert len(rows) == 1
    assert rows[0].group is None
    assert rows[0].headcount == 0.5


def test_every_group_row_equals_the_single_group_functions() -> None:
    rng = np.random.default_rng(7)
    incomes = rng.lognormal(9, 0.7, 600)
    weights = rng.integers(0, 5, 600).astype(float)
    groups = rng.integers(0, 9, 600)
    line = 7100.0

    rows = poverty_profile(incomes, line, weights, groups)

    for row in rows:
        mask = np.ones(600, bool) if row.group is None else groups == int(row.group)
        y, w = incomes[mask], weights[mask]
        assert row.population == w.sum()
        assert row.poor == w[y < line].sum()
        assert row.headcount == pytest.approx(fgt(y, line, 0, w), **CLOSE)
        assert row.gap == pytest.approx(fgt(y, line, 1, w), **CLOSE)
        assert row.severity == pytest.approx(fgt(y, line, 2, w), **CLOSE)
        assert row.watts == pytest.approx(watts(y, line, w), **CLOSE)
        assert row.gini == pytest.approx(gini(y, w), **CLOSE)
        assert row.mean_income == pytest.approx(np.average(y, weights=w), **CLOSE)
    assert [r.group for r in rows] == [*[str(g) for g in range(9)], None]


def test_a_group_with_a_zero_income_has_no_watts_but_the_others_do() -> None:
    rows = poverty_profile([0.0, 100.0, 100.0, 200.0], 125, groups=[1, 1, 2, 2])

    assert rows[0].watts is None
    assert rows[1].watts == pytest.approx(np.log(1.25) / 2, rel=1e-15)
    assert rows[2].watts is None  # the total holds the zero income too
    with pytest.raises(MeasureError):
        watts([0.0, 100.0], 125)


def test_a_group_whose_mean_is_not_positive_has_no_gini() -> None:
    rows = poverty_profile([-5.0, 5.0, 100.0, 300.0], 125, groups=["a", "a", "b", "b"])

    assert rows[0].gini is None
    assert rows[1].gini == pytest.approx(gini([100.0, 300.0]), rel=1e-15)


def test_a_group_of_only_zero_weight_rows_has_no_row() -> None:
    rows = poverty_profile([100, 150, 90], 125, weights=[1, 1, 0], groups=["a", "a", "b"])

    assert [r.group for r in rows] == ["a", None]
    assert rows[-1].population == 2.0


def test_equal_incomes_in_a_group_give_exactly_zero_gini() -> None:
    rows = poverty_profile([300.0, 300.0, 100.0, 500.0], 125, groups=[1, 1, 2, 2])

    assert rows[0].gini == 0.0


def test_a_missing_group_label_is_refused() -> None:
    with pytest.raises(MeasureError) as raised:
        poverty_profile([1.0, 2.0], 125, groups=["a", None])

    assert (raised.value.code, raised.value.message) == ("group", "分组第 2 个值为空")
    with pytest.raises(MeasureError) as raised:
        poverty_profile([1.0, 2.0], 125, groups=[1.0, np.nan])
    assert raised.value.code == "group"
    with pytest.raises(MeasureError) as raised:
        poverty_profile([1.0, 2.0], 125, groups=["a"])
    assert (raised.value.code, raised.value.message) == (
        "shape",
        "分组个数（1）与数据行数（2）不一致",
    )


def test_summary_rows_equal_the_single_functions_per_group() -> None:
    rng = np.random.default_rng(11)
    incomes = rng.lognormal(9, 0.6, 300)
    weights = rng.integers(1, 4, 300).astype(float)
    groups = np.array(["村" + str(g) for g in rng.integers(0, 4, 300)], dtype=object)

    rows = summary_table(incomes, 8000, weights, groups)

    assert [r.group for r in rows] == ["村0", "村1", "村2", "村3", None]
    for row in rows:
        mask = np.ones(300, bool) if row.group is None else groups == row.group
        y, w = incomes[mask], weights[mask]
        assert row.sen == pytest.approx(sen(y, 8000, w), **CLOSE)
        assert row.sst == pytest.approx(sst(y, 8000, w), **CLOSE)
        assert row.theil == pytest.approx(theil(y, w), **CLOSE)
        assert row.mld == pytest.approx(mld(y, w), **CLOSE)
        assert row.atkinson_1 == pytest.approx(atkinson(y, 1, w), **CLOSE)
        assert row.atkinson_2 == pytest.approx(atkinson(y, 2, w), **CLOSE)
        assert row.headcount == pytest.approx(fgt(y, 8000, 0, w), **CLOSE)


def test_summary_marks_measures_undefined_for_a_group_as_none() -> None:
    rows = summary_table([0.0, 100.0, 100.0, 200.0], 125, groups=[1, 1, 2, 2])

    first = rows[0]
    assert (first.watts, first.mld, first.atkinson_1, first.atkinson_2) == (None, None, None, None)
    assert first.theil == pytest.approx(np.log(2), rel=1e-15)  # (0, 100): T = ln 2
    assert first.sen == pytest.approx(sen([0.0, 100.0], 125), rel=1e-15)
    assert rows[1].mld == pytest.approx(mld([100.0, 200.0]), rel=1e-15)
