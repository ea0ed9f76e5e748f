"""Person endpoints: a member's record, the deaths and departures that end a membership, and
the audited reveal of a masked value (ID number, phone, health details)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from django.http import HttpRequest
from ninja import Path, Router

from fangpin.api.auth import caller, require
from fangpin.api.errors import PERSON_NOT_FOUND, ApiError
from fangpin.api.households import household_pk_in_body, person_pks_in_body
from fangpin.api.schemas import (
    DeathIn,
    HealthOut,
    MoveOutIn,
    PersonOut,
    RevealIn,
    RevealOut,
    responses,
)
from fangpin.core.access import REGISTRY_VIEW
from fangpin.core.alerts import household_reads_record
from fangpin.registry import selectors, services
from fangpin.registry.models import Person
from fangpin.registry.services.reveal import person_reveal_health

router = Router(tags=["人员 persons"])

PersonId = Annotated[UUID, Path(description="人员 ID（公开标识 UUID，不是行号）")]


def _pk(person_id: UUID) -> int:
    """The row id of the person whose public UUID is in a write's path, for the service, which
    checks capability (403), then scope (404, audited) as before. One that names nothing: 0,
    a row id that never exists, so missing and outside answer alike."""
    return person_pks_in_body([person_id])[person_id]


def _head_pk(new_head_id: UUID | None) -> int | None:
    return None if new_head_id is None else person_pks_in_body([new_head_id])[new_head_id]


def _person(user: object, person_id: UUID) -> PersonOut:
    try:
        person = selectors.person_get(user=user, public_id=person_id)
    except Person.DoesNotExist:
        raise ApiError(404, "not_found", PERSON_NOT_FOUND) from None
    household_reads_record(user=user, household_ids=[person.household_id])  # SEC-AUD-6
    return PersonOut.of(person)


@router.get("/{person_id}", response=responses(200, PersonOut), summary="人员详情")
def person_detail(request: HttpRequest, person_id: PersonId) -> PersonOut:
    user = require(request, REGISTRY_VIEW)
    return _person(user, person_id)


@router.post("/{person_id}/death", response=responses(200, PersonOut), summary="登记死亡")
def person_death(request: HttpRequest, person_id: PersonId, body: DeathIn) -> PersonOut:
    """A head who dies while others remain needs ``new_head_id``."""
    user = caller(request)
    services.person_record_death(
        actor=user,
        person_id=_pk(person_id),
        death_date=body.death_date,
        new_head_id=_head_pk(body.new_head_id),
    )
    return _person(user, person_id)


@router.post("/{person_id}/move-out", response=responses(200, PersonOut), summary="迁出或婚出")
def person_move_out(request: HttpRequest, person_id: PersonId, body: MoveOutIn) -> PersonOut:
    """To another registered household (``to_household_id`` + ``new_relation``) or out of the
    registry; the person's record then shows where they are now, if in scope."""
    user = caller(request)
    services.person_move_out(
        actor=user,
        person_id=_pk(person_id),
        event_type=body.event_type,
        event_date=body.event_date,
        to_household_id=household_pk_in_body(body.to_household_id),
        new_relation=body.new_relation,
        new_head_id=_head_pk(body.new_head_id),
    )
    return _person(user, person_id)


@router.post(
    "/{person_id}/reveal",
    response=responses(200, RevealOut),
    summary="查看明文（证件号码、联系电话、健康状况）",
)
def person_reveal(request: HttpRequest, person_id: PersonId, body: RevealIn) -> RevealOut:
    """Needs ``pi.reveal`` (403 for any id otherwise) and the person in scope (else 404, like a
    missing one). The reason is required (400 ``reason``); every reveal is one ``data.reveal``
    audit event. ``health`` shows the status, disability grade and category together."""
    user = caller(request)
    pk = _pk(person_id)
    if body.field == "health":
        details = person_reveal_health(
            actor=user, person_id=pk, reason=body.reason, request=request
        )
        return RevealOut(
            person_id=person_id,
            field="health",
            value=details.summary,
            health=HealthOut(
                health=details.health,
                health_label=details.health_label,
                disability_grade=details.disability_grade,
                disability_grade_label=details.disability_grade_label,
                disability_category=details.disability_category,
                disability_category_label=details.disability_category_label,
            ),
        )
    value = services.person_reveal(
        actor=user, person_id=pk, field=body.field, reason=body.reason, request=request
    )
    return RevealOut(person_id=person_id, field=body.field, value=value, health=None)
