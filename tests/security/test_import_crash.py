"""SECURITY.md §5 scenario 17 (REL-TX-1): an import that crashes part-way writes nothing.

- An exception at row 2,500 of a 5,000-row apply, in a real transaction (not a savepoint).
- A real ``SIGKILL`` of a process applying a batch, and of the worker checking a large file
  in the background, each killed once it has started writing.
- The database connection closed under the apply.

Every time the registry's row counts stay as they were and the same file, uploaded again,
imports exactly once. A killed apply leaves nothing to clean up: the batch is claimed inside
the apply's transaction, so it stays ``checked`` (nothing was written, it can be applied
again) and there is no "running" state to go stale. A killed background check leaves its job
``running``; it is marked failed (and its spooled upload deleted) once it has made no
progress for ``jobs.STALE_AFTER``.

The killed and disconnected processes are subprocesses on the test database. On SQLite that
database lives in memory, so it is copied to a file for them and copied back afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import timezone

from fangpin.core.audit import _set_purge_guard
from fangpin.core.models import AuditChain, AuditEvent, User
from fangpin.imports import applying, jobs
from fangpin.imports.errors import ImportAlreadyAppliedError
from fangpin.imports.models import ImportBatch
from fangpin.imports.services import import_apply, import_check
from fangpin.imports.staging import batch_dir, spool_dir
from fangpin.registry.models import Household, Person
from tests.imports.conftest import TUDI, headers_of, unique_ids, write_xlsx
from tests.registry import conftest as registry

# The registry's fixtures, re-exported by name so pytest finds them here.
village = registry.village
tudi_cadre = registry.tudi_cadre
counts = registry.counts

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 5_000
CRASH_ROW = 2_500
#: The subprocess tests kill or disconnect a smaller import the same way, halfway through.
SMALL_ROWS = 1_200
SMALL_CRASH_ROW = 600
ROOT = Path(__file__).resolve().parents[2]
KEYS = [
    "head_id_number",
    "village_code",
    "household_type",
    "registered_on",
    "name",
    "id_number",
    "relation",
]


@pytest.fixture(autouse=True)
def audit_log_emptied_after(transactional_db: None) -> Iterator[None]:
    """Let these committing tests be flushed on SQLite (as in tests/core/test_audit_append_only):
    Django flushes SQLite with DELETE, which the audit log's trigger refuses, so the log is
    emptied through the purge guard first (set up after ``transactional_db``, torn down before
    its flush)."""
    yield
    with transaction.atomic():
        chain, _created = AuditChain.objects.get_or_create(pk=1)
        _set_purge_guard(chain, on=True)
        AuditEvent.objects.all().delete()
        _set_purge_guard(chain, on=False)


def households_workbook(folder: Path, count: int) -> Path:
    """``count`` new households of one person each in 土地村."""
    rows = [[n, TUDI, "1", "2024-03-01", "张三", n, "01"] for n in unique_ids(count)]
    return write_xlsx(folder / f"{count}户.xlsx", headers_of("households", KEYS), rows)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """5,000 rows, written once for the module."""
    return households_workbook(tmp_path_factory.mktemp("crash"), ROWS)


@pytest.fixture(scope="module")
def small_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return households_workbook(tmp_path_factory.mktemp("crash"), SMALL_ROWS)


def check(actor: User, path: Path, rows: int) -> ImportBatch:
    batch = import_check(actor=actor, entity="households", path=path, file_name=path.name)
    assert (batch.status, batch.row_count, batch.error_count) == ("checked", rows, 0)
    return batch


def assert_imported_once(
    before: dict[str, int], take: Callable[[], dict[str, int]], rows: int
) -> None:
    """Exactly one set of rows (a household and a person per row), no ID number twice."""
    after = take()
    assert after == {
        **before,
        "household": before["household"] + rows,
        "person": before["person"] + rows,
        "event": before["event"] + rows,
        "status": before["status"] + rows,
        "audit": after["audit"],
    }
    assert Person.objects.values("id_number_index").distinct().count() == Person.objects.count()
    assert AuditEvent.objects.filter(action="registry.import").count() == 1


def assert_second_upload_refused(
    actor: User, path: Path, take: Callable[[], dict[str, int]]
) -> None:
    before = take()
    with pytest.raises(ImportAlreadyAppliedError) as refused:
        import_check(actor=actor, entity="households", path=path, file_name=path.name)
    assert refused.value.message.endswith("导入，不会重复导入")
    assert take() == before


# --- (a) An exception at row 2,500 --------------------------------------------------------------


def test_exception_at_row_2500_of_5000_rolls_back_and_the_file_imports_once_after(
    tudi_cadre: User,
    workbook: Path,
    counts: Callable[[], dict[str, int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    batch = check(tudi_cadre, workbook, ROWS)
    before = counts()
    real_bulk = applying._bulk
    seen: dict[str, int] = {}

    def crash_at_row_2500(model: Any, objs: list[Any]) -> list[Any]:
        if model is Person:
            real_bulk(model, objs[:CRASH_ROW])
            seen["persons_in_transaction"] = Person.objects.count()
            raise OSError("disk gone at row 2,500")
        return real_bulk(model, objs)

    monkeypatch.setattr(applying, "_bulk", crash_at_row_2500)

    with pytest.raises(OSError, match="row 2,500"):
        import_apply(actor=tudi_cadre, batch_id=batch.pk)

    assert seen == {"persons_in_transaction": before["person"] + CRASH_ROW}
    assert counts() == before  # committed state: the households written first are gone too
    stored = ImportBatch.objects.get(pk=batch.pk)
    assert (stored.status, stored.version, stored.counts, stored.applied_at) == (
        "checked",
        1,
        {},
        None,
    )
    assert (batch_dir(batch.pk) / "staged.parquet").exists()  # still there to apply

    monkeypatch.setattr(applying, "_bulk", real_bulk)
    again = check(tudi_cadre, workbook, ROWS)  # the same file uploaded again: the same batch
    assert again.pk == batch.pk
    done = import_apply(actor=tudi_cadre, batch_id=again.pk)

    assert (done.status, done.counts) == ("applied", {"households": ROWS, "persons": ROWS})
    assert_imported_once(before, counts, ROWS)
    assert_second_upload_refused(tudi_cadre, workbook, counts)


# --- Subprocesses on the test database ----------------------------------------------------------


_WORKER = r"""
import json, os, sys, time
from pathlib import Path

import django

django.setup()
from django.db import connection

from fangpin.core.models import User
from fangpin.imports import applying, jobs, services
from fangpin.registry.models import Person

args = json.loads(sys.argv[1])
mode, marker = args["mode"], Path(args["marker"])


def started_writing():
    marker.write_text(str(os.getpid()))
    time.sleep(120)  # the test kills us here


real_bulk = applying._bulk


def hooked_bulk(model, objs):
    if model is Person and mode in ("apply_kill", "apply_drop"):
        real_bulk(model, objs[: args["crash_row"]])
        if mode == "apply_kill":
            started_writing()
        connection.close()  # the connection drops under the transaction
    return real_bulk(model, objs)


applying._bulk = hooked_bulk
real_check = services.import_check


def slow_check(**kwargs):
    report = kwargs.pop("progress")

    def progress(done, total):
        report(done, total)
        if done >= args["crash_row"]:
            started_writing()

    return real_check(progress=progress, **kwargs)


services.import_check = slow_check
try:
    if mode == "check_kill":
        print(json.dumps({"result": jobs.import_check_job_run.call(args["job_id"])}))
    else:
        actor = User.objects.get(username=args["username"])
        batch = services.import_apply(actor=actor, batch_id=args["batch_id"])
        print(json.dumps({"status": batch.status, "counts": batch.counts}))
except Exception as exc:
    print(json.dumps({"error": f"{type(exc).__module__}.{type(exc).__name__}",
                      "message": str(exc)}))
"""


class SharedDatabase:
    """The test database, shared with a subprocess.

    PostgreSQL: the test database itself (these tests commit). SQLite: the test database lives
    in memory, so :meth:`export` copies it to a file for the subprocess and :meth:`restore`
    copies that file back over it once the subprocess is done (SQLite's backup API).
    """

    def __init__(self, folder: Path) -> None:
        self.copy = folder / "shared.sqlite3"

    def export(self) -> str:
        """The subprocess's DATABASE_URL."""
        if connection.vendor == "postgresql":
            db = connection.settings_dict
            user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
            return f"postgres://{user}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
        connection.ensure_connection()
        with closing(sqlite3.connect(self.copy)) as target:
            connection.connection.backup(target)
        return f"sqlite:///{self.copy}"

    def restore(self) -> None:
        if connection.vendor == "postgresql":
            return
        connection.ensure_connection()
        with closing(sqlite3.connect(self.copy)) as source:
            source.backup(connection.connection)


@pytest.fixture
def shared_db(tmp_path: Path) -> SharedDatabase:
    return SharedDatabase(tmp_path)


def worker_env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FANGPIN_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="fangpin.settings",
        FANGPIN_MODE="test",
        FANGPIN_VAR_DIR=str(django_settings.VAR_DIR),
        DATABASE_URL=url,
    )
    return env


def run_worker(url: str, tmp_path: Path, **args: Any) -> dict[str, Any]:
    """Run the worker to its end; its JSON report."""
    done = subprocess.run(
        [sys.executable, "-c", _WORKER, json.dumps({"marker": str(tmp_path / "m"), **args})],
        env=worker_env(url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def kill_once_writing(url: str, tmp_path: Path, **args: Any) -> int:
    """Start the worker, wait until it reports it has started writing, SIGKILL it; its
    return code."""
    marker = tmp_path / "started"
    worker = subprocess.Popen(
        [sys.executable, "-c", _WORKER, json.dumps({"marker": str(marker), **args})],
        env=worker_env(url),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 90
        while not marker.exists():
            if worker.poll() is not None:
                out, err = worker.communicate()
                raise AssertionError(f"the worker ended before writing: {out!r} {err!r}")
            assert time.monotonic() < deadline, "the worker never started writing"
            time.sleep(0.05)
        assert int(marker.read_text()) == worker.pid
        os.kill(worker.pid, signal.SIGKILL)
        return worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        worker.stdout.close()  # type: ignore[union-attr]
        worker.stderr.close()  # type: ignore[union-attr]


# --- (b) SIGKILL ----------------------------------------------------------------------------------


def test_apply_killed_with_sigkill_writes_nothing_and_the_batch_applies_after(
    tudi_cadre: User,
    small_workbook: Path,
    counts: Callable[[], dict[str, int]],
    shared_db: SharedDatabase,
    tmp_path: Path,
) -> None:
    batch = check(tudi_cadre, small_workbook, SMALL_ROWS)
    before = counts()
    url = shared_db.export()

    returncode = kill_once_writing(
        url,
        tmp_path,
        mode="apply_kill",
        batch_id=str(batch.pk),
        username=tudi_cadre.username,
        crash_row=SMALL_CRASH_ROW,
    )
    shared_db.restore()

    assert returncode == -signal.SIGKILL
    assert counts() == before
    stored = ImportBatch.objects.get(pk=batch.pk)
    # Claimed inside the killed transaction: still pending, nothing to detect as stale.
    assert (stored.status, stored.version, stored.counts) == ("checked", 1, {})
    assert (batch_dir(batch.pk) / "staged.parquet").exists()

    again = check(tudi_cadre, small_workbook, SMALL_ROWS)  # uploaded again after the restart
    assert again.pk == batch.pk
    done = import_apply(actor=tudi_cadre, batch_id=again.pk)

    assert done.counts == {"households": SMALL_ROWS, "persons": SMALL_ROWS}
    assert_imported_once(before, counts, SMALL_ROWS)
    assert_second_upload_refused(tudi_cadre, small_workbook, counts)


def test_background_check_killed_with_sigkill_is_failed_as_stale_and_a_new_upload_imports(
    tudi_cadre: User,
    small_workbook: Path,
    counts: Callable[[], dict[str, int]],
    shared_db: SharedDatabase,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    upload = tmp_path / "upload.xlsx"
    shutil.copyfile(small_workbook, upload)
    job = jobs.import_check_start(
        actor=tudi_cadre, entity="households", path=upload, file_name=small_workbook.name
    )
    before = counts()
    url = shared_db.export()

    returncode = kill_once_writing(
        url, tmp_path, mode="check_kill", job_id=str(job.pk), crash_row=SMALL_CRASH_ROW
    )
    shared_db.restore()

    assert returncode == -signal.SIGKILL
    job.refresh_from_db()
    # Killed after reporting 1,000 rows checked (progress every 1,000): left running.
    assert (job.status, job.done, job.total, job.batch_id) == ("running", 1_000, SMALL_ROWS, None)
    assert [p.name for p in spool_dir().iterdir()] == [f"{job.pk}.part"]
    assert jobs.mark_stale_jobs() == 0  # it reported progress a moment ago
    later = SimpleNamespace(now=lambda: timezone.now() + jobs.STALE_AFTER + timedelta(minutes=1))
    monkeypatch.setattr(jobs, "timezone", later)

    assert jobs.mark_stale_jobs() == 1

    monkeypatch.undo()
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", jobs.STALE_MESSAGE)
    assert list(spool_dir().iterdir()) == []
    assert counts() == before
    assert ImportBatch.objects.count() == 0

    batch = check(tudi_cadre, small_workbook, SMALL_ROWS)  # uploaded again
    done = import_apply(actor=tudi_cadre, batch_id=batch.pk)

    assert done.counts == {"households": SMALL_ROWS, "persons": SMALL_ROWS}
    assert_imported_once(before, counts, SMALL_ROWS)


# --- (c) The connection dropped ----------------------------------------------------------------


def test_connection_closed_during_apply_surfaces_an_error_and_writes_nothing(
    tudi_cadre: User,
    small_workbook: Path,
    counts: Callable[[], dict[str, int]],
    shared_db: SharedDatabase,
    tmp_path: Path,
) -> None:
    batch = check(tudi_cadre, small_workbook, SMALL_ROWS)
    before = counts()
    url = shared_db.export()

    report = run_worker(
        url,
        tmp_path,
        mode="apply_drop",
        batch_id=str(batch.pk),
        username=tudi_cadre.username,
        crash_row=SMALL_CRASH_ROW,
    )
    shared_db.restore()

    expected = {
        "postgresql": ("django.db.utils.OperationalError", "the connection is closed"),
        "sqlite": ("django.db.utils.ProgrammingError", "Cannot operate on a closed database."),
    }[connection.vendor]
    assert (report["error"], report["message"]) == expected
    assert counts() == before
    stored = ImportBatch.objects.get(pk=batch.pk)
    assert (stored.status, stored.version, stored.counts) == ("checked", 1, {})

    done = import_apply(actor=tudi_cadre, batch_id=batch.pk)

    assert done.counts == {"households": SMALL_ROWS, "persons": SMALL_ROWS}
    assert_imported_once(before, counts, SMALL_ROWS)
    assert Household.objects.filter(village_id=TUDI).count() == SMALL_ROWS
