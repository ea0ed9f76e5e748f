"""Household endpoints: parse → selector or service → schema. Scope lives in the selectors and
services; here only the capability is asked (403) and "does not exist" is answered (404)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Query, Router, Status

from fangpin import idnumber
from fangpin.api.auth import caller, require
from fangpin.api.errors import HOUSEHOLD_NOT_FOUND, ApiError
from fangpin.api.schemas import (
    ChecklistOut,
    ConditionIn,
    ConditionOut,
    ConditionsOut,
    FinanceIn,
    FinanceOut,
    HeadChangeIn,
    HouseholdCreateIn,
    HouseholdDetailOut,
    HouseholdOut,
    HouseholdPageOut,
    HouseholdPatchIn,
    HouseholdSearchOut,
    IdSearchIn,
    MemberAddIn,
    MonitoringOut,
    PersonIn,
    PersonOut,
    TimelineEntryOut,
    label,
    responses,
)
from fangpin.conditions import WaterMeasurement
from fangpin.core.access import REGISTRY_VIEW
from fangpin.core.alerts import household_reads_record
from fangpin.registry import selectors, services
from fangpin.registry.models import NOT_MONITORED, Household
from fangpin.registry.validation import PersonInput, validate_code

router = Router(tags=["农户 households"])

HouseholdId = Annotated[UUID, Path(description="农户 ID（公开标识 UUID，不是行号）")]
MAX_LIMIT = 100
_LOOKS_LIKE_ID = re.compile(r"[0-9]{15}")
MAX_OFFSET = 1_000_000


def person_input(data: PersonIn) -> PersonInput:
    return PersonInput(**data.model_dump())


def _detail(user: Any, household_pk: int) -> Any:
    """The household with head name and member count, or 404 (missing and out of scope alike)."""
    household = selectors.household_list(user=user).filter(pk=household_pk).first()
    if household is None:
        raise ApiError(404, "not_found", HOUSEHOLD_NOT_FOUND)
    household_reads_record(user=user, household_ids=[household.pk])  # SEC-AUD-6
    return household


def _pk(user: Any, household_id: UUID) -> int:
    """The row id of the household whose public UUID is in the path, or 404 (missing and out
    of scope alike). Services and selectors go on by row id; the row id never leaves."""
    try:
        return selectors.household_get(user=user, public_id=household_id).pk
    except Household.DoesNotExist:
        raise ApiError(404, "not_found", HOUSEHOLD_NOT_FOUND) from None


def _exists(user: Any, household_id: UUID) -> int:
    pk = _pk(user, household_id)
    household_reads_record(user=user, household_ids=[pk])  # SEC-AUD-6
    return pk


def household_pk_in_body(public_id: UUID | None) -> int | None:
    """A household named in a path or body of a write, as the row id its service takes.

    The service checks the scope itself and audits a refusal, as it always did; a public id
    that names nothing becomes 0, a row id that never exists, so the service answers "not
    found" exactly as for a household outside the scope.
    """
    if public_id is None:
        return None
    return selectors.household_row_ids(public_ids=[public_id]).get(public_id, 0)


def _target(household_id: UUID) -> int:
    return household_pk_in_body(household_id) or 0


def person_pks_in_body(public_ids: list[UUID]) -> dict[UUID, int]:
    """Persons named in a write (row ids for the service; 0 for none, as above)."""
    found = selectors.person_row_ids(public_ids=public_ids)
    return {public_id: found.get(public_id, 0) for public_id in public_ids}


@router.get("", response=responses(200, HouseholdPageOut), summary="农户列表")
def household_list(
    request: HttpRequest,
    village: Annotated[
        str | None, Query(pattern=r"^[0-9]{12}$", description="12 位村代码（辖区内）")
    ] = None,
    household_type: Annotated[
        str | None, Query(pattern=r"^[0-9]{1,2}$", description="户类型代码")
    ] = None,
    status: Annotated[Literal["active", "cancelled"] | None, Query(description="户状态")] = None,
    q: Annotated[
        str | None,
        Query(max_length=50, pattern=r"^[^\x00]*$", description="户编号前缀或户主姓名"),
    ] = None,
    monitoring_status: Annotated[
        str | None, Query(max_length=16, description="监测状态代码（none / open / eliminated）")
    ] = None,
    monitoring_type: Annotated[
        str | None,
        Query(max_length=16, description="监测对象类别代码（UNSTABLE / MARGINAL / SUDDEN）"),
    ] = None,
    risk_type: Annotated[
        str | None, Query(max_length=4, description="风险类型代码：当前监测记录含此风险")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> HouseholdPageOut:
    """Households in the caller's scope, ordered by household number; limit ≤ 100.

    ``q`` matches a household-number prefix or the head's name. An ID number is never sent in a
    URL: search by ID with ``POST /households/search-by-id``.
    """
    user = require(request, REGISTRY_VIEW)
    if q and _LOOKS_LIKE_ID.search(idnumber.normalise(q)):
        # The selector would find it, but an ID number must not travel in a URL (SEC-MSK-3).
        raise ApiError(
            400,
            "id_number_in_url",
            "证件号码不能放在网址中，请用 POST /api/v1/households/search-by-id 查找",
            field="q",
        )
    # An unknown code is a 400 "code_value" naming the parameter, not an empty page.
    monitoring = {
        name: validate_code(name, name, value) if value else None
        for name, value in (
            ("monitoring_status", monitoring_status),
            ("monitoring_type", monitoring_type),
            ("risk_type", risk_type),
        )
    }
    qs = selectors.household_list(
        user=user,
        village_prefix=village,
        household_type=household_type,
        search=q,
        monitoring_status=monitoring["monitoring_status"],
        monitoring_type=monitoring["monitoring_type"],
        risk_type=monitoring["risk_type"],
    )
    if status:
        qs = qs.filter(status=status)
    total = qs.count()
    page = list(qs[offset : offset + limit])
    return HouseholdPageOut(
        count=total, limit=limit, offset=offset, items=[HouseholdOut.of(h) for h in page]
    )


@router.post(
    "/search-by-id", response=responses(200, HouseholdSearchOut), summary="按证件号码查找农户"
)
def household_search_by_id(request: HttpRequest, body: IdSearchIn) -> HouseholdSearchOut:
    """The household of the person holding the ID number (in scope); the number stays in the
    body, never in a URL or a log line."""
    user = require(request, REGISTRY_VIEW)
    person = selectors.person_find_by_id_number(user=user, id_number=body.id_number)
    if person is None:
        return HouseholdSearchOut(items=[])
    found = selectors.household_list(user=user).filter(pk=person.household_id)
    return HouseholdSearchOut(items=[HouseholdOut.of(h) for h in found])


@router.get("/{household_id}", response=responses(200, HouseholdDetailOut), summary="农户详情")
def household_detail(request: HttpRequest, household_id: HouseholdId) -> HouseholdDetailOut:
    """The household and its current monitoring spell with its risks (``monitoring``)."""
    user = require(request, REGISTRY_VIEW)
    household = _detail(user, _pk(user, household_id))
    current = None
    if household.monitoring_status != NOT_MONITORED:  # no spells otherwise: skip the queries
        spells = selectors.household_monitorings(user=user, household_id=household.pk)
        current = next((MonitoringOut.of(s) for s in spells if s.is_current), None)
    return HouseholdDetailOut(**HouseholdOut.of(household).model_dump(), monitoring=current)


@router.get("/{household_id}/members", response=responses(200, list[PersonOut]), summary="家庭成员")
def household_members(
    request: HttpRequest,
    household_id: HouseholdId,
    include_inactive: Annotated[bool, Query(description="含已死亡、已迁出人员")] = False,
) -> list[PersonOut]:
    user = require(request, REGISTRY_VIEW)
    pk = _exists(user, household_id)
    members = selectors.household_members(
        user=user, household_id=pk, include_inactive=include_inactive
    ).select_related("household")
    return [PersonOut.of(p) for p in members]


@router.get(
    "/{household_id}/finances", response=responses(200, list[FinanceOut]), summary="历年收支"
)
def household_finances(request: HttpRequest, household_id: HouseholdId) -> list[FinanceOut]:
    user = require(request, REGISTRY_VIEW)
    pk = _exists(user, household_id)
    rows = (
        selectors.finance_list(user=user)
        .filter(household_id=pk)
        .select_related("household")
        .order_by("-year")
    )
    return [FinanceOut.of(f) for f in rows]


@router.get(
    "/{household_id}/conditions",
    response=responses(200, ConditionsOut),
    summary="两不愁三保障及饮水安全：最近核查与清单",
)
def household_conditions(request: HttpRequest, household_id: HouseholdId) -> ConditionsOut:
    user = require(request, REGISTRY_VIEW)
    pk = _exists(user, household_id)
    today = timezone.localdate()
    current = selectors.household_current_condition(user=user, household_id=pk)
    checklist = selectors.household_checklist(user=user, household_id=pk, on=today)
    return ConditionsOut(
        current=ConditionOut.of(current) if current is not None else None,
        checklist=ChecklistOut(
            on=today,
            food=checklist.food,
            clothing=checklist.clothing,
            compulsory_education=checklist.compulsory_education,
            medical_insurance=checklist.medical_insurance,
            housing=checklist.housing,
            water=checklist.water,
            all_secured=checklist.all_secured,
            failures=list(checklist.failures),
        ),
    )


@router.get(
    "/{household_id}/timeline",
    response=responses(200, list[TimelineEntryOut]),
    summary="成员变动与户状态变更（新的在前）",
)
def household_timeline(request: HttpRequest, household_id: HouseholdId) -> list[TimelineEntryOut]:
    user = require(request, REGISTRY_VIEW)
    pk = _exists(user, household_id)
    return [
        TimelineEntryOut(
            on=e.on,
            recorded_at=e.recorded_at,
            kind=e.kind,
            code=e.code,
            label=e.label,
            person_id=e.person_public_id,
            person_name=e.person_name,
            related_household_number=e.related_household_number,
            relation_before=e.relation_before,
            relation_before_label=label("relation", e.relation_before),
            relation_after=e.relation_after,
            relation_after_label=label("relation", e.relation_after),
            note=e.note,
        )
        for e in selectors.household_timeline(user=user, household_id=pk)
    ]


# --- Writes -----------------------------------------------------------------------------------


@router.post("", response=responses(201, HouseholdOut), summary="登记新户（户主及成员）")
def household_create(request: HttpRequest, body: HouseholdCreateIn) -> Status[HouseholdOut]:
    user = caller(request)
    fields = body.model_dump(exclude={"head", "members"})
    household = services.household_create(
        actor=user,
        head=person_input(body.head),
        members=[person_input(m) for m in body.members],
        **fields,
    )
    return Status(201, HouseholdOut.of(_detail(user, household.pk)))


@router.patch("/{household_id}", response=responses(200, HouseholdOut), summary="修改农户信息")
def household_update(
    request: HttpRequest, household_id: HouseholdId, body: HouseholdPatchIn
) -> HouseholdOut:
    """Only the fields sent are changed; ``version`` must be the one read (else 409 ``stale``)."""
    user = caller(request)
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    changes = {name: value for name, value in changes.items() if value is not None}
    pk = _target(household_id)
    services.household_update(
        actor=user, household_id=pk, expected_version=body.version, changes=changes
    )
    return HouseholdOut.of(_detail(user, pk))


@router.post(
    "/{household_id}/members",
    response=responses(201, PersonOut),
    summary="新增成员（出生、迁入、婚入）",
)
def household_member_add(
    request: HttpRequest, household_id: HouseholdId, body: MemberAddIn
) -> Status[PersonOut]:
    user = caller(request)
    person = services.person_add(
        actor=user,
        household_id=_target(household_id),
        person=person_input(body.person),
        event_type=body.event_type,
        event_date=body.event_date,
        from_household_id=household_pk_in_body(body.from_household_id),
    )
    return Status(201, PersonOut.of(selectors.person_get(user=user, person_id=person.pk)))


@router.post("/{household_id}/head", response=responses(200, HouseholdOut), summary="户主变更")
def household_change_head(
    request: HttpRequest, household_id: HouseholdId, body: HeadChangeIn
) -> HouseholdOut:
    user = caller(request)
    pk = _target(household_id)
    named = person_pks_in_body([body.new_head_id, *(body.relations or {})])
    services.household_change_head(
        actor=user,
        household_id=pk,
        new_head_id=named[body.new_head_id],
        old_head_relation=body.old_head_relation,
        relations=(
            None
            if body.relations is None
            else {named[person]: code for person, code in body.relations.items()}
        ),
        event_date=body.event_date,
    )
    return HouseholdOut.of(_detail(user, pk))


@router.put(
    "/{household_id}/finances/{year}",
    response=responses(200, FinanceOut),
    summary="填报或修改某年度收支",
)
def household_finance_put(
    request: HttpRequest,
    household_id: HouseholdId,
    year: Annotated[int, Path(ge=1900, le=2100, description="年度")],
    body: FinanceIn,
) -> FinanceOut:
    """Creates the year's record, or updates it when ``version`` is the one read (409 if not)."""
    user = caller(request)
    row = services.finance_upsert(
        actor=user,
        household_id=_target(household_id),
        year=year,
        amounts=dict(body.amounts),
        household_size=body.household_size,
        expected_version=body.version,
    )
    row = selectors.finance_list(user=user).select_related("household").get(pk=row.pk)
    return FinanceOut.of(row)


@router.post(
    "/{household_id}/conditions",
    response=responses(201, ConditionOut),
    summary="记录两不愁三保障及饮水安全核查",
)
def household_condition_record(
    request: HttpRequest, household_id: HouseholdId, body: ConditionIn
) -> Status[ConditionOut]:
    user = caller(request)
    water = WaterMeasurement(**body.water.model_dump())
    condition = services.condition_record(
        actor=user,
        household_id=_target(household_id),
        assessed_on=body.assessed_on,
        food_secure=body.food_secure,
        clothing_secure=body.clothing_secure,
        housing_grade=body.housing_grade,
        housing_assessor=body.housing_assessor,
        housing_assessed_on=body.housing_assessed_on,
        water=water,
        water_source=body.water_source,
    )
    return Status(201, ConditionOut.of(condition))


__all__ = ["router"]
