"""SECURITY.md §5 scenario 18 (REL-IDEM-1): the same file submitted twice imports once.

Uploaded twice, applied with a double click, or uploaded twice at the same moment by two
requests (PostgreSQL, two threads): exactly one set of rows is written and the other attempt
answers 「已导入」. The key is the file's SHA-256 with the entity, the mode and the uploader's
scope (imports have no period: the year or date is inside each row).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connections, transaction
from django.test import Client
from django.urls import reverse

from fangpin.core.audit import _set_purge_guard
from fangpin.core.models import AuditChain, AuditEvent, User
from fangpin.imports import services
from fangpin.imports.errors import ImportAlreadyAppliedError
from fangpin.imports.models import ImportBatch
from fangpin.imports.services import import_apply, import_check
from fangpin.imports.staging import imports_root
from fangpin.registry.models import Household, Person
from tests.imports.conftest import TUDI, headers_of, unique_ids, write_xlsx
from tests.registry import conftest as registry

# The registry's fixtures, re-exported by name so pytest finds them here.
village = registry.village
tudi_cadre = registry.tudi_cadre
counts = registry.counts

KEYS = [
    "head_id_number",
    "village_code",
    "household_type",
    "registered_on",
    "name",
    "id_number",
    "relation",
]
ROWS = 300
ALREADY = "该文件已导入，不会重复导入"


def households_file(folder: Path, count: int = ROWS) -> Path:
    rows = [[n, TUDI, "1", "2024-03-01", "张三", n, "01"] for n in unique_ids(count)]
    return write_xlsx(folder / "新增户.xlsx", headers_of("households", KEYS), rows)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, path: Path) -> Any:
    return client.post(
        reverse("web:imports_upload"),
        {
            "entity": "households",
            "mode": "create",
            "file": SimpleUploadedFile(path.name, path.read_bytes(), "application/octet-stream"),
        },
    )


def batch_of(response: Any) -> ImportBatch:
    """The batch a successful upload redirected to."""
    assert response.status_code == 302, response.content.decode()
    batch_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    return ImportBatch.objects.get(pk=batch_id)


def assert_imported_once(before: dict[str, int], take: Callable[[], dict[str, int]]) -> None:
    after = take()
    assert after == {
        **before,
        "household": before["household"] + ROWS,
        "person": before["person"] + ROWS,
        "event": before["event"] + ROWS,
        "status": before["status"] + ROWS,
        "audit": after["audit"],
    }
    assert Person.objects.values("id_number_index").distinct().count() == Person.objects.count()
    assert AuditEvent.objects.filter(action="registry.import").count() == 1


# --- One after the other (SQLite and PostgreSQL) --------------------------------------------------


def test_the_same_file_uploaded_twice_before_apply_is_one_batch(
    tudi_cadre: User, tmp_path: Path
) -> None:
    client = client_for(tudi_cadre)
    path = households_file(tmp_path)

    first = batch_of(upload(client, path))
    second = batch_of(upload(client, path))

    assert second.pk == first.pk
    assert ImportBatch.objects.count() == 1


def test_double_click_on_apply_writes_one_set_of_rows(
    tudi_cadre: User, tmp_path: Path, counts: Callable[[], dict[str, int]]
) -> None:
    client = client_for(tudi_cadre)
    batch = batch_of(upload(client, households_file(tmp_path)))
    before = counts()
    url = reverse("web:imports_apply", args=[batch.pk])

    first = client.post(url, {"version": str(batch.version)})
    second = client.post(url, {"version": str(batch.version)}, follow=True)

    assert first.status_code == 302
    assert second.status_code == 200
    assert ALREADY in second.content.decode()
    batch.refresh_from_db()
    assert (batch.status, batch.version) == ("applied", 2)
    assert_imported_once(before, counts)


def test_the_same_file_uploaded_after_apply_is_409_already_imported(
    tudi_cadre: User, tmp_path: Path, counts: Callable[[], dict[str, int]]
) -> None:
    client = client_for(tudi_cadre)
    path = households_file(tmp_path)
    batch = batch_of(upload(client, path))
    import_apply(actor=tudi_cadre, batch_id=batch.pk)
    before = counts()

    again = upload(client, path)

    assert again.status_code == 409
    html = again.content.decode()
    assert "该文件已于" in html
    assert "导入，不会重复导入" in html
    assert ImportBatch.objects.count() == 1
    assert counts() == before


# --- Losing the race to a twin, made deterministic (SQLite and PostgreSQL) ------------------------


def twin_saved_during_the_check(
    monkeypatch: pytest.MonkeyPatch, actor: User, path: Path, *, apply: bool
) -> dict[str, ImportBatch]:
    """While a check reads the file, another check of the same file saves its batch first
    (and applies it when ``apply``): the database then refuses the second batch."""
    real = services._run_check
    twin: dict[str, ImportBatch] = {}

    def with_a_twin(**kwargs: Any) -> Any:
        if not twin:
            monkeypatch.setattr(services, "_run_check", real)
            twin["batch"] = import_check(
                actor=actor, entity="households", path=path, file_name="另一次上传.xlsx"
            )
            if apply:
                twin["batch"] = import_apply(actor=actor, batch_id=twin["batch"].pk)
        return real(**kwargs)

    monkeypatch.setattr(services, "_run_check", with_a_twin)
    return twin


def staged_batches() -> list[str]:
    root = imports_root()
    return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.exists() else []


def test_a_check_that_loses_the_race_to_a_pending_twin_answers_with_the_twin(
    tudi_cadre: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = households_file(tmp_path)
    twin = twin_saved_during_the_check(monkeypatch, tudi_cadre, path, apply=False)

    batch = import_check(actor=tudi_cadre, entity="households", path=path, file_name="a.xlsx")

    assert batch.pk == twin["batch"].pk
    assert list(ImportBatch.objects.values_list("pk", "status")) == [(batch.pk, "checked")]
    assert staged_batches() == [str(batch.pk)]  # the loser's staged rows are gone
    assert AuditEvent.objects.filter(action="registry.import_check").count() == 1


def test_a_check_that_loses_the_race_to_an_applied_twin_is_already_imported(
    tudi_cadre: User,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    counts: Callable[[], dict[str, int]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    path = households_file(tmp_path)
    before = counts()
    twin = twin_saved_during_the_check(monkeypatch, tudi_cadre, path, apply=True)

    with (
        django_capture_on_commit_callbacks(execute=True),  # the twin's staged rows go on commit
        pytest.raises(ImportAlreadyAppliedError) as refused,
    ):
        import_check(actor=tudi_cadre, entity="households", path=path, file_name="a.xlsx")

    assert refused.value.batch_id == twin["batch"].pk
    assert refused.value.message.startswith("该文件已于")
    assert refused.value.message.endswith("导入，不会重复导入")
    assert list(ImportBatch.objects.values_list("status", flat=True)) == ["applied"]
    assert staged_batches() == []
    assert_imported_once(before, counts)


@pytest.mark.parametrize("scope", [TUDI, None], ids=["user", "system"])
def test_the_database_allows_one_live_batch_per_file(village: Any, scope: str | None) -> None:
    def batch(status: str) -> ImportBatch:
        return ImportBatch.objects.create(
            entity="households", mode="create", sha256="a" * 64, status=status, scope_id=scope
        )

    batch("refused")
    batch("discarded")
    batch("failed")
    batch("checked")
    with pytest.raises(IntegrityError), transaction.atomic():
        batch("checked")
    with pytest.raises(IntegrityError), transaction.atomic():
        batch("applied")
    ImportBatch.objects.create(  # another entity, mode or scope is another file
        entity="members", mode="create", sha256="a" * 64, status="checked", scope_id=scope
    )
    assert ImportBatch.objects.count() == 5


# --- At the same moment (PostgreSQL) --------------------------------------------------------------


@pytest.fixture
def audit_log_emptied_after(transactional_db: None) -> Iterator[None]:
    """Let a committing test be flushed on SQLite (as in tests/core/test_audit_append_only):
    the audit log's trigger refuses Django's DELETE flush, so the log is emptied through the
    purge guard first."""
    yield
    with transaction.atomic():
        chain, _created = AuditChain.objects.get_or_create(pk=1)
        _set_purge_guard(chain, on=True)
        AuditEvent.objects.all().delete()
        _set_purge_guard(chain, on=False)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_uploads_of_one_file_import_it_exactly_once(
    audit_log_emptied_after: None,
    tudi_cadre: User,
    tmp_path: Path,
    counts: Callable[[], dict[str, int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two requests upload the same file at the same moment, then each applies what its upload
    answered. Both checks run at once; the database lets one batch in and the other upload is
    answered with it, so both apply the one batch: one applies, the other is told 「已导入」
    (or, had the first applied already, its upload is 409 「已导入」). One set of rows."""
    path = households_file(tmp_path)
    clients = [client_for(tudi_cadre), client_for(tudi_cadre)]
    before = counts()
    barrier = threading.Barrier(2)
    real_run_check = services._run_check
    both_checking = threading.Barrier(2)

    def checked_together(**kwargs: Any) -> Any:
        # Neither check may finish before the other has started: both miss each other's batch.
        both_checking.wait(timeout=30)
        return real_run_check(**kwargs)

    monkeypatch.setattr(services, "_run_check", checked_together)
    outcomes: list[tuple[str, str]] = []
    batches: list[str] = []

    def upload_then_apply(client: Client) -> None:
        try:
            barrier.wait(timeout=10)
            response = upload(client, path)
            if response.status_code == 409:
                assert "导入，不会重复导入" in response.content.decode()
                outcomes.append(("upload", "已导入"))
                return
            batch = batch_of(response)
            batches.append(str(batch.pk))
            import_apply(actor=tudi_cadre, batch_id=batch.pk)
            outcomes.append(("apply", "applied"))
        except ImportAlreadyAppliedError as error:
            outcomes.append(("apply", "已导入" if error.message == ALREADY else error.message))
        except BaseException as error:  # anything else fails the test, shown in full
            outcomes.append(("error", repr(error)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=upload_then_apply, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(outcome for _stage, outcome in outcomes) == ["applied", "已导入"], outcomes
    assert len(set(batches)) == 1
    assert list(ImportBatch.objects.values_list("status", flat=True)) == ["applied"]
    assert_imported_once(before, counts)
    assert Household.objects.filter(village_id=TUDI).count() == ROWS
