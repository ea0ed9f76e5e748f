"""The [force] section: the assisting cadres' load and visits, unconfirmed, only tightened."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fangpin.cli import app
from fangpin.policy import ForceThresholds, Level, PolicyValidationError, load_editions, resolve
from tests.policy.helpers import body, county_override, edited, files_in, write

YEARS = [2020, 2021, 2022, 2023, 2024, 2025]
HOUSEHOLDS_SOURCE = (
    "[D] 全国文件未规定每名帮扶责任人联系户数，DOMAIN.md 亦未给出（§0“不摘帮扶”、"
    "§4.2 帮扶责任人）；由各省自定，常见为不超过5户；5户为本项目占位取值"
)
VISITS_SOURCE = (
    "[D] 全国未规定帮扶责任人走访频次；DOMAIN.md §0 仅载一省“每季度至少上门回访1次”[L]；"
    "每月至少走访每户1次为本项目设计取值"
)
HOUSEHOLDS_LABEL = "每名帮扶责任人联系户数（不超过）"
VISITS_LABEL = "帮扶责任人每月走访每户（不少于）"


def floor(directory: Path, *edits: tuple[str, str]) -> None:
    write(directory, "2024-national.toml", edited("2024-national.toml", *edits))


def only_error(directory: Path) -> tuple[str, str, str, str]:
    with pytest.raises(PolicyValidationError) as caught:
        load_editions(directory)
    assert len(caught.value.errors) == 1, caught.value.errors
    e = caught.value.errors[0]
    return e.code, e.file, e.key, e.message


def test_huayuan_2024_gets_the_floor_values_marked_unconfirmed() -> None:
    edition = resolve(2024, "433124")

    assert edition.force == ForceThresholds(max_households_per_cadre=5, visits_per_month=1)
    assert edition.force.confirmed_keys == frozenset()
    assert edition.force.is_confirmed("max_households_per_cadre") is False
    assert edition.force.is_confirmed("visits_per_month") is False
    households = edition.get("force.max_households_per_cadre")
    assert (households.value, households.confirmed, households.level, households.file) == (
        5, False, Level.NATIONAL, "2024-national.toml",
    )  # fmt: skip
    assert (households.source, households.display) == (HOUSEHOLDS_SOURCE, "5 户")
    visits = edition.get("force.visits_per_month")
    assert (visits.value, visits.confirmed, visits.level, visits.file) == (
        1, False, Level.NATIONAL, "2024-national.toml",
    )  # fmt: skip
    assert (visits.source, visits.display) == (VISITS_SOURCE, "1 次")
    assert {"force.max_households_per_cadre", "force.visits_per_month"} <= set(
        edition.unconfirmed_keys
    )


@pytest.mark.parametrize("year", YEARS)
def test_every_floor_ships_the_same_unconfirmed_placeholders(year: int) -> None:
    edition = resolve(year, "110101")

    assert edition.force == ForceThresholds(max_households_per_cadre=5, visits_per_month=1)
    assert [
        (v.confirmed, v.file, v.source)
        for v in map(edition.get, ("force.max_households_per_cadre", "force.visits_per_month"))
    ] == [
        (False, f"{year}-national.toml", HOUSEHOLDS_SOURCE),
        (False, f"{year}-national.toml", VISITS_SOURCE),
    ]


def test_the_force_values_are_json_with_provenance() -> None:
    data = json.loads(json.dumps(resolve(2024, "433124").as_dict(), ensure_ascii=False))

    assert data["values"]["force.visits_per_month"] == {
        "value": 1,
        "confirmed": False,
        "source": VISITS_SOURCE,
        "level": "national",
        "file": "2024-national.toml",
        "edition_year": 2024,
    }


def test_policy_show_prints_the_force_values_with_provenance() -> None:
    result = CliRunner().invoke(
        app, ["policy", "show", "--year", "2024", "--region", "433124"], env={"COLUMNS": "250"}
    )

    assert result.exit_code == 0, result.output
    out = [" ".join(line.split()) for line in result.output.splitlines() if line.strip()]
    assert (
        f"force.max_households_per_cadre {HOUSEHOLDS_LABEL} 5 户 未证实 国家 2024-national.toml"
        in out
    )
    assert f"force.visits_per_month {VISITS_LABEL} 1 次 未证实 国家 2024-national.toml" in out


# Only tighten: fewer households per cadre, more visits a month.


@pytest.mark.parametrize(
    ("name", "value", "shown", "floor_shown", "label", "way"),
    [
        ("max_households_per_cadre", 8, "8 户", "5 户", HOUSEHOLDS_LABEL, "调低（max）"),
        ("visits_per_month", 0, "0 次", "1 次", VISITS_LABEL, "调高（min）"),
    ],
)
def test_a_province_loosening_a_force_value_is_refused(
    tmp_path: Path, name: str, value: int, shown: str, floor_shown: str, label: str, way: str
) -> None:
    floor(tmp_path)
    write(tmp_path, "2024-43.toml", county_override(2024, "43", body("force", name, value)))
    before = files_in(tmp_path)

    assert only_error(tmp_path) == (
        "loosening",
        "2024-43.toml",
        f"force.{name}",
        f"2024-43.toml：force.{name}：省级版本设为 {shown}，比上级 2024-national.toml 的 "
        f"{floor_shown} 宽松；“{label}”只能{way}",
    )
    assert files_in(tmp_path) == before


def test_a_province_tightening_both_is_accepted_with_its_provenance(tmp_path: Path) -> None:
    floor(tmp_path)
    lines = body("force", "max_households_per_cadre", 4) + (
        'visits_per_month = { value = 2, confirmed = true, source = "x" }\n'
    )
    write(tmp_path, "2024-43.toml", county_override(2024, "43", lines))

    edition = load_editions(tmp_path).resolve(2024, "433124")

    assert edition.force == ForceThresholds(
        max_households_per_cadre=4,
        visits_per_month=2,
        confirmed_keys=frozenset({"force.max_households_per_cadre", "force.visits_per_month"}),
    )
    value = edition.get("force.max_households_per_cadre")
    assert (value.level, value.file, value.confirmed, value.display) == (
        Level.PROVINCE, "2024-43.toml", True, "4 户",
    )  # fmt: skip
    assert resolve(2024, "433124").force.max_households_per_cadre == 5  # shipped: untouched


def test_a_county_is_held_to_its_province_not_only_to_the_floor(tmp_path: Path) -> None:
    floor(tmp_path)
    province = body("force", "max_households_per_cadre", 3)
    county = body("force", "max_households_per_cadre", 4)  # tighter than 5, looser than 3
    write(tmp_path, "2024-43.toml", county_override(2024, "43", province))
    write(tmp_path, "2024-433124.toml", county_override(2024, "433124", county))

    assert only_error(tmp_path) == (
        "loosening",
        "2024-433124.toml",
        "force.max_households_per_cadre",
        "2024-433124.toml：force.max_households_per_cadre：县级版本设为 4 户，比上级 2024-43.toml "
        f"的 3 户 宽松；“{HOUSEHOLDS_LABEL}”只能调低（max）",
    )


@pytest.mark.parametrize(
    ("old", "new", "key", "detail"),
    [
        ("max_households_per_cadre = { value = 5,", "max_households_per_cadre = { value = 0,",
         "force.max_households_per_cadre.value", "0 小于下限 1"),
        ("visits_per_month = { value = 1,", "visits_per_month = { value = -1,",
         "force.visits_per_month.value", "-1 小于下限 0"),
        ("visits_per_month = { value = 1,", "visits_per_month = { value = 1.5,",
         "force.visits_per_month.value", "应为整数，实为 1.5"),
    ],
)  # fmt: skip
def test_force_values_are_whole_numbers_in_range(
    tmp_path: Path, old: str, new: str, key: str, detail: str
) -> None:
    floor(tmp_path, (old, new))

    code = "wrong_type" if "整数" in detail else "bad_value"
    assert only_error(tmp_path) == (code, "2024-national.toml", key,
                                    f"2024-national.toml：{key}：{detail}")  # fmt: skip


def test_a_floor_without_the_force_section_misses_both_keys(tmp_path: Path) -> None:
    text = edited("2024-national.toml")
    write(tmp_path, "2024-national.toml", text[: text.index("\n[force]\n")] + "\n")

    with pytest.raises(PolicyValidationError) as caught:
        load_editions(tmp_path)

    assert [(e.code, e.key) for e in caught.value.errors] == [
        ("missing_key", "force.max_households_per_cadre"),
        ("missing_key", "force.visits_per_month"),
    ]
