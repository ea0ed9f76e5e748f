"""One seeded world per test module for the security scenarios (SECURITY.md §5: 2, 3, 9, 11, 27).

The registry tests' region-scope world (tests/registry/conftest.py: 土地村 and 豆旺村 of 龙潭镇,
民乐村 of 民乐镇, a village of 泸溪县, one account per role) plus:

- 响水村, a second village of 民乐镇, with its own household: 花垣县 then has two townships of
  two villages each (scenario 2);
- an inspector of 花垣县 (the registry world's inspector is 泸溪县's);
- every household's casework (a screening run of its village, a clue with one warning, an
  identification case), a self-declaration of its village, an assistance measure and a visit
  photo (the web IDOR matrix's helpers), and health details (tests/registry/health_scan.py);
- a ledger problem, an inspection plan and a listed region (督查), a work team, a project and a
  pairing (帮扶力量), a monthly report, an evaluation campaign, a department feed batch holding
  two ID numbers, an Excel import batch with an error row, and a finished job of each kind.

:func:`module_world` builds it once inside a transaction that is rolled back when the module's
tests are done; each test's own ``db`` transaction nests inside it as a savepoint (pytest-django
keeps higher-scoped transactions working for exactly this). Files the world writes (feed
parquet, import uploads) live in a module directory: a test that reads them points
``settings.VAR_DIR`` there (each test gets its own by default: the root conftest).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from fangpin import idnumber
from fangpin.casework.models import Case
from fangpin.core.models import Region, Role, User
from fangpin.core.selectors import region_cache_clear
from fangpin.feeds.models import FeedImportJob, FeedJobStatus
from fangpin.feeds.services import feed_import
from fangpin.imports.models import ImportJob
from fangpin.imports.services import import_check
from fangpin.registry import services as registry_services
from fangpin.registry.models import Household, Person
from fangpin.registry.validation import PersonInput
from fangpin.supervision.models import Problem
from tests.casework.conftest import make_case
from tests.feeds.conftest import DEATH_HEADERS_ZH, write_csv
from tests.imports.conftest import headers_of, write_xlsx
from tests.registry import conftest as registry
from tests.registry.conftest import (
    GOOD_WATER,
    HUAYUAN_COUNTY,
    LONGTAN_TOWNSHIP,
    LUXI_VILLAGE,
    MINLE,
    REGISTERED_ON,
    SYSTEM_ACTOR,
    TUDI,
    plain_id,
    plain_phone,
)
from tests.registry.health_scan import seed_health
from tests.web.test_scope_matrix import assistance_for, casework_for, declaration_for

MINLE_TOWNSHIP = "433124103000"  # 民乐镇
XIANGSHUI = "433124103204"  # 响水村, 民乐镇's second village
DOUWANG = registry.DOUWANG

#: household key → its village (the registry world's four, plus 响水村)
VILLAGE_OF = {
    "tudi": TUDI,
    "douwang": DOUWANG,
    "minle": MINLE,
    "xiangshui": XIANGSHUI,
    "luxi": LUXI_VILLAGE,
}

#: viewer → the households inside their scope (written out, not computed)
VISIBLE: dict[str, set[str]] = {
    "cadre_tudi": {"tudi"},
    "township_longtan": {"tudi", "douwang"},
    "county_huayuan": {"tudi", "douwang", "minle", "xiangshui"},
    "inspector_huayuan": {"tudi", "douwang", "minle", "xiangshui"},
    "inspector_luxi": {"luxi"},
    "officer_xiangxi": {"tudi", "douwang", "minle", "xiangshui", "luxi"},
    "auditor": set(),
    "sysadmin": set(),
    "secadmin": set(),
    "root": set(),
}

#: The ordinary roles of scenario 27: everyone who reads households, and the auditor.
ORDINARY_ROLES = [
    "cadre_tudi",
    "township_longtan",
    "county_huayuan",
    "inspector_huayuan",
    "officer_xiangxi",
    "auditor",
]


@dataclass
class SecWorld:
    households: dict[str, Household]
    viewers: dict[str, User]
    #: household key → its ids for URL templates (as tests/web/test_scope_matrix.py's ids_for)
    ids: dict[str, dict[str, Any]]
    #: name → the public id (or key) of the other seeded objects
    objects: dict[str, Any]
    #: every full ID number and mobile number the world holds (persons, feed and import rows)
    secret_ids: set[str] = field(default_factory=set)
    secret_phones: set[str] = field(default_factory=set)
    var_dir: Path = Path()


def _household(key: str, village: str, names: tuple[str, str, str], phone: str) -> Household:
    head, spouse, son = names
    serial = 700 + 20 * list(VILLAGE_OF).index(key)
    household = registry_services.household_create(
        actor=SYSTEM_ACTOR,
        village_code=village,
        household_type="1",
        head=PersonInput(
            name=head,
            id_number=idnumber.build("433124", date(1980, 5, 1), serial + 1),
            relation="01",
            has_resident_medical=True,
        ),
        members=[
            PersonInput(
                name=spouse,
                id_number=idnumber.build("433124", date(1982, 8, 9), serial + 2),
                relation="10",
                has_resident_medical=True,
                phone=phone.replace("12345678", "87654321"),
            ),
            PersonInput(
                name=son,
                id_number=idnumber.build("433124", date(2010, 9, 1), serial + 3),
                relation="20",
                has_resident_medical=True,
                student_status="22",
                education="70",
            ),
        ],
        registered_on=REGISTERED_ON,
        phone=phone,
    )
    registry_services.finance_upsert(
        actor=SYSTEM_ACTOR, household_id=household.pk, year=2023, amounts={"wage_local": "9000"}
    )
    registry_services.condition_record(
        actor=SYSTEM_ACTOR,
        household_id=household.pk,
        assessed_on=date(2024, 5, 1),
        food_secure=True,
        clothing_secure=True,
        housing_grade="A",
        housing_assessor="花垣县住房和城乡建设局",
        housing_assessed_on=date(2023, 10, 12),
        water=GOOD_WATER,
    )
    return household


def ids_of(household: Household, opener: User) -> dict[str, Any]:
    """The URL ids of a household's pages and its casework, made on first use."""
    run, clue, warning = casework_for(household)
    case = Case.objects.filter(household=household).first() or make_case(household, opener)
    measure, photo = assistance_for(household)
    members = {p.relation: p for p in Person.objects.filter(household=household)}
    return {
        "h": household.public_id,
        "number": household.household_number,
        "version": household.version,
        "village": household.village_id,
        "run": run.public_id,
        "clue": clue.public_id,
        "warning": warning.public_id,
        "case": case.public_id,
        "decl": declaration_for(household).public_id,
        "measure": measure.public_id,
        "photo": photo.public_id,
        "head": members["01"].pk,
        "spouse": members["10"].pk,
        "son": members["20"].pk,
        "son_public": members["20"].public_id,
        "head_public": members["01"].public_id,
        "newborn": idnumber.build("433124", date(2024, 1, 5), 901 + 2 * (household.pk % 40)),
        "roster": ",".join(
            f"{p.pk}.{p.version}"
            for p in Person.objects.filter(household=household, status="active").order_by("pk")
        ),
    }


def _extras(world: SecWorld, var_dir: Path) -> None:
    """The world's other objects: supervision, force, reports, evaluation, feeds, imports."""
    from fangpin.core.exports import export_request_create
    from fangpin.dashboards.reports import report_generate, report_request
    from fangpin.evaluation.campaigns import campaign_create
    from fangpin.evaluation.models import SampledHousehold
    from fangpin.force import services as force
    from fangpin.supervision.services import listing_create, plan_create

    objects = world.objects
    problem = Problem.objects.create(
        source="inspection",
        found_on=date(2024, 12, 1),
        region=Region.objects.get(code=TUDI),
        dimension="measures",
        description="帮扶措施未落实",
        lead_unit="花垣县乡村振兴局",
        deadline=date(2026, 12, 31),
        created_by_label=SYSTEM_ACTOR,
    )
    problem.households.add(world.households["tudi"])
    problem.persons.add(Person.objects.get(pk=world.ids["tudi"]["head"]))
    objects["problem"] = problem.public_id
    objects["plan"] = plan_create(
        actor=world.viewers["inspector_huayuan"],
        name="2024年暗访",
        village_codes=[TUDI, MINLE],
        seed="s1",
        registered_per_village=2,
        others_per_village=1,
    ).public_id
    listing = listing_create(
        actor=SYSTEM_ACTOR,
        region_code=TUDI,
        title="土地村挂牌督战",
        listed_on=date(2025, 1, 2),
        deadline=date(2026, 6, 30),
        targets=[("饮水安全", "water", date(2026, 3, 31))],
    )
    objects["listing"] = listing.public_id
    objects["listing_target"] = listing.targets.get().pk
    objects["team"] = force.team_create(
        actor=SYSTEM_ACTOR,
        village_code=TUDI,
        dispatching_unit="县农业农村局",
        start_date=date(2024, 5, 1),
    ).public_id
    objects["project"] = force.project_create(
        actor=SYSTEM_ACTOR,
        name="黄牛养殖合作社",
        kind="industry",
        region_code=LONGTAN_TOWNSHIP,
        start_date=date(2024, 3, 1),
    ).public_id
    objects["pairing"] = force.pairing_create(
        actor=SYSTEM_ACTOR,
        kind="east_west",
        partner="山东省济南市",
        county_code=HUAYUAN_COUNTY,
        start_year=2021,
    ).public_id
    report = report_request(
        actor=SYSTEM_ACTOR, region_code=HUAYUAN_COUNTY, month=date(2025, 1, 1), enqueue=False
    )
    # The PDF is the report's HTML printed by WeasyPrint (seconds with the CJK fonts); the
    # workbook beside it holds the same report data, and tests/dashboards prints the PDF.
    with mock.patch("fangpin.dashboards.reports.html_to_pdf", return_value=b"%PDF-1.4\n"):
        objects["report"] = report_generate(report.pk, on=date(2025, 2, 3)).public_id
    objects["export_request"] = export_request_create(
        actor=world.viewers["cadre_tudi"],
        list_name="households",
        filters={},
        allowed_filters=(),
        file_format="xlsx",
        masked=True,
        reason="核对本村名单",
        row_count=1,
    ).public_id
    campaign = campaign_create(
        actor=SYSTEM_ACTOR, name="2024年度第三方评估", county_code=HUAYUAN_COUNTY, year=2024
    )
    objects["campaign"] = campaign.public_id
    objects["survey"] = SampledHousehold.objects.filter(village__campaign=campaign)[0].public_id

    stranger = idnumber.build("433124", date(1980, 1, 1), 12)  # in no household
    tudi_head = plain_id(world.households["tudi"].members.get(relation="01"))
    deaths = write_csv(
        var_dir / "deaths.csv",
        [
            ["GASW0000000001", tudi_head, "张三", "2024-05-01", "2024-05-20"],
            ["GASW0000000002", stranger, "陌生人", "2024-05-03", "2024-05-22"],
        ],
        headers=DEATH_HEADERS_ZH,
    )
    batch = feed_import(
        actor=world.viewers["officer_xiangxi"],
        feed="death_records",
        period="2024-06",
        source=deaths,
        source_name="deaths.csv",
    )
    objects["feed_batch"] = batch.pk
    objects["feed_job"] = FeedImportJob.objects.create(
        feed="death_records",
        period="2024-06",
        source_name="deaths.csv",
        requested_by=world.viewers["officer_xiangxi"],
        requested_by_label="officer_xiangxi",
        status=FeedJobStatus.SUCCEEDED,
        batch=batch,
    ).pk
    newcomer = idnumber.build("433124", date(1968, 4, 12), 991)
    keys = ["head_id_number", "village_code", "household_type", "registered_on", "name"]
    keys += ["id_number", "relation"]
    rows = [
        [newcomer, TUDI, "1 脱贫户", "2024-03-01", "龙再田", newcomer, "01 户主"],
        # a bad checksum: the error report shows the value masked
        [newcomer, "", "", "", "石秀英", newcomer[:-1] + "0", "10 配偶"],
    ]
    upload = write_xlsx(var_dir / "新增户.xlsx", headers_of("households", keys), rows)
    imported = import_check(
        actor=world.viewers["cadre_tudi"],
        entity="households",
        path=upload,
        file_name="新增户.xlsx",
        mode="create",
    )
    objects["import_batch"] = imported.pk
    objects["import_job"] = ImportJob.objects.create(
        entity="households",
        file_name="新增户.xlsx",
        status="done",
        batch=imported,
        requested_by=world.viewers["cadre_tudi"],
        requested_by_label="cadre_tudi",
        scope_id=TUDI,
    ).pk
    world.secret_ids |= {stranger, newcomer, newcomer[:-1] + "0"}


def build_world(var_dir: Path, *, extras: bool = True) -> SecWorld:
    """Build the world (inside the caller's transaction); ``extras`` adds :func:`_extras`."""
    region_cache_clear()
    # The registry tests' fixtures, called as the plain functions pytest keeps in __wrapped__.
    village = registry.village.__wrapped__(None)  # type: ignore[attr-defined]
    next(village)  # the region chain (a generator fixture)
    person_input = registry.person_input.__wrapped__()  # type: ignore[attr-defined]
    base = registry.world.__wrapped__(None, person_input)  # type: ignore[attr-defined]
    Region.objects.create(
        code=XIANGSHUI,
        name="响水村",
        level=5,
        parent_id=MINLE_TOWNSHIP,
        urban_rural_class="220",
    )
    region_cache_clear()
    households = dict(base.households)
    households["xiangshui"] = _household(
        "xiangshui", XIANGSHUI, ("彭大江", "吴小花", "彭小江"), "17712345678"
    )
    viewers = dict(base.viewers)
    viewers["inspector_huayuan"] = registry.make_user(
        "inspector_huayuan", Role.INSPECTOR, HUAYUAN_COUNTY
    )
    seed_health(base)  # the registry world's four households
    opener = viewers["cadre_tudi"]
    world = SecWorld(
        households={k: Household.objects.get(pk=h.pk) for k, h in households.items()},
        viewers=viewers,
        ids={k: ids_of(h, opener) for k, h in households.items()},
        objects={},
        var_dir=var_dir,
    )
    if extras:
        _extras(world, var_dir)
    for person in Person.objects.all():
        world.secret_ids.add(plain_id(person))
        if person.phone_encrypted:
            world.secret_phones.add(plain_phone(person))
    for household in Household.objects.all():
        if household.phone_encrypted:
            world.secret_phones.add(plain_phone(household))
    world.households = {k: Household.objects.get(pk=h.pk) for k, h in households.items()}
    return world


@contextmanager
def module_world(
    django_db_blocker: Any,
    var_dir: Path,
    *,
    extras: bool = True,
    setup: Callable[[SecWorld], None] | None = None,
) -> Iterator[SecWorld]:
    """Build the world in an outer transaction (then ``setup``, the module's own additions),
    yield it, roll it all back afterwards."""
    from django.test import override_settings

    with override_settings(VAR_DIR=var_dir):
        with django_db_blocker.unblock():
            outer = transaction.atomic()
            outer.__enter__()
            try:
                world = build_world(var_dir, extras=extras)
                if setup is not None:
                    setup(world)
            except BaseException:
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)
                raise
        try:
            yield world
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)
                assert not connection.in_atomic_block
            region_cache_clear()
            for cache in caches.all(initialized_only=True):
                cache.clear()


def client_for(user: User, *, enforce_csrf_checks: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    client.force_login(user)
    return client


def row_counts() -> dict[str, int]:
    """Row counts of every fangpin model (the whole database as the app sees it)."""
    from django.apps import apps

    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model.__module__.startswith("fangpin.")
    }


# --- The URL map ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Route:
    """One named web route: its URL name, its path's parameters and the methods its view
    accepts (``None``: the view does not restrict them, e.g. Django's own login view)."""

    name: str
    params: tuple[str, ...]
    methods: frozenset[str] | None
    csrf_exempt: bool


def allowed_methods(view: Any) -> frozenset[str] | None:
    """The methods ``require_http_methods`` (or require_GET/POST) lets through to ``view``.

    The decorator keeps its list in the closure of the function it returns; nested decorators
    are followed through ``__wrapped__`` and their closures' callables.
    """
    found: frozenset[str] | None = None
    seen: set[int] = set()
    stack = [view]
    while stack:
        function = stack.pop()
        if id(function) in seen:
            continue
        seen.add(id(function))
        for cell in getattr(function, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if (
                isinstance(value, list | tuple)
                and value
                and all(isinstance(v, str) and v.isupper() for v in value)
            ):
                found = frozenset(value) if found is None else found & frozenset(value)
            elif callable(value):
                stack.append(value)
        if getattr(function, "__wrapped__", None) is not None:
            stack.append(function.__wrapped__)
    return found


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield Route(
                name=name,
                params=tuple(pattern.pattern.regex.groupindex),
                methods=allowed_methods(pattern.callback),
                csrf_exempt=bool(getattr(pattern.callback, "csrf_exempt", False)),
            )


def web_routes() -> list[Route]:
    """Every named route of the URL map except the admin's and the API's (the API is
    django-ninja's: one Django view per path, its methods in the OpenAPI schema)."""
    return [
        r
        for r in _walk(get_resolver().url_patterns)
        if not r.name.startswith(("admin:", "api-v1:"))
    ]


def route_kwargs(world: SecWorld, route: Route, *, key: str = "tudi") -> dict[str, Any]:
    """URL kwargs for ``route`` from the world's objects (household ``key``'s by default)."""
    ids, objects = world.ids[key], world.objects
    by_prefix = "feed" if route.name.startswith("web:feeds") else "import"
    values: dict[str, Any] = {
        "household_id": ids["h"],
        "person_id": ids["son_public"],
        "action": "death",
        "field": "id_number",
        "user_id": world.viewers["cadre_tudi"].pk,
        "batch_id": objects[f"{by_prefix}_batch"],
        "job_id": objects[f"{by_prefix}_job"],
        "request_id": objects["export_request"],
        "list_name": "households",
        "plan_id": objects["plan"],
        "listing_id": objects["listing"],
        "target_id": objects["listing_target"],
        "problem_id": objects["problem"],
        "campaign_id": objects["campaign"],
        "unit_id": objects["survey"],
        "report_id": objects["report"],
        "fmt": "xlsx",
        "team_id": objects["team"],
        "pairing_id": objects["pairing"],
        "project_id": objects["project"],
        "entity": "households",
        "run_id": ids["run"],
        "clue_id": ids["clue"],
        "declaration_id": ids["decl"],
        "case_id": ids["case"],
        "document_id": uuid.UUID(int=0),  # no case document is seeded: 404 for everyone
        "village_code": ids["village"],
        "measure_id": ids["measure"],
        "photo_id": ids["photo"],
    }
    return {name: values[name] for name in route.params}


def url_of(world: SecWorld, route: Route, *, key: str = "tudi", **overrides: Any) -> str:
    return reverse(route.name, kwargs={**route_kwargs(world, route, key=key), **overrides})
