"""Regenerate the user guide's screenshots (docs/images/*.jpg) from a fresh demo.

    .venv/bin/python scripts/screenshots.py            # or: make screenshots

Builds the demo (``fangpin demo --no-serve``) into a temporary FANGPIN_VAR_DIR, serves it
(``fangpin serve --no-worker``) on a free port, logs in as each demo role with Debian's
chromium (Playwright, the launch settings of tests/browser/conftest.py) and photographs the
pages that role uses, so the pictures in docs/user-guide.md stay true to the code. The server
is stopped and the temporary directory removed however the run ends.

ID numbers stay masked: no reveal button is ever pressed, and before each shot the page text is
searched for an unmasked 18-digit ID number or an 11-digit mobile number; finding one aborts
the run without writing the picture.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "docs" / "images"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Month inputs and file pickers speak the browser's language, not the page's; Chinese needs
    # Debian's chromium-l10n package (without it they stay English, the page itself does not).
    "--lang=zh-CN",
]
CHROMIUM_ZH = Path("/usr/lib/chromium/locales/zh-CN.pak")
DESKTOP: ViewportSize = {"width": 1280, "height": 860}
PHONE: ViewportSize = {"width": 390, "height": 844}
JPEG_QUALITY = 70
FULL_PAGE_LIMIT = 300_000
"""Bytes a full-page shot should stay under; a bigger one is reported, not refused."""
CHART_SETTLE_MS = 1_200
"""ECharts animates for about a second after ``data-drawn="1"`` is set."""

# An unmasked mainland ID number (18 characters, the last may be X) or mobile number. Household
# numbers have 16 digits and region codes 12, so neither matches.
UNMASKED = re.compile(r"(?<![0-9A-Za-z*])(\d{17}[\dXx]|1[3-9]\d{9})(?![0-9A-Za-z*])")

Action = Callable[[Any, str], None]


class ShotError(Exception):
    """A page that should not be photographed (an error page, a login page, unmasked data)."""


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def missing_prerequisite() -> str:
    """Why the browser cannot run here, or ""."""
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        return "需要 chromium（/usr/bin/chromium）：sudo apt-get install chromium"
    try:
        import playwright.sync_api  # noqa: F401  # only to see that it is installed
    except ImportError:
        return "需要 playwright：.venv/bin/pip install -c constraints.txt -e '.[dev]'"
    return ""


# --- the demo and its server ----------------------------------------------------------------


def fangpin_command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from fangpin.cli import main; main()", *args]


def demo_environment(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ, FANGPIN_VAR_DIR=str(var_dir), FANGPIN_MODE="demo")
    env.pop("DATABASE_URL", None)  # the demo's SQLite file in var_dir, never a real database
    return env


def demo_build(var_dir: Path, households: int) -> dict[str, str]:
    """Run the demo into ``var_dir``; return its logins (username → password)."""
    log = var_dir / "demo.log"
    say(f"演示数据：{households:,} 户 → {var_dir}（约 45 秒）")
    started = time.perf_counter()
    with log.open("wb") as out:
        done = subprocess.run(
            fangpin_command("demo", "--no-serve", "--households", str(households)),
            env=demo_environment(var_dir),
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if done.returncode != 0:
        tail = log.read_text("utf-8", errors="replace")[-3000:]
        raise SystemExit(f"fangpin demo 失败（退出码 {done.returncode}）：\n{tail}")
    say(f"  完成，用时 {time.perf_counter() - started:.0f} 秒")
    logins = {}
    for line in (var_dir / "demo-logins.txt").read_text("utf-8").splitlines():
        username, password, _description = line.split("\t", 2)
        logins[username] = password
    return logins


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def demo_server(var_dir: Path) -> Iterator[str]:
    """``fangpin serve --no-worker`` on a free port until the block ends; yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (var_dir / "serve.log").open("wb")
    server = subprocess.Popen(
        fangpin_command("serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port)),
        env=demo_environment(var_dir),
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            if server.poll() is not None:
                tail = (var_dir / "serve.log").read_text("utf-8", errors="replace")[-3000:]
                raise SystemExit(f"fangpin serve 意外退出（退出码 {server.returncode}）：\n{tail}")
            try:
                with urllib.request.urlopen(f"{base}/login/", timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"fangpin serve 在 90 秒内没有响应 {base}/login/")
            time.sleep(0.5)
        say(f"网站：{base}（pid {server.pid}）")
        yield base
    finally:
        if server.poll() is None:
            server.terminate()  # serve turns SIGTERM into a clean stop
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        log.close()


# --- the pages -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Shot:
    name: str
    """File name without .jpg: ``<role>-<page>``."""
    path: str
    """Where to go first (a path on the server)."""
    then: Action | None = None
    """A click or two from there (to reach a page addressed by a random id)."""
    charts: bool = False
    """Wait for every ``div.chart`` to be drawn."""
    full_page: bool = False
    phone: bool = False


def open_first_monitored(page: Any, base: str) -> None:
    """The first household of the list that is monitored with its risk not yet eliminated."""
    page.locator("#results table a[href^='/households/']").first.click()
    page.wait_for_url(re.compile(r"/households/[0-9a-f-]{36}/$"))


def open_plan(page: Any, base: str) -> None:
    open_first_monitored(page, base)
    page.locator("main a[href$='/plan/']").first.click()
    page.wait_for_url(re.compile(r"/plan/$"))


VILLAGE = "village_433124102200"
TOWNSHIP = "township_433124102"
COUNTY = "county_433124"
INSPECTOR = "inspector_433124"
OFFICER = "officer_433124"
ADMIN = "demo_admin"
SECURITY = "demo_security"

ROLES: list[tuple[str, str, list[Shot]]] = [
    (
        "village",
        VILLAGE,
        [
            Shot("village-home", "/"),
            Shot("village-households", "/households/"),
            Shot(
                "village-household",
                "/households/?monitoring_status=open",
                open_first_monitored,
                full_page=True,
            ),
            Shot("village-clues", "/clues/"),
            Shot("village-plan", "/households/?monitoring_status=open", open_plan),
            Shot("village-dashboard-phone", "/dashboard/", charts=True, full_page=True, phone=True),
        ],
    ),
    (
        "township",
        TOWNSHIP,
        [
            Shot("township-dashboard", "/dashboard/", charts=True, full_page=True),
            Shot("township-cases", "/cases/"),
        ],
    ),
    (
        "county",
        COUNTY,
        [
            Shot("county-dashboard", "/dashboard/", charts=True, full_page=True),
            Shot("county-dashboard-work", "/dashboard/work/", charts=True, full_page=True),
            Shot("county-dashboard-results", "/dashboard/results/", charts=True, full_page=True),
            Shot("county-reports", "/reports/"),
            Shot("county-screening", "/screening/"),
            Shot("county-problems", "/problems/"),
            Shot("county-force", "/force/"),
        ],
    ),
    (
        "inspector",
        INSPECTOR,
        [
            Shot("inspector-evaluations", "/evaluation/"),
            Shot("inspector-problems", "/problems/"),
        ],
    ),
    # The demo's department files were published from the command line (a county-wide batch of
    # the system), which a county officer's list does not show: the upload form is the page.
    ("officer", OFFICER, [Shot("officer-feeds-upload", "/feeds/upload/")]),
    # The auditor reads the audit log in the read-only admin (/admin/), not in the web UI.
    ("admin", ADMIN, [Shot("admin-accounts", "/accounts/")]),
    ("security", SECURITY, [Shot("security-roles", "/roles/")]),
]


def login(page: Any, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/")


def check_page(page: Any, status: int | None, name: str) -> None:
    if status is not None and status >= 400:
        raise ShotError(f"{name}：页面返回 {status}（{page.url}）")
    if "/login/" in page.url:
        raise ShotError(f"{name}：停在了登录页（{page.url}）")
    if page.locator("main h1").count() == 0:
        raise ShotError(f"{name}：页面没有标题（{page.url}），可能是错误页")
    found = UNMASKED.search(page.inner_text("body"))
    if found:
        raise ShotError(f"{name}：页面上有未脱敏的号码（…{found.group(0)[-4:]}），不截图")


def take(page: Any, base: str, shot: Shot) -> Path:
    response = page.goto(base + shot.path)
    if shot.then is not None:
        shot.then(page, base)
        response = None
    page.wait_for_load_state("networkidle")
    if shot.charts:
        page.wait_for_function(
            "[...document.querySelectorAll('div.chart')]"
            ".every(el => el.getAttribute('data-drawn') === '1')"
        )
        page.wait_for_timeout(CHART_SETTLE_MS)
    check_page(page, response.status if response is not None else None, shot.name)
    target = OUT_DIR / f"{shot.name}.jpg"
    page.screenshot(path=str(target), type="jpeg", quality=JPEG_QUALITY, full_page=shot.full_page)
    size = target.stat().st_size
    note = "（整页超过 300 KB）" if shot.full_page and size > FULL_PAGE_LIMIT else ""
    say(f"  {target.relative_to(ROOT)}  {size / 1024:.0f} KB{note}")
    return target


def photograph(base: str, logins: dict[str, str]) -> list[Path]:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    executable = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            for role, username, shots in ROLES:
                if username not in logins:
                    raise ShotError(f"demo-logins.txt 中没有演示账号 {username}")
                say(f"{role}（{username}）")
                for phone in (False, True):
                    wanted = [s for s in shots if s.phone == phone]
                    if not wanted:
                        continue
                    context = browser.new_context(
                        viewport=PHONE if phone else DESKTOP,
                        locale="zh-CN",
                        is_mobile=phone,
                        has_touch=phone,
                    )
                    try:
                        page = context.new_page()
                        page.set_default_timeout(30_000)
                        login(page, base, username, logins[username])
                        for shot in wanted:
                            try:
                                made.append(take(page, base, shot))
                            except PlaywrightError as exc:  # a timeout, a missing link
                                first = str(exc).splitlines()[0]
                                raise ShotError(f"{shot.name}：{first}（{page.url}）") from exc
                    finally:
                        context.close()
        finally:
            browser.close()
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description="重新生成使用指南的截图（docs/images/）")
    parser.add_argument(
        "--households",
        type=int,
        default=20000,
        help="演示数据户数（默认 20000，与 make demo 相同）",
    )
    args = parser.parse_args()
    reason = missing_prerequisite()
    if reason:
        sys.stderr.write(f"无法截图：{reason}\n")
        return 2
    if CHROMIUM.exists() and not CHROMIUM_ZH.exists():
        say("提示：未安装 chromium-l10n，截图中的月份选择框和文件选择按钮为英文")
    with tempfile.TemporaryDirectory(prefix="fangpin-screenshots-") as tmp:
        var_dir = Path(tmp)
        logins = demo_build(var_dir, args.households)
        try:
            with demo_server(var_dir) as base:
                made = photograph(base, logins)
        except ShotError as exc:
            sys.stderr.write(f"截图中止：{exc}\n")
            return 1
    total = sum(p.stat().st_size for p in made)
    say(f"共 {len(made)} 张，{total / 1024:.0f} KB，保存在 {OUT_DIR.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
