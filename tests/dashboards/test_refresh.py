"""Rebuilding a county's tallies: exact figures per village, idempotent, scoped, audited, and
equal to the lists the charts drill down to."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from fangpin.casework import selectors as case_selectors
from fangpin.core.access import SYSTEM
from fangpin.core.models import AuditEvent
from fangpin.dashboards.errors import DashboardError
from fangpin.dashboards.models import Tally, TallyRefresh
from fangpin.dashboards.refresh import tallies_refresh
from fangpin.registry.selectors import household_list
from fangpin.supervision import selectors as problem_selectors
from tests.dashboards.conftest import (
    AS_OF,
    DOUWANG,
    HUAYUAN,
    LONGMEN,
    LONGTAN,
    MINLE,
    MINLE_TOWN,
    TUDI,
)
from tests.evaluation.conftest import LUXI, XIANGSHUI

pytestmark = pytest.mark.django_db


def _tallies() -> dict[tuple[str, str, str, str], int]:
    return {
        (t.region_code, t.metric, t.key, t.month.isoformat() if t.month else ""): t.value
        for t in Tally.objects.all()
    }


def _state() -> dict[str, Any]:
    return {
        "tallies": sorted(_tallies().items()),
        "refreshes": TallyRefresh.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def test_refresh_counts_every_metric_per_village(work: dict[str, Any]) -> None:
    refresh = tallies_refresh(actor=SYSTEM, county_code=HUAYUAN, as_of=AS_OF)

    t = _tallies()
    assert {k[0]: v for k, v in t.items() if k[1] == "hh"} == {
        LONGMEN: 4,
        TUDI: 4,
        DOUWANG: 4,
        MINLE: 4,
        XIANGSHUI: 4,
    }
    assert {k[0]: v for k, v in t.items() if k[1] == "persons"} == {
        LONGMEN: 8,
        TUDI: 8,
        DOUWANG: 8,
        MINLE: 8,
        XIANGSHUI: 8,
    }
    assert {k[:3]: v for k, v in t.items() if k[1] in ("mon", "elim", "risk")} == {
        (TUDI, "mon", "UNSTABLE"): 1,
        (DOUWANG, "mon", "UNSTABLE"): 1,
        (DOUWANG, "elim", "UNSTABLE"): 1,
        (TUDI, "risk", "01"): 1,
        (DOUWANG, "risk", "01"): 1,
    }
    assert {k: v for k, v in t.items() if k[1] in ("ident", "elim_m")} == {
        (TUDI, "ident", "UNSTABLE", "2024-02-01"): 1,
        (DOUWANG, "ident", "UNSTABLE", "2024-02-01"): 1,
        (DOUWANG, "ident", "UNSTABLE", "2023-02-01"): 1,
        (DOUWANG, "elim_m", "UNSTABLE", "2024-03-01"): 1,
    }
    assert {k[:3]: v for k, v in t.items() if k[1].startswith(("clue", "case"))} == {
        (TUDI, "clue", "pending"): 2,
        (LONGMEN, "clue", "verified"): 1,
        (TUDI, "clue_late", ""): 1,
        (TUDI, "case", "identification:notice_posted"): 1,
        (DOUWANG, "case", "elimination:elimination_appraised"): 1,
        (TUDI, "case_late", "identification:notice_posted"): 1,
    }
    # Measures count households per category; the stopped one is not counted.
    assert {k[:3]: v for k, v in t.items() if k[1] in ("measure", "planned", "visited")} == {
        (TUDI, "measure", "COMPULSORY_EDUCATION"): 1,
        (TUDI, "measure", "EMPLOYMENT"): 1,
        (TUDI, "planned", ""): 1,
        (TUDI, "visited", ""): 1,
    }
    assert {k: v for k, v in t.items() if k[1] == "visit_m"} == {
        (TUDI, "visit_m", "", "2025-01-01"): 1,
        (TUDI, "visit_m", "", "2024-11-01"): 1,
        (DOUWANG, "visit_m", "", "2024-10-01"): 1,
    }
    assert {k[:3]: v for k, v in t.items() if k[1] in ("problem", "prob_late")} == {
        (LONGTAN, "problem", "open"): 1,
        (MINLE, "problem", "closed"): 1,
        (HUAYUAN, "problem", "open"): 1,
        (LONGTAN, "prob_late", ""): 1,
    }
    assert refresh.rows == len(t) == 36
    assert (refresh.county_id, refresh.as_of, refresh.refreshed_by_label) == (
        HUAYUAN,
        AS_OF,
        "system",
    )
    event = AuditEvent.objects.filter(action="dashboards.refresh").get()
    assert event.changes == {"county": HUAYUAN, "as_of": "2025-01-20", "rows": 36}


def test_refresh_again_replaces_the_county_and_leaves_others(work: dict[str, Any]) -> None:
    Tally.objects.create(region_code="433122102200", metric="hh", value=7)  # 泸溪县
    tallies_refresh(actor=SYSTEM, county_code=HUAYUAN, as_of=AS_OF)
    first = _tallies()

    tallies_refresh(actor=SYSTEM, county_code=HUAYUAN, as_of=AS_OF)

    assert _tallies() == first
    assert Tally.objects.count() == 37
    assert Tally.objects.get(region_code="433122102200").value == 7
    assert TallyRefresh.objects.count() == 2


def test_a_later_day_makes_clues_and_visits_late(work: dict[str, Any]) -> None:
    tallies_refresh(actor=SYSTEM, county_code=HUAYUAN, as_of=date(2025, 3, 2))

    t = _tallies()
    assert t[(TUDI, "clue_late", "", "")] == 2
    assert (TUDI, "visited", "", "") not in t  # the 2025-01-05 visit is 56 days old
    assert t[(HUAYUAN, "prob_late", "", "")] == 1
    assert sum(v for k, v in t.items() if k[1] == "case_late") == 2


def test_refresh_refused_changes_nothing(work: dict[str, Any]) -> None:
    cases = [
        ("township_longtan", HUAYUAN, "forbidden"),  # not the whole county
        ("inspector_huayuan", HUAYUAN, "forbidden"),  # may not start screening
        ("county_huayuan", LUXI, "forbidden"),  # another county
        ("county_huayuan", LONGTAN, "region"),  # not a county
        ("county_huayuan", "433199000000", "region"),  # not loaded
    ]
    tallies_refresh(actor=SYSTEM, county_code=HUAYUAN, as_of=AS_OF)
    before = _state()
    codes = []
    for user, code, _error in cases:
        with pytest.raises(DashboardError) as caught:
            tallies_refresh(
                actor=work["world"].users[user], county_code=code, as_of=date(2025, 3, 2)
            )
        codes.append(caught.value.code)

    assert codes == [error for _, _, error in cases]
    assert _state() == before


def test_county_approver_may_refresh(work: dict[str, Any]) -> None:
    refresh = tallies_refresh(
        actor=work["world"].users["county_huayuan"], county_code=HUAYUAN, as_of=AS_OF
    )
    assert refresh.refreshed_by_label == "county_huayuan"


def test_tallies_equal_the_lists_behind_them(work: dict[str, Any]) -> None:
    """Each figure a chart drills into is exactly the length of the list it opens."""
    tallies_refresh(actor=SYSTEM, county_code=HUAYUAN, as_of=AS_OF)

    def tally(metric: str, prefix: str, key: str | None = None) -> int:
        rows = Tally.objects.filter(metric=metric, region_code__startswith=prefix)
        if key is not None:
            rows = rows.filter(key=key)
        return sum(rows.values_list("value", flat=True))

    for prefix in ("433124", LONGTAN[:9], MINLE_TOWN[:9], TUDI, DOUWANG):
        active = household_list(user=SYSTEM, village_prefix=prefix).filter(status="active")
        assert tally("hh", prefix) == active.count()
        assert (
            tally("mon", prefix, "UNSTABLE")
            == active.filter(monitoring_status="open", monitoring_type="UNSTABLE").count()
        )
        assert (
            tally("risk", prefix, "01")
            == household_list(
                user=SYSTEM, village_prefix=prefix, monitoring_status="open", risk_type="01"
            )
            .filter(status="active")
            .count()
        )
        assert tally("elim", prefix) == active.filter(monitoring_status="eliminated").count()
    for prefix in ("433124", LONGTAN[:9], TUDI, LONGMEN):
        for status in ("pending", "verified"):
            assert (
                tally("clue", prefix, status)
                == case_selectors.clue_list(SYSTEM, status=status, village_code=prefix).count()
            )
        assert (
            tally("case", prefix)
            == case_selectors.case_list(SYSTEM, is_open=True, village_code=prefix).count()
        )
        for status in ("open", "closed"):
            assert (
                tally("problem", prefix, status)
                == problem_selectors.problem_list(
                    user=SYSTEM, today=AS_OF, status=status, region_prefix=prefix
                ).count()
            )
        assert (
            tally("prob_late", prefix)
            == problem_selectors.problem_list(
                user=SYSTEM, today=AS_OF, overdue=True, region_prefix=prefix
            ).count()
        )
