"""Screening runs: request (rights, one active run), execute (bulk write-back), idempotent
re-runs, merging into pending clues, failures that leave everything as it was.

Every test here stands on 花垣县's regions, and the runs on the synthetic county loaded into
the registry: both are loaded once for the module (tests/casework/module_county.py), not once
per test. The module keeps to one xdist worker, so the month's screening, which the stand-in
snapshot caches per process (tests/casework/conftest.py), is computed there once.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from fangpin.casework import services
from fangpin.casework.errors import CaseworkError
from fangpin.casework.models import Clue, RunStatus, ScreeningRun, Warning
from fangpin.casework.selectors import CLUE_FAMILIES
from fangpin.core.access import SYSTEM
from fangpin.core.models import AuditEvent, Role, User
from fangpin.policy import resolve
from fangpin.screening import FINDINGS_FILE, RUN_FILE
from fangpin.workdays import add_working_days
from tests.casework import module_county
from tests.casework.conftest import MONTH, install_snapshot, table_state
from tests.registry.conftest import LONGTAN_TOWNSHIP, LUXI_COUNTY, make_user

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# The regions and the loaded county, once for the module (in place of the per-test fixtures).
module_regions = module_county.module_regions
module_loaded = module_county.module_loaded
huayuan_regions = module_county.huayuan_regions
loaded = module_county.loaded

pytestmark = pytest.mark.xdist_group("casework_runs")


def run_now(**kwargs: Any) -> ScreeningRun:
    """Create and execute a run as the system, like the CLI."""
    values: dict[str, Any] = {"actor": SYSTEM, "month": MONTH, "region_code": "433124"}
    values.update(kwargs)
    run = services.screening_run_create(**values)
    return services.screening_run_execute(run.pk)


def findings(run: ScreeningRun) -> Any:
    return pq.read_table(Path(run.output_dir) / FINDINGS_FILE)


# --- Requesting --------------------------------------------------------------------------------


def test_the_county_approver_queues_a_run(county_approver: User) -> None:
    run = services.screening_run_request(
        actor=county_approver, month=date(2024, 12, 1), region_code="433124"
    )
    assert (run.status, run.region_code, run.year, run.engine) == (
        "queued",
        "433124000000",
        2024,
        "duckdb",
    )
    assert run.requested_by == county_approver
    assert run.output_dir.endswith("screening/433124-2024-12")
    task = DBTaskResult.objects.get()
    assert task.args_kwargs == {"args": [], "kwargs": {"run_pk": run.pk}}
    event = AuditEvent.objects.get(action="screening.request")
    assert event.changes == {
        "month": "2024-12",
        "year": 2024,
        "region": "433124000000",
        "engine": "duckdb",
    }


def test_income_year_defaults_to_the_last_complete_year(county_approver: User) -> None:
    run = services.screening_run_request(
        actor=county_approver, month=date(2025, 3, 1), region_code="433124000000"
    )
    assert run.year == 2024


def test_a_second_active_run_of_the_month_is_refused(county_approver: User) -> None:
    services.screening_run_request(actor=county_approver, month=MONTH, region_code="433124")
    with pytest.raises(CaseworkError) as caught:
        services.screening_run_request(actor=county_approver, month=MONTH, region_code="433124")
    assert (caught.value.code, caught.value.is_conflict) == ("run_active", True)
    assert ScreeningRun.objects.count() == 1
    assert DBTaskResult.objects.count() == 1
    # Another month is fine.
    services.screening_run_request(
        actor=county_approver, month=date(2024, 11, 1), region_code="433124"
    )
    assert ScreeningRun.objects.count() == 2


def test_the_database_allows_one_active_run_per_month_and_region(huayuan_regions: Any) -> None:
    ScreeningRun.objects.create(month=MONTH, year=2024, region_code="433124000000")
    with pytest.raises(IntegrityError), transaction.atomic():
        ScreeningRun.objects.create(
            month=MONTH, year=2024, region_code="433124000000", status="running"
        )
    ScreeningRun.objects.create(month=MONTH, year=2024, region_code="433124000000", status="failed")
    assert ScreeningRun.objects.count() == 2


def test_a_lost_queued_run_no_longer_blocks(county_approver: User) -> None:
    old = services.screening_run_request(actor=county_approver, month=MONTH, region_code="433124")
    ScreeningRun.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - services.STALE_AFTER * 2
    )
    services.screening_run_request(actor=county_approver, month=MONTH, region_code="433124")
    old.refresh_from_db()
    assert old.status == "failed"
    assert old.error_message == "运行中断（超时未完成），原有预警与上次结果未受影响"
    assert ScreeningRun.objects.filter(status="queued").count() == 1


def test_a_running_run_without_progress_for_30_minutes_is_taken_as_killed(
    county_approver: User,
) -> None:
    old = services.screening_run_request(actor=county_approver, month=MONTH, region_code="433124")
    now = timezone.now()
    silent = now - services.HEARTBEAT_STALE_AFTER - timedelta(seconds=1)
    ScreeningRun.objects.filter(pk=old.pk).update(status="running", heartbeat_at=silent)
    services.screening_run_request(actor=county_approver, month=MONTH, region_code="433124")
    old.refresh_from_db()
    assert old.status == "failed"
    assert ScreeningRun.objects.filter(status="queued").count() == 1


def test_a_running_run_with_recent_progress_still_blocks(county_approver: User) -> None:
    old = services.screening_run_request(actor=county_approver, month=MONTH, region_code="433124")
    # Started long ago (a province-sized run), but its progress moved a minute ago.
    ScreeningRun.objects.filter(pk=old.pk).update(
        status="running",
        created_at=timezone.now() - services.STALE_AFTER * 2,
        heartbeat_at=timezone.now() - timedelta(minutes=1),
    )
    with pytest.raises(CaseworkError) as caught:
        services.screening_run_request(actor=county_approver, month=MONTH, region_code="433124")
    assert caught.value.code == "run_active"
    old.refresh_from_db()
    assert old.status == "running"
    assert ScreeningRun.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "home"),
    [
        (Role.VILLAGE_CADRE, "433124102201"),
        (Role.TOWNSHIP_REVIEWER, LONGTAN_TOWNSHIP),
        (Role.DEPARTMENT_OFFICER, "433100000000"),
        (Role.COUNTY_APPROVER, LUXI_COUNTY),  # another county's approver
    ],
)
def test_who_may_not_start_a_run(huayuan_regions: Any, role: str, home: str) -> None:
    user = make_user("someone", role, home)
    with pytest.raises(CaseworkError) as caught:
        services.screening_run_request(actor=user, month=MONTH, region_code="433124")
    assert caught.value.code == "forbidden"
    assert ScreeningRun.objects.count() == 0
    assert DBTaskResult.objects.count() == 0
    assert AuditEvent.objects.filter(action="authz.denied").count() == 1


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"month": date(2024, 12, 2)}, "month"),
        ({"year": 2022}, "month"),
        ({"engine": "pandas"}, "engine"),
        ({"region_code": "43312"}, "region"),
    ],
)
def test_bad_requests_are_refused(county_approver: User, kwargs: dict[str, Any], code: str) -> None:
    values: dict[str, Any] = {"month": MONTH, "region_code": "433124"}
    values.update(kwargs)
    with pytest.raises(CaseworkError) as caught:
        services.screening_run_request(actor=county_approver, **values)
    assert caught.value.code == code
    assert ScreeningRun.objects.count() == 0


# --- Executing -----------------------------------------------------------------------------------


def manifest_counts(manifest: dict[str, Any]) -> dict[str, int]:
    return {r["code"]: r["findings"] for r in manifest["rules"]}


def test_a_run_writes_warnings_and_clues_in_bulk(fake_snapshot: list[dict[str, Any]]) -> None:
    run = run_now()

    assert run.status == RunStatus.SUCCEEDED, run.error_message
    assert fake_snapshot[0]["region_prefix"] == "433124"
    assert fake_snapshot[0]["as_of"] == date(2024, 12, 31)
    table = findings(run)
    manifest = json.loads((Path(run.output_dir) / RUN_FILE).read_text("utf-8"))
    assert run.run_id == manifest["run_id"]
    assert run.edition_id == resolve(2024, "433124").edition_id
    assert run.findings_total == table.num_rows == Warning.objects.count()
    assert (run.warnings_created, run.warnings_updated) == (table.num_rows, 0)
    rows = table.to_pylist()
    clue_households = {r["household_id"] for r in rows if r["family"] in CLUE_FAMILIES}
    assert run.clues_created == len(clue_households) == Clue.objects.count()
    assert run.stage == "已完成"
    assert (run.progress_done, run.progress_total) == (table.num_rows, table.num_rows)
    assert run.heartbeat_at is not None
    # Every rule that ran, zeros included, with the number of households it flagged.
    assert run.rule_counts == manifest_counts(manifest)
    assert sum(run.rule_counts.values()) == table.num_rows
    # Every clue-family warning hangs on its household's clue; quality ones on none.
    for warning in Warning.objects.select_related("clue"):
        if warning.family in CLUE_FAMILIES:
            assert warning.clue is not None
            assert warning.clue.household_id == warning.household_id
            assert warning.verify_deadline == warning.clue.verify_deadline
        else:
            assert warning.clue is None
            assert warning.verify_deadline is None
    today = timezone.localdate()
    deadline = add_working_days(today, resolve(2024, "433124").verification_days)
    assert set(Clue.objects.values_list("received_on", "verify_deadline", "status")) == {
        (today, deadline, "pending")
    }
    assert Counter(Warning.objects.values_list("rule_code", flat=True)) == Counter(
        r["rule_code"] for r in rows
    )
    sample = rows[0]
    stored = Warning.objects.get(household_id=sample["household_id"], rule_code=sample["rule_code"])
    assert (stored.reason_zh, stored.observed, stored.sources, stored.village_code) == (
        sample["reason_zh"],
        sample["observed"],
        sample["sources"],
        sample["village_code"],
    )
    assert (stored.first_run, stored.last_run, stored.run) == (run, run, run)
    event = AuditEvent.objects.get(action="screening.finish")
    assert event.changes["warnings_created"] == table.num_rows


def test_rerunning_a_month_never_duplicates(fake_snapshot: list[dict[str, Any]]) -> None:
    first = run_now()
    warnings, clues = Warning.objects.count(), Clue.objects.count()
    edited = Warning.objects.order_by("id").first()
    assert edited is not None
    Warning.objects.filter(pk=edited.pk).update(reason_zh="旧的原因", outcome="confirmed")
    second = run_now()

    assert second.status == RunStatus.SUCCEEDED
    assert second.findings_total == first.findings_total
    assert (second.warnings_created, second.warnings_updated, second.clues_created) == (
        0,
        first.warnings_created,
        0,
    )
    assert (Warning.objects.count(), Clue.objects.count()) == (warnings, clues)
    assert set(Warning.objects.values_list("first_run", "last_run", "run")) == {
        (first.pk, second.pk, second.pk)
    }
    # The texts are refreshed from the artifact; a recorded outcome stays.
    edited_now = Warning.objects.get(pk=edited.pk)
    assert (edited_now.reason_zh, edited_now.outcome) == (edited.reason_zh, "confirmed")


def test_a_next_month_merges_into_pending_clues(fake_snapshot: list[dict[str, Any]]) -> None:
    first = run_now()
    # The village verified one household's clue meanwhile.
    done = Clue.objects.order_by("id").first()
    assert done is not None
    Clue.objects.filter(pk=done.pk).update(status="verified", outcome="unfounded")
    clues = Clue.objects.count()

    second = run_now(month=date(2025, 1, 1), year=2024)

    assert second.status == RunStatus.SUCCEEDED, second.error_message
    assert second.warnings_created == second.findings_total
    # Same data, same findings: every household with a pending clue merges into it; the
    # verified household gets a new clue.
    assert second.clues_created == 1
    assert Clue.objects.count() == clues + 1
    assert Warning.objects.filter(month=date(2025, 1, 1)).count() == second.findings_total
    fresh = Clue.objects.get(household_id=done.household_id, status="pending")
    assert set(
        Warning.objects.filter(month=date(2025, 1, 1), household_id=done.household_id)
        .exclude(clue=None)
        .values_list("clue", flat=True)
    ) == {fresh.pk}
    assert first.findings_total == second.findings_total


def test_a_failed_snapshot_marks_the_run_failed_and_keeps_everything(
    fake_snapshot: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run_now()
    before = table_state()
    published = (Path(first.output_dir) / RUN_FILE).read_text("utf-8")

    def broken(target: Path, *, region_prefix: str, as_of: date) -> dict[str, int]:
        (target / "registry").mkdir(parents=True)  # an incomplete dataset
        return {}

    install_snapshot(monkeypatch, broken)
    failed = run_now()

    assert failed.status == RunStatus.FAILED
    assert failed.error_message == "输入目录缺少文件 registry/households.parquet（表 households）"
    assert failed.finished_at is not None
    assert table_state() == before
    assert (Path(first.output_dir) / RUN_FILE).read_text("utf-8") == published
    assert AuditEvent.objects.filter(action="screening.fail", result="failure").count() == 1
    # The month is not blocked: it can be run again at once.
    again = services.screening_run_create(actor=SYSTEM, month=MONTH, region_code="433124")
    assert again.status == RunStatus.QUEUED


def test_a_crash_during_write_back_rolls_it_all_back(
    fake_snapshot: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run_now()
    Warning.objects.all().delete()  # so the next run has rows to create
    Clue.objects.all().delete()
    before = table_state()
    real = services.warnings_write_back

    def crash(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)  # everything written …
        raise RuntimeError("disk full")  # … and then the process fails

    monkeypatch.setattr(services, "warnings_write_back", crash)
    with pytest.raises(RuntimeError):
        run_now()

    assert table_state() == before
    failed = ScreeningRun.objects.exclude(pk=first.pk).get()
    assert failed.status == RunStatus.FAILED
    assert failed.error_message.startswith("筛查失败（系统错误）")


def test_a_policy_that_does_not_resolve_fails_the_run(
    fake_snapshot: list[dict[str, Any]],
) -> None:
    run = run_now(month=date(2019, 12, 1))
    assert run.status == RunStatus.FAILED
    assert run.error_message == (
        "无法确定适用的政策版本：没有 2019 年或更早的国家底线政策版本（最早为 2020 年）"
    )
    assert Warning.objects.count() == 0


def test_the_worker_runs_a_requested_run(
    fake_snapshot: list[dict[str, Any]], county_approver: User, settings: Any
) -> None:
    settings.TASKS = IMMEDIATE
    run = services.screening_run_request(actor=county_approver, month=MONTH, region_code="433124")
    assert run.status == RunStatus.SUCCEEDED
    assert run.clues_created == Clue.objects.count()
    assert AuditEvent.objects.get(action="screening.finish").actor_label == "county_huayuan"


def test_executing_a_run_twice_does_nothing_the_second_time(
    fake_snapshot: list[dict[str, Any]],
) -> None:
    run = run_now()
    again = services.screening_run_execute(run.pk)
    assert (again.status, again.warnings_created) == (RunStatus.SUCCEEDED, run.warnings_created)
    assert len(fake_snapshot) == 1
