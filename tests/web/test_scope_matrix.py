"""The web IDOR matrix (SEC-AC-1, scenario 1): every web route that addresses a household, a
person, a risk clue, a screening run, a case, a self-declaration or a village's QR page or
notice × role × household in or out of scope (each household has a clue with one warning and
an identification case, its village a screening run and a self-declaration).

Expected, written out rather than computed: a role without ``registry.view`` gets 403 for any
id; a write route refuses a role without the capability it needs with 403 for any id; a
household outside the viewer's scope answers 404 exactly like a missing one, shows none of
its data, and changes nothing but one ``authz.denied`` audit event (who, IP, the object type
and the public id asked for; a missing id leaves none); inside the scope the route works.

``ROUTES`` must list every such route: ``tests/test_route_coverage.py`` fails when a route
exists in the URL map but in none of the matrices.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

from fangpin import idnumber
from fangpin.assistance.models import Measure, Plan, Visit, VisitPhoto
from fangpin.assistance.services import PhotoUpload, visit_record
from fangpin.casework.models import Case, Clue, ScreeningRun, Warning
from fangpin.core.models import AuditEvent, User
from fangpin.intake.models import Declaration
from fangpin.registry.models import (
    Household,
    HouseholdCondition,
    HouseholdFinance,
    HouseholdStatusChange,
    MembershipEvent,
    Person,
)
from fangpin.web.forms_person import PersonEditForm
from tests.assistance.conftest import PNG_BYTES
from tests.casework.conftest import make_case
from tests.intake.conftest import make_declaration
from tests.module_world import BuiltWorld, registry_module_world, world_for_test
from tests.registry.conftest import World, member
from tests.registry.monitoring_helpers import add_spell
from tests.web.conftest import client_for
from tests.web.test_casework_pages import make_clue, make_run

ROLES = ["cadre_tudi", "county_huayuan", "inspector_luxi", "auditor", "sysadmin"]
TARGETS = ["tudi", "douwang", "luxi"]
#: role → households it may see (written out, not computed)
IN_SCOPE = {
    "cadre_tudi": {"tudi"},
    "county_huayuan": {"tudi", "douwang"},
    "inspector_luxi": {"luxi"},
    "auditor": set(),
    "sysadmin": set(),
}
#: role → capabilities that matter here
CAN = {
    "cadre_tudi": {"view", "edit", "verify", "decide", "plan"},
    "county_huayuan": {"view", "edit", "reveal", "decide", "plan"},
    "inspector_luxi": {"view"},
    "auditor": set(),
    "sysadmin": set(),
}

Ids = dict[str, Any]


def _person_edit_data(ids: Ids) -> dict[str, Any]:
    """The person form as the browser posts it back, with the son renamed."""
    son = Person.objects.get(pk=ids["son"])
    data = {k: v for k, v in PersonEditForm.initial_for(son).items() if v is not False}
    data = {k: ("on" if v is True else str(v)) for k, v in data.items()}
    return {**data, "name": "改名"}


#: route name → (method, path template, form data builder, capability needed, success status)
ROUTES: dict[str, tuple[str, str, Callable[[Ids], dict[str, Any]] | None, str, int]] = {
    "web:household": ("GET", "/households/{h}/", None, "view", 200),
    "web:household_edit": ("GET", "/households/{h}/edit/", None, "edit", 200),
    "web:household_edit#post": (
        "POST",
        "/households/{h}/edit/",
        lambda ids: {"version": ids["version"], "household_type": "1", "address": "新住址1号"},
        "edit",
        302,
    ),
    "web:membership#birth": (
        "POST",
        "/households/{h}/members/birth/",
        lambda ids: {
            "name": "小宝",
            "id_number": ids["newborn"],
            "relation": "20",
            "event_date": "2024-01-05",
        },
        "edit",
        302,
    ),
    "web:membership#death": (
        "POST",
        "/households/{h}/members/death/",
        lambda ids: {"person": ids["son"], "death_date": "2024-06-01", "new_head": ""},
        "edit",
        302,
    ),
    "web:membership#move_out": (
        "POST",
        "/households/{h}/members/move_out/",
        lambda ids: {
            "person": ids["son"],
            "event_type": "move_out",
            "event_date": "2024-06-01",
            "new_head": "",
        },
        "edit",
        302,
    ),
    "web:membership#change_head": (
        "POST",
        "/households/{h}/members/change_head/",
        lambda ids: {
            "new_head": ids["spouse"],
            "old_head_relation": "10",
            "event_date": "2024-06-01",
        },
        "edit",
        302,
    ),
    "web:reveal": (
        "POST",
        "/households/{h}/reveal/",
        lambda ids: {"person": ids["head"], "field": "id_number", "reason": "核对低保申请"},
        "reveal",
        200,
    ),
    # Finances, conditions, cancel, split (views/records.py, views/split.py).
    "web:finance": ("GET", "/households/{h}/finances/", None, "edit", 200),
    "web:finance_save": (
        "POST",
        "/households/{h}/finances/save/",
        lambda ids: {"year": 2024, "version": "", "household_size": "", "wage_local": "100"},
        "edit",
        302,
    ),
    "web:condition_new": ("GET", "/households/{h}/conditions/new/", None, "edit", 200),
    "web:condition_save": (
        "POST",
        "/households/{h}/conditions/save/",
        lambda ids: {
            "assessed_on": "2024-06-01",
            "food_secure": "1",
            "clothing_secure": "1",
            "housing_grade": "A",
            "housing_assessor": "花垣县住房和城乡建设局",
            "housing_assessed_on": "2024-05-20",
            "water_source": "1",
            "water_area_type": "rich",
            "litres_per_person_day": "60",
            "quality_tested": "1",
            "quality_simple_check_ok": "1",
            "is_piped": "1",
            "cut_days_per_year": "0",
        },
        "edit",
        302,
    ),
    "web:household_cancel": ("GET", "/households/{h}/cancel/", None, "edit", 200),
    # In scope the service is reached and refuses (3 members remain): 400, nothing changed.
    "web:household_cancel_save": (
        "POST",
        "/households/{h}/cancel/save/",
        lambda ids: {
            "version": ids["version"],
            "roster": ids["roster"],
            "reason": "整户迁出",
            "effective_date": "2024-06-01",
            "confirm": "1",
        },
        "edit",
        400,
    ),
    "web:household_split": ("GET", "/households/{h}/split/", None, "edit", 200),
    "web:household_split_save": (
        "POST",
        "/households/{h}/split/save/",
        lambda ids: {
            "version": ids["version"],
            "roster": ids["roster"],
            "members": [ids["spouse"]],
            "new_head": ids["spouse"],
            "village": ids["village"],
            "event_date": "2024-06-01",
        },
        "edit",
        302,
    ),
    # Persons (views/person.py), addressed by the person's public UUID; ids in bodies stay rows.
    "web:person_edit": ("GET", "/persons/{son_public}/edit/", None, "edit", 200),
    "web:person_edit#post": ("POST", "/persons/{son_public}/edit/", _person_edit_data, "edit", 302),
    "web:person_correct_id": ("GET", "/persons/{son_public}/correct-id/", None, "edit", 200),
    "web:person_correct_id#post": (
        "POST",
        "/persons/{son_public}/correct-id/",
        lambda ids: {
            "version": 1,
            "new_id_number": idnumber.build(ids["village"][:6], date(2010, 9, 2), 951),
            "reason": "录入错误",
        },
        "edit",
        302,
    ),
    # Risk clues and screening runs (views/clues.py, views/casework.py), by their public UUIDs.
    "web:screening_run": ("GET", "/screening/runs/{run}/", None, "view", 200),
    "web:clue": ("GET", "/clues/{clue}/", None, "view", 200),
    "web:clue_verify": (
        "POST",
        "/clues/{clue}/verify/",
        lambda ids: {"version": "1", f"outcome_{ids['warning']}": "confirmed", "note": "入户核实"},
        "verify",
        302,
    ),
    # Self-declarations (fangpin/intake/views.py), by their public UUIDs; the QR page by the
    # village's public region code. Deciding needs clue.verify, like verifying a clue.
    "intake:declaration": ("GET", "/declarations/{decl}/", None, "view", 200),
    "intake:declaration_reject": (
        "POST",
        "/declarations/{decl}/reject/",
        lambda ids: {"version": "1", "note": "经入户核实不符合"},
        "verify",
        302,
    ),
    "intake:declaration_duplicate": (
        "POST",
        "/declarations/{decl}/duplicate/",
        lambda ids: {"version": "1", "note": "同一户重复申报"},
        "verify",
        302,
    ),
    "intake:village_qr": ("GET", "/declare/qr/{village}/", None, "view", 200),
    # Cases (views/cases.py), by their public UUIDs; the village notice by the village code.
    "web:case": ("GET", "/cases/{case}/", None, "view", 200),
    "web:case_act": (
        "POST",
        "/cases/{case}/act/",
        lambda ids: {
            "version": "1",
            "action": "submit",
            "on": "2026-11-03",
            "detail_collection": "家庭3人",
        },
        "decide",
        302,
    ),
    "web:case_notice": ("GET", "/notices/{village}/", None, "view", 200),
    # 提出风险消除 (views/cases.py): in scope the page answers with the household page and a
    # message (the matrix households are not monitored: 不是在监测中的监测对象).
    "web:elimination_propose": ("POST", "/households/{h}/eliminate/", None, "decide", 302),
    # Clues typed by staff and declarations accepted into clues (views/clues.py).
    "web:clue_record": (
        "POST",
        "/households/{h}/clue/",
        lambda ids: {"channel": "sweep", "note": "走访发现家中有人住院"},
        "verify",
        302,
    ),
    "web:declaration_accept": (
        "POST",
        "/declarations/{decl}/accept/",
        lambda ids: {"version": "1", "household_number": ids["number"]},
        "verify",
        302,
    ),
    "web:case_notice_pdf": ("GET", "/notices/{village}/pdf/", None, "view", 200),
    # Assistance plans and visits (fangpin/assistance/views.py): writing needs plan.edit. The
    # matrix households are not current monitoring objects (an earlier, eliminated spell holds
    # the measure), so adding a measure reaches the service and is refused in scope: 400.
    "assistance:plan": ("GET", "/households/{h}/plan/", None, "view", 200),
    "assistance:measure_add": (
        "POST",
        "/households/{h}/plan/measures/",
        lambda ids: {
            "category": "HEALTH",
            "item": "医疗救助",
            "responsible_department": "县医疗保障局",
            "responsible_person": "龙建华",
            "risk_types": ["01"],
            "start_date": "2024-06-01",
            "amount": "100",
            "status": "in_progress",
        },
        "plan",
        400,
    ),
    "assistance:measure_edit": (
        "GET",
        "/households/{h}/plan/measures/{measure}/edit/",
        None,
        "plan",
        200,
    ),
    "assistance:measure_edit#post": (
        "POST",
        "/households/{h}/plan/measures/{measure}/edit/",
        lambda ids: {
            "version": "1",
            "category": "HEALTH",
            "item": "大病保险倾斜报销（改）",
            "responsible_department": "县医疗保障局",
            "responsible_person": "龙建华",
            "risk_types": ["01"],
            "start_date": "2025-02-01",
            "amount": "6000",
            "status": "done",
        },
        "plan",
        302,
    ),
    "assistance:measure_stop": (
        "POST",
        "/households/{h}/plan/measures/{measure}/stop/",
        lambda ids: {"version": "1", "stopped_on": "2025-06-01", "reason": "风险已消除"},
        "plan",
        302,
    ),
    "assistance:visit_new": ("GET", "/households/{h}/visits/new/", None, "plan", 200),
    "assistance:visit_new#post": (
        "POST",
        "/households/{h}/visits/new/",
        lambda ids: {"visited_on": "2024-06-01", "findings": "入户走访，了解就医情况"},
        "plan",
        302,
    ),
    "assistance:visit_photo": ("GET", "/visits/photos/{photo}/", None, "view", 200),
}

#: Routes a role with the capability, in scope, is refused for its level (a county approver
#: cannot take the village's home verification): 403 with the Chinese message, nothing changed.
LEVEL_REFUSED = {"web:case_act": {"county_huayuan": "（须由村级办理）"}}

#: Routes that look the household up before the capability: without the capability, a household
#: in scope gets this status with a Chinese message (and nothing revealed), one outside 404.
SCOPE_FIRST = {"web:reveal": 400}

_HEADS = {"tudi": "张三", "douwang": "王五", "luxi": "向东"}
_SPOUSES = {"tudi": "李梅", "douwang": "赵兰", "luxi": "田英"}
_SONS = {"tudi": "张小明", "douwang": "王小虎", "luxi": "向小北"}
_NEWBORN = {
    key: idnumber.build(region, date(2024, 1, 5), 901 + i * 2)
    for i, (key, region) in enumerate(
        [("tudi", "433124"), ("douwang", "433124"), ("luxi", "433122")]
    )
}


def fingerprint() -> dict[str, Any]:
    """Every row count a web write touches, and every household's and person's version."""
    return {
        "household": Household.objects.count(),
        "person": Person.objects.count(),
        "event": MembershipEvent.objects.count(),
        "status": HouseholdStatusChange.objects.count(),
        "finance": HouseholdFinance.objects.count(),
        "condition": HouseholdCondition.objects.count(),
        "household_versions": sorted(Household.objects.values_list("pk", "version", "address")),
        "person_versions": sorted(Person.objects.values_list("pk", "version", "status")),
        "clues": sorted(Clue.objects.values_list("pk", "status", "outcome", "version", "note")),
        "warnings": sorted(Warning.objects.values_list("pk", "outcome", "outcome_note")),
        "runs": sorted(ScreeningRun.objects.values_list("pk", "status")),
        "cases": sorted(Case.objects.values_list("pk", "step", "version")),
        "declarations": sorted(
            Declaration.objects.values_list("pk", "status", "version", "decision_note")
        ),
        "measures": sorted(Measure.objects.values_list("pk", "version", "status", "item")),
        "visits": Visit.objects.count(),
        "photos": VisitPhoto.objects.count(),
        "audit_actions": sorted(
            a for a in AuditEvent.objects.values_list("action", flat=True) if a != "authz.denied"
        ),
    }


#: path placeholder → the object type its ``authz.denied`` event names (fangpin/web/denials.py)
ADDRESSED = {
    "h": "household",
    "son_public": "person",
    "run": "screening_run",
    "clue": "clue",
    "decl": "declaration",
    "village": "village",
    "case": "case",
    "measure": "measure",
    "photo": "visit_photo",
}


def denials_after(watermark: int) -> list[tuple[Any, ...]]:
    """The ``authz.denied`` events appended after the event ``watermark`` (a pk)."""
    return [
        (e.actor_id, e.object_type, e.object_id, e.result, e.ip, e.changes.get("reason"))
        for e in AuditEvent.objects.filter(action="authz.denied", pk__gt=watermark).order_by("pk")
    ]


def last_event_pk() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def casework_for(household: Household) -> tuple[ScreeningRun, Clue, Warning]:
    """The household's pending clue (one warning) and its village's run, made on first use."""
    run = ScreeningRun.objects.filter(region_code=household.village_id).first()
    if run is None:
        run = make_run(household.village_id)
    clue = Clue.objects.filter(household=household).first()
    if clue is None:
        clue = make_clue(household, run, [("trigger.income_below_line", "人均纯收入低于监测线")])
    return run, clue, Warning.objects.get(clue=clue)


def declaration_for(household: Household) -> Declaration:
    """A new self-declaration from the household's village, made on first use."""
    found = Declaration.objects.filter(village_id=household.village_id).first()
    return found or make_declaration(village_code=household.village_id)


def assistance_for(household: Household) -> tuple[Measure, VisitPhoto]:
    """A measure (of an earlier, eliminated spell) and a visit photo, made on first use."""
    measure = Measure.objects.filter(plan__household=household).first()
    if measure is None:
        spell = add_spell(
            household,
            "MARGINAL",
            date(2025, 1, 1),
            eliminated=date(2025, 12, 1),
            is_current=False,
            risks=[("01", "")],
        )
        measure = Measure.objects.create(
            plan=Plan.objects.create(household=household, monitoring=spell),
            category="HEALTH",
            item="大病保险倾斜报销",
            responsible_department="县医疗保障局",
            responsible_person="龙建华",
            risk_types=["01"],
            start_date=date(2025, 2, 1),
            status="in_progress",
        )
    photo = VisitPhoto.objects.filter(visit__household=household).first()
    if photo is None:
        visit = visit_record(
            actor="system:test",
            household_id=household.pk,
            visited_on=date(2025, 3, 1),
            findings="入户走访",
            photos=[PhotoUpload("门口.png", PNG_BYTES)],
        )
        photo = VisitPhoto.objects.get(visit=visit)
    return measure, photo


def ids_for(household: Household) -> Ids:
    key = next(k for k, v in _HEADS.items() if Person.objects.filter(household=household, name=v))
    run, clue, warning = casework_for(household)
    case = Case.objects.filter(household=household).first() or make_case(
        household,
        User.objects.get(username="cadre_tudi"),  # setup only: any village account
    )
    measure, photo = assistance_for(household)
    return {
        "measure": measure.public_id,
        "photo": photo.public_id,
        "case": case.public_id,
        "decl": declaration_for(household).public_id,
        "run": run.public_id,
        "clue": clue.public_id,
        "warning": warning.public_id,
        "h": household.public_id,
        "number": household.household_number,
        "version": household.version,
        "head": member(household, _HEADS[key]).pk,
        "spouse": member(household, _SPOUSES[key]).pk,
        "son": member(household, _SONS[key]).pk,
        "son_public": member(household, _SONS[key]).public_id,
        "newborn": _NEWBORN[key],
        "village": household.village_id,
        "roster": ",".join(
            f"{p.pk}.{p.version}"
            for p in Person.objects.filter(household=household, status="active").order_by("pk")
        ),
    }


def _casework_of_the_targets(world: World) -> None:
    """Make each target household's casework, measure and visit photo (:func:`ids_for` makes
    them on first use; the tests' own calls then find them)."""
    for key in TARGETS:
        ids_for(world.households[key])


@pytest.fixture(scope="module")
def built_world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BuiltWorld]:
    """The registry world and the targets' casework, built once for the module (every test
    here uses them: rebuilt per test they cost most of the matrix's time)."""
    with registry_module_world(
        django_db_blocker,
        tmp_path_factory.mktemp("web_scope_matrix"),
        setup=_casework_of_the_targets,
    ) as built:
        yield built


@pytest.fixture
def world(db: None, built_world: BuiltWorld) -> Iterator[World]:
    """The module's world, fetched anew for this test (its writes roll back after it)."""
    with world_for_test(built_world) as fresh:
        yield fresh


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", list(ROUTES))
def test_route_answers_by_role_and_scope(world: World, route: str, role: str, target: str) -> None:
    method, template, data, needs, ok = ROUTES[route]
    household = world.households[target]
    ids = ids_for(household)
    viewer = world.viewers[role]
    client = client_for(viewer)
    before, watermark = fingerprint(), last_event_pk()

    url = template.format(**ids)
    payload = data(ids) if data else {}
    response = client.get(url) if method == "GET" else client.post(url, payload)

    if "view" not in CAN[role] or (needs not in CAN[role] and route not in SCOPE_FIRST):
        expected = 403
    elif target in IN_SCOPE[role] and needs not in CAN[role]:
        expected = SCOPE_FIRST[route]
    elif target in IN_SCOPE[role] and role in LEVEL_REFUSED.get(route, {}):
        assert response.status_code == 403, response.content.decode()[:500]
        assert LEVEL_REFUSED[route][role] in response.content.decode()
        assert fingerprint() == before
        return
    elif target in IN_SCOPE[role]:
        expected = ok
    else:
        expected = 404
    assert response.status_code == expected, response.content.decode()[:500]
    if expected == ok:
        return
    if expected == SCOPE_FIRST.get(route):
        assert "当前账号无权查看" in response.content.decode()
    body = response.content.decode()
    assert household.household_number not in body
    for name in (_HEADS, _SPOUSES, _SONS):
        assert all(n not in body for n in name.values())
    assert fingerprint() == before
    if expected == 404:
        # Scenario 1: the refusal is audited — who, from where, what was asked for — though
        # the answer is the same as for a missing id. The object is the path's first one.
        placeholder = re.findall(r"{(\w+)}", template)[0]
        assert denials_after(watermark) == [
            (
                viewer.pk,
                ADDRESSED[placeholder],
                str(ids[placeholder]),
                "denied",
                "127.0.0.1",
                "out_of_scope",
            )
        ]


@pytest.mark.parametrize("role", ROLES)
def test_a_missing_household_answers_exactly_like_one_outside(world: World, role: str) -> None:
    client = client_for(world.viewers[role])
    other = "tudi" if role == "inspector_luxi" else "luxi"
    watermark = last_event_pk()
    outside = client.get(f"/households/{world.households[other].public_id}/")
    between = last_event_pk()
    missing = client.get(f"/households/{uuid.uuid4()}/")

    assert outside.status_code == missing.status_code
    assert outside.content == missing.content
    # Only the audit log tells them apart: a household refused (404 for the registry roles;
    # the others are refused 403 before any look-up), an id naming nothing leaves no event.
    assert len(denials_after(watermark)) == (1 if outside.status_code == 404 else 0)
    assert denials_after(between) == []


# --- Opaque addresses (SEC-MSK-3) ---------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/households/{pk}/",
        "/households/{pk}/edit/",
        "/households/{pk}/finances/",
        "/households/{pk}/split/",
        "/persons/{person_pk}/edit/",
        "/persons/{person_pk}/correct-id/",
    ],
)
def test_a_row_id_in_a_path_answers_404(world: World, path: str) -> None:
    household = world.households["tudi"]
    client = client_for(world.viewers["county_huayuan"])
    url = path.format(pk=household.pk, person_pk=member(household, "张小明").pk)

    response = client.get(url)

    assert response.status_code == 404
    assert household.household_number not in response.content.decode()


@pytest.mark.parametrize("path", ["/clues/{clue}/", "/screening/runs/{run}/"])
def test_a_clue_or_run_row_id_in_a_path_answers_404(world: World, path: str) -> None:
    run, clue, _warning = casework_for(world.households["tudi"])
    client = client_for(world.viewers["cadre_tudi"])

    response = client.get(path.format(clue=clue.pk, run=run.pk))

    assert response.status_code == 404
    assert world.households["tudi"].household_number not in response.content.decode()


@pytest.mark.parametrize("role", ["cadre_tudi", "county_huayuan", "inspector_luxi"])
def test_a_missing_clue_or_run_answers_exactly_like_one_outside(world: World, role: str) -> None:
    client = client_for(world.viewers[role])
    other = world.households["tudi" if role == "inspector_luxi" else "luxi"]
    run, clue, _warning = casework_for(other)

    for template in ("/clues/{}/", "/screening/runs/{}/"):
        outside = client.get(
            template.format(clue.public_id if "clues" in template else run.public_id)
        )
        missing = client.get(template.format(uuid.uuid4()))
        assert outside.status_code == missing.status_code == 404
        assert outside.content == missing.content


@pytest.mark.parametrize(
    "segment", ["not-a-uuid", "1", "12345678-1234-1234-1234-12345678901", "%00", "x" * 40]
)
def test_a_malformed_uuid_in_a_path_answers_404(world: World, segment: str) -> None:
    client = client_for(world.viewers["county_huayuan"])
    before = fingerprint()

    for url in (
        f"/households/{segment}/",
        f"/persons/{segment}/edit/",
        f"/clues/{segment}/",
        f"/screening/runs/{segment}/",
    ):
        assert client.get(url).status_code == 404
    assert client.post(f"/households/{segment}/edit/", {"address": "x"}).status_code == 404
    assert client.post(f"/clues/{segment}/verify/", {"version": "1"}).status_code == 404
    assert fingerprint() == before


def test_public_ids_are_random_not_sequential(world: World) -> None:
    ids = [h.public_id for h in Household.objects.order_by("pk")]
    people = [p.public_id for p in Person.objects.order_by("pk")]

    assert len(set(ids + people)) == len(ids) + len(people)
    assert all(u.version == 4 for u in ids + people)
    # Neighbouring rows share no prefix a client could count on (a sequence would).
    first, second = ids[0].int, ids[1].int
    assert abs(first - second) > 2**64


_ROW_LINK = re.compile(r"/(?:households|persons)/[0-9]+/")


@pytest.mark.parametrize("role", ["cadre_tudi", "county_huayuan", "inspector_luxi"])
def test_no_page_links_a_household_or_person_by_row_id(world: World, role: str) -> None:
    """Every GET page of every household the viewer sees, plus the list and home pages."""
    client = client_for(world.viewers[role])
    pages = ["/", "/households/"]
    for key in sorted(IN_SCOPE[role]):
        ids = ids_for(world.households[key])
        pages += [
            template.format(**ids)
            for method, template, _data, needs, _ok in ROUTES.values()
            if method == "GET" and needs in CAN[role]
        ]
    pages += ["/clues/", "/screening/", "/screening/precision/", "/cases/"]
    seen = 0
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        if not response["Content-Type"].startswith("text/html"):
            continue  # the notice's PDF: no links
        html = response.content.decode()
        assert _ROW_LINK.findall(html) == [], url
        seen += html.count("/households/") + html.count("/persons/")
    assert seen > 0


@pytest.mark.parametrize("code", ["433124102202", "433122100201", "433124103201"])
def test_a_household_cannot_be_created_in_a_village_outside_the_scope(
    world: World, code: str
) -> None:
    client = client_for(world.viewers["cadre_tudi"])
    before = fingerprint()

    response = client.post(
        "/households/new/",
        {
            "village": code,
            "household_type": "2",
            "registered_on": "2024-03-01",
            "head_name": "龙大",
            "head_id_number": idnumber.build("433124", date(1970, 1, 1), 977),
        },
    )

    assert response.status_code == 200  # the form again, with the error on the village
    assert "village" in response.context["form"].errors
    assert fingerprint() == before


_GET_TEMPLATES = {template for method, template, *_ in ROUTES.values() if method == "GET"}
_POST_ONLY = sorted(
    name
    for name, (method, template, *_rest) in ROUTES.items()
    if method == "POST" and template not in _GET_TEMPLATES
)


@pytest.mark.parametrize("route", _POST_ONLY)
def test_a_write_route_refuses_get(world: World, route: str) -> None:
    """Scenario 9: state-changing URLs answer GET with 405 and change nothing."""
    _method, template, _data, _needs, _ok = ROUTES[route]
    client = client_for(world.viewers["county_huayuan"])
    ids = ids_for(world.households["tudi"])
    before = fingerprint()

    response = client.get(template.format(**ids))

    assert response.status_code == 405
    assert fingerprint() == before
