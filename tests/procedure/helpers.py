"""Shared actors, editions and builders for the procedure tests."""

from __future__ import annotations

from datetime import date
from functools import cache

import pytest

from fangpin.policy import ResolvedEdition, resolve
from fangpin.procedure import (
    Action,
    Actor,
    Approve,
    Case,
    EliminationStep,
    HouseholdFacts,
    IdentificationStep,
    Level,
    PostNotice,
    ProcedureError,
    RecordObject,
    Submit,
    decide,
    open_elimination,
    open_identification,
)

IS = IdentificationStep
ES = EliminationStep
VILLAGE = Actor("v1", Level.VILLAGE)
VILLAGE2 = Actor("v2", Level.VILLAGE)
TOWNSHIP = Actor("t1", Level.TOWNSHIP)
TOWNSHIP2 = Actor("t2", Level.TOWNSHIP)
COUNTY = Actor("c1", Level.COUNTY)
COUNTY2 = Actor("c2", Level.COUNTY)


@cache
def national_2024() -> ResolvedEdition:
    """2024 national floor: working days, identification 15, verification 15, notice 5."""
    return resolve(2024, "430000")


@cache
def huayuan_2024() -> ResolvedEdition:
    """The example county file: identification 10, verification 7 working days."""
    return resolve(2024, "433124")


@cache
def national_2025() -> ResolvedEdition:
    return resolve(2025, "430000")


def refused(
    case: Case,
    action: Action,
    actor: Actor,
    on: date,
    code: str,
    message: str,
    *,
    edition: ResolvedEdition | None = None,
    expected_version: int | None = None,
) -> ProcedureError:
    """Assert ``decide`` refuses with exactly ``code`` and ``message`` and nothing changed."""
    before = case.history
    with pytest.raises(ProcedureError) as caught:
        decide(
            case,
            action,
            actor,
            on,
            edition or national_2024(),
            expected_version=expected_version,
        )
    assert (caught.value.code, caught.value.message) == (code, message)
    assert case.history == before
    return caught.value


def clue(on: date = date(2024, 9, 27), case_id: str = "K1") -> Case:
    return open_identification(
        case_id=case_id, household_id="H1", actor=VILLAGE, on=on, edition=national_2024()
    )


def to_appraised(on: date = date(2024, 9, 30)) -> Case:
    """An identification case with the dossier complete up to 民主评议, all on ``on``."""
    ed = national_2024()
    case = clue(on=date(2024, 9, 27))
    case = decide(case, Submit(IS.VERIFIED, "采集表"), VILLAGE, date(2024, 9, 29), ed)
    case = decide(case, Submit(IS.AUTHORISED, "授权书"), VILLAGE, date(2024, 9, 29), ed)
    case = decide(case, Submit(IS.DATA_COMPARED, "比对无异常"), TOWNSHIP, on, ed)
    return decide(case, Submit(IS.APPRAISED, "评议通过"), VILLAGE, on, ed)


def to_noticed() -> Case:
    """Notice 2024-09-30 – 2024-10-11 (5 working days across 国庆)."""
    return decide(
        to_appraised(), PostNotice(date(2024, 9, 30)), VILLAGE, date(2024, 9, 30), national_2024()
    )


def to_township_reviewed() -> Case:
    return decide(
        to_noticed(), Approve(IS.TOWNSHIP_REVIEWED), TOWNSHIP2, date(2024, 10, 8), national_2024()
    )


def recorded() -> Case:
    ed = national_2024()
    case = decide(
        to_township_reviewed(), Approve(IS.COUNTY_APPROVED), COUNTY, date(2024, 10, 12), ed
    )
    return decide(
        case,
        RecordObject("MARGINAL", ("ILLNESS",), date(2024, 10, 1)),
        COUNTY,
        date(2024, 10, 14),
        ed,
    )


def good_facts(**changes: object) -> HouseholdFacts:
    base: dict[str, object] = {
        "identified_month": date(2024, 10, 1),
        "risk_types": ("ILLNESS",),
        "measures": {"ILLNESS": ("HEALTH",)},
        "months_income_above_line": 6,
        "three_guarantees_secured": True,
        "water_secured": True,
        "has_new_risk": False,
        "has_labour": True,
    }
    base.update(changes)
    return HouseholdFacts(**base)  # type: ignore[arg-type]  # values are typed per key above


def elimination_to_township(start: date = date(2025, 4, 1)) -> Case:
    """An elimination proposal on ``start`` (2025, national), through 乡镇审核."""
    ed = national_2025()
    case = open_elimination(
        case_id="X1", identification=recorded(), actor=VILLAGE, on=start, edition=ed
    )
    case = decide(case, Submit(ES.VERIFIED), VILLAGE, start, ed)
    case = decide(case, Submit(ES.APPRAISED), VILLAGE, start, ed)
    case = decide(case, PostNotice(start), VILLAGE, start, ed)
    return decide(case, Approve(ES.TOWNSHIP_REVIEWED), TOWNSHIP, start, ed)
