"""Checks of the two person imports: new households with their members, and new members.

``households``: one row per person; the rows of a household share the head's ID number
(户主身份证号码) and the household columns are read from the head's own row. ``members``: one
row per person joining a registered household (as ``person_add`` would add them).

A check returns the staged rows only when the whole file is clean: a batch with errors can
never be applied, so nothing is encrypted or staged for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction

from fangpin import idnumber
from fangpin.core.models import Region
from fangpin.imports.cells import Findings
from fangpin.imports.rows import (
    PERSON_KEYS,
    ParsedRow,
    Progress,
    clean_person,
    households_by_number,
    id_in_use_message,
    parse_rows,
    registered_holders,
)
from fangpin.imports.specs import Column
from fangpin.registry.errors import RegistryError
from fangpin.registry.models import HEAD, Household, identity_index
from fangpin.registry.services import _common as c
from fangpin.registry.services._access import AccessDenied, village
from fangpin.registry.services.membership import (
    ADD_EVENTS,
    BIRTH_EVENT_MAX_AGE,
    _age_on,
    _check_event_date,
)
from fangpin.registry.validation import (
    CleanPerson,
    validate_code,
    validate_household_fields,
    validate_phone,
)

__all__ = ["HOUSEHOLD_KEYS", "PeopleCheck", "check_households", "check_members"]

#: Columns read from the head's row.
HOUSEHOLD_KEYS = (
    "village_code",
    "household_number",
    "natural_village",
    "address",
    "household_type",
    "household_phone",
    "is_relocated",
    "relocation_mode",
    "relocation_site",
    "registered_on",
)
_HOUSEHOLD_REQUIRED = ("village_code", "household_type", "registered_on")


@dataclass(slots=True)
class PeopleCheck:
    """The outcome of a check: the findings and, for a clean file, the rows to stage."""

    findings: Findings
    row_count: int
    staged: list[dict[str, Any]]


def _identity(person: CleanPerson) -> tuple[str, str]:
    return c.identity_key(person.id_type, person.id_number)


def _check_unique_people(
    actor: Any, people: list[tuple[ParsedRow, CleanPerson]], findings: Findings
) -> dict[int, str]:
    """Report an identity twice in the file and one already registered; return each row's
    identity blind index."""
    first: dict[tuple[str, str], int] = {}
    indexes: dict[int, str] = {}
    for row, person in people:
        key = _identity(person)
        if key in first:
            row.report(findings, "id_number", f"与第{first[key]}行的身份证号码重复")
            continue
        first[key] = row.number
        indexes[row.number] = identity_index(person.id_type, person.id_number)
    holders = registered_holders(indexes.values())
    for row, person in people:
        holder = holders.get(indexes.get(row.number, ""))
        if holder is not None:
            row.report(findings, "id_number", id_in_use_message(actor, person.id_number, holder))
    return indexes


def _head_key(text: str) -> str:
    """The identity a 户主身份证号码 cell names (normalised, a 15-digit number upgraded)."""
    number = idnumber.normalise(text)
    try:
        return idnumber.parse(number).number[:18]
    except idnumber.IdNumberError:
        return number[:18]


def _same(a: object, b: object) -> bool:
    return ((a in (None, "")) and (b in (None, ""))) or a == b


def _villages(actor: Any, codes: set[str]) -> dict[str, Region | RegistryError]:
    """Each village code checked exactly as ``household_create`` checks it (unknown, out of
    scope — the same message —, not a village, abolished)."""
    out: dict[str, Region | RegistryError] = {}
    with transaction.atomic():
        for code in sorted(codes):
            try:
                out[code] = village(code, actor=actor)
            except AccessDenied as denied:
                out[code] = denied.public
            except RegistryError as exc:
                out[code] = exc
    return out


def _household_fields(head: ParsedRow, findings: Findings, today: date) -> Any:
    """Validate the head row's household columns; return ``HouseholdFields`` or None."""
    v = head.values

    def get(key: str, default: Any = "") -> Any:
        value = v.get(key)
        return default if value is None or value == "" else value

    for key in _HOUSEHOLD_REQUIRED:
        if key not in head.bad and head.blank(key):
            head.report(findings, key, f"必须填写{findings.columns[key].header}")
    checks: tuple[tuple[str, Callable[[Any], object]], ...] = (
        ("household_type", lambda x: validate_code("household_type", "household_type", x)),
        ("household_phone", lambda x: validate_phone(x, field="household_phone")),
        ("registered_on", lambda x: c.not_future(x, field="registered_on", label="登记日期")),
    )
    for key, check in checks:
        if key in head.bad or head.blank(key):
            continue
        try:
            check(v[key])
        except RegistryError as exc:
            head.report(findings, key, exc.message)
    if head.bad & set(HOUSEHOLD_KEYS):
        return None
    try:
        return validate_household_fields(
            household_type=get("household_type"),
            natural_village=get("natural_village"),
            address=get("address"),
            phone=get("household_phone"),
            is_relocated=bool(get("is_relocated", False)),
            relocation_mode=get("relocation_mode"),
            relocation_site=get("relocation_site"),
        )
    except RegistryError as exc:
        key = "household_phone" if exc.field == "phone" else (exc.field or "household_type")
        head.report(findings, key, exc.message)
        return None


def check_households(
    *,
    actor: Any,
    rows: Sequence[Sequence[object]],
    index_by_key: dict[str, int],
    columns: Sequence[Column],
    progress: Progress | None = None,
) -> PeopleCheck:
    """Check a ``households`` file; see the module docstring."""
    findings = Findings({col.key: col for col in columns})
    today = c.today()
    parsed = parse_rows(rows, index_by_key, columns, findings, progress=progress)
    people: list[tuple[ParsedRow, CleanPerson]] = []
    clean: dict[int, CleanPerson] = {}
    for row in parsed:
        person = clean_person(row, findings, today=today)
        if person is not None:
            people.append((row, person))
            clean[row.number] = person

    # Households: group the rows by the head's identity; the head's own row carries them.
    groups: dict[str, list[ParsedRow]] = {}
    for row in parsed:
        if "head_id_number" in row.bad or row.blank("head_id_number"):
            continue
        groups.setdefault(_head_key(str(row.values["head_id_number"])), []).append(row)
    heads: dict[str, ParsedRow] = {}
    for key, members in groups.items():
        own = [
            r
            for r in members
            if not r.blank("id_number") and _head_key(r.values["id_number"]) == key
        ]
        if not own:
            for r in members:
                r.report(
                    findings,
                    "head_id_number",
                    "本户没有户主本人的一行：户主本人一行的身份证号码应与“户主身份证号码”相同",
                )
            continue
        head = own[0]
        heads[key] = head
        if "relation" not in head.bad and head.values.get("relation") not in (None, "", HEAD):
            head.report(findings, "relation", "户主的与户主关系必须为“01 户主”")
        for r in members:
            if r is head:
                continue
            if "relation" not in r.bad and r.values.get("relation") == HEAD:
                name = r.values.get("name") or ""
                r.report(
                    findings,
                    "relation",
                    f"{name}的与户主关系不能为“户主”：一户只能有一名户主",
                )
            for hkey in HOUSEHOLD_KEYS:
                if hkey in r.bad or r.blank(hkey) or hkey in head.bad:
                    continue
                if not _same(r.values.get(hkey), head.values.get(hkey)):
                    r.report(
                        findings,
                        hkey,
                        f"{findings.columns[hkey].header}与本户户主所在行（第{head.number}行）"
                        "不一致；同户其他行可以留空",
                    )

    fields: dict[str, Any] = {}
    for key, head in heads.items():
        fields[key] = _household_fields(head, findings, today)
    codes = {
        str(h.values["village_code"])
        for h in heads.values()
        if "village_code" not in h.bad and not h.blank("village_code")
    }
    regions = _villages(actor, codes)
    numbers_seen: dict[str, int] = {}
    given = {
        str(h.values["household_number"]).strip()
        for h in heads.values()
        if not h.blank("household_number") and "household_number" not in h.bad
    }
    taken = (
        set(
            Household.objects.filter(household_number__in=sorted(given)).values_list(
                "household_number", flat=True
            )
        )
        if given
        else set()
    )
    for head in heads.values():
        code = head.values.get("village_code")
        region = regions.get(str(code)) if code else None
        if isinstance(region, RegistryError):
            head.report(findings, "village_code", region.message)
            region = None
        if head.blank("household_number") or "household_number" in head.bad:
            continue
        number = str(head.values["household_number"]).strip()
        if number in numbers_seen:
            head.report(
                findings, "household_number", f"户编号{number}与第{numbers_seen[number]}行重复"
            )
        elif number in taken:
            head.report(findings, "household_number", f"户编号{number}已被使用")
        elif region is not None:
            try:
                c.household_number_for(region, number)
            except RegistryError as exc:
                head.report(findings, "household_number", exc.message)
        numbers_seen.setdefault(number, head.number)
    for key, members in groups.items():
        group_head = heads.get(key)
        registered_on = group_head.values.get("registered_on") if group_head else None
        if not isinstance(registered_on, date):
            continue
        for r in members:
            person = clean.get(r.number)
            if person is not None and person.birth_date > registered_on:
                r.report(
                    findings,
                    "birth_date",
                    f"{person.name}出生于{person.birth_date.isoformat()}，晚于登记日期",
                )

    _check_unique_people(actor, people, findings)
    staged: list[dict[str, Any]] = []
    if findings.total == 0:
        staged = _stage_households(groups, heads, fields, clean)
    for row in parsed:
        if row.bad:
            findings.remember_row(row.number, row.raw)
    return PeopleCheck(findings, len(parsed), staged)


def _stage_households(
    groups: dict[str, list[ParsedRow]],
    heads: dict[str, ParsedRow],
    fields: dict[str, Any],
    clean: dict[int, CleanPerson],
) -> list[dict[str, Any]]:
    """One record per person, the head first in each household, PI encrypted."""
    staged: list[dict[str, Any]] = []
    for ordinal, (key, members) in enumerate(groups.items()):
        head = heads[key]
        household = {f"hh_{k}": v for k, v in fields[key].as_model_fields().items()}
        common = {
            "group": ordinal,
            "hh_village_code": str(head.values["village_code"]),
            "hh_household_number": str(head.values.get("household_number") or "").strip(),
            "hh_registered_on": head.values["registered_on"],
            **household,
        }
        ordered = [head, *[r for r in members if r is not head]]
        for r in ordered:
            staged.append(
                {
                    "row": r.number,
                    "is_head": r is head,
                    **common,
                    **clean[r.number].as_model_fields(),
                }
            )
    return staged


def check_members(
    *,
    actor: Any,
    rows: Sequence[Sequence[object]],
    index_by_key: dict[str, int],
    columns: Sequence[Column],
    progress: Progress | None = None,
) -> PeopleCheck:
    """Check a ``members`` file: each row a person joining a registered household."""
    findings = Findings({col.key: col for col in columns})
    today = c.today()
    parsed = parse_rows(rows, index_by_key, columns, findings, progress=progress)
    targets, refused = households_by_number(
        actor,
        [
            str(r.values["household_number"]).strip()
            for r in parsed
            if not r.blank("household_number") and "household_number" not in r.bad
        ],
    )
    people: list[tuple[ParsedRow, CleanPerson]] = []
    clean: dict[int, CleanPerson] = {}
    for row in parsed:
        number = str(row.values.get("household_number") or "").strip()
        if number in refused:
            row.report(findings, "household_number", refused[number])
        event_type = row.values.get("event_type")
        if "event_type" not in row.bad and event_type and event_type not in ADD_EVENTS:
            row.report(findings, "event_type", f"新增成员的变动类型不能为“{event_type}”")
        person = clean_person(row, findings, today=today)
        if person is None:
            continue
        if person.relation == HEAD:
            row.report(
                findings, "relation", "新增成员不能为户主：一户只能有一名户主，请使用户主变更"
            )
            continue
        event_date = row.values.get("event_date")
        if isinstance(event_date, date) and "event_date" not in row.bad:
            try:
                _check_event_date(event_date, person.birth_date)
            except RegistryError as exc:
                row.report(findings, "event_date", exc.message)
            else:
                if (
                    event_type == "birth"
                    and _age_on(person.birth_date, event_date) > BIRTH_EVENT_MAX_AGE
                ):
                    row.report(
                        findings,
                        "event_type",
                        f"{person.name}在变动日期已满18周岁，不能按出生登记，请按迁入或婚入登记",
                    )
        if not (row.bad & (PERSON_KEYS | {"household_number"})):
            people.append((row, person))
            clean[row.number] = person
    _check_unique_people(actor, people, findings)
    staged: list[dict[str, Any]] = []
    if findings.total == 0:
        for row, person in people:
            target = targets[str(row.values["household_number"]).strip()]
            staged.append(
                {
                    "row": row.number,
                    "household_id": target.pk,
                    "household_number": target.household_number,
                    "event_type": row.values["event_type"],
                    "event_date": row.values["event_date"],
                    **person.as_model_fields(),
                }
            )
    for row in parsed:
        if row.bad:
            findings.remember_row(row.number, row.raw)
    return PeopleCheck(findings, len(parsed), staged)
