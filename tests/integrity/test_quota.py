"""Monitoring shares per region, and shares sitting exactly on a 5% or 10% quota."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from fangpin.integrity import IntegritySettings, monitoring_shares, round_quota
from tests.integrity.builders import (
    COUNTY,
    FAR_VILLAGE,
    OTHER_VILLAGE,
    SETTINGS,
    TOWNSHIP,
    VILLAGE,
    YEAR,
    concat,
    households,
    monitorings,
    number,
)

MINLE = "433124103000"  # 民乐镇


def _county() -> tuple[pa.Table, pa.Table]:
    homes = concat(
        households(range(1, 201)),  # 200 households, 10 monitored: 5.00%
        households(range(201, 451), village=OTHER_VILLAGE),  # 250, 26: 10.4%
        households(range(451, 550), village=FAR_VILLAGE),  # 99, 5: too few to judge
    )
    spells = concat(
        monitorings([number(h) for h in range(1, 11)]),
        monitorings([number(h) for h in range(11, 14)], current=False),  # old spells
        monitorings([number(14)], identified=date(2025, 2, 1)),  # after the year
        monitorings([number(h, OTHER_VILLAGE) for h in range(201, 227)]),
        monitorings([number(h, FAR_VILLAGE) for h in range(451, 456)]),
    )
    return homes, spells


def test_shares_are_counted_per_village_township_and_county() -> None:
    homes, spells = _county()

    rows = monitoring_shares(homes, spells, year=YEAR).to_pylist()

    assert [
        (r["level"], r["region_code"], r["households"], r["monitoring_objects"]) for r in rows
    ] == [
        ("village", VILLAGE, 200, 10),
        ("village", OTHER_VILLAGE, 250, 26),
        ("village", FAR_VILLAGE, 99, 5),
        ("township", TOWNSHIP, 450, 36),
        ("township", MINLE, 99, 5),
        ("county", COUNTY, 549, 41),
    ]
    assert rows[0]["share"] == 0.05


def test_a_village_at_exactly_five_percent_is_flagged() -> None:
    homes, spells = _county()

    found = round_quota(homes, spells, settings=SETTINGS, year=YEAR)

    assert [(f.code, f.subject_kind, f.subject_id, f.severity, f.threshold) for f in found] == [
        ("ROUND_QUOTA", "village", VILLAGE, "info", 0.002)
    ]
    assert found[0].figures() == {
        "households": 200,
        "monitoring_objects": 10,
        "quota": 0.05,
        "share": 0.05,
    }
    assert found[0].explanation == (
        "村（433124102201）共有农户200户，监测对象10户，占5.00%，与5%相差不超过0.2个百分点"
        "（监测对象不得设比例上限，请核实是否按比例控制）"
    )


def test_a_wider_tolerance_catches_ten_point_four_percent() -> None:
    homes, spells = _county()
    settings = IntegritySettings(quota_tolerance=0.005)

    found = round_quota(homes, spells, settings=settings, year=YEAR)

    assert [(f.subject_id, f.figures()["quota"]) for f in found] == [
        (VILLAGE, 0.05),
        (OTHER_VILLAGE, 0.1),
    ]
