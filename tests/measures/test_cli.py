"""`fangpin measure` on tiny CSV and Parquet files: values, formats, errors, no Django."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from fangpin.cli import app
from fangpin.measures import fgt, gini, sen, sst
from fangpin.policy import resolve

runner = CliRunner()
WIDE = {"COLUMNS": "250"}
# Haughton and Khandker's country C (100, 110, 150, 160) in two villages, person weights.
CSV = "村,人均纯收入,人口\n甲,100,1\n甲,110,2\n乙,150,1\n乙,160,3\n"


def lines(output: str) -> list[str]:
    return [" ".join(line.split()) for line in output.splitlines() if line.strip()]


@pytest.fixture
def village_csv(tmp_path: Path) -> Path:
    path = tmp_path / "村.csv"
    path.write_text(CSV, "utf-8")
    return path


def measure(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, ["measure", *[str(a) for a in args]], env=WIDE)
    return result.exit_code, result.output


def test_measure_is_listed_in_help() -> None:
    result = runner.invoke(app, ["--help"], env=WIDE)

    assert result.exit_code == 0
    assert "measure" in result.output


def test_table_per_village_and_total_with_chinese_headers(village_csv: Path) -> None:
    code, output = measure(
        "--input", village_csv, "--income-column", "人均纯收入", "--line", "125",
        "--group-by", "村", "--weight-column", "人口",
    )  # fmt: skip

    assert code == 0, output
    out = lines(output)
    assert out[0] == "收入贫困与不平等"
    assert out[1] == (
        "分组 人口 贫困人口 贫困发生率 H 贫困深度 P1 贫困强度 P2 Watts Sen SST 基尼系数 "
        "泰尔指数 T 平均对数偏差 阿特金森 ε=1 阿特金森 ε=2 人均收入"
    )
    # 乙: 150 ×1 and 160 ×3, nobody poor; Gini = 2·1·3·10 / (2·16·157.5) = 0.0119.
    assert out[3].startswith("乙 4 0 0.00% 0.0000 0.0000 0.0000 0.0000 0.0000 0.0119")
    # 甲: 100 ×1, 110 ×2: H = 100%, P1 = (0.2 + 2·0.12)/3 = 0.1467.
    assert out[4].startswith("甲 3 3 100.00% 0.1467")
    assert out[5].startswith("合计 7 3 42.86% 0.0629")
    assert out[6:] == ["标准线 125.00 元/人·年（--line 指定）", "4 行，来自 村.csv"]


def test_on_a_narrow_terminal_few_groups_are_turned_into_columns(village_csv: Path) -> None:
    result = runner.invoke(
        app,
        ["measure", "--input", str(village_csv), "--income-column", "人均纯收入",
         "--line", "125", "--group-by", "村"],
        env={"COLUMNS": "80"},
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    out = lines(result.output)
    assert out[1] == "分组 乙 甲 合计"
    assert out[3:6] == ["人口 2 2 4", "贫困人口 0 2 2", "贫困发生率 H 0.00% 100.00% 50.00%"]
    assert all(len(line) <= 80 for line in result.output.splitlines())


def test_csv_output_has_english_keys_and_exact_values(village_csv: Path) -> None:
    code, output = measure(
        "--input", village_csv, "--income-column", "人均纯收入", "--line", "125", "--format", "csv"
    )

    assert code == 0, output
    header, total = output.splitlines()
    assert header == (
        "group,population,poor,headcount,gap,severity,watts,sen,sst,gini,theil,mld,"
        "atkinson_1,atkinson_2,mean_income"
    )
    values = total.split(",")
    assert values[:4] == ["合计", "4.0", "2.0", "0.5"]
    assert float(values[4]) == pytest.approx(0.08, rel=1e-15)
    assert float(values[7]) == pytest.approx(0.09, rel=1e-14)
    assert float(values[8]) == pytest.approx(0.125, rel=1e-14)


def test_json_takes_the_monitoring_line_of_the_policy_edition(village_csv: Path) -> None:
    code, output = measure(
        "--input", village_csv, "--income-column", "人均纯收入", "--weight-column", "人口",
        "--year", "2024", "--region", "433124", "--format", "json",
    )  # fmt: skip

    assert code == 0, output
    payload = json.loads(output)
    edition = resolve(2024, "433124")
    assert payload["line"]["amount"] == edition.monitoring_line == 7600
    assert payload["line"]["edition_id"] == edition.edition_id
    assert payload["line"]["key"] == "monitoring.income_line"
    assert payload["line"]["is_example"] is True  # 433124's 2024 file is a marked example
    assert payload["rows"] == 4
    total = payload["groups"][-1]
    incomes, weights = [100, 110, 150, 160], [1, 2, 1, 3]
    assert total["group"] is None
    assert total["headcount"] == 1.0
    assert total["gap"] == pytest.approx(fgt(incomes, 7600, 1, weights), rel=1e-15)
    assert total["sen"] == pytest.approx(sen(incomes, 7600, weights), rel=1e-15)
    assert total["sst"] == pytest.approx(sst(incomes, 7600, weights), rel=1e-15)
    assert total["gini"] == pytest.approx(gini(incomes, weights), rel=1e-15)


def test_the_table_names_the_edition_and_warns_of_an_example_file(village_csv: Path) -> None:
    code, output = measure(
        "--input", village_csv, "--income-column", "人均纯收入", "--year", "2024",
        "--region", "433124",
    )  # fmt: skip

    assert code == 0, output
    edition_id = resolve(2024, "433124").edition_id
    assert (
        f"2024 年 433124 监测收入线 7,600 元/人·年（政策版本 {edition_id}，县级 "
        "2024-433124.toml，未证实）；注意：政策版本含示例文件（非真实政策）"
    ) in lines(output)


def test_line_kind_poverty_takes_the_poverty_line(village_csv: Path) -> None:
    code, output = measure(
        "--input", village_csv, "--income-column", "人均纯收入", "--year", "2024",
        "--region", "433124", "--line-kind", "poverty", "--format", "json",
    )  # fmt: skip

    assert code == 0, output
    payload = json.loads(output)
    assert payload["line"]["amount"] == resolve(2024, "433124").poverty_line
    assert payload["line"]["key"] == "poverty_line.amount"


def test_gbk_csv_reads_like_utf8(village_csv: Path, tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(CSV.encode("gbk"))
    args = ["--income-column", "人均纯收入", "--line", "125", "--group-by", "村", "--format", "csv"]

    assert measure("--input", gbk, *args) == measure("--input", village_csv, *args)


def test_parquet_input(tmp_path: Path) -> None:
    path = tmp_path / "p.parquet"
    table = pa.table({"income": [100.0, 110.0, 150.0, 160.0], "village": [1, 1, 2, 2]})
    pq.write_table(table, path)

    code, output = measure(
        "--input", path, "--income-column", "income", "--line", "125", "--group-by", "village",
        "--format", "csv",
    )  # fmt: skip

    assert code == 0, output
    assert [line.split(",")[:4] for line in output.splitlines()[1:]] == [
        ["1", "2.0", "2.0", "1.0"],
        ["2", "2.0", "0.0", "0.0"],
        ["合计", "4.0", "2.0", "0.5"],
    ]


def test_out_writes_the_file(village_csv: Path, tmp_path: Path) -> None:
    target = tmp_path / "result.json"

    code, output = measure(
        "--input", village_csv, "--income-column", "人均纯收入", "--line", "125",
        "--format", "json", "--out", target,
    )  # fmt: skip

    assert code == 0, output
    assert output == f"已写入 {target}\n"
    assert json.loads(target.read_text("utf-8"))["groups"][0]["headcount"] == 0.5


def test_a_zero_income_shows_a_dash_and_a_note(tmp_path: Path) -> None:
    path = tmp_path / "zero.csv"
    path.write_text("y\n0\n100\n200\n", "utf-8")

    code, output = measure("--input", path, "--income-column", "y", "--line", "125")

    assert code == 0, output
    # Poor 0 and 100 of (0, 100, 200): Sen = (2/3)·(0.6 + 25/125) = 0.5333; SST = 0.4 + 4/18;
    # Gini = 800/(2·9·100); Theil = 2·ln 2/3. Watts, MLD and Atkinson have no value.
    assert lines(output)[3] == (
        "合计 3 2 66.67% 0.4000 0.3467 — 0.5333 0.6222 0.4444 0.4621 — — — 100.00"
    )
    assert "—：该组有收入为零或负数的记录，此指标无定义" in lines(output)


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (CSV, ["--income-column", "收入", "--line", "125"],
         "文件 村.csv 中没有列 “收入”；现有列：村、人均纯收入、人口"),
        ("村,人均纯收入\n甲,100\n乙,约5000\n", ["--income-column", "人均纯收入", "--line", "125"],
         "列“人均纯收入”第 3 行不是数值：“约5000”"),
        ("村,人均纯收入\n甲,\n", ["--income-column", "人均纯收入", "--line", "125"],
         "列“人均纯收入”第 2 行为空"),
        ("y,w\n100,1\n200,-2\n", ["--income-column", "y", "--weight-column", "w", "--line", "125"],
         "列“w”第 3 行权重为负数：-2"),
        (CSV, ["--income-column", "人均纯收入", "--line", "125", "--year", "2024"],
         "--line 与 --year/--region 只能二选一"),
        (CSV, ["--income-column", "人均纯收入"],
         "请给出标准线：--line 金额，或 --year 年度与 --region 区划代码（取政策版本）"),
        (CSV, ["--line", "125"], "请用 --income-column 指定人均纯收入列"),
        (CSV, ["--income-column", "人均纯收入", "--line", "-5"], "标准线应为正数，实际为 -5.0"),
        ("y\n", ["--income-column", "y", "--line", "125"], "文件 村.csv 没有数据行"),
        (CSV, ["--income-column", "人均纯收入", "--year", "2019", "--region", "433124"],
         "没有 2019 年或更早的国家底线政策版本（最早为 2020 年）"),
    ],
)  # fmt: skip
def test_errors_are_clear_chinese_with_row_numbers(
    tmp_path: Path, content: str, args: list[str], message: str
) -> None:
    path = tmp_path / "村.csv"
    path.write_text(content, "utf-8")

    result = runner.invoke(app, ["measure", "--input", str(path), *args], env=WIDE)

    assert result.exit_code == 1
    assert " ".join(result.output.split()) == f"错误：{message}"


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    code, output = measure("--input", tmp_path / "无.csv", "--income-column", "y", "--line", "1")

    assert code == 1
    assert " ".join(output.split()) == f"错误：找不到文件：{tmp_path / '无.csv'}"


MPI_CSV = (
    "hh,village,food,clothing,water,education,medical,housing,pcni,size\n"
    "1,A,1,1,1,1,1,1,9000,3\n"
    "2,A,0,1,1,0,1,0,8000,2\n"
    "3,B,1,1,1,1,1,1,5000,4\n"
    "4,B,1,0,1,1,1,1,12000,1\n"
)


def test_mpi_with_the_default_indicator_set(tmp_path: Path) -> None:
    path = tmp_path / "hh.csv"
    path.write_text(MPI_CSV, "utf-8")

    code, output = measure(
        "--input", path, "--mpi", "--income-column", "pcni", "--line", "7100",
        "--group-by", "village", "--weight-column", "size", "--format", "json",
    )  # fmt: skip

    assert code == 0, output
    payload = json.loads(output)
    # Household 2 (A, 2 persons): food, education, housing = 3/9 ≥ 1/3, poor.
    # Household 3 (B, 4 persons): income 5000 < 7100 = 1/3, poor. 6 of 10 persons.
    # M0 = (2·1/3 + 4·1/3)/10 = 0.2.
    assert payload["H"] == 0.6
    assert payload["M0"] == pytest.approx(0.2, rel=1e-15)
    assert [g["group"] for g in payload["groups"]] == ["A", "B", None]
    assert payload["groups"][0]["contribution"] == pytest.approx(100 / 3, rel=1e-14)
    income = payload["indicators"][-1]
    assert (income["column"], income["cutoff"], income["censored_headcount"]) == ("pcni", 7100, 0.4)
    assert sum(i["contribution"] for i in payload["indicators"]) == pytest.approx(100, rel=1e-14)


def test_mpi_table_lists_groups_and_indicators(tmp_path: Path) -> None:
    path = tmp_path / "hh.csv"
    path.write_text(MPI_CSV, "utf-8")

    code, output = measure("--input", path, "--mpi", "--income-column", "pcni", "--line", "7100")

    assert code == 0, output
    out = lines(output)
    assert out[0] == "多维贫困指数（Alkire–Foster）"
    assert out[3] == "合计 4 100.00% 2 50.00% 0.3333 0.1667 100.00%"
    assert "各指标" in out
    assert "人均纯收入不低于标准线 pcni 7,100.00 0.3333 25.00% 25.00% 50.00%" in out


def test_mpi_with_indicators_named_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "hh.csv"
    path.write_text(MPI_CSV, "utf-8")

    code, output = measure(
        "--input", path, "--mpi", "--indicator", "food:1:1", "--indicator", "pcni:line:2",
        "--k", "2", "--k-units", "weight", "--line", "7100", "--format", "json",
    )  # fmt: skip

    assert code == 0, output
    payload = json.loads(output)
    # Poor when the income fails (weight 2): household 3 only. A = 2/3 of the weight.
    assert (payload["H"], payload["k"], payload["k_share"]) == (0.25, 2.0, pytest.approx(2 / 3))
    assert payload["M0"] == pytest.approx(1 / 6, rel=1e-15)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--indicator", "food:1:1"], "用 --indicator 自定义指标时须给出 --k"),
        (["--indicator", "food:1"],
         "--indicator 应为“列名:临界值:权重”（临界值可为 line），实际为“food:1”"),
        (["--line", "7100"], "指标集含收入指标：请用 --income-column 指定人均纯收入列"),
        (["--indicator", "food:1:1", "--k", "x"], "--k 应为数值或分数（如 1/3），实际为“x”"),
        (["--indicator", "food:1:1", "--k", "2"], "k 按权重份额计时应在 (0, 1] 内，实际为 2.0"),
    ],
)  # fmt: skip
def test_mpi_errors(tmp_path: Path, args: list[str], message: str) -> None:
    path = tmp_path / "hh.csv"
    path.write_text(MPI_CSV, "utf-8")

    code, output = measure("--input", path, "--mpi", *args)

    assert code == 1
    assert " ".join(output.split()) == f"错误：{message}"


def test_the_command_never_imports_django(village_csv: Path) -> None:
    script = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from fangpin.cli import app\n"
        f"r = CliRunner().invoke(app, ['measure', '--input', {str(village_csv)!r}, "
        "'--income-column', '人均纯收入', '--year', '2024', '--region', '433124'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))\n"
    )

    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
