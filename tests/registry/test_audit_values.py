"""What registry services put in the audit log: masked ID, phone and health details."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from fangpin.registry.services._common import audit_value, created, diff


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("id_number", "43312419800501003X", "433124********003X"),
        ("phone", "13812345678", "138****5678"),
        ("health", "30", "已隐藏"),
        ("health", "10", "已隐藏"),
        ("disability_grade", "", "已隐藏"),
        ("disability_category", "4", "已隐藏"),
        ("name", "张三", "张三"),
        ("birth_date", date(1980, 5, 1), "1980-05-01"),
        ("wage_local", Decimal("12.50"), "12.50"),
    ],
)
def test_audit_value(field: str, value: object, expected: object) -> None:
    assert audit_value(field, value) == expected


def test_a_health_change_is_recorded_as_changed_without_its_values() -> None:
    before = {"name": "李梅", "health": "10", "disability_grade": ""}
    after = {"name": "李梅", "health": "40", "disability_grade": "2"}

    assert diff(before, after) == {
        "health": ["已隐藏", "已隐藏"],
        "disability_grade": ["已隐藏", "已隐藏"],
    }


def test_a_new_person_is_recorded_with_masked_values() -> None:
    assert created({"name": "张三", "health": "30", "phone": "13812345678"}) == {
        "name": [None, "张三"],
        "health": [None, "已隐藏"],
        "phone": [None, "138****5678"],
    }
