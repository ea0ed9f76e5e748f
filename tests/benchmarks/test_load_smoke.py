"""The CI smoke of the load benchmark (SECURITY.md scenario 24): a few seconds of locust.

The same locustfile as ``python -m benchmarks --only load``, against pytest-django's live server
on a small world (two villages, a county approver, a township reviewer and a village cadre),
while one small workbook is imported through the web pages by :func:`benchmarks.load.import_run`.
Every page kind must be requested, nothing may fail, no response may be a 5xx, and locust's
``quitting`` hook must exit 0. PostgreSQL pass only: the scenario is about PostgreSQL, and a
live server on SQLite cannot flush the append-only audit log without the browser tests'
purge fixture. Skipped, with the reason, when locust is not installed.
"""

from __future__ import annotations

import json
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from benchmarks.load import (
    BIN,
    KINDS,
    PAGE_KINDS,
    account_sample,
    import_households,
    import_login,
    import_run,
    import_workbook,
    read_stats,
    run_locust,
    server_errors,
)
from fangpin.core.access import SYSTEM
from fangpin.core.models import Region, User
from fangpin.core.selectors import region_cache_clear
from fangpin.dashboards.refresh import tallies_refresh
from fangpin.registry.models import Household, Person
from tests.browser.test_main_paths import DOUWANG, PASSWORD, TUDI, _household, _regions

pytestmark = pytest.mark.postgres

COUNTY = "433124000000"
TOWNSHIP = "433124102000"
USERS = 10
RUN = "6s"
THINK = "0.1,0.4"
IMPORT_ROWS = 12
P95_MS = 60_000
"""The exit code's p95 bound here: benchmarks never fail a build on timing (a shared CI machine
is slow at times), so the smoke's exit code stands for failures, 5xx and kinds not requested."""


@pytest.fixture
def world(transactional_db: None) -> Any:
    """Six households in two villages, the three officials, the county's tallies."""
    region_cache_clear()
    _regions()
    for index, (village, head) in enumerate(
        [
            (TUDI, "张三丰"),
            (TUDI, "李四海"),
            (TUDI, "赵七星"),
            (DOUWANG, "王五洲"),
            (DOUWANG, "赵六合"),
        ],
        start=3,
    ):
        _household(village, head, index)
    users = {
        "county": ("county_approver", COUNTY),
        "township": ("township_reviewer", TOWNSHIP),
        "village": ("village_cadre", TUDI),
    }
    made = {
        level: User.objects.create_user(
            username=f"load_{level}",
            password=PASSWORD,
            role=role,
            home_region=Region.objects.get(code=code),
        )
        for level, (role, code) in users.items()
    }
    tallies_refresh(actor=SYSTEM, county_code=COUNTY)
    yield made
    region_cache_clear()


def test_a_short_load_run_answers_every_page_kind_without_failures(
    live_server: Any, world: dict[str, User], tmp_path: Path
) -> None:
    if not (BIN / "locust").exists():
        pytest.skip("needs locust (pip install -c constraints.txt -e '.[dev]')")
    accounts = [
        account_sample(user=user, password=PASSWORD, weight=1, seed=7) for user in world.values()
    ]
    assert [len(a["households"]) for a in accounts] == [5, 5, 3]
    config = tmp_path / "accounts.json"
    config.write_text(json.dumps({"accounts": accounts}, ensure_ascii=False), "utf-8")
    used = {(date(1980, 5, 1), n) for n in range(3, 8)}  # the heads' ID numbers above
    households = import_households(
        villages=[DOUWANG], rows=IMPORT_ROWS, seed=3, used=used, id_region="433124"
    )
    workbook = tmp_path / "户籍与家庭成员.xlsx"
    assert import_workbook(workbook, households) == IMPORT_ROWS
    before = Household.objects.count(), Person.objects.count()
    imported: list[dict[str, Any]] = []
    session = import_login(live_server.url, username="load_county", password=PASSWORD)
    importer = threading.Thread(
        target=lambda: imported.append(
            import_run(
                live_server.url,
                session=session,
                path=workbook,
                rows=IMPORT_ROWS,
                households=len(households),
            )
        )
    )
    importer.start()
    prefix = tmp_path / "smoke"
    code = run_locust(
        host=live_server.url,
        users=USERS,
        duration=RUN,
        csv_prefix=prefix,
        config=config,
        think=THINK,
        p95_ms=P95_MS,
        steady=tmp_path / "after_logins.json",
        log=tmp_path / "locust.log",
        spawn_rate=USERS,
    )
    importer.join(timeout=120)

    log = (tmp_path / "locust.log").read_text("utf-8")
    assert code == 0, log
    stats = read_stats(Path(f"{prefix}_stats.csv").read_text("utf-8"))
    requested = {kind: stats.get(kind, {}).get("requests", 0) > 0 for kind in KINDS}
    assert requested == dict.fromkeys(KINDS, True), log
    assert (stats["login form"]["requests"], stats["login"]["requests"]) == (USERS, USERS), log
    failures = {kind: stats[kind]["failures"] for kind in (*KINDS, "Aggregated")}
    assert failures == dict.fromkeys((*KINDS, "Aggregated"), 0.0), log
    assert server_errors(Path(f"{prefix}_failures.csv").read_text("utf-8")) == 0
    assert "scenario 24: within bounds" in log
    after = json.loads((tmp_path / "after_logins.json").read_text("utf-8"))
    assert set(after) == {"logins_over_after", "users_answered", "milliseconds"}
    assert after["users_answered"] == USERS
    assert set(after["milliseconds"]) <= set(PAGE_KINDS)
    [result] = imported
    assert (result["status"], result["error"], result["server_errors"]) == ("applied", "", 0), (
        result
    )
    assert (Household.objects.count(), Person.objects.count()) == (
        before[0] + len(households),
        before[1] + IMPORT_ROWS,
    )
