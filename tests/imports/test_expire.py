"""Checked batches never applied nor discarded are discarded after a week by housekeeping,
their staged rows (encrypted personal data) deleted (fangpin.imports.services)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from fangpin.core.models import AuditEvent, User
from fangpin.imports.errors import ImportApplyError, ImportError_
from fangpin.imports.models import ImportBatch
from fangpin.imports.services import import_apply, import_batches_expire, import_check
from fangpin.imports.staging import batch_dir
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


def checked(actor: User, xlsx: Callable[..., Path], *, first_birth_year: int) -> ImportBatch:
    from datetime import date

    rows = [
        [n, TUDI, "1", "2024-03-01", "龙再田", n, "01"]
        for n in unique_ids(2, first_birth=date(first_birth_year, 1, 1))
    ]
    return import_check(
        actor=actor,
        entity="households",
        path=xlsx(headers_of("households", KEYS), rows),
        file_name="f",
    )


def age(batch: ImportBatch, days: float) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=timezone.now() - timedelta(days=days))


def test_only_week_old_checked_batches_are_discarded_with_their_rows(
    tudi_cadre: User, xlsx: Callable[..., Path], django_capture_on_commit_callbacks: Any
) -> None:
    old = checked(tudi_cadre, xlsx, first_birth_year=1960)
    young = checked(tudi_cadre, xlsx, first_birth_year=1961)
    applied = checked(tudi_cadre, xlsx, first_birth_year=1962)
    import_apply(actor=tudi_cadre, batch_id=applied.pk)
    for batch, days in ((old, 7.01), (young, 6.9), (applied, 30)):
        age(batch, days)
    assert batch_dir(old.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):  # files go once the status commits
        assert import_batches_expire(actor="system:housekeeping") == 1

    statuses = dict(ImportBatch.objects.values_list("pk", "status"))
    assert statuses == {old.pk: "discarded", young.pk: "checked", applied.pk: "applied"}
    assert not batch_dir(old.pk).exists()
    assert batch_dir(young.pk).exists()
    event = AuditEvent.objects.filter(action="registry.import_expire").get()
    assert (event.actor_label, event.changes["discarded"]) == ("system:housekeeping", 1)
    with pytest.raises(ImportApplyError):
        import_apply(actor=tudi_cadre, batch_id=old.pk)

    assert import_batches_expire(actor="system:housekeeping") == 0  # idempotent, not audited
    assert AuditEvent.objects.filter(action="registry.import_expire").count() == 1


def test_only_the_system_may_expire_batches(tudi_cadre: User, xlsx: Callable[..., Path]) -> None:
    batch = checked(tudi_cadre, xlsx, first_birth_year=1960)
    age(batch, 8)

    with pytest.raises(ImportError_) as caught:
        import_batches_expire(actor=tudi_cadre)

    assert caught.value.code == "forbidden"
    assert ImportBatch.objects.get(pk=batch.pk).status == "checked"
