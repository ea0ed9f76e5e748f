"""The shipped editions: every file loads, exact resolved values and their provenance."""

from __future__ import annotations

import json

import pytest

from fangpin.policy import (
    FIELDS,
    CatalogueItem,
    Level,
    PolicyError,
    default_editions,
    load_editions,
    resolve,
)
from tests.policy.helpers import SHIPPED


def test_every_shipped_edition_loads() -> None:
    editions = load_editions()

    names = sorted(e.file for e in editions.editions)
    assert names == [
        "2020-national.toml",
        "2021-national.toml",
        "2022-national.toml",
        "2023-national.toml",
        "2024-433124.toml",
        "2024-national.toml",
        "2025-national.toml",
    ]
    assert editions.national_years == (2020, 2021, 2022, 2023, 2024, 2025)
    assert sorted(p.name for p in SHIPPED.glob("*.toml")) == names


def test_every_national_floor_sets_every_key() -> None:
    for edition in default_editions().editions:
        if edition.level is Level.NATIONAL:
            assert set(edition.entries) == {spec.key for spec in FIELDS}, edition.file


@pytest.mark.parametrize(
    ("year", "line", "confirmed"),
    [(2020, 6000, True), (2021, 6000, True), (2022, 6300, False), (2023, 6900, False),
     (2024, 7100, False), (2025, 7100, False)],
)  # fmt: skip
def test_national_monitoring_line_per_year(year: int, line: int, confirmed: bool) -> None:
    value = resolve(year, "110101").get("monitoring.income_line")

    assert value.value == line
    assert value.confirmed is confirmed
    assert value.level is Level.NATIONAL
    assert value.file == f"{year}-national.toml"


def test_2020_floor_exact_values() -> None:
    edition = resolve(2020, "433124")

    assert edition.poverty_line == 4000
    assert edition.get("poverty_line.amount").confirmed is True
    assert edition.monitoring_line == 6000
    assert [(t.code, t.zh) for t in edition.object_types] == [
        ("UNSTABLE", "建档立卡已脱贫但不稳定户"),
        ("MARGINAL", "边缘户"),
    ]
    assert edition.get("objects.types").confirmed is True
    assert edition.get("risks.types").confirmed is False
    assert edition.get("measures.categories").confirmed is False
    assert edition.get("procedure.notice_days").confirmed is False
    assert edition.get("elimination.require_water").confirmed is False
    assert edition.chain[0].basis.startswith("国开发〔2020〕6号")
    assert edition.is_example is False


def test_2021_floor_exact_values() -> None:
    edition = resolve(2021, "433124")

    assert edition.poverty_line == 4000
    assert edition.get("poverty_line.amount").confirmed is False
    assert edition.get("poverty_line.base_amount_2010").value == 2300
    assert edition.monitoring_line == 6000
    assert edition.get("monitoring.income_line").source.startswith("DOMAIN.md §2.2：以脱贫攻坚期")
    assert edition.income_window_months == 12
    assert edition.net_of_compliant_oop is False
    assert [t.code for t in edition.object_types] == ["UNSTABLE", "MARGINAL", "SUDDEN"]
    assert [t.zh for t in edition.object_types] == [
        "脱贫不稳定户",
        "边缘易致贫户",
        "突发严重困难户",
    ]
    assert edition.max_risks_per_household == 5
    assert len(edition.risk_types) == 11
    assert edition.risk_types[0] == CatalogueItem("ILLNESS", "因病", "Illness")
    assert [d.code for d in edition.disaster_subtypes] == [
        "0201", "0202", "0203", "0204", "0205", "0206", "0299",
    ]  # fmt: skip
    assert len(edition.measure_categories) == 14
    assert edition.measure_categories[0] == CatalogueItem(
        "INDUSTRY", "产业帮扶", "Industry", "100A39"
    )
    assert edition.get("procedure.notice_days").confirmed is True


def test_2024_national_floor_exact_values() -> None:
    edition = resolve(2024, "110101")

    assert edition.monitoring_line == 7100
    assert edition.medical_oop_share == 0.4
    assert edition.income_drop_share == 0.2
    assert edition.single_hospital_bill == 50000
    assert edition.rigid_spending_vs_last_year_income == 1.0
    assert edition.social_insurance_stop_months == 3
    assert edition.day_kind == "working"
    assert (edition.identification_days, edition.elimination_days, edition.notice_days) == (
        15,
        15,
        5,
    )
    guards = edition.elimination_guards
    assert guards.min_months_since_identification == 6
    assert guards.min_measures_for_risk == 1
    assert guards.min_income_stable_months == 6
    assert guards.require_income_above_line is True
    assert guards.require_three_guarantees is True
    assert guards.require_water is True
    assert guards.require_no_new_risk is True
    assert guards.block_whole_household_no_labour is True
    assert [e.file for e in edition.chain] == ["2024-national.toml"]
    assert edition.verification_days == 15
    assert len(edition.unconfirmed_keys) == 38  # 18 of §1–§5, 8 evaluation, 10 integrity, 2 force


def test_county_example_tightens_three_values() -> None:
    edition = resolve(2024, "433124")

    assert edition.monitoring_line == 7600
    assert edition.medical_oop_share == 0.3
    assert edition.identification_days == 10
    assert edition.income_drop_share == 0.2  # not overridden: the national floor
    assert edition.is_example is True
    assert [e.file for e in edition.chain] == ["2024-national.toml", "2024-433124.toml"]


@pytest.mark.parametrize("year", [2020, 2021, 2022, 2023, 2024, 2025])
def test_national_verification_deadline_defaults_to_the_identification_deadline(
    year: int,
) -> None:
    edition = resolve(year, "110101")
    value = edition.get("procedure.verification_days")

    assert value.value == edition.identification_days == 15
    assert (value.confirmed, value.level, value.file) == (
        False, Level.NATIONAL, f"{year}-national.toml",
    )  # fmt: skip
    assert value.source == (
        "[D] 全国未单列核实时限；核实是识别的第一步，不得晚于识别时限，"
        "默认取识别时限（DOMAIN.md §3.3）"
    )


def test_county_example_shortens_the_verification_deadline() -> None:
    value = resolve(2024, "433124").get("procedure.verification_days")

    assert (value.value, value.confirmed, value.level, value.file, value.edition_year) == (
        7, False, Level.COUNTY, "2024-433124.toml", 2024,
    )  # fmt: skip
    assert value.source == "示例值（非真实政策）：县级缩短入户核实时限（须不超过识别认定时限）"
    assert value.display == "7 日"
    assert resolve(2024, "433124").verification_days == 7


def test_provenance_of_overridden_and_inherited_values() -> None:
    edition = resolve(2024, "433124")

    line = edition.get("monitoring.income_line")
    assert (line.value, line.confirmed, line.level, line.file, line.edition_year) == (
        7600, False, Level.COUNTY, "2024-433124.toml", 2024,
    )  # fmt: skip
    assert line.source == "示例值（非真实政策）：县级调高监测收入线"
    notice = edition.get("procedure.notice_days")
    assert (notice.value, notice.confirmed, notice.level, notice.file) == (
        5, True, Level.NATIONAL, "2024-national.toml",
    )  # fmt: skip
    assert edition["procedure.notice_days"] == notice


def test_twelve_digit_village_code_resolves_like_its_county() -> None:
    village = resolve(2024, "433124100201")
    county = resolve(2024, "433124")

    assert village.values == county.values
    assert village.edition_id.startswith("2024/433124100201@")
    assert village.edition_id[-12:] == county.edition_id[-12:]


def test_other_county_of_the_same_prefecture_gets_the_floor() -> None:
    assert resolve(2024, "433122").monitoring_line == 7100


def test_latest_edition_at_or_before_the_year_applies() -> None:
    later = resolve(2030, "433124")

    assert later.monitoring_line == 7600  # the 2024 county file carries forward
    assert [(e.file, e.year) for e in later.chain] == [
        ("2025-national.toml", 2025),
        ("2024-433124.toml", 2024),
    ]
    assert (
        resolve(2023, "433124").monitoring_line == 6900
    )  # the 2024 county file is not yet in force


def test_year_before_every_edition_is_an_error() -> None:
    with pytest.raises(PolicyError) as caught:
        resolve(2019, "433124")

    assert caught.value.code == "no_edition"
    assert caught.value.message == "没有 2019 年或更早的国家底线政策版本（最早为 2020 年）"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("4331", "区划代码“4331”应为 6 位或 12 位数字"),
        ("43312a", "区划代码“43312a”应为 6 位或 12 位数字"),
        ("993124", "区划代码“993124000000”的省级代码“99”不存在"),
    ],
)
def test_bad_region_code_is_an_error(code: str, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        resolve(2024, code)

    assert caught.value.code == "bad_region"
    assert caught.value.message == message


def test_edition_id_is_stable_and_depends_on_the_files() -> None:
    first = resolve(2024, "433124").edition_id
    again = load_editions().resolve(2024, "433124").edition_id

    assert first == again
    assert len(first.split("@")[1]) == 12
    assert first[-12:] != resolve(2024, "433122").edition_id[-12:]  # national file only


def test_explain_has_one_row_per_key_with_provenance() -> None:
    rows = resolve(2024, "433124").explain()

    assert [row.key for row in rows] == [spec.key for spec in FIELDS]
    row = rows[[r.key for r in rows].index("monitoring.income_line")]
    assert (row.label, row.value, row.display, row.confirmed, row.level, row.file) == (
        "监测收入线（监测范围）", 7600, "7,600 元/人·年", False, Level.COUNTY, "2024-433124.toml",
    )  # fmt: skip


def test_as_dict_is_json_and_carries_every_value() -> None:
    data = json.loads(json.dumps(resolve(2024, "433124").as_dict(), ensure_ascii=False))

    assert data["edition_id"] == resolve(2024, "433124").edition_id
    assert data["is_example"] is True
    assert [f["file"] for f in data["files"]] == ["2024-national.toml", "2024-433124.toml"]
    assert len(data["values"]) == len(FIELDS)
    assert data["values"]["monitoring.income_line"] == {
        "value": 7600,
        "confirmed": False,
        "source": "示例值（非真实政策）：县级调高监测收入线",
        "level": "county",
        "file": "2024-433124.toml",
        "edition_year": 2024,
    }
    assert data["values"]["objects.types"]["value"][2] == {
        "code": "SUDDEN",
        "zh": "突发严重困难户",
        "en": "Household in sudden severe difficulty",
        "code_table": "",
        "confirmed": True,
    }


def test_unknown_key_lookup_is_an_error() -> None:
    with pytest.raises(PolicyError) as caught:
        resolve(2024, "433124").get("monitoring.line")

    assert caught.value.code == "unknown_key"
