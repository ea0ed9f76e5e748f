"""A disability-certificate number (残疾人证) never shows its category and grade digits."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from fangpin import idnumber
from fangpin.registry import services
from fangpin.registry.masking import mask_id
from fangpin.registry.models import (
    HealthCodes,
    Household,
    Person,
    health_columns,
    id_number_columns,
)
from tests.registry.conftest import REGISTERED_ON, TUDI, PersonFactory

HOLDER = idnumber.build("433124", date(1975, 3, 9), 33)
CARD = HOLDER + "42"  # category 4, grade 2


def test_a_card_is_masked_like_its_holders_id() -> None:
    assert mask_id(CARD) == mask_id(HOLDER) == f"{HOLDER[:6]}********{HOLDER[14:18]}"
    assert not mask_id(CARD).endswith("42")


def test_a_registered_card_is_stored_masked_without_its_last_two_digits(
    village: Any, actor: Any, person_input: PersonFactory
) -> None:
    card_holder = replace(
        person_input(name="王五", birth_date=date(1975, 3, 9)),
        id_type="2",
        id_number=CARD,
        health="40",
        disability_grade="2",
        disability_category="4",
    )
    household = services.household_create(
        actor=actor,
        village_code=TUDI,
        household_type="2",
        head=card_holder,
        members=[],
        registered_on=REGISTERED_ON,
    )

    stored = Person.objects.get(household=household)
    assert stored.id_number_masked == mask_id(HOLDER)


BEFORE = [("registry", "0005_public_ids")]
AFTER = [("registry", "0006_remask_disability_cards")]


@pytest.fixture
def at_0005(transactional_db: Any) -> Iterator[Any]:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        yield executor.loader.project_state(BEFORE).apps
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


# Rewinding the migration graph costs about half a minute per test; the migration's Python is
# the same on both databases and Django's schema editor does the DDL, so once is enough.
@pytest.mark.sqlite_only
def test_0006_remasks_the_cards_stored_before_and_nothing_else(at_0005: Any) -> None:
    region = at_0005.get_model("core", "Region").objects.create(
        code="430000000000", name="湖南省", level=1
    )
    household = at_0005.get_model("registry", "Household").objects.create(
        household_number="4331241022010001", village=region, household_type="1"
    )
    person_model = at_0005.get_model("registry", "Person")
    resident = idnumber.build("433124", date(1980, 1, 1), 101)
    for number, id_type, old_mask in (
        (CARD, "2", f"{CARD[:6]}********{CARD[-4:]}"),  # the old, leaking display
        (resident, "1", mask_id(resident)),
    ):
        person_model.objects.create(
            household=household,
            name="户主" if id_type == "1" else "王五",
            sex="1",
            id_type=id_type,
            birth_date=date(1980, 1, 1),
            relation="01" if id_type == "1" else "10",
            **{**id_number_columns(id_type, number), "id_number_masked": old_mask},
            **health_columns(HealthCodes("10", "", "")),
        )

    MigrationExecutor(connection).migrate(AFTER)

    masks = dict(Person.objects.values_list("id_type", "id_number_masked"))
    assert masks == {"2": mask_id(HOLDER), "1": mask_id(resident)}
    assert Household.objects.count() == 1


def test_other_20_character_texts_keep_the_usual_shape() -> None:
    text = "医院" + HOLDER  # 20 characters, but not a certificate number
    assert mask_id(text) == f"医院{HOLDER[:4]}********{HOLDER[-4:]}"
