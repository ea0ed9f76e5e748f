"""The demo's steps ⑥ and ⑧ in process: the database screened, the oldest clues verified.

The whole ``fangpin demo`` runs as a real process in tests/e2e/test_demo_and_serve.py; here
its casework steps run on the small loaded county of tests/casework, where the numbers can be
checked exactly.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from fangpin.casework.models import Clue, ScreeningRun, Warning
from fangpin.casework.selectors import rule_precision
from fangpin.cli.demo import _demo_screening, _demo_verification
from fangpin.core.access import SYSTEM
from fangpin.core.models import AuditEvent, User
from fangpin.core.users import demo_users_create
from tests.casework.conftest import dataset, loaded, published

__all__ = ["dataset", "loaded", "published"]  # fixtures, imported so pytest finds them

# The real snapshot reads committed rows only on PostgreSQL.
pytestmark = pytest.mark.django_db(transaction=connection.vendor == "postgresql")


def outcomes() -> list[tuple[str, str]]:
    return list(
        Clue.objects.filter(status="verified")
        .order_by("household__household_number")
        .values_list("household__household_number", "outcome")
    )


def test_the_demo_screens_the_database_and_verifies_the_oldest_clues(
    published: Any, capsys: Any
) -> None:
    _demo_screening(county="433124")
    run = ScreeningRun.objects.get()
    assert run.status == "succeeded"
    assert run.clues_created == Clue.objects.count() > 0
    out = capsys.readouterr().out
    assert f"预警 {run.warnings_created:,} 条，线索 {run.clues_created:,} 条" in out

    demo_users_create(county_code="433124", actor="system:demo")
    pending = Clue.objects.filter(village_code__startswith="433124102").count()
    verified = _demo_verification(county="433124", seed=5)

    assert verified == round(pending * 0.4) > 0
    assert Clue.objects.filter(status="verified").count() == verified
    assert Warning.objects.filter(clue__status="verified", outcome="").count() == 0
    verifiers = set(
        AuditEvent.objects.filter(action="clue.verify").values_list("actor_label", flat=True)
    )
    assert verifiers <= {"township_433124102", "village_433124102200"}
    assert "township_433124102" in verifiers
    report = rule_precision(SYSTEM)
    assert sum(r.verified for r in report) == Warning.objects.exclude(outcome="").count() > 0
    assert f"最早的 {verified:,} 条已核实" in capsys.readouterr().out

    # Deterministic: the same seed gives the same outcomes on the same clues.
    first = outcomes()
    Warning.objects.update(outcome="", verified_at=None, verified_by=None, outcome_note="")
    Clue.objects.update(status="pending", outcome="", verified_by=None, verified_at=None, version=1)
    _demo_verification(county="433124", seed=5)
    assert outcomes() == first
    assert User.objects.filter(username="township_433124102").exists()


def test_the_demo_walks_cases_through_every_step(published: Any, capsys: Any) -> None:
    from fangpin.casework.models import Case, CaseObjection
    from fangpin.cli.demo import _demo_cases
    from fangpin.registry.models import Monitoring

    _demo_screening(county="433124")
    demo_users_create(county_code="433124", actor="system:demo")
    _demo_verification(county="433124", seed=5)
    opened_today = Case.objects.filter(step="clue_received").count()

    tally = _demo_cases(county="433124")

    # The three walk-throughs: one recorded, one waiting for the county, one rejected.
    assert (tally["recorded"], tally["township_reviewed"], tally["rejected"]) == (1, 1, 1)
    recorded = Case.objects.get(step="recorded")
    assert (recorded.object_type, recorded.risk_types, recorded.version) == (
        "MARGINAL",
        ["ILLNESS"],
        11,
    )
    spell = Monitoring.objects.get(pk=recorded.monitoring_id)
    assert (spell.object_type, spell.eliminated_month) == ("MARGINAL", None)
    assert CaseObjection.objects.filter(case=recorded).values_list("number", flat=True).get() == 1
    walked = Case.objects.filter(village_code="433124102200", opened_on=recorded.opened_on)
    assert walked.count() == 3
    # ⑧'s cases (opened today) stay in the count; those of the demo village moved on.
    assert sum(tally.values()) == Case.objects.count() == opened_today + 3
    moved = Case.objects.filter(village_code="433124102200").exclude(pk__in=walked)
    assert moved.count() > 0
    assert sorted(moved.values_list("version", flat=True)) == sorted(
        1 + min(n % 5, 4) + (n % 5 == 4) for n in range(moved.count())
    )
    assert "⑨ 识别认定" in capsys.readouterr().out


def test_the_demo_plans_visits_and_proposes_an_elimination(published: Any, capsys: Any) -> None:
    from fangpin.assistance.models import Measure, Visit
    from fangpin.casework.models import Case
    from fangpin.cli.demo import _demo_assistance, _demo_cases

    _demo_screening(county="433124")
    demo_users_create(county_code="433124", actor="system:demo")
    _demo_verification(county="433124", seed=5)
    _demo_cases(county="433124")

    opened = _demo_assistance(county="433124", seed=5)

    out = capsys.readouterr().out
    assert "⑩ 帮扶计划：" in out
    assert Measure.objects.count() > 0
    assert Visit.objects.count() > 0
    assert opened == 1
    elimination = Case.objects.get(kind="elimination")
    assert (elimination.step, elimination.version, elimination.village_code) == (
        "elimination_notice_posted",
        4,
        "433124102200",
    )
    assert f"风险消除：{elimination.household.household_number} 已提出、评议并公示" in out
