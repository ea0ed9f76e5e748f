"""The evaluation world (tests/evaluation/conftest.py's ``world``), built once for a test module.

Built per test, the world (twenty-one households with their monitoring, seven accounts) cost
most of the scope matrix's setup. A module builds it once instead, as tests/module_world.py
does for the registry's world: inside an outer transaction, rolled back when the module's tests
are done, in which each test's own ``db`` transaction nests as a savepoint.

A test that commits (a TransactionTestCase: the snapshot routes on PostgreSQL) cannot run
inside that transaction: it closes the shared world and builds its own, committed, as before.
pytest-django runs such tests after all the others (Django's order: TestCase, then
TransactionTestCase), so no test that nests comes after the world is closed.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.test import override_settings

from fangpin.core.models import User
from fangpin.core.selectors import region_cache_clear
from fangpin.registry.models import Household
from tests.evaluation import conftest
from tests.evaluation.conftest import World


def _clear_caches() -> None:
    region_cache_clear()
    for cache in caches.all(initialized_only=True):
        cache.clear()


def build_world() -> World:
    """The conftest's ``regions`` and ``world``, called as the plain functions pytest keeps in
    ``__wrapped__``, so the rows are exactly theirs."""
    regions = conftest.regions.__wrapped__(None)  # type: ignore[attr-defined]
    next(regions)  # the region rows (a generator fixture; its teardown only clears the cache)
    return conftest.world.__wrapped__(None)  # type: ignore[attr-defined, no-any-return]


class SharedWorld:
    """The module's world: built in an outer transaction when made, until :meth:`close`.

    Make it in a module-scoped fixture: pytest sets those up before any test's own
    transaction starts.
    """

    def __init__(self, django_db_blocker: Any, var_dir: Path) -> None:
        self._blocker = django_db_blocker
        self._var_dir = var_dir
        with self._blocker.unblock():
            assert not connection.in_atomic_block, "built inside a test's transaction"
            outer = transaction.atomic()
            outer.__enter__()
            try:
                with override_settings(VAR_DIR=self._var_dir):
                    _clear_caches()
                    world = build_world()
            except BaseException:
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)
                raise
        self._outer: Any = outer
        self._world: World | None = world

    def close(self) -> None:
        """Roll the world back (nothing else may be open inside its transaction)."""
        if self._outer is None:
            return
        with self._blocker.unblock():
            transaction.set_rollback(True)
            self._outer.__exit__(None, None, None)
            assert not connection.in_atomic_block
        self._outer, self._world = None, None
        _clear_caches()

    @contextmanager
    def for_test(self) -> Iterator[World]:
        """One test's view of the world (inside the test's ``db`` transaction): empty caches,
        objects fetched anew, and the build's files copied into the test's own VAR_DIR."""
        assert self._world is not None, "the shared world was closed by a test that commits"
        _clear_caches()
        if any(self._var_dir.iterdir()):
            shutil.copytree(self._var_dir, Path(settings.VAR_DIR), dirs_exist_ok=True)
        yield World(
            households={
                key: Household.objects.get(pk=household.pk)
                for key, household in self._world.households.items()
            },
            users={key: User.objects.get(pk=user.pk) for key, user in self._world.users.items()},
        )
        _clear_caches()
