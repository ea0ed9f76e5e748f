"""Person endpoints: a member's record, and the deaths and departures that end a membership."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Path, Router

from fangpin.api.auth import caller, require
from fangpin.api.errors import PERSON_NOT_FOUND, ApiError
from fangpin.api.schemas import MAX_ID, DeathIn, MoveOutIn, PersonOut, responses
from fangpin.core.access import REGISTRY_VIEW
from fangpin.registry import selectors, services
from fangpin.registry.models import Person

router = Router(tags=["人员 persons"])

PersonId = Annotated[int, Path(ge=1, le=MAX_ID, description="人员 ID")]


def _person(user: object, person_id: int) -> PersonOut:
    try:
        return PersonOut.of(selectors.person_get(user=user, person_id=person_id))
    except Person.DoesNotExist:
        raise ApiError(404, "not_found", PERSON_NOT_FOUND) from None


@router.get("/{person_id}", response=responses(200, PersonOut), summary="人员详情")
def person_detail(request: HttpRequest, person_id: PersonId) -> PersonOut:
    user = require(request, REGISTRY_VIEW)
    return _person(user, person_id)


@router.post("/{person_id}/death", response=responses(200, PersonOut), summary="登记死亡")
def person_death(request: HttpRequest, person_id: PersonId, body: DeathIn) -> PersonOut:
    """A head who dies while others remain needs ``new_head_id``."""
    user = caller(request)
    services.person_record_death(
        actor=user, person_id=person_id, death_date=body.death_date, new_head_id=body.new_head_id
    )
    return _person(user, person_id)


@router.post("/{person_id}/move-out", response=responses(200, PersonOut), summary="迁出或婚出")
def person_move_out(request: HttpRequest, person_id: PersonId, body: MoveOutIn) -> PersonOut:
    """To another registered household (``to_household_id`` + ``new_relation``) or out of the
    registry; the person's record then shows where they are now, if in scope."""
    user = caller(request)
    services.person_move_out(
        actor=user,
        person_id=person_id,
        event_type=body.event_type,
        event_date=body.event_date,
        to_household_id=body.to_household_id,
        new_relation=body.new_relation,
        new_head_id=body.new_head_id,
    )
    return _person(user, person_id)
