"""Input validation: the columns each detector reads, with Chinese errors; settings checks."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest

from fangpin.integrity import (
    ERROR_CODES,
    IntegrityError,
    IntegritySettings,
    bunching,
    run_all,
)
from tests.integrity.builders import (
    SETTINGS,
    YEAR,
    finance,
    finance_columns,
    finances,
    full_households,
    households,
    visit,
    visits,
)


def _error(**tables: pa.Table) -> IntegrityError:
    with pytest.raises(IntegrityError) as caught:
        run_all(settings=SETTINGS, year=YEAR, **tables)
    return caught.value


def test_a_missing_column_is_named() -> None:
    error = _error(households=households([1]).drop_columns(["status"]))

    assert (error.code, error.message) == ("columns", "表 households 缺少核查所需的列：status")


def test_a_column_of_another_kind_is_refused_not_parsed() -> None:
    homes = households([1]).set_column(0, "household_id", pa.array(["1"]))

    error = _error(households=homes)

    assert (error.code, error.message) == (
        "types",
        "表 households 的列 household_id 应为整数，实为 string",
    )


def test_nulls_in_a_required_column_are_refused() -> None:
    homes = households([1, 2]).set_column(2, "village_code", pa.array(["433124102201", None]))

    error = _error(households=homes)

    assert (error.code, error.message) == (
        "nulls",
        "表 households 的列 village_code 不允许为空，却有 1 个空值",
    )


def test_a_village_code_must_have_twelve_digits() -> None:
    error = _error(households=households([1], village="4331241022"))

    assert (error.code, error.message) == (
        "region",
        "表 households 有 1 行的村级区划代码不是12位数字",
    )


def test_a_repeated_finance_year_is_refused() -> None:
    error = _error(finances=finances([finance(1), finance(1), finance(1, year=2023)]))

    assert (error.code, error.message) == (
        "duplicate",
        "表 finances 的 household_id+year 有重复（1 行重复）",
    )


def test_every_table_is_checked_before_anything_runs() -> None:
    bad = visits([visit(1, 1, "入户走访了解家庭收入情况和子女上学情况")]).drop_columns(["notes"])

    error = _error(households=households([1]), visits=bad)

    assert (error.code, error.message) == ("columns", "表 visits 缺少核查所需的列：notes")


def test_money_as_decimal_float_or_integer_gives_the_same_findings() -> None:
    homes = households([1])
    decimal = finances([finance(1, size=2, wage_local=Decimal("14360.00"))])
    floats = finance_columns([1], size=2, wage_local=[14360.0])
    integers = floats.set_column(
        floats.schema.get_field_index("wage_local"), "wage_local", pa.array([14360], pa.int64())
    )

    results = [
        bunching(homes, money, settings=SETTINGS, year=YEAR)
        for money in (decimal, floats, integers)
    ]

    assert results[0] == results[1] == results[2]
    assert len(results[0]) == 1


def test_extra_columns_of_a_full_snapshot_are_ignored() -> None:
    found = bunching(
        full_households([1]), finances([finance(1, wage_local=7180)]), settings=SETTINGS, year=YEAR
    )

    assert [f.subject_id for f in found] == ["1"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"bunching_band_share": 0}, "核查参数不对：bunching_band_share 应在 0 与 1 之间"),
        ({"transfer_share_max": 1.5}, "核查参数不对：transfer_share_max 应在 0 与 1 之间"),
        ({"same_day_eliminations_min": 1}, "核查参数不对：same_day_eliminations_min 应至少为 2"),
        ({"quota_shares": (0.05, 1.0)}, "核查参数不对：quota_shares 每项应在 0 与 1 之间"),
        ({"lines": {"monitoring": -7100}}, "核查参数不对：lines 的每条收入线应为正数"),
        ({"lines": {"monitoring": float("nan")}}, "核查参数不对：lines 的每条收入线应为正数"),
    ],
)
def test_settings_out_of_range_are_refused(values: dict, message: str) -> None:
    with pytest.raises(IntegrityError) as caught:
        IntegritySettings(**values)

    assert (caught.value.code, caught.value.message) == ("settings", message)


def test_settings_are_frozen_and_their_lines_read_only() -> None:
    given = {"monitoring": 7100}
    settings = IntegritySettings(lines=given)
    given["monitoring"] = 1

    assert settings.lines == {"monitoring": 7100.0}
    with pytest.raises(TypeError):
        settings.lines["poverty"] = 4000  # type: ignore[index]


def test_every_error_code_is_listed_and_unknown_ones_are_a_bug() -> None:
    assert ERROR_CODES == ("columns", "types", "nulls", "region", "duplicate", "settings", "lines")
    with pytest.raises(AssertionError):
        IntegrityError("nope", "")


def test_a_dictionary_encoded_column_reads_as_its_values() -> None:
    homes = households([1])
    encoded = homes.set_column(2, "village_code", homes.column("village_code").dictionary_encode())

    found = bunching(encoded, finances([finance(1, wage_local=7180)]), settings=SETTINGS, year=YEAR)

    assert [(f.subject_id, f.region_code) for f in found] == [("1", "433124102201")]
