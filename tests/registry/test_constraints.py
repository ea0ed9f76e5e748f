"""Database constraints hold even when the services are bypassed (raw ORM writes)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import DataError, IntegrityError, transaction

from fangpin import idnumber
from fangpin.registry.models import (
    HealthCodes,
    Household,
    HouseholdCondition,
    HouseholdFinance,
    Person,
    health_columns,
    id_number_columns,
    identity_index,
)
from tests.registry.conftest import id_filter, member, plain_id


def _person(household: Household, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "household": household,
        "name": "赵六",
        "sex": "1",
        "id_type": "1",
        "id_number": idnumber.build("433124", date(1990, 1, 1), 901),
        "birth_date": date(1990, 1, 1),
        "relation": "70",
    }
    health = HealthCodes("10", "", "")
    fields = {**fields, **health_columns(health), **overrides}
    # Raw rows bypass the services: store the ID number as the services would (encrypted).
    number = fields.pop("id_number")
    return {**fields, **id_number_columns(fields["id_type"], number)}


def _violates(
    write: Any, error: type[Exception] | tuple[type[Exception], ...] = IntegrityError
) -> None:
    with pytest.raises(error), transaction.atomic():
        write()


def test_valid_raw_person_is_accepted(family: Household) -> None:
    person = Person.objects.create(**_person(family))
    assert person.pk is not None


def test_two_active_heads_are_refused(family: Household) -> None:
    _violates(lambda: Person.objects.create(**_person(family, relation="01")))
    assert Person.objects.filter(household=family, relation="01").count() == 1


def test_a_former_head_does_not_count(family: Household) -> None:
    Person.objects.filter(pk=member(family, "张三").pk).update(status="moved_out")
    Person.objects.create(**_person(family, relation="01"))
    assert Person.objects.filter(household=family, relation="01").count() == 2


def test_duplicate_active_id_number_is_refused(family: Household) -> None:
    taken = plain_id(member(family, "李梅"))
    _violates(lambda: Person.objects.create(**_person(family, id_number=taken)))
    assert Person.objects.filter(**id_filter("1", taken)).count() == 1


def test_an_id_card_and_a_disability_card_of_one_person_collide_in_the_database(
    family: Household,
) -> None:
    """The database enforces the identity rule too: types 1 and 2 share the identity index."""
    taken = plain_id(member(family, "李梅"))
    card = _person(
        family, id_type="2", id_number=taken + "41", sex="2", birth_date=date(1982, 8, 9)
    )
    _violates(lambda: Person.objects.create(**card))
    assert Person.objects.filter(**id_filter("1", taken)).count() == 1


def test_other_documents_do_not_collide_with_a_resident_identity(family: Household) -> None:
    """An "other document" (type 9) that happens to read like an ID number is another
    identity (its own index context), as before; two type-9 rows with one number collide."""
    taken = plain_id(member(family, "李梅"))
    Person.objects.create(**_person(family, id_type="9", id_number=taken))
    _violates(lambda: Person.objects.create(**_person(family, id_type="9", id_number=taken)))
    assert Person.objects.filter(id_number_index=identity_index("9", taken)).count() == 1


def test_duplicate_id_number_of_a_former_member_is_accepted(family: Household) -> None:
    son = member(family, "张小明")
    Person.objects.filter(pk=son.pk).update(status="deceased", death_date=date(2024, 1, 1))
    Person.objects.create(**_person(family, id_number=plain_id(son)))
    assert Person.objects.filter(**id_filter("1", plain_id(son))).count() == 2


def test_death_date_with_active_status_is_refused(family: Household) -> None:
    son = member(family, "张小明")
    _violates(lambda: Person.objects.filter(pk=son.pk).update(death_date=date(2024, 1, 1)))
    assert Person.objects.get(pk=son.pk).death_date is None


def test_deceased_without_death_date_is_refused(family: Household) -> None:
    son = member(family, "张小明")
    _violates(lambda: Person.objects.filter(pk=son.pk).update(status="deceased"))
    assert Person.objects.get(pk=son.pk).status == "active"


def test_death_before_birth_is_refused(family: Household) -> None:
    son = member(family, "张小明")
    _violates(
        lambda: Person.objects.filter(pk=son.pk).update(
            status="deceased", death_date=date(2009, 1, 1)
        )
    )


def test_a_person_without_a_health_token_is_refused(family: Household) -> None:
    """The rules between health status, grade and category cannot be checked on ciphertext
    (they are validated before any write: test_validation, test_bulk); the database still
    refuses a person whose health details are missing altogether."""
    before = Person.objects.count()
    _violates(lambda: Person.objects.create(**_person(family, health_encrypted="")))
    son = member(family, "张小明")
    _violates(lambda: Person.objects.filter(pk=son.pk).update(health_encrypted=""))
    assert Person.objects.count() == before
    assert Person.objects.filter(health_encrypted="").count() == 0


@pytest.mark.parametrize(
    "overrides",
    [{"sex": "3"}, {"status": "gone"}, {"migrant_work_months": 13}],
)
def test_person_check_constraints(family: Household, overrides: dict[str, Any]) -> None:
    _violates(lambda: Person.objects.create(**_person(family, **overrides)))


def test_negative_amount_is_refused(family: Household) -> None:
    _violates(
        lambda: HouseholdFinance.objects.create(
            household=family, year=2024, household_size=3, wage_local=Decimal("-1")
        )
    )
    assert HouseholdFinance.objects.count() == 0


@pytest.mark.parametrize("overrides", [{"year": 2009}, {"production_expenses": Decimal("-0.01")}])
def test_finance_check_constraints(family: Household, overrides: dict[str, Any]) -> None:
    fields: dict[str, Any] = {"household": family, "year": 2024, "household_size": 3}
    fields.update(overrides)
    _violates(lambda: HouseholdFinance.objects.create(**fields))


def test_finance_household_size_zero_is_refused(family: Household) -> None:
    # PostgreSQL computes the generated per-capita column before checking constraints, so it
    # reports the division by zero (DataError); SQLite reports the check constraint.
    _violates(
        lambda: HouseholdFinance.objects.create(household=family, year=2024, household_size=0),
        (IntegrityError, DataError),
    )
    assert HouseholdFinance.objects.count() == 0


def test_one_finance_record_per_year(family: Household) -> None:
    HouseholdFinance.objects.create(household=family, year=2024, household_size=3)
    _violates(
        lambda: HouseholdFinance.objects.create(household=family, year=2024, household_size=3)
    )


def _condition(household: Household, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "household": household,
        "assessed_on": date(2024, 6, 1),
        "housing_grade": "A",
        "housing_assessor": "花垣县住房和城乡建设局",
        "housing_assessed_on": date(2024, 1, 1),
        "water_litres_per_person_day": 50,
        "water_quantity_ok": True,
        "water_quality_ok": True,
        "water_convenience_ok": True,
        "water_reliability_ok": True,
    }
    fields.update(overrides)
    return fields


@pytest.mark.parametrize(
    "overrides",
    [
        {"housing_grade": "E"},
        {"housing_assessor": ""},
        {"housing_assessed_on": None},
        {"water_cut_days_per_year": 367},
    ],
)
def test_condition_check_constraints(family: Household, overrides: dict[str, Any]) -> None:
    _violates(lambda: HouseholdCondition.objects.create(**_condition(family, **overrides)))
    assert HouseholdCondition.objects.count() == 0


def test_one_condition_per_day(family: Household) -> None:
    HouseholdCondition.objects.create(**_condition(family))
    _violates(lambda: HouseholdCondition.objects.create(**_condition(family)))


@pytest.mark.parametrize(
    "values",
    [
        {"is_relocated": True},
        {"relocation_mode": "1"},
        {"is_relocated": True, "relocation_mode": "3"},
        {"status": "deleted"},
    ],
)
def test_household_check_constraints(family: Household, values: dict[str, Any]) -> None:
    _violates(lambda: Household.objects.filter(pk=family.pk).update(**values))
    assert Household.objects.get(pk=family.pk).is_relocated is False
