"""Two officials save the same household at once from the same version (SECURITY.md scenario 19,
REL-CC-1): exactly one update lands, the other is the version conflict, nothing is lost
silently, and exactly one audit entry records the winner.

PostgreSQL only: two real connections race through a barrier. On SQLite the same conditional
``UPDATE … WHERE version = v`` is proven sequentially (tests/registry/test_household_services.py
::test_update_refuses_a_stale_version) and the web answer (409 with a reload link) in
tests/web/test_forms.py::test_a_stale_edit_is_refused_and_changes_nothing.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connections

from fangpin.core.models import AuditEvent, User
from fangpin.registry import services
from fangpin.registry.errors import StaleVersionError
from fangpin.registry.models import Household
from tests.registry.conftest import (  # noqa: F401  (fixtures used here)
    actor,
    family,
    person_input,
    tudi_cadre,
    village,
)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_of_one_version_store_exactly_one(
    family: Household,  # noqa: F811
    actor: User,  # noqa: F811  (the imported fixture)
    tudi_cadre: User,  # noqa: F811
) -> None:
    assert family.version == 1
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def save(user: User, address: str) -> None:
        try:
            barrier.wait(timeout=10)
            services.household_update(
                actor=user,
                household_id=family.pk,
                expected_version=1,
                changes={"address": address},
            )
            results[address] = "ok"
        except StaleVersionError as error:
            results[address] = error.code
        finally:
            connections.close_all()

    addresses = {"龙潭镇土地村下寨3号": actor, "龙潭镇土地村中寨8号": tudi_cadre}
    threads = [threading.Thread(target=save, args=(u, a)) for a, u in addresses.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results.values()) == ["ok", "stale"]
    winner = next(a for a, outcome in results.items() if outcome == "ok")
    stored = Household.objects.get(pk=family.pk)
    assert (stored.address, stored.version) == (winner, 2)
    updates: list[Any] = list(
        AuditEvent.objects.filter(action="household.update", object_id=str(family.pk))
    )
    assert len(updates) == 1
    assert updates[0].actor_id == addresses[winner].pk
    assert updates[0].changes["address"] == ["龙潭镇土地村上寨12号", winner]
