"""Checks of the two household-record imports: yearly finances and checklist assessments.

Each row names a registered household by 户编号 (in the uploader's scope). In ``create`` mode
a record that already exists (household × year, household × 核查日期) is an error; in
``upsert`` mode it is updated: for finances only the amounts and the size the row fills in
(blank cells keep the stored value, as ``finance_upsert`` keeps what it is not given), for
conditions the whole assessment.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q

from fangpin import conditions, income
from fangpin.imports.cells import Findings
from fangpin.imports.people import PeopleCheck
from fangpin.imports.rows import ParsedRow, Progress, chunks, households_by_number, parse_rows
from fangpin.imports.specs import Column
from fangpin.registry.errors import RegistryError
from fangpin.registry.models import ACTIVE, HouseholdCondition, HouseholdFinance, Person
from fangpin.registry.services import _common as c
from fangpin.registry.services.finance import (
    FIRST_YEAR,
    MAX_HOUSEHOLD_SIZE,
    _amount,
    _check_water,
    water_fields,
)
from fangpin.registry.validation import validate_code

__all__ = ["check_conditions", "check_finances"]

_WATER_FIELDS = {
    "area_type": "water_area_type",
    "litres_per_person_day": "water_litres_per_person_day",
    "trip_minutes": "water_trip_minutes",
    "horizontal_m": "water_horizontal_m",
    "vertical_m": "water_vertical_m",
    "cut_days_per_year": "water_cut_days_per_year",
    "quality_tested": "water_quality_tested",
    "quality_simple_check_ok": "water_quality_simple_check_ok",
    "is_piped": "water_is_piped",
}


def _targets(actor: Any, parsed: list[ParsedRow], findings: Findings) -> dict[int, Any]:
    """Each row's household (in scope, active), by row number; report the others."""
    numbers = {
        r.number: str(r.values["household_number"]).strip()
        for r in parsed
        if not r.blank("household_number") and "household_number" not in r.bad
    }
    found, refused = households_by_number(actor, numbers.values())
    targets = {}
    for row in parsed:
        number = numbers.get(row.number)
        if number in refused:
            row.report(findings, "household_number", refused[number])
        elif number is not None:
            targets[row.number] = found[number]
    return targets


def _member_counts(household_ids: set[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for part in chunks(sorted(household_ids)):
        rows = (
            Person.objects.filter(household_id__in=part, status=ACTIVE)
            .values("household_id")
            .annotate(n=Count("id"))
        )
        counts.update({r["household_id"]: r["n"] for r in rows})
    return counts


def check_finances(
    *,
    actor: Any,
    rows: Sequence[Sequence[object]],
    index_by_key: dict[str, int],
    columns: Sequence[Column],
    mode: str,
    progress: Progress | None = None,
) -> PeopleCheck:
    """Check a ``finances`` file (household × 年度)."""
    findings = Findings({col.key: col for col in columns})
    parsed = parse_rows(rows, index_by_key, columns, findings, progress=progress)
    targets = _targets(actor, parsed, findings)
    this_year = c.today().year
    amount_keys = income.all_amount_fields()
    clean: dict[int, dict[str, Any]] = {}
    first: dict[tuple[int, int], int] = {}
    for row in parsed:
        year = row.values.get("year")
        if "year" not in row.bad and year is not None and not FIRST_YEAR <= year <= this_year:
            row.report(findings, "year", f"年度应在{FIRST_YEAR}至{this_year}之间，实为{year}")
        size = row.values.get("household_size")
        if size is not None and not 1 <= size <= MAX_HOUSEHOLD_SIZE:
            row.report(
                findings,
                "household_size",
                f"家庭人口应在1至{MAX_HOUSEHOLD_SIZE}之间，实为{size}",
            )
        amounts: dict[str, Decimal] = {}
        for key in amount_keys:
            value = row.values.get(key)
            if key in row.bad or value is None:
                continue
            try:
                amounts[key] = _amount(key, value)
            except RegistryError as exc:
                row.report(findings, key, exc.message)
        target = targets.get(row.number)
        if target is None or row.bad or year is None:
            continue
        pair = (target.pk, int(year))
        if pair in first:
            row.report(findings, "year", f"与第{first[pair]}行的户编号和年度重复")
            continue
        first[pair] = row.number
        clean[row.number] = {"target": target, "year": year, "size": size, "amounts": amounts}

    existing: dict[tuple[int, int], tuple[int, int]] = {}
    pairs = sorted(first)
    for part in chunks(pairs, 400):
        query = Q()
        for household_id, year in part:
            query |= Q(household_id=household_id, year=year)
        for pk, hid, year, version in HouseholdFinance.objects.filter(query).values_list(
            "pk", "household_id", "year", "version"
        ):
            existing[(hid, year)] = (pk, version)
    needs_count = {
        v["target"].pk
        for v in clean.values()
        if v["size"] is None and (v["target"].pk, v["year"]) not in existing
    }
    members = _member_counts(needs_count)
    staged: list[dict[str, Any]] = []
    for row in parsed:
        item = clean.get(row.number)
        if item is None:
            continue
        target, year = item["target"], item["year"]
        found = existing.get((target.pk, year))
        if found is not None and mode == "create":
            row.report(
                findings,
                "year",
                f"农户{target.household_number}的{year}年度收支已存在；"
                "要修改请选择“新增或更新”方式导入",
            )
            continue
        if found is None:
            size = item["size"] if item["size"] is not None else members.get(target.pk, 0)
            if size < 1:
                row.report(findings, "household_size", "农户没有在册成员，请填写家庭人口")
                continue
            values = {k: str(item["amounts"].get(k, Decimal("0.00"))) for k in amount_keys}
        else:
            size = item["size"]
            values = {k: (str(v)) for k, v in item["amounts"].items()}
        staged.append(
            {
                "row": row.number,
                "household_id": target.pk,
                "household_number": target.household_number,
                "year": year,
                "household_size": size,
                "existing_id": found[0] if found else None,
                "existing_version": found[1] if found else None,
                **{k: values.get(k) for k in amount_keys},
            }
        )
    for row in parsed:
        if row.bad:
            findings.remember_row(row.number, row.raw)
    return PeopleCheck(findings, len(parsed), staged if findings.total == 0 else [])


def _attempt(row: ParsedRow, findings: Findings, key: str, check: Callable[[], Any]) -> Any:
    if key in row.bad:
        return None
    try:
        return check()
    except RegistryError as exc:
        row.report(findings, key, exc.message)
        return None


def _condition_checks(row: ParsedRow, findings: Findings) -> tuple[Any, Any]:
    """The checks ``condition_record`` makes of the dates, the housing grade and assessor
    and the water source; return the grade and the source."""
    v = row.values
    for key, label in (("assessed_on", "核查日期"), ("housing_assessed_on", "住房安全鉴定日期")):
        day = v.get(key)
        if isinstance(day, date):
            _attempt(
                row,
                findings,
                key,
                functools.partial(c.not_future, day, field=key, label=label),
            )
    grade = _attempt(
        row,
        findings,
        "housing_grade",
        functools.partial(validate_code, "housing_grade", "housing_grade", v.get("housing_grade")),
    )
    _attempt(
        row,
        findings,
        "housing_assessor",
        functools.partial(
            c.require_text,
            v.get("housing_assessor") or "",
            field="housing_assessor",
            label="住房安全鉴定单位",
            max_length=100,
        ),
    )
    source = _attempt(
        row,
        findings,
        "water_source",
        functools.partial(
            validate_code, "water_source", "water_source", v.get("water_source") or "1"
        ),
    )
    return grade, source


def check_conditions(
    *,
    actor: Any,
    rows: Sequence[Sequence[object]],
    index_by_key: dict[str, int],
    columns: Sequence[Column],
    mode: str,
    progress: Progress | None = None,
) -> PeopleCheck:
    """Check a ``conditions`` file (household × 核查日期), as ``condition_record`` checks."""
    findings = Findings({col.key: col for col in columns})
    parsed = parse_rows(rows, index_by_key, columns, findings, progress=progress)
    targets = _targets(actor, parsed, findings)
    clean: dict[int, dict[str, Any]] = {}
    first: dict[tuple[int, date], int] = {}
    for row in parsed:
        v = row.values
        grade, source = _condition_checks(row, findings)
        water_keys = set(_WATER_FIELDS.values())
        water = None
        if not row.bad & water_keys:
            water = conditions.WaterMeasurement(
                area_type=v.get("water_area_type") or "",
                litres_per_person_day=v.get("water_litres_per_person_day"),  # type: ignore[arg-type]
                quality_tested=bool(v.get("water_quality_tested") or False),
                quality_simple_check_ok=bool(v.get("water_quality_simple_check_ok") or False),
                is_piped=bool(v.get("water_is_piped") or False),
                trip_minutes=v.get("water_trip_minutes"),
                horizontal_m=v.get("water_horizontal_m"),
                vertical_m=v.get("water_vertical_m"),
                cut_days_per_year=v.get("water_cut_days_per_year") or 0,
            )
            try:
                _check_water(water)
            except RegistryError as exc:
                row.report(
                    findings, _WATER_FIELDS.get(exc.field or "", "water_area_type"), exc.message
                )
                water = None
        target = targets.get(row.number)
        if target is None or row.bad or water is None:
            continue
        pair = (target.pk, v["assessed_on"])
        if pair in first:
            row.report(findings, "assessed_on", f"与第{first[pair]}行的户编号和核查日期重复")
            continue
        first[pair] = row.number
        clean[row.number] = {
            "target": target,
            "assessed_on": v["assessed_on"],
            "food_secure": v["food_secure"],
            "clothing_secure": v["clothing_secure"],
            "housing_grade": grade,
            "housing_assessor": str(v["housing_assessor"]).strip(),
            "housing_assessed_on": v["housing_assessed_on"],
            "water_source": source,
            **water_fields(water),
        }

    existing: dict[tuple[int, date], int] = {}
    for part in chunks(sorted(first), 400):
        query = Q()
        for household_id, day in part:
            query |= Q(household_id=household_id, assessed_on=day)
        for pk, hid, day in HouseholdCondition.objects.filter(query).values_list(
            "pk", "household_id", "assessed_on"
        ):
            existing[(hid, day)] = pk
    staged: list[dict[str, Any]] = []
    for row in parsed:
        item = clean.get(row.number)
        if item is None:
            continue
        target = item.pop("target")
        found = existing.get((target.pk, item["assessed_on"]))
        if found is not None and mode == "create":
            row.report(
                findings,
                "assessed_on",
                f"农户{target.household_number}在{item['assessed_on'].isoformat()}已有核查记录",
            )
            continue
        staged.append(
            {
                "row": row.number,
                "household_id": target.pk,
                "household_number": target.household_number,
                "existing_id": found,
                **item,
            }
        )
    for row in parsed:
        if row.bad:
            findings.remember_row(row.number, row.raw)
    return PeopleCheck(findings, len(parsed), staged if findings.total == 0 else [])
