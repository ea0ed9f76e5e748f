"""`fangpin policy show` and `fangpin policy check`: exact lines, JSON and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from fangpin.cli import app
from fangpin.policy import resolve
from tests.policy.helpers import county_override, edited, write

runner = CliRunner()
WIDE = {"COLUMNS": "200"}


def lines(output: str) -> list[str]:
    """Output lines with runs of spaces collapsed (the table pads to the terminal width)."""
    return [" ".join(line.split()) for line in output.splitlines() if line.strip()]


def test_policy_is_listed_in_help() -> None:
    result = runner.invoke(app, ["policy", "--help"])

    assert result.exit_code == 0
    assert "show" in result.output
    assert "check" in result.output


def test_show_prints_each_value_with_marker_level_and_file() -> None:
    result = runner.invoke(
        app, ["policy", "show", "--year", "2024", "--region", "433124"], env=WIDE
    )

    assert result.exit_code == 0, result.output
    out = lines(result.output)
    assert out[0] == f"政策版本 {resolve(2024, '433124').edition_id}"
    assert out[1] == "键 名称 值 证实 层级 文件"
    assert (
        "monitoring.income_line 监测收入线（监测范围） 7,600 元/人·年 未证实 县 2024-433124.toml"
        in out
    )
    assert "procedure.notice_days 村级公示天数（不少于） 5 日 国家 2024-national.toml" in out
    assert (
        "triggers.medical_oop_share 合规自付医疗费用占家庭纯收入比例 30% 未证实 县 2024-433124.toml"
        in out
    )
    assert "elimination.require_water 饮水安全须巩固 是 国家 2024-national.toml" in out
    assert out[-3:] == [
        "县级：2024-433124.toml（示例：花垣县2024年收紧示例（非真实政策））；依据：示例文件，非真实政策文件；供测试与文档演示",
        "共 49 项，其中未证实 38 项",
        "注意：含示例文件（非真实政策）：2024-433124.toml",
    ]


def test_show_on_a_narrow_terminal_drops_the_label_column() -> None:
    result = runner.invoke(app, ["policy", "show", "--year", "2021", "--region", "110101"])

    assert result.exit_code == 0, result.output
    assert lines(result.output)[1] == "键 值 证实 层级 文件"
    assert "注意" not in result.output


def test_show_json_is_the_resolved_edition() -> None:
    result = runner.invoke(
        app, ["policy", "show", "--year", "2021", "--region", "433124", "--json"]
    )

    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data == json.loads(json.dumps(resolve(2021, "433124").as_dict()))
    assert data["values"]["monitoring.income_line"]["value"] == 6000
    assert data["values"]["monitoring.income_line"]["confirmed"] is True


def test_show_year_without_edition_exits_1() -> None:
    result = runner.invoke(app, ["policy", "show", "--year", "2019", "--region", "433124"])

    assert result.exit_code == 1
    assert lines(result.output) == ["错误：没有 2019 年或更早的国家底线政策版本（最早为 2020 年）"]


def test_show_bad_region_exits_1() -> None:
    result = runner.invoke(app, ["policy", "show", "--year", "2024", "--region", "4331"])

    assert result.exit_code == 1
    assert lines(result.output) == ["错误：区划代码“4331”应为 6 位或 12 位数字"]


def test_show_with_a_broken_directory_exits_1(tmp_path: Path) -> None:
    write(tmp_path, "2024-national.toml", "oops")

    result = runner.invoke(
        app, ["policy", "show", "--year", "2024", "--region", "433124", "--dir", str(tmp_path)]
    )

    assert result.exit_code == 1
    assert lines(result.output) == [
        "错误：政策版本文件有误（共 1 处），请运行 fangpin policy check"
    ]


def test_check_passes_on_the_shipped_editions() -> None:
    result = runner.invoke(app, ["policy", "check"])

    assert result.exit_code == 0, result.output
    assert lines(result.output) == [
        "政策版本校验通过：7 个文件；国家底线 6 个（2020–2025 年）；下级版本 1 个（其中示例 1 个）"
    ]


def test_check_prints_every_error_and_exits_1(tmp_path: Path) -> None:
    write(
        tmp_path, "2024-national.toml", edited("2024-national.toml", ("value = 0.4,", "value = 2,"))
    )
    body = '[risks]\nmax_per_household = { value = 6, confirmed = true, source = "x" }\n'
    write(tmp_path, "2024-43.toml", county_override(2024, "43", body))

    result = runner.invoke(app, ["policy", "check", str(tmp_path)], env=WIDE)

    assert result.exit_code == 1
    assert lines(result.output) == [
        "[fixed_field] 2024-43.toml：risks.max_per_household："
        "为固定项（fixed），省级版本不得覆盖，只能由国家底线设定",
        "[bad_value] 2024-national.toml：triggers.medical_oop_share.value：2.0 大于上限 1",
        "错误：政策版本校验未通过：共 2 处错误",
    ]
