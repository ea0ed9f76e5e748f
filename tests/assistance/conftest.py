"""Fixtures for assistance: the registry's villages and people, a monitored family, helpers.

The family (土地村, three members, all able to work by default) is a monitoring object since
January 2026 with two risks: 因病 (01) and 因学 (09).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from fangpin.assistance.models import Measure, MeasureRevision, Plan, Visit, VisitPhoto
from fangpin.assistance.services import MeasureInput, measure_create
from fangpin.core.models import AuditEvent, Role, User
from fangpin.registry.models import Household
from tests.registry import conftest as registry
from tests.registry.conftest import LONGTAN_TOWNSHIP, make_user
from tests.registry.monitoring_helpers import add_spell

actor = registry.actor
douwang_cadre = registry.douwang_cadre
family = registry.family
luxi_approver = registry.luxi_approver
person_input = registry.person_input
tudi_cadre = registry.tudi_cadre
village = registry.village
world = registry.world

TODAY = date(2026, 12, 1)
IDENTIFIED = date(2026, 1, 1)

#: The smallest valid PNG (1×1, transparent) and a JPEG's first bytes.
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


@pytest.fixture
def monitored(family: Household) -> Household:
    """The family as a monitoring object (边缘易致贫户) since 2026-01 with risks 因病, 因学."""
    add_spell(family, "MARGINAL", IDENTIFIED, risks=[("01", ""), ("09", "")])
    family.refresh_from_db()
    return family


@pytest.fixture
def township_reviewer(village: Any) -> User:
    return make_user("reviewer_longtan", Role.TOWNSHIP_REVIEWER, LONGTAN_TOWNSHIP)


@pytest.fixture
def inspector(village: Any) -> User:
    """An inspector of 花垣县: reads plans, may not write them."""
    return make_user("inspector_huayuan", Role.INSPECTOR, "433124000000")


def health_measure(**overrides: Any) -> MeasureInput:
    """大病保险倾斜报销 for 因病, in progress since 2026-02-01, 5000 yuan."""
    values: dict[str, Any] = {
        "category": "HEALTH",
        "item": "大病保险倾斜报销",
        "responsible_department": "县医疗保障局",
        "responsible_person": "龙建华",
        "start_date": date(2026, 2, 1),
        "end_date": None,
        "amount": Decimal("5000.00"),
        "status": "in_progress",
        "risk_types": ("01",),
        "evidence": "报销单据",
    }
    values.update(overrides)
    return MeasureInput(**values)


def add_measure(household: Household, by: Any, *, today: date = TODAY, **overrides: Any) -> Measure:
    return measure_create(
        actor=by, household_id=household.pk, values=health_measure(**overrides), today=today
    )


def snapshot() -> dict[str, Any]:
    """Every assistance row and the audit actions, for "nothing changed" checks."""
    return {
        "plans": Plan.objects.count(),
        "measures": sorted(
            Measure.objects.values_list("pk", "version", "status", "item", "amount")
        ),
        "revisions": sorted(
            MeasureRevision.objects.values_list("pk", "seq", "valid_from", "valid_to")
        ),
        "visits": Visit.objects.count(),
        "photos": VisitPhoto.objects.count(),
        "audit": sorted(AuditEvent.objects.values_list("action", flat=True)),
    }
