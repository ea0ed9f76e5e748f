"""The integrity run of a county (integrity_run) and its push into the ledger (integrity_push):
findings stored with their region, household, figures and reason; warnings pushed once each,
notes of level info never; rights and scope enforced with nothing written on refusal.

The registry leaves the database through the snapshot (its own ADBC connection): on PostgreSQL
it sees committed rows only, so these tests commit there.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection

from fangpin.core.models import AuditEvent
from fangpin.evaluation.errors import EvaluationError
from fangpin.evaluation.integrity import integrity_push, integrity_run
from fangpin.evaluation.models import IntegrityFinding, IntegrityRun
from fangpin.registry.models import Household, Person
from fangpin.supervision.models import Problem
from tests.evaluation.conftest import (
    HUAYUAN,
    TUDI,
    XIANGSHUI,
    World,
    add_household,
    table_state,
)

pytestmark = [
    pytest.mark.django_db(transaction=connection.vendor == "postgresql"),
    pytest.mark.usefixtures("finances"),
]

TODAY = date(2026, 11, 20)


def plant(world: World) -> dict[str, Household]:
    """Three look-alikes: three households of 响水村 with the same income (11,111 a head), a
    dead member still counted in 土地村, and a household exactly at the poverty line."""
    same = [add_household(XIANGSHUI, "2", 22222) for _ in range(3)]
    at_line = add_household(TUDI, "2", 8000)
    Person.objects.filter(household=world.households["tudi_b"], relation="10").update(
        status="deceased", death_date=date(2023, 8, 1)
    )
    return {"same_1": same[0], "same_2": same[1], "same_3": same[2], "at_line": at_line}


def findings(run: IntegrityRun) -> list[tuple[object, ...]]:
    return list(
        run.findings.order_by("detector").values_list(
            "detector",
            "subject_kind",
            "subject_id",
            "region_id",
            "household_id",
            "severity",
            "observed",
            "threshold",
            "explanation",
            "problem_key",
        )
    )


def test_the_findings_are_stored_with_region_household_figures_and_reason(
    world: World,
) -> None:
    planted = plant(world)
    tudi_b = world.households["tudi_b"]
    dead = Person.objects.get(household=tudi_b, relation="10")
    same = sorted(planted[k].pk for k in ("same_1", "same_2", "same_3"))

    run = integrity_run(actor=world.users["inspector_huayuan"], county_code=HUAYUAN, year=2024)

    at_line = planted["at_line"].pk
    assert findings(run) == [
        (
            "BUNCHING",
            "household",
            str(at_line),
            TUDI,
            at_line,
            "info",
            {
                "household_size": 2,
                "line": "poverty",
                "line_amount": 4000.0,
                "net_income": 8000.0,
                "per_capita_net_income": 4000.0,
                "share_above": 0.0,
            },
            "0.05",
            "2024年人均纯收入4,000元，恰好等于贫困线4,000元（在5%以内）",
            "",
        ),
        (
            "DECEASED_COUNTED",
            "household",
            str(tudi_b.pk),
            TUDI,
            tudi_b.pk,
            "warning",
            {
                "deceased": [{"death_date": "2023-08-01", "person_id": dead.pk}],
                "household_size": 2,
                "living_members": 1,
            },
            "",
            f"成员（人员编号{dead.pk}，2023-08-01死亡）已死亡，"
            "2024年收支登记的家庭人口仍为2人，在册存活成员1人",
            "",
        ),
        (
            "IDENTICAL_INCOME",
            "village",
            XIANGSHUI,
            XIANGSHUI,
            None,
            "warning",
            {
                "amount": 11111.0,
                "household_ids": same,
                "households": 3,
                "measure": "per_capita_net_income",
            },
            "3",
            # The app names the village and lists the households by number, not by row id.
            f"响水村（{XIANGSHUI}）2024年有3户人均纯收入同为11,111元"
            f"（户：{'、'.join(Household.objects.get(pk=i).household_number for i in same)}）",
            "",
        ),
    ]
    assert run.households == 24
    assert (run.county_id, run.year, run.started_by_label) == (
        HUAYUAN,
        2024,
        "inspector_huayuan",
    )
    fired = {code: s["findings"] for code, s in run.summary.items() if s["findings"]}
    assert fired == {"BUNCHING": 1, "DECEASED_COUNTED": 1, "IDENTICAL_INCOME": 1}
    assert len(run.summary) == 17
    assert all(s["ran"] for s in run.summary.values())
    assert run.summary["IDENTICAL_INCOME"]["title"] == "多户收入完全相同"
    assert run.settings_used["identical_income_min_households"] == 3
    assert run.settings_used["lines"] == {"poverty": 4000.0, "monitoring": 7600.0}
    event = AuditEvent.objects.get(action="integrity.run")
    assert (event.object_id, event.changes) == (
        str(run.public_id),
        {"county": HUAYUAN, "year": 2024, "households": 24, "findings": 3},
    )


def test_a_clean_county_has_no_findings(world: World) -> None:
    run = integrity_run(actor=world.users["county_huayuan"], county_code=HUAYUAN, year=2024)

    assert run.findings.count() == 0
    assert {s["findings"] for s in run.summary.values()} == {0}
    assert run.started_by_label == "county_huayuan"  # screening.run may run the detectors


def test_only_warnings_are_pushed_each_once(world: World) -> None:
    plant(world)
    inspector = world.users["inspector_huayuan"]
    run = integrity_run(actor=inspector, county_code=HUAYUAN, year=2024)

    created = integrity_push(actor=inspector, run=run, today=TODAY)

    assert created == 2
    tudi_b = world.households["tudi_b"]
    keys = dict(run.findings.values_list("detector", "problem_key"))
    assert keys == {
        "BUNCHING": "",
        "DECEASED_COUNTED": f"integrity:2024:DECEASED_COUNTED:household:{tudi_b.pk}",
        "IDENTICAL_INCOME": f"integrity:2024:IDENTICAL_INCOME:village:{XIANGSHUI}",
    }
    problems = {p.origin_rule: p for p in Problem.objects.prefetch_related("households")}
    assert set(problems) == {"integrity.DECEASED_COUNTED", "integrity.IDENTICAL_INCOME"}
    deceased = problems["integrity.DECEASED_COUNTED"]
    identical = problems["integrity.IDENTICAL_INCOME"]
    assert (deceased.dimension, deceased.region_id, list(deceased.households.all())) == (
        "files",
        TUDI,
        [tudi_b],
    )
    assert (identical.dimension, identical.region_id, list(identical.households.all())) == (
        "income",
        XIANGSHUI,
        [],
    )
    finding = run.findings.get(detector="IDENTICAL_INCOME")
    assert identical.description == f"数据真实性疑点（需核实，并非结论）：{finding.explanation}"
    for problem in problems.values():
        assert (
            problem.source,
            problem.source_batch,
            problem.found_on,
            problem.deadline,
            problem.lead_unit,
        ) == (
            "data_comparison",
            "数据真实性检测2024",
            TODAY,
            TODAY + timedelta(days=30),
            "县乡村振兴局",
        )
        assert problem.origin_key == keys[problem.origin_rule.split(".")[1]]

    assert integrity_push(actor=inspector, run=run, today=TODAY) == 0
    rerun = integrity_run(actor=inspector, county_code=HUAYUAN, year=2024)
    assert integrity_push(actor=inspector, run=rerun, today=TODAY) == 0
    assert Problem.objects.count() == 2


def test_a_push_may_take_one_detector(world: World) -> None:
    plant(world)
    inspector = world.users["inspector_huayuan"]
    run = integrity_run(actor=inspector, county_code=HUAYUAN, year=2024)

    created = integrity_push(actor=inspector, run=run, today=TODAY, detectors=["IDENTICAL_INCOME"])

    assert created == 1
    assert list(Problem.objects.values_list("origin_rule", flat=True)) == [
        "integrity.IDENTICAL_INCOME"
    ]
    assert list(run.findings.exclude(problem_key="").values_list("detector", flat=True)) == [
        "IDENTICAL_INCOME"
    ]


def test_running_and_pushing_are_refused_without_the_right_or_the_scope(world: World) -> None:
    plant(world)
    run = integrity_run(actor=world.users["inspector_huayuan"], county_code=HUAYUAN, year=2024)
    before = table_state()
    refusals = {}

    for account in ("township_longtan", "cadre_tudi", "auditor", "inspector_luxi"):
        with pytest.raises(EvaluationError) as refused:
            integrity_run(actor=world.users[account], county_code=HUAYUAN, year=2024)
        refusals[f"run {account}"] = (refused.value.code, refused.value.message)
    for account in ("county_huayuan", "township_longtan", "inspector_luxi"):
        with pytest.raises(EvaluationError) as refused:
            integrity_push(actor=world.users[account], run=run, today=TODAY)
        refusals[f"push {account}"] = (refused.value.code, refused.value.message)

    forbidden = ("forbidden", "当前账号无权开展数据真实性检测")
    outside = ("region", "该县不在您的辖区内（需县级及以上账号）")
    assert refusals == {
        "run township_longtan": forbidden,
        "run cadre_tudi": forbidden,
        "run auditor": forbidden,
        "run inspector_luxi": outside,
        "push county_huayuan": forbidden,  # screening.run runs, findings.write pushes
        "push township_longtan": forbidden,
        "push inspector_luxi": outside,
    }
    assert table_state() == before
    assert IntegrityFinding.objects.exclude(problem_key="").count() == 0


def test_an_unknown_county_is_refused(world: World) -> None:
    with pytest.raises(EvaluationError) as unknown:
        integrity_run(actor=world.users["inspector_xiangxi"], county_code="433199000000", year=2024)

    assert (unknown.value.code, unknown.value.message) == (
        "region",
        "“433199000000”不是已加载的县级区划",
    )
    assert IntegrityRun.objects.count() == 0


def test_a_reader_sees_the_findings_of_their_scope_only(world: World) -> None:
    from fangpin.evaluation.selectors import integrity_findings

    plant(world)
    run = integrity_run(actor=world.users["inspector_huayuan"], county_code=HUAYUAN, year=2024)

    def seen(account: str, detector: str | None = None) -> list[str]:
        rows = integrity_findings(user=world.users[account], run=run, detector=detector)
        return [f"{f.detector}@{f.region_id}" for f in rows]

    assert seen("county_huayuan") == [
        f"BUNCHING@{TUDI}",
        f"DECEASED_COUNTED@{TUDI}",
        f"IDENTICAL_INCOME@{XIANGSHUI}",
    ]
    assert seen("township_longtan") == [f"BUNCHING@{TUDI}", f"DECEASED_COUNTED@{TUDI}"]
    assert seen("cadre_tudi", "DECEASED_COUNTED") == [f"DECEASED_COUNTED@{TUDI}"]
    assert seen("inspector_luxi") == []
    assert seen("auditor") == []


def test_copied_visit_notes_are_found_and_placed_in_the_villages_common_region(
    world: World,
) -> None:
    from fangpin.assistance.models import Visit

    note = "入户走访，了解家庭收入和就业情况，宣传防返贫监测政策，群众满意。"
    for key, on in (("tudi_a", date(2024, 4, 2)), ("douwang_a", date(2024, 4, 3))):
        Visit.objects.create(
            household=world.households[key],
            visited_on=on,
            visitor_label="帮扶干部甲",
            findings=note,
        )
    Visit.objects.create(  # another year: not this run's
        household=world.households["longmen_a"],
        visited_on=date(2023, 4, 3),
        visitor_label="帮扶干部甲",
        findings=note,
    )

    run = integrity_run(actor=world.users["inspector_huayuan"], county_code=HUAYUAN, year=2024)

    finding = run.findings.get()
    households = sorted(world.households[k].pk for k in ("tudi_a", "douwang_a"))
    assert (
        finding.detector,
        finding.subject_kind,
        finding.subject_id,
        finding.region_id,
        finding.household_id,
        finding.severity,
    ) == ("COPIED_NOTES", "cadre", "帮扶干部甲", "433124102000", None, "warning")
    assert finding.observed["household_ids"] == households
    numbers = [Household.objects.get(pk=pk).household_number for pk in households]
    assert finding.explanation.startswith(
        f"走访人“帮扶干部甲”2024年对2户（{numbers[0]}、{numbers[1]}）的走访记录"
    )
