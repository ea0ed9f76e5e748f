"""Scenario 3 (SECURITY.md §5, ASVS 8.2.3, 15.3.3): mass assignment.

A web form posted with extra fields naming protected columns (``village``, ``village_code``,
``status``, ``monitoring_status``, ``risk_level``, ``created_by``, ``region`` …) saves exactly
what the same form without them saves: the row and the audit entry come out identical, the
protected columns keep their values, and the audit entry names only the form's own fields. A
forged ``version`` is a stale form (409), nothing saved. The API refuses any such field in a
body with 422 ``extra_forbidden`` and writes nothing.

Each web case is posted twice in the test's transaction: once clean inside a savepoint that is
rolled back, once with the extra fields; the two outcomes must be equal.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.test import Client

from fangpin.api.services import api_token_create
from fangpin.assistance.models import Measure
from fangpin.casework.models import Case, Clue
from fangpin.core.models import AuditEvent
from fangpin.registry.models import Person
from tests.security.seeded_world import (
    DOUWANG,
    SecWorld,
    client_for,
    module_world,
    row_counts,
)
from tests.web.test_scope_matrix import ROUTES as MATRIX_ROUTES

LUXI_VILLAGE = "433122100201"

#: Fields a form does not have, set to values an attacker would want.
EXTRAS: dict[str, str] = {
    "village": DOUWANG,
    "village_code": DOUWANG,
    "village_id": DOUWANG,
    "region": LUXI_VILLAGE,
    "status": "cancelled",
    "monitoring_status": "2",
    "monitoring_type": "UNSTABLE",
    "risk_level": "0",
    "created_by": "1",
    "opened_by": "1",
    "household": "1",
    "household_id": "1",
    "household_number": "433124102202999",
    "id_number": "433124198001010012",
    "id_number_masked": "433124198001010012",
    "step": "county_approved",
    "is_open": "",
    "kind": "elimination",
    "pending_level": "3",
    "outcome": "confirmed",
    "plan": "1",
    "death_date": "2024-06-01",
    "updated_at": "2000-01-01T00:00:00Z",
}

#: Counts a refused form may add to by design: the audit trail and the household-read log.
READ_LOGS = {"core.AuditEvent", "core.AuditChain", "core.HouseholdRead"}

#: Every test uses the database; the module world needs the test database set up (pytest-django
#: creates it only for a session holding such tests).
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def sec_world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SecWorld]:
    with module_world(django_db_blocker, tmp_path_factory.mktemp("mass"), extras=False) as w:
        yield w


def matrix_form(route: str, ids: dict[str, Any]) -> dict[str, Any]:
    """The valid form of ``route`` as tests/web/test_scope_matrix.py posts it."""
    builder = MATRIX_ROUTES[route][2]
    assert builder is not None
    return builder(ids)


def _row(instance: models.Model) -> dict[str, Any]:
    fresh = type(instance)._default_manager.get(pk=instance.pk)
    values = model_to_dict(fresh)
    values.update({f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields})
    # timestamps (updated_at, verified_at …) differ between two saves a moment apart
    return {k: v for k, v in values.items() if not k.endswith("_at")}


def _outcome(
    client: Client, url: str, data: dict[str, Any], rows: list[models.Model]
) -> tuple[int, list[dict[str, Any]], list[tuple[str, str, Any]]]:
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = client.post(url, data)
    events = [
        (e.action, e.object_type, e.changes)
        for e in AuditEvent.objects.filter(pk__gt=last).order_by("pk")
    ]
    return response.status_code, [_row(r) for r in rows], events


def _clean_then_dirty(
    client: Client, url: str, data: dict[str, Any], rows: list[models.Model]
) -> tuple[Any, Any]:
    with transaction.atomic():
        clean = _outcome(client, url, data, rows)
        transaction.set_rollback(True)
    dirty = _outcome(client, url, {**EXTRAS, **data}, rows)
    return clean, dirty


def _changed_fields(events: list[tuple[str, str, Any]]) -> set[str]:
    return {name for _action, _type, changes in events for name in (changes or {})}


def test_household_edit_ignores_fields_the_form_does_not_have(
    db: None, sec_world: SecWorld
) -> None:
    household = sec_world.households["tudi"]
    before = _row(household)
    client = client_for(sec_world.viewers["county_huayuan"])
    data = {"version": household.version, "household_type": "1", "address": "新住址1号"}

    clean, dirty = _clean_then_dirty(
        client, f"/households/{household.public_id}/edit/", data, [household]
    )

    assert dirty == clean
    status, [after], events = dirty
    assert status == 302
    assert after == {**before, "address": "新住址1号", "version": before["version"] + 1}
    assert [(action, kind) for action, kind, _ in events] == [("household.update", "household")]
    assert _changed_fields(events) == {"address"}


def test_person_edit_ignores_fields_the_form_does_not_have(db: None, sec_world: SecWorld) -> None:
    ids = sec_world.ids["tudi"]
    son = Person.objects.get(pk=ids["son"])
    before = _row(son)
    client = client_for(sec_world.viewers["county_huayuan"])
    data = matrix_form("web:person_edit#post", ids)  # the browser's form, renamed 改名
    assert {"household", "status", "id_number"} & set(data) == set()

    clean, dirty = _clean_then_dirty(client, f"/persons/{son.public_id}/edit/", data, [son])

    assert dirty == clean
    status, [after], events = dirty
    assert status == 302
    assert after == {**before, "name": "改名", "version": before["version"] + 1}
    assert _changed_fields(events) == {"name"}


def test_a_case_step_form_ignores_fields_the_form_does_not_have(
    db: None, sec_world: SecWorld
) -> None:
    ids = sec_world.ids["tudi"]
    case = Case.objects.get(public_id=ids["case"])
    before = _row(case)
    client = client_for(sec_world.viewers["cadre_tudi"])
    data = matrix_form("web:case_act", ids)  # 村级: submit the dossier

    clean, dirty = _clean_then_dirty(client, f"/cases/{case.public_id}/act/", data, [case])

    assert dirty == clean
    status, [after], events = dirty
    assert status == 302
    protected = ("household_id", "village_code", "kind", "is_open", "opened_by_id", "edition_id")
    assert {k: after[k] for k in protected} == {k: before[k] for k in protected}
    assert after["step"] != "county_approved"
    assert after["version"] == before["version"] + 1
    assert not _changed_fields(events) & (set(EXTRAS) - {"step"})


def test_clue_verification_ignores_fields_the_form_does_not_have(
    db: None, sec_world: SecWorld
) -> None:
    ids = sec_world.ids["tudi"]
    clue = Clue.objects.get(public_id=ids["clue"])
    before = _row(clue)
    client = client_for(sec_world.viewers["cadre_tudi"])
    data = matrix_form("web:clue_verify", ids)

    clean, dirty = _clean_then_dirty(client, f"/clues/{clue.public_id}/verify/", data, [clue])

    assert dirty == clean
    status, [after], _events = dirty
    assert status == 302
    assert (after["household_id"], after["village_code"]) == (
        before["household_id"],
        before["village_code"],
    )


def test_a_measure_edit_ignores_fields_the_form_does_not_have(
    db: None, sec_world: SecWorld
) -> None:
    ids = sec_world.ids["tudi"]
    measure = Measure.objects.get(public_id=ids["measure"])
    before = _row(measure)
    client = client_for(sec_world.viewers["county_huayuan"])
    data = matrix_form("assistance:measure_edit#post", ids)
    url = f"/households/{ids['h']}/plan/measures/{measure.public_id}/edit/"

    clean, dirty = _clean_then_dirty(client, url, data, [measure])

    assert dirty == clean
    status, [after], _events = dirty
    assert status == 302
    assert after["plan_id"] == before["plan_id"]


@pytest.mark.parametrize("version", [0, 2, 99])
def test_a_forged_version_is_a_stale_form_and_saves_nothing(
    db: None, sec_world: SecWorld, version: int
) -> None:
    household = sec_world.households["douwang"]
    assert household.version == 1
    before, counts = _row(household), row_counts()
    client = client_for(sec_world.viewers["county_huayuan"])

    response = client.post(
        f"/households/{household.public_id}/edit/",
        {**EXTRAS, "version": version, "household_type": "1", "address": "新住址"},
    )

    assert response.status_code == (200 if version == 0 else 409)
    assert _row(household) == before
    assert {k: v for k, v in row_counts().items() if k not in READ_LOGS} == {
        k: v for k, v in counts.items() if k not in READ_LOGS
    }


# --- The API --------------------------------------------------------------------------------


@pytest.fixture
def api_call(sec_world: SecWorld) -> Callable[..., tuple[int, Any]]:
    secret = api_token_create(
        actor="system:test", user=sec_world.viewers["county_huayuan"], name="测试"
    )[1]
    client = Client()

    def call(method: str, path: str, body: Any) -> tuple[int, Any]:
        response = getattr(client, method.lower())(
            f"/api/v1{path}",
            data=json.dumps(body),
            content_type="application/json",
            headers={"Authorization": f"Bearer {secret}"},
        )
        return response.status_code, response.json()

    return call


API_EXTRAS = ["village", "village_code", "status", "monitoring_status", "risk_level"]
API_EXTRAS += ["created_by", "region", "household_number", "id", "household_id"]


def test_api_patch_refuses_every_extra_field_even_beside_an_allowed_one(
    db: None, sec_world: SecWorld, api_call: Callable[..., tuple[int, Any]]
) -> None:
    household = sec_world.households["tudi"]
    before, counts = _row(household), row_counts()

    answers = {
        field: api_call(
            "PATCH",
            f"/households/{household.public_id}",
            {"version": household.version, "address": "新住址1号", field: EXTRAS.get(field, "1")},
        )
        for field in API_EXTRAS
    }

    assert answers == {
        field: (
            422,
            {
                "code": "invalid",
                "message": f"{field}不允许的字段",
                "errors": [
                    {"field": field, "type": "extra_forbidden", "message": f"{field}不允许的字段"}
                ],
            },
        )
        for field in API_EXTRAS
    }
    assert _row(household) == before
    assert row_counts() == counts


def test_api_create_and_member_add_refuse_extra_fields(
    db: None, sec_world: SecWorld, api_call: Callable[..., tuple[int, Any]]
) -> None:
    household = sec_world.households["tudi"]
    counts = row_counts()
    person = {"name": "张小宝", "id_number": "433124202401050017", "relation": "20"}

    create = api_call(
        "POST",
        "/households",
        {
            "village_code": "433124102201",
            "household_type": "1",
            "registered_on": "2024-03-01",
            "head": {**person, "relation": "01"},
            "status": "cancelled",
            "created_by": 1,
        },
    )
    member = api_call(
        "POST",
        f"/households/{household.public_id}/members",
        {
            "person": {**person, "status": "dead", "household_id": 1},
            "event_type": "birth",
            "event_date": "2024-01-05",
        },
    )

    assert create[0] == member[0] == 422
    assert {e["field"] for e in create[1]["errors"] if e["type"] == "extra_forbidden"} == {
        "status",
        "created_by",
    }
    assert {e["field"] for e in member[1]["errors"] if e["type"] == "extra_forbidden"} == {
        "person.status",
        "person.household_id",
    }
    assert row_counts() == counts
