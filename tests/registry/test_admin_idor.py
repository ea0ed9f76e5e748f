"""IDOR matrix over every registry and core admin page, for every role (SEC-AC-1, scenario 1).

The models come from ``admin.site._registry``, so a newly registered model is covered at once
(a core model without an entry in :data:`CORE_VIEWERS` fails the matrix until one is added).
For each model × role: the changelist, and the change and history pages of objects inside and
outside the role's scope. Outside the scope answers exactly what a missing id answers (404,
same body); without the capability, 403 whatever the id. Every page is scanned for unmasked ID
and mobile numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib import admin
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from fangpin.core.models import AuditEvent, User
from fangpin.registry.models import Household, Person
from tests.module_world import BuiltWorld, registry_module_world, world_for_test
from tests.registry.conftest import HOUSEHOLDS, VIEWERS, VISIBLE, World, plain_id, plain_phone

ADMIN_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label in {"registry", "core"}),
    key=lambda m: m._meta.label,
)
#: the roles holding registry.view (written out; test_access checks the table itself)
REGISTRY_VIEWERS = {
    "cadre_tudi",
    "township_longtan",
    "county_huayuan",
    "inspector_luxi",
    "officer_xiangxi",
}
#: core model → the viewers who may see its pages (not region-scoped: regions are public,
#: accounts are the administrators', the audit log the auditor's)
CORE_VIEWERS: dict[str, set[str]] = {
    "core.Region": set(VIEWERS) - {"root"},
    "core.User": {"sysadmin", "secadmin"},
    "core.AuditEvent": {"auditor"},
}
CSRF_TOKEN = re.compile(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+"')


def _without_csrf(body: str) -> str:
    """The page with its per-response CSRF token blanked (the 404 page carries one)."""
    return CSRF_TOKEN.sub(r'\1"', body)


ID_NUMBER = re.compile(r"\b\d{17}[\dXx]\b")
MOBILE = re.compile(r"\b1[3-9]\d{9}\b")
MISSING = 999_999


def _client(world: World, viewer: str) -> Client:
    client = Client()
    client.force_login(world.viewers[viewer])
    return client


def _url(model: type[Model], view: str, pk: object = None) -> str:
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"
    return reverse(name, args=[pk] if pk is not None else [])


def _objects_by_household(model: type[Model], world: World) -> dict[str, Model]:
    """One object of ``model`` per household of the world."""
    if model is Household:
        return dict(world.households)
    assert any(f.name == "household" for f in model._meta.fields), (
        f"{model._meta.label}: add it to the IDOR matrix (how does it reach a household?)"
    )
    found = {}
    for key, household in world.households.items():
        obj = model._default_manager.filter(household=household).order_by("pk").first()
        assert obj is not None, (model._meta.label, key)
        found[key] = obj
    return found


def _household_secrets(world: World, key: str) -> list[str]:
    """What must not show for a household outside the scope: number, names, IDs, phones."""
    household = world.households[key]
    people = Person.objects.filter(household=household)
    texts = [household.household_number, plain_phone(household), *HOUSEHOLDS[key][1:4]]
    for person in people:
        texts += [plain_id(person), f"{plain_id(person)[:6]}********{plain_id(person)[-4:]}"]
    return texts


def _core_object(model: type[Model], world: World) -> Model:
    if model is AuditEvent:
        return AuditEvent.objects.order_by("pk").first()  # type: ignore[return-value]
    if model._meta.label == "core.User":
        return world.viewers["cadre_tudi"]
    return world.households["tudi"].village


@pytest.fixture(scope="module")
def built_world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BuiltWorld]:
    """The registry world, built once for the module (every test but the coverage check
    uses it: rebuilt per test it cost most of the module's time)."""
    with registry_module_world(django_db_blocker, tmp_path_factory.mktemp("admin_idor")) as built:
        yield built


@pytest.fixture
def world(db: None, built_world: BuiltWorld) -> Iterator[World]:
    """The module's world, fetched anew for this test (its writes roll back after it)."""
    with world_for_test(built_world) as fresh:
        yield fresh


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m._meta.label)
def test_admin_pages_follow_capability_and_scope(
    world: World, model: type[Model], viewer: str
) -> None:
    client = _client(world, viewer)
    changelist = client.get(_url(model, "changelist"))

    if model._meta.app_label == "core":
        allowed = viewer in CORE_VIEWERS[model._meta.label]
        obj = _core_object(model, world)
        assert changelist.status_code == (200 if allowed else 403)
        for view in ("change", "history"):
            response = client.get(_url(model, view, obj.pk))
            assert response.status_code == (200 if allowed else 403), (view, viewer)
        return

    if viewer not in REGISTRY_VIEWERS:
        assert changelist.status_code == 403
        for obj in _objects_by_household(model, world).values():
            for view in ("change", "history"):
                assert client.get(_url(model, view, obj.pk)).status_code == 403
        assert client.get(_url(model, "change", MISSING)).status_code == 403
        return

    assert changelist.status_code == 200
    listing = changelist.content.decode()
    for key, household in world.households.items():
        shown = household.household_number in listing
        assert shown is (key in VISIBLE[viewer]), (key, viewer)
    missing = client.get(_url(model, "change", MISSING))
    assert missing.status_code == 404
    for key, obj in _objects_by_household(model, world).items():
        for view in ("change", "history"):
            response = client.get(_url(model, view, obj.pk))
            if key in VISIBLE[viewer]:
                assert response.status_code == 200, (view, key)
                continue
            body = response.content.decode()
            expected = _without_csrf(missing.content.decode())
            assert (response.status_code, _without_csrf(body)) == (404, expected), (view, key)
            for secret in _household_secrets(world, key):
                assert secret not in body


def test_the_matrix_covers_the_registered_models() -> None:
    labels = {m._meta.label for m in ADMIN_MODELS}
    assert {label for label in labels if label.startswith("core.")} == set(CORE_VIEWERS)
    assert {label for label in labels if label.startswith("registry.")} == {
        "registry.Household",
        "registry.Person",
        "registry.HouseholdFinance",
        "registry.MembershipEvent",
    }


@pytest.mark.parametrize("viewer", VIEWERS)
def test_admin_index_lists_only_what_the_role_may_see(world: World, viewer: str) -> None:
    body = _client(world, viewer).get(reverse("admin:index")).content.decode()
    for model in ADMIN_MODELS:
        if model._meta.app_label == "core":
            allowed = viewer in CORE_VIEWERS[model._meta.label]
        else:
            allowed = viewer in REGISTRY_VIEWERS
        assert (_url(model, "changelist") in body) is allowed, (model._meta.label, viewer)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_no_page_shows_an_unmasked_id_or_mobile_number(world: World, viewer: str) -> None:
    client = _client(world, viewer)
    pages = []
    for model in ADMIN_MODELS:
        pages.append(_url(model, "changelist"))
        if model._meta.app_label == "core":
            pages.append(_url(model, "change", _core_object(model, world).pk))
        else:
            pages += [
                _url(model, "change", o.pk) for o in _objects_by_household(model, world).values()
            ]
    statuses = set()
    for page in pages:
        response = client.get(page)
        statuses.add(response.status_code)
        body = response.content.decode()
        assert ID_NUMBER.findall(body) == [], page
        assert MOBILE.findall(body) == [], page
    assert statuses <= {200, 403, 404}
    # The scan has teeth: the full numbers exist (encrypted in the database).
    assert sum(bool(ID_NUMBER.fullmatch(plain_id(p))) for p in Person.objects.all()) == 12
    assert sum(bool(MOBILE.fullmatch(plain_phone(h))) for h in Household.objects.all()) == 4


def test_searching_for_a_foreign_household_finds_nothing(world: World) -> None:
    """土地村's cadre searches by ID number, household number and head's name: only 土地村
    is ever found; a 泸溪县 household is not, whichever way it is looked for."""
    client = _client(world, "cadre_tudi")

    def rows(term: str) -> int:
        body = client.get(_url(Household, "changelist"), {"q": term}).content.decode()
        return body.count('class="field-household_number"')

    for key, expected in (("luxi", 0), ("tudi", 1)):
        household = world.households[key]
        head = Person.objects.get(household=household, relation="01")
        terms = (plain_id(head), household.household_number, head.name)
        assert [rows(term) for term in terms] == [expected] * 3, key


def test_a_cadre_cannot_write_through_the_admin(world: World) -> None:
    client = _client(world, "cadre_tudi")
    tudi = world.households["tudi"]
    for url in (_url(Household, "change", tudi.pk), _url(Household, "delete", tudi.pk)):
        assert client.post(url, {"address": "X", "post": "yes"}).status_code == 403
    assert client.get(_url(Household, "add")).status_code == 403
    luxi = world.households["luxi"]
    assert client.post(_url(Household, "delete", luxi.pk), {"post": "yes"}).status_code == 404
    assert Household.objects.filter(address="X").count() == 0
    assert Household.objects.count() == 4


def test_account_pages_are_read_only_and_never_show_the_password(world: World) -> None:
    client = _client(world, "secadmin")
    cadre = world.viewers["cadre_tudi"]
    cadre.set_password("x-Secret-4711-pass")
    cadre.save()
    page = client.get(_url(User, "change", cadre.pk))
    body = page.content.decode()
    assert page.status_code == 200
    assert "帮扶责任人/村委" in body
    assert cadre.password not in body
    assert cadre.password.split("$", 1)[0] not in body  # not even the hasher's name
    assert client.post(_url(User, "change", cadre.pk), {"role": "auditor"}).status_code == 403
    assert client.get(_url(User, "add")).status_code == 403
    cadre.refresh_from_db()
    assert cadre.role == "village_cadre"
