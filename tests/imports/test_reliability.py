"""Scenarios 17 and 18: a crash mid-apply changes nothing; the same file never imports twice."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fangpin.core.models import User
from fangpin.imports import applying
from fangpin.imports.errors import ImportAlreadyAppliedError, ImportApplyError
from fangpin.imports.models import ImportBatch
from fangpin.imports.services import import_apply, import_check, import_discard
from fangpin.registry.models import Household, Person
from tests.imports.conftest import TUDI, headers_of, unique_ids

KEYS = [
    "head_id_number",
    "village_code",
    "household_type",
    "registered_on",
    "name",
    "id_number",
    "relation",
]


def rows(count: int) -> list[list[Any]]:
    return [[h, TUDI, "1", "2024-03-01", "张三", h, "01"] for h in unique_ids(count)]


def test_same_file_twice_returns_the_pending_batch_then_refuses_after_apply(
    tudi_cadre: User, xlsx: Callable[..., Path], counts: Callable[[], dict[str, int]]
) -> None:
    path = xlsx(headers_of("households", KEYS), rows(3))
    first = import_check(actor=tudi_cadre, entity="households", path=path, file_name="a")
    again = import_check(actor=tudi_cadre, entity="households", path=path, file_name="b")
    assert again.pk == first.pk
    import_apply(actor=tudi_cadre, batch_id=first.pk)
    before = counts()
    with pytest.raises(ImportAlreadyAppliedError) as caught:
        import_check(actor=tudi_cadre, entity="households", path=path, file_name="c")
    assert caught.value.code == "applied"
    assert caught.value.batch_id == first.pk
    assert caught.value.message.startswith("该文件已于")
    assert caught.value.message.endswith("导入，不会重复导入")
    assert counts() == before
    assert ImportBatch.objects.count() == 1
    with pytest.raises(ImportAlreadyAppliedError) as second:
        import_apply(actor=tudi_cadre, batch_id=first.pk)
    assert second.value.message == "该文件已导入，不会重复导入"
    assert Household.objects.count() == 3
    assert Person.objects.count() == 3


def test_crash_in_the_middle_of_apply_leaves_every_table_as_it_was(
    tudi_cadre: User,
    xlsx: Callable[..., Path],
    counts: Callable[[], dict[str, int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    batch = import_check(
        actor=tudi_cadre,
        entity="households",
        path=xlsx(headers_of("households", KEYS), rows(3_000)),
        file_name="a",
    )
    assert batch.error_count == 0
    real_bulk = applying._bulk
    calls = {"n": 0}

    def exploding(model: Any, objs: list[Any]) -> list[Any]:
        calls["n"] += 1
        if model is Person:  # households and status changes are in: now the crash
            real_bulk(model, objs[:2_500])
            raise OSError("disk gone at row 2,500")
        return real_bulk(model, objs)

    monkeypatch.setattr(applying, "_bulk", exploding)
    before = counts()
    with pytest.raises(OSError, match="row 2,500"):
        import_apply(actor=tudi_cadre, batch_id=batch.pk)
    assert calls["n"] == 3
    assert counts() == before
    stored = ImportBatch.objects.get(pk=batch.pk)
    assert (stored.status, stored.version, stored.counts) == ("checked", 1, {})

    monkeypatch.setattr(applying, "_bulk", real_bulk)
    done = import_apply(actor=tudi_cadre, batch_id=batch.pk)
    assert done.counts == {"households": 3_000, "persons": 3_000}
    assert counts() == {
        **before,
        "household": before["household"] + 3_000,
        "person": before["person"] + 3_000,
        "event": before["event"] + 3_000,
        "status": before["status"] + 3_000,
        "audit": before["audit"] + 1,
    }


def test_discarded_batch_cannot_be_applied_and_its_staged_rows_are_gone(
    tudi_cadre: User, xlsx: Callable[..., Path], django_capture_on_commit_callbacks: Any
) -> None:
    from fangpin.imports import staging

    batch = import_check(
        actor=tudi_cadre,
        entity="households",
        path=xlsx(headers_of("households", KEYS), rows(2)),
        file_name="a",
    )
    with django_capture_on_commit_callbacks(execute=True):
        discarded = import_discard(actor=tudi_cadre, batch_id=batch.pk)
    assert (discarded.status, discarded.version) == ("discarded", 2)
    assert not staging.batch_dir(batch.pk).exists()
    with pytest.raises(ImportApplyError) as caught:
        import_apply(actor=tudi_cadre, batch_id=batch.pk)
    assert (caught.value.code, caught.value.message) == ("status", "该批次状态为“已放弃”，不能导入")


def test_a_stale_version_is_refused(tudi_cadre: User, xlsx: Callable[..., Path]) -> None:
    batch = import_check(
        actor=tudi_cadre,
        entity="households",
        path=xlsx(headers_of("households", KEYS), rows(1)),
        file_name="a",
    )
    with pytest.raises(ImportApplyError) as caught:
        import_apply(actor=tudi_cadre, batch_id=batch.pk, expected_version=7)
    assert caught.value.code == "stale"
    assert Household.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_applies_write_exactly_one_set_of_rows(
    tudi_cadre: User, xlsx: Callable[..., Path]
) -> None:
    import threading

    from django.db import connections

    batch = import_check(
        actor=tudi_cadre,
        entity="households",
        path=xlsx(headers_of("households", KEYS), rows(500)),
        file_name="a",
    )
    barrier = threading.Barrier(2)
    results: list[str] = []

    def apply() -> None:
        try:
            barrier.wait(timeout=10)
            import_apply(actor=tudi_cadre, batch_id=batch.pk)
            results.append("ok")
        except ImportAlreadyAppliedError as error:
            results.append(error.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=apply) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(results) == ["ok", "该文件已导入，不会重复导入"]
    assert Household.objects.count() == 500
    assert Person.objects.count() == 500
    stored = ImportBatch.objects.get(pk=batch.pk)
    assert (stored.status, stored.version) == ("applied", 2)
