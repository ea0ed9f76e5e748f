"""The officials of SECURITY.md scenario 24, for locust (``benchmarks/load.py`` runs it).

Each virtual user logs in once through the real login form (CSRF token from the form, the
password; no TOTP, see load.py) as one of the accounts in the JSON file named by
``FANGPIN_LOAD_CONFIG`` (dealt out by their weights), then reads pages as an official does,
pausing between them (:data:`THINK_SECONDS`); its first four pages are one of each kind, the
rest chosen by :data:`WEIGHTS`:

- ``dashboard``: one of the three dashboard pages of its scope;
- ``list``: the household list, page 1 to 20, or filtered by a township or village of its
  scope, a household type or the monitoring status;
- ``detail``: a household page (ids sampled from its scope beforehand);
- ``search``: part of a head's name, or a household-number prefix.

Requests are named by kind (plus ``login form`` and ``login``), so locust's CSV gives p50, p95
and max per kind. A response counts as failed unless it is 200 and still logged in (a lost
session would answer the login page with 200); a request without an answer after
:data:`PAGE_TIMEOUT` fails too. A failure's message is ``HTTP <status>`` or what went wrong,
which ``load.py`` reads back from the failures CSV (5xx included).

Once every login has ended (answered or not), the pages' response times are also kept apart
(written to the file ``FANGPIN_LOAD_STEADY`` names, with how many users got any answer at all):
how the pages fare at full load without the login storm of the ramp-up, each login being one
production password hash.

The ``quitting`` hook sets locust's exit code: 0 when every page kind's p95 is under
:data:`P95_MS`, the error rate under :data:`MAX_ERROR_RATE`, no response was a 5xx and every
page kind was requested; else 1.
This file imports only locust and the standard library (locust loads it in its own process).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from typing import Any

from locust import HttpUser, between, events, task

PAGE_KINDS = ("dashboard", "list", "detail", "search")
WEIGHTS = {"dashboard": 2, "list": 3, "detail": 3, "search": 2}
"""How often each kind is chosen after the first four pages."""
P95_MS = float(os.environ.get("FANGPIN_LOAD_P95_MS") or 1000)
"""The p95 bound of the exit code; the CI smoke raises it (timings never fail a build)."""
MAX_ERROR_RATE = 0.01
PAGE_TIMEOUT = 60
"""Seconds a request may wait for its answer; then it fails as ``no answer (ReadTimeout)`` (a
person would have given up long before)."""
THINK_SECONDS = (2.0, 10.0)
"""An official's pause between pages (uniform): reading a page, typing a search. Overridden by
``FANGPIN_LOAD_THINK`` ("min,max"; the CI smoke uses a short one)."""
SIGNED_IN = os.environ.get("FANGPIN_LOAD_SIGNED_IN") == "1"
"""Start each user with one of its account's sessions (made beforehand, the accounts file's
``sessions``) instead of logging in: the pages at full load without the login storm."""
DASHBOARDS = ("/dashboard/", "/dashboard/work/", "/dashboard/results/")
_SERVER_ERROR = re.compile(r"HTTP 5\d\d")


def _config() -> dict[str, Any]:
    path = os.environ.get("FANGPIN_LOAD_CONFIG", "")
    if not path:
        raise SystemExit("FANGPIN_LOAD_CONFIG must name the accounts file (benchmarks/load.py)")
    with open(path, encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


def _think() -> tuple[float, float]:
    raw = os.environ.get("FANGPIN_LOAD_THINK", "")
    if not raw:
        return THINK_SECONDS
    low, high = (float(part) for part in raw.split(","))
    return low, high


CONFIG = _config()
_STORM = {"logins": 0, "answered": 0, "started_at": 0.0, "over_at": 0.0}
"""Logins done (or failed) so far, users that got any answer, when the run started and when
the last login ended."""
_STEADY: dict[str, list[float]] = {}
"""Each page kind's response times (ms) once every login has ended; written to the file
``FANGPIN_LOAD_STEADY`` names, if any, when locust quits."""
_ACCOUNTS = itertools.cycle(
    [account for account in CONFIG["accounts"] for _ in range(int(account["weight"]))]
)


class Official(HttpUser):
    wait_time = between(*_think())

    def on_start(self) -> None:
        self.account = next(_ACCOUNTS)
        self.answered = False
        self.rng = random.Random()
        self.tour = self.rng.sample(PAGE_KINDS, len(PAGE_KINDS))
        if SIGNED_IN and self.account.get("sessions"):
            self.client.cookies.set(CONFIG["session_cookie"], self.account["sessions"].pop())
            self._login_done()
        else:
            self._login()

    def _login(self) -> None:
        try:
            self._log_in()
        except Exception:
            self._login_done()
            raise
        self._login_done()  # not when stopped mid-login (GreenletExit is no Exception)

    def _login_done(self) -> None:
        _STORM["logins"] += 1
        if _STORM["logins"] == self.environment.runner.target_user_count:
            _STORM["over_at"] = time.monotonic()

    def _log_in(self) -> None:
        form = self._get("/login/", "login form", expect_login=True)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        if token is None:
            return
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "username": self.account["username"],
            "password": self.account["password"],
            "otp_token": "",
            "next": "",
        }
        with self.client.post(
            "/login/",
            data=data,
            name="login",
            headers={"Referer": f"{self.host}/login/"},
            catch_response=True,
            timeout=PAGE_TIMEOUT,
        ) as response:
            self._judge(response)

    def _get(
        self, path: str, name: str, params: dict[str, Any] | None = None, expect_login: bool = False
    ) -> str:
        with self.client.get(
            path, params=params, name=name, catch_response=True, timeout=PAGE_TIMEOUT
        ) as response:
            return self._judge(response, expect_login=expect_login)

    def _judge(self, response: Any, expect_login: bool = False) -> str:
        """Mark ``response`` failed unless it is 200 and (after login) not the login page."""
        if not response.status_code:  # no answer in PAGE_TIMEOUT seconds, or no connection
            response.failure(f"no answer ({type(response.error).__name__})")
            return ""
        if not self.answered:  # this user got its first answer (the server let it in)
            self.answered = True
            _STORM["answered"] += 1
        if response.status_code != 200:
            response.failure(f"HTTP {response.status_code}")
            return ""
        if not expect_login and "/login/" in response.url:
            response.failure("not logged in (the login page answered)")
            return ""
        response.success()
        return str(response.text)

    def _pick(self, key: str) -> Any:
        return self.rng.choice(self.account[key])

    @task
    def visit(self) -> None:
        """The first pages after login are one of each kind (in a random order), so every
        kind is measured even in a short run; then kinds by :data:`WEIGHTS`."""
        if self.tour:
            kind = self.tour.pop()
        else:
            kind = self.rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        getattr(self, f"_{kind}")()

    def _dashboard(self) -> None:
        self._get(self.rng.choice(DASHBOARDS), "dashboard")

    def _list(self) -> None:
        choice = self.rng.randrange(5)
        params: dict[str, Any] = {}
        if choice == 0:
            params["page"] = self.rng.randint(2, 20)
        elif choice == 1 and self.account["regions"]:
            params["region"] = self._pick("regions")
            params["page"] = self.rng.randint(1, 3)
        elif choice == 2 and self.account["household_types"]:
            params["household_type"] = self._pick("household_types")
        elif choice == 3:
            params["monitoring_status"] = "open"
        self._get("/households/", "list", params)

    def _detail(self) -> None:
        self._get(f"/households/{self._pick('households')}/", "detail")

    def _search(self) -> None:
        self._get("/households/", "search", {"q": self._pick("searches")})


@events.test_start.add_listener  # type: ignore[untyped-decorator]  # locust's is untyped
def _started(**_kwargs: Any) -> None:
    _STORM["started_at"] = time.monotonic()


@events.request.add_listener  # type: ignore[untyped-decorator]
def _after_logins(name: str, response_time: float, exception: Any, **_kwargs: Any) -> None:
    """Keep the pages' times once every login has ended (the login storm is over)."""
    if _STORM["over_at"] and name in PAGE_KINDS and exception is None:
        _STEADY.setdefault(name, []).append(response_time)


@events.quitting.add_listener  # type: ignore[untyped-decorator]
def _verdict(environment: Any, **_kwargs: Any) -> None:
    """Exit code 1 unless every page kind's p95, the error rate and the 5xx count are in
    bounds (SECURITY.md scenario 24)."""
    stats = environment.stats
    problems = []
    for kind in PAGE_KINDS:
        entry = stats.get(kind, "GET")
        if not entry.num_requests:
            problems.append(f"{kind}: no requests")
        elif entry.get_response_time_percentile(0.95) >= P95_MS:
            problems.append(f"{kind}: p95 {entry.get_response_time_percentile(0.95)} ms")
    if stats.total.fail_ratio >= MAX_ERROR_RATE:
        problems.append(f"error rate {stats.total.fail_ratio:.2%}")
    server_errors = sum(
        error.occurrences
        for error in stats.errors.values()
        if _SERVER_ERROR.search(str(error.error))
    )
    if server_errors:
        problems.append(f"{server_errors} responses 5xx")
    environment.process_exit_code = 1 if problems else 0
    steady = os.environ.get("FANGPIN_LOAD_STEADY", "")
    if steady:
        over = _STORM["over_at"] - _STORM["started_at"] if _STORM["over_at"] else None
        with open(steady, "w", encoding="utf-8") as handle:
            json.dump(
                {
                    "logins_over_after": over,
                    "users_answered": _STORM["answered"],
                    "milliseconds": _STEADY,
                },
                handle,
            )
    print("scenario 24:", "; ".join(problems) if problems else "within bounds", flush=True)
