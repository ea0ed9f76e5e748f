"""Fixtures for the supervision tests: the registry's region world, a cadre of each village,
the county approver and an inspector of the county."""

from __future__ import annotations

import pytest

from fangpin.core.models import Region, Role, User
from tests.registry import conftest as registry
from tests.registry.conftest import HUAYUAN_COUNTY, make_user

actor = registry.actor
douwang_cadre = registry.douwang_cadre
family = registry.family
luxi_approver = registry.luxi_approver
person_input = registry.person_input
tudi_cadre = registry.tudi_cadre
village = registry.village
world = registry.world


@pytest.fixture
def inspector(village: Region) -> User:
    """An inspector of 花垣县: records problems and checks fixes, edits nothing."""
    return make_user("inspector_huayuan", Role.INSPECTOR, HUAYUAN_COUNTY)
