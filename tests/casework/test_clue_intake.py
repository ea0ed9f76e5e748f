"""Clues of the other channels: hotline and sweep entries, accepted self-declarations, and
their verification with one outcome (no warnings)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from fangpin.casework.errors import CaseworkError
from fangpin.casework.models import Case, Clue
from fangpin.casework.services import clue_from_declaration, clue_record, clue_verify
from fangpin.casework.writeback import verify_deadline_for
from fangpin.core.models import AuditEvent, Role, User
from fangpin.intake.models import Declaration
from fangpin.policy import resolve
from tests.casework.conftest import World
from tests.intake.conftest import make_declaration
from tests.registry.conftest import DOUWANG, make_user


def state() -> dict[str, Any]:
    return {
        "clues": sorted(Clue.objects.values_list("id", "channel", "status", "outcome", "note")),
        "cases": Case.objects.count(),
        "declarations": sorted(Declaration.objects.values_list("id", "status", "version")),
        "audit": AuditEvent.objects.exclude(action="authz.denied").count(),
    }


@pytest.fixture
def douwang_cadre(world: World) -> User:
    return make_user("cadre_douwang", Role.VILLAGE_CADRE, DOUWANG)


def test_a_hotline_call_becomes_a_clue_and_a_second_call_merges(world: World) -> None:
    cadre = world.viewers["cadre_tudi"]
    household = world.households["tudi"]
    today = timezone.localdate()

    clue = clue_record(actor=cadre, household=household, channel="hotline", note="反映家中老人住院")
    again = clue_record(actor=cadre, household=household, channel="hotline", note="再次来电")

    assert again.pk == clue.pk
    assert (clue.channel, clue.status, clue.received_on, clue.note) == (
        "hotline",
        "pending",
        today,
        "反映家中老人住院",
    )
    assert clue.verify_deadline == verify_deadline_for(today, resolve(today.year, "433124"))
    assert list(
        AuditEvent.objects.filter(object_type="clue", object_id=str(clue.public_id))
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["clue.record", "clue.merge"]


@pytest.mark.parametrize(
    ("channel", "note", "code", "message"),
    [
        ("screening", "x", "channel", "只能登记热线或走访排查线索"),
        ("sweep", "  ", "note", "请填写线索内容（不超过 500 字）"),
        ("sweep", "长" * 501, "note", "请填写线索内容（不超过 500 字）"),
    ],
)
def test_a_bad_entry_is_refused_and_nothing_changes(
    world: World, channel: str, note: str, code: str, message: str
) -> None:
    before = state()
    with pytest.raises(CaseworkError) as refused:
        clue_record(
            actor=world.viewers["cadre_tudi"],
            household=world.households["tudi"],
            channel=channel,
            note=note,
        )
    assert (refused.value.code, refused.value.message) == (code, message)
    assert state() == before


def test_a_cadre_cannot_record_a_clue_for_another_village(
    world: World, douwang_cadre: User
) -> None:
    before = state()
    with pytest.raises(CaseworkError) as refused:
        clue_record(
            actor=douwang_cadre, household=world.households["tudi"], channel="sweep", note="走访"
        )
    assert refused.value.code == "forbidden"
    assert state() == before


def test_a_clue_without_warnings_is_verified_with_one_outcome_and_opens_a_case(
    world: World,
) -> None:
    cadre = world.viewers["cadre_tudi"]
    clue = clue_record(
        actor=cadre, household=world.households["tudi"], channel="sweep", note="走访发现因病"
    )

    verified = clue_verify(
        actor=cadre, clue=clue, outcomes={}, outcome="confirmed", note="属实", expected_version=1
    )

    assert (verified.status, verified.outcome, verified.version) == ("verified", "confirmed", 2)
    case = Case.objects.get(household=world.households["tudi"])
    assert verified.case_id == case.pk
    assert (case.step, case.opened_on) == ("clue_received", clue.received_on)


def test_a_clue_without_warnings_needs_its_outcome(world: World) -> None:
    cadre = world.viewers["cadre_tudi"]
    clue = clue_record(actor=cadre, household=world.households["tudi"], channel="sweep", note="x")
    before = state()
    with pytest.raises(CaseworkError) as refused:
        clue_verify(actor=cadre, clue=clue, outcomes={}, note="", expected_version=1)
    assert (refused.value.code, refused.value.message) == ("outcome", "请选择核实结果")
    assert state() == before


def test_a_self_declaration_is_accepted_into_a_clue(world: World) -> None:
    declaration = make_declaration()
    cadre = world.viewers["cadre_tudi"]
    household = world.households["tudi"]

    clue = clue_from_declaration(
        actor=cadre, declaration=declaration, household=household, expected_version=1
    )

    declaration.refresh_from_db()
    assert (clue.channel, clue.household_id, clue.status) == (
        "self_declared",
        household.pk,
        "pending",
    )
    assert clue.received_on == timezone.localtime(declaration.submitted_at).date()
    assert clue.note == f"自主申报 {declaration.reference}"
    assert (declaration.status, declaration.clue_public_id, declaration.version) == (
        "accepted",
        clue.public_id,
        2,
    )
    assert AuditEvent.objects.filter(action="declaration.accept").count() == 1


def test_a_declaration_accepted_twice_is_a_conflict(world: World) -> None:
    declaration = make_declaration()
    cadre = world.viewers["cadre_tudi"]
    household = world.households["tudi"]
    clue_from_declaration(
        actor=cadre, declaration=declaration, household=household, expected_version=1
    )
    before = state()

    with pytest.raises(CaseworkError) as refused:
        clue_from_declaration(
            actor=cadre, declaration=declaration, household=household, expected_version=1
        )

    assert refused.value.is_conflict
    assert state() == before


def test_a_stale_declaration_version_changes_nothing(world: World) -> None:
    declaration = make_declaration()
    before = state()
    with pytest.raises(CaseworkError) as refused:
        clue_from_declaration(
            actor=world.viewers["cadre_tudi"],
            declaration=declaration,
            household=world.households["tudi"],
            expected_version=7,
        )
    assert (refused.value.code, refused.value.message) == (
        "stale",
        "该申报已被他人修改，请刷新后重试",
    )
    assert state() == before
