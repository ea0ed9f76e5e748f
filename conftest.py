"""Test-suite wiring shared by every test package.

- FANGPIN_MODE=test unless already set (the Makefile sets it too).
- Tests marked ``postgres`` skip with a visible reason on SQLite; the pure cores' tests skip,
  with a visible reason, in the PostgreSQL pass (no database: they ran in the SQLite pass).
- Every test gets its own VAR_DIR, so nothing writes into ./var.
- No test may log a full ID number or mobile number (scenario 26): see the fixture at the end.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from fangpin.core.logmask import mask_text

os.environ.setdefault("FANGPIN_MODE", "test")

pytest_plugins = ["tests.conftest_regions", "tests.conftest_demo"]


def pytest_report_header(config: pytest.Config) -> str:
    from django.db import connection

    return f"fangpin database: {connection.vendor} ({connection.settings_dict['NAME']})"


#: Test packages of the pure cores: they never touch a database, so the PostgreSQL pass skips
#: them (they ran, identically, in the SQLite pass).
PURE_TEST_PACKAGES = (
    "idnumber",
    "regioncode",
    "fieldcrypto",
    "synth",
    "contract",
    "policy",
    "screening",
    "workdays",
    "sheets",
    "procedure",
    "integrity",
    "measures",
    "sampling",
    "ledger",
)

#: Test packages that drive the app end to end through a browser: they run in the SQLite pass
#: only. Their database work is the pages' and services', which the page and service tests
#: cover on PostgreSQL; running the browser twice would cost minutes and prove nothing more.
#: tests/e2e runs ``fangpin demo`` and ``fangpin serve`` as processes on their own SQLite file
#: whatever DATABASE_URL says (tests/conftest_demo.py), so a second pass would repeat it exactly.
SQLITE_ONLY_PACKAGES = ("browser", "e2e")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        tests_dir = Path(__file__).parent / "tests"
        pure = pytest.mark.skip(reason="pure core, no database: runs in the SQLite pass")
        once = pytest.mark.skip(
            reason="runs in the SQLite pass only (browser journeys, tests marked sqlite_only)"
        )
        for item in items:
            path = Path(item.path)
            package = path.relative_to(tests_dir).parts[0] if path.is_relative_to(tests_dir) else ""
            if package in PURE_TEST_PACKAGES:
                item.add_marker(pure)
            elif package in SQLITE_ONLY_PACKAGES or "sqlite_only" in item.keywords:
                item.add_marker(once)
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL: runs in the PostgreSQL pass (FANGPIN_TEST_POSTGRES_URL)"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolated_var_dir(tmp_path: Path, settings: object) -> Path:
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    settings.VAR_DIR = var_dir  # type: ignore[attr-defined]
    return var_dir


# --- Scenario 26: no log line of any test carries a full ID number or mobile number -------------
#: An 18-character ID number or an 11-digit mobile number, not inside a longer run of letters
#: and digits (a bank card, a hex ID). The shapes of fangpin.core.logmask, which masks them.
_PERSONAL_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|1[3-9]\d{9})(?![0-9A-Za-z])")


class _PersonalNumberScan(logging.Handler):
    """Keep, masked, each record whose text still holds a personal number when it reaches us.

    Added last to every logger that writes somewhere (the root and the non-propagating ones, such
    as ``fangpin`` and ``fangpin.audit``), it sees a record after the handlers before it, so it
    checks what the app's own handlers wrote: the console's mask filter has rewritten the record
    by then; a handler without that filter (the audit sink) shows its text as it is.
    """

    def __init__(self) -> None:
        super().__init__()
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_text:
            text += "\n" + record.exc_text
        elif record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        if _PERSONAL_NUMBER.search(text):
            self.leaks.append(f"{record.name} {record.levelname}: {mask_text(text)[:300]}")


@pytest.fixture(autouse=True)
def _no_personal_numbers_in_logs() -> Iterator[None]:
    """Fail the test (at teardown) if a log record it produced showed a full personal number.

    The failure message shows the record masked, so the CI log does not leak it either.
    """
    scan = _PersonalNumberScan()
    loggers = [logging.getLogger()] + [
        logger
        for logger in list(logging.Logger.manager.loggerDict.values())
        if isinstance(logger, logging.Logger) and not logger.propagate and logger.handlers
    ]
    for logger in loggers:
        logger.addHandler(scan)
    yield
    for logger in loggers:
        logger.removeHandler(scan)
    if scan.leaks:
        pytest.fail(
            "a log record showed a full ID number or mobile number (shown masked here; mask it "
            "where it is logged, or route it through fangpin.core.logmask):\n"
            + "\n".join(scan.leaks),
            pytrace=False,
        )
