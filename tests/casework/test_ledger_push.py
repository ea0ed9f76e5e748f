"""Screening into the ledger (fangpin.casework.ledger_push): the month's quality warnings
pushed once (a re-run adds nothing), in the actor's scope, and 举一反三 over the county."""

from __future__ import annotations

from datetime import date

import pytest

from fangpin.casework.ledger_push import dimension_for, ledger_push_quality, problem_replicate
from fangpin.core.models import AuditEvent
from fangpin.supervision.errors import SupervisionError
from fangpin.supervision.models import Problem
from tests.casework.conftest import MONTH, make_run, make_warning
from tests.registry.conftest import DOUWANG, TUDI, World

TODAY = date(2025, 1, 6)


def warnings(world: World) -> None:
    run = make_run()
    h = world.households
    make_warning(run, h["tudi"], "quality.duplicate_id_number")
    make_warning(run, h["douwang"], "quality.migrant_without_employer")
    make_warning(run, h["minle"], "quality.housing_grade_mismatch")
    make_warning(run, h["tudi"], "trigger.income_below_line")  # a risk, not a data problem
    make_warning(run, h["luxi"], "quality.duplicate_id_number")  # another county


def test_the_months_quality_warnings_become_problems_once(world: World) -> None:
    warnings(world)
    county = world.viewers["county_huayuan"]

    first = ledger_push_quality(actor=county, month=MONTH, today=TODAY)
    again = ledger_push_quality(actor=county, month=MONTH, today=TODAY)

    assert (first.found, first.created, first.skipped) == (3, 3, 0)
    assert (again.found, again.created, again.skipped) == (3, 0, 3)
    rows = list(
        Problem.objects.order_by("region_id").values_list(
            "region_id", "dimension", "source", "deadline", "lead_unit", "origin_rule"
        )
    )
    assert rows == [
        (
            TUDI,
            "files",
            "data_comparison",
            date(2025, 1, 26),
            "龙潭镇人民政府",
            "quality.duplicate_id_number",
        ),
        (
            DOUWANG,
            "files",
            "data_comparison",
            date(2025, 1, 26),
            "龙潭镇人民政府",
            "quality.migrant_without_employer",
        ),
        (
            "433124103201",
            "housing",
            "data_comparison",
            date(2025, 1, 26),
            "民乐镇人民政府",
            "quality.housing_grade_mismatch",
        ),
    ]
    tudi = Problem.objects.get(region_id=TUDI)
    assert list(tudi.households.all()) == [world.households["tudi"]]
    assert tudi.description.startswith("监测对象身份证号重复：")
    assert (
        tudi.origin_key
        == f"screening:2024-12:quality.duplicate_id_number:{world.households['tudi'].pk}"
    )
    pushes = AuditEvent.objects.filter(action="problem.bulk_create")
    assert [e.changes["created"] for e in pushes] == [3]  # the empty re-run writes nothing


def test_a_village_cadre_pushes_their_village_only(world: World) -> None:
    warnings(world)

    result = ledger_push_quality(actor=world.viewers["cadre_tudi"], month=MONTH, today=TODAY)

    assert (result.found, result.created) == (1, 1)
    assert list(Problem.objects.values_list("region_id", flat=True)) == [TUDI]


def test_replicate_finds_the_same_rule_over_the_county(world: World) -> None:
    run = make_run()
    h = world.households
    for key in ("tudi", "douwang", "minle", "luxi"):
        make_warning(run, h[key], "quality.deceased_still_counted")
    county = world.viewers["county_huayuan"]
    ledger_push_quality(actor=county, month=MONTH, region_code=TUDI, today=TODAY)
    origin = Problem.objects.get()

    result = problem_replicate(actor=county, public_id=origin.public_id, today=TODAY)
    again = problem_replicate(actor=county, public_id=origin.public_id, today=TODAY)

    assert (result.found, result.created, result.skipped) == (2, 2, 0)
    assert (again.created, again.skipped) == (0, 2)
    replicas = Problem.objects.filter(parent=origin).order_by("region_id")
    assert [p.region_id for p in replicas] == [DOUWANG, "433124103201"]  # never 泸溪县


def test_replicate_needs_a_rule_and_the_scope(world: World) -> None:
    from fangpin.supervision.services import problem_create

    county = world.viewers["county_huayuan"]
    manual = problem_create(
        actor=county,
        source="self_check",
        found_on=TODAY,
        region_code=TUDI,
        dimension="files",
        description="档案缺页",
        lead_unit="龙潭镇人民政府",
        deadline=TODAY,
    )

    with pytest.raises(SupervisionError) as no_rule:
        problem_replicate(actor=county, public_id=manual.public_id, today=TODAY)
    with pytest.raises(SupervisionError) as outside:
        problem_replicate(actor=world.viewers["inspector_luxi"], public_id=manual.public_id)

    assert (no_rule.value.code, no_rule.value.message) == ("rule", "请选择用于举一反三的筛查规则")
    assert outside.value.code == "not_found"
    assert Problem.objects.count() == 1


@pytest.mark.parametrize(
    ("rule", "dimension"),
    [
        ("trigger.water_unsafe", "water"),
        ("quality.duplicate_id_number", "files"),
        ("classification.new_object", "procedure"),
    ],
)
def test_dimension_of_a_rule(rule: str, dimension: str) -> None:
    assert dimension_for(rule) == dimension
