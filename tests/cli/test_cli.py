"""The `fangpin` command, in process: options reach the services, errors are clear."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from fangpin.cli import app
from fangpin.core.models import Region, RegionLevel
from fangpin.registry.models import Household, Person
from tests.conftest_regions import REGION_FIXTURE_DIR

runner = CliRunner()


def test_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("regions", "generate", "load", "migrate", "demo", "serve"):
        assert command in result.output


def test_regions_load_under_a_county(db: Any) -> None:
    result = runner.invoke(
        app, ["regions", "load", "--under", "433124", "--source", str(REGION_FIXTURE_DIR)]
    )
    assert result.exit_code == 0, result.output
    assert "区划加载完成" in result.output
    assert (
        Region.objects.filter(level=RegionLevel.VILLAGE, code__startswith="433124").count() == 228
    )
    assert (
        Region.objects.filter(level=RegionLevel.TOWNSHIP, code__startswith="433124").count() == 12
    )


def test_regions_load_rejects_a_bad_code_and_writes_nothing(db: Any) -> None:
    result = runner.invoke(
        app, ["regions", "load", "--under", "99x", "--source", str(REGION_FIXTURE_DIR)]
    )
    assert result.exit_code == 1
    assert "错误" in result.output
    assert Region.objects.count() == 0


def test_generate_then_load(huayuan_regions: Any, tmp_path: Path) -> None:
    out = tmp_path / "ds"
    generated = runner.invoke(
        app, ["generate", "--county", "433124", "--households", "60", "--out", str(out)]
    )
    assert generated.exit_code == 0, generated.output
    assert (out / "manifest.json").exists()
    assert (out / "registry" / "persons.parquet").exists()
    loaded = runner.invoke(app, ["load", str(out)])
    assert loaded.exit_code == 0, loaded.output
    assert "导入完成" in loaded.output
    assert Household.objects.count() == 60
    assert Person.objects.filter(relation="01", status="active").count() == 60
    addresses = set(Household.objects.values_list("address", flat=True))
    assert all(a.startswith("湖南省湘西土家族苗族自治州花垣县") for a in addresses)


def test_generate_needs_the_county_loaded(db: Any, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["generate", "--county", "433124", "--households", "10", "--out", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "fangpin regions load" in result.output
    assert not (tmp_path / "manifest.json").exists()


@pytest.mark.parametrize("bad", ["4331", "abcdef"])
def test_generate_rejects_malformed_county_codes(db: Any, tmp_path: Path, bad: str) -> None:
    result = runner.invoke(app, ["generate", "--county", bad, "--out", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert "6 位数字" in result.output


def test_load_of_a_missing_directory_is_a_clear_error(db: Any, tmp_path: Path) -> None:
    result = runner.invoke(app, ["load", str(tmp_path / "nothing")])
    assert result.exit_code == 1
    assert "manifest.json" in result.output
