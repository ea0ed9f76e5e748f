"""Migration 0004: existing plain health details become tokens; the plain columns are gone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from fangpin import idnumber
from fangpin.registry.models import HealthCodes, health_from_token, id_number_columns

BEFORE = [("registry", "0003_list_search_indexes")]
AFTER = [("registry", "0004_health_encrypted")]
PLAIN = ("health", "disability_grade", "disability_category")


def _columns() -> set[str]:
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, "registry_person")
    return {col.name for col in description}


@pytest.fixture
def at_0003(transactional_db: Any) -> Iterator[Any]:
    """The database migrated back to 0003 (plain health columns); forward again afterwards."""
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
def test_0004_encrypts_existing_health_details_and_drops_the_plain_columns(at_0003: Any) -> None:
    region_model = at_0003.get_model("core", "Region")
    household_model = at_0003.get_model("registry", "Household")
    person_model = at_0003.get_model("registry", "Person")
    assert set(PLAIN) <= _columns()
    # A province needs no parent; the household's region level is not checked by the database.
    region = region_model.objects.create(code="430000000000", name="湖南省", level=1)
    household = household_model.objects.create(
        household_number="4331241022010001", village=region, household_type="1"
    )
    given = [
        HealthCodes("10", "", ""),
        HealthCodes("20", "", ""),
        HealthCodes("40", "3", "6"),
    ]
    ids = []
    for n, codes in enumerate(given):
        number = idnumber.build("433124", date(1980, 1, 1), 101 + n)
        row = person_model.objects.create(
            household=household,
            name=f"成员{n}",
            sex="1",
            id_type="1",
            birth_date=date(1980, 1, 1),
            relation="01" if n == 0 else "20",
            health=codes.health,
            disability_grade=codes.disability_grade,
            disability_category=codes.disability_category,
            **id_number_columns("1", number),
        )
        ids.append(row.pk)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    assert not set(PLAIN) & _columns()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, health_encrypted FROM registry_person ORDER BY id")
        tokens = dict(cursor.fetchall())
    assert sorted(tokens) == sorted(ids)
    assert [health_from_token(tokens[pk]) for pk in ids] == given
    assert all(t.startswith("v1.aes-256-gcm.dev.") for t in tokens.values())
