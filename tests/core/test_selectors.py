"""Region selectors: lookups, subtree prefixes, paths and the ID-number address check."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from fangpin import idnumber
from fangpin.core.models import Region
from fangpin.core.regions import RegionLoadReport, regions_load
from fangpin.core.selectors import (
    region_cache_clear,
    region_children,
    region_code_known_on,
    region_get,
    region_names,
    region_path,
    region_subtree_codes_prefix,
)
from fangpin.regioncode import RegionCodeError
from tests.conftest_regions import REGION_FIXTURE_DIR
from tests.core.conftest import drop_rows

HUAYUAN_TOWNSHIPS = [
    ("433124102000", "龙潭镇"),
    ("433124103000", "民乐镇"),
    ("433124105000", "吉卫镇"),
    ("433124106000", "麻栗场镇"),
    ("433124107000", "雅酉镇"),
    ("433124108000", "边城镇"),
    ("433124109000", "花垣镇"),
    ("433124110000", "双龙镇"),
    ("433124111000", "石栏镇"),
    ("433124200000", "长乐乡"),
    ("433124206000", "猫儿乡"),
    ("433124213000", "补抽乡"),
]


@pytest.mark.parametrize("code", ["433124", "433124000000", " 433124 "])
def test_region_get_accepts_short_and_full_codes(
    huayuan_regions: RegionLoadReport, code: str
) -> None:
    region = region_get(code=code)

    assert (region.code, region.name, region.level) == ("433124000000", "花垣县", 3)


@pytest.mark.parametrize("code", ["433199", "abc", "43312", ""])
def test_region_get_raises_does_not_exist(huayuan_regions: RegionLoadReport, code: str) -> None:
    with pytest.raises(Region.DoesNotExist):
        region_get(code=code)


def test_region_names_gives_the_known_codes_only(huayuan_regions: RegionLoadReport) -> None:
    names = region_names({"433124000000", "433124102000", "433199000000"})

    assert names == {"433124000000": "花垣县", "433124102000": "龙潭镇"}
    assert region_names(set()) == {}


def test_region_children_lists_townships_by_code(huayuan_regions: RegionLoadReport) -> None:
    children = region_children(code="433124")

    assert [(r.code, r.name) for r in children] == HUAYUAN_TOWNSHIPS


def test_region_children_of_a_township_are_its_villages(
    huayuan_regions: RegionLoadReport,
) -> None:
    villages = list(region_children(code="433124102000"))

    assert len(villages) == 13
    assert (villages[0].code, villages[0].name) == ("433124102003", "龙潭社区居委会")
    assert {v.level for v in villages} == {5}


def test_region_children_on_a_date_leaves_out_abolished_codes(
    huayuan_regions: RegionLoadReport, region_source: Path
) -> None:
    drop_rows(region_source / "streets.csv", "433124213")
    drop_rows(
        region_source / "villages.csv",
        *[
            line.split(",", 1)[0]
            for line in (region_source / "villages.csv").read_text(encoding="utf-8").splitlines()
            if line.startswith("433124213")
        ],
    )
    regions_load(source_dir=region_source, under="433124", edition="2024")

    assert len(region_children(code="433124", on=date(2024, 6, 30))) == 12
    assert len(region_children(code="433124", on=date(2024, 7, 1))) == 11
    assert len(region_children(code="433124")) == 12


def test_region_children_of_a_malformed_code_is_empty(huayuan_regions: RegionLoadReport) -> None:
    assert list(region_children(code="abc")) == []


@pytest.mark.parametrize(
    ("code", "prefix"),
    [
        ("430000000000", "43"),
        ("433100000000", "4331"),
        ("433124000000", "433124"),
        ("433124", "433124"),
        ("433124102000", "433124102"),
        ("433124102201", "433124102201"),
        ("441900000000", "4419"),
    ],
)
def test_subtree_prefix(code: str, prefix: str) -> None:
    assert region_subtree_codes_prefix(code) == prefix


def test_subtree_prefix_refuses_a_malformed_code() -> None:
    with pytest.raises(RegionCodeError) as caught:
        region_subtree_codes_prefix("4331240")

    assert caught.value.code == "format"


def test_region_path_runs_from_province_to_the_region(huayuan_regions: RegionLoadReport) -> None:
    path = region_path(code="433124102201")

    assert [(r.level, r.name) for r in path] == [
        (1, "湖南省"),
        (2, "湘西土家族苗族自治州"),
        (3, "花垣县"),
        (4, "龙潭镇"),
        (5, "土地村"),
    ]


def test_region_path_of_a_province_is_itself(huayuan_regions: RegionLoadReport) -> None:
    assert [r.code for r in region_path(code="43")] == ["430000000000"]


@pytest.mark.parametrize("code", ["433122102201", "433199", "abc"])
def test_region_path_raises_for_an_unloaded_code(
    huayuan_regions: RegionLoadReport, code: str
) -> None:
    with pytest.raises(Region.DoesNotExist):
        region_path(code=code)


def test_every_code_is_known_when_no_regions_are_loaded(db: None) -> None:
    assert region_code_known_on("433124", date(1990, 1, 1)) is True
    assert region_code_known_on("999999", date(1990, 1, 1)) is True


@pytest.mark.parametrize(
    ("code6", "known"),
    [
        ("433124", True),  # county 花垣县
        ("433100", True),  # prefecture 湘西州
        ("110101", True),  # 东城区 under the 市辖区 placeholder
        ("441900", True),  # 东莞市: a prefecture-level city without counties
        ("433199", False),  # no such county
        ("430000", False),  # a province is not an address code
        ("433124102", False),  # not six digits
        ("43312a", False),
    ],
)
def test_address_code_is_known_when_county_or_prefecture_exists(
    huayuan_regions: RegionLoadReport, code6: str, known: bool
) -> None:
    assert region_code_known_on(code6, date(1990, 1, 1)) is known


def test_abolished_county_is_known_only_for_births_up_to_its_abolition(
    huayuan_regions: RegionLoadReport, region_source: Path
) -> None:
    drop_rows(region_source / "areas.csv", "433122")
    regions_load(source_dir=region_source, under="433124", edition="2024")
    region_cache_clear()  # the test transaction never commits

    assert Region.objects.get(code="433122000000").valid_to == date(2024, 6, 30)
    assert region_code_known_on("433122", date(1990, 1, 1)) is True
    assert region_code_known_on("433122", date(2024, 6, 30)) is True
    assert region_code_known_on("433122", date(2024, 7, 1)) is False
    assert region_code_known_on("433124", date(2024, 7, 1)) is True


def test_idnumber_parse_checks_the_address_code_against_the_table(
    huayuan_regions: RegionLoadReport,
) -> None:
    known = idnumber.build("433124", date(1990, 5, 17), 123)
    unknown = idnumber.build("433199", date(1990, 5, 17), 123)

    parsed = idnumber.parse(known, today=date(2024, 1, 1), region_known=region_code_known_on)
    assert parsed.birth_date == date(1990, 5, 17)
    with pytest.raises(idnumber.IdNumberError) as caught:
        idnumber.parse(unknown, today=date(2024, 1, 1), region_known=region_code_known_on)
    assert caught.value.code == "region"


def test_huayuan_fixture_loads_from_the_committed_subset(
    huayuan_regions: RegionLoadReport,
) -> None:
    assert REGION_FIXTURE_DIR.name == "regions"
    assert huayuan_regions.by_level == {1: 31, 2: 342, 3: 2975, 4: 12, 5: 228}
    assert Region.objects.filter(code__startswith="433124", level=5).count() == 228
