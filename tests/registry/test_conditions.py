"""condition_record: appended assessments with water flags computed by fangpin.conditions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from fangpin.conditions import WaterMeasurement, assess_water
from fangpin.core.models import AuditEvent
from fangpin.registry import services
from fangpin.registry.errors import RegistryError
from fangpin.registry.models import Household, HouseholdCondition

Counts = Callable[[], dict[str, int]]

PIPED = WaterMeasurement(
    area_type="rich",
    litres_per_person_day=60,
    quality_tested=True,
    quality_simple_check_ok=False,
    is_piped=True,
    trip_minutes=None,
    horizontal_m=None,
    vertical_m=None,
    cut_days_per_year=5,
)


def _record(actor: Any, household: Household, **overrides: Any) -> HouseholdCondition:
    fields: dict[str, Any] = {
        "actor": actor,
        "household_id": household.pk,
        "assessed_on": date(2024, 6, 1),
        "food_secure": True,
        "clothing_secure": True,
        "housing_grade": "B",
        "housing_assessor": "花垣县住房和城乡建设局",
        "housing_assessed_on": date(2023, 10, 12),
        "water": PIPED,
    }
    fields.update(overrides)
    return services.condition_record(**fields)


def test_records_an_assessment_with_computed_water_flags(family: Household, actor: Any) -> None:
    condition = _record(actor, family)
    assert (condition.housing_grade, condition.housing_safe) == ("B", True)
    assert (
        condition.water_quantity_ok,
        condition.water_quality_ok,
        condition.water_convenience_ok,
        condition.water_reliability_ok,
    ) == (True, True, True, True)
    assert condition.water_safe is True
    assert (condition.water_litres_per_person_day, condition.water_is_piped) == (60, True)
    audit = AuditEvent.objects.get(action="householdcondition.create")
    assert audit.changes["water_quantity_ok"] == [None, True]
    assert audit.changes["housing_assessed_on"] == [None, "2023-10-12"]


@pytest.mark.parametrize(
    ("water", "expected"),
    [
        # water-short area: 20 L is enough; carried 25 minutes but within 800 m horizontally
        (
            WaterMeasurement("short", 20, False, True, False, 25, 700, None, 36),
            (True, True, True, True),
        ),
        # water-rich area needs 35 L; no quality check; 30 minutes, 900 m, 90 m; 37 days cut
        (
            WaterMeasurement("rich", 34, False, False, False, 30, 900, 90, 37),
            (False, False, False, False),
        ),
        # vertical distance alone makes it convenient
        (
            WaterMeasurement("rich", 35, True, False, False, None, None, 80, 0),
            (True, True, True, True),
        ),
    ],
)
def test_water_flags_follow_the_2018_criteria(
    family: Household, actor: Any, water: WaterMeasurement, expected: tuple[bool, ...]
) -> None:
    condition = _record(actor, family, water=water)
    flags = (
        condition.water_quantity_ok,
        condition.water_quality_ok,
        condition.water_convenience_ok,
        condition.water_reliability_ok,
    )
    assert flags == expected
    result = assess_water(water)
    assert flags == (
        result.quantity_ok,
        result.quality_ok,
        result.convenience_ok,
        result.reliability_ok,
    )


def test_assessments_are_appended_never_overwritten(family: Household, actor: Any) -> None:
    first = _record(actor, family, housing_grade="C")
    second = _record(actor, family, assessed_on=date(2024, 9, 1), housing_grade="A")
    assert list(
        HouseholdCondition.objects.filter(household=family)
        .order_by("assessed_on")
        .values_list("pk", "housing_grade")
    ) == [(first.pk, "C"), (second.pk, "A")]


def test_refuses_a_second_assessment_on_the_same_day(
    family: Household, actor: Any, counts: Counts
) -> None:
    _record(actor, family)
    before = counts()
    with pytest.raises(RegistryError) as info:
        _record(actor, family, housing_grade="D")
    assert (info.value.code, info.value.message) == (
        "duplicate_assessment",
        "农户4331241022010001在2024-06-01已有核查记录",
    )
    assert counts() == before


TOMORROW = "tomorrow"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"housing_assessor": " "}, "housing_assessor"),
        ({"housing_assessed_on": None}, "housing_assessed_on"),
        ({"housing_assessed_on": TOMORROW}, "housing_assessed_on"),
        ({"assessed_on": TOMORROW}, "assessed_on"),
        ({"housing_grade": "E"}, "code_value"),
        ({"water_source": "8"}, "code_value"),
        ({"water": replace(PIPED, area_type="wet")}, "code_value"),
        ({"water": replace(PIPED, litres_per_person_day=-1)}, "water"),
        ({"water": replace(PIPED, cut_days_per_year=367)}, "water"),
        ({"food_secure": None}, "boolean"),
    ],
)
def test_condition_refusals(
    family: Household, actor: Any, counts: Counts, overrides: dict[str, Any], code: str
) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    values = {k: tomorrow if v == TOMORROW else v for k, v in overrides.items()}
    before = counts()
    with pytest.raises(RegistryError) as info:
        _record(actor, family, **values)
    assert info.value.code == code
    assert counts() == before
