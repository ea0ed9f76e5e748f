"""`fangpin demo --no-serve` then `fangpin serve`, as real processes, the way a newcomer runs them.

The demo builds a fresh SQLite registry (that is what it is for), so these run in the SQLite
pass only.
"""

from __future__ import annotations

import http.cookiejar
import re
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.db import connection

from fangpin.screening import RULES
from tests.conftest_demo import demo_env

FANGPIN = Path(sys.executable).parent / "fangpin"

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "sqlite",
        reason="the demo always builds a fresh SQLite database; covered by the SQLite pass",
    ),
    pytest.mark.xdist_group("demo"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def demo(demo_run: tuple[Path, str]) -> tuple[Path, str]:
    """The shared demo run (tests/conftest_demo.py)."""
    return demo_run


def test_demo_builds_the_registry_and_prints_logins(demo: tuple[Path, str]) -> None:
    var_dir, output = demo
    database = var_dir / "fangpin.sqlite3"
    with sqlite3.connect(database) as db:
        households = db.execute("select count(*) from registry_household").fetchone()[0]
        heads = db.execute(
            "select count(*) from registry_person where relation = '01' and status = 'active'"
        ).fetchone()[0]
        villages = db.execute(
            "select count(*) from core_region where level = 5 and code like '433124%'"
        ).fetchone()[0]
        users = {row[0] for row in db.execute("select username from core_user")}
    assert households == heads == 300 + 3  # the generated 300, and ⑪ imports 3 from Excel
    assert villages == 228
    assert users == {
        "demo_admin",
        "county_433124",
        "township_433124102",
        "township_433124102_b",
        "village_433124102200",
        "auditor_433124",
        "officer_433124",
        "inspector_433124",
        "demo_security",
    }
    logins = (var_dir / "demo-logins.txt").read_text("utf-8").splitlines()
    assert len(logins) == 9
    assert stat.S_IMODE((var_dir / "demo-logins.txt").stat().st_mode) == 0o600
    for line in logins:
        username, password, _ = line.split("\t")
        assert f"{username}  {password}" in output.replace(" " * 3, "  ") or password in output
    assert (var_dir / "synth" / "433124-5" / "feeds").is_dir()
    # The eight department files are published and the month is screened.
    assert output.count("（已发布）") == 8
    # ⑨: the demo village's cases, one recorded as a monitoring object, one rejected.
    assert re.search(r"⑨ 识别认定：.*办理案件 [0-9,]+ 件（.*纳入监测 1.*不予认定 1", output)
    assert re.search(r"⑩ 帮扶计划：[0-9,]+ 户监测对象 [0-9,]+ 项帮扶措施", output)
    # ⑪: the first upload's two mistakes, then the fixed file imported once.
    assert (
        "⑪ Excel导入：第一次上传发现 2 处错误（未写入任何数据，错误清单已生成）；"
        "改正后导入 3 户 8 人" in output
    )
    assert (var_dir / "demo" / "excel" / "导入错误清单.xlsx").is_file()
    # ⑫: the ledger's four problems, one of each status.
    assert "⑫ 整改台账：暗访和举报发现问题 4 个，已核实销号 1 个，核实未通过退回 1 个" in output
    pushed = re.search(
        r"2024-12 筛查发现的数据质量问题 ([0-9,]+) 个已导入整改台账（新登记 ([0-9,]+) 个", output
    )
    assert pushed is not None
    assert pushed.group(1) == pushed.group(2) != "0"
    assert "⑥ 月度筛查（2024-12" in output
    findings = pq.read_table(var_dir / "screening" / "433124-2024-12" / "findings.parquet")
    assert findings.num_rows > 0
    assert set(findings.column("rule_code").to_pylist()) <= set(RULES)


def _login(base: str, username: str, password: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/admin/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token.group(1),
            "username": username,
            "password": password,
            "next": "/admin/",
        }
    ).encode()
    request = urllib.request.Request(
        f"{base}/admin/login/?next=/admin/", data=form, headers={"Referer": f"{base}/admin/login/"}
    )
    opener.open(request).read()
    return opener


def test_serve_starts_web_worker_and_scheduler_and_stops_cleanly(demo: tuple[Path, str]) -> None:
    var_dir, _ = demo
    port = free_port()
    process = subprocess.Popen(
        [str(FANGPIN), "serve", "--port", str(port)],
        env=demo_env(var_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/admin/login/", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.5)
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        assert len(children) == 2  # the django-tasks worker and the scheduler
        worker, scheduler = (
            Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ") for child in children
        )
        assert b"db_worker" in worker
        assert scheduler.endswith(b"main() scheduler ")

        username, password, _ = (
            (var_dir / "demo-logins.txt").read_text("utf-8").splitlines()[1].split("\t")
        )
        opener = _login(base, username, password)
        page = opener.open(f"{base}/admin/registry/household/").read().decode()
        assert "农户" in page
        assert "433124" in page
        # Static assets are served by the app itself.
        css = opener.open(f"{base}/static/admin/css/base.css")
        assert css.status == 200
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "已停止" in output
