"""Browser tests (Playwright, sync API, Debian's chromium) against pytest-django's live server.

They run on SQLite and PostgreSQL alike. The live server needs committed data, hence
``transactional_db``; the audit log's append-only triggers refuse the DELETE that flushes a
transactional SQLite test, so ``audit_log_emptied_after`` (a copy of the fixture in
tests/core/test_audit_append_only.py) empties the log through the purge guard first.

Skipped with a visible reason when chromium or the playwright package is missing. Screenshots
go to ``test-artifacts/screenshots/`` (gitignored).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from fangpin.core.audit import _set_purge_guard
from fangpin.core.models import AuditChain, AuditEvent

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _missing() -> str:
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        return "needs chromium at /usr/bin/chromium (apt-get install chromium; .ci/run does)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "needs the playwright package (pip install -c constraints.txt -e '.[dev]')"
    return ""


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A headless chromium for one test (about a second to start).

    Playwright's sync API runs an event loop in this thread; the test's own ORM calls (setup
    and checks) are ordinary blocking calls, which Django refuses next to a running loop unless
    told otherwise — only for the browser tests, hence function scope and monkeypatch.
    """
    reason = _missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        executable = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def audit_log_emptied_after(transactional_db: None) -> Iterator[None]:
    """Let a transactional test that wrote audit events be flushed on SQLite.

    Django flushes with TRUNCATE on PostgreSQL, which fires no row triggers, but with DELETE on
    SQLite, which the delete trigger refuses. This empties the log through the purge guard, as
    audit_purge does; being set up after ``transactional_db``, it is torn down before the flush.
    """
    yield
    with transaction.atomic():
        chain, _created = AuditChain.objects.get_or_create(pk=1)
        _set_purge_guard(chain, on=True)
        AuditEvent.objects.all().delete()
        _set_purge_guard(chain, on=False)
