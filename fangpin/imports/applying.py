"""Write a checked batch: the rows the registry services would write, in bulk.

Runs inside the caller's transaction (``services.import_apply``). Before writing, what the
database may have changed since the check is checked again, in batches (an ID number now
registered, a household number taken, a household cancelled or moved out of scope, a record
created meanwhile, a finance record edited since). Any problem raises
:class:`~fangpin.imports.errors.ImportApplyError` and the transaction rolls back.

Rows go in with ``bulk_create`` / ``bulk_update`` in batches of :data:`BATCH_SIZE`: the
household, person, membership-event and status-change rows are those ``household_create`` and
``person_add`` write, field for field; finances and conditions those of ``finance_upsert`` and
``condition_record``. One audit event covers the whole batch (``services.import_apply``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from django.db.models import Model
from django.utils import timezone

from fangpin import income
from fangpin.core.audit import user_or_none
from fangpin.core.models import Region
from fangpin.imports.errors import ImportApplyError
from fangpin.imports.rows import chunks, households_by_number, registered_holders
from fangpin.registry.errors import RegistryError
from fangpin.registry.models import (
    ACTIVE,
    Household,
    HouseholdCondition,
    HouseholdFinance,
    HouseholdStatusChange,
    MembershipEvent,
    Person,
)
from fangpin.registry.services import _common as c
from fangpin.registry.services._access import AccessDenied, village

__all__ = ["BATCH_SIZE", "Applied", "apply_rows"]

BATCH_SIZE: Final = 2_000
#: Reason of the initial status change, as household_create writes it.
NEW_HOUSEHOLD_REASON: Final = "新建户"
_HOUSEHOLD_MODEL_KEYS: Final = (
    "household_type",
    "natural_village",
    "address",
    "phone_encrypted",
    "phone_index",
    "phone_masked",
    "is_relocated",
    "relocation_mode",
    "relocation_site",
)
_PERSON_MODEL_KEYS: Final = tuple(
    f.name
    for f in Person._meta.concrete_fields
    if f.name
    not in (
        "id",
        "public_id",
        "household",
        "status",
        "death_date",
        "version",
        "created_at",
        "updated_at",
    )
)
_CONDITION_KEYS: Final = tuple(
    f.name
    for f in HouseholdCondition._meta.concrete_fields
    if f.name not in ("id", "household", "recorded_at")
)
_SHOWN: Final = 5


@dataclass(slots=True)
class Applied:
    counts: dict[str, int] = field(default_factory=dict)
    object_ids: dict[str, list[int]] = field(default_factory=dict)
    changes: dict[str, dict[str, list[object]]] = field(default_factory=dict)


def _refuse(message: str) -> ImportApplyError:
    return ImportApplyError(
        "stale", f"检查之后登记库已发生变化，未导入任何数据：{message}。请重新上传文件检查"
    )


def _rows_text(rows: Sequence[int]) -> str:
    shown = "、".join(f"第{r}行" for r in rows[:_SHOWN])
    return shown + (f"等{len(rows)}行" if len(rows) > _SHOWN else "")


def _bulk(model: type[Model], objs: list[Any]) -> list[Any]:
    return list(model._default_manager.bulk_create(objs, batch_size=BATCH_SIZE))


def _check_ids_free(records: list[dict[str, Any]]) -> None:
    holders = registered_holders(r["id_number_index"] for r in records)
    taken = [r["row"] for r in records if r["id_number_index"] in holders]
    if taken:
        masked = next(r for r in records if r["row"] == taken[0])["id_number_masked"]
        raise _refuse(f"{_rows_text(taken)}的证件号码（如{masked}）已被在册人员使用")


def _regions(actor: Any, codes: set[str]) -> dict[str, Region]:
    out: dict[str, Region] = {}
    for code in sorted(codes):
        try:
            out[code] = village(code, actor=actor)  # locks the village: numbers in turn
        except AccessDenied as denied:
            raise _refuse(denied.public.message) from None
        except RegistryError as exc:
            raise _refuse(exc.message) from None
    return out


def _numbers(records: list[dict[str, Any]], regions: dict[str, Region]) -> dict[int, str]:
    """The household number of each household (by group): given, or the village's next ones
    after its highest automatic number, as ``household_number_for`` allocates them."""
    heads = [r for r in records if r["is_head"]]
    given = {r["hh_household_number"] for r in heads if r["hh_household_number"]}
    taken: set[str] = set()
    for part in chunks(sorted(given)):
        taken.update(
            Household.objects.filter(household_number__in=part).values_list(
                "household_number", flat=True
            )
        )
    if taken:
        raise _refuse(f"户编号{sorted(taken)[0]}已被使用")
    numbers: dict[int, str] = {}
    next_sequence: dict[str, int] = {}
    for head in heads:
        if head["hh_household_number"]:
            numbers[head["group"]] = head["hh_household_number"]
            continue
        code = head["hh_village_code"]
        region = regions[code]
        if code not in next_sequence:
            try:
                first = c.household_number_for(region, None)
            except RegistryError as exc:
                raise _refuse(exc.message) from None
            next_sequence[code] = int(first[-4:])
        sequence = next_sequence[code]
        while f"{code}{sequence:04d}" in given:
            sequence += 1
        if sequence > 9999:
            raise ImportApplyError(
                "household_number", f"{region.name}的自动户编号已用完，请在文件中指定户编号"
            )
        numbers[head["group"]] = f"{code}{sequence:04d}"
        next_sequence[code] = sequence + 1
    auto = [n for n in numbers.values() if n not in given]
    for part in chunks(auto):
        clash = Household.objects.filter(household_number__in=part).values_list(
            "household_number", flat=True
        )
        for number in clash:
            raise _refuse(f"户编号{number}已被使用")
    return numbers


def _apply_households(actor: Any, records: list[dict[str, Any]]) -> Applied:
    _check_ids_free(records)
    regions = _regions(actor, {r["hh_village_code"] for r in records})
    numbers = _numbers(records, regions)
    user = user_or_none(actor)
    heads = [r for r in records if r["is_head"]]
    households = _bulk(
        Household,
        [
            Household(
                household_number=numbers[h["group"]],
                village=regions[h["hh_village_code"]],
                **{key: h[f"hh_{key}"] for key in _HOUSEHOLD_MODEL_KEYS},
            )
            for h in heads
        ],
    )
    by_group = {h["group"]: obj for h, obj in zip(heads, households, strict=True)}
    _bulk(
        HouseholdStatusChange,
        [
            HouseholdStatusChange(
                household=by_group[h["group"]],
                from_status="",
                to_status=ACTIVE,
                reason=NEW_HOUSEHOLD_REASON,
                effective_date=h["hh_registered_on"],
                actor=user,
            )
            for h in heads
        ],
    )
    persons = _bulk(
        Person,
        [
            Person(household=by_group[r["group"]], **{k: r[k] for k in _PERSON_MODEL_KEYS})
            for r in records
        ],
    )
    _bulk(
        MembershipEvent,
        [
            MembershipEvent(
                household=by_group[r["group"]],
                person=person,
                event_type="register",
                event_date=r["hh_registered_on"],
                relation_after=r["relation"],
                actor=user,
            )
            for r, person in zip(records, persons, strict=True)
        ],
    )
    return Applied(
        counts={"households": len(households), "persons": len(persons)},
        object_ids={
            "households": [h.pk for h in households],
            "persons": [p.pk for p in persons],
        },
    )


def _live_targets(actor: Any, records: list[dict[str, Any]]) -> None:
    """Refuse when a household named by the rows is gone, cancelled or out of scope now."""
    found, refused = households_by_number(actor, {r["household_number"] for r in records})
    moved = [r["row"] for r in records if r["household_number"] in refused]
    if moved:
        first = next(r for r in records if r["row"] == moved[0])
        raise _refuse(f"{_rows_text(moved)}：{refused[first['household_number']]}")
    changed = [r["row"] for r in records if found[r["household_number"]].pk != r["household_id"]]
    if changed:
        raise _refuse(f"{_rows_text(changed)}的户编号已指向另一户")


def _apply_members(actor: Any, records: list[dict[str, Any]]) -> Applied:
    _live_targets(actor, records)
    _check_ids_free(records)
    user = user_or_none(actor)
    persons = _bulk(
        Person,
        [
            Person(household_id=r["household_id"], **{k: r[k] for k in _PERSON_MODEL_KEYS})
            for r in records
        ],
    )
    _bulk(
        MembershipEvent,
        [
            MembershipEvent(
                household_id=r["household_id"],
                person=person,
                event_type=r["event_type"],
                event_date=r["event_date"],
                relation_after=r["relation"],
                actor=user,
            )
            for r, person in zip(records, persons, strict=True)
        ],
    )
    return Applied(
        counts={"persons": len(persons)}, object_ids={"persons": [p.pk for p in persons]}
    )


def _created_exist(model: type[Model], records: list[dict[str, Any]], key: str) -> None:
    """Refuse when a record the batch would create was created since the check."""
    new = [r for r in records if r["existing_id"] is None]
    households = sorted({r["household_id"] for r in new})
    existing: set[tuple[int, Any]] = set()
    for part in chunks(households):
        existing.update(
            model._default_manager.filter(household_id__in=part).values_list("household_id", key)
        )
    clash = [r["row"] for r in new if (r["household_id"], r[key]) in existing]
    if clash:
        raise _refuse(f"{_rows_text(clash)}的记录已由他人录入")


def _locked(model: type[Model], ids: list[int]) -> dict[int, Any]:
    rows: dict[int, Any] = {}
    for part in chunks(ids):
        rows.update(
            {o.pk: o for o in model._default_manager.select_for_update().filter(pk__in=part)}
        )
    return rows


def _apply_finances(actor: Any, records: list[dict[str, Any]]) -> Applied:
    del actor
    amount_keys = income.all_amount_fields()
    _created_exist(HouseholdFinance, records, "year")
    new = [r for r in records if r["existing_id"] is None]
    created = _bulk(
        HouseholdFinance,
        [
            HouseholdFinance(
                household_id=r["household_id"],
                year=r["year"],
                household_size=r["household_size"],
                **{k: Decimal(r[k]) for k in amount_keys},
            )
            for r in new
        ],
    )
    updates = [r for r in records if r["existing_id"] is not None]
    current = _locked(HouseholdFinance, [r["existing_id"] for r in updates])
    stale = [
        r["row"] for r in updates if current[r["existing_id"]].version != r["existing_version"]
    ]
    if stale:
        raise _refuse(f"{_rows_text(stale)}的收支记录在检查之后已被他人修改")
    changed_objs: list[HouseholdFinance] = []
    changes: dict[str, dict[str, list[object]]] = {}
    fields: set[str] = set()
    now = timezone.now()
    for r in updates:
        obj = current[r["existing_id"]]
        after: dict[str, object] = {k: Decimal(r[k]) for k in amount_keys if r.get(k) is not None}
        if r["household_size"] is not None:
            after["household_size"] = r["household_size"]
        before = {name: getattr(obj, name) for name in after}
        diff = {name: value for name, value in after.items() if before[name] != value}
        if not diff:
            continue
        for name, value in diff.items():
            setattr(obj, name, value)
        obj.version += 1
        obj.updated_at = now
        fields.update(diff)
        changes[str(obj.pk)] = c.diff(before, diff)
        changed_objs.append(obj)
    if changed_objs:
        HouseholdFinance.objects.bulk_update(
            changed_objs, sorted(fields | {"version", "updated_at"}), batch_size=BATCH_SIZE
        )
    return Applied(
        counts={"finances_created": len(created), "finances_updated": len(changed_objs)},
        object_ids={
            "finances_created": [f.pk for f in created],
            "finances_updated": [f.pk for f in changed_objs],
        },
        changes=changes,
    )


def _apply_conditions(actor: Any, records: list[dict[str, Any]]) -> Applied:
    del actor
    _created_exist(HouseholdCondition, records, "assessed_on")
    new = [r for r in records if r["existing_id"] is None]
    created = _bulk(
        HouseholdCondition,
        [
            HouseholdCondition(household_id=r["household_id"], **{k: r[k] for k in _CONDITION_KEYS})
            for r in new
        ],
    )
    updates = [r for r in records if r["existing_id"] is not None]
    current = _locked(HouseholdCondition, [r["existing_id"] for r in updates])
    changed_objs: list[HouseholdCondition] = []
    changes: dict[str, dict[str, list[object]]] = {}
    fields: set[str] = set()
    for r in updates:
        obj = current[r["existing_id"]]
        before = {k: getattr(obj, k) for k in _CONDITION_KEYS}
        diff = {k: r[k] for k in _CONDITION_KEYS if before[k] != r[k]}
        if not diff:
            continue
        for name, value in diff.items():
            setattr(obj, name, value)
        fields.update(diff)
        changes[str(obj.pk)] = c.diff(before, diff)
        changed_objs.append(obj)
    if changed_objs:
        HouseholdCondition.objects.bulk_update(changed_objs, sorted(fields), batch_size=BATCH_SIZE)
    return Applied(
        counts={"conditions_created": len(created), "conditions_updated": len(changed_objs)},
        object_ids={
            "conditions_created": [o.pk for o in created],
            "conditions_updated": [o.pk for o in changed_objs],
        },
        changes=changes,
    )


_APPLIERS = {
    "households": _apply_households,
    "members": _apply_members,
    "finances": _apply_finances,
    "conditions": _apply_conditions,
}


def apply_rows(*, actor: Any, entity: str, records: list[dict[str, Any]]) -> Applied:
    """Write ``records`` (the staged rows of a clean batch); inside a transaction."""
    return _APPLIERS[entity](actor, records)
