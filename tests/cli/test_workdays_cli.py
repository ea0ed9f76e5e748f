"""`fangpin workdays show` and `fangpin workdays add`: exact lines and exit codes."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from fangpin.cli import app

runner = CliRunner()
WIDE = {"COLUMNS": "200"}


def test_workdays_is_listed_in_help() -> None:
    result = runner.invoke(app, ["workdays", "--help"])

    assert result.exit_code == 0
    assert "show" in result.output
    assert "add" in result.output


def test_show_lists_rest_days_adjusted_days_and_source() -> None:
    result = runner.invoke(app, ["workdays", "show", "--year", "2025"], env=WIDE)

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "2025年工作日历：国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号，2024-11-12）",
        "来源：https://m.gmw.cn/2024-11/12/content_1303894933.htm （新华社全文）；"
        "文号见 http://mip.gyhiac.cn/blog/jCiECJtgPIQFRn-11.html 转载全文",
        "证实：是",
        "放假：",
        "  元旦：2025-01-01（星期三），共 1 天",
        "    说明：通知原文：1月1日（周三）放假1天，不调休",
        "  春节：2025-01-28（星期二） 至 2025-02-04（星期二），共 8 天",
        "  清明节：2025-04-04（星期五） 至 2025-04-06（星期日），共 3 天",
        "  劳动节：2025-05-01（星期四） 至 2025-05-05（星期一），共 5 天",
        "  端午节：2025-05-31（星期六） 至 2025-06-02（星期一），共 3 天",
        "  国庆节、中秋节：2025-10-01（星期三） 至 2025-10-08（星期三），共 8 天",
        "调休上班：",
        "  2025-01-26（星期日），春节",
        "  2025-02-08（星期六），春节",
        "  2025-04-27（星期日），劳动节",
        "  2025-09-28（星期日），国庆节、中秋节",
        "  2025-10-11（星期六），国庆节、中秋节",
        "全年工作日 248 天（周一至周五、不含放假日，加调休上班日）",
    ]


def test_show_prints_the_2020_extension_note() -> None:
    result = runner.invoke(app, ["workdays", "show", "--year", "2020"], env=WIDE)

    assert result.exit_code == 0, result.output
    assert "  春节：2020-01-24（星期五） 至 2020-02-02（星期日），共 10 天" in result.output
    assert "    来源：国务院办公厅关于延长2020年春节假期的通知（国办发明电〔2020〕1号" in (
        result.output
    )


def test_show_refuses_a_year_without_data() -> None:
    result = runner.invoke(app, ["workdays", "show", "--year", "2027"], env=WIDE)

    assert result.exit_code == 1
    assert "错误：2027 年不在工作日历范围内（已录入 2020–2026 年）" in result.output


def test_add_gives_the_deadline() -> None:
    result = runner.invoke(app, ["workdays", "add", "--from", "2024-09-27", "--days", "15"])

    assert result.exit_code == 0, result.output
    assert result.output == (
        "2024-09-27（星期五）起 15 个工作日（当天不计）：期限为 2024-10-23（星期三）\n"
    )


def test_add_refuses_a_deadline_past_the_data() -> None:
    result = runner.invoke(
        app, ["workdays", "add", "--from", "2026-12-27", "--days", "15"], env=WIDE
    )

    assert result.exit_code == 1
    assert "错误：2027-01-01 所在的 2027 年不在工作日历范围内" in result.output


def test_add_refuses_a_malformed_date() -> None:
    result = runner.invoke(
        app, ["workdays", "add", "--from", "2024/09/27", "--days", "1"], env=WIDE
    )

    assert result.exit_code == 1
    assert "错误：--from 应为日期，格式 YYYY-MM-DD（如 2024-09-27），实为“2024/09/27”" in (
        result.output
    )


def test_add_refuses_negative_days() -> None:
    result = runner.invoke(
        app, ["workdays", "add", "--from", "2024-09-27", "--days", "-1"], env=WIDE
    )

    assert result.exit_code == 1
    assert "错误：工作日天数不能为负数（-1）：期限只能向后推算" in result.output


def test_the_command_does_not_set_up_django() -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from fangpin.cli import app\n"
        "r = CliRunner().invoke(app, ['workdays', 'add', '--from', '2024-09-27', '--days', '1'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(any(m == 'django.apps' or m.startswith('django.db') for m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert result.stdout.strip() == "False"
