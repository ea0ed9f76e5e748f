"""Rows of a file, parsed, and the checks every entity shares (people, households in scope).

Every check reports through :class:`~fangpin.imports.cells.Findings` and goes on: a file's
problems are all found in one pass. Values are validated by the registry's own validators
(:mod:`fangpin.registry.validation`, ``services._access``), so the importer refuses exactly
what the services refuse, with the same Chinese messages.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from fangpin.core.access import REGISTRY_EDIT, is_system_actor
from fangpin.core.scope import scope_covers
from fangpin.imports.cells import BadCell, Findings, parse_cell
from fangpin.imports.specs import PERSON_FLAGS, Column
from fangpin.registry.errors import RegistryError
from fangpin.registry.masking import mask_id
from fangpin.registry.models import ACTIVE, Household, Person
from fangpin.registry.services._access import HOUSEHOLD_NOT_FOUND
from fangpin.registry.validation import (
    PERSON_INPUT_FIELDS,
    CleanPerson,
    PersonInput,
    validate_code,
    validate_identity,
    validate_name,
    validate_person_input,
    validate_phone,
)

__all__ = [
    "IN_CHUNK",
    "PERSON_KEYS",
    "ParsedRow",
    "chunks",
    "clean_person",
    "households_by_number",
    "parse_rows",
    "registered_holders",
]

#: Values per ``IN (…)`` query: well under SQLite's 999 bound parameters.
IN_CHUNK: Final = 500
Progress = Callable[[int, int], None]

# Coded person fields; each uses the code table of its own name.
_PERSON_CODED: Final = (
    "relation",
    "ethnicity",
    "education",
    "student_status",
    "health",
    "labour_ability",
)
_PERSON_OPTIONAL_CODED: Final = ("disability_grade", "disability_category", "out_of_school_reason")
#: The columns that describe the person (PersonInput's fields).
PERSON_KEYS: Final = frozenset(PERSON_INPUT_FIELDS)
_DEFAULTS: Final[dict[str, Any]] = {
    "id_type": "1",
    "ethnicity": "01",
    "education": "90",
    "student_status": "00",
    "health": "10",
    "labour_ability": "10",
    "migrant_work_months": 0,
}


@dataclass(slots=True)
class ParsedRow:
    number: int  # as the user sees it: the header is row 1
    raw: dict[str, object]
    values: dict[str, Any] = field(default_factory=dict)
    bad: set[str] = field(default_factory=set)

    def blank(self, key: str) -> bool:
        value = self.values.get(key)
        return value is None or value == ""

    def report(self, findings: Findings, key: str, reason: str) -> None:
        findings.add(self.number, key, self.raw.get(key), reason)
        self.bad.add(key)


def chunks(values: Sequence[Any], size: int = IN_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def parse_rows(
    rows: Sequence[Sequence[object]],
    index_by_key: dict[str, int],
    columns: Sequence[Column],
    findings: Findings,
    *,
    progress: Progress | None = None,
) -> list[ParsedRow]:
    """Parse every non-blank row; report unreadable cells and empty required row cells."""
    parsed: list[ParsedRow] = []
    present = [c for c in columns if c.key in index_by_key]
    total = len(rows)
    for position, cells in enumerate(rows):
        if progress is not None and position % 1000 == 0:
            progress(position, total)
        raw = {
            c.key: (cells[index_by_key[c.key]] if index_by_key[c.key] < len(cells) else None)
            for c in present
        }
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in raw.values()):
            continue
        row = ParsedRow(number=position + 2, raw=raw)
        for column in present:
            try:
                row.values[column.key] = parse_cell(column, raw[column.key])
            except BadCell as exc:
                row.report(findings, column.key, exc.reason)
        for column in present:
            if (
                column.required
                and column.level != "household"
                and column.key not in row.bad
                and row.blank(column.key)
            ):
                row.report(findings, column.key, f"必须填写{column.header}")
        parsed.append(row)
    if progress is not None:
        progress(total, total)
    return parsed


def _first_field(exc: RegistryError, fallback: str, allowed: Iterable[str]) -> str:
    return exc.field if exc.field in set(allowed) else fallback


def clean_person(row: ParsedRow, findings: Findings, *, today: date) -> CleanPerson | None:
    """Validate a row's person: each field on its own first (so independent problems are all
    reported), then :func:`validate_person_input` for the rules between fields."""
    values = {k: v for k, v in row.values.items() if v is not None and v != ""}

    def get(key: str) -> Any:
        return values.get(key, _DEFAULTS.get(key, ""))

    def check(key: str, validate: Callable[[], object]) -> None:
        if key in row.bad:
            return
        try:
            validate()
        except RegistryError as exc:
            row.report(findings, _first_field(exc, key, findings.columns), exc.message)

    check("name", lambda: validate_name(get("name")))
    check("id_type", lambda: validate_code("id_type", "id_type", get("id_type")))
    for key in _PERSON_CODED:
        check(key, functools.partial(validate_code, key, key, get(key)))
    for key in _PERSON_OPTIONAL_CODED:
        check(key, functools.partial(validate_code, key, key, get(key), allow_empty=True))
    check("phone", lambda: validate_phone(get("phone")))
    identity_keys = {"id_type", "id_number", "sex", "birth_date"}
    if not identity_keys & row.bad and "id_number" in values:
        sex = values.get("sex")
        try:
            validate_identity(
                id_type=get("id_type"),
                id_number=values["id_number"],
                sex=sex,
                birth_date=values.get("birth_date"),
                today=today,
            )
        except RegistryError as exc:
            row.report(findings, _first_field(exc, "id_number", identity_keys), exc.message)
    if row.bad & PERSON_KEYS:
        return None
    person = PersonInput(
        name=get("name"),
        id_number=values.get("id_number", ""),
        relation=get("relation"),
        id_type=get("id_type"),
        sex=values.get("sex"),
        birth_date=values.get("birth_date"),
        ethnicity=get("ethnicity"),
        education=get("education"),
        student_status=get("student_status"),
        out_of_school_reason=get("out_of_school_reason"),
        health=get("health"),
        disability_grade=get("disability_grade"),
        disability_category=get("disability_category"),
        labour_ability=get("labour_ability"),
        migrant_work_months=get("migrant_work_months"),
        migrant_employer=get("migrant_employer"),
        phone=get("phone"),
        **{key: bool(values.get(key, False)) for key, _header in PERSON_FLAGS},
    )
    try:
        return validate_person_input(person, today=today)
    except RegistryError as exc:
        row.report(findings, _first_field(exc, "id_number", findings.columns), exc.message)
        return None


@dataclass(frozen=True, slots=True)
class Holder:
    name: str
    household_number: str
    village_code: str


def registered_holders(indexes: Iterable[str]) -> dict[str, Holder]:
    """Registered (active) people holding any of the identity blind ``indexes``, by index:
    one ``IN`` query per :data:`IN_CHUNK` indexes, never one per row."""
    wanted = sorted(set(indexes))
    found: dict[str, Holder] = {}
    for part in chunks(wanted):
        rows = Person.objects.filter(id_number_index__in=part, status=ACTIVE).values_list(
            "id_number_index", "name", "household__household_number", "household__village_id"
        )
        for index, name, number, village in rows:
            found[index] = Holder(name, number, village)
    return found


def id_in_use_message(actor: Any, id_number: str, holder: Holder) -> str:
    """What ``services._access.check_id_free`` says: the holder is named only in scope."""
    if is_system_actor(actor) or scope_covers(actor, holder.village_code):
        who = f"在册人员{holder.name}（户编号{holder.household_number}）"
    else:
        who = "其他地区的在册人员"
    return f"证件号码{mask_id(id_number)}已被{who}使用"


@dataclass(frozen=True, slots=True)
class Target:
    """A household a row names, as the import may write to it."""

    pk: int
    household_number: str
    village_code: str
    version: int


def households_by_number(
    actor: Any, numbers: Iterable[str]
) -> tuple[dict[str, Target], dict[str, str]]:
    """The named households the actor may write to, and a Chinese reason for each other number.

    A household outside the actor's scope gets the very same reason as a missing one, so a
    report tells nothing about households elsewhere.
    """
    wanted = sorted({n for n in numbers if n})
    found: dict[str, Target] = {}
    refused: dict[str, str] = {}
    seen: set[str] = set()
    for part in chunks(wanted):
        rows = Household.objects.filter(household_number__in=part).values_list(
            "pk", "household_number", "village_id", "status", "version"
        )
        for pk, number, village, status, version in rows:
            seen.add(number)
            if not (
                is_system_actor(actor) or scope_covers(actor, village, capability=REGISTRY_EDIT)
            ):
                refused[number] = _unknown_household(number)
            elif status != ACTIVE:
                refused[number] = f"农户{number}已注销"
            else:
                found[number] = Target(pk, number, village, version)
    for number in wanted:
        if number not in seen:
            refused[number] = _unknown_household(number)
    return found, refused


def _unknown_household(number: str) -> str:
    return f"{HOUSEHOLD_NOT_FOUND}（户编号“{number}”）"
