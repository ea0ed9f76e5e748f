"""Household list and search latency at 1M households (issue 3; docs/benchmarks.md).

Three parts:

- pure helpers (percentiles, table formatting), unit-tested in tests/benchmarks/;
- ``step_list_search``: one process that measures every request twice — through the full
  Django view (test client logged in as the demo county approver, page rendered) and the
  selector query alone — with the current code, or with ``--variant before``: the selector and
  home count as they were before the list-search work (copied below) and migration 0003's
  indexes dropped for the run (recreated at the end);
- ``bench_list_search``: the orchestration ``python -m benchmarks`` calls: cache the generated
  Parquet under var/bench keyed by size and seed, (re)load the benchmark database only when
  it does not already hold exactly that dataset, run both variants, format the section.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

BENCH_DATABASE = "fangpin_bench"
MARKER_TABLE = "fangpin_bench_dataset"
WARMUP = 3
RUNS = 30
BUDGET_SECONDS = 20.0
"""A query slower than this in total over its runs stops early (its runs are reported)."""


# ---------------------------------------------------------------- pure helpers


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) by linear interpolation between closest ranks.

    The same definition as numpy's default (``method="linear"``). Raises ``ValueError`` on
    an empty sequence.
    """
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} outside 0–100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarise(seconds: Sequence[float]) -> dict[str, float]:
    """p50, p95 and max of timings in seconds, as milliseconds, plus the number of runs."""
    return {
        "p50": percentile(seconds, 50) * 1000,
        "p95": percentile(seconds, 95) * 1000,
        "max": max(seconds) * 1000,
        "runs": float(len(seconds)),
    }


def ms(value: float | None) -> str:
    """Milliseconds for a table cell: 3 significant figures below 100, whole numbers above."""
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def ratio(before: float | None, after: float | None) -> str:
    """``before ÷ after`` as "12×"; "—" when either side is missing or zero."""
    if not before or not after:
        return "—"
    value = before / after
    return f"{value:,.0f}×" if value >= 10 else f"{value:.1f}×"


def dataset_name(households: int, seed: int, generator: str) -> str:
    """The cache key of a generated dataset: its size, seed and generator version."""
    return f"list-search-{households}-{seed}-{generator}"


def generator_version(root: Path) -> str:
    """A short hash of the synthetic-data generator's source: a changed generator regenerates."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((root / "fangpin" / "synth").rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


def timed(run: Callable[[], object], *, runs: int = RUNS, warmup: int = WARMUP) -> list[float]:
    """Wall-clock seconds of ``runs`` calls after ``warmup`` untimed ones (fewer if slow)."""
    for _ in range(warmup):
        run()
    samples: list[float] = []
    spent = 0.0
    while len(samples) < runs and (spent < BUDGET_SECONDS or len(samples) < 3):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
        spent += samples[-1]
    return samples


# ---------------------------------------------------------------- the measuring process


def _before_household_list(
    *,
    user: object,
    village_prefix: str | None = None,
    household_type: str | None = None,
    search: str | None = None,
    **filters: Any,
) -> Any:
    """The household list as it was before this benchmark (search as an OR of subqueries)."""
    from django.db.models import Exists, Q

    from fangpin import idnumber
    from fangpin.registry import selectors
    from fangpin.registry.models import phone_index

    qs = selectors._BENCH_ORIGINAL_LIST(  # type: ignore[attr-defined]
        user=user, village_prefix=village_prefix, household_type=household_type, **filters
    )
    text = (search or "").strip()
    if text:
        members = selectors._active_members_of_outer()
        number = idnumber.normalise(text)
        has_member_id = Exists(members.filter(selectors.id_number_match(number)))
        match = Q(household_number__startswith=text) | Q(head_name__contains=text) | has_member_id
        phone = "".join(text.split())
        if selectors._PHONE_LIKE.fullmatch(phone):
            index = phone_index(phone)
            has_member_phone = Exists(members.filter(phone_index=index))
            match = match | Q(phone_index=index) | has_member_phone
        qs = qs.filter(match)
    return qs


def _before_region_filter(user: object, prefix: str) -> Any:
    """The region filter as it was: the scope's range alone, a prefix as ``LIKE 'prefix%'``."""
    from django.db.models import Q

    return Q(village__code__startswith=prefix) if prefix else Q()


def _before_child_counts(*, user: object, width: int) -> dict[str, int]:
    """The home page's counts as they were: GROUP BY substr(village_code) over the scope."""
    from django.db.models import Count, F
    from django.db.models.functions import Substr

    from fangpin.registry import selectors

    grouped = (
        selectors.household_list(user=user)
        .filter(status="active")
        .order_by()
        .annotate(child=Substr(F("village_id"), 1, width))
        .values("child")
        .annotate(n=Count("pk"))
    )
    return {row["child"]: row["n"] for row in grouped}


def _use_before_code() -> None:
    from fangpin.registry import selectors

    selectors._BENCH_ORIGINAL_LIST = selectors.household_list  # type: ignore[attr-defined]
    selectors.household_list = _before_household_list
    selectors._region_filter = _before_region_filter
    selectors.active_household_counts = _before_child_counts


def _migration_sql() -> tuple[list[str], list[str]]:
    import importlib

    module = importlib.import_module("fangpin.registry.migrations.0003_list_search_indexes")
    index = "household_village_number"  # the migration's AddIndex (on both databases)
    create = [
        *module.CREATE_SQL,
        f"CREATE INDEX IF NOT EXISTS {index} ON registry_household "
        "(village_code, status, household_number)",
    ]
    return create, [f"DROP INDEX IF EXISTS {index}", *module.DROP_SQL]


def _execute(statements: list[str]) -> None:
    """Run migration 0003's SQL (PostgreSQL only: SQLite has none of its indexes)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _choose(county: str) -> dict[str, Any]:
    """Real values to search for, taken from the loaded data (deterministic choices)."""
    from django.db.models import Count

    from fangpin.core.pi import pi_decrypt
    from fangpin.registry.models import (
        HEAD,
        ID_NUMBER_CONTEXT,
        PERSON_PHONE_CONTEXT,
        Household,
        Person,
    )

    per_village = list(
        Household.objects.filter(status="active")
        .order_by()
        .values("village_id")
        .annotate(n=Count("pk"))
        .order_by("village_id")
    )
    by_size = sorted(per_village, key=lambda row: (row["n"], row["village_id"]))
    village = by_size[len(by_size) // 2]["village_id"]  # a village of median size
    township = village[:9]
    head = (
        Person.objects.filter(household__village_id=village, relation=HEAD, status="active")
        .filter(name__regex=r"^...$")
        .order_by("household_id")
        .first()
    )
    assert head is not None, "no head with a 3-character name in the chosen village"
    name = head.name[1:3]  # two characters of the given name, found in other villages too
    person = Person.objects.filter(status="active", id_type="1").order_by("pk")[1000]
    phoned = Person.objects.filter(status="active").exclude(phone_encrypted="").order_by("pk")[500]
    household = Household.objects.filter(village_id=village).order_by("household_number")[10]
    types = list(Household.objects.order_by().values("household_type").annotate(n=Count("pk")))
    rare_type = min(types, key=lambda row: (row["n"], row["household_type"]))["household_type"]
    risk_type = ""
    try:
        from fangpin.registry.models import MonitoringRisk
    except ImportError:
        pass
    else:
        risks = list(MonitoringRisk.objects.order_by().values("risk_type").annotate(n=Count("pk")))
        if risks:  # the most common risk type
            risk_type = max(risks, key=lambda row: (row["n"], row["risk_type"]))["risk_type"]
    return {
        "county": county,
        "township": township,
        "village": village,
        "village_households": by_size[len(by_size) // 2]["n"],
        "name": name,
        "full_name": head.name,
        "id_number": pi_decrypt(person.id_number_encrypted, context=ID_NUMBER_CONTEXT),
        "phone": pi_decrypt(phoned.phone_encrypted, context=PERSON_PHONE_CONTEXT),
        "number_prefix": household.household_number[:-2],
        "household_type": rare_type,
        "risk_type": risk_type,
    }


def _monitoring_filters(values: dict[str, Any]) -> dict[str, str] | None:
    """The list's monitoring-status and risk-type filters, when the code and data have them."""
    import inspect

    from fangpin.registry import selectors
    from fangpin.web.forms import HouseholdFilterForm

    parameters = inspect.signature(selectors.household_list).parameters
    fields = HouseholdFilterForm.base_fields
    wanted = {"monitoring_status", "risk_type"}
    if not wanted <= set(parameters) or not wanted <= set(fields) or not values["risk_type"]:
        return None
    return {"monitoring_status": "open", "risk_type": values["risk_type"]}


def bench_users(county: str) -> dict[str, Any]:
    """The demo logins of ``county`` the benchmarks measure as, by level.

    ``{"county": the county approver, "township": the first township's reviewer, "village":
    its village cadre}``, made by ``demo_users_create`` (the township's second reviewer,
    ``township_…_b``, is left out).
    """
    from fangpin.core.models import User

    return {
        "county": User.objects.get(username=f"county_{county}"),
        "township": User.objects.get(username__regex=r"^township_[0-9]{9}$"),
        "village": User.objects.get(username__regex=r"^village_[0-9]{12}$"),
    }


def step_list_search(args: Any) -> dict[str, object]:
    """Measure every list and search request (full view and selector alone) in this process."""
    from benchmarks.steps import _django, sys_county

    _django(args.database_url)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from fangpin.core.users import demo_users_create
    from fangpin.registry import selectors
    from fangpin.web.views import households as views

    county = sys_county()
    create_sql, drop_sql = _migration_sql()
    before = args.variant == "before"
    demo_users_create(county_code=county, actor="system:bench")
    values = _choose(county)
    users = bench_users(county)
    monitoring = _monitoring_filters(values)
    if before:
        _execute(drop_sql)
        _use_before_code()
    village, township = values["village"], values["township"]
    requests: list[tuple[str, str, dict[str, str], dict[str, Any]]] = [
        # (label, user, GET params, selector keywords + "_page"/"_sort"/"_post")
        ("county list, page 1", "county", {}, {}),
        ("county list, page 200", "county", {"page": "200"}, {"_page": 200}),
        ("township user's list, page 1", "township", {}, {}),
        ("village user's list, page 1", "village", {}, {}),
        ("township filter", "county", {"region": township}, {"village_prefix": township}),
        ("village filter", "county", {"region": village}, {"village_prefix": village}),
        (
            "household type filter",
            "county",
            {"household_type": values["household_type"]},
            {"household_type": values["household_type"]},
        ),
    ]
    if monitoring:
        for key, value in monitoring.items():
            requests.append(
                (f"{key.replace('_', ' ')} filter", "county", {key: value}, {key: value})
            )
    requests += [
        (
            "household-number prefix",
            "county",
            {"q": values["number_prefix"]},
            {"search": values["number_prefix"]},
        ),
        ("head name, county", "county", {"q": values["name"]}, {"search": values["name"]}),
        (
            "head name (a full 3-character name), county",
            "county",
            {"q": values["full_name"]},
            {"search": values["full_name"]},
        ),
        (
            "head name, village",
            "county",
            {"q": values["name"], "region": village},
            {"search": values["name"], "village_prefix": village},
        ),
        (
            "full ID number (POST find)",
            "county",
            {"id_number": values["id_number"]},
            {"search": values["id_number"], "_post": True},
        ),
        ("phone", "county", {"q": values["phone"]}, {"search": values["phone"]}),
        (
            "sort by head name, village",
            "county",
            {"region": village, "sort": "head"},
            {"village_prefix": village, "_sort": ("head_name", "household_number")},
        ),
        ("home, county user", "county", {"_home": "1"}, {"_home": True}),
        ("home, township user", "township", {"_home": "1"}, {"_home": True}),
    ]
    clients = {who: Client() for who in users}
    for who, user in users.items():
        clients[who].force_login(user)
    rows: list[dict[str, Any]] = []
    with (
        override_settings(
            CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
        )
        if before
        else _nothing()
    ):
        for label, who, params, keywords in requests:
            client, user = clients[who], users[who]
            view = _view_call(client, params)
            query = _selector_call(selectors, views, user, keywords)
            with CaptureQueriesContext(connection) as captured:
                status = view()
            rows.append(
                {
                    "label": label,
                    "status": status,
                    "queries": len(captured.captured_queries),
                    "view": summarise(timed(view)),
                    "selector": summarise(timed(query)),
                    "rows": len(query() or []),
                }
            )
            print(label, rows[-1]["view"], rows[-1]["selector"], flush=True, file=_stderr())
    if before:
        _execute(create_sql)
        _execute(["ANALYZE registry_person", "ANALYZE registry_household"])
    return {
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "variant": args.variant,
        "values": {k: v for k, v in values.items() if k not in {"id_number", "phone"}},
        "monitoring_filters": monitoring is not None,
        "vendor": connection.vendor,
        "rows": rows,
        "seconds": 0.0,
    }


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _stderr() -> Any:
    import sys

    return sys.stderr


def _view_call(client: Any, params: dict[str, str]) -> Callable[[], int]:
    if "_home" in params:
        return lambda: _checked(client.get("/"))
    if "id_number" in params:
        return lambda: _checked(client.post("/households/find/", params), allowed=(302,))
    return lambda: _checked(client.get("/households/", params))


def _checked(response: Any, allowed: tuple[int, ...] = (200,)) -> int:
    if response.status_code not in allowed:
        raise RuntimeError(f"unexpected status {response.status_code}")
    if response.status_code == 200:
        _ = response.content  # rendered already; make sure the body was produced
    return int(response.status_code)


def _selector_call(
    selectors: Any, views: Any, user: Any, keywords: dict[str, Any]
) -> Callable[[], list[Any] | None]:
    """The query alone: the list selector with the view's status filter, order and slice."""
    options = dict(keywords)
    if options.pop("_home", False):
        return lambda: [_home_counts(views, user)]
    page = options.pop("_page", 1)
    sort = options.pop("_sort", ("household_number",))
    options.pop("_post", None)
    offset = (page - 1) * 50

    def run() -> list[Any]:
        qs = selectors.household_list(user=user, **options).filter(status="active")
        return list(qs.order_by(*sort)[offset : offset + 51])

    return run


def _home_counts(views: Any, user: Any) -> dict[str, int]:
    from django.utils import timezone

    from fangpin.core.selectors import region_children

    kids = list(region_children(code=user.home_region.code, on=timezone.localdate()))
    width = len(views._prefix_of(kids[0].code))
    from fangpin.registry.selectors import active_household_counts

    counts: dict[str, int] = active_household_counts(user=user, width=width)
    return counts


# ---------------------------------------------------------------- orchestration


def ensure_dataset(
    run_step: Callable[..., dict[str, object]], work: Path, households: int, seed: int
) -> tuple[Path, str]:
    """The cached Parquet of ``households`` households (generated once per size and seed)."""
    dataset = work / dataset_name(households, seed, generator_version(work.parent.parent))
    if (dataset / "manifest.json").exists():
        return dataset, "reused"
    partial = dataset.with_name(dataset.name + ".tmp")
    if partial.exists():
        import shutil

        shutil.rmtree(partial)
    run_step(
        "generate", "--households", str(households), "--seed", str(seed), "--out", str(partial)
    )
    partial.rename(dataset)
    return dataset, "generated"


def ensure_postgres(
    admin_url: str, dataset: Path, run_step: Callable[..., dict[str, object]]
) -> tuple[str | None, str]:
    """The benchmark database holding exactly ``dataset``: reused when its marker says so."""
    try:
        import psycopg
    except ImportError:
        return None, "psycopg missing"
    base = admin_url.rsplit("/", 1)[0]
    url = f"{base}/{BENCH_DATABASE}"
    try:
        with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (BENCH_DATABASE,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    except psycopg.Error as exc:
        return None, f"PostgreSQL not reachable ({exc})"
    with psycopg.connect(url, autocommit=True) as conn:
        held = conn.execute("SELECT to_regclass(%s)", (MARKER_TABLE,)).fetchone()
        if held and held[0]:
            marker = conn.execute(f"SELECT dataset FROM {MARKER_TABLE}").fetchone()
            if marker and marker[0] == dataset.name:
                return url, "reused (the database already held this dataset)"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}"')
        conn.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    loaded = run_step("load", "--source", str(dataset), "--database-url", url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {MARKER_TABLE} (dataset text NOT NULL)")
        conn.execute(f"INSERT INTO {MARKER_TABLE} VALUES (%s)", (dataset.name,))
        conn.execute("VACUUM ANALYZE")
    return url, f"loaded in {float(loaded['seconds']):.0f} s"  # type: ignore[arg-type]


def format_section(
    results: dict[str, dict[str, Any]], *, machine: str, households: int, notes: list[str]
) -> str:
    """The markdown between the bench:list_search markers: one table per database."""
    lines = [f"Run {datetime.now():%Y-%m-%d %H:%M}, {machine}.", ""]
    lines += [f"- {note}" for note in notes]
    for label, pair in results.items():
        after, before = pair["after"], pair.get("before")
        values = after["values"]
        lines += [
            "",
            f"**{label}** — {values['village_households']:,} active households in the measured "
            f"village {values['village']}, township {values['township']}, head-name text "
            f"“{values['name']}”. Milliseconds, p50 / p95 / max over up to {RUNS} runs after "
            f"{WARMUP} warm-up runs; *before* = the code before this work, same data, same run. "
            f"Load average (1/5/15 min) when measuring: {_load(after)} (before: {_load(before)}).",
            "",
            "| Request | View p50 | View p95 | View max | Queries | Selector p95 "
            "| Before: view p95 | Before: selector p95 | Ratio (view p95) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        before_rows = {row["label"]: row for row in (before or {}).get("rows", [])}
        for row in after["rows"]:
            old = before_rows.get(row["label"])
            view, selector = row["view"], row["selector"]
            mark = " ✗" if view["p95"] >= 200 else ""
            lines.append(
                f"| {row['label']} | {ms(view['p50'])} | {ms(view['p95'])}{mark} | "
                f"{ms(view['max'])} | {row['queries']} | {ms(selector['p95'])} | "
                f"{ms(old['view']['p95']) if old else '—'} | "
                f"{ms(old['selector']['p95']) if old else '—'} | "
                f"{ratio(old['view']['p95'] if old else None, view['p95'])} |"
            )
        if not after.get("monitoring_filters"):
            lines += [
                "",
                "Monitoring-status and risk-type filters: not in the list yet when this ran; "
                "their rows appear once `household_list` takes `monitoring_status` and "
                "`risk_type`.",
            ]
    return "\n".join(lines)


def _load(result: dict[str, Any] | None) -> str:
    values = (result or {}).get("load_average")
    return " / ".join(f"{v:.1f}" for v in values) if values else "—"


def bench_list_search(
    *,
    run_step: Callable[..., dict[str, object]],
    work: Path,
    admin_url: str,
    machine: str,
    households: int,
    seed: int,
    sqlite_households: int,
) -> str:
    notes: list[str] = []
    results: dict[str, dict[str, Any]] = {}
    dataset, how = ensure_dataset(run_step, work, households, seed)
    notes.append(f"PostgreSQL dataset {dataset.name}: Parquet {how}.")
    url, loaded = ensure_postgres(admin_url, dataset, run_step)
    if url:
        notes.append(f"PostgreSQL database `{BENCH_DATABASE}`: {loaded}.")
        after = run_step("list_search", "--database-url", url, "--variant", "after")
        before = run_step("list_search", "--database-url", url, "--variant", "before")
        results[f"PostgreSQL, {households:,} households"] = {"after": after, "before": before}
    else:
        notes.append(f"PostgreSQL rows skipped: {loaded}.")
    if sqlite_households:
        small, how = ensure_dataset(run_step, work, sqlite_households, seed)
        path = work / f"{small.name}.sqlite3"
        done = work / f"{small.name}.sqlite3.loaded"
        sqlite_url = f"sqlite:///{path}"
        if not done.exists():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            loaded_small = run_step("load", "--source", str(small), "--database-url", sqlite_url)
            done.write_text(small.name, "utf-8")
            notes.append(
                f"SQLite {small.name}: Parquet {how}, loaded in "
                f"{float(loaded_small['seconds']):.0f} s."  # type: ignore[arg-type]
            )
        else:
            notes.append(f"SQLite {small.name}: reused {path.name}.")
        after = run_step("list_search", "--database-url", sqlite_url, "--variant", "after")
        before = run_step("list_search", "--database-url", sqlite_url, "--variant", "before")
        results[f"SQLite, {sqlite_households:,} households"] = {"after": after, "before": before}
    (work / "list_search-results.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=1), "utf-8"
    )
    return format_section(results, machine=machine, households=households, notes=notes)


__all__ = [
    "bench_list_search",
    "bench_users",
    "dataset_name",
    "format_section",
    "ms",
    "percentile",
    "ratio",
    "step_list_search",
    "summarise",
    "timed",
]
