"""The dashboard selectors: the region a viewer may open, the sums by child region, key and
month, the headline numbers and how fresh they are."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangpin.core.access import SYSTEM
from fangpin.core.models import Region
from fangpin.dashboards.refresh import tallies_refresh
from fangpin.dashboards.selectors import (
    OTHER,
    dashboard_figures,
    dashboard_region,
    headline,
    integrity_counts,
    latest_measure_year,
)
from fangpin.evaluation.models import IntegrityFinding, IntegrityRun, MeasureResult
from fangpin.integrity import CODE_ZH, Code
from tests.dashboards.conftest import AS_OF, DOUWANG, HUAYUAN, LONGTAN, MINLE_TOWN, TUDI
from tests.evaluation.conftest import LUXI

pytestmark = pytest.mark.django_db


@pytest.fixture
def refreshed(work: dict[str, Any]) -> dict[str, Any]:
    tallies_refresh(actor=SYSTEM, county_code=HUAYUAN, as_of=AS_OF)
    return work


def test_a_region_inside_the_scope_opens(refreshed: dict[str, Any]) -> None:
    cases = [
        ("county_huayuan", "", HUAYUAN),  # home region by default
        ("county_huayuan", LONGTAN, LONGTAN),
        ("township_longtan", "", LONGTAN),
        ("township_longtan", TUDI, TUDI),
        ("cadre_tudi", "", TUDI),
        ("inspector_xiangxi", HUAYUAN, HUAYUAN),
    ]
    users = refreshed["world"].users
    opened = [dashboard_region(user=users[u], code=code).code for u, code, _ in cases]
    assert opened == [expected for _, _, expected in cases]


def test_a_region_outside_the_scope_does_not_exist(refreshed: dict[str, Any]) -> None:
    cases = [
        ("township_longtan", HUAYUAN),  # above the home region
        ("township_longtan", MINLE_TOWN),  # a sibling
        ("cadre_tudi", DOUWANG),
        ("county_huayuan", LUXI),  # another county
        ("county_huayuan", "4331240000"),  # malformed
        ("county_huayuan", "433124999999"),  # not loaded
        ("auditor", HUAYUAN),  # no registry.view
    ]
    for user, code in cases:
        with pytest.raises(Region.DoesNotExist):
            dashboard_region(user=refreshed["world"].users[user], code=code)


def test_county_figures_by_township(refreshed: dict[str, Any]) -> None:
    region = Region.objects.get(code=HUAYUAN)
    with CaptureQueriesContext(connection) as queries:
        fig = dashboard_figures(user=SYSTEM, region=region)
    assert len(queries) == 5  # children, sums, monthly sums, freshness, path

    assert [c.code for c in fig.children] == [LONGTAN, MINLE_TOWN]
    assert fig.child_prefix == {LONGTAN: "433124102", MINLE_TOWN: "433124103"}
    assert (fig.freshness.as_of, fig.freshness.counties) == (AS_OF, 1)
    assert fig.total("hh") == 20
    assert fig.total("hh", child="433124102") == 12
    assert fig.total("mon", "UNSTABLE", "433124102") == 2
    assert fig.total("mon", child="433124103") == 0
    # The county's own problem is kept apart from the townships'.
    assert fig.total("problem", "open", OTHER) == 1
    assert fig.total("problem", "open", "433124102") == 1
    assert fig.by_month("ident") == {date(2023, 2, 1): 1, date(2024, 2, 1): 2}
    assert fig.by_month("visit_m", child="433124102") == {
        date(2024, 10, 1): 1,
        date(2024, 11, 1): 1,
        date(2025, 1, 1): 1,
    }
    assert fig.keys("measure") == ["COMPULSORY_EDUCATION", "EMPLOYMENT"]


def test_headline_of_the_county_and_of_a_township(refreshed: dict[str, Any]) -> None:
    fig = dashboard_figures(user=SYSTEM, region=Region.objects.get(code=HUAYUAN))

    assert headline(fig) == {
        "hh": 20,
        "persons": 40,
        "mon": 2,
        "elim": 1,
        "clue_pending": 2,
        "clue_late": 1,
        "case_open": 2,
        "case_late": 1,
        "planned": 1,
        "visited": 1,
        "problems": 3,
        "problems_to_fix": 2,
        "prob_late": 1,
        "coverage": 0.5,
        "planned_share": 0.5,
        "mon_UNSTABLE": 2,
        "mon_MARGINAL": 0,
        "mon_SUDDEN": 0,
        "ident_month": 0,
        "elim_month": 0,
    }
    minle = headline(fig, "433124103", month=date(2024, 2, 1))
    assert (minle["hh"], minle["mon"], minle["coverage"], minle["problems_to_fix"]) == (
        8,
        0,
        None,
        0,
    )
    longtan = headline(fig, "433124102", month=date(2024, 2, 1))
    assert (longtan["ident_month"], longtan["elim_month"]) == (2, 0)


def test_a_village_has_no_children_and_its_own_figures(refreshed: dict[str, Any]) -> None:
    fig = dashboard_figures(user=SYSTEM, region=Region.objects.get(code=TUDI))

    assert fig.children == []
    assert [r.code for r in fig.path] == ["430000000000", "433100000000", HUAYUAN, LONGTAN, TUDI]
    assert headline(fig)["clue_pending"] == 2
    assert headline(fig)["problems"] == 0


def test_before_any_refresh_the_figures_are_zero_and_not_dated(work: dict[str, Any]) -> None:
    fig = dashboard_figures(user=SYSTEM, region=Region.objects.get(code=HUAYUAN))

    assert fig.freshness.as_of is None
    assert fig.sums == {}
    assert headline(fig)["coverage"] is None


def test_latest_measure_year(work: dict[str, Any]) -> None:
    assert latest_measure_year(HUAYUAN) is None
    for year in (2023, 2024):
        MeasureResult.objects.create(
            county_id=HUAYUAN, year=year, edition_id="x", computed_by_label="t"
        )
    assert latest_measure_year(HUAYUAN) == 2024


def test_integrity_counts_by_detector_inside_the_prefix(work: dict[str, Any]) -> None:
    run = IntegrityRun.objects.create(
        county_id=HUAYUAN, year=2024, edition_id="x", started_by_label="t"
    )
    for detector, region in (
        ("BUNCHING", TUDI),
        ("IDENTICAL_INCOME", TUDI),
        ("IDENTICAL_INCOME", DOUWANG),
        ("IDENTICAL_INCOME", "433124103201"),  # 民乐村, another township
    ):
        IntegrityFinding.objects.create(
            run=run,
            detector=detector,
            subject_kind="village",
            subject_id=region,
            region_id=region,
            severity="warning",
            explanation="…",
        )

    assert integrity_counts(run=run, prefix=LONGTAN[:9]) == [
        ("IDENTICAL_INCOME", CODE_ZH[Code.IDENTICAL_INCOME], 2),
        ("BUNCHING", CODE_ZH[Code.BUNCHING], 1),
    ]
    assert integrity_counts(run=run, prefix="433124")[0][2] == 3
