"""Key rotation for the encrypted registry columns: re-encrypt under the current key, re-index.

After a new field key is added and made current (docs/crypto.md, Rotation), old values still
decrypt with the old key. :func:`pi_rekey` rewrites every token not under the current cipher and
key, so the old key can then be removed; with ``reindex=True`` it also recomputes every blind
index with the configured index key (after the index key or the cipher changed). ``pi_key_usage``
tells how many tokens each key still protects.

The job works in batches by primary key, each in its own transaction with its rows locked
(``select_for_update`` on PostgreSQL; SQLite's IMMEDIATE transactions hold the write lock), so a
concurrent edit is never overwritten with an older value, a killed run loses nothing (every token
names its own key) and a re-run continues where it stopped. One ``pi.rekey`` audit event records
each run's counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model, Q, QuerySet

from fangpin.core.audit import audit_record
from fangpin.core.pi import keyring, pi_decrypt, pi_encrypt
from fangpin.registry.models import (
    HEALTH_CONTEXT,
    HOUSEHOLD_PHONE_CONTEXT,
    ID_NUMBER_CONTEXT,
    PERSON_PHONE_CONTEXT,
    Household,
    Person,
    identity_index,
    phone_index,
)

__all__ = ["RekeyReport", "pi_key_usage", "pi_rekey"]

#: model → (encrypted column, its AEAD context) pairs
_COLUMNS: dict[type[Model], tuple[tuple[str, str], ...]] = {
    Person: (
        ("id_number_encrypted", ID_NUMBER_CONTEXT),
        ("phone_encrypted", PERSON_PHONE_CONTEXT),
        ("health_encrypted", HEALTH_CONTEXT),  # no blind index: never searched
    ),
    Household: (("phone_encrypted", HOUSEHOLD_PHONE_CONTEXT),),
}

Progress = Callable[[str, int, int], None]
"""Called after each batch with the stage ("persons", "households"), rows done, rows in all."""


@dataclass(frozen=True, slots=True)
class RekeyReport:
    persons: int
    households: int
    reindexed: bool

    @property
    def message(self) -> str:
        what = "重新加密并重建检索索引" if self.reindexed else "重新加密"
        return f"已{what}：人员 {self.persons} 人，农户 {self.households} 户"


def _current_prefix() -> str:
    ring = keyring()
    return f"v1.{ring.cipher}.{ring.current}."


def _stale(model: type[Model], prefix: str) -> Q:
    """Rows holding a token not under ``prefix`` (the current cipher and key)."""
    condition = Q()
    for column, _context in _COLUMNS[model]:
        condition |= ~Q(**{column: ""}) & ~Q(**{f"{column}__startswith": prefix})
    return condition


def _batches(queryset: QuerySet[Any], size: int) -> Iterator[list[int]]:
    last = 0
    while True:
        ids = list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size])
        if not ids:
            return
        yield ids
        last = ids[-1]


def _rewrite(row: Any, model: type[Model], *, reindex: bool) -> list[str]:
    """Re-encrypt (and re-index) one row in memory; return the changed column names."""
    changed = []
    for column, context in _COLUMNS[model]:
        token = getattr(row, column)
        if not token:
            continue
        plain = pi_decrypt(token, context=context)
        setattr(row, column, pi_encrypt(plain, context=context))
        changed.append(column)
        if reindex:
            if column == "id_number_encrypted":
                row.id_number_index = identity_index(row.id_type, plain)
                changed.append("id_number_index")
            elif column == "phone_encrypted":
                row.phone_index = phone_index(plain)
                changed.append("phone_index")
    return changed


def _run(model: type[Model], *, reindex: bool, batch_size: int, progress: Progress | None) -> int:
    prefix = _current_prefix()
    base = model.objects.all() if reindex else model.objects.filter(_stale(model, prefix))  # type: ignore[attr-defined]
    stage = "persons" if model is Person else "households"
    total = base.count()
    done = 0
    if progress is not None:
        progress(stage, 0, total)
    for ids in _batches(base, batch_size):
        with transaction.atomic():
            rows = list(model.objects.select_for_update().filter(pk__in=ids).order_by("pk"))  # type: ignore[attr-defined]
            columns: set[str] = set()
            for row in rows:
                columns.update(_rewrite(row, model, reindex=reindex))
            if columns:
                model.objects.bulk_update(rows, sorted(columns), batch_size=500)  # type: ignore[attr-defined]
        done += len(rows)
        if progress is not None:
            progress(stage, done, max(total, done))
    return done


def pi_rekey(
    *,
    actor: Any,
    reindex: bool = False,
    batch_size: int = 2000,
    progress: Progress | None = None,
) -> RekeyReport:
    """Re-encrypt every token not under the current key; with ``reindex``, every row, and
    recompute the blind indexes. Idempotent: a second run finds nothing to do."""
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    persons = _run(Person, reindex=reindex, batch_size=batch_size, progress=progress)
    households = _run(Household, reindex=reindex, batch_size=batch_size, progress=progress)
    report = RekeyReport(persons=persons, households=households, reindexed=reindex)
    ring = keyring()
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="pi.rekey",
            object_type="registry",
            object_id="pi",
            changes={
                "cipher": ring.cipher,
                "key": ring.current,
                "reindex": reindex,
                "persons": persons,
                "households": households,
            },
        )
    return report


def pi_key_usage() -> dict[str, int]:
    """How many stored tokens each ``cipher/key`` protects, over every encrypted column.

    Keys of the keyring appear even when unused (0); tokens under a key the keyring does not
    hold are counted under ``"其他"`` (they cannot be decrypted: restore that key).
    """
    ring = keyring()
    usage: dict[str, int] = {}
    total_by_column = 0
    for model, columns in _COLUMNS.items():
        for column, _context in columns:
            manager = model.objects  # type: ignore[attr-defined]
            total_by_column += manager.exclude(**{column: ""}).count()
            for key_id in sorted(ring.keys):
                label = f"{ring.cipher}/{key_id}"
                prefix = f"v1.{ring.cipher}.{key_id}."
                usage[label] = (
                    usage.get(label, 0)
                    + manager.filter(**{f"{column}__startswith": prefix}).count()
                )
    usage["其他"] = total_by_column - sum(usage.values())
    return usage
