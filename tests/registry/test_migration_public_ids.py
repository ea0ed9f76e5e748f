"""Migration 0005: every existing household and person gets its own random ``public_id``."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from fangpin import idnumber
from fangpin.registry.models import HealthCodes, health_columns, id_number_columns

BEFORE = [("registry", "0004_health_encrypted")]
AFTER = [("registry", "0005_public_ids")]


@pytest.fixture
def at_0004(transactional_db: Any) -> Iterator[Any]:
    """The database migrated back to 0004 (no public ids); forward again afterwards."""
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
def test_0005_gives_every_existing_row_a_distinct_random_public_id(at_0004: Any) -> None:
    region = at_0004.get_model("core", "Region").objects.create(
        code="430000000000", name="湖南省", level=1
    )
    household_model = at_0004.get_model("registry", "Household")
    person_model = at_0004.get_model("registry", "Person")
    households = [
        household_model.objects.create(
            household_number=f"433124102201{n:04d}", village=region, household_type="1"
        )
        for n in range(3)
    ]
    for n, household in enumerate(households):
        person_model.objects.create(
            household=household,
            name=f"户主{n}",
            sex="1",
            id_type="1",
            birth_date=date(1980, 1, 1),
            relation="01",
            **id_number_columns("1", idnumber.build("433124", date(1980, 1, 1), 101 + n)),
            **health_columns(HealthCodes("10", "", "")),
        )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    apps = executor.loader.project_state(AFTER).apps
    for name, expected in (("Household", 3), ("Person", 3)):
        model = apps.get_model("registry", name)
        ids = [uuid.UUID(str(v)) for v in model.objects.values_list("public_id", flat=True)]
        assert len(ids) == len(set(ids)) == expected
        assert {u.version for u in ids} == {4}
    # Unique and not null from now on.
    household = apps.get_model("registry", "Household")
    taken = household.objects.get(household_number="4331241022010000").public_id
    with pytest.raises(IntegrityError), transaction.atomic():
        household.objects.filter(household_number="4331241022010001").update(public_id=taken)
    with pytest.raises(IntegrityError), transaction.atomic():
        household.objects.filter(household_number="4331241022010001").update(public_id=None)
