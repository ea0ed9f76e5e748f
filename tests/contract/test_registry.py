"""The registry schemas (fangpin.contract.registry): the monitoring tables of version 2."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from fangpin.contract import (
    CONTRACT_VERSION,
    MONITORING_RISKS,
    MONITORINGS,
    REGISTRY_TABLES,
    ContractError,
    validate_table,
)


def test_registry_tables_in_load_order_with_the_monitoring_tables_last() -> None:
    assert list(REGISTRY_TABLES) == [
        "households",
        "persons",
        "finances",
        "conditions",
        "monitorings",
        "monitoring_risks",
    ]
    assert CONTRACT_VERSION == "2"
    for name, schema in REGISTRY_TABLES.items():
        assert schema.metadata[b"table"].decode() == name
        assert schema.metadata[b"contract_version"].decode() == CONTRACT_VERSION


def test_monitoring_columns_types_and_nullability() -> None:
    assert [(f.name, str(f.type), f.nullable) for f in MONITORINGS] == [
        ("household_number", "string", False),
        ("object_type", "string", False),
        ("identified_month", "date32[day]", False),
        ("eliminated_month", "date32[day]", True),
        ("elimination_mode", "string", False),
        ("no_labour_backstop", "bool", False),
        ("is_current", "bool", False),
    ]
    assert [(f.name, str(f.type), f.nullable) for f in MONITORING_RISKS] == [
        ("household_number", "string", False),
        ("identified_month", "date32[day]", False),
        ("position", "int8", False),
        ("risk_type", "string", False),
        ("disaster_subtype", "string", False),
    ]


def _spell(**overrides: object) -> pa.Table:
    row = {
        "household_number": "4331241022010001",
        "object_type": "UNSTABLE",
        "identified_month": date(2023, 4, 1),
        "eliminated_month": None,
        "elimination_mode": "",
        "no_labour_backstop": False,
        "is_current": True,
    }
    row.update(overrides)
    return pa.Table.from_pylist([row])


def test_an_open_spell_validates_with_a_null_elimination_month() -> None:
    table = validate_table(_spell(), MONITORINGS)
    assert table.column("eliminated_month").null_count == 1
    assert table.schema.equals(MONITORINGS)


def test_a_null_identification_month_is_refused() -> None:
    with pytest.raises(ContractError) as caught:
        validate_table(_spell(identified_month=None), MONITORINGS)
    assert caught.value.code == "nulls"
    assert "identified_month" in caught.value.message


def test_a_risk_position_out_of_int8_is_refused() -> None:
    table = pa.table(
        {
            "household_number": ["4331241022010001"],
            "identified_month": pa.array([date(2023, 4, 1)], pa.date32()),
            "position": pa.array([300], pa.int64()),
            "risk_type": ["01"],
            "disaster_subtype": [""],
        }
    )
    with pytest.raises(ContractError) as caught:
        validate_table(table, MONITORING_RISKS)
    assert caught.value.code == "types"
