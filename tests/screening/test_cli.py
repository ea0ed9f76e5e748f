"""``fangpin screen`` end to end on a small seeded synthetic county, with no database."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from fangpin.cli import app
from fangpin.screening import FINDINGS_FILE, RULES

# Regression baseline: findings per rule for 花垣县, 300 households, seed 20241, the default
# SynthConfig (reference date 2024-12-31), screened for 2024-12 under resolve(2024, "433124")
# (the national floor plus the example county file: line 7,600, medical share 30%). Derived
# once by running this test's command and counting `rule_code` in findings.parquet; each
# number was then checked by reading the findings' reasons (e.g. the 14 households below the
# line are the synth's low-income draws). A change in synth or in a rule moves these numbers:
# recompute them and say why in the change.
BASELINE = {
    "classification.new_object": 28,
    "elimination.candidate": 1,
    "elimination.reopen": 1,
    "quality.assisted_elimination_below_line": 1,
    "quality.backstop_eliminated": 1,
    "quality.benefit_not_recorded": 1,
    "quality.deceased_still_counted": 6,
    "quality.dual_medical_insurance": 1,
    "quality.duplicate_id_number": 0,
    "quality.early_elimination": 1,
    "quality.eliminated_benefits_without_transfer": 0,
    "quality.eliminated_child_out_of_school": 0,
    "quality.eliminated_without_contact": 0,
    "quality.employment_risk_without_labour": 0,
    "quality.employment_risk_without_work": 0,
    "quality.household_size_mismatch": 0,
    "quality.housing_grade_mismatch": 1,
    "quality.illness_risk_without_oop": 0,
    "quality.implausible_wage_at_identification": 0,
    "quality.lack_of_labour_with_labour": 0,
    "quality.migrant_without_employer": 0,
    "quality.no_labour_not_backstop": 0,
    "quality.quick_assisted_elimination": 0,
    "trigger.accident": 0,
    "trigger.child_out_of_school": 1,
    "trigger.disaster_loss": 3,
    "trigger.earner_death": 2,
    "trigger.employment_loss": 8,
    "trigger.housing_unsafe": 7,
    "trigger.income_below_line": 14,
    "trigger.income_drop": 6,
    "trigger.labour_loss": 0,
    "trigger.large_hospital_bill": 4,
    "trigger.medical_oop_share": 12,
    "trigger.new_severe_disability": 1,
    "trigger.rigid_spending": 3,
    "trigger.water_unsafe": 24,
}


def test_screen_command_on_a_synthetic_county_matches_the_baseline(
    county: Path, tmp_path: Path
) -> None:
    out = tmp_path / "result"
    args = [
        "screen",
        "--input",
        str(county),
        "--out",
        str(out),
        "--year",
        "2024",
        "--region",
        "433124",
        "--month",
        "2024-12",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "共 127 条发现" in result.output
    assert "风险触发" in result.output
    findings = pq.read_table(out / FINDINGS_FILE)
    counts = Counter(findings["rule_code"].to_pylist())
    assert {code: counts.get(code, 0) for code in RULES} == BASELINE
    assert sum(BASELINE.values()) == findings.num_rows == 127


def test_screen_command_refuses_bad_input_in_chinese(county: Path, tmp_path: Path) -> None:
    out = tmp_path / "result"
    result = CliRunner().invoke(
        app,
        [
            "screen",
            "--input",
            str(tmp_path / "nowhere"),
            "--out",
            str(out),
            "--year",
            "2024",
            "--region",
            "433124",
        ],
    )
    assert result.exit_code == 2
    assert "输入目录不存在" in result.output
    assert not out.exists()
    bad_month = CliRunner().invoke(
        app,
        [
            "screen",
            "--input",
            str(county),
            "--out",
            str(out),
            "--year",
            "2024",
            "--region",
            "433124",
            "--month",
            "2023-05",
        ],
    )
    assert bad_month.exit_code == 2
    assert "与收入年度 2024 不符" in bad_month.output
    assert not out.exists()


def test_screen_command_never_imports_django(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from fangpin.cli import app\n"
        f"r = CliRunner().invoke(app, ['screen', '--input', {str(tmp_path)!r}, '--out', "
        f"{str(tmp_path / 'o')!r}, '--year', '2024', '--region', '433124', '--engine', 'flink'])\n"
        "assert r.exit_code == 2, r.output\n"
        "assert '不支持计算引擎' in r.output, r.output\n"
        "assert not [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_screen_command_takes_a_memory_limit(county: Path, tmp_path: Path) -> None:
    out = tmp_path / "result"
    base = ["screen", "--input", str(county), "--year", "2024", "--region", "433124"]

    bounded = CliRunner().invoke(app, [*base, "--out", str(out), "--memory-limit", "512MB"])
    bad = CliRunner().invoke(app, [*base, "--out", str(tmp_path / "bad"), "--memory-limit", "lots"])
    spark = CliRunner().invoke(
        app,
        [*base, "--out", str(tmp_path / "s"), "--engine", "spark", "--memory-limit", "1GB"],
    )

    assert bounded.exit_code == 0, bounded.output
    assert "共 127 条发现" in bounded.output
    assert pq.read_table(out / FINDINGS_FILE).num_rows == 127
    assert bad.exit_code == 2
    assert "内存上限“lots”格式不对，应为数字加单位，如 2GB、512MB" in bad.output
    assert not (tmp_path / "bad").exists()
    assert spark.exit_code == 2
    assert "--memory-limit 只能与 DuckDB 引擎一起使用" in spark.output
    assert not (tmp_path / "s").exists()
