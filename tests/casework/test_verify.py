"""clue_verify: who may verify, one outcome per warning, optimistic concurrency, audit."""

from __future__ import annotations

import pytest

from fangpin.casework.errors import CaseworkError
from fangpin.casework.models import Clue, ClueStatus, Warning
from fangpin.casework.services import clue_outcome, clue_verify
from fangpin.core.models import AuditEvent
from tests.casework.conftest import World, make_clue, make_run, make_warning, table_state


@pytest.fixture
def tudi_clue(world: World) -> Clue:
    """土地村's household with a pending clue of two warnings (income and medical share)."""
    run = make_run()
    household = world.households["tudi"]
    clue = make_clue(household)
    make_warning(run, household, "trigger.income_below_line", clue=clue)
    make_warning(run, household, "trigger.medical_oop_share", clue=clue)
    return clue


def outcomes_for(clue: Clue, *values: str) -> dict[str, str]:
    ids = (
        Warning.objects.filter(clue=clue).order_by("rule_code").values_list("public_id", flat=True)
    )
    return {str(pid): value for pid, value in zip(ids, values, strict=True)}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (["unfounded", "confirmed"], "confirmed"),
        (["unfounded", "civil_affairs", "already_monitored"], "already_monitored"),
        (["unfounded", "civil_affairs"], "civil_affairs"),
        (["unfounded", "unfounded"], "unfounded"),
        (["confirmed"], "confirmed"),
    ],
)
def test_the_clue_outcome_is_the_most_serious_warning_outcome(
    given: list[str], expected: str
) -> None:
    assert clue_outcome(given) == expected


def test_the_village_cadre_verifies_a_clue(world: World, tudi_clue: Clue) -> None:
    cadre = world.viewers["cadre_tudi"]
    outcomes = outcomes_for(tudi_clue, "confirmed", "unfounded")  # income, medical (by code)

    clue = clue_verify(
        actor=cadre,
        clue=tudi_clue,
        outcomes=outcomes,
        note=" 入户核实收入确低 ",
        expected_version=1,
    )

    assert (clue.status, clue.outcome, clue.version) == ("verified", "confirmed", 2)
    assert clue.verified_by == cadre
    assert clue.note == "入户核实收入确低"
    rows = dict(Warning.objects.filter(clue=clue).values_list("rule_code", "outcome"))
    assert rows == {
        "trigger.income_below_line": "confirmed",
        "trigger.medical_oop_share": "unfounded",
    }
    assert set(Warning.objects.filter(clue=clue).values_list("verified_by", flat=True)) == {
        cadre.pk
    }
    event = AuditEvent.objects.get(action="clue.verify")
    assert event.actor_label == "cadre_tudi"
    assert event.object_id == str(clue.public_id)
    assert event.changes == {"outcome": "confirmed", "warnings": outcomes, "version": 2}


def test_the_township_reviewer_may_verify_too(world: World, tudi_clue: Clue) -> None:
    clue = clue_verify(
        actor=world.viewers["township_longtan"],
        clue=tudi_clue,
        outcomes=outcomes_for(tudi_clue, "already_monitored", "already_monitored"),
        note="",
        expected_version=1,
    )
    assert clue.outcome == "already_monitored"


@pytest.mark.parametrize("viewer", ["county_huayuan", "inspector_luxi", "auditor", "sysadmin"])
def test_roles_without_clue_verify_are_refused(world: World, tudi_clue: Clue, viewer: str) -> None:
    before = table_state()
    with pytest.raises(CaseworkError) as caught:
        clue_verify(
            actor=world.viewers[viewer],
            clue=tudi_clue,
            outcomes=outcomes_for(tudi_clue, "confirmed", "confirmed"),
            note="",
            expected_version=1,
        )
    assert caught.value.code == "forbidden"
    assert table_state() == before
    assert AuditEvent.objects.filter(action="authz.denied", result="denied").count() == 1


def test_a_cadre_of_another_village_is_refused(world: World, tudi_clue: Clue) -> None:
    from tests.registry.conftest import DOUWANG, make_user

    douwang = make_user("cadre_douwang", "village_cadre", DOUWANG)
    before = table_state()
    with pytest.raises(CaseworkError) as caught:
        clue_verify(
            actor=douwang,
            clue=tudi_clue,
            outcomes=outcomes_for(tudi_clue, "confirmed", "confirmed"),
            note="",
            expected_version=1,
        )
    assert caught.value.code == "forbidden"
    assert table_state() == before


def test_a_stale_version_is_refused_and_nothing_changes(world: World, tudi_clue: Clue) -> None:
    Clue.objects.filter(pk=tudi_clue.pk).update(version=2)  # someone else saved meanwhile
    before = table_state()
    events = AuditEvent.objects.count()
    with pytest.raises(CaseworkError) as caught:
        clue_verify(
            actor=world.viewers["cadre_tudi"],
            clue=tudi_clue,
            outcomes=outcomes_for(tudi_clue, "confirmed", "confirmed"),
            note="",
            expected_version=1,
        )
    assert (caught.value.code, caught.value.is_conflict) == ("stale", True)
    assert caught.value.message == "该线索已被他人修改，请刷新后重试"
    assert table_state() == before
    assert AuditEvent.objects.count() == events


def test_a_verified_clue_cannot_be_verified_again(world: World, tudi_clue: Clue) -> None:
    cadre = world.viewers["cadre_tudi"]
    clue_verify(
        actor=cadre,
        clue=tudi_clue,
        outcomes=outcomes_for(tudi_clue, "unfounded", "unfounded"),
        note="",
        expected_version=1,
    )
    before = table_state()
    with pytest.raises(CaseworkError) as caught:
        clue_verify(
            actor=cadre,
            clue=tudi_clue,
            outcomes=outcomes_for(tudi_clue, "confirmed", "confirmed"),
            note="",
            expected_version=2,
        )
    assert (caught.value.code, caught.value.is_conflict) == ("verified", True)
    assert table_state() == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("missing", "还有 1 条预警未填写核实结果"),
        ("unknown_value", "未知的核实结果：maybe"),
        ("foreign_id", "核实结果中有不属于该线索的预警"),
    ],
)
def test_every_warning_needs_a_known_outcome(
    world: World, tudi_clue: Clue, change: str, message: str
) -> None:
    outcomes = outcomes_for(tudi_clue, "confirmed", "confirmed")
    first = next(iter(outcomes))
    if change == "missing":
        del outcomes[first]
    elif change == "unknown_value":
        outcomes[first] = "maybe"
    else:
        outcomes["00000000-0000-0000-0000-000000000000"] = "confirmed"
    before = table_state()
    with pytest.raises(CaseworkError) as caught:
        clue_verify(
            actor=world.viewers["cadre_tudi"],
            clue=tudi_clue,
            outcomes=outcomes,
            note="",
            expected_version=1,
        )
    assert (caught.value.code, caught.value.message) == ("outcome", message)
    assert table_state() == before
    assert Clue.objects.get(pk=tudi_clue.pk).status == ClueStatus.PENDING


def test_the_note_is_limited_to_500_characters(world: World, tudi_clue: Clue) -> None:
    before = table_state()
    with pytest.raises(CaseworkError) as caught:
        clue_verify(
            actor=world.viewers["cadre_tudi"],
            clue=tudi_clue,
            outcomes=outcomes_for(tudi_clue, "confirmed", "confirmed"),
            note="说" * 501,
            expected_version=1,
        )
    assert caught.value.code == "outcome"
    assert table_state() == before
