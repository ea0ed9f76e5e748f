"""The registry's region-scope world, built once per test module (the scope matrices).

tests/registry/conftest.py's ``world`` (four households, one account per viewer) is rebuilt for
every test that asks for it; the scope matrices ask for it hundreds of times. A matrix module
builds it once instead, as tests/security/seeded_world.py's ``module_world`` does: inside an
outer transaction entered for the module and rolled back when the module's tests are done. Each
test's own ``db`` transaction nests inside it as a savepoint, so whatever a test writes is gone
before the next one starts. A module wires it in with three fixtures::

    @pytest.fixture(scope="module")
    def built_world(django_db_setup, django_db_blocker, tmp_path_factory):
        with registry_module_world(django_db_blocker, tmp_path_factory.mktemp("x")) as built:
            yield built

    @pytest.fixture
    def world(db, built_world):
        with world_for_test(built_world) as fresh:
            yield fresh

    @pytest.fixture
    def person_input(built_world):
        return person_input_after(built_world)

What each test gets is what the per-test fixture gave it: the same rows (the module's ``setup``
may add more), fresh Django objects fetched for the test (nothing a test does to an object
reaches the next test), empty Django caches and region cache, its own VAR_DIR holding a copy
of the files the build wrote, and a ``person_input`` that goes on from the world's last ID
number, as the per-test fixture's shared counter did (a new person never takes a world ID).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.test import override_settings

from fangpin.core.models import User
from fangpin.core.selectors import region_cache_clear
from fangpin.registry.models import Household
from fangpin.registry.validation import PersonInput
from tests.registry import conftest as registry
from tests.registry.conftest import PersonFactory, World


@dataclass(frozen=True, slots=True)
class BuiltWorld:
    """The module's world as built. Its objects are the module's: tests get fresh copies."""

    world: World
    #: how many PersonInputs the build drew from its ``person_input`` factory
    person_inputs_drawn: int
    #: where the build's files live (VAR_DIR during the build)
    var_dir: Path
    #: what the module's ``setup`` returned
    extra: Any = None


def _clear_caches() -> None:
    region_cache_clear()
    for cache in caches.all(initialized_only=True):
        cache.clear()


@contextmanager
def registry_module_world(
    django_db_blocker: Any,
    var_dir: Path,
    *,
    setup: Callable[[World], Any] | None = None,
) -> Iterator[BuiltWorld]:
    """Build the registry world (then ``setup``, the module's own additions) in an outer
    transaction, yield it, roll it all back afterwards.

    The build runs the registry conftest's own fixture functions (``village``, ``person_input``,
    ``world``), so the rows are exactly theirs. Files the build writes go to ``var_dir``.
    """
    drawn = 0

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(VAR_DIR=var_dir):
                _clear_caches()
                # The fixtures, called as the plain functions pytest keeps in __wrapped__.
                village = registry.village.__wrapped__(None)  # type: ignore[attr-defined]
                next(village)  # the region chain (a generator fixture)
                make: PersonFactory = registry.person_input.__wrapped__()  # type: ignore[attr-defined]

                def counted(**kwargs: Any) -> PersonInput:
                    nonlocal drawn
                    drawn += 1
                    return make(**kwargs)

                world = registry.world.__wrapped__(None, counted)  # type: ignore[attr-defined]
                extra = setup(world) if setup is not None else None
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield BuiltWorld(world=world, person_inputs_drawn=drawn, var_dir=var_dir, extra=extra)
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            assert not connection.in_atomic_block
        _clear_caches()


def fresh_world(built: BuiltWorld) -> World:
    """The world's households and accounts, fetched anew (for one test)."""
    households = {
        key: Household.objects.select_related("village").get(pk=household.pk)
        for key, household in built.world.households.items()
    }
    viewers = {key: User.objects.get(pk=user.pk) for key, user in built.world.viewers.items()}
    return World(households=households, viewers=viewers)


@contextmanager
def world_for_test(built: BuiltWorld) -> Iterator[World]:
    """One test's view of the module's world (call it inside the test's ``db`` transaction).

    Empty caches, fresh objects, and the build's files copied into the test's own VAR_DIR
    (the root conftest gives each test one; the copy keeps a test's files its own).
    """
    _clear_caches()
    if any(built.var_dir.iterdir()):
        shutil.copytree(built.var_dir, Path(settings.VAR_DIR), dirs_exist_ok=True)
    try:
        yield fresh_world(built)
    finally:
        _clear_caches()


def person_input_after(built: BuiltWorld) -> PersonFactory:
    """The registry's ``person_input`` factory, gone on past the numbers the world drew."""
    make: PersonFactory = registry.person_input.__wrapped__()  # type: ignore[attr-defined]
    for _ in range(built.person_inputs_drawn):
        make()
    return make
