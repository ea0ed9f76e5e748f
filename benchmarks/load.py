"""Load: SECURITY.md scenario 24 on PostgreSQL at 1M households (issue #11; docs/benchmarks.md).

Officials (locust virtual users, ``benchmarks/locustfile.py``) read the dashboard, the
household list, household pages and search results of the real app — ``fangpin serve``
(waitress, the django-tasks worker and the scheduler) on loopback — while five others each
import a 5,000-row 户籍与家庭成员 workbook through the web import pages (upload, background
check by the worker, 导入). Targets: p95 of every page kind under 1 s, error rate under 1 %,
each import done (applied) within 60 s, no 5xx.

Three parts:

- pure helpers (locust's CSV read back, run-time strings, verdicts, the section), unit-tested
  in tests/benchmarks/test_load_bench.py;
- what both this benchmark and the CI smoke (tests/benchmarks/test_load_smoke.py) use: the
  accounts file for the locustfile (:func:`account_sample`, :func:`signed_in`), import
  workbooks (:func:`import_households`, :func:`import_workbook`), the web importer
  (:func:`import_login`, :func:`import_run`) and :func:`run_locust`;
- ``bench_load``, the orchestration ``python -m benchmarks --only load`` calls: list_search's
  dataset and database (generated and loaded only when missing), copied to a throwaway
  database (the imports write to it), the server started on it, then three runs (:data:`RUNS`)
  each with its five imports — the baseline (a tenth of the users: 20 for 200), every user
  signed in beforehand, and scenario 24 as written — and the section.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
BIN = Path(sys.executable).parent
LOAD_DATABASE = "fangpin_bench_load"
PAGE_KINDS = ("dashboard", "list", "detail", "search")
KINDS = (*PAGE_KINDS, "login form", "login")
P95_MS = 1000.0
MAX_ERROR_RATE = 0.01
IMPORT_SECONDS = 60.0
IMPORTS = 5
IMPORT_ROWS = 5_000
SPAWN_RATE = 20
THINK_SECONDS = (2.0, 10.0)
"""An official's pause between two pages, uniform (the locustfile's default too): reading the
page, typing a search."""
RUNS = ("baseline", "signed_in", "main")
"""The runs, in order: the baseline (a tenth of the users), every user signed in beforehand
(no login storm), and scenario 24 as written (every user logs in as it starts)."""
BASELINE_SHARE = 10
"""The baseline runs the same mix with users // this (20 for 200)."""
ID_REGION = "430102"
"""The address code of the imported people's ID numbers (长沙市芙蓉区, people who moved in): the
synthetic county's people carry 433124 and its neighbours' codes, so no number can clash."""
ACCOUNT_WEIGHTS = {"county": 2, "township": 1, "village": 1}
SAMPLE = 400
"""Households sampled per account for the detail pages (and their names and numbers for
search)."""
REQUEST_TIMEOUT = 300
"""Seconds an importer's request may take before it counts as failed."""
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SERVER_ERROR = re.compile(r"HTTP 5\d\d|\b5\d\d Server Error")

Result = dict[str, Any]


# ---------------------------------------------------------------- pure helpers


def run_seconds(text: str) -> int:
    """Seconds of a locust run-time string: ``"2m"`` → 120, ``"1m30s"`` → 90, ``"45"`` → 45.

    Raises ``ValueError`` on anything else (an empty string, an unknown unit).
    """
    text = text.strip()
    if text.isdigit():
        return int(text)
    parts = re.findall(r"(\d+)([hms])", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"not a run time: {text!r} (e.g. 2m, 30s, 1m30s)")
    unit = {"h": 3600, "m": 60, "s": 1}
    return sum(int(n) * unit[u] for n, u in parts)


def read_stats(text: str) -> dict[str, dict[str, float]]:
    """Locust's ``*_stats.csv`` by request name (``Aggregated`` for the total).

    Each entry: requests, failures, error_rate (0–1), p50, p95, p99, max (ms), rps. Locust
    writes ``N/A`` percentiles for a name without requests; those read as 0.
    """

    def number(value: str) -> float:
        return 0.0 if value in {"", "N/A"} else float(value)

    out: dict[str, dict[str, float]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        requests, failures = number(row["Request Count"]), number(row["Failure Count"])
        out[row["Name"]] = {
            "requests": requests,
            "failures": failures,
            "error_rate": failures / requests if requests else 0.0,
            "p50": number(row["50%"]),
            "p95": number(row["95%"]),
            "p99": number(row["99%"]),
            "max": number(row["Max Response Time"]),
            "rps": number(row["Requests/s"]),
        }
    return out


def server_errors(text: str) -> int:
    """Responses 5xx in locust's ``*_failures.csv`` (the locustfile fails them ``HTTP 5xx``)."""
    return sum(
        int(row["Occurrences"])
        for row in csv.DictReader(io.StringIO(text))
        if _SERVER_ERROR.search(row["Error"])
    )


def verdicts(run: Mapping[str, Any]) -> list[tuple[str, bool, str]]:
    """Scenario 24's targets against one run: ``(target, met, what was measured)``."""
    stats, imports = run["stats"], run["imports"]
    measured = [(kind, stats[kind]["p95"]) for kind in PAGE_KINDS if kind in stats]
    worst_kind, worst = max(measured, key=lambda item: item[1]) if measured else ("—", 0.0)
    total = stats.get("Aggregated", {"requests": 0.0, "failures": 0.0, "error_rate": 0.0})
    slowest = max((float(i["seconds"]) for i in imports), default=0.0)
    unfinished = [i for i in imports if i["status"] != "applied"]
    fives = int(run["server_errors"]) + sum(int(i["server_errors"]) for i in imports)
    return [
        (
            "p95 of every page kind < 1 s",
            len(measured) == len(PAGE_KINDS) and worst < P95_MS,
            f"slowest: {worst_kind}, p95 {worst:,.0f} ms",
        ),
        (
            "error rate < 1 %",
            total["error_rate"] < MAX_ERROR_RATE,
            f"{total['failures']:,.0f} of {total['requests']:,.0f} requests "
            f"({total['error_rate']:.2%})",
        ),
        (
            f"each of the {len(imports)} imports applied in < 60 s",
            bool(imports) and not unfinished and slowest < IMPORT_SECONDS,
            f"slowest {slowest:.1f} s"
            + (f"; not applied: {len(unfinished)}" if unfinished else ""),
        ),
        ("no 5xx", fives == 0, f"{fives} responses 5xx (pages and imports)"),
    ]


def after_logins(data: Mapping[str, Any]) -> dict[str, Any]:
    """The locustfile's ``FANGPIN_LOAD_STEADY`` file summarised: when the logins were over
    (seconds into the run, or None if they never were), how many users got any answer, and
    each page kind's requests and p50 / p95 / max in ms after the logins (linear-interpolated
    percentiles of the exact times)."""
    from benchmarks.list_search import percentile

    kinds = {}
    for kind in PAGE_KINDS:
        times = data["milliseconds"].get(kind) or []
        if times:
            kinds[kind] = {
                "requests": float(len(times)),
                "p50": percentile(times, 50),
                "p95": percentile(times, 95),
                "max": float(max(times)),
            }
    return {
        "after_seconds": data["logins_over_after"],
        "users_answered": data.get("users_answered"),
        "kinds": kinds,
    }


def _ms(value: float) -> str:
    return f"{value:,.0f}"


def _stats_rows(stats: Mapping[str, Mapping[str, float]]) -> list[str]:
    rows = []
    for kind in (*KINDS, "Aggregated"):
        if kind not in stats:
            continue
        s = stats[kind]
        label = "all requests" if kind == "Aggregated" else kind
        rows.append(
            f"| {label} | {s['requests']:,.0f} | {s['failures']:,.0f} | {s['error_rate']:.2%} | "
            f"{_ms(s['p50'])} | {_ms(s['p95'])} | {_ms(s['p99'])} | {_ms(s['max'])} | "
            f"{s['rps']:.1f} |"
        )
    return rows


def _load(values: Sequence[float] | None) -> str:
    return " / ".join(f"{v:.1f}" for v in values) if values else "—"


def _answered(run: Mapping[str, Any]) -> str:
    answered = (run.get("after_logins") or {}).get("users_answered")
    return "" if answered is None else f"; users answered at all: {answered} of {run['users']}"


def _title(run: Mapping[str, Any]) -> str:
    return str(run.get("title") or f"{run['users']} users")


def format_section(runs: Sequence[Mapping[str, Any]], *, machine: str, notes: Sequence[str]) -> str:
    """The markdown between the bench:load markers. ``runs``: the measured runs, the baseline
    last; each run's ``title`` (default "N users") names it."""
    base, measured = runs[-1], runs[:-1]
    header = (
        "| Request | Requests | Failures | Error rate | p50 ms | p95 ms | p99 ms | max ms | req/s |"
    )
    lines = [
        f"Run {datetime.now():%Y-%m-%d %H:%M}, {machine}.",
        "",
        *[f"- {note}" for note in notes],
    ]
    for run in runs:
        lines += [
            "",
            f"**{_title(run)}**, {run['duration']} (locust exit code {run['exit_code']}; load "
            f"average 1/5/15 min {_load(run['load_before'])} before, "
            f"{_load(run['load_after'])} after{_answered(run)}):",
            "",
            header,
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
            *_stats_rows(run["stats"]),
        ]
        lines += _after_logins_lines(run.get("after_logins"))
    if measured:
        columns = "".join(f" p95 ms, {_title(r)} | Ratio |" for r in measured)
        lines += [
            "",
            f"**Side by side**: p95 against the same mix at {base['users']} users (the "
            "baseline, run first, same server and data); ratio = p95 ÷ the baseline's.",
            "",
            f"| Request | p95 ms, {_title(base)} |{columns}",
            "|---|---:|" + "---:|---:|" * len(measured),
        ]
        for kind in (*KINDS, "Aggregated"):
            if kind not in base["stats"]:
                continue
            low = base["stats"][kind]["p95"]
            cells = ""
            for run in measured:
                high = run["stats"].get(kind, {}).get("p95")
                ratio = f"{high / low:.1f}×" if high is not None and low else "—"
                cells += f" {_ms(high) if high is not None else '—'} | {ratio} |"
            label = "all requests" if kind == "Aggregated" else kind
            lines.append(f"| {label} | {_ms(low)} |{cells}")
    lines += [
        "",
        "**Imports** (seconds from the upload's first byte to the batch applied; check = "
        "queued for and run by the worker, polled every second):",
        "",
        "| Run | File | Rows | Households | Upload s | Check s | Apply s | Total s | Status |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for run in runs:
        for item in run["imports"]:
            lines.append(
                f"| {_title(run)} | {item['file']} | {item['rows']:,} | "
                f"{item['households']:,} | {item['upload_seconds']:.1f} | "
                f"{item['check_seconds']:.1f} | {item['apply_seconds']:.1f} | "
                f"{item['seconds']:.1f} | {item['status']}"
                + (f": {item['error']}" if item.get("error") else "")
                + " |"
            )
    for run in measured or runs:
        lines += ["", f"**Scenario 24's targets**, {_title(run)}:", ""]
        for target, met, detail in verdicts(run):
            lines.append(f"- {target}: **{'met' if met else 'not met'}** — {detail}.")
        steady = (run.get("after_logins") or {}).get("kinds")
        if steady:
            kind, worst = max(((k, v["p95"]) for k, v in steady.items()), key=lambda kv: kv[1])
            lines.append(
                f"- (for reading, not a target) once every login had ended, the slowest "
                f"page kind was {kind}, p95 {_ms(worst)} ms."
            )
    return "\n".join(lines)


def _after_logins_lines(steady: Mapping[str, Any] | None) -> list[str]:
    if not steady:
        return []
    if steady["after_seconds"] is None:
        return ["", "Some logins were still running when the run ended."]
    if not steady["kinds"]:
        return [
            "",
            f"Every login had ended {steady['after_seconds']:.0f} s into the run; "
            "no page was asked for after that.",
        ]
    lines = [
        "",
        f"The same pages once every login had ended ({steady['after_seconds']:.0f} s into "
        "the run; a login unanswered after 60 s ends too):",
        "",
        "| Request | Requests | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind, s in steady["kinds"].items():
        lines.append(
            f"| {kind} | {s['requests']:,.0f} | {_ms(s['p50'])} | {_ms(s['p95'])} | "
            f"{_ms(s['max'])} |"
        )
    return lines


# ---------------------------------------------------------------- shared with the CI smoke


def account_sample(
    *, user: Any, password: str, weight: int, seed: int, size: int = SAMPLE
) -> dict[str, Any]:
    """One entry of the locustfile's accounts file: the login and what to read in its scope.

    ``households``: public ids of up to ``size`` active households of the scope (a seeded
    sample); ``searches``: two characters of their heads' given names and their household
    numbers less the last two digits; ``regions``: up to 20 townships and villages of the
    scope (the village cadre: none); ``household_types``: the types present.
    """
    import random

    from fangpin.core.models import Region
    from fangpin.regioncode import subtree_prefix
    from fangpin.registry.models import HEAD, Household, Person

    rng = random.Random(seed)
    prefix = subtree_prefix(user.home_region.code)
    scope = Household.objects.filter(village__code__startswith=prefix, status="active")
    pks = list(scope.order_by("pk").values_list("pk", flat=True))
    chosen = rng.sample(pks, min(size, len(pks)))
    rows = list(
        Household.objects.filter(pk__in=chosen)
        .order_by("pk")
        .values_list("pk", "public_id", "household_number")
    )
    heads = dict(
        Person.objects.filter(household_id__in=chosen, relation=HEAD, status="active")
        .order_by()
        .values_list("household_id", "name")
    )
    names = sorted({heads[pk][1:3] for pk, _, _ in rows if len(heads.get(pk, "")) >= 3})
    numbers = sorted({number[:-2] for _, _, number in rows})
    regions = list(
        Region.objects.filter(code__startswith=prefix, level__in=(4, 5))
        .exclude(code=user.home_region.code)
        .order_by("code")
        .values_list("code", flat=True)
    )
    types = sorted(set(scope.order_by().values_list("household_type", flat=True).distinct()))
    return {
        "username": user.username,
        "password": password,
        "weight": weight,
        "households": [str(public_id) for _, public_id, _ in rows],
        "searches": names[:50] + numbers[:50],
        "regions": rng.sample(regions, min(20, len(regions))),
        "household_types": types,
    }


def signed_in(user: Any, count: int) -> list[str]:
    """Keys of ``count`` new sessions of ``user``: what a login leaves behind (Django's
    ``login`` through the test client, the password backend recorded), without the password
    check. For the run whose users start signed in."""
    from django.conf import settings
    from django.test import Client

    keys = []
    for _ in range(count):
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        keys.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    return keys


def import_households(
    *, villages: list[str], rows: int, seed: int, used: set[tuple[date, int]], id_region: str
) -> list[list[dict[str, Any]]]:
    """Households of the 户籍与家庭成员 template totalling ``rows`` person rows (the imports
    benchmark's generator), their ID numbers under ``id_region``; ``used`` keeps the
    (birth date, sequence) pairs taken, so numbers stay unique across calls."""
    from benchmarks.imports import _households
    from fangpin.idnumber import build

    households = _households(villages, rows, seed, used)
    for people in households:
        for person in people:
            for key in ("head_id_number", "id_number"):
                old = person.get(key)
                if old:
                    birth = date(int(old[6:10]), int(old[10:12]), int(old[12:14]))
                    person[key] = build(id_region, birth, int(old[14:17]))
    return households


def import_workbook(path: Path, households: list[list[dict[str, Any]]]) -> int:
    """Write ``households`` as an .xlsx of the households template; return its person rows."""
    import xlsxwriter

    from benchmarks.imports import KEYS
    from fangpin.imports.specs import columns_for

    headers = {c.key: c.header for c in columns_for("households")}
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("数据")
    for col, key in enumerate(KEYS):
        sheet.write_string(0, col, headers[key])
    r = 0
    for people in households:
        for person in people:
            r += 1
            for col, key in enumerate(KEYS):
                value = person.get(key, "")
                if isinstance(value, int):
                    sheet.write_number(r, col, value)
                elif value:
                    sheet.write_string(r, col, value)
    book.close()
    return r


def _token(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if found is None:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


def import_login(base_url: str, *, username: str, password: str) -> Any:
    """A ``requests`` session logged in through the real login form (CSRF token, password).

    Raises ``RuntimeError`` when the login is refused or does not answer 200.
    """
    import requests

    session = requests.Session()
    page = session.get(f"{base_url}/login/", timeout=REQUEST_TIMEOUT)
    done = session.post(
        f"{base_url}/login/",
        data={
            "csrfmiddlewaretoken": _token(page.text),
            "username": username,
            "password": password,
            "otp_token": "",
        },
        timeout=REQUEST_TIMEOUT,
    )
    if done.status_code != 200 or "/login/" in done.url:
        raise RuntimeError(f"login of {username} refused (HTTP {done.status_code})")
    return session


def import_run(
    base_url: str,
    *,
    session: Any,
    path: Path,
    rows: int,
    households: int,
    poll: float = 1.0,
    timeout: float = 600.0,
) -> Result:
    """Import ``path`` through the web pages as a person does, in the logged-in ``session``
    (:func:`import_login`); time it.

    Upload on /imports/upload/ (households, create), follow the background job's page until it
    is done (a small file is checked at once), open the report, 导入 with the page's version,
    and read the batch's status back. The clock starts at the upload. Never raises: a failure
    is in ``status`` and ``error``.
    """
    result: Result = {
        "file": path.name,
        "rows": rows,
        "households": households,
        "status": "failed",
        "error": "",
        "upload_seconds": 0.0,
        "check_seconds": 0.0,
        "apply_seconds": 0.0,
        "seconds": 0.0,
        "server_errors": 0,
    }

    def seen(response: Any) -> Any:
        for r in (*response.history, response):
            if r.status_code >= 500:
                result["server_errors"] += 1
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code} on {response.url}")
        return response

    started = time.perf_counter()
    try:
        form = seen(session.get(f"{base_url}/imports/upload/", timeout=REQUEST_TIMEOUT))
        started = time.perf_counter()  # the clock starts at the upload, after its form
        with path.open("rb") as handle:
            response = seen(
                session.post(
                    f"{base_url}/imports/upload/",
                    data={
                        "csrfmiddlewaretoken": _token(form.text),
                        "entity": "households",
                        "mode": "create",
                    },
                    files={"file": (path.name, handle, _XLSX)},
                    timeout=REQUEST_TIMEOUT,
                )
            )
        uploaded = time.perf_counter()
        result["upload_seconds"] = uploaded - started
        while "/imports/jobs/" in response.url:
            if 'class="job-done"' in response.text or 'class="job-failed"' in response.text:
                break
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"the check did not finish in {timeout:.0f} s")
            time.sleep(poll)
            response = seen(session.get(response.url, timeout=REQUEST_TIMEOUT))
        if "/imports/jobs/" in response.url:
            link = re.search(r'href="(/imports/[0-9a-f-]{36}/)"', response.text)
            if link is None:
                raise RuntimeError("the background check failed (no report)")
            response = seen(session.get(base_url + link.group(1), timeout=REQUEST_TIMEOUT))
        checked = time.perf_counter()
        result["check_seconds"] = checked - uploaded
        version = re.search(r'name="version" value="(\d+)"', response.text)
        if version is None:
            raise RuntimeError("the report offers no 导入 (the file has errors?)")
        applied = seen(
            session.post(
                response.url.split("?")[0] + "apply/",
                data={"csrfmiddlewaretoken": _token(response.text), "version": version.group(1)},
                timeout=REQUEST_TIMEOUT,
            )
        )
        result["apply_seconds"] = time.perf_counter() - checked
        status = re.search(r'class="status-(\w+)" id="import-status"', applied.text)
        result["status"] = status.group(1) if status else "unknown"
    except Exception as exc:  # reported in the section, never raised
        result["error"] = str(exc)[:200]
    result["seconds"] = time.perf_counter() - started
    return result


# ---------------------------------------------------------------- the preparing process


def step_prepare(args: argparse.Namespace) -> Result:
    """On the load database: demo logins, tallies as of today, the accounts file, workbooks."""
    import random

    from benchmarks.list_search import bench_users
    from benchmarks.steps import django_for, sys_county

    django_for(args.database_url)
    from django.conf import settings
    from django.contrib.auth.hashers import Argon2PasswordHasher
    from django.db.models import Max
    from django.utils import timezone

    from fangpin.core.users import demo_users_create
    from fangpin.dashboards.refresh import tallies_refresh
    from fangpin.registry.models import Household

    county = sys_county()
    weights = sum(ACCOUNT_WEIGHTS.values())
    logins = {
        d.username: d.password for d in demo_users_create(county_code=county, actor="system:bench")
    }
    users = bench_users(county)
    # Hash the passwords at production's cost now (this process runs in test mode, whose
    # hasher is cheap): the server would rehash them at the first login, and a rehash changes
    # the session hash, logging out every session of the account logged in meanwhile.
    production = Argon2PasswordHasher()
    for user in users.values():
        user.password = production.encode(logins[user.username], production.salt())
        user.save(update_fields=["password"])
    checks = []
    county_user = users["county"]
    for _ in range(3):  # what one login costs in CPU, on this machine, now
        begun = time.perf_counter()
        production.verify(logins[county_user.username], county_user.password)
        checks.append(time.perf_counter() - begun)
    tallies_refresh(
        actor=users["county"], county_code=county.ljust(12, "0"), as_of=timezone.localdate()
    )
    accounts = [
        account_sample(
            user=user, password=logins[user.username], weight=ACCOUNT_WEIGHTS[level], seed=args.seed
        )
        | {"sessions": signed_in(user, args.sessions * ACCOUNT_WEIGHTS[level] // weights + 1)}
        for level, user in users.items()
    ]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    config = out / "accounts.json"
    config.touch(mode=0o600)
    config.write_text(
        json.dumps(
            {"accounts": accounts, "session_cookie": settings.SESSION_COOKIE_NAME},
            ensure_ascii=False,
        ),
        "utf-8",
    )
    # Villages with room for new automatic household numbers (4 digits a village), dealt out
    # so that no two importers of a run lock the same village.
    highest = Household.objects.order_by().values("village_id").annotate(n=Max("household_number"))
    roomy = sorted(r["village_id"] for r in highest if int(r["n"][-4:]) < 9_000)
    used: set[tuple[date, int]] = set()
    rng = random.Random(args.seed)
    runs: list[list[dict[str, Any]]] = []
    for run in RUNS:
        files = []
        for index in range(args.imports):
            households = import_households(
                villages=roomy[index :: args.imports],
                rows=args.import_rows,
                seed=rng.randrange(1 << 30),
                used=used,
                id_region=ID_REGION,
            )
            path = out / f"{run}-{index + 1}.xlsx"
            rows = import_workbook(path, households)
            files.append({"path": str(path), "rows": rows, "households": len(households)})
        runs.append(files)
    return {
        "config": str(config),
        "importer": users["county"].username,  # its password is in the accounts file
        "imports": dict(zip(RUNS, runs, strict=True)),
        "villages": len(roomy),
        "password_check_ms": round(sorted(checks)[1] * 1000),
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "seconds": 0.0,
    }


# ---------------------------------------------------------------- orchestration


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _copy_database(admin_url: str, source: str, target: str) -> tuple[str, float]:
    """``target`` as a fresh copy of ``source`` (PostgreSQL's template copy); its URL."""
    import psycopg

    base = admin_url.rsplit("/", 1)[0]
    started = time.perf_counter()
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target}"')
        strategy = " STRATEGY FILE_COPY" if conn.info.server_version >= 150000 else ""
        conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"{strategy}')
    return f"{base}/{target}", time.perf_counter() - started


def _drop_database(admin_url: str, name: str) -> None:
    import psycopg

    base = admin_url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Server:
    """``fangpin serve`` on a free loopback port, in its own process group; stopped on exit."""

    def __init__(self, database_url: str, var_dir: Path, log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "FANGPIN_MODE": "demo",
            "FANGPIN_VAR_DIR": str(var_dir),
        }
        self.log = log

    def __enter__(self) -> Server:

        command = [str(BIN / "fangpin"), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
        try:
            self._wait()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait(self) -> None:
        """Until the login page answers 200 (the first request loads every view: slow)."""
        import requests

        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"fangpin serve stopped (see {self.log})")
            try:
                if requests.get(f"{self.url}/login/", timeout=30).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(1)
        raise SystemExit(f"fangpin serve did not answer in 300 s (see {self.log})")

    def __exit__(self, *exc: object) -> None:
        group = self.process.pid  # the server's own process group (start_new_session)
        try:
            os.killpg(group, signal.SIGTERM)  # the worker and scheduler get it too
        except ProcessLookupError:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=30)
        time.sleep(2)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)  # whatever of the group is left


def run_locust(
    *,
    host: str,
    users: int,
    duration: str,
    csv_prefix: Path,
    config: Path,
    think: str = "",
    p95_ms: float = 0,
    steady: Path | None = None,
    signed_in: bool = False,
    log: Path | None = None,
    spawn_rate: int = SPAWN_RATE,
) -> int:
    """Run the locustfile headless (``-u users -r spawn_rate -t duration``); its exit code.

    ``think``: the pause between pages, ``"min,max"`` seconds (default the locustfile's);
    ``p95_ms``: the p95 bound of its exit code (default the locustfile's 1,000 ms);
    ``steady``: where it writes the pages' times once every login has ended;
    ``signed_in``: every user starts with one of its account's sessions instead of logging in.
    """
    env = {**os.environ, "FANGPIN_LOAD_CONFIG": str(config)}
    if think:
        env["FANGPIN_LOAD_THINK"] = think
    if p95_ms:
        env["FANGPIN_LOAD_P95_MS"] = f"{p95_ms:g}"
    if steady:
        env["FANGPIN_LOAD_STEADY"] = str(steady)
    if signed_in:
        env["FANGPIN_LOAD_SIGNED_IN"] = "1"
    command = [
        str(BIN / "locust"), "-f", str(LOCUSTFILE), "--headless", "-u", str(users),
        "-r", str(spawn_rate), "-t", duration, "--host", host, "--csv", str(csv_prefix),
        "--only-summary", "--stop-timeout", "10",
    ]  # fmt: skip
    with (log or Path(os.devnull)).open("ab") as out:
        return subprocess.run(command, env=env, stdout=out, stderr=out, check=False).returncode


def _measured_run(
    server: Server, prepared: Result, label: str, users: int, duration: str, work: Path
) -> Result:
    """One locust run, its imports started once every user is in, and what they measured."""
    ramp = users / SPAWN_RATE + 5
    imports: list[Result] = []
    accounts = json.loads(Path(prepared["config"]).read_text("utf-8"))["accounts"]
    password = next(a["password"] for a in accounts if a["username"] == prepared["importer"])
    # The importers were at work already: logged in before the officials' login storm.
    sessions = [
        import_login(server.url, username=prepared["importer"], password=password)
        for _ in prepared["imports"][label]
    ]

    def importer(item: Mapping[str, Any], session: Any) -> None:
        time.sleep(ramp)
        imports.append(
            import_run(
                server.url,
                session=session,
                path=Path(item["path"]),
                rows=int(item["rows"]),
                households=int(item["households"]),
            )
        )

    threads = [
        threading.Thread(target=importer, args=(item, session))
        for item, session in zip(prepared["imports"][label], sessions, strict=True)
    ]
    prefix = work / f"load-{label}"
    load_before = [round(x, 1) for x in os.getloadavg()]
    for thread in threads:
        thread.start()
    print(f"load: {label}, {users} users for {duration}", flush=True)
    code = run_locust(
        host=server.url, users=users, duration=duration, csv_prefix=prefix,
        config=Path(prepared["config"]), think=",".join(f"{s:g}" for s in THINK_SECONDS),
        steady=Path(f"{prefix}_after_logins.json"), log=work / "load-locust.log",
        signed_in=label == "signed_in",
    )  # fmt: skip
    load_after = [round(x, 1) for x in os.getloadavg()]
    for thread in threads:
        thread.join()
    return {
        "label": label,
        "users": users,
        "duration": duration,
        "exit_code": code,
        "stats": read_stats(Path(f"{prefix}_stats.csv").read_text("utf-8")),
        "server_errors": server_errors(Path(f"{prefix}_failures.csv").read_text("utf-8")),
        "after_logins": after_logins(
            json.loads(Path(f"{prefix}_after_logins.json").read_text("utf-8"))
        ),
        "imports": sorted(imports, key=lambda i: str(i["file"])),
        "load_before": load_before,
        "load_after": load_after,
    }


def bench_load(
    *,
    run_step: Callable[..., dict[str, object]],
    work: Path,
    admin_url: str,
    machine: str,
    households: int,
    seed: int,
    users: int,
    duration: str,
) -> str:
    """Make sure the database is there, copy it, serve it, run baseline and load, format."""
    from benchmarks.list_search import BENCH_DATABASE, ensure_dataset, ensure_postgres

    run_seconds(duration)  # a malformed duration stops here, before anything is loaded
    stamp = f"Run {datetime.now():%Y-%m-%d %H:%M}, {machine}."
    if not (BIN / "locust").exists():
        return f"{stamp}\n\nSkipped: locust is not installed (pip install -e '.[dev]')."
    dataset, how = ensure_dataset(run_step, work, households, seed)
    notes = [f"Dataset {dataset.name} (list_search's): Parquet {how}."]
    source, loaded = ensure_postgres(admin_url, dataset, run_step)
    if not source:
        return f"{stamp}\n\nSkipped: {loaded}."
    notes.append(f"PostgreSQL database `{BENCH_DATABASE}`: {loaded}.")
    url, copy_seconds = _copy_database(admin_url, BENCH_DATABASE, LOAD_DATABASE)
    notes.append(
        f"Measured on `{LOAD_DATABASE}`, a copy of it made for the run ({copy_seconds:.0f} s) "
        "and dropped afterwards, so the imports leave the shared dataset as it was."
    )
    out = work / "load"
    if out.exists():
        shutil.rmtree(out)  # last run's workbooks, logs and server files
    try:
        prepared = run_step(
            "prepare", "--database-url", url, "--out", str(out), "--seed", str(seed),
            "--imports", str(IMPORTS), "--import-rows", str(IMPORT_ROWS),
            "--sessions", str(users), module="benchmarks.load",
        )  # fmt: skip
        baseline_users = max(1, users // BASELINE_SHARE)
        var_dir = out / "var"
        with Server(url, var_dir, out / "load-server.log") as server:
            base = _measured_run(server, prepared, "baseline", baseline_users, duration, out)
            ready = _measured_run(server, prepared, "signed_in", users, duration, out)
            main = _measured_run(server, prepared, "main", users, duration, out)
    finally:
        Path(out / "accounts.json").unlink(missing_ok=True)  # it holds the demo passwords
        _drop_database(admin_url, LOAD_DATABASE)
    notes += _setup_notes(users, baseline_users, prepared)
    base["title"] = f"{base['users']} users (baseline)"
    ready["title"] = f"{users} users signed in beforehand"
    main["title"] = f"{users} users logging in (scenario 24)"
    runs = [main, ready, base]
    (work / "load-results.json").write_text(json.dumps(runs, ensure_ascii=False, indent=1), "utf-8")
    return format_section(runs, machine=machine, notes=notes)


def _setup_notes(users: int, baseline_users: int, prepared: Result) -> list[str]:
    think = "–".join(f"{s:g}" for s in THINK_SECONDS)
    check = int(prepared["password_check_ms"])
    return [
        "The real app on loopback: `fangpin serve` (waitress, 8 threads; the django-tasks "
        "worker; the scheduler), `FANGPIN_MODE=demo`: production's Argon2id password hashing "
        "(test mode's is cheap), plain HTTP and no TOTP (production requires HTTPS cookies "
        "and a TOTP code at login; neither is on the pages' path after login). The dashboard "
        "tallies were refreshed as of today beforehand, as the nightly scheduler does.",
        f"Locust (`benchmarks/locustfile.py`), `-r {SPAWN_RATE}`: each virtual user is the "
        "demo county approver, township reviewer or village cadre (2 : 1 : 1), logs in once "
        f"through the login form (CSRF token, password), then pauses {think} s (uniform) "
        "between pages; its first four pages are one of each kind, then dashboard 2, list 3, "
        "detail 3, search 2 (weights). List: page 1–20, or a township/village of the scope, a "
        "household type, monitored households; detail: 400 sampled households of the scope; "
        "search: two characters of a head's name or a household-number prefix. A response "
        "counts as a failure unless it is 200 and still logged in.",
        f"Three runs on the same server and data, in this order: the baseline, {baseline_users} "
        f"users; {users} users **signed in beforehand** — each starts with a session made "
        "before the run (Django's `login` through the test client, no password check), so "
        f"the pages meet full load without the login storm; then {users} users **logging "
        "in** as they start: scenario 24 as written.",
        f"Imports: {IMPORTS} files of {IMPORT_ROWS:,} person rows each per run (户籍与家庭成员, "
        f"new households in {prepared['villages']} villages dealt out so no two files share a "
        "village), uploaded at the same moment once every locust user has started, by the "
        "county approver in five sessions logged in before the run; files over 2,000 rows are "
        "checked by the one background worker, which takes the jobs one after another.",
        f"One production password check (Argon2id, 100 MiB, 2 passes, 8 lanes) took {check} ms "
        f"when preparing (load average {_load(prepared['load_average'])}): each login costs "
        f"one, so {users} logins ask for about {users * check / 1000:.0f} s of CPU. The pages' "
        "percentiles cover the whole run, the login storm included; a second table gives them "
        "from the moment the last login ended.",
    ]


STEPS: dict[str, Callable[[argparse.Namespace], Result]] = {"prepare": step_prepare}


def main() -> None:
    parser = argparse.ArgumentParser(description="one step of the load benchmark")
    parser.add_argument("step", choices=sorted(STEPS))
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=20241)
    parser.add_argument("--imports", type=int, default=IMPORTS)
    parser.add_argument("--import-rows", type=int, default=IMPORT_ROWS)
    parser.add_argument("--sessions", type=int, default=200, help="signed-in sessions to make")
    args = parser.parse_args()
    result = STEPS[args.step](args)
    result["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result, ensure_ascii=False, default=str))


__all__ = [
    "account_sample",
    "after_logins",
    "bench_load",
    "format_section",
    "import_households",
    "import_login",
    "import_run",
    "import_workbook",
    "read_stats",
    "run_locust",
    "run_seconds",
    "server_errors",
    "signed_in",
    "step_prepare",
    "verdicts",
]


if __name__ == "__main__":
    main()
