"""Write a screening result back into the database: warnings upserted, clues made, in bulk.

One transaction. Per batch of findings, two reads (the month's existing warnings of those
households, their pending screening clues) and then ``bulk_create`` / ``bulk_update`` /
``update`` — never a save per finding. The idempotency key is (month, household, rule_code):

- a finding whose warning exists updates it (``run`` and ``last_run``; the texts when they
  changed); its clue and outcome stay as they are;
- a new finding creates a warning. Trigger, classification and elimination warnings join the
  household's pending screening clue (merge) or a new one received today, due after the
  edition's ``procedure.verification_days``; quality warnings get no clue.

So re-running a month creates nothing and updates every warning once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

import pyarrow as pa
from django.utils import timezone

from fangpin.casework.models import Clue, ClueChannel, ClueStatus, ScreeningRun, Warning
from fangpin.casework.selectors import CLUE_FAMILIES
from fangpin.policy import ResolvedEdition

__all__ = ["BATCH_ROWS", "WriteBackCounts", "verify_deadline_for", "warnings_write_back"]

BATCH_ROWS: Final = 5_000
_TEXT_FIELDS: Final = (
    "family",
    "severity",
    "village_code",
    "observed",
    "threshold",
    "sources",
    "reason_zh",
    "edition_id",
)
_COLUMNS: Final = ("rule_code", "household_id", *_TEXT_FIELDS)


@dataclass(frozen=True, slots=True)
class WriteBackCounts:
    warnings_created: int
    warnings_updated: int
    clues_created: int


def verify_deadline_for(received_on: date, edition: ResolvedEdition) -> date:
    """The verification deadline of a clue received on ``received_on`` under ``edition``.

    ``procedure.verification_days`` counted in working days (``fangpin.workdays``), or in
    calendar days when the edition's ``procedure.day_kind`` says ``calendar``.
    """
    days = edition.verification_days
    if edition.day_kind == "calendar":
        return received_on + timedelta(days=days)
    from fangpin.workdays import add_working_days

    return add_working_days(received_on, days)


def _batches(findings: pa.Table) -> Iterator[list[dict[str, Any]]]:
    table = findings.select(list(_COLUMNS))
    for batch in table.to_batches(max_chunksize=BATCH_ROWS):
        yield batch.to_pylist()


def _new_warning(run: ScreeningRun, row: dict[str, Any], clue: Clue | None) -> Warning:
    """A new warning for ``row``; a clue-family one joins ``clue`` and takes its deadline."""
    if row["family"] not in CLUE_FAMILIES:
        clue = None
    return Warning(
        run=run,
        first_run=run,
        last_run=run,
        month=run.month,
        rule_code=row["rule_code"],
        household_id=row["household_id"],
        clue=clue,
        verify_deadline=clue.verify_deadline if clue is not None else None,
        **{name: row[name] for name in _TEXT_FIELDS},
    )


def warnings_write_back(
    run: ScreeningRun,
    findings: pa.Table,
    *,
    received_on: date,
    verify_deadline: date,
    progress: Callable[[int, int], None] | None = None,
) -> WriteBackCounts:
    """Upsert ``findings`` (RESULT_SCHEMA rows) as warnings of ``run``. Call inside atomic()."""
    month = run.month
    now = timezone.now()  # bulk_update and update() leave auto_now fields alone
    created = updated = clues_created = 0
    done = 0
    total = findings.num_rows
    for rows in _batches(findings):
        households = sorted({row["household_id"] for row in rows})
        existing: dict[tuple[int, str], dict[str, Any]] = {
            (w["household_id"], w["rule_code"]): w
            for w in Warning.objects.filter(month=month, household_id__in=households).values(
                "id", "household_id", "rule_code", "clue_id", "outcome", *_TEXT_FIELDS
            )
        }
        pending: dict[int, Clue] = {
            c.household_id: c
            for c in Clue.objects.filter(
                household_id__in=households,
                channel=ClueChannel.SCREENING,
                status=ClueStatus.PENDING,
            )
        }
        new_rows: list[dict[str, Any]] = []
        seen_ids: list[int] = []
        changed: list[Warning] = []
        for row in rows:
            old = existing.get((row["household_id"], row["rule_code"]))
            if old is None:
                new_rows.append(row)
                continue
            seen_ids.append(old["id"])
            if any(old[name] != row[name] for name in _TEXT_FIELDS):
                changed.append(Warning(id=old["id"], **{n: row[n] for n in _TEXT_FIELDS}))
        # New clues: households with a new clue-family warning and no pending clue yet.
        needing = sorted(
            {
                row["household_id"]
                for row in new_rows
                if row["family"] in CLUE_FAMILIES and row["household_id"] not in pending
            }
        )
        village_of = {row["household_id"]: row["village_code"] for row in new_rows}
        fresh = Clue.objects.bulk_create(
            [
                Clue(
                    household_id=household_id,
                    village_code=village_of[household_id],
                    channel=ClueChannel.SCREENING,
                    received_on=received_on,
                    verify_deadline=verify_deadline,
                )
                for household_id in needing
            ]
        )
        clues_created += len(fresh)
        pending.update({clue.household_id: clue for clue in fresh})
        Warning.objects.bulk_create(
            [_new_warning(run, row, pending.get(row["household_id"])) for row in new_rows]
        )
        created += len(new_rows)
        if changed:
            for warning in changed:
                warning.updated_at = now
            Warning.objects.bulk_update(changed, [*_TEXT_FIELDS, "updated_at"], batch_size=1_000)
        for start in range(0, len(seen_ids), 1_000):
            Warning.objects.filter(id__in=seen_ids[start : start + 1_000]).update(
                run=run, last_run=run, updated_at=now
            )
        updated += len(seen_ids)
        done += len(rows)
        if progress is not None:
            progress(done, total)
    return WriteBackCounts(
        warnings_created=created, warnings_updated=updated, clues_created=clues_created
    )
