"""The load benchmark's pure helpers (the benchmark itself runs in `make bench` only; its CI
smoke is test_load_smoke.py)."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.load import (
    after_logins,
    format_section,
    read_stats,
    run_seconds,
    server_errors,
    verdicts,
)

PERCENTILES = "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
STATS_CSV = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
    + PERCENTILES
    + "\n"
    "GET,dashboard,400,0,120,150.5,40,2100,51234.0,3.33,0.0,"
    "120,140,160,170,220,310,600,900,2000,2100,2100\n"
    "GET,detail,600,3,80,95.2,30,1500,30111.0,5.0,0.025,80,90,100,110,150,240,400,700,1400,1500,1500\n"
    "GET,list,600,0,150,170.0,50,1800,45000.0,5.0,0.0,150,170,190,200,260,420,700,950,1700,1800,1800\n"
    "GET,search,400,0,90,99.0,35,900,40000.0,3.33,0.0,90,100,110,120,160,230,400,500,880,900,900\n"
    "GET,login form,200,0,20,25.0,10,300,3000.0,1.67,0.0,20,22,24,25,30,60,100,200,300,300,300\n"
    "POST,login,200,0,400,420.0,300,1900,30000.0,1.67,0.0,400,420,450,480,600,950,1500,1800,1900,1900,1900\n"
    "GET,empty,0,0,0,0.0,0,0,0.0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A\n"
    ",Aggregated,2400,3,100,130.0,10,2100,35000.0,20.0,0.025,"
    "100,130,150,170,220,330,600,900,2000,2100,2100\n"
)
FAILURES_CSV = (
    "Method,Name,Error,Occurrences\n"
    "GET,detail,CatchResponseError('HTTP 500'),2\n"
    "GET,detail,CatchResponseError('HTTP 404'),1\n"
    "GET,list,\"HTTPError('502 Server Error: Bad Gateway for url: /households/')\",4\n"
    "GET,search,CatchResponseError('not logged in (the login page answered)'),5\n"
)


def _import(file: str, seconds: float, status: str = "applied", **extra: Any) -> dict[str, Any]:
    return {
        "file": file,
        "rows": 5000,
        "households": 1351,
        "status": status,
        "error": "",
        "upload_seconds": 0.4,
        "check_seconds": seconds - 3.4,
        "apply_seconds": 3.0,
        "seconds": seconds,
        "server_errors": 0,
        **extra,
    }


def _run(users: int, stats: dict[str, Any], imports: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "label": "main",
        "users": users,
        "duration": "2m",
        "exit_code": 0,
        "stats": stats,
        "server_errors": 0,
        "imports": imports,
        "load_before": [1.0, 0.5, 0.25],
        "load_after": [6.0, 3.0, 1.5],
    }


def test_run_seconds_reads_locust_run_times() -> None:
    assert [run_seconds(t) for t in ("2m", "30s", "1m30s", "1h", "45", " 8s ")] == [
        120,
        30,
        90,
        3600,
        45,
        8,
    ]


@pytest.mark.parametrize("text", ["", "2x", "m2", "2m 30s", "1.5m", "-3s"])
def test_run_seconds_refuses_what_locust_would_not_read(text: str) -> None:
    with pytest.raises(ValueError, match="not a run time"):
        run_seconds(text)


def test_read_stats_gives_each_name_its_counts_and_percentiles() -> None:
    stats = read_stats(STATS_CSV)
    assert list(stats) == [
        "dashboard",
        "detail",
        "list",
        "search",
        "login form",
        "login",
        "empty",
        "Aggregated",
    ]
    assert stats["detail"] == {
        "requests": 600.0,
        "failures": 3.0,
        "error_rate": 0.005,
        "p50": 80.0,
        "p95": 240.0,
        "p99": 700.0,
        "max": 1500.0,
        "rps": 5.0,
    }
    assert stats["empty"] == {
        "requests": 0.0,
        "failures": 0.0,
        "error_rate": 0.0,
        "p50": 0.0,
        "p95": 0.0,
        "p99": 0.0,
        "max": 0.0,
        "rps": 0.0,
    }
    assert stats["Aggregated"]["error_rate"] == 3 / 2400


def test_server_errors_count_only_5xx_occurrences() -> None:
    assert server_errors(FAILURES_CSV) == 6  # HTTP 500 twice, a 502 four times
    assert server_errors("Method,Name,Error,Occurrences\n") == 0


def test_verdicts_meet_every_target_of_a_good_run() -> None:
    run = _run(200, read_stats(STATS_CSV), [_import(f"main-{i}.xlsx", 20.0 + i) for i in range(5)])
    assert verdicts(run) == [
        ("p95 of every page kind < 1 s", True, "slowest: list, p95 420 ms"),
        ("error rate < 1 %", True, "3 of 2,400 requests (0.12%)"),
        ("each of the 5 imports applied in < 60 s", True, "slowest 24.0 s"),
        ("no 5xx", True, "0 responses 5xx (pages and imports)"),
    ]


def test_verdicts_name_what_missed() -> None:
    stats = read_stats(STATS_CSV)
    stats["search"]["p95"] = 1000.0  # the bound itself is a miss
    stats["Aggregated"] |= {"failures": 24.0, "error_rate": 0.01}
    imports = [
        _import("main-1.xlsx", 61.0),
        _import("main-2.xlsx", 12.0, status="failed", error="HTTP 500", server_errors=1),
    ]
    run = _run(200, stats, imports) | {"server_errors": 2}
    assert verdicts(run) == [
        ("p95 of every page kind < 1 s", False, "slowest: search, p95 1,000 ms"),
        ("error rate < 1 %", False, "24 of 2,400 requests (1.00%)"),
        ("each of the 2 imports applied in < 60 s", False, "slowest 61.0 s; not applied: 1"),
        ("no 5xx", False, "3 responses 5xx (pages and imports)"),
    ]


def test_verdicts_miss_a_page_kind_never_requested() -> None:
    stats = read_stats(STATS_CSV)
    del stats["dashboard"]
    assert verdicts(_run(200, stats, [_import("a.xlsx", 5.0)]))[0] == (
        "p95 of every page kind < 1 s",
        False,
        "slowest: list, p95 420 ms",
    )


def test_format_section_tables_both_runs_side_by_side_and_the_verdicts() -> None:
    main = _run(200, read_stats(STATS_CSV), [_import("main-1.xlsx", 30.0)])
    base_stats = read_stats(STATS_CSV)
    base_stats["detail"]["p95"] = 120.0
    base = _run(20, base_stats, [_import("baseline-1.xlsx", 10.0)]) | {"label": "baseline"}
    text = format_section([main, base], machine="2 cores", notes=["Dataset x."])
    lines = text.splitlines()
    assert lines[0].endswith(", 2 cores.")
    assert lines[2] == "- Dataset x."
    assert (
        "| detail | 600 | 3 | 0.50% | 80 | 240 | 700 | 1,500 | 5.0 |" in lines
    )  # main run's row (the baseline's has p95 120)
    assert "| detail | 600 | 3 | 0.50% | 80 | 120 | 700 | 1,500 | 5.0 |" in lines
    assert "| all requests | 2,400 | 3 | 0.12% | 100 | 330 | 900 | 2,100 | 20.0 |" in lines
    assert "| detail | 120 | 240 | 2.0× |" in lines
    assert "| list | 420 | 420 | 1.0× |" in lines
    assert "| Request | p95 ms, 20 users | p95 ms, 200 users | Ratio |" in lines
    assert (
        "| 200 users | main-1.xlsx | 5,000 | 1,351 | 0.4 | 26.6 | 3.0 | 30.0 | applied |" in lines
    )
    assert (
        "| 20 users | baseline-1.xlsx | 5,000 | 1,351 | 0.4 | 6.6 | 3.0 | 10.0 | applied |" in lines
    )
    assert "**Scenario 24's targets**, 200 users:" in lines
    assert lines[-4:] == [
        "- p95 of every page kind < 1 s: **met** — slowest: list, p95 420 ms.",
        "- error rate < 1 %: **met** — 3 of 2,400 requests (0.12%).",
        "- each of the 1 imports applied in < 60 s: **met** — slowest 30.0 s.",
        "- no 5xx: **met** — 0 responses 5xx (pages and imports).",
    ]
    assert text.count("| Request | Requests | Failures |") == 2


def test_format_section_says_why_an_import_failed() -> None:
    failed = _import("main-1.xlsx", 12.0, status="failed", error="HTTP 502 on /imports/upload/")
    text = format_section([_run(200, read_stats(STATS_CSV), [failed])], machine="m", notes=[])
    assert "| 12.0 | failed: HTTP 502 on /imports/upload/ |" in text
    assert "Side by side" not in text  # one run: no baseline to compare with


def test_after_logins_summarises_each_page_kind_seen() -> None:
    data = {
        "logins_over_after": 23.4,
        "milliseconds": {"list": [float(ms) for ms in range(21)], "detail": [5.0], "search": []},
    }
    assert after_logins(data | {"users_answered": 100}) == {
        "after_seconds": 23.4,
        "users_answered": 100,
        "kinds": {
            "list": {"requests": 21.0, "p50": 10.0, "p95": 19.0, "max": 20.0},
            "detail": {"requests": 1.0, "p50": 5.0, "p95": 5.0, "max": 5.0},
        },
    }


def test_format_section_adds_the_pages_after_the_logins() -> None:
    steady = after_logins(
        {"logins_over_after": 23.4, "users_answered": 100, "milliseconds": {"list": [0.0, 1000.0]}}
    )
    run = _run(200, read_stats(STATS_CSV), [_import("main-1.xlsx", 30.0)]) | {
        "after_logins": steady
    }
    lines = format_section([run], machine="m", notes=[]).splitlines()
    assert (
        "The same pages once every login had ended (23 s into the run; a login unanswered "
        "after 60 s ends too):"
    ) in lines
    assert lines[3] == (
        "**200 users**, 2m (locust exit code 0; load average 1/5/15 min 1.0 / 0.5 / 0.2 before, "
        "6.0 / 3.0 / 1.5 after; users answered at all: 100 of 200):"
    )
    assert "| list | 2 | 500 | 950 | 1,000 |" in lines
    assert lines[-1] == (
        "- (for reading, not a target) once every login had ended, the slowest page kind "
        "was list, p95 950 ms."
    )
    never = run | {"after_logins": {"after_seconds": None, "kinds": {}}}
    assert "Some logins were still running when the run ended." in format_section(
        [never], machine="m", notes=[]
    )
    late = run | {"after_logins": {"after_seconds": 118.6, "kinds": {}}}
    assert (
        "Every login had ended 119 s into the run; no page was asked for after that."
        in format_section([late], machine="m", notes=[])
    )


def test_format_section_compares_every_measured_run_with_the_baseline_last() -> None:
    stats = read_stats(STATS_CSV)
    main = _run(200, stats, []) | {"title": "200 users logging in"}
    ready = _run(200, read_stats(STATS_CSV), []) | {"title": "200 users signed in"}
    ready["stats"]["list"]["p95"] = 210.0
    del ready["stats"]["login"]
    base = _run(20, read_stats(STATS_CSV), []) | {"title": "20 users (baseline)"}
    base["stats"]["list"]["p95"] = 105.0
    lines = format_section([main, ready, base], machine="m", notes=[]).splitlines()
    assert (
        "| Request | p95 ms, 20 users (baseline) | p95 ms, 200 users logging in | Ratio |"
        " p95 ms, 200 users signed in | Ratio |"
    ) in lines
    assert "|---|---:|---:|---:|---:|---:|" in lines
    assert "| list | 105 | 420 | 4.0× | 210 | 2.0× |" in lines
    assert "| login | 950 | 950 | 1.0× | — | — |" in lines
    assert [line for line in lines if line.startswith("**Scenario 24's targets**")] == [
        "**Scenario 24's targets**, 200 users logging in:",
        "**Scenario 24's targets**, 200 users signed in:",
    ]
    assert (
        lines.count(
            "**200 users signed in**, 2m (locust exit code 0; load average 1/5/15 "
            "min 1.0 / 0.5 / 0.2 before, 6.0 / 3.0 / 1.5 after):"
        )
        == 1
    )
