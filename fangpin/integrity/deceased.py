"""Deceased members still counted (DOMAIN.md §11 [D] signal 6: a death record while the person
is still counted).

Counting a dead member keeps the household larger on paper (per-capita income lower, or
benefits per head higher); a death date on a member still registered as active is a plain
contradiction. Signals for a person to review, never verdicts: the death may have been
entered before the finance record was corrected, or a date may have been typed into the
wrong person.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fangpin.integrity.frame import LIVING_STATUS, Data, Ints, day, lookup, runs
from fangpin.integrity.model import (
    Code,
    Finding,
    IntegritySettings,
    Severity,
    SubjectKind,
    make_finding,
    ordered,
)
from fangpin.integrity.text import iso

__all__ = ["deceased_counted", "deceased_still_active"]

DECEASED_STATUS = "deceased"


def _persons(data: Data) -> tuple[Ints, Ints, np.ndarray, np.ndarray, np.ndarray]:
    """Persons of active households: ids, household ids, status, death days, has-death-date."""
    p = data.tables["persons"]
    active = data.active_households.column("household_id")
    p = p.filter(pc.is_in(p.column("household_id"), value_set=active.combine_chunks()))
    p = p.sort_by([("household_id", "ascending"), ("person_id", "ascending")])
    death = p.column("death_date")
    return (
        np.asarray(p.column("person_id").to_numpy(zero_copy_only=False), dtype=np.int64),
        np.asarray(p.column("household_id").to_numpy(zero_copy_only=False), dtype=np.int64),
        np.asarray(p.column("status").to_numpy(zero_copy_only=False), dtype=object),
        np.asarray(pc.fill_null(death, 0).to_numpy(zero_copy_only=False), dtype="datetime64[D]"),
        np.asarray(pc.is_valid(death).to_numpy(zero_copy_only=False), dtype=bool),
    )


def _describe(person: int, dated: bool, died: np.datetime64) -> str:
    if dated:
        return f"人员编号{person}，{iso(day(died))}死亡"
    return f"人员编号{person}，已标注死亡、未登记死亡日期"


def _deceased_counted(data: Data, settings: IntegritySettings) -> list[Finding]:
    person, household, status, death, dated = _persons(data)
    death_year = death.astype("datetime64[Y]").astype(np.int64) + 1970
    before = (dated & (death_year < data.year)) | (~dated & (status == DECEASED_STATUS))
    frame, members = data.income, data.members
    pos, found = lookup(frame.household_id, household[before])
    living_pos, has_living = lookup(members.household_id, household[before])
    living = np.where(has_living, members.living[living_pos], 0)
    counted = found & (frame.size[pos] > living)
    rows = np.flatnonzero(before)[counted]
    findings = []
    for group in runs(household[rows]):
        people = rows[group]
        i = int(pos[counted][group[0]])
        hid, size = int(frame.household_id[i]), int(frame.size[i])
        alive = int(living[counted][group[0]])
        all_dated = bool(dated[people].all())
        who = [_describe(int(person[k]), bool(dated[k]), death[k]) for k in people]
        findings.append(
            make_finding(
                Code.DECEASED_COUNTED,
                SubjectKind.HOUSEHOLD,
                hid,
                str(frame.village_code[i]),
                data.year,
                Severity.WARNING if all_dated else Severity.INFO,
                {
                    "household_size": size,
                    "living_members": alive,
                    "deceased": [
                        {
                            "person_id": int(person[k]),
                            "death_date": iso(day(death[k])) if dated[k] else None,
                        }
                        for k in people
                    ],
                },
                None,
                f"成员（{'；'.join(who)}）"
                f"已死亡，{data.year}年收支登记的家庭人口仍为{size}人，"
                f"在册存活成员{alive}人",
            )
        )
    return findings


def _deceased_still_active(data: Data, settings: IntegritySettings) -> list[Finding]:
    person, household, status, death, dated = _persons(data)
    rows = np.flatnonzero(dated & (status == LIVING_STATUS))
    h = data.active_households
    ids = np.asarray(h.column("household_id").to_numpy(zero_copy_only=False), dtype=np.int64)
    order = np.argsort(ids)
    villages = np.asarray(h.column("village_code").to_numpy(zero_copy_only=False), dtype=object)
    village_pos, _ = lookup(ids[order], household[rows])
    findings = []
    for group in runs(household[rows]):
        people = rows[group]
        hid = int(household[people[0]])
        findings.append(
            make_finding(
                Code.DECEASED_STILL_ACTIVE,
                SubjectKind.HOUSEHOLD,
                hid,
                str(villages[order][village_pos[group[0]]]),
                data.year,
                Severity.WARNING,
                {
                    "persons": [
                        {"person_id": int(person[k]), "death_date": iso(day(death[k]))}
                        for k in people
                    ]
                },
                None,
                "成员（"
                + "；".join(
                    f"人员编号{int(person[k])}，死亡日期{iso(day(death[k]))}" for k in people
                )
                + "）已登记死亡日期，人员状态却仍为在册",
            )
        )
    return findings


def deceased_counted(
    households: pa.Table,
    persons: pa.Table,
    finances: pa.Table,
    *,
    settings: IntegritySettings,
    year: int,
) -> list[Finding]:
    """Flag households whose ``year`` finance household_size still counts a dead member.

    A member counts as dead before ``year`` with a death date in an earlier year, or with
    status deceased and no date (then info, not warning: the year of death is unknown). The
    household is flagged when its household_size exceeds its living members (status active,
    no death date). A signal for review, never a verdict.
    """
    data = Data(year=year, households=households, persons=persons, finances=finances)
    return ordered(_deceased_counted(data, settings))


def deceased_still_active(
    households: pa.Table, persons: pa.Table, *, settings: IntegritySettings, year: int
) -> list[Finding]:
    """Flag members of active households with a death date but status still active.

    A signal for review, never a verdict.
    """
    return ordered(
        _deceased_still_active(Data(year=year, households=households, persons=persons), settings)
    )
