"""Two people deciding the same problem at once (SECURITY.md scenario 19): exactly one decision
is stored, the other gets 409 (PostgreSQL, real threads)."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connections

from fangpin.core.models import User
from fangpin.supervision.errors import SupervisionError
from fangpin.supervision.models import ProblemEntry
from fangpin.supervision.services import problem_decide
from tests.supervision.test_services import decide, record


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_checks_store_exactly_one_decision(
    inspector: User, tudi_cadre: User, actor: User
) -> None:
    problem = record(inspector)
    decide(tudi_cadre, problem, "report_fixed", note="已改造", evidence=["照片"])
    problem.refresh_from_db()
    barrier = threading.Barrier(2)
    results: list[str] = []

    def check(who: User, action: str) -> None:
        try:
            barrier.wait(timeout=10)
            problem_decide(
                actor=who,
                public_id=problem.public_id,
                action=action,
                on=date(2026, 3, 12),
                note="核实",
                expected_version=problem.version,
            )
            results.append("ok")
        except SupervisionError as error:
            results.append(error.code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=check, args=(inspector, "close")),
        threading.Thread(target=check, args=(actor, "return")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results) == ["ok", "stale"]
    problem.refresh_from_db()
    assert problem.version == 3
    assert ProblemEntry.objects.filter(problem=problem).count() == 2
    assert problem.status in ("closed", "returned")
